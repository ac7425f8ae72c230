//! Collecting mail from ISP mailboxes (POP3 and IMAP) against a private Dovecot.

mod dedupe;
mod domain;
mod imap;
mod live;
mod pop3;
