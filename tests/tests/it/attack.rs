//! Attacks performed against the real binary; each checks the server stays up and loses nothing.

mod admin;
mod imap;
mod memory;
mod outbound;
