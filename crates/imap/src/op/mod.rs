//! One file per IMAP command (or small family of commands); each adds `handle_<command>` to
//! the session.

mod append;
mod copy;
mod cpu;
mod expunge;
mod fetch;
mod headers;
mod idle;
mod info;
mod list;
mod login;
mod mailbox;
mod prefetch;
mod quota;
mod search;
mod search_text;
mod select;
mod sort;
mod starttls;
mod store;
mod summary;
mod thread;
