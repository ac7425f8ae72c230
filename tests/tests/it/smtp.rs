//! Inbound SMTP (RFC 5321) and submission (RFC 6409): a file per command or topic.

mod auth;
mod bdat;
mod delivery;
mod etrn;
mod hostile;
