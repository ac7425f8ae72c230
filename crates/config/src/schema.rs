//! Each setting declared once. A [`Setting`] holds what every consumer needs to know about a
//! key: its kind, range, unit, label and doc text (English and Simplified Chinese), whether it
//! is a secret and whether a reload applies it without a restart. The annotated example file,
//! the validator's known keys and ranges, the panel's form (served by the admin API), the
//! redaction of secrets and the reload decision are all derived from these declarations.
//!
//! Sections of plain values (`[limits]`, `[queue]`) are declared with [`settings!`]: one
//! line per field gives the struct field, its default, its declaration and its validation.
//! Keys whose values need their own parsing (addresses, paths, networks, tables) are declared
//! in [`OTHER`] and read by hand in `validate.rs`.

use std::time::Duration;

use toml::Value;

use crate::validate::{Problems, wrong_type};

/// One text in both languages of the panel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Text {
    pub en: &'static str,
    pub zh: &'static str,
}

/// What a key's value is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Kind {
    /// A whole number within [`Setting::min`] and [`Setting::max`].
    Integer,
    /// `true` or `false`.
    Boolean,
    /// A string.
    Text,
    /// A duration string such as `"30s"`, `"5m"`, `"4h"`, `"1d"`.
    Duration,
    /// An array of duration strings.
    Durations,
    /// An array of strings (addresses, networks, names).
    List,
    /// A file path.
    Path,
    /// An array of tables (`[[route]]`), edited by its own form.
    Tables,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Integer => "integer",
            Kind::Boolean => "boolean",
            Kind::Text => "text",
            Kind::Duration => "duration",
            Kind::Durations => "durations",
            Kind::List => "list",
            Kind::Path => "path",
            Kind::Tables => "tables",
        }
    }
}

/// What an integer counts, for the panel's input and the texts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    None,
    Bytes,
    Seconds,
}

impl Unit {
    pub fn as_str(self) -> Option<&'static str> {
        match self {
            Unit::None => None,
            Unit::Bytes => Some("bytes"),
            Unit::Seconds => Some("seconds"),
        }
    }
}

/// One key of `postroom.toml`, declared once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Setting {
    /// The section (`limits`), the array of tables whose items hold it (`route`,
    /// `ddns.record`), or "" for the top level.
    pub section: &'static str,
    pub key: &'static str,
    pub kind: Kind,
    pub unit: Unit,
    /// The smallest and largest allowed integer (`None`: the field type's own bound).
    pub min: Option<i64>,
    pub max: Option<i64>,
    /// Why the range is what it is, added to the range's problem text (`RFC 5321 ...`).
    pub range_why: &'static str,
    /// The short name the panel shows.
    pub label: Text,
    /// What it does: the comment in the annotated file, the help text in the panel.
    pub doc: Text,
    /// Shown as `********` by the API; kept through an edit only for the same server.
    pub secret: bool,
    /// A reload applies it to the running engine; otherwise it waits for a restart.
    pub live: bool,
}

impl Setting {
    /// What a declaration does not say: a live, non-secret, unbounded value.
    pub const BASE: Setting = Setting {
        section: "",
        key: "",
        kind: Kind::Text,
        unit: Unit::None,
        min: None,
        max: None,
        range_why: "",
        label: Text { en: "", zh: "" },
        doc: Text { en: "", zh: "" },
        secret: false,
        live: true,
    };

    /// `section.key`, or `key` at the top level.
    pub fn path(&self) -> String {
        if self.section.is_empty() {
            self.key.to_string()
        } else {
            format!("{}.{}", self.section, self.key)
        }
    }
}

/// A value a declared field can hold: read from TOML with the declaration's checks, written
/// back for the annotated file.
pub(crate) trait SettingValue: Sized {
    const KIND: Kind;
    /// The value of `key`, or `None` after pushing the problem.
    fn read(value: Value, key: &str, setting: &Setting, p: &mut Problems) -> Option<Self>;
    fn to_toml(&self) -> Value;
}

macro_rules! integer {
    ($($ty:ty),*) => {$(
        impl SettingValue for $ty {
            const KIND: Kind = Kind::Integer;

            fn read(value: Value, key: &str, setting: &Setting, p: &mut Problems) -> Option<Self> {
                let Value::Integer(n) = value else {
                    wrong_type(key, "an integer", &value, p);
                    return None;
                };
                let type_max = i64::try_from(<$ty>::MAX).unwrap_or(i64::MAX);
                let min = setting.min.unwrap_or(0);
                let max = setting.max.unwrap_or(type_max).min(type_max);
                if n < min || n > max {
                    p.push(key, range_problem(setting, min, max, n));
                    return None;
                }
                <$ty>::try_from(n).ok()
            }

            fn to_toml(&self) -> Value {
                Value::Integer(i64::try_from(*self).unwrap_or(i64::MAX))
            }
        }
    )*};
}
integer!(u16, u32, u64, usize);

/// `must be between 1 and 1000, found 0`, with the unit's words or the declared reason.
fn range_problem(setting: &Setting, min: i64, max: i64, found: i64) -> String {
    let bounds = if max == i64::MAX {
        format!("at least {min}")
    } else {
        format!("between {min} and {max}")
    };
    let why = match (setting.unit, max == i64::MAX) {
        _ if !setting.range_why.is_empty() => format!(" ({})", setting.range_why),
        (Unit::Bytes, false) => format!(" ({} to {})", bytes(min), bytes(max)),
        (Unit::Bytes, true) => format!(" ({} or more)", bytes(min)),
        _ => String::new(),
    };
    format!("must be {bounds}{why}, found {found}")
}

/// `1 KiB`, `50 MiB`: a byte count in the largest binary unit that divides it.
pub(crate) fn bytes(n: i64) -> String {
    for (shift, unit) in [(30, "GiB"), (20, "MiB"), (10, "KiB")] {
        if n != 0 && n % (1 << shift) == 0 {
            return format!("{} {unit}", n >> shift);
        }
    }
    format!("{n} bytes")
}

impl SettingValue for bool {
    const KIND: Kind = Kind::Boolean;

    fn read(value: Value, key: &str, _: &Setting, p: &mut Problems) -> Option<Self> {
        match value {
            Value::Boolean(b) => Some(b),
            other => {
                wrong_type(key, "true or false", &other, p);
                None
            }
        }
    }

    fn to_toml(&self) -> Value {
        Value::Boolean(*self)
    }
}

impl SettingValue for String {
    const KIND: Kind = Kind::Text;

    fn read(value: Value, key: &str, _: &Setting, p: &mut Problems) -> Option<Self> {
        crate::validate::string(value, key, p)
    }

    fn to_toml(&self) -> Value {
        Value::String(self.clone())
    }
}

impl SettingValue for Vec<String> {
    const KIND: Kind = Kind::List;

    fn read(value: Value, key: &str, _: &Setting, p: &mut Problems) -> Option<Self> {
        Some(
            crate::validate::strings(value, key, p)
                .into_iter()
                .map(|(_, text)| text)
                .collect(),
        )
    }

    fn to_toml(&self) -> Value {
        Value::Array(self.iter().cloned().map(Value::String).collect())
    }
}

impl SettingValue for Duration {
    const KIND: Kind = Kind::Duration;

    fn read(value: Value, key: &str, _: &Setting, p: &mut Problems) -> Option<Self> {
        let text = crate::validate::string(value, key, p)?;
        crate::validate::duration(key, &text, p)
    }

    fn to_toml(&self) -> Value {
        Value::String(crate::format_duration(*self))
    }
}

impl SettingValue for Vec<Duration> {
    const KIND: Kind = Kind::Durations;

    fn read(value: Value, key: &str, _: &Setting, p: &mut Problems) -> Option<Self> {
        let mut list = Vec::new();
        for (item, text) in crate::validate::strings(value, key, p) {
            list.extend(crate::validate::duration(&item, &text, p));
        }
        if list.is_empty() {
            p.push(key, "needs at least one wait, e.g. [\"5m\", \"1h\"]");
            return None;
        }
        Some(list)
    }

    fn to_toml(&self) -> Value {
        Value::Array(self.iter().map(SettingValue::to_toml).collect())
    }
}

/// `Default: 52428800 (50 MiB).` for the annotated file, from the declared default.
pub(crate) fn default_text(setting: &Setting, default: &Value) -> String {
    match (setting.unit, default) {
        (Unit::Bytes, Value::Integer(n)) => format!("Default: {n} ({}).", bytes(*n)),
        _ => format!("Default: {default}."),
    }
}

/// Declares a section of plain values: the struct (each field's doc is its English doc),
/// its `Default`, its [`Setting`]s, reading it from TOML and its values for the annotated
/// file. Each field:
///
/// ```text
/// /// English doc (the file's comment and the panel's help).
/// #[zh("中文说明")]
/// #[label("Short name", "简称")]
/// #[setting(min: Some(1), unit: Unit::Seconds,)]
/// field: u64 = 300,
/// ```
macro_rules! settings {
    (
        $(#[$meta:meta])*
        pub struct $name:ident in $section:literal {
            $(
                $(#[doc = $doc:literal])+
                #[zh($zh:literal)]
                #[label($label_en:literal, $label_zh:literal)]
                #[setting($($spec:tt)*)]
                $field:ident: $ty:ty = $default:expr,
            )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub struct $name {
            $( $(#[doc = $doc])+ pub $field: $ty, )*
        }

        impl Default for $name {
            fn default() -> Self {
                $name { $( $field: $default, )* }
            }
        }

        impl $name {
            /// Every key of the section, in file order.
            pub const SETTINGS: &'static [$crate::schema::Setting] = &[$(
                $crate::schema::Setting {
                    section: $section,
                    key: stringify!($field),
                    kind: <$ty as $crate::schema::SettingValue>::KIND,
                    label: $crate::schema::Text { en: $label_en, zh: $label_zh },
                    doc: $crate::schema::Text { en: concat!($($doc, "\n"),+), zh: $zh },
                    $($spec)*
                    ..$crate::schema::Setting::BASE
                },
            )*];

            /// The section read from its table; what is left in `table` is unknown.
            pub(crate) fn read(
                table: &mut toml::Table,
                p: &mut $crate::validate::Problems,
            ) -> Self {
                let mut out = Self::default();
                let mut settings = Self::SETTINGS.iter();
                $(
                    if let Some(setting) = settings.next()
                        && let Some(value) = table.remove(stringify!($field))
                        && let Some(v) = <$ty as $crate::schema::SettingValue>::read(
                            value,
                            &setting.path(),
                            setting,
                            p,
                        )
                    {
                        out.$field = v;
                    }
                )*
                out
            }

            /// Each key's value, in the order of [`Self::SETTINGS`].
            pub(crate) fn values(&self) -> Vec<toml::Value> {
                vec![$( $crate::schema::SettingValue::to_toml(&self.$field), )*]
            }
        }
    };
}
pub(crate) use settings;

/// One text in both languages.
const fn text(en: &'static str, zh: &'static str) -> Text {
    Text { en, zh }
}

/// The keys read by hand in `validate.rs` (their values need their own parsing), declared
/// here with everything else the consumers need.
pub const OTHER: &[Setting] = &[
    Setting {
        key: "hostname",
        label: text("Server name", "服务器名称"),
        doc: text(
            "The server's name, as the Internet sees it: the greeting, EHLO, Received headers\n\
             and the self-signed certificate. Usually the name your MX record points to.\n\
             Default: this computer's host name.",
            "服务器在互联网上的名称：用于问候语、EHLO、Received 头和自签名证书，通常是 MX 记录指向的名称。默认：本机主机名。",
        ),
        ..Setting::BASE
    },
    listen(
        "smtp",
        text("SMTP (incoming, port 25)", "SMTP（收信，端口 25）"),
        text(
            "SMTP for mail from the Internet (MX), usually port 25.",
            "接收互联网邮件的 SMTP（MX），通常为端口 25。",
        ),
    ),
    listen(
        "submission",
        text("Submission (STARTTLS, 587)", "提交（STARTTLS，587）"),
        text(
            "Submission with STARTTLS for your own mail clients, usually port 587.",
            "供自己的邮件客户端发信的提交端口（STARTTLS），通常为 587。",
        ),
    ),
    listen(
        "submissions",
        text("Submission (TLS, 465)", "提交（TLS，465）"),
        text(
            "Submission over implicit TLS for your own mail clients, usually port 465.",
            "供自己的邮件客户端发信的隐式 TLS 提交端口，通常为 465。",
        ),
    ),
    listen(
        "pop3",
        text("POP3 (110)", "POP3（110）"),
        text(
            "POP3 for mail clients that download mail, usually port 110. Logins need STLS\n\
             first, except from this computer (loopback addresses).",
            "供下载邮件的客户端使用的 POP3，通常为端口 110。除本机（环回地址）外，登录前需先 STLS。",
        ),
    ),
    listen(
        "pop3s",
        text("POP3 over TLS (995)", "POP3 over TLS（995）"),
        text(
            "POP3 over implicit TLS, usually port 995.",
            "隐式 TLS 的 POP3，通常为端口 995。",
        ),
    ),
    listen(
        "imap",
        text("IMAP (143)", "IMAP（143）"),
        text(
            "IMAP for mail clients that keep mail on the server, usually port 143. Logins\n\
             need STARTTLS first, except from this computer (loopback addresses).",
            "供在服务器上保留邮件的客户端使用的 IMAP，通常为端口 143。除本机（环回地址）外，登录前需先 STARTTLS。",
        ),
    ),
    listen(
        "imaps",
        text("IMAP over TLS (993)", "IMAP over TLS（993）"),
        text(
            "IMAP over implicit TLS, usually port 993.",
            "隐式 TLS 的 IMAP，通常为端口 993。",
        ),
    ),
    listen(
        "admin",
        text("Admin panel", "管理面板"),
        text(
            "The admin HTTP API and web admin; sign in with the token `postroom admin token`\n\
             prints. Only loopback addresses, unless tls.cert and tls.key are set.",
            "管理 HTTP API 和网页管理面板；用 `postroom admin token` 打印的令牌登录。未设置 tls.cert 和 tls.key 时只能使用环回地址。",
        ),
    ),
    Setting {
        section: "tls",
        key: "cert",
        kind: Kind::Path,
        label: text("Certificate file", "证书文件"),
        doc: text(
            "PEM file with the certificate chain, leaf first (e.g. Let's Encrypt's\n\
             fullchain.pem).",
            "PEM 格式的证书链文件，叶证书在前（如 Let's Encrypt 的 fullchain.pem）。",
        ),
        ..Setting::BASE
    },
    Setting {
        section: "tls",
        key: "key",
        kind: Kind::Path,
        label: text("Key file", "私钥文件"),
        doc: text(
            "PEM file with the private key (e.g. privkey.pem).",
            "PEM 格式的私钥文件（如 privkey.pem）。",
        ),
        ..Setting::BASE
    },
    Setting {
        section: "dns",
        key: "servers",
        kind: Kind::List,
        label: text(
            "DNS servers (ip:port, empty = system)",
            "DNS 服务器（ip:端口，留空 = 系统）",
        ),
        doc: text(
            "DNS servers as \"ip:port\". Unset: the system's resolvers (/etc/resolv.conf).",
            "DNS 服务器，格式为 \"ip:端口\"。不设置：使用系统的解析器（/etc/resolv.conf）。",
        ),
        ..Setting::BASE
    },
    Setting {
        section: "relay",
        key: "networks",
        kind: Kind::List,
        label: text(
            "Networks that may relay (e.g. 192.168.1.0/24)",
            "允许转发的网络（如 192.168.1.0/24）",
        ),
        doc: text(
            "Client networks that may relay through port 25 without logging in, in CIDR form\n\
             (e.g. [\"192.168.1.0/24\"] for the office LAN). Default: none, so relaying needs\n\
             AUTH and the server is never an open relay.",
            "无需登录即可通过端口 25 转发邮件的客户端网络，CIDR 格式（如办公室局域网 [\"192.168.1.0/24\"]）。默认：无，转发需要 AUTH，服务器绝不会成为开放转发。",
        ),
        ..Setting::BASE
    },
    Setting {
        section: "relay",
        key: "etrn",
        kind: Kind::List,
        label: text("Who may ask with ETRN", "允许 ETRN 请求的客户"),
        doc: text(
            "Who may ask with ETRN (RFC 1985) on port 25 for the mail held here: client\n\
             domains (e.g. \"office.example\": anyone may ask for it and its sub-domains)\n\
             and networks (\"192.0.2.0/24\": clients there may ask for any domain).\n\
             Unset: only clients in `networks`.",
            "可在端口 25 用 ETRN（RFC 1985）请求发送此处暂存邮件的客户：客户域名（如 \"office.example\"：任何人都可请求它及其子域）和网络（\"192.0.2.0/24\"：其中的客户可请求任何域）。不设置：仅 `networks` 中的客户。",
        ),
        ..Setting::BASE
    },
    Setting {
        key: "route",
        kind: Kind::Tables,
        label: text("Routes (smart hosts)", "路由（中继主机）"),
        doc: text(
            "Routes: mail for matching recipient domains goes through relay hosts instead of\n\
             the domains' MX hosts; the first match wins, no match means direct MX delivery.\n\
             A smart host for everything (the ISP's relay, e.g. on a dynamic-IP line):\n\
             domains = [\"*\"]. Per domain: [\"corp.example.com\", \"*.example.org\"].\n\
             relay: \"host:port\" list, tried in order. tls: \"starttls\" (required) | \"implicit\"\n\
             (port 465) | \"none\". username/password: AUTH PLAIN or LOGIN. ca: PEM file of the\n\
             authority the relay's certificate must chain to (default: the public roots).",
            "路由：收件域匹配的邮件经中继主机发出，而不是直接投递到该域的 MX；第一个匹配生效，不匹配则直接投递。全部经中继（如动态 IP 线路上的 ISP 中继）：domains = [\"*\"]。",
        ),
        ..Setting::BASE
    },
    secret(
        "route",
        text("Relay password", "中继密码"),
        text(
            "The password for AUTH at the relay host.",
            "中继主机 AUTH 登录的密码。",
        ),
    ),
    secret(
        "ddns.record",
        text("Dynamic DNS password or token", "动态 DNS 密码或令牌"),
        text(
            "The dynamic DNS provider's password, API token or key secret.",
            "动态 DNS 服务商的密码、API 令牌或密钥。",
        ),
    ),
    secret(
        "collect",
        text("Mailbox password", "邮箱密码"),
        text(
            "The password of the outside mailbox that is collected from.",
            "被收取的外部邮箱的密码。",
        ),
    ),
];

const fn listen(key: &'static str, label: Text, doc: Text) -> Setting {
    Setting {
        section: "listen",
        key,
        kind: Kind::List,
        label,
        doc,
        ..Setting::BASE
    }
}

/// The `password` of each item of an array of tables.
const fn secret(section: &'static str, label: Text, doc: Text) -> Setting {
    Setting {
        section,
        key: "password",
        kind: Kind::Text,
        label,
        doc,
        secret: true,
        ..Setting::BASE
    }
}

/// A declared key and, for the sections declared with [`settings!`], its default.
#[derive(Debug, Clone)]
pub struct Declared {
    pub setting: &'static Setting,
    pub default: Option<Value>,
}

/// Every declared key, in file order.
pub fn all() -> Vec<Declared> {
    let with = |settings: &'static [Setting], defaults: Vec<Value>| {
        settings
            .iter()
            .zip(defaults)
            .map(|(setting, default)| Declared {
                setting,
                default: Some(default),
            })
            .collect::<Vec<_>>()
    };
    let other = |section: &'static str| {
        OTHER
            .iter()
            .filter(move |s| s.section == section)
            .map(|setting| Declared {
                setting,
                default: None,
            })
    };
    let mut all: Vec<Declared> = ["", "listen", "tls"].into_iter().flat_map(other).collect();
    all.extend(with(
        crate::Limits::SETTINGS,
        crate::Limits::default().values(),
    ));
    all.extend(other("dns"));
    all.extend(with(
        crate::Queue::SETTINGS,
        crate::Queue::default().values(),
    ));
    all.extend(with(
        crate::Filter::SETTINGS,
        crate::Filter::default().values(),
    ));
    all.extend(
        ["relay", "route", "ddns.record", "collect"]
            .into_iter()
            .flat_map(other),
    );
    all
}

/// The declaration of a dotted key (`limits.max_errors`, `route[0].password`; item indexes
/// are ignored).
pub fn find(path: &str) -> Option<&'static Setting> {
    let plain: String = path
        .split('.')
        .map(|part| part.split('[').next().unwrap_or(part))
        .collect::<Vec<_>>()
        .join(".");
    let (section, key) = plain.rsplit_once('.').unwrap_or(("", &plain));
    all()
        .into_iter()
        .map(|d| d.setting)
        .find(|s| s.section == section && s.key == key)
}

/// Whether a reload applies `path` (a key, or a whole section such as `ddns`) without a
/// restart: its declaration says so; an undeclared key goes with its section's declaration
/// ([`SECTION_LIVE`]).
pub fn is_live(path: &str) -> bool {
    match find(path) {
        Some(setting) => setting.live,
        None => {
            let section = path.split(['.', '[']).next().unwrap_or(path);
            SECTION_LIVE.contains(&section)
        }
    }
}

/// Sections whose undeclared keys (`[ddns]`, `[doctor]`, `[[collect]]`, `[[etrn]]`, read by
/// their own modules) a reload applies: each has its own live update in the engine.
pub const SECTION_LIVE: &[&str] = &[
    "hostname", "limits", "relay", "listen", "tls", "dns", "route", "queue", "ddns", "doctor",
    "collect", "etrn", "filter",
];

/// The secret keys: (the path of the array of tables, the key in each item).
pub fn secrets() -> impl Iterator<Item = (&'static str, &'static str)> {
    OTHER
        .iter()
        .filter(|s| s.secret)
        .map(|s| (s.section, s.key))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_declaration_has_a_label_and_doc_in_both_languages() {
        for d in all() {
            let s = d.setting;
            assert!(
                !s.label.en.is_empty() && !s.label.zh.is_empty(),
                "{}",
                s.path()
            );
            assert!(!s.doc.en.is_empty() && !s.doc.zh.is_empty(), "{}", s.path());
        }
    }

    #[test]
    fn keys_are_found_by_their_dotted_path() {
        assert_eq!(
            find("limits.max_errors").map(|s| s.kind),
            Some(Kind::Integer)
        );
        assert!(find("route[2].password").is_some_and(|s| s.secret));
        assert!(find("ddns.record[0].password").is_some_and(|s| s.secret));
        assert!(find("limits.nope").is_none());
        assert!(is_live("limits.max_errors"));
        assert!(is_live("ddns.enabled"));
        assert!(!is_live("nonsense.key"));
    }

    #[test]
    fn byte_counts_read_in_binary_units() {
        assert_eq!(bytes(1024), "1 KiB");
        assert_eq!(bytes(2 << 30), "2 GiB");
        assert_eq!(bytes(50 << 20), "50 MiB");
        assert_eq!(bytes(1000), "1000 bytes");
    }
}
