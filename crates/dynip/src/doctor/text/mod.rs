//! The doctor's messages in English and Simplified Chinese, by key; `{name}` marks a
//! parameter. The CLI and the API's `texts` render from here. The tables, by topic:
//! `text/line.rs` (the DNS server, port 25, public addresses, smart hosts) and
//! `text/records.rs` (PTR, host name, MX, blocklists).

use std::collections::BTreeMap;

/// A language messages are rendered in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    Zh,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Zh];

    /// `en` or `zh`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh",
        }
    }

    /// From `en`, `zh`, `zh-CN`, `zh-Hans`...
    pub fn parse(text: &str) -> Option<Lang> {
        let lower = text.to_ascii_lowercase();
        if lower == "en" || lower.starts_with("en-") {
            Some(Lang::En)
        } else if lower == "zh" || lower.starts_with("zh-") {
            Some(Lang::Zh)
        } else {
            None
        }
    }
}

mod line;
mod records;

/// (key, English, Simplified Chinese).
type Entry = (&'static str, &'static str, &'static str);

/// Every message, by topic.
const TABLES: [&[Entry]; 2] = [line::TABLE, records::TABLE];

fn entries() -> impl Iterator<Item = &'static Entry> {
    TABLES.into_iter().flatten()
}

/// `key`'s text in `lang` with `{name}` parameters filled in; an unknown key is returned
/// as it is.
pub fn render(key: &str, params: &BTreeMap<String, String>, lang: Lang) -> String {
    let Some((_, en, zh)) = entries().find(|(k, _, _)| *k == key) else {
        return key.to_string();
    };
    let mut text = match lang {
        Lang::En => en.to_string(),
        Lang::Zh => zh.to_string(),
    };
    for (name, value) in params {
        text = text.replace(&format!("{{{name}}}"), value);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_unique_and_both_texts_have_the_same_parameters() {
        let params = |text: &str| {
            let mut names: Vec<String> = text
                .split('{')
                .skip(1)
                .filter_map(|s| s.split_once('}').map(|(n, _)| n.to_string()))
                .collect();
            names.sort();
            names.dedup();
            names
        };
        let all: Vec<&Entry> = entries().collect();
        for (i, (key, en, zh)) in all.iter().enumerate() {
            assert!(all[i + 1..].iter().all(|(k, _, _)| k != key), "{key} twice");
            assert_eq!(params(en), params(zh), "{key}");
        }
    }

    #[test]
    fn every_key_the_checks_use_has_texts() {
        let sources = [
            include_str!("../mod.rs"),
            include_str!("../lookup.rs"),
            include_str!("../public_ip.rs"),
            include_str!("../port25.rs"),
            include_str!("../dns.rs"),
            include_str!("../mx.rs"),
            include_str!("../blocklist.rs"),
            include_str!("../smarthost.rs"),
        ];
        let mut used = 0;
        for source in sources {
            for literal in source.split('"').skip(1).step_by(2) {
                let looks_like_key = literal.split_once('.').is_some_and(|(a, b)| {
                    a.starts_with(|c: char| c.is_ascii_lowercase())
                        && !b.is_empty()
                        && literal.bytes().all(|c| {
                            c.is_ascii_lowercase() || c == b'_' || c == b'.' || c.is_ascii_digit()
                        })
                        && !literal.ends_with(".rs")
                });
                if looks_like_key && !literal.ends_with(".arpa") {
                    used += 1;
                    assert!(
                        entries().any(|(k, _, _)| *k == literal),
                        "no text for {literal}"
                    );
                }
            }
        }
        assert!(used > 45, "{used} keys found");
    }

    #[test]
    fn parameters_are_filled_in_in_each_language() {
        let params = BTreeMap::from([("ip".to_string(), "81.2.69.160".to_string())]);
        assert_eq!(
            render("public_ip.ok", &params, Lang::En),
            "Your public IP address is 81.2.69.160."
        );
        assert_eq!(
            render("public_ip.ok", &params, Lang::Zh),
            "您的公网 IP 地址是 81.2.69.160。"
        );
        assert_eq!(render("no.such.key", &params, Lang::En), "no.such.key");
        assert_eq!(Lang::parse("zh-CN"), Some(Lang::Zh));
    }
}
