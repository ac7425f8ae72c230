//! Inbound trust (issue #16) against real peers: dnsmasq serving the senders' SPF, DKIM and
//! DMARC records, mail signed and sealed by dkimpy and sent by smtplib; the content filter
//! learning from IMAP moves.

mod auth;
mod content;
