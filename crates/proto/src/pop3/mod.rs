//! POP3 (RFC 1939) codec with the extensions of RFC 2449 (CAPA, response codes), RFC 2595
//! (STLS), RFC 5034 (SASL AUTH) and RFC 6856 (UTF8): command lines in, responses out.
//!
//! Contract: every function here is pure. The session splits its input into lines with
//! [`LineSplitter`] (the same splitter as SMTP: a line ends at LF, an over-long line is thrown
//! away as it streams in) and hands each line to [`parse_command`]. Responses, multi-line
//! bodies included, are appended to a `Vec<u8>`; a message body is written chunk by chunk
//! through [`Multiline`], which dot-stuffs it and, for TOP, stops after the wanted lines.

mod command;
mod multiline;
mod reply;
mod sasl;

pub use crate::smtp::{Line, LineSplitter};
pub use command::{Command, CommandError, parse_command};
pub use multiline::{Multiline, write_lines};
pub use reply::{Reply, RespCode, write_challenge};
pub use sasl::{Mechanism, SaslServer, Step};

/// The longest command line the session reads, without CRLF. RFC 2449 §4 caps a command at
/// 255 octets; a SASL response (RFC 5034 §4) may be longer, so lines up to this size are
/// taken.
pub const MAX_LINE: usize = 4096;
