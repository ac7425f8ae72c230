//! IMAP (RFC 9051 IMAP4rev2, RFC 3501 IMAP4rev1): the client's commands and the server's
//! responses, sans I/O.
//!
//! Contract: [`CommandReader`] takes the bytes received so far and returns whole commands,
//! literals included, or [`Frame::Incomplete`]; it asks the session to send a continuation
//! request for each synchronizing literal, and refuses an over-long line or an over-large
//! literal announcement without buffering it. [`parse_command`] turns a framed command into a
//! [`Request`]; it never panics and limits nesting depth. Mailbox names are returned as sent:
//! [`mutf7`] decodes them for IMAP4rev1 clients.
//!
//! # Layout
//! - `framing.rs`: lines and literals (`{n}`, `{n+}`), limits.
//! - `parse.rs`: atoms, strings, literals, flags.
//! - `command.rs`: [`Command`] and [`parse_command`]; tests in `command/tests.rs`.
//! - `sequence.rs`, `fetch.rs`, `search.rs`: sequence sets, FETCH items, SEARCH keys.
//! - `charset.rs`: SEARCH CHARSET: the charsets known (encoding_rs) and their decoding.
//! - `list.rs`: LIST-EXTENDED options (RFC 5258, 5819, 6154) and CREATE's `USE`.
//! - `pattern.rs`: LIST/LSUB mailbox patterns (`*`, `%`), bounded and matched without
//!   recursion.
//! - `sort.rs`: SORT and THREAD criteria (RFC 5256, 5957, 5267).
//! - `condstore.rs`: CONDSTORE/QRESYNC parameters (RFC 7162), QUOTA commands (RFC 9208).
//! - `date.rs`: `date` and `date-time`, civil-day arithmetic.
//! - `mutf7.rs`: modified UTF-7 mailbox names (RFC 3501 §5.1.3).
//! - `response.rs`: status lines, quoting and literals.

pub mod charset;
mod command;
mod condstore;
pub mod date;
mod fetch;
mod framing;
mod list;
pub mod mutf7;
mod parse;
pub mod pattern;
pub mod response;
mod search;
mod sequence;
mod sort;

pub use command::{
    Command, CopyArgs, MailboxName, Request, SearchArgs, SearchReturn, SelectArgs, StatusItem,
    StoreArgs, StoreOp, parse_command,
};
pub use condstore::{FetchModifiers, Qresync, SelectParams};
pub use fetch::{FetchAttr, Section, SectionText};
pub use framing::{CommandReader, Frame, Limits, tag_of};
pub use list::ListOptions;
pub use parse::MAX_DEPTH;
pub use search::{MAX_SEARCH_KEYS, SearchKey};
pub use sequence::{SeqNum, SequenceSet};
pub use sort::{SortCriterion, SortKey, ThreadAlgorithm};

/// Why a command did not parse. The session answers BAD with a generic text.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ParseError {
    /// Not a command we know.
    Unknown,
    /// Malformed; the text says which part.
    Syntax(&'static str),
    /// Parentheses (or NOT/OR) nested deeper than [`MAX_DEPTH`].
    TooDeep,
    /// A search string that is not valid in its charset (UTF-8 unless CHARSET said
    /// otherwise); Dovecot answers BAD too.
    BadCharset,
    /// SEARCH/SORT/THREAD named a charset we cannot decode (RFC 9051 §6.4.4: the session
    /// answers `NO [BADCHARSET (...)]`, never BAD).
    UnknownCharset,
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ParseError::Unknown => f.write_str("unknown command"),
            ParseError::Syntax(why) => write!(f, "syntax error: {why}"),
            ParseError::TooDeep => f.write_str("nested too deeply"),
            ParseError::BadCharset => f.write_str("search text is not valid in its charset"),
            ParseError::UnknownCharset => f.write_str("unknown charset"),
        }
    }
}

impl std::error::Error for ParseError {}
