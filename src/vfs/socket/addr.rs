//! Socket addresses: decoding the guest's `struct sockaddr_*` bytes and encoding them back,
//! with Linux's length and family checks.

use crate::abi::Errno;
use crate::abi::socket::*;

/// An AF_UNIX name.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum UnixName {
    /// No name (an unbound or socketpair socket).
    Unnamed,
    /// A path name (without the terminating NUL).
    Path(Vec<u8>),
    /// An abstract name: the bytes after the leading NUL.
    Abstract(Vec<u8>),
}

/// An IPv4 or IPv6 address and port. IPv4 addresses are kept as v4-mapped IPv6 addresses
/// (`::ffff:a.b.c.d`) so that both families compare in one form.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct InetAddr {
    /// The address, IPv4 ones mapped.
    pub ip: [u8; 16],
    /// The port (host order).
    pub port: u16,
    /// `sin6_flowinfo`.
    pub flow: u32,
    /// `sin6_scope_id`.
    pub scope: u32,
}

/// `::ffff:0:0/96`.
const MAPPED_PREFIX: [u8; 12] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff];

impl InetAddr {
    /// The IPv4 address `a` (network byte order bytes) mapped, with `port`.
    pub fn v4(a: [u8; 4], port: u16) -> InetAddr {
        let mut ip = [0u8; 16];
        ip[..12].copy_from_slice(&MAPPED_PREFIX);
        ip[12..].copy_from_slice(&a);
        InetAddr {
            ip,
            port,
            flow: 0,
            scope: 0,
        }
    }

    /// The IPv6 address `ip` with `port`.
    pub fn v6(ip: [u8; 16], port: u16) -> InetAddr {
        InetAddr {
            ip,
            port,
            flow: 0,
            scope: 0,
        }
    }

    /// A v4-mapped address (an IPv4 address).
    pub fn is_v4(&self) -> bool {
        self.ip[..12] == MAPPED_PREFIX
    }

    /// The IPv4 bytes of a mapped address.
    pub fn v4_bytes(&self) -> [u8; 4] {
        [self.ip[12], self.ip[13], self.ip[14], self.ip[15]]
    }

    /// `0.0.0.0` or `::`.
    pub fn is_unspecified(&self) -> bool {
        self.ip == [0; 16] || (self.is_v4() && self.v4_bytes() == [0; 4])
    }

    /// `127.0.0.0/8` or `::1`.
    pub fn is_loopback(&self) -> bool {
        (self.is_v4() && self.ip[12] == 127) || self.ip == LOOPBACK6
    }

    /// The same address with another port.
    pub fn with_port(mut self, port: u16) -> InetAddr {
        self.port = port;
        self
    }
}

/// `::1`.
pub const LOOPBACK6: [u8; 16] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];

/// A decoded socket address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Addr {
    /// `AF_UNSPEC` (dissolves a datagram association).
    Unspec,
    /// AF_UNIX.
    Unix(UnixName),
    /// AF_INET or AF_INET6.
    Inet(InetAddr),
    /// AF_NETLINK: port id and groups.
    Netlink(u32, u32),
}

/// Size of `struct sockaddr_in`.
pub const SOCKADDR_IN_LEN: usize = 16;
/// Size of `struct sockaddr_in6`.
pub const SOCKADDR_IN6_LEN: usize = 28;
/// Size of the old `struct sockaddr_in6` without `sin6_scope_id` (Linux still takes it).
const SIN6_LEN_RFC2133: usize = 24;
/// Size of `struct sockaddr_un`.
pub const SOCKADDR_UN_LEN: usize = 110;
/// Size of `struct sockaddr_nl`.
pub const SOCKADDR_NL_LEN: usize = 12;

fn family_of(b: &[u8]) -> Option<u16> {
    (b.len() >= 2).then(|| u16::from_le_bytes([b[0], b[1]]))
}

/// Decodes an AF_INET address for a socket of `domain` as `inet_bind`/`inet_stream_connect`
/// check it: EINVAL when shorter than `sockaddr_in`, EAFNOSUPPORT for another family
/// (AF_UNSPEC is taken as AF_INET by bind when the address is INADDR_ANY; callers handle
/// AF_UNSPEC first where it means something else).
pub fn parse_in(b: &[u8]) -> Result<InetAddr, Errno> {
    if b.len() < SOCKADDR_IN_LEN {
        return Err(Errno::EINVAL);
    }
    if family_of(b) != Some(AF_INET) {
        return Err(Errno::EAFNOSUPPORT);
    }
    let port = u16::from_be_bytes([b[2], b[3]]);
    Ok(InetAddr::v4([b[4], b[5], b[6], b[7]], port))
}

/// Decodes an AF_INET6 address: EINVAL when shorter than 24 bytes, EAFNOSUPPORT for another
/// family.
pub fn parse_in6(b: &[u8]) -> Result<InetAddr, Errno> {
    if b.len() < SIN6_LEN_RFC2133 {
        return Err(Errno::EINVAL);
    }
    if family_of(b) != Some(AF_INET6) {
        return Err(Errno::EAFNOSUPPORT);
    }
    let port = u16::from_be_bytes([b[2], b[3]]);
    let flow = u32::from_le_bytes([b[4], b[5], b[6], b[7]]);
    let mut ip = [0u8; 16];
    ip.copy_from_slice(&b[8..24]);
    let scope = if b.len() >= SOCKADDR_IN6_LEN {
        u32::from_le_bytes([b[24], b[25], b[26], b[27]])
    } else {
        0
    };
    Ok(InetAddr {
        ip,
        port,
        flow,
        scope,
    })
}

/// Decodes an AF_UNIX address as `unix_validate_addr` and `unix_mkname` do: EINVAL when
/// not longer than the family, longer than `sockaddr_un` or of another family. A bare family
/// is [`UnixName::Unnamed`] (autobind for bind).
pub fn parse_un(b: &[u8]) -> Result<UnixName, Errno> {
    if b.len() < 2 || b.len() > SOCKADDR_UN_LEN || family_of(b) != Some(AF_UNIX) {
        return Err(Errno::EINVAL);
    }
    let path = &b[2..];
    if path.is_empty() {
        return Ok(UnixName::Unnamed);
    }
    if path[0] == 0 {
        return Ok(UnixName::Abstract(path[1..].to_vec()));
    }
    // A path ends at its first NUL (sun_path need not hold one).
    let end = path.iter().position(|&c| c == 0).unwrap_or(path.len());
    Ok(UnixName::Path(path[..end].to_vec()))
}

/// Encodes an AF_UNIX name as `unix_getname` returns it: the family alone for an unnamed
/// socket, the path with its NUL, or the abstract name with its leading NUL.
pub fn encode_un(n: &UnixName) -> Vec<u8> {
    let mut v = AF_UNIX.to_le_bytes().to_vec();
    match n {
        UnixName::Unnamed => {}
        UnixName::Path(p) => {
            v.extend_from_slice(p);
            v.push(0);
        }
        UnixName::Abstract(a) => {
            v.push(0);
            v.extend_from_slice(a);
        }
    }
    v
}

/// Encodes an address as `struct sockaddr_in` (AF_INET sockets) or `struct sockaddr_in6`.
pub fn encode_inet(a: &InetAddr, v6: bool) -> Vec<u8> {
    if v6 {
        let mut v = vec![0u8; SOCKADDR_IN6_LEN];
        v[..2].copy_from_slice(&AF_INET6.to_le_bytes());
        v[2..4].copy_from_slice(&a.port.to_be_bytes());
        v[4..8].copy_from_slice(&a.flow.to_le_bytes());
        v[8..24].copy_from_slice(&a.ip);
        v[24..28].copy_from_slice(&a.scope.to_le_bytes());
        v
    } else {
        let mut v = vec![0u8; SOCKADDR_IN_LEN];
        v[..2].copy_from_slice(&AF_INET.to_le_bytes());
        v[2..4].copy_from_slice(&a.port.to_be_bytes());
        v[4..8].copy_from_slice(&a.v4_bytes());
        v
    }
}

/// Encodes `struct sockaddr_nl`.
pub fn encode_nl(pid: u32, groups: u32) -> Vec<u8> {
    let mut v = vec![0u8; SOCKADDR_NL_LEN];
    v[..2].copy_from_slice(&AF_NETLINK.to_le_bytes());
    v[4..8].copy_from_slice(&pid.to_le_bytes());
    v[8..12].copy_from_slice(&groups.to_le_bytes());
    v
}

/// Decodes `struct sockaddr_nl`: EINVAL when short or of another family.
pub fn parse_nl(b: &[u8]) -> Result<(u32, u32), Errno> {
    if b.len() < SOCKADDR_NL_LEN || family_of(b) != Some(AF_NETLINK) {
        return Err(Errno::EINVAL);
    }
    Ok((
        u32::from_le_bytes([b[4], b[5], b[6], b[7]]),
        u32::from_le_bytes([b[8], b[9], b[10], b[11]]),
    ))
}

/// The family field of a raw address (AF_UNSPEC when too short to hold one).
pub fn raw_family(b: &[u8]) -> u16 {
    family_of(b).unwrap_or(AF_UNSPEC)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inet_round_trip() {
        let a = parse_in(&encode_inet(&InetAddr::v4([127, 0, 0, 1], 80), false)).unwrap();
        assert!(a.is_v4() && a.is_loopback() && a.port == 80);
        let b = parse_in6(&encode_inet(&InetAddr::v6(LOOPBACK6, 443), true)).unwrap();
        assert!(!b.is_v4() && b.is_loopback() && b.port == 443);
        assert_eq!(parse_in(&[2, 0, 0]), Err(Errno::EINVAL));
        assert_eq!(parse_in6(&[10, 0].repeat(12)[..23]), Err(Errno::EINVAL));
    }

    #[test]
    fn unix_names() {
        assert_eq!(parse_un(&[1, 0]), Ok(UnixName::Unnamed));
        assert_eq!(parse_un(&[1]), Err(Errno::EINVAL));
        assert_eq!(
            parse_un(&[1, 0, b'a', 0, b'b']),
            Ok(UnixName::Path(b"a".to_vec()))
        );
        assert_eq!(
            parse_un(&[1, 0, 0, b'x']),
            Ok(UnixName::Abstract(b"x".to_vec()))
        );
        assert_eq!(parse_un(&[2, 0, b'a']), Err(Errno::EINVAL));
        assert_eq!(parse_un(&[1; 111]), Err(Errno::EINVAL));
        assert_eq!(
            encode_un(&UnixName::Path(b"/s".to_vec())),
            vec![1, 0, b'/', b's', 0]
        );
    }
}
