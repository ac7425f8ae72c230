//! Delivery status notifications (RFC 3464) as `multipart/report` (RFC 6522), built with
//! mail-builder: a short explanation, the machine-readable `message/delivery-status`, and
//! the original message (RET=FULL) or its headers (otherwise).
//!
//! A DSN is sent from the null reverse-path `<>` (RFC 5321 §4.5.5), so a DSN that cannot be
//! delivered never causes another one, and none is ever sent to `<>`.

use mail_builder::MessageBuilder;
use mail_builder::headers::date::Date;
use mail_builder::mime::MimePart;
use store::QueuedRecipient;
use time::OffsetDateTime;
use time::macros::format_description;

/// What the notice reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Delivery failed for good.
    Failed,
    /// Still being retried (the delay notice).
    Delayed,
    /// Handed to a server that does not send DSNs itself (NOTIFY=SUCCESS).
    Relayed,
}

impl Action {
    fn as_str(self) -> &'static str {
        match self {
            Action::Failed => "failed",
            Action::Delayed => "delayed",
            Action::Relayed => "relayed",
        }
    }
}

/// RFC 3461 §4.1: whether the recipient's NOTIFY asks for this notice. Without NOTIFY,
/// failures and delays are reported, successes not.
pub fn wanted(notify: Option<&str>, action: Action) -> bool {
    let Some(notify) = notify else {
        return action != Action::Relayed;
    };
    let word = match action {
        Action::Failed => "FAILURE",
        Action::Delayed => "DELAY",
        Action::Relayed => "SUCCESS",
    };
    notify
        .split(',')
        .any(|w| w.trim().eq_ignore_ascii_case(word))
}

/// One recipient's line in the report.
pub struct Entry<'a> {
    pub row: &'a QueuedRecipient,
    /// The remote reply or our reason, e.g. `550 5.1.1 No such user`.
    pub reply: &'a str,
    /// The host that gave the reply, if one did.
    pub remote_mta: Option<&'a str>,
}

/// What goes into one notice.
pub struct Notice<'a> {
    pub hostname: &'a str,
    pub action: Action,
    /// Every entry has the same message and sender.
    pub entries: Vec<Entry<'a>>,
    pub original: &'a [u8],
    /// When retries stop (for delay notices), Unix seconds.
    pub retry_until: Option<i64>,
}

/// The notice as a message (CRLF line ends), or `None` when the sender is `<>`.
pub fn build(notice: &Notice<'_>) -> Option<Vec<u8>> {
    let first = notice.entries.first()?.row;
    if first.sender.is_empty() {
        return None;
    }
    let now = store_now();
    let (subject, intro) = match notice.action {
        Action::Failed => (
            "Undelivered Mail Returned to Sender",
            "Your message could not be delivered to the recipients below. This is a\r\n\
             permanent error; the message will not be sent again.",
        ),
        Action::Delayed => (
            "Delayed Mail (still being retried)",
            "Your message has not been delivered yet to the recipients below. Nothing needs\r\n\
             to be done: delivery is still being retried, and you will hear again only if it\r\n\
             fails for good.",
        ),
        Action::Relayed => (
            "Successful Mail Delivery Report",
            "Your message was handed on to the recipients' mail servers below, which do not\r\n\
             send delivery reports of their own.",
        ),
    };
    let mut text = format!(
        "This is the mail system at {}.\r\n\r\n{intro}\r\n\r\n",
        notice.hostname
    );
    for e in &notice.entries {
        text.push_str(&format!("<{}>: {}\r\n", e.row.recipient, e.reply));
    }

    // RFC 3464 §2.2: per-message fields, a blank line, then per-recipient fields.
    let mut status = format!("Reporting-MTA: dns; {}\r\n", notice.hostname);
    if let Some(envid) = &first.envid {
        status.push_str(&format!("Original-Envelope-Id: {}\r\n", clean(envid)));
    }
    status.push_str(&format!("Arrival-Date: {}\r\n", rfc5322(first.created_at)));
    for e in &notice.entries {
        status.push_str("\r\n");
        if let Some(orcpt) = &e.row.orcpt {
            status.push_str(&format!("Original-Recipient: {}\r\n", typed(orcpt)));
        }
        status.push_str(&format!("Final-Recipient: rfc822; {}\r\n", e.row.recipient));
        status.push_str(&format!("Action: {}\r\n", notice.action.as_str()));
        status.push_str(&format!(
            "Status: {}\r\n",
            status_code(e.reply, notice.action)
        ));
        if let Some(mta) = e.remote_mta {
            let host = mta.split(' ').next().unwrap_or(mta);
            status.push_str(&format!("Remote-MTA: dns; {host}\r\n"));
        }
        status.push_str(&format!("Diagnostic-Code: smtp; {}\r\n", clean(e.reply)));
        status.push_str(&format!("Last-Attempt-Date: {}\r\n", rfc5322(now)));
        if let Some(until) = notice.retry_until {
            status.push_str(&format!("Will-Retry-Until: {}\r\n", rfc5322(until)));
        }
    }

    // RFC 3461 §4.3: the whole message only with RET=FULL.
    let full = first
        .ret
        .as_deref()
        .is_some_and(|r| r.eq_ignore_ascii_case("FULL"));
    let returned = if full {
        MimePart::new("message/rfc822", notice.original.to_vec()).transfer_encoding(
            if notice.original.is_ascii() {
                "7bit"
            } else {
                "8bit"
            },
        )
    } else {
        let headers = headers_of(notice.original);
        let encoding = if headers.is_ascii() { "7bit" } else { "8bit" };
        MimePart::new("text/rfc822-headers", headers).transfer_encoding(encoding)
    };
    let report = MimePart::new(
        mail_builder::headers::content_type::ContentType::new("multipart/report")
            .attribute("report-type", "delivery-status"),
        vec![
            MimePart::new("text/plain", text),
            MimePart::new("message/delivery-status", status.into_bytes()).transfer_encoding("7bit"),
            returned,
        ],
    );
    let message = MessageBuilder::new()
        .from((
            "Mail Delivery System".to_string(),
            format!("MAILER-DAEMON@{}", notice.hostname),
        ))
        .to(first.sender.clone())
        .subject(subject)
        .date(Date::new(now))
        .message_id(format!(
            "{:016x}.dsn@{}",
            rand::random::<u64>(),
            notice.hostname
        ))
        // RFC 3834 §5: an automatic reply; auto-responders must not answer it.
        .header(
            "Auto-Submitted",
            mail_builder::headers::raw::Raw::new("auto-replied"),
        )
        .body(report)
        .write_to_vec()
        .ok()?;
    Some(message)
}

/// The status code for the report: the reply's enhanced code when it has one of the right
/// class, else a generic one (RFC 3463).
fn status_code(reply: &str, action: Action) -> String {
    let class = match action {
        Action::Failed => '5',
        Action::Delayed => '4',
        Action::Relayed => '2',
    };
    let enhanced = reply.split_whitespace().nth(1).filter(|code| {
        code.starts_with(class)
            && code.split('.').count() == 3
            && code
                .split('.')
                .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
    });
    enhanced.map_or_else(|| format!("{class}.0.0"), str::to_string)
}

/// `rfc822;addr` as `rfc822; addr`.
fn typed(orcpt: &str) -> String {
    match orcpt.split_once(';') {
        Some((kind, addr)) => format!("{kind}; {}", clean(addr)),
        None => format!("rfc822; {}", clean(orcpt)),
    }
}

/// One header line's worth: no line breaks or control characters.
fn clean(s: &str) -> String {
    s.chars().filter(|c| !c.is_control()).take(900).collect()
}

/// The header section of a message (up to and including the blank line).
fn headers_of(message: &[u8]) -> Vec<u8> {
    let end = message
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map_or(message.len(), |i| i + 4);
    message[..end].to_vec()
}

fn rfc5322(unix: i64) -> String {
    let format = format_description!(
        "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] +0000"
    );
    OffsetDateTime::from_unix_timestamp(unix)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
        .format(format)
        .unwrap_or_default()
}

fn store_now() -> i64 {
    OffsetDateTime::now_utc().unix_timestamp()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(sender: &str, ret: Option<&str>) -> QueuedRecipient {
        QueuedRecipient {
            id: 1,
            blob_id: 1,
            sender: sender.into(),
            recipient: "bob@remote.test".into(),
            notify: None,
            orcpt: Some("rfc822;bob@remote.test".into()),
            envid: Some("ENV-1".into()),
            ret: ret.map(str::to_string),
            attempts: 0,
            created_at: 1_795_741_323,
            delay_notified: false,
            origin: store::Origin::Submission,
        }
    }

    fn notice<'a>(row: &'a QueuedRecipient, action: Action) -> Notice<'a> {
        Notice {
            hostname: "mx.example.test",
            action,
            entries: vec![Entry {
                row,
                reply: "550 5.1.1 No such user",
                remote_mta: Some("mx.remote.test [127.0.0.2]:25"),
            }],
            original: b"Subject: hello\r\nFrom: a@example.test\r\n\r\nsecret body\r\n",
            retry_until: None,
        }
    }

    #[test]
    fn a_failure_report_has_the_three_parts_of_rfc_3464() {
        let r = row("alice@example.test", None);
        let text =
            String::from_utf8(build(&notice(&r, Action::Failed)).expect("built")).expect("utf-8");
        for want in [
            "multipart/report",
            "report-type=\"delivery-status\"",
            "message/delivery-status",
            "Reporting-MTA: dns; mx.example.test",
            "Original-Envelope-Id: ENV-1",
            "Original-Recipient: rfc822; bob@remote.test",
            "Final-Recipient: rfc822; bob@remote.test",
            "Action: failed",
            "Status: 5.1.1",
            "Remote-MTA: dns; mx.remote.test",
            "Diagnostic-Code: smtp; 550 5.1.1 No such user",
            "text/rfc822-headers",
            "Subject: hello",
            "Auto-Submitted: auto-replied",
            "MAILER-DAEMON@mx.example.test",
        ] {
            assert!(text.contains(want), "{want} missing:\n{text}");
        }
        assert!(
            !text.contains("secret body"),
            "headers only without RET=FULL"
        );
    }

    #[test]
    fn ret_full_returns_the_whole_message() {
        let r = row("alice@example.test", Some("FULL"));
        let text =
            String::from_utf8(build(&notice(&r, Action::Failed)).expect("built")).expect("utf-8");
        assert!(text.contains("message/rfc822"), "{text}");
        assert!(text.contains("secret body"), "{text}");
    }

    #[test]
    fn no_notice_ever_goes_to_the_null_sender() {
        let r = row("", None);
        assert!(build(&notice(&r, Action::Failed)).is_none());
    }

    #[test]
    fn notify_decides_which_notices_are_sent() {
        assert!(wanted(None, Action::Failed) && wanted(None, Action::Delayed));
        assert!(!wanted(None, Action::Relayed));
        assert!(!wanted(Some("NEVER"), Action::Failed));
        assert!(wanted(Some("SUCCESS,FAILURE"), Action::Relayed));
        assert!(!wanted(Some("FAILURE"), Action::Delayed));
        assert_eq!(status_code("451 4.4.1 later", Action::Delayed), "4.4.1");
        assert_eq!(status_code("connection lost", Action::Failed), "5.0.0");
    }
}
