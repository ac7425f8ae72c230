//! Sequence sets (RFC 9051 §9 `sequence-set`): `1,3:5,7:*`, for message numbers and UIDs.

use super::ParseError;
use super::parse::{Cursor, syntax};

/// One end of a range: a number, or `*` (the largest in use).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeqNum {
    Value(u32),
    Last,
}

/// A sequence set as sent; resolve it against the mailbox with [`SequenceSet::contains`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SequenceSet {
    pub ranges: Vec<(SeqNum, SeqNum)>,
    /// RFC 9051 §6.4.4.1 `$`: the saved search result (SEARCHRES); not offered, so the parser
    /// refuses `$` and this is always false.
    pub saved: bool,
}

/// The most ranges one set may hold: a limit before allocation.
pub const MAX_RANGES: usize = 10_000;

impl SequenceSet {
    /// Whether `n` is in the set, where `*` stands for `last` (RFC 9051 §9: `*` is the largest
    /// number in use; `3:*` with 2 messages is `2:3`).
    pub fn contains(&self, n: u32, last: u32) -> bool {
        self.ranges.iter().any(|&(a, b)| {
            let a = a.resolve(last);
            let b = b.resolve(last);
            let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
            lo <= n && n <= hi
        })
    }

    /// A set of single numbers and ranges, for responses (`1:3,5`).
    pub fn format(numbers: &[u32]) -> String {
        let mut sorted = numbers.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        let mut out = String::new();
        let mut i = 0;
        while i < sorted.len() {
            let start = sorted[i];
            let mut end = start;
            while i + 1 < sorted.len() && sorted[i + 1] == end + 1 {
                i += 1;
                end = sorted[i];
            }
            if !out.is_empty() {
                out.push(',');
            }
            if start == end {
                out.push_str(&start.to_string());
            } else {
                out.push_str(&format!("{start}:{end}"));
            }
            i += 1;
        }
        out
    }
}

impl SeqNum {
    pub fn resolve(self, last: u32) -> u32 {
        match self {
            SeqNum::Value(v) => v,
            SeqNum::Last => last,
        }
    }
}

impl Cursor<'_> {
    pub(crate) fn sequence_set(&mut self) -> Result<SequenceSet, ParseError> {
        // RFC 5182 §2.1: `$` is the saved search result of SEARCHRES, which is not offered
        // here: without it, `$` is no sequence set (a BAD, rather than an empty match).
        if self.peek() == Some(b'$') {
            return Err(syntax(
                "$ needs SEARCHRES, which this server does not offer",
            ));
        }
        let mut ranges = Vec::new();
        loop {
            let a = self.seq_number()?;
            let b = if self.eat(b':') {
                self.seq_number()?
            } else {
                a
            };
            if ranges.len() >= MAX_RANGES {
                return Err(syntax("too many ranges in a sequence set"));
            }
            ranges.push((a, b));
            if !self.eat(b',') {
                return Ok(SequenceSet {
                    ranges,
                    saved: false,
                });
            }
        }
    }

    fn seq_number(&mut self) -> Result<SeqNum, ParseError> {
        if self.eat(b'*') {
            return Ok(SeqNum::Last);
        }
        // RFC 9051 §9 `nz-number`: zero is not a message number or UID.
        match self.number()? {
            0 => Err(syntax("0 is not a valid message number")),
            n => Ok(SeqNum::Value(n)),
        }
    }
}
