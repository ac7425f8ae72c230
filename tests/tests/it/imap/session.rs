//! A mail client's session over IMAP with Python's imaplib (an independent implementation):
//! LOGIN, LIST with special-use, SELECT, FETCH byte-exact, \Seen, STORE, SEARCH (Chinese
//! included), APPEND with APPENDUID, COPY/MOVE with COPYUID, EXPUNGE; and curl imap://.

use tests::imap::{deliver, message, server, stored};
use tests::{PASSWORD, python_ok};

#[test]
fn login_list_select_fetch_flags_and_search() {
    let server = server();
    deliver(&server, "alice@example.test", &message("one@test"));
    let chinese = "From: =?UTF-8?B?5byg5LiJ?= <zhang@outside.test>\r\nTo: alice@example.test\r\nSubject: =?UTF-8?B?5Lya6K6u6YCa55+l?=\r\nMessage-ID: <two@test>\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n5piO5aSp5LiK5Y2I5Y2B54K55byA5LyaCg==\r\n";
    deliver(&server, "alice@example.test", chinese.as_bytes());
    let first = stored(&server, "alice@example.test", 1);
    let out = python_ok(
        "imap_session_read.py",
        &[
            &server.addr("imap").port().to_string(),
            PASSWORD,
            write(&server, "expected.eml", &first).as_str(),
        ],
    );
    tests::assert_lines(
        &out,
        &[
            "caps True",
            "OK",
            r#"list ['(\\HasNoChildren \\Drafts) "/" "Drafts"', '(\\HasNoChildren \\Junk) "/" "Junk"', '(\\HasNoChildren \\Sent) "/" "Sent"', '(\\HasNoChildren \\Trash) "/" "Trash"', '(\\HasNoChildren) "/" "INBOX"']"#,
            "select OK [b'2']",
            "uidvalidity True",
            r#"peek b'Subject: one@test\r\n\r\n' b' FLAGS (\\Recent))'"#,
            "exact True",
            r#"flags b'1 (FLAGS (\\Recent \\Seen))'"#,
            "envelope True",
            r#"store [b'2 (FLAGS (\\Recent \\Flagged))']"#,
            "unseen [b'2']",
            "flagged [b'2']",
            "chinese [b'2']",
            "body [b'2']",
            "from [b'1']",
            "none [b'']",
        ],
    );
}

#[test]
fn append_copy_move_and_expunge_between_folders() {
    let server = server();
    deliver(&server, "bob@example.test", &message("a@test"));
    deliver(&server, "bob@example.test", &message("b@test"));
    let out = tests::imap::run_script(&server, "imap_session_folders.py");
    tests::assert_lines(
        &out,
        &[
            "append OK b'[APPENDUID v 1] APPEND completed'",
            "appended True True",
            // No such folder: NO [TRYCREATE] (RFC 9051 §6.3.12).
            "trycreate NO [b'[TRYCREATE] no such mailbox']",
            "create OK OK",
            "names ['\"&XfJT0ZAB-\"', '\"Archive/2024\"', '\"Drafts\"', '\"INBOX\"', '\"Junk\"', '\"Sent\"', '\"Trash\"']",
            "copy OK b'[COPYUID v 1 1] COPY completed'",
            "move OK b'[COPYUID v 2 2] moved'",
            "expunged [b'2']",
            "status [b'\"Archive/2024\" (MESSAGES 2 UIDNEXT 3 UNSEEN 2)']",
            "expunge OK [b'1']",
            "left [b'1']",
            "inbox [b'\"INBOX\" (MESSAGES 1)']",
        ],
    );
}

#[test]
fn curl_lists_and_fetches_over_imap() {
    let server = server();
    deliver(&server, "dave@example.test", &message("curl@test"));
    let url = format!(
        "imap://127.0.0.1:{}/INBOX/;UID=1",
        server.addr("imap").port()
    );
    let out = tests::run_ok(
        std::process::Command::new("curl")
            .args(["-s", "--max-time", "20", "-u"])
            .arg(format!("dave@example.test:{PASSWORD}"))
            .arg(&url),
        "curl",
    );
    let body = String::from_utf8_lossy(&out.stdout);
    assert!(body.contains("Message-ID: <curl@test>"), "{body}");
}

/// Writes `data` into the server's directory; returns the path.
fn write(server: &tests::Server, name: &str, data: &[u8]) -> String {
    let path = server.data_dir().join(name);
    std::fs::write(&path, data).expect("write");
    path.to_string_lossy().into_owned()
}
