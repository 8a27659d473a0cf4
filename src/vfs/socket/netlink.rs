//! AF_NETLINK, NETLINK_ROUTE only: link and address dumps describing the one interface
//! the guest has, the loopback `lo` (index 1, 127.0.0.1/8 and ::1/128). Other requests are
//! answered with an NLMSG_ERROR of EOPNOTSUPP.

use super::super::Vfs;
use super::super::inode::Ino;
use super::addr::{self, Addr};
use super::{Msg, Socket, State};
use crate::abi::Errno;
use crate::abi::socket::*;

const NLMSG_HDRLEN: usize = 16;
const NLMSG_ERROR: u16 = 2;
const NLMSG_DONE: u16 = 3;
const NLM_F_REQUEST: u16 = 1;
const NLM_F_MULTI: u16 = 2;
const NLM_F_DUMP: u16 = 0x300;
const RTM_NEWLINK: u16 = 16;
const RTM_GETLINK: u16 = 18;
const RTM_NEWADDR: u16 = 20;
const RTM_GETADDR: u16 = 22;
const ARPHRD_LOOPBACK: u16 = 772;
/// IFF_UP | IFF_LOOPBACK | IFF_RUNNING | IFF_LOWER_UP.
const LO_FLAGS: u32 = 0x1 | 0x8 | 0x40 | 0x10000;
const IFLA_ADDRESS: u16 = 1;
const IFLA_BROADCAST: u16 = 2;
const IFLA_IFNAME: u16 = 3;
const IFLA_MTU: u16 = 4;
const IFLA_TXQLEN: u16 = 13;
const IFA_ADDRESS: u16 = 1;
const IFA_LOCAL: u16 = 2;
const IFA_LABEL: u16 = 3;
const IFA_F_PERMANENT: u8 = 0x80;
const RT_SCOPE_HOST: u8 = 254;

/// Checks `socket(AF_NETLINK, kind, protocol)`.
pub fn create(kind: u32, protocol: i32) -> Result<Socket, Errno> {
    if kind != SOCK_RAW && kind != SOCK_DGRAM {
        return Err(Errno::ESOCKTNOSUPPORT);
    }
    if protocol != NETLINK_ROUTE {
        return Err(Errno::EPROTONOSUPPORT);
    }
    Ok(Socket::new(AF_NETLINK, kind, protocol))
}

fn align4(v: &mut Vec<u8>) {
    while !v.len().is_multiple_of(4) {
        v.push(0);
    }
}

fn attr(v: &mut Vec<u8>, ty: u16, data: &[u8]) {
    v.extend_from_slice(&((4 + data.len()) as u16).to_le_bytes());
    v.extend_from_slice(&ty.to_le_bytes());
    v.extend_from_slice(data);
    align4(v);
}

/// One netlink message with header: `body` after a header of `ty`, `flags`, `seq`, `pid`.
fn message(ty: u16, flags: u16, seq: u32, pid: u32, body: &[u8]) -> Vec<u8> {
    let mut v = Vec::new();
    v.extend_from_slice(&((NLMSG_HDRLEN + body.len()) as u32).to_le_bytes());
    v.extend_from_slice(&ty.to_le_bytes());
    v.extend_from_slice(&flags.to_le_bytes());
    v.extend_from_slice(&seq.to_le_bytes());
    v.extend_from_slice(&pid.to_le_bytes());
    v.extend_from_slice(body);
    align4(&mut v);
    v
}

/// The RTM_NEWLINK body for `lo`.
fn link_lo() -> Vec<u8> {
    let mut b = Vec::new();
    b.push(AF_UNSPEC as u8);
    b.push(0);
    b.extend_from_slice(&ARPHRD_LOOPBACK.to_le_bytes());
    b.extend_from_slice(&1i32.to_le_bytes());
    b.extend_from_slice(&LO_FLAGS.to_le_bytes());
    b.extend_from_slice(&0u32.to_le_bytes());
    attr(&mut b, IFLA_IFNAME, b"lo\0");
    attr(&mut b, IFLA_TXQLEN, &1000u32.to_le_bytes());
    attr(&mut b, IFLA_MTU, &65536u32.to_le_bytes());
    attr(&mut b, IFLA_ADDRESS, &[0; 6]);
    attr(&mut b, IFLA_BROADCAST, &[0; 6]);
    b
}

/// The RTM_NEWADDR bodies for `lo` of `family` (AF_UNSPEC: both).
fn addrs_lo(family: u8) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    if family == AF_UNSPEC as u8 || family == AF_INET as u8 {
        let mut b = vec![AF_INET as u8, 8, IFA_F_PERMANENT, RT_SCOPE_HOST];
        b.extend_from_slice(&1u32.to_le_bytes());
        attr(&mut b, IFA_ADDRESS, &[127, 0, 0, 1]);
        attr(&mut b, IFA_LOCAL, &[127, 0, 0, 1]);
        attr(&mut b, IFA_LABEL, b"lo\0");
        out.push(b);
    }
    if family == AF_UNSPEC as u8 || family == AF_INET6 as u8 {
        let mut b = vec![AF_INET6 as u8, 128, IFA_F_PERMANENT, RT_SCOPE_HOST];
        b.extend_from_slice(&1u32.to_le_bytes());
        attr(&mut b, IFA_ADDRESS, &addr::LOOPBACK6);
        out.push(b);
    }
    out
}

impl Vfs {
    /// `bind` on a netlink socket: the port id is the process id when 0 is asked.
    pub(super) fn netlink_bind(&mut self, ino: Ino, raw: &[u8]) -> Result<(), Errno> {
        let (pid, groups) = addr::parse_nl(raw)?;
        if groups != 0 {
            return Err(Errno::EPERM);
        }
        let pid = if pid == 0 { self.net.cred.pid } else { pid };
        let s = self.sock_mut(ino);
        match &s.local {
            Some(Addr::Netlink(p, _)) if *p != pid => return Err(Errno::EINVAL),
            _ => {}
        }
        s.local = Some(Addr::Netlink(pid, 0));
        Ok(())
    }

    /// `connect` on a netlink socket: only to the kernel (port 0).
    pub(super) fn netlink_connect(&mut self, ino: Ino, raw: &[u8]) -> Result<(), Errno> {
        let cred = self.net.cred;
        if raw.len() >= 2 && addr::raw_family(raw) == AF_UNSPEC {
            let s = self.sock_mut(ino);
            s.state = State::Unconnected;
            s.remote = None;
            return Ok(());
        }
        let (pid, _) = addr::parse_nl(raw)?;
        if pid != 0 {
            return Err(Errno::ECONNREFUSED);
        }
        let s = self.sock_mut(ino);
        if s.local.is_none() {
            s.local = Some(Addr::Netlink(cred.pid, 0));
        }
        s.state = State::Connected;
        s.remote = Some(Addr::Netlink(0, 0));
        Ok(())
    }

    /// A request to the kernel: each message in `data` is answered on the socket's queue.
    pub(super) fn netlink_send(
        &mut self,
        ino: Ino,
        data: &[u8],
        to: Option<&[u8]>,
    ) -> Result<usize, Errno> {
        if let Some(raw) = to {
            let (pid, _) = addr::parse_nl(raw)?;
            if pid != 0 {
                return Err(Errno::ECONNREFUSED);
            }
        }
        if self.sock(ino).local.is_none() {
            self.sock_mut(ino).local = Some(Addr::Netlink(self.net.cred.pid, 0));
        }
        let pid = match self.sock(ino).local {
            Some(Addr::Netlink(p, _)) => p,
            _ => self.net.cred.pid,
        };
        let mut replies: Vec<Vec<u8>> = Vec::new();
        let mut rest = data;
        while rest.len() >= NLMSG_HDRLEN {
            let len = u32::from_le_bytes([rest[0], rest[1], rest[2], rest[3]]) as usize;
            if len < NLMSG_HDRLEN || len > rest.len() {
                break;
            }
            let ty = u16::from_le_bytes([rest[4], rest[5]]);
            let flags = u16::from_le_bytes([rest[6], rest[7]]);
            let seq = u32::from_le_bytes([rest[8], rest[9], rest[10], rest[11]]);
            let body = &rest[NLMSG_HDRLEN..len];
            let family = body.first().copied().unwrap_or(0);
            let dump = flags & NLM_F_DUMP == NLM_F_DUMP;
            if flags & NLM_F_REQUEST != 0 {
                match ty {
                    RTM_GETLINK if dump => {
                        replies.push(message(RTM_NEWLINK, NLM_F_MULTI, seq, pid, &link_lo()));
                        replies.push(message(
                            NLMSG_DONE,
                            NLM_F_MULTI,
                            seq,
                            pid,
                            &0i32.to_le_bytes(),
                        ));
                    }
                    RTM_GETADDR if dump => {
                        let mut all = Vec::new();
                        for b in addrs_lo(family) {
                            all.extend(message(RTM_NEWADDR, NLM_F_MULTI, seq, pid, &b));
                        }
                        if !all.is_empty() {
                            replies.push(all);
                        }
                        replies.push(message(
                            NLMSG_DONE,
                            NLM_F_MULTI,
                            seq,
                            pid,
                            &0i32.to_le_bytes(),
                        ));
                    }
                    _ => {
                        let mut e = (-(Errno::EOPNOTSUPP.0 as i32)).to_le_bytes().to_vec();
                        e.extend_from_slice(&rest[..NLMSG_HDRLEN]);
                        replies.push(message(NLMSG_ERROR, 0, seq, pid, &e));
                    }
                }
            }
            rest = &rest[len.div_ceil(4).saturating_mul(4).min(rest.len())..];
        }
        for r in replies {
            let m = Msg {
                data: r,
                from: Some(Addr::Netlink(0, 0)),
                rights: Vec::new(),
            };
            if !self.sock_push(ino, m) {
                return Err(Errno::ENOBUFS);
            }
        }
        Ok(data.len())
    }
}
