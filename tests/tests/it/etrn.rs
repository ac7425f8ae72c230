//! The ETRN client (RFC 1985) asking backup MXes.

mod client;
mod live;
