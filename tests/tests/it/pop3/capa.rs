//! CAPA (RFC 2449 §5): the capabilities of each state.

use tests::PASSWORD;
use tests::pop3::{Pop3, server};

#[test]
fn capa_lists_per_state_capabilities() {
    let server = server();
    let mut c = Pop3::connect(server.addr("pop3"));
    let before = c.expect_multi("CAPA");
    let before = String::from_utf8(before).expect("utf-8");
    for cap in [
        "TOP",
        "UIDL",
        "RESP-CODES",
        "AUTH-RESP-CODE",
        "PIPELINING",
        "USER",
        "SASL PLAIN LOGIN",
        "STLS",
        "IMPLEMENTATION Postroom",
    ] {
        assert!(before.lines().any(|l| l == cap), "{cap} missing: {before}");
    }
    c.expect("USER alice@example.test", "+OK");
    c.expect(&format!("PASS {PASSWORD}"), "+OK");
    let (_, after) = c.multi("CAPA");
    let after = String::from_utf8(after).expect("utf-8");
    // Logged in: nothing to log in or encrypt with (RFC 2449 §5).
    assert!(after.lines().any(|l| l == "UIDL"), "{after}");
    assert!(
        !after
            .lines()
            .any(|l| l == "USER" || l == "STLS" || l.starts_with("SASL")),
        "{after}"
    );
}
