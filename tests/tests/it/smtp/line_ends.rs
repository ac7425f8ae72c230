//! Bare LF line ends from sloppy senders (curl's `--upload-file` of a Unix text file, copiers,
//! PHP mailers): accepted and stored with CRLF, as Postfix's
//! `smtpd_forbid_bare_newline = normalize` does; only CRLF "." CRLF ends the data (the
//! smuggling variants are in `hostile.rs`).

use tests::{Server, SmtpConn};

/// The stored message (the one blob), as Python prints bytes: `\r` and `\n` escaped.
fn stored(server: &Server) -> String {
    server.sql("SELECT data FROM blobs")
}

/// Every line end in a stored message, as printed by [`stored`], is CRLF.
fn assert_crlf_only(printed: &str) {
    assert!(printed.contains("\\r\\n"), "{printed}");
    assert!(
        !printed.replace("\\r\\n", "").contains("\\n"),
        "a bare LF was stored: {printed}"
    );
}

#[test]
fn curl_upload_of_an_lf_only_file_is_delivered_with_crlf() {
    let server = Server::start();
    let file = server.data_dir().join("unix.txt");
    std::fs::write(
        &file,
        "From: Copier <scan@outside.test>\nTo: dave@example.test\nSubject: scan\nMessage-ID: <lf-1@test>\n\nfirst line\nsecond line\n",
    )
    .expect("write");
    let url = format!("smtp://{}/client.test", server.smtp);
    let out = std::process::Command::new("curl")
        .args(["-sS", "--url", &url, "--mail-from", "scan@outside.test"])
        .args(["--mail-rcpt", "dave@example.test", "--upload-file"])
        .arg(&file)
        .output()
        .expect("curl");
    tests::assert_success(&out);
    assert_eq!(server.message_ids("dave@example.test"), vec!["<lf-1@test>"]);
    let printed = stored(&server);
    assert_crlf_only(&printed);
    assert!(
        printed.contains("Subject: scan\\r\\nMessage-ID: <lf-1@test>\\r\\n\\r\\nfirst line\\r\\nsecond line\\r\\n"),
        "{printed}"
    );
}

#[test]
fn bdat_with_bare_line_feeds_is_stored_with_crlf() {
    let server = Server::start();
    let mut c = SmtpConn::connect(server.smtp);
    c.start_mail("bob@example.test");
    // RFC 3030: counted chunks; the LF of the first chunk's last line ends it, a CR at the
    // end of a chunk pairs with the next chunk's LF.
    let first = "Subject: b\nMessage-ID: <lf-bdat@test>\n\none\r";
    c.send(format!("BDAT {}\r\n{first}", first.len()).as_bytes());
    c.expect_reply("250");
    let last = "\ntwo\n";
    c.send(format!("BDAT {} LAST\r\n{last}", last.len()).as_bytes());
    c.expect_reply("250 2.0.0");
    assert_eq!(
        server.message_ids("bob@example.test"),
        vec!["<lf-bdat@test>"]
    );
    let printed = stored(&server);
    assert_crlf_only(&printed);
    assert!(
        printed.contains("\\r\\n\\r\\none\\r\\ntwo\\r\\n"),
        "{printed}"
    );
}

#[test]
fn bdat_with_a_bare_carriage_return_is_refused_550() {
    let server = Server::start();
    let mut c = SmtpConn::connect(server.smtp);
    c.start_mail("bob@example.test");
    let body = "Subject: b\r\nMessage-ID: <cr-bdat@test>\r\n\r\none\rtwo\r\n";
    c.send(format!("BDAT {} LAST\r\n{body}", body.len()).as_bytes());
    c.expect_reply("550 5.6.0");
    assert!(server.message_ids("bob@example.test").is_empty());
    // The server and the session go on.
    c.expect("NOOP", "250");
}
