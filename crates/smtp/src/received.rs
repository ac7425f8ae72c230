//! The Received header (RFC 5321 §4.4) with the WITH protocol names of RFC 3848 and RFC 6531
//! §3.7.3.

use proto::smtp::Path;

use crate::session::{Session, Transaction};

/// `Received: from HELO ([IP]) by HOST (Postroom) with PROTO id ID for <RCPT>; DATE` folded
/// over lines, CRLF-terminated.
pub(crate) fn header(session: &Session, tx: &Transaction, id: &str) -> String {
    let helo = session.helo.as_deref().unwrap_or("unknown");
    let ip = match session.peer.ip() {
        std::net::IpAddr::V4(v4) => v4.to_string(),
        std::net::IpAddr::V6(v6) => format!("IPv6:{v6}"),
    };
    let utf8 = tx.params.smtputf8 || matches!(&tx.from, Path::Mailbox(a) if !a.is_ascii());
    let mut proto = String::from(match (utf8, session.esmtp) {
        (true, _) => "UTF8SMTP",
        (false, true) => "ESMTP",
        (false, false) => "SMTP",
    });
    if session.tls_info.is_some() {
        proto.push('S');
    }
    if session.auth.is_some() {
        proto.push('A');
    }
    let mut h = format!(
        "Received: from {helo} ([{ip}])\r\n\tby {} (Postroom)",
        session.hostname()
    );
    if let Some(tls) = &session.tls_info {
        h.push_str(&format!("\r\n\t(using {tls})"));
    }
    h.push_str(&format!("\r\n\twith {proto} id {id}"));
    // Naming the recipient only when there is one, so other recipients are not disclosed.
    if tx.rcpt_count == 1
        && let Some(rcpt) = &tx.first_rcpt
    {
        h.push_str(&format!("\r\n\tfor <{rcpt}>"));
    }
    h.push_str(&format!(";\r\n\t{}\r\n", rfc5322_date()));
    h
}

/// The current time as an RFC 5322 §3.3 date-time in UTC.
fn rfc5322_date() -> String {
    let now = time::OffsetDateTime::now_utc();
    let format = time::macros::format_description!(
        "[weekday repr:short], [day padding:none] [month repr:short] [year] [hour]:[minute]:[second] +0000"
    );
    now.format(&format)
        .unwrap_or_else(|_| "Thu, 1 Jan 1970 00:00:00 +0000".to_string())
}
