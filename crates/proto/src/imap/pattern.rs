//! LIST and LSUB mailbox patterns (RFC 9051 §6.3.9): `*` matches any run of characters,
//! `%` any run without the hierarchy delimiter, everything else itself.
//!
//! A pattern comes from the client and may be a literal as large as a message, so it is
//! bounded before it is used ([`MAX_PATTERN_OCTETS`], [`MAX_WILDCARDS`]), and matching is a
//! simulation of the pattern's positions over the name, never a recursion or a backtracking
//! search: the work is at most (pattern length + 1) x (name length) steps, whatever the
//! wildcards, and the stack does not grow with either.

/// The longest pattern accepted, in octets as sent (a mailbox name is at most 255 here;
/// room is left for a reference and wildcards).
pub const MAX_PATTERN_OCTETS: usize = 1000;

/// The most wildcards (`*` and `%`) a pattern may hold.
pub const MAX_WILDCARDS: usize = 100;

/// Why a pattern was refused. The session answers `NO [LIMIT]` with this text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum PatternError {
    /// Longer than [`MAX_PATTERN_OCTETS`].
    TooLong,
    /// More than [`MAX_WILDCARDS`] wildcards.
    TooManyWildcards,
}

impl std::fmt::Display for PatternError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PatternError::TooLong => {
                write!(f, "mailbox pattern longer than {MAX_PATTERN_OCTETS} octets")
            }
            PatternError::TooManyWildcards => {
                write!(f, "mailbox pattern has more than {MAX_WILDCARDS} wildcards")
            }
        }
    }
}

impl std::error::Error for PatternError {}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Token {
    Char(char),
    /// `*`
    Any,
    /// `%`
    AnyButDelimiter,
}

/// A checked, compiled pattern.
#[derive(Debug, Clone)]
pub struct Pattern {
    tokens: Vec<Token>,
    /// The delimiter `%` does not cross.
    delimiter: char,
}

impl Pattern {
    /// Checks the limits (on the pattern as sent, before any work) and compiles it. Runs of
    /// wildcards collapse: `**` is `*`, `%%` is `%`, and a `*` next to `%` is `*`.
    pub fn new(pattern: &str, delimiter: char) -> Result<Pattern, PatternError> {
        if pattern.len() > MAX_PATTERN_OCTETS {
            return Err(PatternError::TooLong);
        }
        if pattern.chars().filter(|&c| c == '*' || c == '%').count() > MAX_WILDCARDS {
            return Err(PatternError::TooManyWildcards);
        }
        let mut tokens: Vec<Token> = Vec::with_capacity(pattern.len());
        for c in pattern.chars() {
            let t = match c {
                '*' => Token::Any,
                '%' => Token::AnyButDelimiter,
                c => Token::Char(c),
            };
            match (tokens.last_mut(), t) {
                (Some(last @ (Token::Any | Token::AnyButDelimiter)), Token::Any) => {
                    *last = Token::Any
                }
                (Some(Token::Any | Token::AnyButDelimiter), Token::AnyButDelimiter) => {}
                _ => tokens.push(t),
            }
        }
        Ok(Pattern { tokens, delimiter })
    }

    /// Whether `name` matches. `live[i]`: the first `i` tokens can match the name read so far.
    pub fn matches(&self, name: &str) -> bool {
        let n = self.tokens.len();
        let mut live = vec![false; n + 1];
        let mut next = vec![false; n + 1];
        live[0] = true;
        self.close(&mut live);
        for c in name.chars() {
            next.iter_mut().for_each(|b| *b = false);
            let mut any = false;
            for i in 0..n {
                if !live[i] {
                    continue;
                }
                match self.tokens[i] {
                    Token::Char(p) if p == c => next[i + 1] = true,
                    Token::Char(_) => continue,
                    // A wildcard takes `c` and stays where it is.
                    Token::Any => next[i] = true,
                    Token::AnyButDelimiter if c != self.delimiter => next[i] = true,
                    Token::AnyButDelimiter => continue,
                }
                any = true;
            }
            if !any {
                return false;
            }
            std::mem::swap(&mut live, &mut next);
            self.close(&mut live);
        }
        live[n]
    }

    /// A wildcard may also match nothing: a live position before one makes the next live.
    fn close(&self, live: &mut [bool]) {
        for i in 0..self.tokens.len() {
            if live[i] && matches!(self.tokens[i], Token::Any | Token::AnyButDelimiter) {
                live[i + 1] = true;
            }
        }
    }
}

/// The recursive definition of RFC 9051 §6.3.9 that [`Pattern`] replaces, with `/` as the
/// delimiter: exponential in the wildcards, so only the unit tests and the fuzz target
/// (`fuzz/fuzz_targets/list_pattern.rs`) use it, on small inputs, as the oracle.
#[doc(hidden)]
pub fn reference(p: &[char], n: &[char]) -> bool {
    match p.split_first() {
        None => n.is_empty(),
        Some(('*', rest)) => (0..=n.len()).any(|i| reference(rest, &n[i..])),
        Some(('%', rest)) => (0..=n.len())
            .take_while(|&i| i == 0 || n[i - 1] != '/')
            .any(|i| reference(rest, &n[i..])),
        Some((c, rest)) => n.first() == Some(c) && reference(rest, &n[1..]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matches(p: &str, n: &str) -> bool {
        Pattern::new(p, '/').is_ok_and(|c| c.matches(n))
    }

    #[test]
    fn wildcards_follow_rfc_9051_section_6_3_9() {
        let cases = [
            ("*", "INBOX", true),
            ("*", "", true),
            ("%", "", true),
            ("", "", true),
            ("", "a", false),
            ("*", "a/b/c", true),
            ("%", "a", true),
            ("%", "a/b", false),
            ("a/%", "a/b", true),
            ("a/%", "a/b/c", false),
            ("a*", "a/b/c", true),
            ("%/%", "a/b", true),
            ("%*", "a/b", true),
            ("*%", "a/b", true),
            ("%%/c", "a/c", true),
            ("%%/c", "a/b/c", false),
            ("a%c", "abbc", true),
            ("a%c", "ab/c", false),
            ("已*", "已发送", true),
            ("Sent", "sent", false),
        ];
        for (p, n, want) in cases {
            assert_eq!(matches(p, n), want, "{p:?} {n:?}");
        }
    }

    #[test]
    fn agrees_with_the_recursive_definition_on_every_short_pattern() {
        let alphabet = ['a', '/', '*', '%'];
        let names = [
            "", "a", "/", "aa", "a/", "/a", "a/a", "aa/a", "a//a", "aaa/aa", "/a/",
        ];
        for len in 0..=5u32 {
            for k in 0..4usize.pow(len) {
                let mut k = k;
                let p: String = (0..len)
                    .map(|_| {
                        let c = alphabet[k % 4];
                        k /= 4;
                        c
                    })
                    .collect();
                let pc: Vec<char> = p.chars().collect();
                for n in names {
                    let nc: Vec<char> = n.chars().collect();
                    assert_eq!(matches(&p, n), reference(&pc, &nc), "{p:?} {n:?}");
                }
            }
        }
    }

    #[test]
    fn hostile_patterns_are_bounded() {
        assert_eq!(
            Pattern::new(&"*".repeat(200_000), '/').err(),
            Some(PatternError::TooLong)
        );
        assert_eq!(
            Pattern::new(&"%".repeat(101), '/').err(),
            Some(PatternError::TooManyWildcards)
        );
        // 50 stars that must each be placed in 255 characters before failing: one pass.
        let p = Pattern::new(&format!("{}b", "*a".repeat(50)), '/').expect("pattern");
        assert!(!p.matches(&"a".repeat(255)));
        let p = Pattern::new(&"*a".repeat(50), '/').expect("pattern");
        assert!(p.matches(&"a".repeat(255)));
    }
}
