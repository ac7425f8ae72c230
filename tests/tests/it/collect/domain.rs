//! A "domain mailbox": one catch-all mailbox at the ISP sorted to local accounts by
//! Delivered-To / X-Original-To, else To / Cc (aliases, lists and catch-alls resolved as for
//! SMTP), the rest to the fallback account; and "run now" through the admin API.

use tests::collect::{Dovecot, PASSWORD, expected_ids, message, postroom, unique_ids, wait_for};
use tests::python_ok;

const POST: &str = "collect_domain_post.py";

#[test]
fn a_domain_mailbox_is_sorted_by_envelope_headers_then_to_and_cc_with_a_fallback() {
    let dovecot = Dovecot::start(&["catchall"], false);
    let mail: &[(usize, &str)] = &[
        // The envelope header wins over To.
        (
            0,
            "Delivered-To: alice@example.test\nTo: bob@example.test\n",
        ),
        // An alias that is a list: both members.
        (
            1,
            "X-Original-To: sales@example.test\nTo: someone@remote.test\n",
        ),
        // No envelope header: To and Cc, an alias (info -> alice) among them.
        (2, "To: bob@example.test\nCc: Info <info@example.test>\n"),
        // The ISP's own envelope header is not ours: To decides.
        (
            3,
            "Delivered-To: catchall@isp.test\nTo: dave@example.test\n",
        ),
        // Nobody local: the fallback.
        (4, "To: stranger@remote.test\n"),
        // Our domain, but no such address and no catch-all: the fallback.
        (5, "To: nobody@example.test\n"),
        // A domain with a catch-all (-> bob).
        (6, "To: anyone@catchall.test\n"),
    ];
    for (n, headers) in mail {
        dovecot.put("catchall", *n, &message(*n, headers));
    }
    let (server, token) = postroom(&format!(
        "[[collect]]\nprotocol = \"imap\"\nhost = \"127.0.0.1\"\nport = {}\ntls = \"none\"\n\
         user = \"catchall\"\npassword = \"{PASSWORD}\"\nmode = \"domain\"\n\
         fallback = \"dave@example.test\"\ninterval = \"1h\"\nkeep_days = 0\n",
        dovecot.imap
    ));
    let first = wait_for(&server, &token, 0, "the first run", |s| {
        s.number("runs") >= 1
    });
    assert_eq!(first.get("last_error"), "null");
    assert_eq!(first.number("fetched"), 7);
    assert_eq!(
        unique_ids(&server, "alice@example.test"),
        expected_ids([0, 1, 2])
    );
    assert_eq!(
        unique_ids(&server, "bob@example.test"),
        expected_ids([1, 2, 6])
    );
    assert_eq!(
        unique_ids(&server, "dave@example.test"),
        expected_ids([3, 4, 5])
    );
    assert_eq!(dovecot.count("catchall"), 0);

    // The next scheduled run is an hour away: "run now" fetches new mail at once.
    dovecot.put("catchall", 7, &message(7, "To: stranger@remote.test\n"));
    let url = format!("http://{}/api/collect/0/run", server.addr("admin"));
    assert_eq!(python_ok(POST, &[&url, &token]).trim(), "200");
    wait_for(&server, &token, 0, "the second run", |s| {
        s.number("runs") >= 2
    });
    assert_eq!(
        unique_ids(&server, "dave@example.test"),
        expected_ids([3, 4, 5, 7])
    );
}
