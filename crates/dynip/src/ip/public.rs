//! Whether an address can be this line's public address: IPv4 outside the special-purpose
//! blocks of RFC 6890 §2.2.2 (and multicast, class E); IPv6 global unicast (2000::/3,
//! RFC 4291 §2.4) outside documentation (RFC 3849) and other special-purpose blocks.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Whether `ip` looks like a public Internet address.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => public_v4(v4),
        IpAddr::V6(v6) => public_v6(v6),
    }
}

fn public_v4(ip: Ipv4Addr) -> bool {
    let n = u32::from(ip);
    let within = |net: [u8; 4], prefix: u32| {
        let mask = u32::MAX << (32 - prefix);
        n & mask == u32::from(Ipv4Addr::from(net)) & mask
    };
    let special: [([u8; 4], u32); 14] = [
        ([0, 0, 0, 0], 8),       // "this network"
        ([10, 0, 0, 0], 8),      // private (RFC 1918)
        ([100, 64, 0, 0], 10),   // shared address space, carrier-grade NAT (RFC 6598)
        ([127, 0, 0, 0], 8),     // loopback
        ([169, 254, 0, 0], 16),  // link local
        ([172, 16, 0, 0], 12),   // private
        ([192, 0, 0, 0], 24),    // IETF protocol assignments
        ([192, 0, 2, 0], 24),    // documentation (TEST-NET-1)
        ([192, 88, 99, 0], 24),  // 6to4 relay anycast
        ([192, 168, 0, 0], 16),  // private
        ([198, 18, 0, 0], 15),   // benchmarking
        ([198, 51, 100, 0], 24), // documentation (TEST-NET-2)
        ([203, 0, 113, 0], 24),  // documentation (TEST-NET-3)
        ([224, 0, 0, 0], 3),     // multicast, class E, broadcast
    ];
    !special.iter().any(|(net, prefix)| within(*net, *prefix))
}

fn public_v6(ip: Ipv6Addr) -> bool {
    let s = ip.segments();
    let global_unicast = s[0] & 0xe000 == 0x2000;
    let documentation = s[0] == 0x2001 && s[1] == 0x0db8;
    // 2001::/23 holds IETF protocol assignments (Teredo, benchmarking, ORCHID).
    let protocol = s[0] == 0x2001 && s[1] < 0x0200;
    let six_to_four = s[0] == 0x2002;
    global_unicast && !documentation && !protocol && !six_to_four
}

#[cfg(test)]
mod tests {
    use super::*;

    fn public(text: &str) -> bool {
        is_public(text.parse().expect("ip"))
    }

    #[test]
    fn public_addresses_are_accepted() {
        for ip in [
            "1.1.1.1",
            "81.2.69.160",
            "114.114.114.114",
            "2400:3200::1",
            "2606:4700::1111",
        ] {
            assert!(public(ip), "{ip}");
        }
    }

    #[test]
    fn special_purpose_addresses_are_refused() {
        for ip in [
            "0.0.0.0",
            "10.1.2.3",
            "100.64.0.1",
            "127.0.0.1",
            "169.254.1.1",
            "172.31.0.1",
            "192.0.2.1",
            "192.168.1.1",
            "198.51.100.7",
            "203.0.113.9",
            "224.0.0.1",
            "255.255.255.255",
            "::",
            "::1",
            "fe80::1",
            "fd00::1",
            "ff02::1",
            "2001:db8::1",
            "2001::1",
            "2002:c000:0204::1",
            "::ffff:8.8.8.8",
        ] {
            assert!(!public(ip), "{ip}");
        }
    }
}
