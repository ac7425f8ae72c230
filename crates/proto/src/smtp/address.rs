//! Reverse- and forward-paths (RFC 5321 §4.1.2), with UTF-8 addresses (RFC 6531 §3.3).

use super::command::{CommandError, Path};

/// Which command the path belongs to: they differ in `<>` and `<Postmaster>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum PathOf {
    Mail,
    Rcpt,
}

/// Parses the path at the start of `s` (what follows `FROM:` or `TO:`, spaces skipped) and
/// returns it with the rest of the line.
pub(super) fn parse_path(s: &str, of: PathOf) -> Result<(Path, &str), CommandError> {
    let (inner, rest) = if let Some(after) = s.strip_prefix('<') {
        let end = closing_bracket(after).ok_or(CommandError::BadAddress("missing >"))?;
        (&after[..end], &after[end + 1..])
    } else {
        // Lenient, like Postfix: a path without angle brackets ends at the first space.
        let end = s.find([' ', '\t']).unwrap_or(s.len());
        if end == 0 {
            return Err(CommandError::Syntax("missing path"));
        }
        (&s[..end], &s[end..])
    };
    if !(rest.is_empty() || rest.starts_with([' ', '\t'])) {
        return Err(CommandError::Syntax("text after the path"));
    }
    Ok((path(inner, of)?, rest))
}

/// The index of the `>` that closes a path, skipping any inside a quoted local part.
fn closing_bracket(s: &str) -> Option<usize> {
    let mut quoted = false;
    let mut escaped = false;
    for (i, b) in s.bytes().enumerate() {
        match b {
            _ if escaped => escaped = false,
            b'\\' if quoted => escaped = true,
            b'"' => quoted = !quoted,
            b'>' if !quoted => return Some(i),
            _ => {}
        }
    }
    None
}

/// The path between the brackets.
fn path(inner: &str, of: PathOf) -> Result<Path, CommandError> {
    if inner.is_empty() {
        // §4.1.1.2: the null reverse-path; a forward-path is never null.
        return match of {
            PathOf::Mail => Ok(Path::Null),
            PathOf::Rcpt => Err(CommandError::BadAddress("null forward-path")),
        };
    }
    // §4.1.1.3: "Postmaster" without a domain, any case, is a valid recipient.
    if of == PathOf::Rcpt && inner.eq_ignore_ascii_case("postmaster") {
        return Ok(Path::Mailbox("postmaster".into()));
    }
    let mailbox = strip_source_route(inner)?;
    let local_len = local_part_len(mailbox).ok_or(CommandError::BadAddress("bad local part"))?;
    let domain = mailbox[local_len..]
        .strip_prefix('@')
        .ok_or(CommandError::BadAddress("missing domain"))?;
    if !is_domain(domain) {
        return Err(CommandError::BadAddress("bad domain"));
    }
    Ok(Path::Mailbox(mailbox.to_string()))
}

/// §4.1.2 and Appendix C: `@one,@two:user@host` is a source route; it must be accepted and
/// SHOULD be ignored. Returns the mailbox after it.
fn strip_source_route(s: &str) -> Result<&str, CommandError> {
    let mut rest = s;
    if !rest.starts_with('@') {
        return Ok(s);
    }
    while let Some(after) = rest.strip_prefix('@') {
        // A domain in a route ends at "," or ":", except inside an address literal.
        let len = if after.starts_with('[') {
            after.find(']').map_or(after.len(), |i| i + 1)
        } else {
            after.find([',', ':']).unwrap_or(after.len())
        };
        if !is_domain(&after[..len]) {
            return Err(CommandError::BadAddress("bad source route"));
        }
        rest = &after[len..];
        if let Some(next) = rest.strip_prefix(',') {
            rest = next;
        } else if let Some(mailbox) = rest.strip_prefix(':') {
            return Ok(mailbox);
        } else {
            break;
        }
    }
    Err(CommandError::BadAddress("bad source route"))
}

/// The length of the local part at the start of `s`: a Dot-string or a Quoted-string
/// (§4.1.2), with UTF-8 allowed (RFC 6531 §3.3). `None` if it is malformed.
fn local_part_len(s: &str) -> Option<usize> {
    if let Some(after) = s.strip_prefix('"') {
        let mut chars = after.char_indices();
        while let Some((i, c)) = chars.next() {
            match c {
                '"' => return Some(i + 2),
                // quoted-pairSMTP = "\" %d32-126
                '\\' => match chars.next() {
                    Some((_, e)) if (' '..='~').contains(&e) || is_utf8_text(e) => {}
                    _ => return None,
                },
                // qtextSMTP = %d32-33 / %d35-91 / %d93-126
                ' '..='~' => {}
                c if is_utf8_text(c) => {}
                _ => return None,
            }
        }
        return None;
    }
    let len = s.find('@').unwrap_or(s.len());
    let dot_string = &s[..len];
    let atoms_ok = dot_string
        .split('.')
        .all(|atom| !atom.is_empty() && atom.chars().all(|c| is_atext(c) || is_utf8_text(c)));
    atoms_ok.then_some(len)
}

/// atext of RFC 5322 §3.2.3, which §4.1.2 uses for atoms.
fn is_atext(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!#$%&'*+-/=?^_`{|}~".contains(c)
}

/// UTF8-non-ascii of RFC 6531 §3.3, less the controls and spaces that no address needs.
fn is_utf8_text(c: char) -> bool {
    !c.is_ascii() && !c.is_control() && !c.is_whitespace()
}

/// A Domain (§4.1.2: sub-domains of letters, digits and inner hyphens, RFC 6531 U-labels
/// allowed) or an address literal (§4.1.3).
pub(super) fn is_domain(s: &str) -> bool {
    if let Some(literal) = s.strip_prefix('[') {
        return literal.strip_suffix(']').is_some_and(is_address_literal);
    }
    // §4.5.3.1.2: at most 255 octets; RFC 1035 §2.3.4: labels at most 63.
    s.len() <= 255
        && s.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || is_utf8_text(c))
        })
}

/// IPv4-address-literal or IPv6-address-literal (§4.1.3). General-address-literal tags are
/// all unregistered, so they are refused.
fn is_address_literal(s: &str) -> bool {
    if let Some(v6) = s
        .get(..5)
        .filter(|tag| tag.eq_ignore_ascii_case("IPv6:"))
        .and(s.get(5..))
    {
        return v6.parse::<std::net::Ipv6Addr>().is_ok();
    }
    // Snum = 1*3DIGIT representing 0-255; leading zeros are allowed, unlike Ipv4Addr's parser.
    let mut parts = 0;
    let ok = s.split('.').all(|snum| {
        parts += 1;
        (1..=3).contains(&snum.len())
            && snum.bytes().all(|b| b.is_ascii_digit())
            && snum.parse::<u16>().is_ok_and(|n| n <= 255)
    });
    ok && parts == 4
}
