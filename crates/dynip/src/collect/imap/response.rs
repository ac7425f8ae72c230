//! IMAP server responses (RFC 9051 §7) as tokens, literals included (§4.3): a response line
//! that ends in `{n}` continues after `n` octets of literal data, which may hold anything
//! (CRLFs, parentheses, lines that look like tagged responses). The tokenizer is sans-I/O;
//! `read` gathers one whole response from the connection.

use super::super::CollectError;
use super::super::conn::Conn;

/// The largest literal we accept: bigger than any message we would store.
const MAX_LITERAL: usize = 2 * 1024 * 1024 * 1024;

/// One response: text pieces, each but the last followed by a literal.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Response {
    pub texts: Vec<Vec<u8>>,
    pub literals: Vec<Vec<u8>>,
}

/// A token of a response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Token {
    /// An atom, number, `NIL`, a flag, or a bracketed part taken whole (`[UIDVALIDITY 9]`,
    /// `BODY[]`).
    Atom(String),
    /// A quoted string (§4.3), unescaped, or a literal's bytes.
    String(Vec<u8>),
    Open,
    Close,
}

/// Reads one response: a line, and for each `{n}` at its end, n octets and the rest.
pub(crate) async fn read(conn: &mut Conn) -> Result<Response, CollectError> {
    let mut response = Response::default();
    loop {
        let line = conn.read_line().await?;
        match literal_length(&line) {
            Some(n) => {
                if n > MAX_LITERAL {
                    return Err(CollectError::Protocol(format!(
                        "the server announced a literal of {n} bytes"
                    )));
                }
                let open = line.iter().rposition(|&b| b == b'{').unwrap_or(0);
                response.texts.push(line[..open].to_vec());
                response.literals.push(conn.read_exact(n).await?);
            }
            None => {
                response.texts.push(line);
                return Ok(response);
            }
        }
    }
}

/// `n` when the line ends with `{n}` (or the non-synchronizing `{n+}`, RFC 7888).
fn literal_length(line: &[u8]) -> Option<usize> {
    let inner = line.strip_suffix(b"}")?;
    let open = inner.iter().rposition(|&b| b == b'{')?;
    let digits = &inner[open + 1..];
    let digits = digits.strip_suffix(b"+").unwrap_or(digits);
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(digits).ok()?.parse().ok()
}

impl Response {
    /// The response's tokens, each literal as one [`Token::String`].
    pub(crate) fn tokens(&self) -> Vec<Token> {
        let mut tokens = Vec::new();
        for (i, text) in self.texts.iter().enumerate() {
            tokenize(text, &mut tokens);
            if let Some(literal) = self.literals.get(i) {
                tokens.push(Token::String(literal.clone()));
            }
        }
        tokens
    }

    /// The first line, for messages.
    pub(crate) fn first_line(&self) -> String {
        let text = self.texts.first().map(Vec::as_slice).unwrap_or_default();
        crate::snippet(&String::from_utf8_lossy(text))
    }
}

fn tokenize(text: &[u8], out: &mut Vec<Token>) {
    let mut i = 0;
    while i < text.len() {
        match text[i] {
            b' ' => i += 1,
            b'(' => {
                out.push(Token::Open);
                i += 1;
            }
            b')' => {
                out.push(Token::Close);
                i += 1;
            }
            b'"' => {
                let mut s = Vec::new();
                i += 1;
                while i < text.len() && text[i] != b'"' {
                    if text[i] == b'\\' && i + 1 < text.len() {
                        i += 1;
                    }
                    s.push(text[i]);
                    i += 1;
                }
                i += 1;
                out.push(Token::String(s));
            }
            _ => {
                let start = i;
                let mut depth = 0usize;
                while i < text.len() {
                    match text[i] {
                        b'[' => depth += 1,
                        b']' => depth = depth.saturating_sub(1),
                        b' ' | b'(' | b')' if depth == 0 => break,
                        _ => {}
                    }
                    i += 1;
                }
                out.push(Token::Atom(
                    String::from_utf8_lossy(&text[start..i]).into_owned(),
                ));
            }
        }
    }
}

/// The data items of `* n FETCH (...)` (RFC 9051 §7.5.2): each name (upper case) with its
/// value; a parenthesized value (FLAGS) is skipped as `None`.
pub(crate) fn fetch_items(tokens: &[Token]) -> Option<Vec<(String, Option<Token>)>> {
    let [
        Token::Atom(star),
        Token::Atom(_),
        Token::Atom(fetch),
        Token::Open,
        rest @ ..,
    ] = tokens
    else {
        return None;
    };
    if star != "*" || !fetch.eq_ignore_ascii_case("FETCH") {
        return None;
    }
    let mut items = Vec::new();
    let mut i = 0;
    while let Some(Token::Atom(name)) = rest.get(i) {
        i += 1;
        match rest.get(i) {
            Some(Token::Open) => {
                let mut depth = 0usize;
                while let Some(token) = rest.get(i) {
                    i += 1;
                    match token {
                        Token::Open => depth += 1,
                        Token::Close if depth == 1 => break,
                        Token::Close => depth -= 1,
                        _ => {}
                    }
                }
                items.push((name.to_ascii_uppercase(), None));
            }
            Some(value) => {
                items.push((name.to_ascii_uppercase(), Some(value.clone())));
                i += 1;
            }
            None => return None,
        }
    }
    Some(items)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(texts: &[&[u8]], literals: &[&[u8]]) -> Response {
        Response {
            texts: texts.iter().map(|t| t.to_vec()).collect(),
            literals: literals.iter().map(|l| l.to_vec()).collect(),
        }
    }

    #[test]
    fn literal_lengths_end_the_line() {
        assert_eq!(literal_length(b"* 1 FETCH (BODY[] {42}"), Some(42));
        assert_eq!(literal_length(b"A1 LOGIN {5+}"), Some(5));
        assert_eq!(literal_length(b"* OK {x}"), None);
        assert_eq!(literal_length(b"* OK done"), None);
    }

    #[test]
    fn a_fetch_with_a_literal_body_gives_uid_and_body() {
        // The literal holds what looks like a closing parenthesis and a tagged response.
        let body: &[u8] = b"Subject: x\r\n\r\n)\r\nA2 OK fake\r\n";
        let r = response(
            &[b"* 7 FETCH (UID 42 FLAGS (\\Seen \\Recent) BODY[] ", b")"],
            &[body],
        );
        let items = fetch_items(&r.tokens()).expect("fetch");
        assert_eq!(items[0], ("UID".into(), Some(Token::Atom("42".into()))));
        assert_eq!(items[1], ("FLAGS".into(), None));
        assert_eq!(
            items[2],
            ("BODY[]".into(), Some(Token::String(body.to_vec())))
        );
    }

    #[test]
    fn quoted_strings_and_bracketed_codes_are_single_tokens() {
        let r = response(&[b"* OK [UIDVALIDITY 3857529045] \"a \\\"q\\\" b\""], &[]);
        assert_eq!(
            r.tokens(),
            vec![
                Token::Atom("*".into()),
                Token::Atom("OK".into()),
                Token::Atom("[UIDVALIDITY 3857529045]".into()),
                Token::String(b"a \"q\" b".to_vec()),
            ]
        );
    }

    #[test]
    fn other_responses_are_not_fetches() {
        let r = response(&[b"* 3 EXISTS"], &[]);
        assert_eq!(fetch_items(&r.tokens()), None);
    }
}
