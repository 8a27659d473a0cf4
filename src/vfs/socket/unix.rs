//! AF_UNIX: path names (socket nodes in the file system), abstract names, autobind, and
//! the rules of net/unix/af_unix.c for connecting and sending.

use super::super::fd::FileId;
use super::super::inode::{Ino, Node};
use super::super::path::LastLink;
use super::super::{Blocked, Vfs, VfsError, WaitOn};
use super::addr::{self, Addr, UnixName};
use super::{Msg, Socket, State};
use crate::abi::Errno;
use crate::abi::fcntl::{AT_FDCWD, W_OK};
use crate::abi::socket::*;

/// Checks `socket(AF_UNIX, kind, protocol)`: SOCK_RAW is taken as SOCK_DGRAM, as Linux does.
pub fn create(kind: u32, protocol: i32) -> Result<Socket, Errno> {
    if protocol != 0 && protocol != AF_UNIX as i32 {
        return Err(Errno::EPROTONOSUPPORT);
    }
    let kind = match kind {
        SOCK_STREAM | SOCK_DGRAM | SOCK_SEQPACKET => kind,
        SOCK_RAW => SOCK_DGRAM,
        _ => return Err(Errno::ESOCKTNOSUPPORT),
    };
    Ok(Socket::new(AF_UNIX, kind, 0))
}

impl Vfs {
    /// `bind` on an AF_UNIX socket (unix_bind): a bare family autobinds; a path creates a
    /// socket node (EADDRINUSE when the name exists; the usual path errors), then EINVAL
    /// when the socket already has a name; an abstract name is EINVAL when already bound,
    /// EADDRINUSE when taken.
    pub(super) fn unix_bind(&mut self, ino: Ino, raw: &[u8]) -> Result<(), Errno> {
        let name = addr::parse_un(raw)?;
        match name {
            UnixName::Unnamed => {
                self.unix_autobind(ino);
                Ok(())
            }
            UnixName::Path(p) => {
                let r = self.resolve_at(AT_FDCWD, &p, LastLink::Never)?;
                if r.ino.is_some() {
                    return Err(Errno::EADDRINUSE);
                }
                if r.trailing_slash {
                    return Err(Errno::ENOENT);
                }
                let perm = 0o777 & !self.umask;
                let node = self.create(r.parent, &r.name, Node::SocketName, perm)?;
                if self.sock(ino).local.is_some() {
                    self.unlink_entry(r.parent, &r.name);
                    return Err(Errno::EINVAL);
                }
                self.net.path_names.insert(node, ino);
                let s = self.sock_mut(ino);
                s.name_ino = Some(node);
                s.local = Some(Addr::Unix(UnixName::Path(p)));
                Ok(())
            }
            UnixName::Abstract(a) => {
                if self.sock(ino).local.is_some() {
                    return Err(Errno::EINVAL);
                }
                if self.net.abstract_names.contains_key(&a) {
                    return Err(Errno::EADDRINUSE);
                }
                self.net.abstract_names.insert(a.clone(), ino);
                self.sock_mut(ino).local = Some(Addr::Unix(UnixName::Abstract(a)));
                Ok(())
            }
        }
    }

    /// Gives an unbound socket an abstract name of five hex digits (unix_autobind), the next
    /// free one in a fixed order.
    pub(super) fn unix_autobind(&mut self, ino: Ino) {
        if self.sock(ino).local.is_some() {
            return;
        }
        for _ in 0..=0xfffff {
            let n = self.net.next_autobind & 0xfffff;
            self.net.next_autobind = self.net.next_autobind.wrapping_add(1);
            let name = format!("{n:05x}").into_bytes();
            if !self.net.abstract_names.contains_key(&name) {
                self.net.abstract_names.insert(name.clone(), ino);
                self.sock_mut(ino).local = Some(Addr::Unix(UnixName::Abstract(name)));
                return;
            }
        }
    }

    /// Frees the names of a closing socket.
    pub(super) fn unix_unbind(&mut self, ino: Ino) {
        let s = self.sock(ino);
        let name_ino = s.name_ino;
        if let Some(Addr::Unix(UnixName::Abstract(a))) = s.local.clone()
            && self.net.abstract_names.get(&a) == Some(&ino)
        {
            self.net.abstract_names.remove(&a);
        }
        if let Some(n) = name_ino
            && self.net.path_names.get(&n) == Some(&ino)
        {
            self.net.path_names.remove(&n);
        }
    }

    /// `listen` on an AF_UNIX socket: EINVAL when unbound or connected.
    pub(super) fn unix_listen(&mut self, ino: Ino, backlog: u32) -> Result<(), Errno> {
        let s = self.sock_mut(ino);
        if s.local.is_none() {
            return Err(Errno::EINVAL);
        }
        match &mut s.state {
            State::Unconnected => {
                s.state = State::Listening {
                    backlog,
                    queue: Default::default(),
                };
                Ok(())
            }
            State::Listening { backlog: b, .. } => {
                *b = backlog;
                Ok(())
            }
            State::Connected => Err(Errno::EINVAL),
        }
    }

    /// The socket named by `name` for a socket of type `stype` (unix_find_other): ENOENT and
    /// the other path errors, EACCES without write permission, ECONNREFUSED when the node is
    /// not a socket or nothing is bound to it (or, for abstract names, nothing of that
    /// type), EPROTOTYPE for a path bound by a socket of another type.
    fn unix_find(&self, name: &UnixName, stype: u32) -> Result<Ino, Errno> {
        match name {
            UnixName::Unnamed => Err(Errno::EINVAL),
            UnixName::Path(p) => {
                let node = self.lookup_at(AT_FDCWD, p, LastLink::Follow, false)?;
                let i = self.inodes.get(node);
                i.check_access(W_OK)?;
                if !matches!(i.node, Node::SocketName) {
                    return Err(Errno::ECONNREFUSED);
                }
                let sock = *self.net.path_names.get(&node).ok_or(Errno::ECONNREFUSED)?;
                if self.sock(sock).stype != stype {
                    return Err(Errno::EPROTOTYPE);
                }
                Ok(sock)
            }
            UnixName::Abstract(a) => match self.net.abstract_names.get(a) {
                Some(&s) if self.sock(s).stype == stype => Ok(s),
                _ => Err(Errno::ECONNREFUSED),
            },
        }
    }

    /// `connect` on an AF_UNIX socket.
    pub(super) fn unix_connect(
        &mut self,
        ino: Ino,
        raw: &[u8],
        nonblock: bool,
    ) -> Result<(), VfsError> {
        let cred = self.net.cred;
        let stype = self.sock(ino).stype;
        if stype == SOCK_DGRAM {
            return Ok(self.unix_dgram_connect(ino, raw)?);
        }
        // unix_stream_connect
        let name = match addr::parse_un(raw)? {
            UnixName::Unnamed => return Err(Errno::EINVAL.into()),
            n => n,
        };
        if self.sock(ino).opts.passcred {
            self.unix_autobind(ino);
        }
        let other = self.unix_find(&name, stype)?;
        let o = self.sock(other);
        let State::Listening { backlog, queue } = &o.state else {
            return Err(Errno::ECONNREFUSED.into());
        };
        if o.shut_rd {
            return Err(Errno::ECONNREFUSED.into());
        }
        if queue.len() > *backlog as usize {
            if nonblock {
                return Err(Errno::EAGAIN.into());
            }
            return Err(VfsError::WouldBlock(Blocked {
                on: WaitOn::Socket(other),
                done: 0,
            }));
        }
        match self.sock(ino).state {
            State::Unconnected => {}
            State::Connected => return Err(Errno::EISCONN.into()),
            State::Listening { .. } => return Err(Errno::EINVAL.into()),
        }
        let server_name = o.local.clone();
        let client_name = self
            .sock(ino)
            .local
            .clone()
            .unwrap_or(Addr::Unix(UnixName::Unnamed));
        let mut child = Socket::new(AF_UNIX, stype, 0);
        child.state = State::Connected;
        child.peer = Some(ino);
        child.local = server_name.clone();
        child.remote = Some(client_name);
        child.peer_cred = Some(self.net.cred);
        child.opts.passcred = self.sock(other).opts.passcred;
        let child = self.add_socket(child);
        self.inodes.hold(child);
        let o = self.sock_mut(other);
        o.activity += 1;
        if let State::Listening { queue, .. } = &mut o.state {
            queue.push_back(child);
        }
        let s = self.sock_mut(ino);
        s.state = State::Connected;
        s.peer = Some(child);
        s.remote = server_name;
        s.peer_cred = Some(cred);
        Ok(())
    }

    /// `connect` on an AF_UNIX datagram socket: sets (or with AF_UNSPEC dissolves) the
    /// default destination. EPERM when the destination is connected elsewhere.
    fn unix_dgram_connect(&mut self, ino: Ino, raw: &[u8]) -> Result<(), Errno> {
        if raw.len() < 2 {
            return Err(Errno::EINVAL);
        }
        if addr::raw_family(raw) == AF_UNSPEC {
            let s = self.sock_mut(ino);
            s.peer = None;
            s.remote = None;
            s.state = State::Unconnected;
            return Ok(());
        }
        let name = match addr::parse_un(raw)? {
            UnixName::Unnamed => return Err(Errno::EINVAL),
            n => n,
        };
        if self.sock(ino).opts.passcred {
            self.unix_autobind(ino);
        }
        let other = self.unix_find(&name, SOCK_DGRAM)?;
        if !self.unix_may_send(ino, other) {
            return Err(Errno::EPERM);
        }
        let remote = self.sock(other).local.clone();
        let s = self.sock_mut(ino);
        s.peer = Some(other);
        s.remote = remote;
        s.peer_gone = false;
        s.state = State::Connected;
        Ok(())
    }

    /// unix_may_send: `other` takes datagrams from anyone unless it is connected to someone
    /// else.
    fn unix_may_send(&self, ino: Ino, other: Ino) -> bool {
        match self.sock(other).peer {
            None => true,
            Some(p) => p == ino,
        }
    }

    /// Sends on an AF_UNIX socket (unix_stream_sendmsg, unix_dgram_sendmsg,
    /// unix_seqpacket_sendmsg). `files` are the descriptions to pass.
    pub(super) fn unix_send(
        &mut self,
        ino: Ino,
        data: &[u8],
        to: Option<&[u8]>,
        flags: u32,
        nonblock: bool,
        files: Vec<FileId>,
    ) -> Result<usize, VfsError> {
        if flags & MSG_OOB != 0 {
            return Err(Errno::EOPNOTSUPP.into());
        }
        let s = self.sock(ino);
        if s.stype == SOCK_STREAM {
            return self.unix_stream_send(ino, data, to, nonblock, files);
        }
        let seqpacket = s.stype == SOCK_SEQPACKET;
        if seqpacket && !s.connected() {
            return Err(Errno::ENOTCONN.into());
        }
        let to = if seqpacket { None } else { to };
        let dest = match to {
            Some(raw) => Some(match addr::parse_un(raw)? {
                UnixName::Unnamed => return Err(Errno::EINVAL.into()),
                n => n,
            }),
            None => None,
        };
        if dest.is_none() && s.peer.is_none() && !s.peer_gone {
            return Err(Errno::ENOTCONN.into());
        }
        if s.opts.passcred {
            self.unix_autobind(ino);
        }
        let s = self.sock(ino);
        if data.len() > (s.opts.sndbuf as usize).saturating_sub(32) {
            return Err(Errno::EMSGSIZE.into());
        }
        let other = match &dest {
            Some(n) => self.unix_find(n, s.stype)?,
            None => match s.peer {
                Some(p) if self.inodes.try_get(p).is_some() => p,
                _ => {
                    // The peer is gone.
                    if seqpacket {
                        return Err(Errno::EPIPE.into());
                    }
                    let s = self.sock_mut(ino);
                    s.peer = None;
                    s.peer_gone = false;
                    s.state = State::Unconnected;
                    return Err(Errno::ECONNREFUSED.into());
                }
            },
        };
        if !self.unix_may_send(ino, other) {
            return Err(Errno::EPERM.into());
        }
        let o = self.sock(other);
        if o.shut_rd {
            return Err(Errno::EPIPE.into());
        }
        // A connected pair (the peer connected back): the in-flight datagrams' memory
        // against SO_SNDBUF (sock_alloc_send_pskb); otherwise the peer's queue length.
        let full = if o.peer == Some(ino) {
            other != ino && !seqpacket && self.send_space(ino) == 0
        } else {
            other != ino && o.rx.len() > UNIX_MAX_DGRAM_QLEN
        };
        if full {
            if nonblock {
                return Err(Errno::EAGAIN.into());
            }
            return Err(VfsError::WouldBlock(Blocked {
                on: WaitOn::Socket(other),
                done: 0,
            }));
        }
        let from = Some(
            self.sock(ino)
                .local
                .clone()
                .unwrap_or(Addr::Unix(UnixName::Unnamed)),
        );
        self.hold_rights(&files);
        let m = Msg {
            data: data.to_vec(),
            from,
            rights: files,
        };
        if !self.sock_push(other, m) {
            return Err(Errno::ENOBUFS.into());
        }
        Ok(data.len())
    }

    fn unix_stream_send(
        &mut self,
        ino: Ino,
        data: &[u8],
        to: Option<&[u8]>,
        nonblock: bool,
        files: Vec<FileId>,
    ) -> Result<usize, VfsError> {
        let s = self.sock(ino);
        if to.is_some_and(|t| !t.is_empty()) {
            return Err(if s.connected() {
                Errno::EISCONN
            } else {
                Errno::EOPNOTSUPP
            }
            .into());
        }
        let Some(peer) = s.peer else {
            return Err(if s.peer_gone {
                Errno::EPIPE
            } else {
                Errno::ENOTCONN
            }
            .into());
        };
        if s.shut_wr || self.sock(peer).shut_rd {
            return Err(Errno::EPIPE.into());
        }
        if data.is_empty() && files.is_empty() {
            return Ok(0);
        }
        let space = self.stream_send_space(ino, peer, nonblock)?;
        let n = space.min(data.len());
        self.hold_rights(&files);
        let m = Msg {
            data: data[..n].to_vec(),
            from: None,
            rights: files,
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
}
