//! TLS: STARTTLS on the imap port (RFC 9051 §6.2.1) and implicit TLS on imaps (RFC 8314),
//! both verified against the server's generated certificate; the STARTTLS injection defence.

use tests::imap::{ImapConn, deliver, message, server};
use tests::{PASSWORD, python_ok};

#[test]
fn starttls_and_imaps_verify_the_certificate_then_fetch() {
    let server = server();
    deliver(&server, "alice@example.test", &message("tls@test"));
    let script = "imap_starttls_verify.py";
    let cert = server.cert_path();
    let out = python_ok(
        script,
        &[
            &server.addr("imap").port().to_string(),
            &server.addr("imaps").port().to_string(),
            cert.to_str().expect("path"),
            PASSWORD,
        ],
    );
    tests::assert_lines(
        &out,
        &[
            "before True",
            "OK",
            // After STARTTLS, STARTTLS is no longer offered.
            "after False True",
            "fetch True",
            "flags [b'1 (FLAGS (\\\\Recent))']",
            "imaps True False",
            "OK",
        ],
    );
}

#[test]
fn commands_pipelined_behind_starttls_are_discarded() {
    let server = server();
    let (mut c, _) = ImapConn::connect(server.addr("imap"));
    // An attacker in the middle appends a LOGIN in the clear behind STARTTLS.
    c.send(format!("a STARTTLS\r\nb LOGIN alice@example.test {PASSWORD}\r\n").as_bytes());
    assert_eq!(c.line(), "a OK Begin TLS negotiation now");
    // The server now waits for a TLS ClientHello; the injected LOGIN was thrown away and
    // is never answered in the clear.
    let log_has_discard = || {
        server
            .log()
            .contains("discarded input pipelined after STARTTLS")
    };
    let discarded = tests::poll_until(std::time::Duration::from_secs(10), log_has_discard);
    assert!(discarded, "{}", server.log());
    assert!(!server.log().contains("logged in"), "{}", server.log());
}
