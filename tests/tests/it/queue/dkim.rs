//! DKIM: mail from our domains leaves signed with the key made at `domain add`, and an
//! independent verifier (dkimpy, with the public key served by dnsmasq as the record
//! `postroom domain dns` prints) accepts the signature.

use std::time::Duration;

use tests::peers::{Dnsmasq, Peer, free_port, message, server, submit, txt_record};
use tests::python_ok;

/// dkimpy's verifier, resolving through dnspython at 127.0.0.1:port.
const VERIFY: &str = "queue_dkim_verify.py";

#[test]
fn signed_mail_verifies_with_dkimpy_against_the_published_key() {
    let port = free_port(&["127.0.0.1", "127.0.0.41"]);
    let peer = Peer::start("127.0.0.41", port, &[]);
    // The key exists once the server's fixture has added example.test.
    let server = server(port, port, "", "");
    let dns_out = server.ok(&["domain", "dns", "example.test"]);
    let line = dns_out
        .lines()
        .find(|l| l.starts_with("postroom._domainkey.example.test."))
        .unwrap_or_else(|| panic!("no DKIM record in:\n{dns_out}"));
    // Zone-file strings ("..." "...") joined back into one value.
    let value: String = line
        .split('"')
        .skip(1)
        .step_by(2)
        .collect::<Vec<_>>()
        .concat();
    assert!(value.starts_with("v=DKIM1; k=rsa; p="), "{value}");
    tests::assert_contains_all(
        &dns_out,
        &[
            "IN MX   10 mx.example.test.",
            "v=spf1 mx -all",
            "_dmarc.example.test.",
        ],
    );
    let _dns = Dnsmasq::start(
        port,
        &[
            "--mx-host=dkim.test,mx.dkim.test,10".into(),
            "--host-record=mx.dkim.test,127.0.0.41".into(),
            txt_record("postroom._domainkey.example.test", &value),
        ],
    );
    submit(
        &server,
        "alice@example.test",
        &["ivy@dkim.test"],
        &message(
            "Alice <alice@example.test>",
            "ivy@dkim.test",
            "dkim-1@test",
            "signed",
        ),
        &[],
        &[],
    );
    let got = peer.wait_messages(1, Duration::from_secs(30));
    let content = &got[0].1;
    assert!(content.starts_with("DKIM-Signature:"), "{content}");
    assert!(
        content.contains("d=example.test") && content.contains("s=postroom"),
        "{content}"
    );
    let path = peer.dir.path().join("msg-1.eml");
    let out = python_ok(VERIFY, &[&port.to_string(), path.to_str().expect("path")]);
    assert_eq!(out.trim(), "verified", "dkimpy: {out}");
    // Tampering breaks it: the verifier is really checking.
    let tampered = content.replace("Subject: signed", "Subject: changed");
    let bad = peer.dir.path().join("tampered.eml");
    std::fs::write(&bad, tampered).expect("write");
    let out = python_ok(VERIFY, &[&port.to_string(), bad.to_str().expect("path")]);
    assert_eq!(out.trim(), "FAILED");
}
