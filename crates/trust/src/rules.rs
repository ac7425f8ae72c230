//! The content rules: each a name (as shown in X-Spam-Status), a weight added to the score,
//! and why it is a sign of spam. Weights are set so that one rule alone never reaches the
//! default Junk score (5): it takes several signs, or the classifier's word.
//!
//! | Rule | Weight | Why |
//! |---|---|---|
//! | `MISSING_DATE` | 1.0 | RFC 5322 §3.6 requires Date:; every mail program writes one, bulk scripts forget it |
//! | `MISSING_MESSAGE_ID` | 0.5 | RFC 5322 §3.6.4: every message SHOULD have one; real mail programs add it |
//! | `FROM_NAME_SPOOF` | 2.5 | the display name shows an address other than the sender's (`"boss@office" <x@elsewhere>`) |
//! | `SUBJECT_ALL_CAPS` | 1.0 | a shouting subject of ten letters or more |
//! | `MIME_HTML_ONLY` | 0.3 | HTML with no text alternative: what mass mailers send, rare from people |
//! | `HTML_HIDDEN_TEXT` | 2.0 | HTML-only mail with text hidden by CSS, to feed filters words the reader never sees |
//! | `URL_BARE_IP` | 2.0 | a link to a bare IP address: no name to trust, typical of phishing kits |
//! | `URL_TEXT_MISMATCH` | 2.5 | a link whose text shows one host and goes to another |
//! | `URL_SHORTENER` | 1.0 | a link through a shortener hides where it goes |
//! | `PHISH_PASSWORD` | 2.5 | "your password expires" / 密码即将过期: the commonest credential lure in office mail |
//! | `PHISH_MAILBOX` | 2.0 | "mailbox full / upgrade" / 邮箱容量已满: fake quota warnings |
//! | `PHISH_INVOICE` | 1.5 | unexpected invoice, VAT or 代开发票 offers: payment lures and invoice spam |
//! | `PHISH_PAYMENT_CHANGE` | 2.0 | "our bank details changed" / 更改收款账户: business e-mail compromise |

use crate::Reason;
use crate::scan::{Scan, is_bare_ip};

/// A rule over the decoded message.
struct Rule {
    name: &'static str,
    weight: f32,
    /// Whether it needs the body (skipped for messages over `[filter] max_scan_size`).
    body: bool,
    hit: fn(&Scan) -> Option<String>,
}

/// A phrase rule: any of `phrases` (lower case) in the subject or the text.
struct Phrases {
    name: &'static str,
    weight: f32,
    phrases: &'static [&'static str],
}

const RULES: &[Rule] = &[
    Rule {
        name: "MIME_UNREADABLE",
        weight: 3.0,
        body: false,
        hit: |s| {
            s.unreadable
                .then(|| "more nested messages or parts than any real mail has".to_string())
        },
    },
    Rule {
        name: "MISSING_DATE",
        weight: 1.0,
        body: false,
        hit: |s| (!s.has_date).then(|| "no Date: field".to_string()),
    },
    Rule {
        name: "MISSING_MESSAGE_ID",
        weight: 0.5,
        body: false,
        hit: |s| (!s.has_message_id).then(|| "no Message-ID: field".to_string()),
    },
    Rule {
        name: "FROM_NAME_SPOOF",
        weight: 2.5,
        body: false,
        hit: from_name_spoof,
    },
    Rule {
        name: "SUBJECT_ALL_CAPS",
        weight: 1.0,
        body: false,
        hit: |s| {
            let letters = s.subject.chars().filter(|c| c.is_alphabetic()).count();
            let shouting = letters >= 10 && s.subject.chars().all(|c| !c.is_lowercase());
            shouting.then(|| "subject in capitals".to_string())
        },
    },
    Rule {
        name: "MIME_HTML_ONLY",
        weight: 0.3,
        body: true,
        hit: |s| s.html_only.then(|| "HTML without a text part".to_string()),
    },
    Rule {
        name: "HTML_HIDDEN_TEXT",
        weight: 2.0,
        body: true,
        hit: |s| (s.html_only && s.hidden_html).then(|| "HTML hides text".to_string()),
    },
    Rule {
        name: "URL_BARE_IP",
        weight: 2.0,
        body: true,
        hit: |s| {
            s.links
                .iter()
                .find(|l| is_bare_ip(&l.host))
                .map(|l| format!("link to {}", l.host))
        },
    },
    Rule {
        name: "URL_TEXT_MISMATCH",
        weight: 2.5,
        body: true,
        hit: text_mismatch,
    },
    Rule {
        name: "URL_SHORTENER",
        weight: 1.0,
        body: true,
        hit: |s| {
            s.links
                .iter()
                .find(|l| SHORTENERS.contains(&l.host.trim_start_matches("www.")))
                .map(|l| format!("link through {}", l.host))
        },
    },
];

const SHORTENERS: &[&str] = &[
    "bit.ly",
    "tinyurl.com",
    "t.co",
    "goo.gl",
    "ow.ly",
    "is.gd",
    "buff.ly",
    "rebrand.ly",
    "cutt.ly",
    "shorturl.at",
    "rb.gy",
    "t.ly",
    "tiny.cc",
    "t.cn",
    "url.cn",
    "dwz.cn",
    "suo.im",
    "sohu.gg",
    "mrw.so",
];

const PHRASES: &[Phrases] = &[
    Phrases {
        name: "PHISH_PASSWORD",
        weight: 2.5,
        phrases: &[
            "password expires",
            "password will expire",
            "password has expired",
            "password expiration",
            "verify your account",
            "confirm your password",
            "keep your current password",
            "密码即将过期",
            "密码已过期",
            "密码将于",
            "验证您的账户",
            "验证您的帐户",
            "保留当前密码",
        ],
    },
    Phrases {
        name: "PHISH_MAILBOX",
        weight: 2.0,
        phrases: &[
            "mailbox is full",
            "mailbox quota",
            "mailbox storage",
            "upgrade your mailbox",
            "pending messages",
            "邮箱容量已满",
            "邮箱已满",
            "邮箱升级",
            "邮箱空间不足",
            "邮件被拦截",
        ],
    },
    Phrases {
        name: "PHISH_INVOICE",
        weight: 1.5,
        phrases: &[
            "overdue invoice",
            "outstanding invoice",
            "invoice attached",
            "vat invoice",
            "payment receipt attached",
            "代开发票",
            "代开增值税",
            "增值税发票",
            "开具发票",
            "发票代开",
            "电子发票下载",
        ],
    },
    Phrases {
        name: "PHISH_PAYMENT_CHANGE",
        weight: 2.0,
        phrases: &[
            "bank details have changed",
            "new bank account",
            "change of bank details",
            "updated banking details",
            "wire transfer today",
            "更改收款账户",
            "银行账户变更",
            "新的收款账户",
            "请尽快汇款",
        ],
    },
];

/// The rules that fire on `scan`, each once.
pub(crate) fn check(scan: &Scan) -> Vec<Reason> {
    let mut reasons: Vec<Reason> = RULES
        .iter()
        .filter(|rule| scan.body || !rule.body)
        .filter_map(|rule| {
            (rule.hit)(scan).map(|detail| Reason::new(rule.name, rule.weight, detail))
        })
        .collect();
    let subject = scan.subject.to_lowercase();
    let text = scan.text.to_lowercase();
    for rule in PHRASES {
        let found = rule
            .phrases
            .iter()
            .find(|p| subject.contains(*p) || text.contains(*p));
        if let Some(phrase) = found {
            reasons.push(Reason::new(rule.name, rule.weight, format!("\"{phrase}\"")));
        }
    }
    reasons
}

/// The display name holds an address that is not the sender's.
fn from_name_spoof(scan: &Scan) -> Option<String> {
    let name = scan.from_name.as_deref()?.to_ascii_lowercase();
    let address = scan.from_address.as_deref()?;
    name.split(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '"' | '\'' | '(' | ')'))
        .find(|word| {
            word.contains('@') && word.contains('.') && !word.eq_ignore_ascii_case(address)
        })
        .map(|shown| format!("name shows {shown}, address is {address}"))
}

/// A link whose text looks like a host or URL other than where it goes.
fn text_mismatch(scan: &Scan) -> Option<String> {
    scan.links.iter().find_map(|link| {
        let shown = link.shown.as_deref()?.trim();
        if shown.contains(char::is_whitespace) {
            return None;
        }
        // Only text that names a host the way a reader takes it as one: a URL or `www.`.
        let shown_host = crate::scan::url_host(shown)?;
        let same = |a: &str, b: &str| a == b || a.ends_with(&format!(".{b}"));
        let host = &link.host;
        (!same(host, &shown_host) && !same(&shown_host, host))
            .then(|| format!("link shows {shown_host}, goes to {host}"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules_of(message: &str) -> Vec<String> {
        let scan = Scan::parse(message.replace('\n', "\r\n").as_bytes(), false);
        check(&scan).into_iter().map(|r| r.rule).collect()
    }

    #[test]
    fn an_ordinary_message_hits_nothing() {
        let rules = rules_of(
            "From: Ann <ann@shop.example>\nTo: bob@office.test\nSubject: Lunch on Friday?\n\
             Date: Mon, 7 Dec 2026 10:00:00 +0800\nMessage-ID: <1@shop.example>\n\n\
             See https://shop.example/menu for the menu.\n",
        );
        assert!(rules.is_empty(), "{rules:?}");
    }

    #[test]
    fn header_rules_fire() {
        let rules = rules_of(
            "From: \"boss@office.test\" <boss@mailer.example>\nSubject: URGENT WIRE TRANSFER NEEDED\n\nhi\n",
        );
        for want in [
            "MISSING_DATE",
            "MISSING_MESSAGE_ID",
            "FROM_NAME_SPOOF",
            "SUBJECT_ALL_CAPS",
        ] {
            assert!(
                rules.contains(&want.to_string()),
                "{want} missing from {rules:?}"
            );
        }
    }

    #[test]
    fn url_and_html_rules_fire() {
        let rules = rules_of(
            "From: a@b.example\nSubject: x\nDate: Mon, 7 Dec 2026 10:00:00 +0800\nMessage-ID: <2@b.example>\n\
             MIME-Version: 1.0\nContent-Type: text/html; charset=utf-8\n\n\
             <p>Log in at <a href=\"http://203.0.113.9/login\">https://www.bank.example/</a></p>\
             <div style=\"display: none\">lunch meeting</div><a href='https://bit.ly/x'>here</a>\n",
        );
        for want in [
            "MIME_HTML_ONLY",
            "HTML_HIDDEN_TEXT",
            "URL_BARE_IP",
            "URL_TEXT_MISMATCH",
            "URL_SHORTENER",
        ] {
            assert!(
                rules.contains(&want.to_string()),
                "{want} missing from {rules:?}"
            );
        }
    }

    #[test]
    fn chinese_lures_are_found_in_encoded_text() {
        // "您的邮箱密码即将过期" in base64 UTF-8, as Chinese mail programs send it.
        let rules = rules_of(
            "From: it@office.example\nSubject: =?UTF-8?B?6YKu566x6YCa55+l?=\nDate: Mon, 7 Dec 2026 10:00:00 +0800\n\
             Message-ID: <3@office.example>\nContent-Type: text/plain; charset=utf-8\n\
             Content-Transfer-Encoding: base64\n\n5oKo55qE6YKu566x5a+G56CB5Y2z5bCG6L+H5pyf\n",
        );
        assert_eq!(rules, ["PHISH_PASSWORD"]);
    }
}
