//! Inbound trust (issue #16) against real peers: dnsmasq serving the senders' SPF, DKIM and
//! DMARC records and the test blocklist zones, mail signed and sealed by dkimpy and sent by
//! smtplib or a private Postfix, Debian's clamd; the content filter learning from IMAP moves.

mod auth;
mod clamd;
mod content;
mod greylist;
mod peer;
