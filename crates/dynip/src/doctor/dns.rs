//! The public address in the DNS:
//! - PTR (`ptr`, `ptr6`): the address has a reverse name (RFC 1035 §3.5, RFC 3596 §2.5) that
//!   is our `hostname` and whose A (AAAA) records hold the address again: forward-confirmed,
//!   as receivers check. For IPv6 a fault is a warning: the queue tries a host's IPv4
//!   addresses first, so only mail that falls back to IPv6 meets it.
//! - `hostname`: the `hostname`'s A record points at the public IPv4 address.

use std::net::IpAddr;

use super::lookup::Dns;
use super::{Check, Message, Status, reverse};

pub(super) fn same_name(a: &str, b: &str) -> bool {
    a.trim_end_matches('.')
        .eq_ignore_ascii_case(b.trim_end_matches('.'))
}

pub(super) fn list(addrs: &[IpAddr]) -> String {
    addrs
        .iter()
        .map(IpAddr::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The `ptr` (IPv4) or `ptr6` (IPv6) check of `ip`.
pub(super) async fn ptr(dns: &Dns, ip: IpAddr, hostname: &str) -> Check {
    let (id, missing, worst, fix_forward) = match ip {
        IpAddr::V4(_) => ("ptr", "ptr.missing", Status::Problem, "fix.a_record"),
        IpAddr::V6(_) => ("ptr6", "ptr6.missing", Status::Warning, "fix.aaaa_record"),
    };
    let names = match dns.ptr(ip).await {
        Ok(names) => names,
        Err(failure) => return failure.check(id, &reverse::ptr_name(ip)),
    };
    let ip_text = ip.to_string();
    let fix_ptr = || Message::new("fix.ptr", &[("ip", &ip_text), ("hostname", hostname)]);
    if names.is_empty() {
        return Check::new(id, worst, Message::new(missing, &[("ip", &ip_text)])).fix(fix_ptr());
    }
    let found = names.join(", ");
    let Some(ours) = names.iter().find(|n| same_name(n, hostname)) else {
        let params = [
            ("ip", ip_text.as_str()),
            ("ptr", &found),
            ("hostname", hostname),
        ];
        return Check::new(id, Status::Warning, Message::new("ptr.mismatch", &params))
            .detail("ptr", &found)
            .fix(fix_ptr());
    };
    let back = match dns.addresses(ours).await {
        Ok(back) => back,
        Err(failure) => return failure.check(id, ours).detail("ptr", &found),
    };
    let params = [("ip", ip_text.as_str()), ("hostname", hostname)];
    let check = if back.contains(&ip) {
        Check::new(id, Status::Ok, Message::new("ptr.ok", &params))
    } else {
        Check::new(id, worst, Message::new("ptr.not_confirmed", &params)).fix(Message::new(
            fix_forward,
            &[("name", hostname), ("ip", &ip_text)],
        ))
    };
    check.detail("ptr", &found).detail("addresses", list(&back))
}

/// The `hostname` check: its A record is the public IPv4 address `ip`.
pub(super) async fn hostname(dns: &Dns, ip: IpAddr, hostname: &str) -> Check {
    let found = match dns.addresses(hostname).await {
        Ok(found) => found,
        Err(failure) => return failure.check("hostname", hostname),
    };
    let ip_text = ip.to_string();
    let params = [("name", hostname), ("ip", ip_text.as_str())];
    let check = if found.contains(&ip) {
        Check::new("hostname", Status::Ok, Message::new("hostname.ok", &params))
    } else {
        Check::new(
            "hostname",
            Status::Problem,
            Message::new("hostname.elsewhere", &params),
        )
        .fix(Message::new("fix.a_record", &params))
    };
    check
        .detail("name", hostname)
        .detail("addresses", list(&found))
}
