//! Sender authentication on port 25: SPF at MAIL FROM (RFC 7208), DKIM (RFC 6376), ARC
//! (RFC 8617), DMARC policy (RFC 7489 §6.6.4), the anti-spoofing rule for our own domains,
//! and the Authentication-Results field (RFC 8601) with forged ones removed (§5). The
//! senders' records are served by dnsmasq; messages are signed and ARC-sealed by dkimpy and
//! sent by smtplib from 127.0.0.1. Every refusal is a 550 5.7.1 at the end of DATA whose
//! text says why.

use std::path::Path;
use std::time::Duration;

use serde_json::{Value, json};
use tests::peers::{Dnsmasq, NO_OTHER_NAMES, Postfix, free_port, txt_record};
use tests::{Options, PASSWORD, Server, python_ok, wait_until};

/// dnsmasq with the test domains' records, the server resolving through it, and the keys.
struct World {
    server: Server,
    keys: tempfile::TempDir,
    _dns: Dnsmasq,
}

/// `trust_mail.py key`: a new RSA key in `dir/name.pem`; its `p=` value.
fn new_key(dir: &Path, name: &str) -> String {
    let path = dir.join(format!("{name}.pem"));
    python_ok(
        "trust_mail.py",
        &["key", path.to_str().expect("utf-8 path")],
    )
    .trim()
    .to_string()
}

impl World {
    /// The domains:
    /// - pass.test: SPF passes for 127.0.0.1, no DMARC record;
    /// - signed.test: SPF fails, DKIM key `sel`, DMARC p=reject (only DKIM can pass it);
    /// - fail.test: SPF fails, DMARC p=reject; quarantine.test and none.test likewise with
    ///   p=quarantine and p=none;
    /// - list.test: a mailing list that forwards; SPF passes, ARC key `arc`.
    fn start(extra_toml: &str) -> World {
        let keys = tempfile::tempdir().expect("tempdir");
        let signed = new_key(keys.path(), "signed");
        new_key(keys.path(), "wrong");
        let list = new_key(keys.path(), "list");
        let port = free_port(&["127.0.0.1"]);
        let mut records = vec![NO_OTHER_NAMES.to_string()];
        let mut txt = |name: &str, value: &str| records.push(txt_record(name, value));
        txt("pass.test", "v=spf1 ip4:127.0.0.1 -all");
        txt("list.test", "v=spf1 ip4:127.0.0.1 -all");
        txt(
            "arc._domainkey.list.test",
            &format!("v=DKIM1; k=rsa; p={list}"),
        );
        for (domain, policy) in [
            ("signed.test", "reject"),
            ("fail.test", "reject"),
            ("quarantine.test", "quarantine"),
            ("none.test", "none"),
        ] {
            txt(domain, "v=spf1 ip4:192.0.2.1 -all");
            txt(
                &format!("_dmarc.{domain}"),
                &format!("v=DMARC1; p={policy}"),
            );
        }
        txt(
            "sel._domainkey.signed.test",
            &format!("v=DKIM1; k=rsa; p={signed}"),
        );
        let dns = Dnsmasq::start(port, &records);
        let server = Server::with(Options {
            services: vec!["imap".into()],
            extra_toml: tests::checking_local_clients(&format!(
                "[dns]\nservers = [\"127.0.0.1:{port}\"]\n{extra_toml}"
            )),
            ..Options::default()
        });
        World {
            server,
            keys,
            _dns: dns,
        }
    }

    fn key(&self, name: &str) -> String {
        self.keys
            .path()
            .join(format!("{name}.pem"))
            .to_str()
            .expect("utf-8 path")
            .to_string()
    }

    /// Sends `spec` (see `fixtures/trust_mail.py`) to port 25 for alice, with defaults for
    /// what it leaves out; the reply to DATA (or to the command that refused).
    fn send(&self, id: &str, mail_from: &str, from: &str, mut spec: Value) -> (u64, String) {
        let defaults = json!({
            "port": self.server.smtp.port(),
            "helo": "sender.test",
            "mail_from": mail_from,
            "rcpt": "alice@example.test",
            "from": from,
            "id": id,
        });
        for (k, v) in defaults.as_object().expect("object") {
            spec.as_object_mut()
                .expect("object")
                .entry(k)
                .or_insert(v.clone());
        }
        let reply = tests::json(&python_ok("trust_mail.py", &["send", &spec.to_string()]));
        let code = reply["code"].as_u64().expect("code");
        (code, reply["text"].as_str().expect("text").to_string())
    }

    /// The message `id` as alice's IMAP client sees it in `mailbox`: its header section;
    /// `None` if it is not there.
    fn header_in(&self, mailbox: &str, id: &str) -> Option<String> {
        let port = self.server.addr("imap").port().to_string();
        let args = ["headers", &port, "alice@example.test", PASSWORD, mailbox];
        let headers = tests::json(&python_ok("trust_mail.py", &args));
        let wanted = format!("Message-ID: <{id}>");
        headers
            .as_array()
            .expect("list")
            .iter()
            .filter_map(Value::as_str)
            .find(|h| h.contains(&wanted))
            .map(str::to_string)
    }
}

fn assert_refused(reply: &(u64, String), why: &str) {
    assert_eq!(reply.0, 550, "{reply:?}");
    assert!(reply.1.starts_with("5.7.1 "), "{reply:?}");
    assert!(reply.1.contains(why), "{why} not in {reply:?}");
}

#[test]
fn a_valid_dkim_signature_passes_dmarc_reject_and_is_recorded() {
    let w = World::start("");
    let signer = json!([{"domain": "signed.test", "selector": "sel", "key": w.key("signed")}]);
    let id = "dkim-valid@signed.test";
    let reply = w.send(
        id,
        "news@signed.test",
        "news@signed.test",
        json!({"dkim": signer}),
    );
    assert_eq!(reply.0, 250, "{reply:?}");
    let header = w.header_in("INBOX", id).expect("in INBOX");
    // RFC 8601 §2.2: our host as authserv-id, then each method's result.
    for needle in [
        "Authentication-Results: mx.example.test;",
        "dkim=pass header.i=@signed.test header.s=sel",
        "spf=fail",
        "dmarc=pass header.from=signed.test",
        "X-Spam-Status: No,",
        "DKIM_VALID",
    ] {
        assert!(header.contains(needle), "{needle} not in {header}");
    }
}

#[test]
fn a_broken_body_hash_fails_dmarc_reject_with_550() {
    let w = World::start("");
    let signer = json!([{"domain": "signed.test", "selector": "sel", "key": w.key("signed")}]);
    let reply = w.send(
        "dkim-broken@signed.test",
        "news@signed.test",
        "news@signed.test",
        json!({"dkim": signer, "tamper": true}),
    );
    assert_refused(&reply, "signed.test's DMARC policy is reject");
    assert!(w.header_in("Junk", "dkim-broken@signed.test").is_none());
}

#[test]
fn a_signature_by_the_wrong_key_fails_dmarc_reject_with_550() {
    let w = World::start("");
    let signer = json!([{"domain": "signed.test", "selector": "sel", "key": w.key("wrong")}]);
    let reply = w.send(
        "dkim-wrong@signed.test",
        "news@signed.test",
        "news@signed.test",
        json!({"dkim": signer}),
    );
    assert_refused(&reply, "signed.test's DMARC policy is reject");
}

#[test]
fn spf_pass_and_spf_fail_senders() {
    let w = World::start("");
    // SPF passes, no DMARC record: delivered, recorded.
    let reply = w.send(
        "spf-pass@pass.test",
        "a@pass.test",
        "a@pass.test",
        json!({}),
    );
    assert_eq!(reply.0, 250, "{reply:?}");
    let header = w
        .header_in("INBOX", "spf-pass@pass.test")
        .expect("in INBOX");
    assert!(
        header.contains("spf=pass (mx.example.test: domain of a@pass.test designates 127.0.0.1"),
        "{header}"
    );
    // SPF fails (127.0.0.1 is not in -all's list) and DMARC says reject: refused.
    let reply = w.send(
        "spf-fail@fail.test",
        "a@fail.test",
        "a@fail.test",
        json!({}),
    );
    assert_refused(&reply, "fail.test's DMARC policy is reject");
}

#[test]
fn dmarc_quarantine_goes_to_junk_and_none_to_the_inbox() {
    let w = World::start("");
    let reply = w.send(
        "q@quarantine.test",
        "a@quarantine.test",
        "a@quarantine.test",
        json!({}),
    );
    assert_eq!(reply.0, 250, "{reply:?}");
    // The user's IMAP client sees it as a new message in Junk, not in INBOX.
    let header = w.header_in("Junk", "q@quarantine.test").expect("in Junk");
    assert!(header.contains("DMARC_QUARANTINE"), "{header}");
    assert!(header.contains("X-Spam-Status: Yes"), "{header}");
    assert!(w.header_in("INBOX", "q@quarantine.test").is_none());

    let reply = w.send("n@none.test", "a@none.test", "a@none.test", json!({}));
    assert_eq!(reply.0, 250, "{reply:?}");
    let header = w.header_in("INBOX", "n@none.test").expect("in INBOX");
    assert!(header.contains("dmarc=fail"), "{header}");
    assert!(
        header.contains("header.from=none.test policy.dmarc=none"),
        "{header}"
    );
    assert!(header.contains("DMARC_FAIL"), "{header}");
}

#[test]
fn an_arc_sealed_forward_of_dmarc_reject_mail_goes_to_junk_not_refused() {
    let w = World::start("");
    // signed.test's mail through list.test: the list's footer breaks the DKIM body hash,
    // MAIL FROM is the list's; the list's ARC seal says DKIM passed when it got it.
    let spec = json!({
        "dkim": [{"domain": "signed.test", "selector": "sel", "key": w.key("signed")}],
        "tamper": true,
        "arc": {"domain": "list.test", "selector": "arc", "key": w.key("list")},
    });
    let id = "arc@signed.test";
    let reply = w.send(id, "bounces@list.test", "news@signed.test", spec);
    assert_eq!(reply.0, 250, "{reply:?}");
    let header = w.header_in("Junk", id).expect("in Junk");
    assert!(header.contains("arc=pass"), "{header}");
    assert!(header.contains("DMARC_REJECT_ARC"), "{header}");
}

#[test]
fn a_spoof_of_our_own_domain_is_refused_with_a_readable_reason() {
    let w = World::start("");
    // The fake "boss" mail: From: our domain, sent from outside by a domain whose SPF
    // passes (its own, not ours).
    let reply = w.send(
        "boss@example.test",
        "attacker@pass.test",
        "\"The Boss\" <boss@example.test>",
        json!({}),
    );
    assert_refused(&reply, "is in our own domain example.test");
    assert!(reply.1.contains("neither SPF nor DKIM passes"), "{reply:?}");
}

#[test]
fn authenticated_and_relay_network_senders_are_not_checked() {
    let w = World::start("[relay]\nnetworks = [\"127.0.0.1/32\"]\n");
    // From a relay network: a From: in our domain and a DMARC reject domain both pass.
    for (id, from) in [
        ("relay-own@example.test", "boss@example.test"),
        ("relay-dmarc@fail.test", "a@fail.test"),
    ] {
        let reply = w.send(id, from, from, json!({}));
        assert_eq!(reply.0, 250, "{reply:?}");
        let header = w.header_in("INBOX", id).expect("in INBOX");
        assert!(!header.contains("Authentication-Results"), "{header}");
    }

    let w = World::start("");
    // After AUTH on the submission port: alice's own mail to herself is not checked either.
    let cert = w.server.cert_path();
    let spec = json!({
        "port": w.server.submission.port(),
        "auth": ["alice@example.test", PASSWORD],
        "cafile": cert.to_str().expect("utf-8 path"),
    });
    let id = "auth@example.test";
    let reply = w.send(id, "alice@example.test", "alice@example.test", spec);
    assert_eq!(reply.0, 250, "{reply:?}");
    let header = w.header_in("INBOX", id).expect("in INBOX");
    assert!(!header.contains("Authentication-Results"), "{header}");
}

#[test]
fn forged_authentication_results_claiming_our_host_are_removed() {
    let w = World::start("");
    let forged = json!([
        "Authentication-Results: mx.example.test; dkim=pass header.d=bank.test; dmarc=pass",
        "Authentication-Results: (spoofed) MX.EXAMPLE.TEST;\r\n spf=pass",
        "Authentication-Results: relay.other.test; spf=pass",
    ]);
    // In memory, and spooled (past 1 MiB, the store reads the file with the new start).
    for (id, pad) in [("ar-small@pass.test", 0), ("ar-large@pass.test", 1_200_000)] {
        let spec = json!({"headers": forged, "pad": pad});
        let reply = w.send(id, "a@pass.test", "a@pass.test", spec);
        assert_eq!(reply.0, 250, "{reply:?}");
        let header = w.header_in("INBOX", id).expect("in INBOX");
        let ours = header
            .to_ascii_lowercase()
            .matches("authentication-results: mx.example.test;")
            .count();
        assert_eq!(ours, 1, "{header}");
        assert!(header.contains("smtp.mailfrom=a@pass.test"), "{header}");
        assert!(!header.contains("header.d=bank.test"), "{header}");
        assert!(!header.contains("(spoofed)"), "{header}");
        assert!(header.contains("relay.other.test; spf=pass"), "{header}");
    }
    // The large one was stored whole: the body's last line is there.
    let mbox = w.server.export("alice@example.test");
    assert!(
        mbox.contains("Subject: ar-large@pass.test"),
        "large message missing"
    );
}

#[test]
fn a_dns_server_that_does_not_answer_never_refuses() {
    // Nothing listens on this port: every lookup runs out of `dns_budget_ms`.
    let port = free_port(&["127.0.0.1"]);
    let server = Server::with(Options {
        services: vec!["imap".into()],
        extra_toml: tests::checking_local_clients(&format!(
            "[dns]\nservers = [\"127.0.0.1:{port}\"]\n[filter]\ndns_budget_ms = 300\n"
        )),
        ..Options::default()
    });
    let spec = json!({
        "port": server.smtp.port(),
        "helo": "sender.test",
        "mail_from": "a@fail.test",
        "rcpt": "alice@example.test",
        "from": "boss@example.test",
        "id": "dns-down@fail.test",
    });
    let reply = tests::json(&python_ok("trust_mail.py", &["send", &spec.to_string()]));
    assert_eq!(reply["code"], 250, "{reply}");
    let mbox = server.export("alice@example.test");
    assert!(mbox.contains("SPF_TEMPERROR"), "{mbox}");
    assert!(mbox.contains("SPOOF_UNVERIFIED"), "{mbox}");
}

#[test]
fn mail_relayed_by_postfix_is_checked_and_postfix_reads_the_refusal() {
    let w = World::start("");
    // A private Postfix that relays everything to us ([] in relayhost: no DNS lookup, so
    // its bounces come to us too, never to the Internet).
    let port = free_port(&["127.0.0.1"]);
    let postfix = Postfix::start(
        "127.0.0.1",
        port,
        "relay.test",
        &[],
        &format!(
            "relayhost = [127.0.0.1]:{}\n\
             smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination\n",
            w.server.smtp.port()
        ),
    );
    let via_postfix = |id: &str, sender: &str| {
        let reply = w.send(id, sender, sender, json!({"port": port}));
        assert_eq!(reply.0, 250, "Postfix queued it: {reply:?}");
    };
    // SPF of pass.test names 127.0.0.1, where Postfix connects from.
    via_postfix("postfix-pass@pass.test", "a@pass.test");
    let header = tests::wait_for(Duration::from_secs(60), "the relayed message", || {
        w.header_in("INBOX", "postfix-pass@pass.test")
    });
    assert!(header.contains("by mx.example.test"), "{header}");
    assert!(header.contains("from mx.relay.test"), "{header}");
    assert!(header.contains("spf=pass"), "{header}");
    // fail.test's DMARC reject: refused at the end of DATA, and Postfix logs why.
    via_postfix("postfix-fail@fail.test", "a@fail.test");
    wait_until(
        Duration::from_secs(60),
        "Postfix to log the refusal",
        || {
            postfix
                .maillog()
                .contains("550 5.7.1 Message refused: fail.test's DMARC policy is reject")
        },
    );
    assert!(w.header_in("INBOX", "postfix-fail@fail.test").is_none());
    assert!(w.header_in("Junk", "postfix-fail@fail.test").is_none());
}

/// The office's own network (a scan-to-mail copier at a private address, here loopback)
/// sends as the office's domain with neither SPF nor DKIM: by default its mail is not
/// checked at all (no spoof refusal, no verdict headers), as `[relay] networks` is not.
#[test]
fn mail_from_the_offices_own_network_is_not_checked_by_default() {
    let server = Server::start();
    let mut c = tests::SmtpConn::connect(server.smtp);
    assert!(c.cmd("EHLO copier").starts_with("250"));
    assert!(c.cmd("MAIL FROM:<scanner@example.test>").starts_with("250"));
    assert!(c.cmd("RCPT TO:<alice@example.test>").starts_with("250"));
    let message = "From: Scanner <scanner@example.test>\r\nTo: alice@example.test\r\n\
                   Subject: Scan 0042\r\nMessage-ID: <scan42@copier>\r\n\r\nscan\r\n.\r\n";
    c.data(message.as_bytes(), "250");
    let mbox = server.mbox_with("alice@example.test", &["<scan42@copier>"]);
    assert!(!mbox.contains("Authentication-Results:"), "{mbox}");
    assert!(!mbox.contains("X-Spam-Status:"), "{mbox}");
}
