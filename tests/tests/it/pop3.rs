//! POP3 (RFC 1939, RFC 2449, RFC 5034): a file per command group.

mod auth;
mod capa;
mod clients;
mod hostile;
mod list;
mod retr;
mod stls;
mod top;
mod update;
