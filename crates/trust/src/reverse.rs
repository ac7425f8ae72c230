//! Reverse names of an address: its PTR name (RFC 1035 §3.5 `in-addr.arpa` for IPv4,
//! RFC 3596 §2.5 `ip6.arpa` for IPv6) and its name in a DNS blocklist zone (RFC 5782 §2.1:
//! the octets reversed; §2.4: the 32 nibbles reversed, as in `ip6.arpa`).

use std::net::IpAddr;

/// The address's labels in reverse: 192.0.2.1 → "1.2.0.192"; 2001:db8::1 → "1.0.0.0 ... 8.b.d.0.1.0.0.2"
/// (every nibble, leading zeros included, lower case).
pub fn reversed(ip: IpAddr) -> String {
    let labels: Vec<String> = match ip {
        IpAddr::V4(v4) => v4.octets().iter().rev().map(u8::to_string).collect(),
        IpAddr::V6(v6) => v6
            .octets()
            .iter()
            .rev()
            .flat_map(|byte| [byte & 0x0f, byte >> 4])
            .map(|nibble| format!("{nibble:x}"))
            .collect(),
    };
    labels.join(".")
}

/// The absolute name whose PTR record names the address's host.
pub fn ptr_name(ip: IpAddr) -> String {
    let zone = match ip {
        IpAddr::V4(_) => "in-addr.arpa",
        IpAddr::V6(_) => "ip6.arpa",
    };
    format!("{}.{zone}.", reversed(ip))
}

/// The absolute name to look up for the address in the blocklist `zone`.
pub fn blocklist_name(ip: IpAddr, zone: &str) -> String {
    format!("{}.{}.", reversed(ip), zone.trim_end_matches('.'))
}

#[cfg(test)]
mod tests {
    use std::net::AddrParseError;

    use super::*;

    #[test]
    fn ipv4_octets_are_reversed_under_in_addr_arpa_and_the_zone() -> Result<(), AddrParseError> {
        assert_eq!(
            ptr_name("81.2.69.160".parse()?),
            "160.69.2.81.in-addr.arpa."
        );
        // RFC 5782 §2.1's example.
        assert_eq!(
            blocklist_name("192.168.42.23".parse()?, "dnsbl.example.net"),
            "23.42.168.192.dnsbl.example.net."
        );
        assert_eq!(
            blocklist_name("1.2.3.4".parse()?, "bl.test."),
            "4.3.2.1.bl.test."
        );
        Ok(())
    }

    #[test]
    fn ipv6_nibbles_are_reversed_under_ip6_arpa() -> Result<(), AddrParseError> {
        // RFC 3596 §2.5's example.
        assert_eq!(
            ptr_name("4321:0:1:2:3:4:567:89ab".parse()?),
            "b.a.9.8.7.6.5.0.4.0.0.0.3.0.0.0.2.0.0.0.1.0.0.0.0.0.0.0.1.2.3.4.ip6.arpa."
        );
        let loopback = ptr_name("::1".parse()?);
        assert_eq!(loopback, format!("1{}.ip6.arpa.", ".0".repeat(31)));
        Ok(())
    }

    #[test]
    fn ipv6_blocklist_names_have_all_32_nibbles() -> Result<(), AddrParseError> {
        // RFC 5782 §2.4's example.
        assert_eq!(
            blocklist_name("2001:db8:1:2:3:4:567:89ab".parse()?, "dnsbl.example.net"),
            "b.a.9.8.7.6.5.0.4.0.0.0.3.0.0.0.2.0.0.0.1.0.0.0.8.b.d.0.1.0.0.2.dnsbl.example.net."
        );
        let name = blocklist_name("2a00:1450:4001::1".parse()?, "bl.test");
        assert_eq!(name.split('.').count(), 32 + 2 + 1, "{name}");
        assert!(name.starts_with("1.0.0.0.0.0."), "{name}");
        assert!(
            name.ends_with(".1.0.0.4.0.5.4.1.0.0.a.2.bl.test."),
            "{name}"
        );
        Ok(())
    }
}
