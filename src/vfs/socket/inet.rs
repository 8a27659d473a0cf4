//! AF_INET and AF_INET6 on a network that is only the loopback interface: ports, address
//! checks and routing (anything but 127.0.0.0/8, `::1` and the unspecified address is
//! unreachable), TCP connections and UDP datagrams, with the rules of net/ipv4/af_inet.c,
//! tcp*.c, udp.c and net/ipv6/af_inet6.c.

use super::super::inode::Ino;
use super::super::{Blocked, Vfs, VfsError, WaitOn};
use super::addr::{self, Addr, InetAddr, LOOPBACK6};
use super::{Msg, Socket, State};
use crate::abi::Errno;
use crate::abi::socket::*;

/// `IPPROTO_MAX`.
const IPPROTO_MAX: i32 = 263;
/// `IPPROTO_ICMP` and `IPPROTO_ICMPV6` (ping sockets).
const IPPROTO_ICMP: i32 = 1;
const IPPROTO_ICMPV6: i32 = 58;
/// Largest UDP payload over IPv4 and over IPv6.
const UDP4_MAX: usize = 65507;
const UDP6_MAX: usize = 65527;

/// Checks `socket(AF_INET[6], kind, protocol)` (inet_create's protocol switch).
pub fn create(domain: u16, kind: u32, protocol: i32) -> Result<Socket, Errno> {
    if !(0..IPPROTO_MAX).contains(&protocol) {
        return Err(Errno::EINVAL);
    }
    let proto = match kind {
        SOCK_STREAM => match protocol {
            0 | IPPROTO_TCP => IPPROTO_TCP,
            _ => return Err(Errno::EPROTONOSUPPORT),
        },
        SOCK_DGRAM => match protocol {
            0 | IPPROTO_UDP => IPPROTO_UDP,
            // Ping sockets: net.ipv4.ping_group_range is empty by default.
            IPPROTO_ICMP | IPPROTO_ICMPV6 => return Err(Errno::EACCES),
            _ => return Err(Errno::EPROTONOSUPPORT),
        },
        // Raw sockets need CAP_NET_RAW.
        SOCK_RAW => return Err(Errno::EPERM),
        _ => return Err(Errno::ESOCKTNOSUPPORT),
    };
    Ok(Socket::new(domain, kind, proto))
}

/// Addresses of this machine: the loopback network and the unspecified address.
fn is_local(a: &InetAddr) -> bool {
    a.is_loopback() || a.is_unspecified()
}

/// Where a connection or datagram to `a` goes: the unspecified address means loopback
/// (`127.0.0.1` or `::1`); anything else off the loopback network is unreachable.
fn route(a: InetAddr) -> Result<InetAddr, Errno> {
    let a = if a.is_unspecified() {
        if a.is_v4() {
            InetAddr::v4([127, 0, 0, 1], a.port)
        } else {
            InetAddr::v6(LOOPBACK6, a.port)
        }
    } else {
        a
    };
    if !a.is_loopback() {
        return Err(Errno::ENETUNREACH);
    }
    Ok(a)
}

/// The source address of a packet to `dest` from a socket bound to `local`: the bound
/// address unless it is unspecified, else the loopback route's source.
fn source_for(local: Option<&InetAddr>, dest: &InetAddr) -> [u8; 16] {
    match local {
        Some(l) if !l.is_unspecified() => l.ip,
        _ if dest.is_v4() => InetAddr::v4([127, 0, 0, 1], 0).ip,
        _ => LOOPBACK6,
    }
}

/// Whether a socket bound to `a` (v6-only when `a_v6only`) receives for address `b`.
fn covers(a: &InetAddr, a_v6only: bool, b: &InetAddr) -> bool {
    if a.ip == b.ip {
        return true;
    }
    if a.is_v4() && a.is_unspecified() {
        return b.is_v4();
    }
    if a.ip == [0; 16] {
        return !b.is_v4() || !a_v6only;
    }
    false
}

/// TCP's reaction to a reset: the error by state (EPIPE after the peer's FIN, else
/// ECONNRESET), both directions shut, the connection closed.
pub fn tcp_reset(s: &mut Socket) {
    s.error = Some(if s.fin {
        Errno::EPIPE
    } else {
        Errno::ECONNRESET
    });
    s.shut_rd = true;
    s.shut_wr = true;
    s.state = State::Unconnected;
    s.peer = None;
    s.activity += 1;
}

impl Vfs {
    fn inet_local(&self, ino: Ino) -> Option<InetAddr> {
        match &self.sock(ino).local {
            Some(Addr::Inet(a)) => Some(*a),
            _ => None,
        }
    }

    /// Decodes an address for an inet socket of `domain` (sockaddr_in or sockaddr_in6).
    fn inet_parse(domain: u16, raw: &[u8]) -> Result<InetAddr, Errno> {
        if domain == AF_INET6 {
            addr::parse_in6(raw)
        } else {
            addr::parse_in(raw)
        }
    }

    /// Would binding `ino` to `a` conflict with another socket of its protocol (the checks
    /// of inet_csk_bind_conflict and udp_lib_lport_inuse): overlapping addresses on one port
    /// conflict unless both sockets set SO_REUSEPORT, or both set SO_REUSEADDR and neither
    /// listens (TCP).
    fn port_conflict(&self, ino: Ino, a: &InetAddr, listening: bool) -> bool {
        let s = self.sock(ino);
        let Some(set) = self.net.ports.get(&(s.protocol, a.port)) else {
            return false;
        };
        set.iter().any(|&o| {
            if o == ino {
                return false;
            }
            let os = self.sock(o);
            let Some(Addr::Inet(oa)) = &os.local else {
                return false;
            };
            if !covers(a, s.opts.v6only, oa) && !covers(oa, os.opts.v6only, a) {
                return false;
            }
            if s.opts.reuseport && os.opts.reuseport {
                return false;
            }
            let tcp = s.protocol == IPPROTO_TCP;
            if s.opts.reuseaddr && os.opts.reuseaddr && (!tcp || (!listening && !os.listening())) {
                return false;
            }
            true
        })
    }

    fn inet_add_port(&mut self, ino: Ino, a: InetAddr) {
        let proto = self.sock(ino).protocol;
        self.net
            .ports
            .entry((proto, a.port))
            .or_default()
            .insert(ino);
        self.sock_mut(ino).local = Some(Addr::Inet(a));
    }

    /// Binds `ino` to `a`, choosing an ephemeral port when its port is 0 (the next free one
    /// from where the last search ended, in Linux's range). EADDRINUSE on a conflict, or
    /// when no ephemeral port is free.
    fn inet_take_port(&mut self, ino: Ino, a: InetAddr) -> Result<InetAddr, Errno> {
        if a.port != 0 {
            if self.port_conflict(ino, &a, false) {
                return Err(Errno::EADDRINUSE);
            }
            self.inet_add_port(ino, a);
            return Ok(a);
        }
        let span = (EPHEMERAL_HIGH - EPHEMERAL_LOW) as u32 + 1;
        let start = self.net.next_ephemeral.clamp(EPHEMERAL_LOW, EPHEMERAL_HIGH);
        let proto = self.sock(ino).protocol;
        for i in 0..span {
            let port = EPHEMERAL_LOW + ((start - EPHEMERAL_LOW) as u32 + i).rem_euclid(span) as u16;
            if self
                .net
                .ports
                .get(&(proto, port))
                .is_some_and(|s| !s.is_empty())
            {
                continue;
            }
            let b = a.with_port(port);
            self.net.next_ephemeral = if port == EPHEMERAL_HIGH {
                EPHEMERAL_LOW
            } else {
                port + 1
            };
            self.inet_add_port(ino, b);
            return Ok(b);
        }
        Err(Errno::EADDRINUSE)
    }

    /// Releases `ino`'s port.
    pub(super) fn inet_unbind(&mut self, ino: Ino) {
        let s = self.sock(ino);
        if let Some(Addr::Inet(a)) = &s.local {
            let key = (s.protocol, a.port);
            if let Some(set) = self.net.ports.get_mut(&key) {
                set.remove(&ino);
                if set.is_empty() {
                    self.net.ports.remove(&key);
                }
            }
        }
    }

    /// Binds an unbound socket to the wildcard address and an ephemeral port (inet_autobind).
    fn inet_autobind(&mut self, ino: Ino) -> Result<(), Errno> {
        if self.sock(ino).local.is_some() {
            return Ok(());
        }
        let any = if self.sock(ino).domain == AF_INET6 {
            InetAddr::v6([0; 16], 0)
        } else {
            InetAddr::v4([0; 4], 0)
        };
        self.inet_take_port(ino, any)
            .map(|_| ())
            .map_err(|_| Errno::EAGAIN)
    }

    /// `bind` on an inet socket (inet_bind, inet6_bind).
    pub(super) fn inet_bind(&mut self, ino: Ino, raw: &[u8]) -> Result<(), Errno> {
        let s = self.sock(ino);
        let a = if s.domain == AF_INET {
            if raw.len() < addr::SOCKADDR_IN_LEN {
                return Err(Errno::EINVAL);
            }
            let fam = addr::raw_family(raw);
            // AF_UNSPEC with INADDR_ANY is taken as AF_INET, for old programs.
            if fam != AF_INET && !(fam == AF_UNSPEC && raw[4..8] == [0; 4]) {
                return Err(Errno::EAFNOSUPPORT);
            }
            let mut v = raw[..addr::SOCKADDR_IN_LEN].to_vec();
            v[..2].copy_from_slice(&AF_INET.to_le_bytes());
            let a = addr::parse_in(&v)?;
            if !is_local(&a) {
                return Err(Errno::EADDRNOTAVAIL);
            }
            if a.port != 0 && a.port < 1024 && self.net.cred.uid != 0 {
                return Err(Errno::EACCES);
            }
            if s.local.is_some() || !matches!(s.state, State::Unconnected) {
                return Err(Errno::EINVAL);
            }
            a
        } else {
            let a = addr::parse_in6(raw)?;
            if a.port != 0 && a.port < 1024 && self.net.cred.uid != 0 {
                return Err(Errno::EACCES);
            }
            if s.local.is_some() || !matches!(s.state, State::Unconnected) {
                return Err(Errno::EINVAL);
            }
            if a.is_v4() && s.opts.v6only {
                return Err(Errno::EINVAL);
            }
            if !is_local(&a) {
                return Err(Errno::EADDRNOTAVAIL);
            }
            a
        };
        let a = self.inet_take_port(ino, InetAddr { flow: 0, ..a })?;
        let s = self.sock_mut(ino);
        s.opts.bound_addr = !a.is_unspecified();
        s.opts.bound_port = true;
        Ok(())
    }

    /// `listen` on an inet socket: EINVAL unless an unconnected TCP socket; binds an
    /// unbound one; EADDRINUSE when another socket listens on the same address and port
    /// (without SO_REUSEPORT on both).
    pub(super) fn inet_listen(&mut self, ino: Ino, backlog: u32) -> Result<(), Errno> {
        let s = self.sock(ino);
        if s.stype != SOCK_STREAM || s.connecting {
            return Err(Errno::EINVAL);
        }
        match s.state {
            State::Connected => return Err(Errno::EINVAL),
            State::Listening { .. } => {
                if let State::Listening { backlog: b, .. } = &mut self.sock_mut(ino).state {
                    *b = backlog;
                }
                return Ok(());
            }
            State::Unconnected => {}
        }
        self.inet_autobind(ino).map_err(|_| Errno::EADDRINUSE)?;
        let a = self.inet_local(ino).expect("bound");
        let proto = self.sock(ino).protocol;
        let me = self.sock(ino);
        let clash = self.net.ports.get(&(proto, a.port)).is_some_and(|set| {
            set.iter().any(|&o| {
                let os = self.sock(o);
                o != ino
                    && os.listening()
                    && !(me.opts.reuseport && os.opts.reuseport)
                    && matches!(&os.local, Some(Addr::Inet(oa))
                        if covers(&a, me.opts.v6only, oa) || covers(oa, os.opts.v6only, &a))
            })
        });
        if clash {
            return Err(Errno::EADDRINUSE);
        }
        let s = self.sock_mut(ino);
        s.state = State::Listening {
            backlog,
            queue: Default::default(),
        };
        s.shut_rd = false;
        s.shut_wr = false;
        Ok(())
    }

    /// A listener stops listening: connections not yet accepted are reset.
    pub(super) fn inet_stop_listening(&mut self, ino: Ino) {
        let state = std::mem::take(&mut self.sock_mut(ino).state);
        if let State::Listening { queue, .. } = state {
            for child in queue {
                if let Some(cp) = self.sock(child).peer {
                    self.peer_left(cp, child, true);
                }
                self.sock_mut(child).peer = None;
                self.socket_release(child);
                self.inodes.release(child);
            }
        }
    }

    /// The listening socket a connection to `dest` reaches (an exact address before a
    /// wildcard one, then the oldest).
    fn find_listener(&self, dest: &InetAddr) -> Option<Ino> {
        let set = self.net.ports.get(&(IPPROTO_TCP, dest.port))?;
        let mut best: Option<(u8, Ino)> = None;
        for &o in set {
            let os = self.sock(o);
            if !os.listening() || os.shut_rd {
                continue;
            }
            let Some(Addr::Inet(oa)) = &os.local else {
                continue;
            };
            if !covers(oa, os.opts.v6only, dest) {
                continue;
            }
            if os.domain == AF_INET && !dest.is_v4() {
                continue;
            }
            let score = if oa.ip == dest.ip { 2 } else { 1 };
            if best.is_none_or(|(b, _)| score > b) {
                best = Some((score, o));
            }
        }
        best.map(|(_, o)| o)
    }

    /// Decodes and routes a destination for socket `ino` (tcp_v4_connect, tcp_v6_connect,
    /// ip4_datagram_connect and the send paths): EINVAL when short, EAFNOSUPPORT for another
    /// family, ENETUNREACH off the loopback network (or a v4-mapped address on a v6-only
    /// socket).
    fn inet_dest(&self, ino: Ino, raw: &[u8]) -> Result<InetAddr, Errno> {
        let s = self.sock(ino);
        let d = if s.domain == AF_INET6 && addr::raw_family(raw) == AF_INET && s.stype == SOCK_DGRAM
        {
            addr::parse_in(raw)?
        } else {
            Vfs::inet_parse(s.domain, raw)?
        };
        if s.domain == AF_INET6 && d.is_v4() && s.opts.v6only {
            return Err(Errno::ENETUNREACH);
        }
        route(d)
    }

    /// `connect` on an inet socket.
    pub(super) fn inet_connect(
        &mut self,
        ino: Ino,
        raw: &[u8],
        nonblock: bool,
    ) -> Result<(), VfsError> {
        if raw.len() < 2 {
            return Err(Errno::EINVAL.into());
        }
        let unspec = addr::raw_family(raw) == AF_UNSPEC;
        if self.sock(ino).stype == SOCK_DGRAM {
            if unspec {
                self.udp_disconnect(ino);
                return Ok(());
            }
            self.inet_autobind(ino)?;
            let d = self.inet_dest(ino, raw)?;
            let local = self.inet_local(ino).expect("bound");
            let src = InetAddr {
                ip: source_for(Some(&local), &d),
                ..local
            };
            let s = self.sock_mut(ino);
            s.local = Some(Addr::Inet(src));
            s.remote = Some(Addr::Inet(d));
            s.state = State::Connected;
            return Ok(());
        }
        if unspec {
            self.tcp_disconnect(ino);
            return Ok(());
        }
        let s = self.sock_mut(ino);
        if s.connecting {
            // The outcome of a non-blocking connect (__inet_stream_connect's SS_CONNECTING).
            s.connecting = false;
            if s.connected() {
                return Ok(());
            }
            let e = s.take_error().unwrap_or(Errno::ECONNABORTED);
            s.shut_rd = false;
            s.shut_wr = false;
            return Err(e.into());
        }
        match s.state {
            State::Connected | State::Listening { .. } => return Err(Errno::EISCONN.into()),
            State::Unconnected => {}
        }
        let d = self.inet_dest(ino, raw)?;
        let listener = self.find_listener(&d);
        if let Some(l) = listener
            && let State::Listening { backlog, queue } = &self.sock(l).state
            && queue.len() > *backlog as usize
            && !nonblock
        {
            return Err(VfsError::WouldBlock(Blocked {
                on: WaitOn::Socket(l),
                done: 0,
            }));
        }
        let autobound = self.sock(ino).local.is_none();
        self.inet_autobind(ino).map_err(|_| Errno::EADDRNOTAVAIL)?;
        let local = self.inet_local(ino).expect("bound");
        let src = InetAddr {
            ip: source_for(Some(&local), &d),
            ..local
        };
        let Some(l) = listener else {
            // Refused (the reset answering the SYN).
            if autobound {
                self.inet_unbind(ino);
                self.sock_mut(ino).local = None;
            }
            if nonblock {
                let s = self.sock_mut(ino);
                s.connecting = true;
                s.error = Some(Errno::ECONNREFUSED);
                s.shut_rd = true;
                s.shut_wr = true;
                s.activity += 1;
                return Err(Errno::EINPROGRESS.into());
            }
            return Err(Errno::ECONNREFUSED.into());
        };
        let ls = self.sock(l);
        let mut child = Socket::new(ls.domain, SOCK_STREAM, IPPROTO_TCP);
        child.opts = ls.opts.clone();
        child.state = State::Connected;
        child.peer = Some(ino);
        child.local = Some(Addr::Inet(d));
        child.remote = Some(Addr::Inet(src));
        let child = self.add_socket(child);
        self.inodes.hold(child);
        let proto = IPPROTO_TCP;
        self.net
            .ports
            .entry((proto, d.port))
            .or_default()
            .insert(child);
        let lsm = self.sock_mut(l);
        lsm.activity += 1;
        if let State::Listening { queue, .. } = &mut lsm.state {
            queue.push_back(child);
        }
        let s = self.sock_mut(ino);
        s.local = Some(Addr::Inet(src));
        s.remote = Some(Addr::Inet(d));
        s.peer = Some(child);
        s.state = State::Connected;
        s.activity += 1;
        if nonblock {
            s.connecting = true;
            return Err(Errno::EINPROGRESS.into());
        }
        Ok(())
    }

    /// `connect(AF_UNSPEC)` on a TCP socket: a connection is reset, the socket is
    /// unconnected again.
    fn tcp_disconnect(&mut self, ino: Ino) {
        if self.sock(ino).listening() {
            self.inet_stop_listening(ino);
        }
        let s = self.sock_mut(ino);
        let peer = s.peer.take();
        s.state = State::Unconnected;
        s.connecting = false;
        s.shut_rd = false;
        s.shut_wr = false;
        s.fin = false;
        s.remote = None;
        if let Some(p) = peer {
            self.peer_left(p, ino, true);
        }
    }

    /// `connect(AF_UNSPEC)` on a UDP socket (udp_disconnect): no default destination; an
    /// address or port the socket got by connecting is given back.
    fn udp_disconnect(&mut self, ino: Ino) {
        let s = self.sock_mut(ino);
        s.state = State::Unconnected;
        s.remote = None;
        let (bound_addr, bound_port) = (s.opts.bound_addr, s.opts.bound_port);
        if !bound_port {
            self.inet_unbind(ino);
            self.sock_mut(ino).local = None;
        } else if !bound_addr {
            let v4 = self.sock(ino).domain == AF_INET;
            if let Some(Addr::Inet(a)) = &mut self.sock_mut(ino).local {
                *a = if v4 {
                    InetAddr::v4([0; 4], a.port)
                } else {
                    InetAddr::v6([0; 16], a.port)
                };
            }
        }
    }

    /// Sends on an inet socket.
    pub(super) fn inet_send(
        &mut self,
        ino: Ino,
        data: &[u8],
        to: Option<&[u8]>,
        flags: u32,
        nonblock: bool,
    ) -> Result<usize, VfsError> {
        if self.sock(ino).stype == SOCK_DGRAM {
            return Ok(self.udp_send(ino, data, to, flags)?);
        }
        if flags & MSG_OOB != 0 {
            return Err(Errno::EOPNOTSUPP.into());
        }
        let s = self.sock_mut(ino);
        if !s.connected() {
            return Err(s.take_error().unwrap_or(Errno::EPIPE).into());
        }
        if s.error.is_some() || s.shut_wr {
            return Err(s.take_error().unwrap_or(Errno::EPIPE).into());
        }
        let Some(peer) = s.peer else {
            // The peer closed after its FIN: what fits in the send buffer goes out, and the
            // answer is a reset.
            let n = data.len().min(s.opts.sndbuf as usize);
            tcp_reset(s);
            return Ok(n);
        };
        if data.is_empty() {
            return Ok(0);
        }
        let space = self.stream_send_space(ino, peer, nonblock)?;
        let n = space.min(data.len());
        let m = Msg {
            data: data[..n].to_vec(),
            from: None,
            rights: Vec::new(),
        };
        if !self.sock_push(peer, m) {
            return Err(Errno::ENOBUFS.into());
        }
        if n == data.len() || nonblock {
            return Ok(n);
        }
        Err(VfsError::WouldBlock(Blocked {
            on: WaitOn::Socket(peer),
            done: n,
        }))
    }

    /// Sends a UDP datagram (udp_sendmsg, udpv6_sendmsg). Datagrams nobody receives are
    /// dropped; a connected sender then gets ECONNREFUSED on a later call, as the ICMP
    /// port-unreachable answer gives it.
    fn udp_send(
        &mut self,
        ino: Ino,
        data: &[u8],
        to: Option<&[u8]>,
        flags: u32,
    ) -> Result<usize, Errno> {
        if data.len() > 0xffff {
            return Err(Errno::EMSGSIZE);
        }
        if flags & MSG_OOB != 0 {
            return Err(Errno::EOPNOTSUPP);
        }
        self.inet_autobind(ino)?;
        let s = self.sock(ino);
        let v6 = s.domain == AF_INET6;
        let dest = match to {
            Some(raw) if !(v6 && addr::raw_family(raw) == AF_UNSPEC && raw.len() >= 2) => {
                let d = if !v6 {
                    if raw.len() < addr::SOCKADDR_IN_LEN {
                        return Err(Errno::EINVAL);
                    }
                    let fam = addr::raw_family(raw);
                    if fam != AF_INET && fam != AF_UNSPEC {
                        return Err(Errno::EAFNOSUPPORT);
                    }
                    let mut v = raw[..addr::SOCKADDR_IN_LEN].to_vec();
                    v[..2].copy_from_slice(&AF_INET.to_le_bytes());
                    addr::parse_in(&v)?
                } else {
                    match addr::raw_family(raw) {
                        AF_INET6 => addr::parse_in6(raw)?,
                        AF_INET => addr::parse_in(raw)?,
                        _ => return Err(Errno::EINVAL),
                    }
                };
                if d.port == 0 {
                    return Err(Errno::EINVAL);
                }
                if v6 && d.is_v4() && s.opts.v6only {
                    return Err(Errno::ENETUNREACH);
                }
                route(d)?
            }
            _ => match (&s.state, &s.remote) {
                (State::Connected, Some(Addr::Inet(r))) => *r,
                _ => return Err(Errno::EDESTADDRREQ),
            },
        };
        let max = if dest.is_v4() { UDP4_MAX } else { UDP6_MAX };
        if data.len() > max {
            return Err(Errno::EMSGSIZE);
        }
        let local = self.inet_local(ino).expect("bound");
        let from = InetAddr {
            ip: source_for(Some(&local), &dest),
            ..local
        };
        match self.udp_receiver(&dest, &from) {
            Some(r) => {
                let rs = self.sock(r);
                // A full receive queue (or an exhausted memory budget) drops the datagram.
                // (__udp_enqueue_schedule_skb: the queued sk_buffs' truesize against
                // SO_RCVBUF.)
                if rs.rx_truesize() <= rs.opts.rcvbuf as usize && !rs.shut_rd {
                    let m = Msg {
                        data: data.to_vec(),
                        from: Some(Addr::Inet(from)),
                        rights: Vec::new(),
                    };
                    self.sock_push(r, m);
                }
            }
            None => {
                let s = self.sock_mut(ino);
                if s.connected() {
                    s.error = Some(Errno::ECONNREFUSED);
                    s.activity += 1;
                }
            }
        }
        Ok(data.len())
    }

    /// The UDP socket a datagram from `from` to `dest` reaches: one bound to the port whose
    /// address covers `dest` and, if connected, connected to `from`; the best match (a
    /// connected one, an exact address), then the oldest.
    fn udp_receiver(&self, dest: &InetAddr, from: &InetAddr) -> Option<Ino> {
        let set = self.net.ports.get(&(IPPROTO_UDP, dest.port))?;
        let mut best: Option<(u8, Ino)> = None;
        for &o in set {
            let os = self.sock(o);
            let Some(Addr::Inet(oa)) = &os.local else {
                continue;
            };
            if !covers(oa, os.opts.v6only, dest) || (os.domain == AF_INET && !dest.is_v4()) {
                continue;
            }
            let mut score = if oa.ip == dest.ip { 2 } else { 1 };
            if os.connected() {
                match &os.remote {
                    Some(Addr::Inet(r)) if r.ip == from.ip && r.port == from.port => score += 4,
                    _ => continue,
                }
            }
            if best.is_none_or(|(b, _)| score > b) {
                best = Some((score, o));
            }
        }
        best.map(|(_, o)| o)
    }
}
