//! The Received header (RFC 5321 §4.4) with the WITH protocol names of RFC 3848 and RFC 6531
//! §3.7.3.

use proto::smtp::Path;

use crate::session::{Session, Transaction};

/// `Received: from HELO ([IP]) by HOST (Postroom) with PROTO id ID for <RCPT>; DATE` folded
/// over lines, CRLF-terminated, appended to `out` (the start of the stored message).
pub(crate) fn write_header(session: &Session, tx: &Transaction, id: &str, out: &mut Vec<u8>) {
    use std::io::Write;
    let helo = session
        .state
        .greeting()
        .map_or("unknown", |g| g.helo.as_str());
    let utf8 = tx.params.smtputf8 || matches!(&tx.from, Path::Mailbox(a) if !a.is_ascii());
    let proto = match (utf8, session.esmtp()) {
        (true, _) => "UTF8SMTP",
        (false, true) => "ESMTP",
        (false, false) => "SMTP",
    };
    // RFC 3848: ESMTPS, ESMTPA, ESMTPSA.
    let s = if session.shell.tls_info().is_some() {
        "S"
    } else {
        ""
    };
    let a = if session.auth().is_some() { "A" } else { "" };
    // Writing into a Vec cannot fail.
    let _ = match session.peer.ip() {
        std::net::IpAddr::V4(v4) => write!(out, "Received: from {helo} ([{v4}])"),
        std::net::IpAddr::V6(v6) => write!(out, "Received: from {helo} ([IPv6:{v6}])"),
    };
    let _ = write!(out, "\r\n\tby {} (Postroom)", session.hostname());
    if let Some(tls) = session.shell.tls_info() {
        let _ = write!(out, "\r\n\t(using {tls})");
    }
    let _ = write!(out, "\r\n\twith {proto}{s}{a} id {id}");
    // Naming the recipient only when there is one, so other recipients are not disclosed.
    if tx.rcpt_count == 1
        && let Some(rcpt) = &tx.first_rcpt
    {
        let _ = write!(out, "\r\n\tfor <{rcpt}>");
    }
    let _ = write!(out, ";\r\n\t");
    write_date(out);
    out.extend_from_slice(b"\r\n");
}

/// The current time as an RFC 5322 §3.3 date-time in UTC.
fn write_date(out: &mut Vec<u8>) {
    let now = time::OffsetDateTime::now_utc();
    let format = time::macros::format_description!(
        "[weekday repr:short], [day padding:none] [month repr:short] [year] [hour]:[minute]:[second] +0000"
    );
    let start = out.len();
    if now.format_into(out, &format).is_err() {
        out.truncate(start);
        out.extend_from_slice(b"Thu, 1 Jan 1970 00:00:00 +0000");
    }
}
