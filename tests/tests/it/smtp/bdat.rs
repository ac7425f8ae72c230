//! CHUNKING / BDAT (RFC 3030) through smtplib.

use tests::{Server, SmtpConn, python_ok};

#[test]
fn bdat_chunks_are_joined_and_stored_byte_exact() {
    let server = Server::start();
    let script = "smtp_bdat_chunks.py";
    let out = python_ok(script, &[&server.smtp.port().to_string()]);
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines[0].starts_with("250"), "{out}");
    assert!(lines[1].starts_with("250"), "{out}");
    let mbox = server.export("alice@example.test");
    assert!(
        mbox.contains("first part.\n.a line starting with a dot stays as is in BDAT\nend\n"),
        "{mbox}"
    );
}

#[test]
fn bdat_with_zero_size_last_ends_the_message() {
    let server = Server::start();
    let mut c = SmtpConn::connect(server.smtp);
    c.start_mail("bob@example.test");
    let body = "Subject: z\r\nMessage-ID: <bdat-0@test>\r\n\r\nx\r\n";
    c.send(format!("BDAT {}\r\n{body}", body.len()).as_bytes());
    assert!(c.reply().starts_with("250"));
    let r = c.cmd("BDAT 0 LAST");
    assert!(r.starts_with("250 2.0.0"), "{r}");
    assert_eq!(
        server.message_ids("bob@example.test"),
        vec!["<bdat-0@test>"]
    );
}

#[test]
fn bdat_without_recipients_is_read_fully_and_refused() {
    let server = Server::start();
    let mut c = SmtpConn::connect(server.smtp);
    c.cmd("EHLO client.test");
    c.cmd("MAIL FROM:<a@outside.test>");
    // The 12 octets must be consumed as data, not read as commands.
    c.send(b"BDAT 12 LAST\r\nQUIT\r\nQUIT\r\n");
    let r = c.reply();
    assert!(r.starts_with("554"), "{r}");
    assert!(c.cmd("NOOP").starts_with("250"));
}

#[test]
fn data_after_bdat_is_refused() {
    let server = Server::start();
    let mut c = SmtpConn::connect(server.smtp);
    c.start_mail("bob@example.test");
    c.send(b"BDAT 3\r\nabc");
    assert!(c.reply().starts_with("250"));
    assert!(c.cmd("DATA").starts_with("503"));
}
