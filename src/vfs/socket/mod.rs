//! Sockets: in-guest objects behind open file descriptions, as pipes are. AF_UNIX (stream,
//! datagram, seqpacket), AF_INET and AF_INET6 (TCP and UDP over a loopback-only network) and
//! AF_NETLINK (NETLINK_ROUTE, answering for the loopback interface).
//!
//! A socket is an anonymous inode ([`Node::Socket`]); connected sockets name each other by
//! inode number. Data moves in write order: a send appends to the receiver's queue at once,
//! so a loopback connection is a pair of queues, and nothing ever touches a host socket.
//! A call that cannot complete (empty queue, full queue, empty accept queue) returns
//! [`VfsError::WouldBlock`]; the scheduler retries it when file state changes, as for pipes.
//! A listening socket's accept queue holds the server ends of connections already made.
//!
//! One concern per file: [`addr`] (sockaddr layouts), [`unix`]
//! (AF_UNIX names and rules), [`inet`] (ports, loopback routing, TCP and UDP rules),
//! [`netlink`] (the route netlink answers), [`opts`] (socket options).

pub mod addr;
pub mod inet;
pub mod netlink;
pub mod opts;
#[cfg(test)]
mod tests;
pub mod unix;

use super::fd::FileId;
use super::inode::{Ino, Node, Origin};
use super::{Blocked, Readiness, Vfs, VfsError, WaitOn};
use crate::abi::Errno;
use crate::abi::socket::*;
use addr::{Addr, InetAddr, UnixName};
use std::collections::{BTreeMap, BTreeSet, VecDeque};

/// The credentials a socket reports (`SO_PEERCRED`, `SCM_CREDENTIALS`): the guest's one
/// process.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Ucred {
    /// Process id.
    pub pid: u32,
    /// User id.
    pub uid: u32,
    /// Group id.
    pub gid: u32,
}

/// One queued message (a datagram, or a segment of a stream).
#[derive(Debug, Default)]
pub struct Msg {
    /// The bytes not yet read.
    pub data: Vec<u8>,
    /// The sender's address (datagrams).
    pub from: Option<Addr>,
    /// Open file descriptions passed with `SCM_RIGHTS` (each holds a reference).
    pub rights: Vec<FileId>,
}

/// A socket's connection state.
#[derive(Debug, Default)]
pub enum State {
    /// Neither listening nor connected (TCP_CLOSE).
    #[default]
    Unconnected,
    /// Listening: the backlog and the accepted-but-not-yet-taken connections (server ends,
    /// each an inode held by the queue).
    Listening {
        /// Linux's `sk_max_ack_backlog`.
        backlog: u32,
        /// The server ends waiting for `accept`, oldest first.
        queue: VecDeque<Ino>,
    },
    /// Connected (TCP_ESTABLISHED and the states after a FIN; datagram sockets with a
    /// default peer).
    Connected,
}

/// A socket.
#[derive(Debug)]
pub struct Socket {
    /// `AF_UNIX`, `AF_INET`, `AF_INET6` or `AF_NETLINK`.
    pub domain: u16,
    /// `SOCK_STREAM`, `SOCK_DGRAM`, `SOCK_SEQPACKET` or `SOCK_RAW` (netlink).
    pub stype: u32,
    /// The protocol `SO_PROTOCOL` reports.
    pub protocol: i32,
    /// Connection state.
    pub state: State,
    /// A non-blocking `connect` started and nobody has looked at its outcome with
    /// `connect` yet (Linux's SS_CONNECTING).
    pub connecting: bool,
    /// Its own address, once bound.
    pub local: Option<Addr>,
    /// The peer's address (connected sockets; a datagram socket's default destination).
    pub remote: Option<Addr>,
    /// The connected peer socket while it exists.
    pub peer: Option<Ino>,
    /// The peer socket was closed (stream and seqpacket) or went away (datagram).
    pub peer_gone: bool,
    /// Received messages, oldest first.
    pub rx: VecDeque<Msg>,
    /// Bytes in `rx`.
    pub rx_bytes: usize,
    /// RCV_SHUTDOWN.
    pub shut_rd: bool,
    /// SEND_SHUTDOWN.
    pub shut_wr: bool,
    /// TCP: a FIN arrived (SOCK_DONE): reads at the end of the data return 0.
    pub fin: bool,
    /// The pending error (`sk_err`), reported once.
    pub error: Option<Errno>,
    /// Socket options.
    pub opts: opts::Options,
    /// Who the peer is (`SO_PEERCRED`), once connected.
    pub peer_cred: Option<Ucred>,
    /// The file system node of a bound AF_UNIX path name.
    pub name_ino: Option<Ino>,
    /// Counts data movements (edge-triggered epoll).
    pub activity: u64,
}

impl Socket {
    fn new(domain: u16, stype: u32, protocol: i32) -> Socket {
        Socket {
            domain,
            stype,
            protocol,
            state: State::Unconnected,
            connecting: false,
            local: None,
            remote: None,
            peer: None,
            peer_gone: false,
            rx: VecDeque::new(),
            rx_bytes: 0,
            shut_rd: false,
            shut_wr: false,
            fin: false,
            error: None,
            opts: opts::Options::new(domain, stype),
            peer_cred: None,
            name_ino: None,
            activity: 0,
        }
    }

    /// A stream or seqpacket socket (connection oriented).
    pub fn connection_based(&self) -> bool {
        self.stype == SOCK_STREAM || self.stype == SOCK_SEQPACKET
    }

    /// An AF_INET or AF_INET6 socket.
    pub fn is_inet(&self) -> bool {
        self.domain == AF_INET || self.domain == AF_INET6
    }

    /// Listening.
    pub fn listening(&self) -> bool {
        matches!(self.state, State::Listening { .. })
    }

    /// Connected.
    pub fn connected(&self) -> bool {
        matches!(self.state, State::Connected)
    }

    /// Takes the pending error (`sock_error`).
    pub fn take_error(&mut self) -> Option<Errno> {
        self.error.take()
    }

    /// `FIONREAD`: the queued bytes of a stream, the next datagram's length; EINVAL while
    /// listening.
    pub fn bytes_readable(&self) -> Result<u64, Errno> {
        if self.listening() {
            return Err(Errno::EINVAL);
        }
        Ok(if self.stype == SOCK_STREAM {
            self.rx_bytes as u64
        } else {
            self.rx.front().map_or(0, |m| m.data.len() as u64)
        })
    }

    /// The memory Linux charges for the queued messages (the sum of their sk_buffs'
    /// truesize): what SO_RCVBUF limits for UDP and SO_SNDBUF for a connected AF_UNIX
    /// datagram pair. At most a few hundred messages fit under the largest buffer.
    pub fn rx_truesize(&self) -> usize {
        self.rx
            .iter()
            .map(|m| skb_truesize(m.data.len()))
            .fold(0, usize::saturating_add)
    }

    fn push(&mut self, m: Msg) {
        self.rx_bytes += m.data.len();
        self.rx.push_back(m);
        self.activity += 1;
    }
}

/// An sk_buff's truesize for `len` bytes of data on a 64-bit kernel: the head allocation
/// (the data cache-line aligned, then `skb_shared_info`, 320 bytes, rounded up to kmalloc's
/// size class, or to whole pages beyond 8 KiB where the data goes to page fragments) plus
/// the `sk_buff` itself (256 bytes aligned). A 7-byte datagram costs 768, as on Linux.
pub fn skb_truesize(len: usize) -> usize {
    const SHINFO: usize = 320;
    const SKBUFF: usize = 256;
    let head = len.div_ceil(64).saturating_mul(64).saturating_add(SHINFO);
    let alloc = if head <= 8192 {
        head.next_power_of_two()
    } else {
        head.div_ceil(4096).saturating_mul(4096)
    };
    alloc.saturating_add(SKBUFF)
}

/// What a receive returns.
#[derive(Debug, Default)]
pub struct Received {
    /// The bytes read (at most the size asked for).
    pub data: Vec<u8>,
    /// The datagram's full length (for `MSG_TRUNC`); equal to `data.len()` for streams.
    pub full_len: usize,
    /// The sender's address, encoded for the receiving socket's family, if known.
    pub from: Option<Vec<u8>>,
    /// Passed open file descriptions, to be installed as fds.
    pub rights: Vec<FileId>,
    /// Credentials to report (`SO_PASSCRED`).
    pub cred: Option<Ucred>,
    /// No more data will come (end of stream): a zero-length result means end of file.
    pub eof: bool,
}

/// The socket tables of the (one) network namespace.
#[derive(Debug, Default)]
pub struct Net {
    /// Abstract AF_UNIX names and their sockets.
    pub abstract_names: BTreeMap<Vec<u8>, Ino>,
    /// AF_UNIX path-name nodes and the sockets bound to them.
    pub path_names: BTreeMap<Ino, Ino>,
    /// Bound inet sockets by (protocol, port), in creation order.
    pub ports: BTreeMap<(i32, u16), BTreeSet<Ino>>,
    /// Where the next ephemeral port search starts.
    pub next_ephemeral: u16,
    /// The next AF_UNIX autobind name (5 hex digits, as Linux's).
    pub next_autobind: u32,
    /// A send asked for SIGPIPE (Linux sends it from the socket layer).
    pub sigpipe: bool,
    /// The guest process's credentials (`SO_PEERCRED`, `SCM_CREDENTIALS`, netlink port
    /// ids), set by the kernel.
    pub cred: Ucred,
}

/// Which operation [`Vfs::socket_ino`] is for: the errors for a non-socket fd.
impl Vfs {
    /// The socket inode behind `fd`: EBADF when not open (or `O_PATH`), ENOTSOCK when not a
    /// socket.
    pub fn socket_ino(&self, fd: i32) -> Result<Ino, Errno> {
        let ino = self.io_file(fd)?.ino;
        match self.inodes.get(ino).node {
            Node::Socket(_) => Ok(ino),
            _ => Err(Errno::ENOTSOCK),
        }
    }

    /// True when `fd` is an open socket.
    pub fn is_socket(&self, fd: i32) -> bool {
        self.socket_ino(fd).is_ok()
    }

    /// The SO_RCVTIMEO (`send`: SO_SNDTIMEO) of socket `fd` in nanoseconds; None when
    /// unset (wait forever) or `fd` is not a socket.
    pub fn socket_timeout(&self, fd: i32, send: bool) -> Option<u128> {
        let (sec, usec) = self.sock(self.socket_ino(fd).ok()?).opts.timeo[send as usize];
        let ns = sec as u128 * 1_000_000_000 + usec as u128 * 1000;
        (ns > 0).then_some(ns)
    }

    /// The family of socket `fd`, if it is one.
    pub fn socket_domain(&self, fd: i32) -> Option<u16> {
        self.socket_ino(fd).ok().map(|i| self.sock(i).domain)
    }

    /// The type of socket `fd`, if it is one.
    pub fn socket_type(&self, fd: i32) -> Option<u32> {
        self.socket_ino(fd).ok().map(|i| self.sock(i).stype)
    }

    /// Closes descriptions received with a message that the caller does not install (a
    /// `read` or `recvfrom` takes no control data).
    pub fn drop_received(&mut self, files: Vec<FileId>) {
        self.drop_rights(files);
    }

    pub(crate) fn sock(&self, ino: Ino) -> &Socket {
        match &self.inodes.get(ino).node {
            Node::Socket(s) => s,
            _ => unreachable!("inode {ino} is a socket"),
        }
    }

    pub(crate) fn sock_mut(&mut self, ino: Ino) -> &mut Socket {
        match &mut self.inodes.get_mut(ino).node {
            Node::Socket(s) => s,
            _ => unreachable!("inode {ino} is a socket"),
        }
    }

    /// The socket at `ino` if that inode still is one.
    pub(crate) fn try_sock(&self, ino: Ino) -> Option<&Socket> {
        match self.inodes.try_get(ino).map(|i| &i.node) {
            Some(Node::Socket(s)) => Some(s),
            _ => None,
        }
    }

    /// The socket at `ino` mutably, if that inode still is one.
    pub(crate) fn try_sock_mut(&mut self, ino: Ino) -> Option<&mut Socket> {
        match self.inodes.try_get_mut(ino).map(|i| &mut i.node) {
            Some(Node::Socket(s)) => Some(s),
            _ => None,
        }
    }

    /// Sets the credentials sockets report for the guest process.
    pub fn set_socket_cred(&mut self, cred: Ucred) {
        self.net.cred = cred;
    }

    /// The credentials sockets report for the guest process.
    pub fn socket_cred(&self) -> Ucred {
        self.net.cred
    }

    /// Takes the SIGPIPE request of the last send (see [`Net::sigpipe`]).
    pub fn take_sigpipe(&mut self) -> bool {
        std::mem::take(&mut self.net.sigpipe)
    }

    /// Checks `socket(domain, type, protocol)` in Linux's order and returns the socket to
    /// create: EINVAL for unknown type flags or a type at or above SOCK_MAX, EAFNOSUPPORT for
    /// an unknown family, then the family's own checks.
    fn new_socket(domain: i32, stype: u32, protocol: i32) -> Result<Socket, Errno> {
        let kind = stype & SOCK_TYPE_MASK;
        if stype & !SOCK_TYPE_MASK & !(SOCK_NONBLOCK | SOCK_CLOEXEC) != 0 {
            return Err(Errno::EINVAL);
        }
        if !(0..46).contains(&domain) {
            return Err(Errno::EAFNOSUPPORT);
        }
        if kind >= SOCK_MAX {
            return Err(Errno::EINVAL);
        }
        match domain as u16 {
            AF_UNIX => unix::create(kind, protocol),
            AF_INET | AF_INET6 => inet::create(domain as u16, kind, protocol),
            AF_NETLINK => netlink::create(kind, protocol),
            _ => Err(Errno::EAFNOSUPPORT),
        }
    }

    /// Adds a socket inode (no fd yet).
    fn add_socket(&mut self, s: Socket) -> Ino {
        self.note_change();
        self.inodes
            .add(Node::Socket(Box::new(s)), 0o777, 0, Origin::Builtin)
    }

    /// Installs a socket inode at the lowest free fd (`flags`: SOCK_NONBLOCK, SOCK_CLOEXEC).
    fn install_socket(&mut self, ino: Ino, flags: u32) -> Result<i32, Errno> {
        let fd = self.fds.lowest_free(0)?;
        let file = self.new_file(ino, crate::abi::fcntl::O_RDWR | (flags & SOCK_NONBLOCK));
        self.install_fd(fd, file, flags & SOCK_CLOEXEC != 0);
        Ok(fd)
    }

    /// `socket(domain, type, protocol)`.
    pub fn socket(&mut self, domain: i32, stype: u32, protocol: i32) -> Result<i32, Errno> {
        let s = Vfs::new_socket(domain, stype, protocol)?;
        self.fds.lowest_free(0)?;
        let ino = self.add_socket(s);
        self.install_socket(ino, stype)
    }

    /// `socketpair(domain, type, protocol)`: two connected AF_UNIX sockets. EOPNOTSUPP for
    /// families without pairs.
    pub fn socketpair(
        &mut self,
        domain: i32,
        stype: u32,
        protocol: i32,
    ) -> Result<(i32, i32), Errno> {
        let cred = self.net.cred;
        let a = Vfs::new_socket(domain, stype, protocol)?;
        let b = Vfs::new_socket(domain, stype, protocol)?;
        if a.domain != AF_UNIX {
            return Err(Errno::EOPNOTSUPP);
        }
        let fa = self.fds.lowest_free(0)?;
        self.fds.lowest_free(fa + 1)?;
        let (ia, ib) = (self.add_socket(a), self.add_socket(b));
        for (x, y) in [(ia, ib), (ib, ia)] {
            let s = self.sock_mut(x);
            s.state = State::Connected;
            s.peer = Some(y);
            s.peer_cred = Some(cred);
            s.remote = Some(Addr::Unix(UnixName::Unnamed));
        }
        let fa = self.install_socket(ia, stype)?;
        let fb = self.install_socket(ib, stype)?;
        Ok((fa, fb))
    }

    /// `bind(fd, addr)` with the raw address bytes.
    pub fn bind(&mut self, fd: i32, raw: &[u8]) -> Result<(), Errno> {
        let ino = self.socket_ino(fd)?;
        self.note_change();
        match self.sock(ino).domain {
            AF_UNIX => self.unix_bind(ino, raw),
            AF_NETLINK => self.netlink_bind(ino, raw),
            _ => self.inet_bind(ino, raw),
        }
    }

    /// `listen(fd, backlog)`.
    pub fn listen(&mut self, fd: i32, backlog: i32) -> Result<(), Errno> {
        let ino = self.socket_ino(fd)?;
        self.note_change();
        // Linux caps the backlog at somaxconn, comparing as unsigned.
        let backlog = (backlog as u32).min(SOMAXCONN);
        let s = self.sock(ino);
        if !s.connection_based() || s.domain == AF_NETLINK {
            return Err(Errno::EOPNOTSUPP);
        }
        match s.domain {
            AF_UNIX => self.unix_listen(ino, backlog),
            _ => self.inet_listen(ino, backlog),
        }
    }

    /// `connect(fd, addr)`; `nonblock` from the description.
    pub fn connect(&mut self, fd: i32, raw: &[u8]) -> Result<(), VfsError> {
        let ino = self.socket_ino(fd)?;
        let nonblock = self.file(fd)?.nonblock();
        self.note_change();
        match self.sock(ino).domain {
            AF_UNIX => self.unix_connect(ino, raw, nonblock),
            AF_NETLINK => Ok(self.netlink_connect(ino, raw)?),
            _ => self.inet_connect(ino, raw, nonblock),
        }
    }

    /// `accept4(fd, flags)`: the new fd and the peer's address. EINVAL when not listening
    /// (EOPNOTSUPP for datagram sockets); EAGAIN or [`VfsError::WouldBlock`] when no
    /// connection waits.
    pub fn accept(&mut self, fd: i32, flags: u32) -> Result<(i32, Vec<u8>), VfsError> {
        let ino = self.socket_ino(fd)?;
        if flags & !(SOCK_NONBLOCK | SOCK_CLOEXEC) != 0 {
            return Err(Errno::EINVAL.into());
        }
        let nonblock = self.file(fd)?.nonblock();
        let s = self.sock(ino);
        if !s.connection_based() || s.domain == AF_NETLINK {
            return Err(Errno::EOPNOTSUPP.into());
        }
        let State::Listening { queue, .. } = &s.state else {
            return Err(Errno::EINVAL.into());
        };
        if queue.is_empty() {
            if let Some(e) = self.sock_mut(ino).take_error() {
                return Err(e.into());
            }
            if nonblock {
                return Err(Errno::EAGAIN.into());
            }
            return Err(VfsError::WouldBlock(Blocked {
                on: WaitOn::Socket(ino),
                done: 0,
            }));
        }
        self.fds.lowest_free(0)?;
        self.note_change();
        let State::Listening { queue, .. } = &mut self.sock_mut(ino).state else {
            unreachable!("listening")
        };
        let child = queue.pop_front().expect("non-empty queue");
        let newfd = self.install_socket(child, flags)?;
        // The queue's hold passes to the new description.
        self.inodes.release(child);
        let peer = self.peer_name(child);
        Ok((newfd, peer))
    }

    /// The encoded address of `ino`'s peer (as `getpeername` gives it); the family alone for
    /// an unnamed AF_UNIX peer.
    fn peer_name(&self, ino: Ino) -> Vec<u8> {
        let s = self.sock(ino);
        self.encode_addr(s, s.remote.as_ref())
    }

    /// Encodes `a` for socket `s`'s family (inet: `sockaddr_in` or `sockaddr_in6`).
    fn encode_addr(&self, s: &Socket, a: Option<&Addr>) -> Vec<u8> {
        match (s.domain, a) {
            (AF_UNIX, Some(Addr::Unix(n))) => addr::encode_un(n),
            (AF_UNIX, _) => addr::encode_un(&UnixName::Unnamed),
            (AF_NETLINK, Some(Addr::Netlink(p, g))) => addr::encode_nl(*p, *g),
            (AF_NETLINK, _) => addr::encode_nl(0, 0),
            (d, Some(Addr::Inet(a))) => addr::encode_inet(a, d == AF_INET6),
            (d, _) => {
                let any = if d == AF_INET6 {
                    InetAddr::v6([0; 16], 0)
                } else {
                    InetAddr::v4([0; 4], 0)
                };
                addr::encode_inet(&any, d == AF_INET6)
            }
        }
    }

    /// `getsockname(fd)`: the encoded local address.
    pub fn getsockname(&self, fd: i32) -> Result<Vec<u8>, Errno> {
        let s = self.sock(self.socket_ino(fd)?);
        Ok(self.encode_addr(s, s.local.as_ref()))
    }

    /// `getpeername(fd)`: the encoded peer address; ENOTCONN when not connected.
    pub fn getpeername(&self, fd: i32) -> Result<Vec<u8>, Errno> {
        let s = self.sock(self.socket_ino(fd)?);
        let ok = match s.domain {
            AF_UNIX => s.peer.is_some() || (s.peer_gone && s.connection_based()),
            AF_NETLINK => true,
            _ => s.connected() && s.remote.is_some(),
        };
        if !ok {
            return Err(Errno::ENOTCONN);
        }
        Ok(self.encode_addr(s, s.remote.as_ref()))
    }

    /// `shutdown(fd, how)`.
    pub fn shutdown(&mut self, fd: i32, how: u32) -> Result<(), Errno> {
        let ino = self.socket_ino(fd)?;
        if how > SHUT_RDWR {
            return Err(Errno::EINVAL);
        }
        self.note_change();
        let rd = how == SHUT_RD || how == SHUT_RDWR;
        let wr = how == SHUT_WR || how == SHUT_RDWR;
        let s = self.sock_mut(ino);
        s.activity += 1;
        let (domain, connected, listening) = (s.domain, s.connected(), s.listening());
        if domain == AF_UNIX {
            s.shut_rd |= rd;
            s.shut_wr |= wr;
            if s.connection_based()
                && let Some(peer) = s.peer
            {
                let p = self.sock_mut(peer);
                p.shut_rd |= wr;
                p.shut_wr |= rd;
                p.activity += 1;
            }
            return Ok(());
        }
        if listening {
            if rd {
                // A listener shut for reading stops listening (tcp_disconnect).
                self.inet_stop_listening(ino);
                let s = self.sock_mut(ino);
                s.shut_rd = true;
                s.shut_wr |= wr;
            }
            return Ok(());
        }
        let s = self.sock_mut(ino);
        s.shut_rd |= rd;
        s.shut_wr |= wr;
        if !connected {
            return Err(Errno::ENOTCONN);
        }
        if wr
            && s.stype == SOCK_STREAM
            && let Some(peer) = s.peer
        {
            // The FIN.
            let p = self.sock_mut(peer);
            p.shut_rd = true;
            p.fin = true;
            p.activity += 1;
        }
        Ok(())
    }

    /// Sends `data` on socket `fd` (`to`: a raw destination address; `rights`: fds to pass).
    /// Stream sockets store what fits and return [`VfsError::WouldBlock`] with the count
    /// stored when the rest must wait.
    pub fn sock_send(
        &mut self,
        fd: i32,
        data: &[u8],
        to: Option<&[u8]>,
        flags: u32,
        rights: &[i32],
    ) -> Result<usize, VfsError> {
        let ino = self.socket_ino(fd)?;
        let nonblock = self.file(fd)?.nonblock() || flags & MSG_DONTWAIT != 0;
        self.note_change();
        let files = rights
            .iter()
            .map(|&r| self.fds.get(r).map(|s| s.file))
            .collect::<Result<Vec<_>, _>>()?;
        let r = match self.sock(ino).domain {
            AF_UNIX => self.unix_send(ino, data, to, flags, nonblock, files),
            AF_NETLINK => self.netlink_send(ino, data, to).map_err(VfsError::from),
            _ if !files.is_empty() => Err(Errno::EINVAL.into()),
            _ => self.inet_send(ino, data, to, flags, nonblock),
        };
        if let Err(VfsError::Errno(Errno::EPIPE)) = r
            && flags & MSG_NOSIGNAL == 0
            && self.sock(ino).stype == SOCK_STREAM
        {
            self.net.sigpipe = true;
        }
        r
    }

    /// Queues `m` on socket `ino`, charging its bytes to the guest's memory budget; false
    /// (and nothing queued) when the budget is spent.
    pub(crate) fn sock_push(&mut self, ino: Ino, m: Msg) -> bool {
        if !self.commit.try_charge(m.data.len() as u64) {
            self.drop_rights(m.rights);
            return false;
        }
        self.sock_mut(ino).push(m);
        true
    }

    /// Takes references for passed descriptions (they travel with a message).
    fn hold_rights(&mut self, files: &[FileId]) {
        for f in files {
            self.files.get_mut(f).expect("live description").refs += 1;
        }
    }

    /// Drops the references of descriptions passed but never received.
    pub(crate) fn drop_rights(&mut self, files: Vec<FileId>) {
        for f in files {
            self.drop_file_ref(f);
        }
    }

    /// Installs received descriptions as new fds (at most `max`; the rest are closed, and
    /// the caller reports MSG_CTRUNC). Returns the fds.
    pub fn install_rights(&mut self, files: Vec<FileId>, max: usize, cloexec: bool) -> Vec<i32> {
        let mut fds = Vec::new();
        for (i, f) in files.into_iter().enumerate() {
            let fd = if i < max {
                self.fds.lowest_free(0).ok()
            } else {
                None
            };
            match fd {
                Some(fd) => {
                    self.install_fd(fd, f, cloexec);
                    // install_fd took its own reference: drop the message's.
                    self.drop_file_ref(f);
                    fds.push(fd);
                }
                None => self.drop_file_ref(f),
            }
        }
        fds
    }

    /// Receives up to `max` bytes from socket `fd`.
    pub fn sock_recv(&mut self, fd: i32, max: usize, flags: u32) -> Result<Received, VfsError> {
        let ino = self.socket_ino(fd)?;
        let nonblock = self.file(fd)?.nonblock() || flags & MSG_DONTWAIT != 0;
        self.note_change();
        let s = self.sock(ino);
        if flags & MSG_OOB != 0 {
            return Err(if s.domain == AF_UNIX {
                Errno::EOPNOTSUPP
            } else {
                Errno::EINVAL
            }
            .into());
        }
        if s.stype == SOCK_STREAM {
            self.stream_recv(ino, max, flags, nonblock)
        } else {
            self.dgram_recv(ino, max, flags, nonblock)
        }
    }

    /// The blocked-receive outcome: EAGAIN when non-blocking, else wait on the socket.
    fn would_block(ino: Ino, nonblock: bool) -> VfsError {
        if nonblock {
            Errno::EAGAIN.into()
        } else {
            VfsError::WouldBlock(Blocked {
                on: WaitOn::Socket(ino),
                done: 0,
            })
        }
    }

    /// Stream receive (unix_stream_read_generic, tcp_recvmsg).
    fn stream_recv(
        &mut self,
        ino: Ino,
        max: usize,
        flags: u32,
        nonblock: bool,
    ) -> Result<Received, VfsError> {
        let cred = self.net.cred;
        let s = self.sock_mut(ino);
        let unix = s.domain == AF_UNIX;
        if unix && !s.connected() {
            return Err(Errno::EINVAL.into());
        }
        if !unix && s.listening() {
            return Err(Errno::ENOTCONN.into());
        }
        let cred = (unix && s.opts.passcred).then_some(cred);
        if s.rx.is_empty() || max == 0 {
            if !s.rx.is_empty() {
                return Ok(Received::default());
            }
            if !unix && s.fin {
                return Ok(eof());
            }
            if let Some(e) = s.take_error() {
                return Err(e.into());
            }
            if s.shut_rd {
                return Ok(eof());
            }
            if !unix && !s.connected() {
                return Err(Errno::ENOTCONN.into());
            }
            if max == 0 {
                return Ok(Received::default());
            }
            return Err(Vfs::would_block(ino, nonblock));
        }
        let peek = flags & MSG_PEEK != 0;
        let mut out = Received {
            cred,
            ..Received::default()
        };
        let mut i = 0;
        while out.data.len() < max && i < s.rx.len() {
            let m = &mut s.rx[i];
            if !m.rights.is_empty() {
                if !out.data.is_empty() {
                    break;
                }
                if !peek {
                    out.rights = std::mem::take(&mut m.rights);
                }
            }
            let n = (max - out.data.len()).min(m.data.len());
            out.data.extend_from_slice(&m.data[..n]);
            if peek {
                i += 1;
            } else {
                m.data.drain(..n);
                if m.data.is_empty() {
                    s.rx.pop_front();
                }
            }
            if !out.rights.is_empty() {
                break;
            }
        }
        if !peek {
            s.rx_bytes -= out.data.len();
            s.activity += 1;
            // Room for the writer: its edge-triggered watchers see a new event.
            if let Some(p) = s.peer
                && let Some(ps) = self.try_sock_mut(p)
            {
                ps.activity += 1;
            }
            self.commit.release(out.data.len() as u64);
        }
        out.full_len = out.data.len();
        if !peek && flags & MSG_TRUNC != 0 && !unix {
            // TCP discards the bytes instead of copying them.
            out.data.clear();
        }
        Ok(out)
    }

    /// Datagram and seqpacket receive (__unix_dgram_recvmsg, udp_recvmsg).
    fn dgram_recv(
        &mut self,
        ino: Ino,
        max: usize,
        flags: u32,
        nonblock: bool,
    ) -> Result<Received, VfsError> {
        let cred = self.net.cred;
        let s = self.sock_mut(ino);
        let unix = s.domain == AF_UNIX;
        if s.stype == SOCK_SEQPACKET && !s.connected() && !s.peer_gone {
            return Err(Errno::ENOTCONN.into());
        }
        // UDP reports a pending error before data; AF_UNIX only when nothing is queued.
        if (s.rx.is_empty() || !unix)
            && let Some(e) = s.take_error()
        {
            return Err(e.into());
        }
        if s.rx.is_empty() {
            if s.shut_rd {
                return Ok(eof());
            }
            return Err(Vfs::would_block(ino, nonblock));
        }
        let cred = (unix && s.opts.passcred).then_some(cred);
        let peek = flags & MSG_PEEK != 0;
        let m = if peek {
            Msg {
                data: s.rx[0].data.clone(),
                from: s.rx[0].from.clone(),
                rights: Vec::new(),
            }
        } else {
            let m = s.rx.pop_front().expect("non-empty");
            s.rx_bytes -= m.data.len();
            s.activity += 1;
            self.commit.release(m.data.len() as u64);
            m
        };
        let full_len = m.data.len();
        let mut data = m.data;
        data.truncate(max);
        let from = m
            .from
            .as_ref()
            .map(|a| self.encode_addr(self.sock(ino), Some(a)));
        // An unnamed AF_UNIX sender gives no address.
        let from = match (&m.from, from) {
            (Some(Addr::Unix(UnixName::Unnamed)), _) => None,
            (_, f) => f,
        };
        Ok(Received {
            data,
            full_len,
            from,
            rights: m.rights,
            cred,
            eof: false,
        })
    }

    /// Readiness of socket `ino` (tcp_poll, unix_poll, unix_dgram_poll, datagram_poll).
    pub(crate) fn socket_readiness(&self, ino: Ino) -> Readiness {
        let s = self.sock(ino);
        let mut r = Readiness {
            activity: s.activity,
            ..Readiness::default()
        };
        if let State::Listening { queue, .. } = &s.state {
            r.readable = !queue.is_empty();
            r.error = s.error.is_some();
            return r;
        }
        r.error = s.error.is_some();
        r.hangup = s.shut_rd && s.shut_wr;
        if s.shut_rd {
            r.readable = true;
            r.rdhup = true;
        }
        if !s.rx.is_empty() {
            r.readable = true;
        }
        let writable = self.send_space(ino) > 0;
        match (s.domain, s.stype) {
            (AF_UNIX, SOCK_STREAM) => {
                r.hangup |= !s.connected();
                // unix_writable: the in-flight bytes, times 4, within the send buffer.
                r.writable = s
                    .peer
                    .is_none_or(|p| self.sock(p).rx_bytes * 4 <= s.opts.sndbuf as usize);
                let _ = writable;
            }
            (AF_UNIX, _) => {
                if s.stype == SOCK_SEQPACKET && !s.connected() {
                    r.hangup = true;
                }
                // unix_writable: a pair's in-flight memory, times 4, within the send buffer.
                let pair = s
                    .peer
                    .and_then(|p| self.try_sock(p).filter(|o| p != ino && o.peer == Some(ino)));
                r.writable = match pair {
                    Some(o) if s.stype == SOCK_DGRAM => {
                        o.rx_truesize().saturating_mul(4) <= s.opts.sndbuf as usize
                    }
                    _ => writable,
                };
            }
            (_, SOCK_STREAM) => {
                r.hangup |= !s.connected();
                r.writable = s.shut_wr || writable;
            }
            _ => r.writable = writable,
        }
        r
    }

    /// [`send_space`](Self::send_space) for a connected stream send to `peer`, when there is
    /// some: with none, EAGAIN for a non-blocking send, else the sender waits on the peer.
    pub(crate) fn stream_send_space(
        &self,
        ino: Ino,
        peer: Ino,
        nonblock: bool,
    ) -> Result<usize, VfsError> {
        match self.send_space(ino) {
            0 if nonblock => Err(Errno::EAGAIN.into()),
            0 => Err(VfsError::WouldBlock(Blocked {
                on: WaitOn::Socket(peer),
                done: 0,
            })),
            space => Ok(space),
        }
    }

    /// Bytes a send could store now without waiting (an approximation of Linux's buffer
    /// accounting: the peer's queue against the sender's SO_SNDBUF for AF_UNIX streams, the
    /// receiver's SO_RCVBUF for TCP; datagram sockets by queue length).
    pub(crate) fn send_space(&self, ino: Ino) -> usize {
        let s = self.sock(ino);
        match (s.domain, s.stype) {
            // sock_alloc_send_pskb waits while the in-flight bytes fill the send buffer.
            (AF_UNIX, SOCK_STREAM) => match s.peer {
                Some(p) => (s.opts.sndbuf as usize).saturating_sub(self.sock(p).rx_bytes),
                None => 1,
            },
            // A datagram peer that went away is not full (unix_dgram_poll: its queue was
            // purged when it closed); the next send reports ECONNREFUSED.
            (AF_UNIX, _) => match s.peer.and_then(|p| Some((p, self.try_sock(p)?))) {
                Some((_, o)) if o.peer != Some(ino) || s.stype == SOCK_SEQPACKET => {
                    let q = o.rx.len();
                    if q > UNIX_MAX_DGRAM_QLEN {
                        0
                    } else {
                        usize::MAX
                    }
                }
                // A connected pair: every datagram queued at the peer is this socket's, and
                // sock_alloc_send_pskb waits while their truesize fills SO_SNDBUF.
                Some((p, o)) if p != ino => {
                    (s.opts.sndbuf as usize).saturating_sub(o.rx_truesize())
                }
                _ => usize::MAX,
            },
            (_, SOCK_STREAM) => match s.peer {
                Some(p) => {
                    let q = self.sock(p);
                    (q.opts.rcvbuf as usize).saturating_sub(q.rx_bytes)
                }
                None => usize::MAX,
            },
            _ => usize::MAX,
        }
    }

    /// The last description of socket `ino` closed: leave the connection (the peer sees end
    /// of file or a reset), drop the accept queue, free the names.
    pub(crate) fn socket_release(&mut self, ino: Ino) {
        self.note_change();
        let s = self.sock_mut(ino);
        let unread = !s.rx.is_empty();
        let rx = std::mem::take(&mut s.rx);
        let queued = std::mem::take(&mut s.rx_bytes);
        let state = std::mem::take(&mut s.state);
        let (domain, stype, peer) = (s.domain, s.stype, s.peer.take());
        let linger0 = s.opts.linger == Some(0);
        self.commit.release(queued as u64);
        for m in rx {
            self.drop_rights(m.rights);
        }
        if let State::Listening { queue, .. } = state {
            for child in queue {
                // Never accepted: its peer is reset.
                if let Some(cp) = self.sock(child).peer {
                    self.peer_left(cp, child, true);
                }
                self.sock_mut(child).peer = None;
                self.socket_release(child);
                self.inodes.release(child);
            }
        }
        if let Some(p) = peer {
            let reset = unread || linger0;
            if domain == AF_UNIX && stype == SOCK_DGRAM {
                // Datagram peers notice on their next send.
            } else {
                self.peer_left(p, ino, reset);
            }
        }
        match domain {
            AF_UNIX => self.unix_unbind(ino),
            AF_NETLINK => {}
            _ => self.inet_unbind(ino),
        }
    }

    /// Socket `ino`'s connected peer `gone` closed; `reset` when it had unread data (or
    /// lingered with a zero timeout).
    fn peer_left(&mut self, ino: Ino, gone: Ino, reset: bool) {
        let Some(s) = self.try_sock_mut(ino) else {
            return;
        };
        if s.peer != Some(gone) {
            return;
        }
        s.peer = None;
        s.peer_gone = true;
        s.activity += 1;
        if s.domain == AF_UNIX {
            s.shut_rd = true;
            s.shut_wr = true;
            if reset {
                s.error = Some(Errno::ECONNRESET);
            }
            return;
        }
        if s.stype != SOCK_STREAM {
            return;
        }
        if reset {
            inet::tcp_reset(s);
        } else {
            // The FIN: CLOSE_WAIT.
            s.shut_rd = true;
            s.fin = true;
        }
    }
}

/// An end-of-stream result.
fn eof() -> Received {
    Received {
        eof: true,
        ..Received::default()
    }
}
