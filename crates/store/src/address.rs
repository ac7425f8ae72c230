//! Address and domain syntax as the store accepts them, and normalisation.
//!
//! Everything is stored and compared lowercased (the columns are also `COLLATE NOCASE`).
//! This is deliberately stricter than RFC 5321: a dot-atom local part (no quoted strings)
//! and a hostname of letters, digits and hyphens.

use crate::{Result, StoreError};

/// Trimmed and lowercased.
pub(crate) fn normalize(s: &str) -> String {
    s.trim().to_lowercase()
}

/// The domain of an address (after the last `@`), or `None` without one.
pub(crate) fn domain_of(address: &str) -> Option<&str> {
    address.rsplit_once('@').map(|(_, domain)| domain)
}

/// A hostname: labels of letters, digits and inner hyphens, with a dot, or `localhost`.
pub(crate) fn check_domain(name: &str) -> Result<()> {
    let invalid = |why: &str| {
        Err(StoreError::Invalid(format!(
            "{name:?} is not a valid domain name: {why}"
        )))
    };
    if name.is_empty() {
        return Err(StoreError::Invalid("the domain name is empty".into()));
    }
    if name.len() > 253 {
        return invalid("longer than 253 characters");
    }
    if !name.contains('.') && name != "localhost" {
        return invalid("it needs a dot (like example.com)");
    }
    for label in name.split('.') {
        if label.is_empty() {
            return invalid("it has an empty label");
        }
        if label.len() > 63 {
            return invalid("a label is longer than 63 characters");
        }
        if label.starts_with('-') || label.ends_with('-') {
            return invalid("a label starts or ends with a hyphen");
        }
        if !label.chars().all(|c| c.is_alphanumeric() || c == '-') {
            return invalid("only letters, digits, hyphens and dots are allowed");
        }
    }
    Ok(())
}

/// A dot-atom local part (RFC 5322 §3.2.3), at most 64 octets (RFC 5321 §4.5.3.1.1).
fn check_local_part(address: &str, local: &str) -> Result<()> {
    const SPECIALS: &str = "()<>[]:;@\\,\"";
    let ok = !local.is_empty()
        && local.len() <= 64
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local
            .chars()
            .all(|c| !c.is_whitespace() && !c.is_control() && !SPECIALS.contains(c));
    if ok {
        Ok(())
    } else {
        Err(StoreError::Invalid(format!(
            "{address:?} is not a valid address: the part before @ is empty or has characters that are not allowed"
        )))
    }
}

/// `local@domain`, already normalised; returns the domain.
pub(crate) fn check_address(address: &str) -> Result<&str> {
    if address.is_empty() {
        return Err(StoreError::Invalid("the address is empty".into()));
    }
    let Some((local, domain)) = address.rsplit_once('@') else {
        return Err(StoreError::Invalid(format!(
            "{address:?} is not a valid address: it needs the form name@domain"
        )));
    };
    check_local_part(address, local)?;
    check_domain(domain)?;
    Ok(domain)
}

/// `local@domain` or `@domain` (a catch-all), already normalised; returns the domain.
pub(crate) fn check_alias_address(address: &str) -> Result<&str> {
    match address.strip_prefix('@') {
        Some(domain) => {
            check_domain(domain)?;
            Ok(domain)
        }
        None => check_address(address),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostnames_need_a_dot_or_are_localhost() {
        assert!(check_domain("example.test").is_ok());
        assert!(check_domain("localhost").is_ok());
        assert!(check_domain("xn--bcher-kva.example").is_ok());
        for bad in [
            "",
            "example",
            "exa mple.test",
            "a..b",
            ".a.b",
            "-a.b",
            "a_b.c",
            "a.b.",
        ] {
            assert!(check_domain(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn addresses_are_dot_atoms_at_hostnames() {
        assert_eq!(
            check_address("a.b+tag@example.test").ok(),
            Some("example.test")
        );
        for bad in [
            "",
            "a",
            "@example.test",
            "a@",
            "a b@example.test",
            "a..b@x.test",
            "\"a\"@x.test",
        ] {
            assert!(check_address(bad).is_err(), "{bad:?} accepted");
        }
        assert_eq!(
            check_alias_address("@example.test").ok(),
            Some("example.test")
        );
    }
}
