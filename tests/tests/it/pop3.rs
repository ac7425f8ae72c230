//! POP3 (RFC 1939, RFC 2449, RFC 5034): a file per command group.

mod auth;
mod clients;
mod commands;
mod hostile;
mod retr;
mod stls;
mod update;
