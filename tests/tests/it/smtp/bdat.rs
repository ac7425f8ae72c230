//! CHUNKING / BDAT (RFC 3030) through smtplib.

use tests::{Server, SmtpConn, python_ok};

#[test]
fn bdat_chunks_are_joined_and_stored_byte_exact() {
    let server = Server::start();
    let out = python_ok("smtp_bdat_chunks.py", &[&server.smtp.port().to_string()]);
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines[0].starts_with("250"), "{out}");
    assert!(lines[1].starts_with("250"), "{out}");
    server.mbox_with(
        "alice@example.test",
        &["first part.\n.a line starting with a dot stays as is in BDAT\nend\n"],
    );
}

#[test]
fn bdat_with_zero_size_last_ends_the_message() {
    let server = Server::start();
    let mut c = SmtpConn::in_transaction(server.smtp, "bob@example.test");
    let body = "Subject: z\r\nMessage-ID: <bdat-0@test>\r\n\r\nx\r\n";
    c.send(format!("BDAT {}\r\n{body}", body.len()).as_bytes());
    c.expect_reply("250");
    c.expect("BDAT 0 LAST", "250 2.0.0");
    assert_eq!(
        server.message_ids("bob@example.test"),
        vec!["<bdat-0@test>"]
    );
}

#[test]
fn bdat_without_recipients_is_read_fully_and_refused() {
    let server = Server::start();
    let mut c = SmtpConn::greeted(server.smtp);
    c.cmd("MAIL FROM:<a@outside.test>");
    // The 12 octets must be consumed as data, not read as commands.
    c.send(b"BDAT 12 LAST\r\nQUIT\r\nQUIT\r\n");
    c.expect_reply("554");
    c.expect("NOOP", "250");
}

#[test]
fn data_after_bdat_is_refused() {
    let server = Server::start();
    let mut c = SmtpConn::in_transaction(server.smtp, "bob@example.test");
    c.send(b"BDAT 3\r\nabc");
    c.expect_reply("250");
    c.expect("DATA", "503");
}
