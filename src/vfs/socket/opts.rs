//! Socket options: `setsockopt` and `getsockopt` with Linux's checks (sock_setsockopt,
//! sk_getsockopt, do_tcp_setsockopt, do_ip_setsockopt, do_ipv6_setsockopt). Options whose
//! only effect is on a real network (keepalive timers, TOS, TTL, Nagle) are kept and read
//! back; rvrun's loopback is instant and lossless whatever they say.

use super::super::Vfs;
use super::State;
use crate::abi::Errno;
use crate::abi::socket::*;
use std::collections::BTreeMap;

/// A socket's options.
#[derive(Clone, Debug)]
pub struct Options {
    /// SO_REUSEADDR.
    pub reuseaddr: bool,
    /// SO_REUSEPORT.
    pub reuseport: bool,
    /// SO_KEEPALIVE.
    pub keepalive: bool,
    /// SO_BROADCAST.
    pub broadcast: bool,
    /// SO_PASSCRED.
    pub passcred: bool,
    /// SO_SNDBUF (as reported: twice what was asked).
    pub sndbuf: u32,
    /// SO_RCVBUF.
    pub rcvbuf: u32,
    /// SO_LINGER: the timeout when on.
    pub linger: Option<u32>,
    /// IPV6_V6ONLY.
    pub v6only: bool,
    /// The address was given by `bind` (Linux's SOCK_BINDADDR_LOCK).
    pub bound_addr: bool,
    /// The port was given by `bind` (SOCK_BINDPORT_LOCK).
    pub bound_port: bool,
    /// Other integer options kept for reading back, by (level, name).
    pub ints: BTreeMap<(i32, i32), i32>,
    /// SO_RCVTIMEO and SO_SNDTIMEO as (seconds, microseconds).
    pub timeo: [(i64, i64); 2],
}

impl Options {
    /// The defaults of a new socket of `domain` and `stype`.
    pub fn new(domain: u16, stype: u32) -> Options {
        let tcp = domain != AF_UNIX && stype == SOCK_STREAM;
        Options {
            reuseaddr: false,
            reuseport: false,
            keepalive: false,
            broadcast: false,
            passcred: false,
            sndbuf: if tcp { TCP_WMEM_DEFAULT } else { WMEM_DEFAULT },
            rcvbuf: if tcp { TCP_RMEM_DEFAULT } else { RMEM_DEFAULT },
            linger: None,
            v6only: false,
            bound_addr: false,
            bound_port: false,
            ints: BTreeMap::new(),
            timeo: [(0, 0); 2],
        }
    }
}

/// What a `getsockopt` value is.
#[derive(Debug, PartialEq, Eq)]
pub enum OptVal {
    /// An `int`.
    Int(i32),
    /// Raw bytes (structs).
    Bytes(Vec<u8>),
}

/// Integer options accepted and read back without further effect, by level, with defaults.
fn plain_int(level: i32, name: i32, stream: bool) -> Option<i32> {
    match (level, name) {
        (SOL_SOCKET, SO_DEBUG | SO_DONTROUTE | SO_OOBINLINE | SO_NO_CHECK | SO_PRIORITY) => Some(0),
        (SOL_SOCKET, SO_RCVLOWAT | SO_SNDLOWAT) => Some(1),
        (SOL_TCP, TCP_NODELAY) if stream => Some(0),
        (SOL_TCP, TCP_KEEPIDLE) if stream => Some(7200),
        (SOL_TCP, TCP_KEEPINTVL) if stream => Some(75),
        (SOL_TCP, TCP_KEEPCNT) if stream => Some(9),
        (SOL_TCP, TCP_USER_TIMEOUT) if stream => Some(0),
        (SOL_TCP, TCP_MAXSEG) if stream => Some(536),
        // Not in delayed-ACK ("pingpong") mode.
        (SOL_TCP, TCP_QUICKACK) if stream => Some(1),
        (SOL_IP, IP_TOS) => Some(0),
        (SOL_IP, IP_TTL) => Some(64),
        (SOL_IP, IP_MULTICAST_LOOP) => Some(1),
        (SOL_IP, IP_MULTICAST_TTL) => Some(1),
        (SOL_IPV6, IPV6_UNICAST_HOPS) => Some(64),
        (SOL_IPV6, IPV6_MULTICAST_LOOP) => Some(1),
        (SOL_IPV6, IPV6_TCLASS) => Some(0),
        _ => None,
    }
}

/// The value an integer option keeps for `v` as Linux stores it, or its EINVAL.
fn stored_int(level: i32, name: i32, stream: bool, connected: bool, v: i32) -> Result<i32, Errno> {
    match (level, name) {
        // __tcp_sock_set_quickack: 0 enters pingpong mode; other values leave it, and on a
        // connection an even value enters it again after the immediate ACK.
        (SOL_TCP, TCP_QUICKACK) => Ok((v != 0 && (!connected || v & 1 != 0)) as i32),
        // do_ip_setsockopt: not for TCP; -1 is the default 1; 0..=255.
        (SOL_IP, IP_MULTICAST_TTL) => match v {
            _ if stream => Err(Errno::EINVAL),
            -1 => Ok(1),
            0..=255 => Ok(v),
            _ => Err(Errno::EINVAL),
        },
        _ => Ok(v),
    }
}

/// Largest known option number at SOL_SOCKET (SO_* values end below it): unknown numbers
/// above answer ENOPROTOOPT; known ones rvrun does not implement stop the run.
const SO_KNOWN_MAX: i32 = 80;

impl Vfs {
    /// `setsockopt(fd, level, name, value)` with the option bytes. `Ok(Err(msg))` is an
    /// option rvrun does not implement.
    pub fn setsockopt(
        &mut self,
        fd: i32,
        level: i32,
        name: i32,
        val: &[u8],
    ) -> Result<Result<(), String>, Errno> {
        let ino = self.socket_ino(fd)?;
        self.note_change();
        let s = self.sock(ino);
        let (domain, stype) = (s.domain, s.stype);
        let stream = stype == SOCK_STREAM;
        let int = || -> Result<i32, Errno> {
            if val.len() < 4 {
                return Err(Errno::EINVAL);
            }
            Ok(i32::from_le_bytes([val[0], val[1], val[2], val[3]]))
        };
        let inet = domain == AF_INET || domain == AF_INET6;
        if level != SOL_SOCKET {
            if !inet {
                return Err(Errno::EOPNOTSUPP);
            }
            let ok_level = match level {
                SOL_TCP => stream,
                SOL_IP => true,
                SOL_IPV6 => domain == AF_INET6,
                _ => false,
            };
            if !ok_level {
                return Err(Errno::ENOPROTOOPT);
            }
            if level == SOL_IPV6 && name == IPV6_V6ONLY {
                let v = int()?;
                let s = self.sock_mut(ino);
                if s.local.is_some() {
                    return Err(Errno::EINVAL);
                }
                s.opts.v6only = v != 0;
                return Ok(Ok(()));
            }
            if plain_int(level, name, stream).is_some() {
                let connected = self.sock(ino).connected();
                let v = stored_int(level, name, stream, connected, int()?)?;
                self.sock_mut(ino).opts.ints.insert((level, name), v);
                return Ok(Ok(()));
            }
            return Ok(Err(format!(
                "setsockopt level {level} option {name} (not implemented)"
            )));
        }
        let o = &mut self.sock_mut(ino).opts;
        match name {
            SO_LINGER => {
                if val.len() < 8 {
                    return Err(Errno::EINVAL);
                }
                let on = i32::from_le_bytes([val[0], val[1], val[2], val[3]]);
                let t = i32::from_le_bytes([val[4], val[5], val[6], val[7]]);
                o.linger = (on != 0).then_some(t.max(0) as u32);
                return Ok(Ok(()));
            }
            SO_RCVTIMEO_OLD | SO_SNDTIMEO_OLD => {
                if val.len() < 16 {
                    return Err(Errno::EINVAL);
                }
                let sec = i64::from_le_bytes(val[..8].try_into().expect("8 bytes"));
                let usec = i64::from_le_bytes(val[8..16].try_into().expect("8 bytes"));
                if !(0..1_000_000).contains(&usec) {
                    return Err(Errno::EDOM);
                }
                // Zero waits forever; a negative time does not wait (Linux's timeout 0),
                // kept here as the shortest wait.
                let t = if sec < 0 { (0, 1) } else { (sec, usec) };
                o.timeo[(name == SO_SNDTIMEO_OLD) as usize] = t;
                return Ok(Ok(()));
            }
            _ => {}
        }
        let v = match name {
            SO_REUSEADDR | SO_REUSEPORT | SO_KEEPALIVE | SO_BROADCAST | SO_PASSCRED | SO_SNDBUF
            | SO_RCVBUF | SO_SNDBUFFORCE | SO_RCVBUFFORCE => int()?,
            _ if plain_int(SOL_SOCKET, name, stream).is_some() => int()?,
            SO_TYPE | SO_ERROR | SO_ACCEPTCONN | SO_PEERCRED | SO_PROTOCOL | SO_DOMAIN => {
                return Err(Errno::ENOPROTOOPT);
            }
            n if !(0..=SO_KNOWN_MAX).contains(&n) => return Err(Errno::ENOPROTOOPT),
            _ => {
                return Ok(Err(format!(
                    "setsockopt SOL_SOCKET option {name} (not implemented)"
                )));
            }
        };
        match name {
            SO_REUSEADDR => o.reuseaddr = v != 0,
            SO_REUSEPORT => {
                if !inet && domain != AF_UNIX {
                    return Err(Errno::EOPNOTSUPP);
                }
                o.reuseport = v != 0;
            }
            SO_KEEPALIVE => o.keepalive = v != 0,
            SO_BROADCAST => o.broadcast = v != 0,
            SO_PASSCRED => o.passcred = v != 0,
            SO_SNDBUF | SO_SNDBUFFORCE => {
                // The unprivileged limit applies to both (no CAP_NET_ADMIN).
                let v = (v as u32).min(WMEM_MAX).min(i32::MAX as u32 / 2);
                o.sndbuf = (v * 2).max(SOCK_MIN_SNDBUF);
            }
            SO_RCVBUF | SO_RCVBUFFORCE => {
                let v = (v as u32).min(RMEM_MAX).min(i32::MAX as u32 / 2);
                o.rcvbuf = (v * 2).max(SOCK_MIN_RCVBUF);
            }
            _ => {
                o.ints.insert((SOL_SOCKET, name), v);
            }
        }
        Ok(Ok(()))
    }

    /// `getsockopt(fd, level, name)`: the value, or `Ok(Err(msg))` for an option rvrun
    /// does not implement.
    pub fn getsockopt(
        &mut self,
        fd: i32,
        level: i32,
        name: i32,
    ) -> Result<Result<OptVal, String>, Errno> {
        let ino = self.socket_ino(fd)?;
        let s = self.sock(ino);
        let stream = s.stype == SOCK_STREAM;
        let inet = s.is_inet();
        if level != SOL_SOCKET {
            if !inet {
                return Err(Errno::EOPNOTSUPP);
            }
            let ok_level = match level {
                SOL_TCP => stream,
                SOL_IP => true,
                SOL_IPV6 => s.domain == AF_INET6,
                _ => false,
            };
            if !ok_level {
                // ip_getsockopt answers EOPNOTSUPP where ip_setsockopt answers ENOPROTOOPT.
                return Err(Errno::EOPNOTSUPP);
            }
            if level == SOL_IPV6 && name == IPV6_V6ONLY {
                return Ok(Ok(OptVal::Int(s.opts.v6only as i32)));
            }
            if let Some(d) = plain_int(level, name, stream) {
                return Ok(Ok(OptVal::Int(
                    *s.opts.ints.get(&(level, name)).unwrap_or(&d),
                )));
            }
            return Ok(Err(format!(
                "getsockopt level {level} option {name} (not implemented)"
            )));
        }
        let v = match name {
            SO_TYPE => s.stype as i32,
            SO_DOMAIN => s.domain as i32,
            SO_PROTOCOL => s.protocol,
            SO_ACCEPTCONN => s.listening() as i32,
            SO_ERROR => {
                let e = self.sock_mut(ino).take_error();
                return Ok(Ok(OptVal::Int(e.map_or(0, |e| e.0 as i32))));
            }
            SO_REUSEADDR => s.opts.reuseaddr as i32,
            SO_REUSEPORT => s.opts.reuseport as i32,
            SO_KEEPALIVE => s.opts.keepalive as i32,
            SO_BROADCAST => s.opts.broadcast as i32,
            SO_PASSCRED => s.opts.passcred as i32,
            SO_SNDBUF => s.opts.sndbuf as i32,
            SO_RCVBUF => s.opts.rcvbuf as i32,
            SO_LINGER => {
                let mut b = Vec::with_capacity(8);
                b.extend_from_slice(&(s.opts.linger.is_some() as i32).to_le_bytes());
                b.extend_from_slice(&(s.opts.linger.unwrap_or(0) as i32).to_le_bytes());
                return Ok(Ok(OptVal::Bytes(b)));
            }
            SO_RCVTIMEO_OLD | SO_SNDTIMEO_OLD => {
                let (sec, usec) = s.opts.timeo[(name == SO_SNDTIMEO_OLD) as usize];
                let mut b = sec.to_le_bytes().to_vec();
                b.extend_from_slice(&usec.to_le_bytes());
                return Ok(Ok(OptVal::Bytes(b)));
            }
            SO_PEERCRED => {
                // Without a peer: no pid, the overflow uid and gid.
                let c = match (&s.state, s.peer_cred) {
                    (State::Connected, Some(c)) => c,
                    _ if s.peer_gone => s.peer_cred.unwrap_or(self.net.cred),
                    _ => super::Ucred {
                        pid: 0,
                        uid: 65534,
                        gid: 65534,
                    },
                };
                let mut b = c.pid.to_le_bytes().to_vec();
                b.extend_from_slice(&c.uid.to_le_bytes());
                b.extend_from_slice(&c.gid.to_le_bytes());
                return Ok(Ok(OptVal::Bytes(b)));
            }
            n => match plain_int(SOL_SOCKET, n, stream) {
                Some(d) => *s.opts.ints.get(&(SOL_SOCKET, n)).unwrap_or(&d),
                None if !(0..=SO_KNOWN_MAX).contains(&n) => return Err(Errno::ENOPROTOOPT),
                None => {
                    return Ok(Err(format!(
                        "getsockopt SOL_SOCKET option {n} (not implemented)"
                    )));
                }
            },
        };
        Ok(Ok(OptVal::Int(v)))
    }
}
