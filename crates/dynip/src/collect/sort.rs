//! Who gets a collected message, and the message as stored: trace headers added, line ends
//! made CRLF.
//!
//! A job with `account = ...` delivers everything to that address (resolved like an SMTP
//! recipient, so an alias works too). A domain mailbox (`mode = "domain"`) sorts each
//! message: first the envelope recipients that the ISP recorded (Delivered-To,
//! X-Original-To), then, if none of those is ours, the To and Cc addresses; every local
//! account they resolve to (aliases, lists and catch-alls included) gets the message once.
//! Outside addresses (and the forwards of aliases) are ignored: collected mail is never sent
//! on. Nothing local (e.g. a Bcc with no envelope header): the fallback account.

use config::{Collect, CollectTarget};
use mail_parser::{HeaderName, MessageParser};
use store::{AccountId, Resolution, Store};

use super::CollectError;

/// The local accounts `address` resolves to (none when it is not ours).
async fn local_accounts(store: &Store, address: &str) -> Result<Vec<AccountId>, CollectError> {
    Ok(match store.resolve(address).await? {
        Resolution::Deliver { accounts, .. } => accounts,
        Resolution::NotLocal | Resolution::Unknown => Vec::new(),
    })
}

/// The accounts of the job's `account` or `fallback`: it must be a local address.
pub(crate) async fn target_accounts(
    store: &Store,
    job: &Collect,
) -> Result<Vec<AccountId>, CollectError> {
    let address = match &job.target {
        CollectTarget::Account(a) => a,
        CollectTarget::Domain { fallback } => fallback,
    };
    let accounts = local_accounts(store, address).await?;
    if accounts.is_empty() {
        return Err(CollectError::Account(address.clone()));
    }
    Ok(accounts)
}

/// The recipients of one message of a domain mailbox; `fallback` when nobody local is named.
pub(crate) async fn recipients(
    store: &Store,
    message: &[u8],
    fallback: &[AccountId],
) -> Result<Vec<AccountId>, CollectError> {
    let (envelope, visible) = header_addresses(message);
    for addresses in [envelope, visible] {
        let mut accounts = Vec::new();
        for address in addresses {
            for account in local_accounts(store, &address).await? {
                if !accounts.contains(&account) {
                    accounts.push(account);
                }
            }
        }
        if !accounts.is_empty() {
            return Ok(accounts);
        }
    }
    Ok(fallback.to_vec())
}

/// (Delivered-To and X-Original-To addresses, To and Cc addresses), lowercase.
fn header_addresses(message: &[u8]) -> (Vec<String>, Vec<String>) {
    let Some(parsed) = MessageParser::new().parse_headers(message) else {
        return (Vec::new(), Vec::new());
    };
    let mut envelope = Vec::new();
    for name in ["Delivered-To", "X-Original-To"] {
        for value in parsed.header_values(name) {
            if let Some(text) = value.as_text() {
                envelope.extend(
                    text.split(',')
                        .map(bare_address)
                        .filter(|a| a.contains('@')),
                );
            }
        }
    }
    let mut visible = Vec::new();
    for name in [HeaderName::To, HeaderName::Cc] {
        for value in parsed.header_values(name) {
            if let Some(address) = value.as_address() {
                visible.extend(
                    address
                        .iter()
                        .filter_map(|a| a.address())
                        .map(|a| a.trim().to_ascii_lowercase()),
                );
            }
        }
    }
    (envelope, visible)
}

/// `<a@b>` or `a@b` → `a@b`, lowercase.
fn bare_address(text: &str) -> String {
    let text = text.trim();
    let text = match (text.find('<'), text.rfind('>')) {
        (Some(open), Some(close)) if open < close => &text[open + 1..close],
        _ => text,
    };
    text.trim().to_ascii_lowercase()
}

/// The message as stored: `Received` (RFC 5321 §4.4) and `X-Postroom-Collected` naming the
/// job and the remote id, then the message with every line end CRLF. Also the envelope
/// sender, from Return-Path (empty when there is none).
pub(crate) fn stored_message(
    job: &Collect,
    hostname: &str,
    remote_id: &str,
    message: &[u8],
    date: &str,
) -> (Vec<u8>, String) {
    let proto = match (job.protocol, job.tls) {
        (config::CollectProtocol::Pop3, config::CollectTls::None) => "POP3",
        (config::CollectProtocol::Pop3, _) => "POP3S",
        (config::CollectProtocol::Imap, config::CollectTls::None) => "IMAP",
        (config::CollectProtocol::Imap, _) => "IMAPS",
    };
    let mut out = format!(
        "Received: from {} by {hostname} (Postroom)\r\n\twith {proto} (collected);\r\n\t{date}\r\n\
         X-Postroom-Collected: {} id {remote_id}\r\n",
        job.host,
        job.label()
    )
    .into_bytes();
    out.reserve(message.len() + message.len() / 50);
    let mut previous = 0u8;
    for &b in message {
        if b == b'\n' && previous != b'\r' {
            out.push(b'\r');
        }
        out.push(b);
        previous = b;
    }
    if !out.ends_with(b"\r\n") {
        out.extend_from_slice(b"\r\n");
    }
    let sender = MessageParser::new()
        .parse_headers(message)
        .and_then(|m| {
            m.header_values("Return-Path")
                .find_map(|v| v.as_text().map(bare_address))
        })
        .unwrap_or_default();
    (out, sender)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelope_and_visible_addresses_are_told_apart() {
        let message = b"Delivered-To: <Alice@Example.test>\r\nX-Original-To: bob@example.test\r\n\
            To: \"Carol\" <carol@example.test>, dave@example.test\r\nCc: eve@other.test\r\n\
            Subject: hi\r\n\r\nbody\r\n";
        let (envelope, visible) = header_addresses(message);
        assert_eq!(envelope, ["alice@example.test", "bob@example.test"]);
        assert_eq!(
            visible,
            ["carol@example.test", "dave@example.test", "eve@other.test"]
        );
    }

    #[test]
    fn stored_messages_get_trace_headers_and_crlf_line_ends() {
        let job = super::super::sample_job();
        let (stored, sender) = stored_message(
            &job,
            "mx.example.test",
            "uidl-1",
            b"Return-Path: <s@remote.test>\nSubject: x\n\nline\r\nlast",
            "Fri, 27 Nov 2026 04:00:00 +0000",
        );
        let text = String::from_utf8(stored).expect("utf-8");
        assert!(text.starts_with("Received: from pop.isp.test by mx.example.test (Postroom)\r\n"));
        assert!(
            text.contains("X-Postroom-Collected: pop3://office@pop.isp.test:995 id uidl-1\r\n")
        );
        assert!(
            text.ends_with("Subject: x\r\n\r\nline\r\nlast\r\n"),
            "{text}"
        );
        assert_eq!(sender, "s@remote.test");
    }
}
