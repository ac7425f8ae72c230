//! Sans-I/O wire codecs for Postroom's protocols.
//!
//! This crate never touches a socket, a file or a clock: parsers take byte slices and say
//! [`smtp::Line::Incomplete`] (or the equivalent) when they need more input; writers append
//! bytes to a `Vec<u8>`. Sessions in the protocol crates own the I/O and the state.
//!
//! # Layout
//! - `smtp/line.rs`: splitting the input into command lines, with a length limit that never
//!   buffers an over-long line.
//! - `smtp/command.rs`: one command line to a [`smtp::Command`] (RFC 5321 §4.1, with the
//!   parameters of SIZE, 8BITMIME, SMTPUTF8, DSN, AUTH and CHUNKING); its tests, table-driven
//!   and proptest, are in `smtp/command/tests.rs`.
//! - `smtp/address.rs`: reverse- and forward-paths: source routes, dot-string and quoted
//!   local parts, domains and address literals, UTF-8 (RFC 6531).
//! - `smtp/data.rs`: the DATA body decoder: CRLF.CRLF framing, dot-unstuffing, bare LF made
//!   CRLF, bare CR detection (SMTP smuggling), size limit.
//! - `smtp/reply.rs`: replies, single and multi-line, with enhanced status codes.
//! - `smtp/client.rs`: the client side: server replies, EHLO keywords, DATA/BDAT encoding
//!   (dot-stuffing, CRLF line ends) for the outbound queue.
//! - `smtp/sasl.rs`: AUTH PLAIN and LOGIN payload decoding (RFC 4954, RFC 4616).
//! - `shape.rs`: the nesting and part limits of a message, checked in one pass before
//!   mail-parser sees it (IMAP and the inbound content filter).
//! - `pop3/`: POP3 (RFC 1939, 2449, 2595, 5034): `command.rs` (command lines), `reply.rs`
//!   (`+OK`/`-ERR [CODE]`), `multiline.rs` (streaming dot-stuffing, TOP's line limit),
//!   `sasl.rs` (the PLAIN/LOGIN exchange as a state machine); lines are split by
//!   `smtp::LineSplitter`.
//! - `imap/`: IMAP (RFC 9051, RFC 3501): `framing.rs` (lines and literals, limits before
//!   allocation), `command.rs` (commands), `search.rs`, `fetch.rs`, `sequence.rs`, `mutf7.rs`
//!   (mailbox names), `response.rs` (quoting, literals).
//! - `fuzz/`: cargo-fuzz targets (`smtp_session`, `smtp_data`, `pop3_session`), dictionaries
//!   and seed sessions; a separate workspace, see `fuzz/README.md`.

pub mod imap;
pub mod pop3;
pub mod shape;
pub mod smtp;
