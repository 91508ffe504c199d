//! `AuthorizationPolicy/AllowedIps` (DIGEST §5.2, §5.7): once an authentication names
//! allowed IPv4 addresses, ranges (`a.b.c.d-e.f.g.h`) or masks (`a.b.c.d/nn`), every call
//! with its tokens from another IP is refused with 403 `ip-not-allowed`.

use std::net::Ipv4Addr;

/// The allowed IPs of an authentication.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AllowedIps {
    /// `Ip4Address` entries.
    pub addresses: Vec<String>,
    /// `Ip4Range` entries.
    pub ranges: Vec<String>,
    /// `Ip4Mask` entries.
    pub masks: Vec<String>,
}

impl AllowedIps {
    /// True if no entry is given (any IP allowed).
    pub fn is_empty(&self) -> bool {
        self.addresses.is_empty() && self.ranges.is_empty() && self.masks.is_empty()
    }

    /// Whether `ip` is allowed. Non-IPv4 callers are refused when a policy is set.
    pub fn allows(&self, ip: &str) -> bool {
        if self.is_empty() {
            return true;
        }
        let Ok(ip) = ip.parse::<Ipv4Addr>() else {
            return false;
        };
        let n = u32::from(ip);
        self.addresses
            .iter()
            .any(|a| a.parse::<Ipv4Addr>().is_ok_and(|a| a == ip))
            || self.ranges.iter().any(|r| {
                r.split_once('-').is_some_and(|(a, b)| {
                    match (a.trim().parse::<Ipv4Addr>(), b.trim().parse::<Ipv4Addr>()) {
                        (Ok(a), Ok(b)) => (u32::from(a)..=u32::from(b)).contains(&n),
                        _ => false,
                    }
                })
            })
            || self.masks.iter().any(|m| {
                m.split_once('/').is_some_and(|(a, bits)| {
                    match (a.parse::<Ipv4Addr>(), bits.parse::<u32>()) {
                        (Ok(a), Ok(bits)) if bits <= 32 => {
                            let mask = if bits == 0 {
                                0
                            } else {
                                u32::MAX << (32 - bits)
                            };
                            (u32::from(a) & mask) == (n & mask)
                        }
                        _ => false,
                    }
                })
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matching() {
        let a = AllowedIps {
            addresses: vec!["10.0.0.1".into()],
            ranges: vec!["192.168.1.10-192.168.1.20".into()],
            masks: vec!["172.16.0.0/12".into()],
        };
        assert!(a.allows("10.0.0.1"));
        assert!(!a.allows("10.0.0.2"));
        assert!(a.allows("192.168.1.15"));
        assert!(!a.allows("192.168.1.21"));
        assert!(a.allows("172.31.255.255"));
        assert!(!a.allows("172.32.0.0"));
        assert!(!a.allows("::1"));
        assert!(AllowedIps::default().allows("::1"));
    }
}
