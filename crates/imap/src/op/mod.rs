//! One file per IMAP command (or small family of commands); each adds `handle_<command>` to
//! the session.

mod append;
mod copy;
mod expunge;
mod fetch;
mod idle;
mod info;
mod list;
mod login;
mod mailbox;
mod search;
mod select;
mod starttls;
mod store;
