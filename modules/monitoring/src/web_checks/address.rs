//! Which addresses an external link check may connect to: never this node's own networks
//! (private, loopback, link-local, unique-local, multicast, unspecified, in v4 and v6,
//! IPv4-mapped included) unless the operator allowed the network in config.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// A network in CIDR notation (`10.1.0.0/16`, `fd00::/8`, or a single address).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Network {
    addr: IpAddr,
    prefix: u8,
}

impl Network {
    /// Parses `addr/prefix` or a bare address; the error names what is wrong.
    pub fn parse(s: &str) -> Result<Network, String> {
        let s = s.trim();
        let (addr, prefix) = match s.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (s, None),
        };
        let addr: IpAddr = addr
            .parse()
            .map_err(|_| format!("{s:?} is not an address or network (e.g. 10.1.0.0/16)"))?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => max,
            Some(p) => p
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= max)
                .ok_or_else(|| format!("{s:?}: the prefix length must be from 0 to {max}"))?,
        };
        Ok(Network { addr, prefix })
    }

    /// Whether `ip` lies inside (an IPv4-mapped v6 address counts as its v4 address).
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.addr, canonical(ip)) {
            (IpAddr::V4(n), IpAddr::V4(a)) => {
                prefix_eq(&n.octets(), &a.octets(), self.prefix as usize)
            }
            (IpAddr::V6(n), IpAddr::V6(a)) => {
                prefix_eq(&n.octets(), &a.octets(), self.prefix as usize)
            }
            _ => false,
        }
    }
}

impl std::fmt::Display for Network {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.addr, self.prefix)
    }
}

fn prefix_eq(a: &[u8], b: &[u8], bits: usize) -> bool {
    let whole = bits / 8;
    if a[..whole] != b[..whole] {
        return false;
    }
    let rest = bits % 8;
    rest == 0 || (a[whole] ^ b[whole]) >> (8 - rest) == 0
}

/// An IPv4-mapped (`::ffff:a.b.c.d`) or IPv4-compatible address as the v4 address it
/// carries, so a mapped loopback cannot pass as a public v6 address.
pub fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let o = v6.octets();
                // Deprecated IPv4-compatible ::a.b.c.d (not :: or ::1).
                if o[..12].iter().all(|b| *b == 0)
                    && u32::from_be_bytes([o[12], o[13], o[14], o[15]]) > 1
                {
                    IpAddr::V4(Ipv4Addr::new(o[12], o[13], o[14], o[15]))
                } else {
                    ip
                }
            }
        },
        v4 => v4,
    }
}

/// Why an address is not public, in Chinese for the finding, or None for a public one.
pub fn non_public(ip: IpAddr) -> Option<&'static str> {
    match canonical(ip) {
        IpAddr::V4(a) => v4_kind(a),
        IpAddr::V6(a) => v6_kind(a),
    }
}

fn v4_kind(a: Ipv4Addr) -> Option<&'static str> {
    let o = a.octets();
    if a.is_unspecified() || o[0] == 0 {
        Some("未指定地址")
    } else if a.is_loopback() {
        Some("本机回环地址")
    } else if a.is_private() || (o[0] == 100 && (o[1] & 0xc0) == 64) {
        // RFC 1918 and carrier-grade NAT (100.64.0.0/10).
        Some("内网地址")
    } else if a.is_link_local() {
        Some("链路本地地址")
    } else if a.is_multicast() || a.is_broadcast() || o[0] >= 240 {
        Some("组播或保留地址")
    } else if (o[0] == 192 && o[1] == 0 && o[2] == 0)
        || (o[0] == 198 && (o[1] & 0xfe) == 18)
        || a.is_documentation()
    {
        // IETF protocol assignments, benchmarking, documentation.
        Some("保留地址")
    } else {
        None
    }
}

fn v6_kind(a: Ipv6Addr) -> Option<&'static str> {
    let s = a.segments();
    if a.is_unspecified() {
        Some("未指定地址")
    } else if a.is_loopback() {
        Some("本机回环地址")
    } else if (s[0] & 0xfe00) == 0xfc00 {
        Some("内网地址")
    } else if (s[0] & 0xffc0) == 0xfe80 || (s[0] & 0xffc0) == 0xfec0 {
        // Link-local, and the deprecated site-local.
        Some("链路本地地址")
    } else if a.is_multicast() {
        Some("组播或保留地址")
    } else if (s[0] == 0x64 && s[1] == 0xff9b)
        || s[0] == 0x2002
        || (s[0] == 0x2001 && (s[1] == 0 || s[1] == 0xdb8))
        || (s[0] == 0x0100 && s[1..4] == [0, 0, 0])
    {
        // NAT64, 6to4 and Teredo carry a v4 address a gateway may reach inside;
        // documentation and discard-only prefixes.
        Some("保留地址")
    } else {
        None
    }
}

/// Whether a link check may connect to `ip`: public, or inside an allowed network.
pub fn permitted(ip: IpAddr, allowed: &[Network]) -> Result<(), &'static str> {
    match non_public(ip) {
        None => Ok(()),
        Some(_) if allowed.iter().any(|n| n.contains(ip)) => Ok(()),
        Some(why) => Err(why),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn private_v4_ranges_are_refused() {
        for a in [
            "0.0.0.0",
            "0.1.2.3",
            "127.0.0.1",
            "127.255.255.254",
            "10.0.0.1",
            "10.255.1.1",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "100.64.0.1",
            "169.254.169.254",
            "224.0.0.1",
            "239.255.255.250",
            "255.255.255.255",
            "240.0.0.1",
            "192.0.0.8",
            "198.18.0.1",
            "192.0.2.1",
        ] {
            assert!(non_public(ip(a)).is_some(), "{a} must not be public");
        }
        for a in [
            "8.8.8.8",
            "172.32.0.1",
            "172.15.255.255",
            "100.128.0.1",
            "1.1.1.1",
            "114.114.114.114",
        ] {
            assert_eq!(non_public(ip(a)), None, "{a} is public");
        }
    }

    #[test]
    fn private_v6_ranges_and_mapped_are_refused() {
        for a in [
            "::",
            "::1",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "febf::1",
            "fec0::1",
            "ff02::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "::ffff:169.254.169.254",
            "::127.0.0.1",
            "64:ff9b::a00:1",
            "2002:a00:1::",
            "2001:db8::1",
        ] {
            assert!(non_public(ip(a)).is_some(), "{a} must not be public");
        }
        for a in ["2400:3200::1", "2001:4860:4860::8888", "::ffff:8.8.8.8"] {
            assert_eq!(non_public(ip(a)), None, "{a} is public");
        }
        assert_eq!(non_public(ip("::ffff:127.0.0.1")), Some("本机回环地址"));
    }

    #[test]
    fn allowed_networks_let_addresses_through() {
        let allowed = vec![
            Network::parse("127.0.0.1").unwrap(),
            Network::parse("10.20.0.0/16").unwrap(),
            Network::parse("fd00::/8").unwrap(),
        ];
        assert!(permitted(ip("127.0.0.1"), &allowed).is_ok());
        assert!(permitted(ip("::ffff:127.0.0.1"), &allowed).is_ok());
        assert!(permitted(ip("127.0.0.2"), &allowed).is_err());
        assert!(permitted(ip("10.20.255.1"), &allowed).is_ok());
        assert!(permitted(ip("10.21.0.1"), &allowed).is_err());
        assert!(permitted(ip("fd99::1"), &allowed).is_ok());
        assert!(permitted(ip("fe80::1"), &allowed).is_err());
        assert!(permitted(ip("169.254.169.254"), &allowed).is_err());
        assert!(permitted(ip("8.8.8.8"), &[]).is_ok());
    }

    #[test]
    fn networks_parse_with_errors_naming_the_value() {
        assert_eq!(
            Network::parse("10.0.0.0/8").unwrap().to_string(),
            "10.0.0.0/8"
        );
        assert!(
            Network::parse("10.0.0.0/33")
                .unwrap_err()
                .contains("0 to 32")
        );
        assert!(
            Network::parse("intranet")
                .unwrap_err()
                .contains("\"intranet\"")
        );
        let n = Network::parse("172.16.0.0/12").unwrap();
        assert!(n.contains(ip("172.31.0.1")));
        assert!(!n.contains(ip("172.32.0.1")));
    }
}
