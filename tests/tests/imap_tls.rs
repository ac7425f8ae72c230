//! TLS: STARTTLS on the imap port (RFC 9051 §6.2.1) and implicit TLS on imaps (RFC 8314),
//! both verified against the server's generated certificate; the STARTTLS injection defence.

mod imap_support;

use imap_support::{ImapConn, deliver, message, server};
use tests::{PASSWORD, python_ok};

#[test]
fn starttls_and_imaps_verify_the_certificate_then_fetch() {
    let server = server();
    deliver(&server, "alice@example.test", &message("tls@test"));
    let script = r#"
import imaplib, ssl, sys
port, sport, cafile, password = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
ctx = ssl.create_default_context(cafile=cafile)   # verifies the chain and the name
M = imaplib.IMAP4('localhost', port)
print('before', 'STARTTLS' in M.capabilities)
print(M.starttls(ssl_context=ctx)[0])
print('after', 'STARTTLS' in M.capabilities, 'AUTH=PLAIN' in M.capabilities)
M.login('alice@example.test', password)
M.select('INBOX', readonly=True)
typ, data = M.fetch('1', '(BODY[])')
print('fetch', b'<tls@test>' in data[0][1])
# EXAMINE is read-only: BODY[] does not set \Seen (RFC 9051 §6.3.3).
print('flags', M.fetch('1', '(FLAGS)')[1])
M.logout()
S = imaplib.IMAP4_SSL('localhost', sport, ssl_context=ctx)
print('imaps', S.sock.version().startswith('TLS'), 'STARTTLS' in S.capabilities)
# AUTHENTICATE PLAIN with an initial response (SASL-IR).
print(S.authenticate('PLAIN', lambda _: b'\0alice@example.test\0' + password.encode())[0])
S.logout()
"#;
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
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "before True", "{out}");
    assert_eq!(lines[1], "OK", "{out}");
    // After STARTTLS, STARTTLS is no longer offered.
    assert_eq!(lines[2], "after False True", "{out}");
    assert_eq!(lines[3], "fetch True", "{out}");
    assert_eq!(lines[4], "flags [b'1 (FLAGS ())']", "{out}");
    assert_eq!(lines[5], "imaps True False", "{out}");
    assert_eq!(lines[6], "OK", "{out}");
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
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !log_has_discard() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert!(log_has_discard(), "{}", server.log());
    assert!(!server.log().contains("logged in"), "{}", server.log());
}
