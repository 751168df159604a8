//! IP network functions: `cidrhost cidrnetmask cidrsubnet cidrsubnets`, for IPv4 and IPv6
//! prefixes (`cidrnetmask` is IPv4 only), with Terraform's error messages. Addresses are
//! handled as `u128` (IPv4 in the low 32 bits) using only `std::net`.

use std::net::{Ipv4Addr, Ipv6Addr};

use super::args::{integer, invalid, string, whole};
use super::{FuncContext, FuncError, FuncResult, Function};
use crate::lang::value::{format_number, Value};

pub const FUNCTIONS: &[Function] = &[
    Function::new("cidrhost", 2, Some(2), cidrhost),
    Function::new("cidrnetmask", 1, Some(1), cidrnetmask),
    Function::new("cidrsubnet", 3, Some(3), cidrsubnet),
    Function::new("cidrsubnets", 1, None, cidrsubnets),
];

/// A parsed prefix: the network address (host bits cleared), address width and prefix length.
#[derive(Clone, Copy)]
struct Cidr {
    addr: u128,
    bits: u32,
    len: u32,
}

/// All-ones in the low `bits` bits.
fn full(bits: u32) -> u128 {
    if bits == 128 {
        u128::MAX
    } else {
        (1u128 << bits) - 1
    }
}

/// The network mask of a `len`-bit prefix in a `bits`-wide address.
fn mask(len: u32, bits: u32) -> u128 {
    full(bits) & !(full(bits - len.min(bits)))
}

impl Cidr {
    /// Parses the `prefix` argument (argument 0 of every network function).
    fn parse(text: &str) -> Result<Cidr, FuncError> {
        let bad = || {
            FuncError::arg(
                0,
                format!("invalid CIDR expression: invalid CIDR address: {text}"),
            )
        };
        let (ip, len) = text.split_once('/').ok_or_else(bad)?;
        if len.is_empty() || !len.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let len: u32 = len.parse().map_err(|_| bad())?;
        let (addr, bits) = if let Ok(v4) = ip.parse::<Ipv4Addr>() {
            (u128::from(u32::from(v4)), 32)
        } else if let Ok(v6) = ip.parse::<Ipv6Addr>() {
            (u128::from(v6), 128)
        } else {
            return Err(bad());
        };
        if len > bits {
            return Err(bad());
        }
        Ok(Cidr {
            addr: addr & mask(len, bits),
            bits,
            len,
        })
    }

    fn host_mask(&self) -> u128 {
        full(self.bits) & !mask(self.len, self.bits)
    }

    fn contains(&self, addr: u128) -> bool {
        addr & mask(self.len, self.bits) == self.addr
    }

    fn with(&self, addr: u128, len: u32) -> Cidr {
        Cidr {
            addr: addr & mask(len, self.bits),
            bits: self.bits,
            len,
        }
    }
}

fn format_addr(addr: u128, bits: u32) -> String {
    if bits == 32 {
        Ipv4Addr::from(addr as u32).to_string()
    } else {
        Ipv6Addr::from(addr).to_string()
    }
}

impl std::fmt::Display for Cidr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", format_addr(self.addr, self.bits), self.len)
    }
}

/// A non-negative whole `f64` as `u128`, if it fits.
fn to_u128(n: f64) -> Option<u128> {
    (0.0..3.4e38).contains(&n).then_some(n as u128)
}

fn cidrhost(args: &[Value], _: &FuncContext) -> FuncResult {
    let net = Cidr::parse(&string(args, 0, "prefix")?)?;
    let hostnum = whole(args, 1, "hostnum")?;
    let max = net.host_mask();
    let offset = if hostnum >= 0.0 {
        to_u128(hostnum).filter(|&h| h <= max)
    } else {
        // Negative numbers count back from the end: -1 is the last address.
        to_u128(-hostnum)
            .filter(|&back| back - 1 <= max)
            .map(|back| max - (back - 1))
    };
    let offset = offset.ok_or_else(|| {
        FuncError::arg(
            1,
            format!(
                "prefix of {} does not accommodate a host numbered {}",
                net.len,
                format_number(hostnum)
            ),
        )
    })?;
    Ok(Value::String(format_addr(net.addr | offset, net.bits)))
}

fn cidrnetmask(args: &[Value], _: &FuncContext) -> FuncResult {
    let prefix = string(args, 0, "prefix")?;
    let net = Cidr::parse(&prefix)?;
    if net.bits != 32 {
        return Err(FuncError::arg(
            0,
            format!("IPv6 addresses cannot have a netmask: {prefix}"),
        ));
    }
    Ok(Value::String(format_addr(mask(net.len, 32), 32)))
}

fn cidrsubnet(args: &[Value], _: &FuncContext) -> FuncResult {
    let net = Cidr::parse(&string(args, 0, "prefix")?)?;
    let newbits = integer(args, 1, "newbits")?;
    let netnum = whole(args, 2, "netnum")?;
    if newbits < 0 {
        return Err(invalid(1, "newbits", "must not be negative"));
    }
    let new_len = i64::from(net.len) + newbits;
    if new_len > i64::from(net.bits) {
        return Err(FuncError::arg(
            1,
            format!(
                "insufficient address space to extend prefix of {} by {newbits}",
                net.len
            ),
        ));
    }
    let new_len = new_len as u32;
    let limit = full(newbits as u32);
    let num = to_u128(netnum).filter(|&n| n <= limit).ok_or_else(|| {
        FuncError::arg(
            2,
            format!(
                "prefix extension of {newbits} does not accommodate a subnet numbered {}",
                format_number(netnum)
            ),
        )
    })?;
    let shifted = num.checked_shl(net.bits - new_len).unwrap_or(0);
    Ok(Value::String(
        net.with(net.addr | shifted, new_len).to_string(),
    ))
}

/// The subnet of length `len` that follows `current` (go-cidr's `NextSubnet`), or `None` when
/// the address space wraps around.
fn next_subnet(current: Cidr, len: u32) -> Option<Cidr> {
    let last = current.addr | current.host_mask();
    let widened = current.with(last, len);
    let next = (widened.addr | widened.host_mask()).checked_add(1)?;
    (next <= full(current.bits)).then(|| current.with(next, len))
}

fn cidrsubnets(args: &[Value], _: &FuncContext) -> FuncResult {
    let prefix = string(args, 0, "prefix")?;
    let net = Cidr::parse(&prefix)?;
    let mut current: Option<Cidr> = None;
    let mut out = Vec::with_capacity(args.len() - 1);
    for i in 1..args.len() {
        let newbits = integer(args, i, "newbits")?;
        if newbits < 1 {
            return Err(invalid(
                i,
                "newbits",
                "must extend prefix by at least one bit",
            ));
        }
        if newbits > 32 {
            return Err(invalid(
                i,
                "newbits",
                "may not extend prefix by more than 32 bits",
            ));
        }
        let len = i64::from(net.len) + newbits;
        if len > i64::from(net.bits) {
            let protocol = if net.bits == 32 { "IPv4" } else { "IPv6" };
            return Err(invalid(
                i,
                "newbits",
                format!("would extend prefix to {len} bits, which is too long for an {protocol} address"),
            ));
        }
        let len = len as u32;
        // Start from the block just before the base prefix (go-cidr's `PreviousSubnet`).
        let before = current.unwrap_or_else(|| {
            let prev = net.addr.wrapping_sub(1) & full(net.bits);
            net.with(prev, len)
        });
        match next_subnet(before, len).filter(|n| net.contains(n.addr)) {
            Some(next) => {
                out.push(Value::String(next.to_string()));
                current = Some(next);
            }
            None => {
                return Err(invalid(
                    i,
                    "newbits",
                    format!(
                        "not enough remaining address space for a subnet with a prefix of {len} bits after {before}"
                    ),
                ))
            }
        }
    }
    Ok(Value::List(out))
}

#[cfg(test)]
mod tests {
    use super::super::args::testing::{err, n, ok, s, strs};

    #[test]
    fn cidrsubnet_ipv4_and_ipv6() {
        assert_eq!(
            ok("cidrsubnet", vec![s("172.16.0.0/12"), n(4.0), n(2.0)]),
            s("172.18.0.0/16")
        );
        assert_eq!(
            ok("cidrsubnet", vec![s("10.1.2.0/24"), n(4.0), n(15.0)]),
            s("10.1.2.240/28")
        );
        assert_eq!(
            ok("cidrsubnet", vec![s("10.0.0.0/16"), n(8.0), n(1.0)]),
            s("10.0.1.0/24")
        );
        assert_eq!(
            ok("cidrsubnet", vec![s("10.0.0.5/16"), n(0.0), n(0.0)]),
            s("10.0.0.0/16")
        );
        assert_eq!(
            ok(
                "cidrsubnet",
                vec![s("fd00:fd12:3456:7890::/56"), n(16.0), n(162.0)]
            ),
            s("fd00:fd12:3456:7800:a200::/72")
        );
        assert_eq!(
            ok("cidrsubnet", vec![s("::/0"), n(128.0), n(1.0)]),
            s("::1/128")
        );
    }

    #[test]
    fn cidrsubnet_errors() {
        assert_eq!(
            err("cidrsubnet", vec![s("10.0.0.0/30"), n(4.0), n(0.0)]),
            "insufficient address space to extend prefix of 30 by 4"
        );
        assert_eq!(
            err("cidrsubnet", vec![s("10.0.0.0/16"), n(2.0), n(4.0)]),
            "prefix extension of 2 does not accommodate a subnet numbered 4"
        );
        assert_eq!(
            err("cidrsubnet", vec![s("10.0.0.0/16"), n(2.0), n(-1.0)]),
            "prefix extension of 2 does not accommodate a subnet numbered -1"
        );
        assert_eq!(
            err("cidrsubnet", vec![s("10.0.0.0/33"), n(2.0), n(1.0)]),
            "invalid CIDR expression: invalid CIDR address: 10.0.0.0/33"
        );
        assert!(err("cidrsubnet", vec![s("not-an-ip"), n(2.0), n(1.0)])
            .contains("invalid CIDR address"));
        assert!(err("cidrsubnet", vec![s("10.0.0.0/8"), n(1.5), n(1.0)]).contains("whole number"));
    }

    #[test]
    fn cidrhost_positive_and_negative() {
        assert_eq!(
            ok("cidrhost", vec![s("10.12.112.0/20"), n(16.0)]),
            s("10.12.112.16")
        );
        assert_eq!(
            ok("cidrhost", vec![s("10.12.112.0/20"), n(268.0)]),
            s("10.12.113.12")
        );
        assert_eq!(
            ok("cidrhost", vec![s("10.0.0.0/24"), n(-1.0)]),
            s("10.0.0.255")
        );
        assert_eq!(
            ok("cidrhost", vec![s("10.0.0.0/24"), n(-256.0)]),
            s("10.0.0.0")
        );
        assert_eq!(
            ok(
                "cidrhost",
                vec![s("fd00:fd12:3456:7890:00a2::/72"), n(34.0)]
            ),
            s("fd00:fd12:3456:7890::22")
        );
        assert_eq!(
            err("cidrhost", vec![s("10.0.0.0/24"), n(256.0)]),
            "prefix of 24 does not accommodate a host numbered 256"
        );
        assert_eq!(
            err("cidrhost", vec![s("10.0.0.0/24"), n(-257.0)]),
            "prefix of 24 does not accommodate a host numbered -257"
        );
    }

    #[test]
    fn cidrnetmask_ipv4_only() {
        assert_eq!(
            ok("cidrnetmask", vec![s("172.16.0.0/12")]),
            s("255.240.0.0")
        );
        assert_eq!(ok("cidrnetmask", vec![s("0.0.0.0/0")]), s("0.0.0.0"));
        assert_eq!(
            ok("cidrnetmask", vec![s("10.0.0.1/32")]),
            s("255.255.255.255")
        );
        assert_eq!(
            err("cidrnetmask", vec![s("fd00::/64")]),
            "IPv6 addresses cannot have a netmask: fd00::/64"
        );
        assert!(err("cidrnetmask", vec![s("10.0.0.0")]).contains("invalid CIDR address"));
    }

    #[test]
    fn cidrsubnets_allocates_consecutively() {
        assert_eq!(
            ok(
                "cidrsubnets",
                vec![s("10.1.0.0/16"), n(4.0), n(4.0), n(8.0), n(4.0)]
            ),
            strs(&[
                "10.1.0.0/20",
                "10.1.16.0/20",
                "10.1.32.0/24",
                "10.1.48.0/20"
            ])
        );
        assert_eq!(
            ok(
                "cidrsubnets",
                vec![s("fd00:fd12:3456:7890::/56"), n(16.0), n(16.0)]
            ),
            strs(&["fd00:fd12:3456:7800::/72", "fd00:fd12:3456:7800:100::/72"])
        );
        assert_eq!(ok("cidrsubnets", vec![s("10.0.0.0/8")]), strs(&[]));
        assert!(err("cidrsubnets", vec![s("10.0.0.0/30"), n(1.0), n(1.0), n(1.0)])
            .contains("not enough remaining address space for a subnet with a prefix of 31 bits after 10.0.0.2/31"));
        assert!(err("cidrsubnets", vec![s("10.0.0.0/8"), n(0.0)]).contains("at least one bit"));
        assert!(err("cidrsubnets", vec![s("10.0.0.0/30"), n(4.0)])
            .contains("too long for an IPv4 address"));
    }
}
