//! TLS: STLS on the pop3 port (RFC 2595 §4) and implicit TLS on pop3s (RFC 8314), both
//! verified against the server's generated certificate, and the STLS injection defence.

use tests::pop3::{deliver, message, server, stored};
use tests::{PASSWORD, python_ok};

#[test]
fn stls_with_certificate_verification_then_login_and_retr() {
    let server = server();
    deliver(&server, "alice@example.test", &message("tls@test"));
    let script = "pop3_stls_verify.py";
    let cert = server.cert_path();
    let out = python_ok(
        script,
        &[
            &server.addr("pop3").port().to_string(),
            cert.to_str().expect("path"),
            PASSWORD,
        ],
    );
    let lines: Vec<&str> = out.lines().collect();
    // From loopback, USER is offered before TLS too.
    assert_eq!(lines[0], "before True True", "{out}");
    assert!(lines[1].starts_with("+OK"), "{out}");
    // After STLS, STLS is no longer offered (RFC 2595 §4).
    assert_eq!(lines[2], "after False True ['PLAIN', 'LOGIN']", "{out}");
    assert_eq!(lines[3], "True", "{out}");
    assert_eq!(lines[4], "True", "{out}");
    assert!(lines[5].starts_with("+OK"), "{out}");
}

#[test]
fn pop3s_implicit_tls_verifies_and_retrieves_byte_exact() {
    let server = server();
    deliver(&server, "bob@example.test", &message("pop3s@test"));
    let stored = stored(&server, "bob@example.test", 1);
    let script = "pop3_stls_pop3s.py";
    let cert = server.cert_path();
    let out = tests::python_command(script)
        .args([
            &server.addr("pop3s").port().to_string(),
            cert.to_str().expect("path"),
            PASSWORD,
        ])
        .output()
        .expect("python3");
    tests::assert_success(&out);
    // poplib refuses STLS itself once TLS is on; what it printed comes first.
    let text = out.stdout;
    let body_at = text
        .windows(9)
        .position(|w| w == b"Received:")
        .expect("message in output");
    assert_eq!(&text[body_at..], stored.as_slice());
}

#[test]
fn curl_requires_tls_with_stls_and_verifies_the_certificate() {
    let server = server();
    deliver(&server, "alice@example.test", &message("curl-tls@test"));
    let stored = stored(&server, "alice@example.test", 1);
    let cert = server.cert_path();
    let out = std::process::Command::new("curl")
        .args([
            "-sS",
            "--max-time",
            "30",
            "--ssl-reqd",
            "--cacert",
            cert.to_str().expect("path"),
            "-u",
            &format!("alice@example.test:{PASSWORD}"),
            &format!("pop3://localhost:{}/1", server.addr("pop3").port()),
        ])
        .output()
        .expect("curl");
    tests::assert_success(&out);
    // --ssl-reqd: curl fails rather than log in without TLS.
    assert_eq!(out.stdout, stored);
}

#[test]
fn commands_pipelined_behind_stls_are_discarded() {
    let server = server();
    let out = tests::pop3::run_script(&server, "pop3_stls_pipelined.py");
    tests::assert_lines(
        &out,
        &[
            "+OK",
            "+OK Begin TLS negotiation",
            "-ERR send USER first",
            // Still in AUTHORIZATION.
            "-ERR log in first",
        ],
    );
    assert!(
        server
            .log()
            .contains("discarded input pipelined after STLS")
    );
}
