//! Collection over IMAP from a private Dovecot (the "ISP mailbox"): 500 messages through a
//! connection that is cut part-way (bodies arrive as literals holding lines that look like
//! tagged answers), each delivered exactly once and then expunged; leave-on-server for N
//! days over STARTTLS with a private CA, picking up only new mail on later runs.

use tests::collect::{
    PASSWORD, collects_500_exactly_once_across_a_cut, expected_ids, message, office, postroom,
    unique_ids, wait_for,
};

#[test]
fn imap_collects_500_messages_exactly_once_across_a_cut_connection_and_expunges_them() {
    collects_500_exactly_once_across_a_cut("imap");
}

#[test]
fn imap_over_starttls_keeps_mail_for_keep_days_and_fetches_only_new_mail() {
    let dovecot = office(true, 0..30, "");
    let (server, token) = postroom(&format!(
        "[[collect]]\nprotocol = \"imap\"\nhost = \"127.0.0.1\"\nport = {}\ntls = \"starttls\"\n\
         ca = \"{}\"\nuser = \"office\"\npassword = \"{PASSWORD}\"\n\
         account = \"bob@example.test\"\ninterval = \"1s\"\nkeep_days = 7\n",
        dovecot.imap,
        dovecot.cert.display()
    ));
    let first = wait_for(&server, &token, 0, "the first 30", |s| {
        s.get("last_error") == "null" && s.number("fetched_total") == 30
    });
    // New mail on the server: later runs fetch only that.
    for n in 30..35 {
        dovecot.put("office", n, &message(n, ""));
    }
    let runs = first.number("runs");
    wait_for(
        &server,
        &token,
        0,
        "the 5 new ones and two more runs",
        |s| s.number("fetched_total") == 35 && s.number("runs") >= runs + 3,
    );
    assert_eq!(unique_ids(&server, "bob@example.test"), expected_ids(0..35));
    assert_eq!(dovecot.count("office"), 35, "kept for 7 days");
    // BODY.PEEK[]: the messages are still unseen... they were put in cur/ without S, so
    // Dovecot's flags must still not have \Seen.
    let seen = std::fs::read_dir(dovecot.dir.path().join("home/office/Maildir/cur"))
        .expect("cur")
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().contains(":2,S"))
        .count();
    assert_eq!(seen, 0, "collecting marked messages \\Seen");
}
