//! NOOP (RFC 9051 §6.1.2) and CHECK (RFC 3501 §6.4.1): both report what changed.

use crate::{Imap, MAIL, Setup};

#[tokio::test]
async fn noop_reports_new_mail_in_the_selected_mailbox() {
    let (imap, mut conn) = Imap::inbox().await;
    imap.bed.deliver(&[imap.bed.alice], MAIL[0]).await;
    conn.ok("NOOP", "NOOP completed").await.has("4 EXISTS");
}

#[tokio::test]
async fn noop_before_login_completes() {
    let (_imap, mut conn) = Imap::anonymous().await;
    let done = conn.cmd("NOOP").await;
    done.ok_with("NOOP completed");
    assert!(done.untagged.is_empty());
}

#[tokio::test]
async fn check_reports_what_another_session_expunged() {
    let (imap, mut conn) = Imap::inbox().await;
    let mut other = imap.select("INBOX").await;
    other.cmd("STORE 1 +FLAGS.SILENT (\\Deleted)").await;
    other.ok("EXPUNGE", "EXPUNGE completed").await;
    conn.ok("CHECK", "NOOP completed").await.has("1 EXPUNGE");
}

// Each case starts from a fresh session of its own (`check` in main.rs).
cases! {
    (
        Setup::Anonymous,
        "noop with an argument is bad",
        "NOOP please",
        "BAD syntax error: unexpected characters at the end of the command",
    ),
}
