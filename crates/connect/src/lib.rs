//! Mail on a dynamic-IP office line (issue #7): the public IP watcher, dynamic DNS updaters,
//! collection from outside POP3/IMAP mailboxes, ETRN and the connectivity doctor.
//!
//! # Layout
//! - `ip/`: finding the public IPv4/IPv6 address through HTTP IP-echo endpoints.
//! - `ddns/`: dynamic DNS updaters (dyndns2, Cloudflare, DNSPod, Alibaba Cloud DNS).
//! - `collect/`: collection from ISP mailboxes over POP3 and IMAP.
