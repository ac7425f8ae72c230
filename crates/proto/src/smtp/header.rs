//! Reading a stored message's header section (RFC 5322 §2.2): fields unfolded, the
//! addresses of an address-list field (§3.4), and counting fields (the hop count of RFC 5321
//! §6.3). Only what policy checks need; not a full parser.

/// The header fields of `message` up to the first empty line, each as (name, unfolded value).
pub fn fields(message: &[u8]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for line in message.split(|&b| b == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.is_empty() {
            break;
        }
        // §2.2.3: a line starting with white space continues the field before it.
        if line[0] == b' ' || line[0] == b'\t' {
            if let Some((_, value)) = out.last_mut() {
                value.push_str(&String::from_utf8_lossy(line));
            }
            continue;
        }
        if let Some(colon) = line.iter().position(|&b| b == b':') {
            let name = String::from_utf8_lossy(&line[..colon]).trim().to_string();
            let value = String::from_utf8_lossy(&line[colon + 1..]).into_owned();
            out.push((name, value));
        }
    }
    out
}

/// Whether `message` holds the whole header section: it has the empty line that ends it
/// (RFC 5322 §2.1).
pub fn complete(message: &[u8]) -> bool {
    message.starts_with(b"\r\n") || message.windows(4).any(|w| w == b"\r\n\r\n")
}

/// How many header fields are named `name` (case-insensitively).
pub fn count(message: &[u8], name: &str) -> usize {
    fields(message)
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case(name))
        .count()
}

/// The addr-specs of an address-list or mailbox-list value (RFC 5322 §3.4): display names,
/// comments and group names dropped, `<...>` taken when present. Lowercase domains are not
/// forced; compare case-insensitively.
pub fn addresses(value: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut angle: Option<String> = None;
    let (mut quoted, mut escaped, mut comment, mut in_angle) = (false, false, 0usize, false);
    let mut finish = |current: &mut String, angle: &mut Option<String>| {
        let address = match angle.take() {
            Some(a) => a,
            None => std::mem::take(current),
        };
        current.clear();
        let address = address.trim();
        // A group's name ends with ':' (§3.4); what follows is its first member.
        let address = address.rsplit(':').next().unwrap_or(address).trim();
        if !address.is_empty() {
            out.push(address.to_string());
        }
    };
    for c in value.chars() {
        if escaped {
            escaped = false;
            if in_angle {
                if let Some(a) = angle.as_mut() {
                    a.push(c);
                }
            } else if comment == 0 {
                current.push(c);
            }
            continue;
        }
        match c {
            '\\' if quoted || comment > 0 => escaped = true,
            '"' if comment == 0 => {
                quoted = !quoted;
                if in_angle {
                    if let Some(a) = angle.as_mut() {
                        a.push(c);
                    }
                } else {
                    current.push(c);
                }
            }
            '(' if !quoted => comment += 1,
            ')' if !quoted && comment > 0 => comment -= 1,
            _ if comment > 0 => {}
            '<' if !quoted => {
                in_angle = true;
                angle = Some(String::new());
            }
            '>' if !quoted && in_angle => in_angle = false,
            ',' | ';' if !quoted && !in_angle => finish(&mut current, &mut angle),
            _ if in_angle => {
                if let Some(a) = angle.as_mut() {
                    a.push(c);
                }
            }
            _ if quoted => current.push(c),
            _ if c.is_whitespace() => current.push(' '),
            _ => current.push(c),
        }
    }
    finish(&mut current, &mut angle);
    // A display name without angle brackets is not an address: keep only addr-specs.
    out.retain(|a| a.contains('@') && !a.contains(' '));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_unfolded_and_stop_at_the_body() {
        let message =
            b"From: A\r\n <a@x.test>\r\nReceived: one\r\nreceived: two\r\n\r\nReceived: body\r\n";
        let f = fields(message);
        assert_eq!(f[0], ("From".to_string(), " A <a@x.test>".to_string()));
        assert_eq!(count(message, "Received"), 2);
    }

    #[test]
    fn addresses_are_found_behind_names_comments_and_groups() {
        let cases: &[(&str, &[&str])] = &[
            (" a@x.test", &["a@x.test"]),
            (" \"CEO, Boss\" <ceo@x.test>", &["ceo@x.test"]),
            (
                " CEO <ceo@x.test>, b@y.test (Bee)",
                &["ceo@x.test", "b@y.test"],
            ),
            (" (comment <evil@z.test>) a@x.test", &["a@x.test"]),
            (" \"evil@z.test\" <a@x.test>", &["a@x.test"]),
            (" team: a@x.test, b@x.test;", &["a@x.test", "b@x.test"]),
            (" Undisclosed recipients:;", &[]),
        ];
        for (value, want) in cases {
            assert_eq!(addresses(value), *want, "{value}");
        }
    }
}
