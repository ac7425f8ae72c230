//! One message over an open connection: MAIL, RCPT for each recipient, then DATA or BDAT
//! (RFC 5321 §3.3, PIPELINING of RFC 2920, CHUNKING of RFC 3030), with SIZE (RFC 1870),
//! BODY=8BITMIME (RFC 6152), SMTPUTF8 (RFC 6531) and the DSN parameters (RFC 3461).
//!
//! What the peer cannot take as it is (8-bit content without 8BITMIME, UTF-8 addresses
//! without SMTPUTF8, a message over its SIZE) fails with a clear reason instead of being
//! sent damaged.

use proto::smtp::{Response, encode_bdat, encode_data, is_8bit};

use crate::client::{
    COMMAND_TIMEOUT, ClientError, Connection, DATA_END_TIMEOUT, DATA_INIT_TIMEOUT,
};

/// One recipient as queued.
pub(crate) struct Rcpt<'a> {
    pub address: &'a str,
    pub notify: Option<&'a str>,
    pub orcpt: Option<&'a str>,
}

/// One message to send.
pub(crate) struct Envelope<'a> {
    /// Empty for the null reverse-path.
    pub from: &'a str,
    pub rcpts: Vec<Rcpt<'a>>,
    pub envid: Option<&'a str>,
    pub ret: Option<&'a str>,
    pub message: &'a [u8],
}

/// What happened to one recipient.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Verdict {
    Delivered(String),
    Deferred(String),
    Failed(String),
}

impl Verdict {
    /// From a reply: 2xx delivered, 4xx deferred, anything else failed.
    fn of(reply: &Response) -> Verdict {
        let text = reply.one_line();
        if reply.is_positive() {
            Verdict::Delivered(text)
        } else if reply.is_temporary() {
            Verdict::Deferred(text)
        } else {
            Verdict::Failed(text)
        }
    }

    fn of_error(e: &ClientError) -> Verdict {
        match e {
            ClientError::Refused(reply) => Verdict::of(reply),
            other => Verdict::Deferred(other.to_string()),
        }
    }
}

/// Sends `envelope`; one verdict per recipient, in order. `Err` means the connection is no
/// longer usable (the verdicts for that case are in the error's pair).
pub(crate) async fn send(
    conn: &mut Connection,
    envelope: &Envelope<'_>,
) -> Result<Vec<Verdict>, (Vec<Verdict>, ClientError)> {
    let all = |v: Verdict| vec![v; envelope.rcpts.len()];
    if let Some(reason) = unsendable(conn, envelope) {
        return Ok(all(Verdict::Failed(reason)));
    }
    if conn.needs_rset {
        match conn.command("RSET", COMMAND_TIMEOUT).await {
            Ok(r) if r.is_positive() => conn.needs_rset = false,
            Ok(r) => {
                let e = ClientError::Refused(r);
                return Err((all(Verdict::of_error(&e)), e));
            }
            Err(e) => return Err((all(Verdict::of_error(&e)), e)),
        }
    }
    let eight_bit = is_8bit(envelope.message);
    let mut mail = format!("MAIL FROM:<{}>", envelope.from);
    if conn.ext.size.is_some() {
        mail.push_str(&format!(" SIZE={}", envelope.message.len()));
    }
    if eight_bit {
        mail.push_str(" BODY=8BITMIME");
    }
    if needs_smtputf8(envelope) {
        mail.push_str(" SMTPUTF8");
    }
    if conn.ext.dsn {
        // RFC 3461 §4.3-4.4: pass RET and ENVID on to a server that takes them.
        if let Some(ret) = envelope.ret {
            mail.push_str(&format!(" RET={ret}"));
        }
        if let Some(envid) = envelope.envid {
            mail.push_str(&format!(" ENVID={}", xtext(envid)));
        }
    }
    let rcpt_lines: Vec<String> = envelope
        .rcpts
        .iter()
        .map(|r| {
            let mut line = format!("RCPT TO:<{}>", r.address);
            if conn.ext.dsn {
                if let Some(notify) = r.notify {
                    line.push_str(&format!(" NOTIFY={notify}"));
                }
                if let Some(orcpt) = r.orcpt {
                    line.push_str(&format!(" ORCPT={}", orcpt_param(orcpt)));
                }
            }
            line
        })
        .collect();

    // MAIL and every RCPT in one write when the peer pipelines (RFC 2920 §3.1).
    let replies = match mail_and_rcpts(conn, &mail, &rcpt_lines).await {
        Ok(replies) => replies,
        Err(e) => return Err((all(Verdict::of_error(&e)), e)),
    };
    let (mail_reply, rcpt_replies) = replies;
    if !mail_reply.is_positive() {
        conn.needs_rset = true;
        return Ok(all(Verdict::of(&mail_reply)));
    }
    let mut verdicts: Vec<Option<Verdict>> = rcpt_replies
        .iter()
        .map(|r| (!r.is_positive()).then(|| Verdict::of(r)))
        .collect();
    let accepted = verdicts.iter().filter(|v| v.is_none()).count();
    if accepted == 0 {
        conn.needs_rset = true;
        return Ok(verdicts.into_iter().flatten().collect());
    }
    let end = match body(conn, envelope.message).await {
        Ok(reply) => Verdict::of(&reply),
        Err(e) => {
            let verdict = Verdict::of_error(&e);
            let filled = verdicts
                .into_iter()
                .map(|v| v.unwrap_or_else(|| verdict.clone()))
                .collect();
            return match e {
                ClientError::Refused(_) => {
                    conn.needs_rset = true;
                    Ok(filled)
                }
                e => Err((filled, e)),
            };
        }
    };
    for v in &mut verdicts {
        if v.is_none() {
            *v = Some(end.clone());
        }
    }
    Ok(verdicts.into_iter().flatten().collect())
}

/// A reason the peer cannot take this message as it is, if there is one.
fn unsendable(conn: &Connection, envelope: &Envelope<'_>) -> Option<String> {
    if let Some(max) = conn.ext.size.filter(|max| *max > 0)
        && envelope.message.len() as u64 > max
    {
        return Some(format!(
            "552 5.3.4 The message ({} bytes) is larger than {} accepts ({max} bytes)",
            envelope.message.len(),
            conn.host
        ));
    }
    if is_8bit(envelope.message) && !conn.ext.eightbitmime {
        // RFC 6152 §3: 8-bit data must not go to a server without 8BITMIME; we do not
        // convert, so the sender hears why.
        return Some(format!(
            "554 5.6.3 The message has 8-bit content and {} does not accept it (no 8BITMIME)",
            conn.host
        ));
    }
    if needs_smtputf8(envelope) && !conn.ext.smtputf8 {
        return Some(format!(
            "553 5.6.7 The addresses need SMTPUTF8, which {} does not support",
            conn.host
        ));
    }
    None
}

/// RFC 6531 §3.4: UTF-8 in the envelope addresses.
fn needs_smtputf8(envelope: &Envelope<'_>) -> bool {
    !envelope.from.is_ascii() || envelope.rcpts.iter().any(|r| !r.address.is_ascii())
}

/// Sends MAIL and the RCPTs; their replies.
async fn mail_and_rcpts(
    conn: &mut Connection,
    mail: &str,
    rcpts: &[String],
) -> Result<(Response, Vec<Response>), ClientError> {
    if conn.ext.pipelining {
        let mut batch = format!("{mail}\r\n");
        for line in rcpts {
            batch.push_str(line);
            batch.push_str("\r\n");
        }
        conn.send(batch.as_bytes()).await?;
        let mail_reply = conn.read(COMMAND_TIMEOUT, "the MAIL reply").await?;
        let mut replies = Vec::with_capacity(rcpts.len());
        for _ in rcpts {
            replies.push(conn.read(COMMAND_TIMEOUT, "a RCPT reply").await?);
        }
        return Ok((mail_reply, replies));
    }
    let mail_reply = conn.command(mail, COMMAND_TIMEOUT).await?;
    if !mail_reply.is_positive() {
        return Ok((mail_reply, Vec::new()));
    }
    let mut replies = Vec::with_capacity(rcpts.len());
    for line in rcpts {
        replies.push(conn.command(line, COMMAND_TIMEOUT).await?);
    }
    Ok((mail_reply, replies))
}

/// The message by BDAT LAST when the peer has CHUNKING, else DATA; the final reply.
/// `Err(Refused)` is a refusal before the content went out (the connection is fine).
async fn body(conn: &mut Connection, message: &[u8]) -> Result<Response, ClientError> {
    if conn.ext.chunking {
        let mut content = Vec::new();
        encode_bdat(message, &mut content);
        let mut out = format!("BDAT {} LAST\r\n", content.len()).into_bytes();
        out.extend_from_slice(&content);
        conn.send(&out).await?;
        return conn.read(DATA_END_TIMEOUT, "the reply to BDAT").await;
    }
    let reply = conn.command("DATA", DATA_INIT_TIMEOUT).await?;
    if reply.code != 354 {
        return Err(ClientError::Refused(reply));
    }
    let mut content = Vec::new();
    encode_data(message, &mut content);
    conn.send(&content).await?;
    conn.read(DATA_END_TIMEOUT, "the reply after the message")
        .await
}

/// xtext (RFC 3461 §4): `+`, `=`, controls and non-ASCII as `+XX`.
fn xtext(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if (b'!'..=b'~').contains(&b) && b != b'+' && b != b'=' {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("+{b:02X}"));
        }
    }
    out
}

/// ORCPT=addr-type;xtext(address) (RFC 3461 §4.2).
fn orcpt_param(orcpt: &str) -> String {
    match orcpt.split_once(';') {
        Some((kind, address)) => format!("{kind};{}", xtext(address)),
        None => format!("rfc822;{}", xtext(orcpt)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xtext_escapes_plus_equals_and_spaces() {
        assert_eq!(xtext("a+b=c d"), "a+2Bb+3Dc+20d");
        assert_eq!(orcpt_param("rfc822;x+y@z.test"), "rfc822;x+2By@z.test");
    }
}
