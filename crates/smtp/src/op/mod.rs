//! One file per SMTP verb (or small family of verbs); each adds `handle_<verb>` to the session.

mod auth;
mod bdat;
mod data;
mod ehlo;
mod etrn;
mod mail;
mod rcpt;
mod rset;
mod starttls;
mod vrfy;

pub(crate) use bdat::Chunks;
