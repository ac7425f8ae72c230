//! SMTP (RFC 5321) codec: command lines in, replies out.
//!
//! Contract: every function here is pure. The session feeds whatever bytes it has; a parser
//! either consumes a prefix and returns a result or reports that it needs more data.

mod address;
mod client;
mod command;
mod data;
pub mod header;
mod line;
mod reply;
mod sasl;

pub use client::{
    Extensions, MAX_REPLY_LINE, MAX_REPLY_LINES, Response, ResponseStatus, encode_bdat,
    encode_data, is_8bit, parse_response,
};
pub use command::{
    Body, Command, CommandError, MailParams, Notify, Path, RcptParams, Ret, parse_command,
};
pub use data::{DataDecoder, DataStatus};
pub use line::{Line, LineSplitter};
pub use reply::Reply;
pub use sasl::{SaslError, decode_base64, decode_plain, xtext_decode};
