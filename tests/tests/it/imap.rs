//! IMAP (RFC 9051, RFC 3501 and extensions): a file per command or extension.

mod clients;
mod condstore;
mod fetch;
mod hostile;
mod idle;
mod list;
mod qresync;
mod quota;
mod session;
mod sort;
mod starttls;
mod summary;
mod thread;
