//! Collection over POP3 from a private Dovecot (the "ISP mailbox"): 500 messages through a
//! connection that is cut part-way, each delivered exactly once and then deleted on the
//! server; leave-on-server over implicit TLS with a private CA; an unverifiable certificate
//! refused.

use tests::collect::{
    PASSWORD, collects_500_exactly_once_across_a_cut, expected_ids, inbox_count, office, postroom,
    status, unique_ids, wait_for,
};

#[test]
fn pop3_collects_500_messages_exactly_once_across_a_cut_connection_and_deletes_them() {
    collects_500_exactly_once_across_a_cut("pop3");
}

#[test]
fn pop3_over_implicit_tls_leaves_mail_on_the_server_and_refuses_an_unknown_certificate() {
    let dovecot = office(true, 0..20, "");
    let job = |account: &str| {
        format!(
            "[[collect]]\nprotocol = \"pop3\"\nhost = \"127.0.0.1\"\nport = {}\n\
             tls = \"implicit\"\nuser = \"office\"\npassword = \"{PASSWORD}\"\n\
             account = \"{account}\"\ninterval = \"1s\"\n",
            dovecot.pop3s
        )
    };
    let trusted = format!(
        "{}ca = \"{}\"\n",
        job("bob@example.test"),
        dovecot.cert.display()
    );
    // The second job trusts only the public roots: Dovecot's test certificate must fail.
    let (server, token) = postroom(&format!("{trusted}{}", job("dave@example.test")));
    wait_for(&server, &token, 0, "three runs leaving the mail", |s| {
        s.number("runs") >= 3 && s.get("last_error") == "null"
    });
    assert_eq!(unique_ids(&server, "bob@example.test"), expected_ids(0..20));
    assert_eq!(dovecot.count("office"), 20, "mail was left on the server");
    let refused = wait_for(&server, &token, 1, "the unverified job's run", |s| {
        s.number("runs") >= 1
    });
    let error = refused.get("last_error");
    assert!(error.contains("certificate"), "{error}");
    assert_eq!(inbox_count(&server, "dave@example.test"), 0);
    assert_eq!(status(&server, &token, 1).number("fetched_total"), 0);
}
