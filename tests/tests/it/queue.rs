//! The outbound queue against real peers: dnsmasq, Postfix, aiosmtpd.

mod dkim;
mod events;
mod kill9;
mod mx;
mod retry;
mod smarthost;
