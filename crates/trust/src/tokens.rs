//! The classifier's tokens of a message: words of the subject and the text, the hosts of its
//! links, the sender's domain and mail program. Each distinct token counts once per message
//! (as in SpamBayes and bogofilter), with a prefix saying where it came from, so "free" in a
//! subject and "free" in a text are different evidence.
//!
//! Words are runs of letters and digits, lower-cased, 3 to 24 characters long. Han, kana and
//! Hangul are written without spaces between words, so their runs become overlapping
//! character bigrams (`发票代开` → `发票`, `票代`, `代开`), the usual unsupervised way to get
//! word-like units from CJK text.

use std::collections::BTreeSet;

use crate::scan::Scan;

/// At most this many distinct tokens per message (the first found are kept).
pub(crate) const MAX_TOKENS: usize = 3000;

const MIN_WORD: usize = 3;
const MAX_WORD: usize = 24;

/// The distinct tokens of `scan`, at most [`MAX_TOKENS`].
pub(crate) fn of(scan: &Scan) -> Vec<String> {
    let mut tokens = BTreeSet::new();
    words(&scan.subject, "s:", &mut tokens);
    if let Some(address) = &scan.from_address
        && let Some((_, domain)) = address.rsplit_once('@')
    {
        insert(&mut tokens, format!("f:{domain}"));
    }
    if let Some(mailer) = &scan.mailer {
        let mailer: String = mailer.chars().take(40).collect();
        insert(&mut tokens, format!("m:{}", mailer.to_lowercase()));
    }
    for link in &scan.links {
        insert(&mut tokens, format!("u:{}", link.host));
    }
    words(&scan.text, "", &mut tokens);
    tokens.into_iter().collect()
}

fn insert(tokens: &mut BTreeSet<String>, token: String) {
    if tokens.len() < MAX_TOKENS {
        tokens.insert(token);
    }
}

/// Han (CJK unified ideographs and their extensions), kana and Hangul syllables.
pub(crate) fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF        // Hiragana, Katakana
        | 0x3400..=0x4DBF      // CJK extension A
        | 0x4E00..=0x9FFF      // CJK unified ideographs
        | 0xAC00..=0xD7AF      // Hangul syllables
        | 0xF900..=0xFAFF      // CJK compatibility ideographs
        | 0x20000..=0x2FFFF) // CJK extensions B and later
}

/// Adds the words of `text`, each with `prefix`.
pub(crate) fn words(text: &str, prefix: &str, tokens: &mut BTreeSet<String>) {
    let mut word = String::new();
    let mut cjk: Vec<char> = Vec::new();
    for c in text.chars().chain(std::iter::once(' ')) {
        if tokens.len() >= MAX_TOKENS {
            return;
        }
        if is_cjk(c) {
            flush_word(&mut word, prefix, tokens);
            cjk.push(c);
            continue;
        }
        flush_cjk(&mut cjk, prefix, tokens);
        if c.is_alphanumeric() || (matches!(c, '$' | '%' | '\'' | '-') && !word.is_empty()) {
            word.extend(c.to_lowercase());
        } else {
            flush_word(&mut word, prefix, tokens);
        }
    }
}

fn flush_word(word: &mut String, prefix: &str, tokens: &mut BTreeSet<String>) {
    let trimmed = word.trim_end_matches(['\'', '-']);
    let chars = trimmed.chars().count();
    // Numbers alone (dates, amounts, phone numbers) change from message to message.
    if (MIN_WORD..=MAX_WORD).contains(&chars) && trimmed.chars().any(char::is_alphabetic) {
        insert(tokens, format!("{prefix}{trimmed}"));
    }
    word.clear();
}

fn flush_cjk(run: &mut Vec<char>, prefix: &str, tokens: &mut BTreeSet<String>) {
    match run.len() {
        0 => {}
        1 => insert(tokens, format!("{prefix}{}", run[0])),
        _ => {
            for pair in run.windows(2) {
                insert(tokens, format!("{prefix}{}{}", pair[0], pair[1]));
            }
        }
    }
    run.clear();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens_of(text: &str) -> Vec<String> {
        let mut tokens = BTreeSet::new();
        words(text, "", &mut tokens);
        tokens.into_iter().collect()
    }

    #[test]
    fn han_runs_become_overlapping_bigrams() {
        let mut want = vec!["代开", "开发", "发票"];
        want.sort();
        assert_eq!(tokens_of("代开发票"), want);
    }

    #[test]
    fn cjk_punctuation_and_latin_split_runs() {
        let tokens = tokens_of("您好，请查收Invoice附件。好");
        for want in ["您好", "请查", "查收", "invoice", "附件", "好"] {
            assert!(
                tokens.contains(&want.to_string()),
                "{want} missing from {tokens:?}"
            );
        }
        // No bigram across the comma or across the Latin word.
        assert!(!tokens.contains(&"好请".to_string()));
        assert!(!tokens.contains(&"收附".to_string()));
    }

    #[test]
    fn latin_words_are_lower_cased_and_bounded() {
        let tokens =
            tokens_of("FREE Money!! ok 12345 it's a-very-long-word-that-goes-on-and-on-forever");
        assert_eq!(tokens, ["free", "it's", "money"]);
    }

    #[test]
    fn kana_and_hangul_are_cjk_too() {
        assert!(is_cjk('か') && is_cjk('カ') && is_cjk('한') && is_cjk('票'));
        assert!(!is_cjk('a') && !is_cjk('，') && !is_cjk('é'));
    }

    #[test]
    fn a_message_gives_at_most_max_tokens() {
        let text: String = (0..10_000).map(|i| format!("word{i}x ")).collect();
        let scan = Scan {
            text,
            body: true,
            ..Scan::default()
        };
        assert_eq!(of(&scan).len(), MAX_TOKENS);
    }
}
