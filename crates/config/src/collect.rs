//! `[[collect]]`: collection from outside POP3/IMAP mailboxes; validated in
//! `validate/collect.rs`.

use std::path::PathBuf;
use std::time::Duration;

use toml::Value;

use crate::Secret;

/// The protocol a `[[collect]]` job speaks to the outside mailbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CollectProtocol {
    /// POP3 (RFC 1939): messages told apart by UIDL.
    Pop3,
    /// IMAP4rev2 (RFC 9051): the INBOX, messages told apart by UIDVALIDITY and UID.
    Imap,
}

impl CollectProtocol {
    pub fn as_str(self) -> &'static str {
        match self {
            CollectProtocol::Pop3 => "pop3",
            CollectProtocol::Imap => "imap",
        }
    }
}

/// How a `[[collect]]` job secures its connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CollectTls {
    /// TLS from the first byte (RFC 8314): ports 995 and 993.
    #[default]
    Implicit,
    /// A plain connection upgraded with STLS (RFC 2595 §4) or STARTTLS (RFC 9051 §6.2.1),
    /// which must succeed.
    Starttls,
    /// No TLS: the password crosses the network in clear. Only for a trusted network.
    None,
}

impl CollectTls {
    pub fn as_str(self) -> &'static str {
        match self {
            CollectTls::Implicit => "implicit",
            CollectTls::Starttls => "starttls",
            CollectTls::None => "none",
        }
    }
}

/// Where collected mail goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CollectTarget {
    /// Everything into this local account's INBOX.
    Account(String),
    /// A "domain mailbox": one catch-all mailbox at the ISP holding mail for many people.
    /// Each message goes to the local recipients named in Delivered-To / X-Original-To, else
    /// To / Cc (resolved like SMTP recipients, aliases included); the rest to `fallback`.
    Domain { fallback: String },
}

/// `[[collect]]`: fetch mail from an outside POP3 or IMAP mailbox on a schedule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Collect {
    pub protocol: CollectProtocol,
    /// The server's host name or IP address.
    pub host: String,
    /// Default: 995/993 with implicit TLS, else 110/143.
    pub port: u16,
    pub tls: CollectTls,
    /// PEM file of the authority (or self-signed certificate) the server's certificate must
    /// chain to; absent: the public web PKI roots. Certificates are always verified.
    pub ca: Option<PathBuf>,
    pub user: String,
    pub password: Secret,
    pub target: CollectTarget,
    /// Time between runs; default 5 minutes.
    pub interval: Duration,
    /// `None`: leave messages on the server. `Some(0)`: delete each one once it is safely
    /// stored here. `Some(n)`: delete it `n` days after it was first collected.
    pub keep_days: Option<u32>,
    /// A disabled job keeps its settings but never runs.
    pub enabled: bool,
}

impl Collect {
    /// The usual port for a protocol and TLS mode.
    pub fn default_port(protocol: CollectProtocol, tls: CollectTls) -> u16 {
        match (protocol, tls) {
            (CollectProtocol::Pop3, CollectTls::Implicit) => 995,
            (CollectProtocol::Pop3, _) => 110,
            (CollectProtocol::Imap, CollectTls::Implicit) => 993,
            (CollectProtocol::Imap, _) => 143,
        }
    }

    /// `pop3://user@host:port`, for logs and the status (never the password).
    pub fn label(&self) -> String {
        let host = if self.host.contains(':') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        };
        format!(
            "{}://{}@{host}:{}",
            self.protocol.as_str(),
            self.user,
            self.port
        )
    }
}

/// The default time between runs.
pub const COLLECT_INTERVAL: Duration = Duration::from_secs(300);

/// The comment above the `[[collect]]` tables (or the commented-out example).
const COLLECT_DOC: &str = "Collection: fetch mail from outside POP3/IMAP mailboxes (e.g. at your ISP) into\n\
     local accounts, on a schedule. protocol: \"pop3\" | \"imap\". host, port (default 995 or\n\
     993 with tls = \"implicit\", else 110 or 143). tls: \"implicit\" (default) | \"starttls\"\n\
     | \"none\". ca: PEM file of a private authority; certificates are always verified.\n\
     user, password: the login at the outside server. account: the local account that gets\n\
     the mail; or mode = \"domain\" for a catch-all mailbox sorted by Delivered-To,\n\
     X-Original-To, To and Cc to local recipients, with fallback = the account for the\n\
     rest. interval: time between runs (default \"5m\"). keep_days: leave messages on the\n\
     server this many days, 0 = delete after download; unset = leave them there.\n\
     enabled: false pauses the job.";

/// The `[[collect]]` part of the annotated file.
pub(crate) fn annotated(collect: &[Collect]) -> String {
    let mut out = String::from("\n");
    crate::example::push_comment(&mut out, COLLECT_DOC);
    if collect.is_empty() {
        out.push_str(
            "# [[collect]]\n# protocol = \"pop3\"\n# host = \"pop.isp.example\"\n\
             # user = \"office@isp.example\"\n# password = \"...\"\n\
             # account = \"alice@example.com\"\n# keep_days = 7\n",
        );
    }
    let text = |s: &str| Value::String(s.to_string());
    for job in collect {
        out.push_str("[[collect]]\n");
        out.push_str(&format!("protocol = \"{}\"\n", job.protocol.as_str()));
        out.push_str(&format!("host = {}\n", text(&job.host)));
        out.push_str(&format!("port = {}\n", job.port));
        out.push_str(&format!("tls = \"{}\"\n", job.tls.as_str()));
        if let Some(ca) = &job.ca {
            out.push_str(&format!("ca = {}\n", text(&ca.to_string_lossy())));
        }
        out.push_str(&format!("user = {}\n", text(&job.user)));
        out.push_str(&format!("password = {}\n", text(&job.password.0)));
        match &job.target {
            CollectTarget::Account(account) => {
                out.push_str(&format!("account = {}\n", text(account)));
            }
            CollectTarget::Domain { fallback } => {
                out.push_str(&format!(
                    "mode = \"domain\"\nfallback = {}\n",
                    text(fallback)
                ));
            }
        }
        let interval = crate::format_duration(job.interval);
        out.push_str(&format!("interval = \"{interval}\"\n"));
        if let Some(days) = job.keep_days {
            out.push_str(&format!("keep_days = {days}\n"));
        }
        if !job.enabled {
            out.push_str("enabled = false\n");
        }
    }
    out
}
