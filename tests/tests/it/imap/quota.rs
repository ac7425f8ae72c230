//! QUOTA (RFC 9208) with Python's imaplib and IMAPClient, and its enforcement: APPEND and
//! COPY over the limit answer NO [OVERQUOTA] (§4.3), SMTP RCPT to a full mailbox 452 4.2.2
//! (RFC 3463), and usage drops after EXPUNGE.

use tests::imap::{deliver, message, server};
use tests::{PASSWORD, Server, python_ok};

/// Sets an account's limit as an administrator does, with `postroom account quota` (another
/// process): it marks the directory changed, so the running server's RCPT check, which caches
/// limits, looks again.
fn set_quota(server: &Server, address: &str, bytes: Option<u64>) {
    let limit = bytes.map_or("none".to_string(), |b| b.to_string());
    server.ok(&["account", "quota", address, &limit]);
}

/// A message of about 3 KB (70-octet lines).
fn padded(id: &str) -> Vec<u8> {
    let mut m = message(id);
    for _ in 0..40 {
        m.extend_from_slice(&[b'x'; 68]);
        m.extend_from_slice(b"\r\n");
    }
    m
}

/// The bytes of all of an account's messages, summed from the database.
fn used(server: &Server, address: &str) -> u64 {
    server
        .sql(&format!(
            "SELECT coalesce(sum(m.size), 0) FROM messages m JOIN mailboxes x ON x.id = m.mailbox_id \
             JOIN accounts a ON a.id = x.account_id WHERE a.address = '{address}'"
        ))
        .parse()
        .expect("sum")
}

#[test]
fn getquotaroot_reports_usage_and_limit_in_kibibytes() {
    let server = server();
    deliver(&server, "alice@example.test", &message("q1@test"));
    set_quota(&server, "alice@example.test", Some(10 * 1024));
    let used_kib = used(&server, "alice@example.test").div_ceil(1024);
    let out = tests::imap::run_script(&server, "imap_quota_getquotaroot.py");
    tests::assert_lines(
        &out,
        &[
            "caps True True",
            &format!("root ('OK', [[b'\"INBOX\" \"\"'], [b'\"\" (STORAGE {used_kib} 10)']])"),
            &format!("quota ('OK', [b'\"\" (STORAGE {used_kib} 10)'])"),
            // Limits are the administrator's: SETQUOTA is refused (no QUOTASET, RFC 9208 §4.1).
            "setquota ('NO', [b'[NOPERM] quotas are set by the administrator'])",
            // A mailbox that does not exist has no quota root (imaplib repeats the text).
            "nobox ('NO', [[b'[NONEXISTENT] no such mailbox'], [b'[NONEXISTENT] no such mailbox']])",
            &format!("client Sent [''] [('', 'STORAGE', {used_kib}, 10)]"),
            // No limit: no quota root at all.
            "unlimited [] []",
        ],
    );
}

#[test]
fn append_and_copy_over_quota_fail_and_expunge_makes_room() {
    let server = server();
    deliver(&server, "alice@example.test", &padded("q2@test"));
    let used_now = used(&server, "alice@example.test");
    assert!(used_now > 3000);
    // Room for 100 more bytes: a second copy of the message does not fit.
    set_quota(&server, "alice@example.test", Some(used_now + 100));
    let out = tests::imap::run_script(&server, "imap_quota_over.py");
    let lines: Vec<&str> = out.lines().collect();
    tests::assert_lines(
        &out,
        &[
            // 1500 bytes do not fit in the 100 left: RFC 9208 §4.3 OVERQUOTA.
            "append ('NO', [b'[OVERQUOTA] the mailbox is full (storage quota exceeded)'])",
            "small OK",
            // A copy would double the message: over the limit, and nothing is copied.
            "copy ('NO', [b'[OVERQUOTA] the mailbox is full (storage quota exceeded)'])",
            "trash [b'\"Trash\" (MESSAGES 0)']",
            // MOVE keeps the account's usage as it was: allowed.
            "move OK",
        ],
    );
    // Only the small draft is left: its few bytes round up to 1 KiB; the big one fits now.
    let limit_kib = (used_now + 100) / 1024;
    assert_eq!(
        lines[5],
        format!("after [b'\"\" (STORAGE 1 {limit_kib})']"),
        "{out}"
    );
    assert_eq!(lines[6], "again OK", "{out}");
    assert!(used(&server, "alice@example.test") < used_now + 100);
}

#[test]
fn smtp_rcpt_to_a_full_mailbox_is_452_until_mail_is_expunged() {
    let server = server();
    deliver(&server, "alice@example.test", &message("q3@test"));
    let used_now = used(&server, "alice@example.test");
    set_quota(&server, "alice@example.test", Some(used_now));
    let out = python_ok(
        "imap_quota_full_rcpt.py",
        &[
            &server.addr("imap").port().to_string(),
            &server.smtp.port().to_string(),
            PASSWORD,
            &used_now.to_string(),
        ],
    );
    tests::assert_lines(
        &out,
        &[
            // At the limit: RFC 3463 4.2.2 mailbox full, a temporary failure the sender retries.
            "full (452, b'4.2.2 Mailbox full, try again later')",
            "other (250, b'2.1.5 Recipient OK')",
            "room (250, b'2.1.5 Recipient OK')",
            // More than the whole limit declared: cannot fit.
            "declared (452, b'4.2.2 Mailbox full, try again later')",
        ],
    );
    assert_eq!(used(&server, "alice@example.test"), 0);
}
