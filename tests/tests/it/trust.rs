//! Inbound trust (issue #16): the checks on mail from the Internet, against real peers
//! (dnsmasq serving the test zones).

mod clamd;
mod greylist;
mod peer;
