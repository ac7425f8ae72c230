//! LIST/LSUB mailbox patterns (`proto::imap::pattern`): the input is `pattern NUL name`.
//! The matcher must never panic, must refuse what is past the limits, and on short inputs
//! must agree with the recursive definition of RFC 9051 §6.3.9 (small enough there for the
//! exponential reference to stay quick).

#![no_main]

use libfuzzer_sys::fuzz_target;
use proto::imap::pattern::{MAX_PATTERN_OCTETS, MAX_WILDCARDS, Pattern, reference};

fuzz_target!(|data: &[u8]| {
    let (pattern, name) = match data.iter().position(|&b| b == 0) {
        Some(at) => (&data[..at], &data[at + 1..]),
        None => (data, &b""[..]),
    };
    let pattern = String::from_utf8_lossy(pattern);
    let name = String::from_utf8_lossy(name);
    let wildcards = pattern.chars().filter(|&c| c == '*' || c == '%').count();
    let compiled = Pattern::new(&pattern, '/');
    let within = pattern.len() <= MAX_PATTERN_OCTETS && wildcards <= MAX_WILDCARDS;
    assert_eq!(compiled.is_ok(), within, "{pattern:?}");
    let Ok(compiled) = compiled else {
        return;
    };
    let got = compiled.matches(&name);
    if wildcards == 0 {
        assert_eq!(got, pattern == name, "{pattern:?} {name:?}");
    }
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    if wildcards <= 4 && p.len() <= 16 && n.len() <= 24 {
        assert_eq!(got, reference(&p, &n), "{pattern:?} {name:?}");
    }
});
