//! EHLO (RFC 5321 §4.1.1.1): the extensions advertised on port 25, seen by Python's smtplib.

use tests::{Server, python};

#[test]
fn the_server_answers_python_with_all_advertised_extensions() {
    let server = Server::start();
    let out = python("smtp_ehlo.py", &[&server.smtp.port().to_string()]);
    let text = String::from_utf8_lossy(&out.stdout);
    tests::assert_contains_all(
        &text,
        &[
            "PIPELINING",
            "SIZE",
            "8BITMIME",
            "SMTPUTF8",
            "ENHANCEDSTATUSCODES",
            "STARTTLS",
            "CHUNKING",
            "DSN",
        ],
    );
    // AUTH only once the channel is encrypted.
    assert!(!text.contains("AUTH"), "{text}");
}
