//! Socket syscalls. The sockets live in [`crate::vfs::socket`]; these handlers copy
//! addresses, iovecs and control messages between guest memory and the VFS, in Linux's
//! order of checks (net/socket.c): the fd (EBADF, ENOTSOCK) before the address (EINVAL for
//! a length below 0 or above `sockaddr_storage`, EFAULT), except where Linux reads the user
//! buffer or address first (sendto/recvfrom's buffer, connect's address).
//!
//! Blocking calls (accept, connect to a full backlog, send into a full buffer, receive from
//! an empty queue) block the thread as pipe I/O does and run again when file state changes.

use super::{Args, Errno, SysError, SysResult, Syscall, handle, partial};
use crate::abi::limits::{MAX_RW_COUNT, UIO_MAXIOV};
use crate::abi::socket::*;
use crate::kernel::process::Process;
use crate::kernel::signal::SIGPIPE;
use crate::kernel::uaccess::read_timespec;
use crate::kernel::uaccess::{check_user_buf, read_iovecs};
use crate::mem::{GuestMemory, perm};
use crate::vfs::socket::Received;
use crate::vfs::socket::opts::OptVal;
use crate::vfs::{Vfs, VfsError};

/// Rows of the dispatch table for this family.
pub const TABLE: &[Syscall] = &[
    partial(198, "socket", "FTd", sys_socket, SOCKET_NOTE),
    partial(
        199,
        "socketpair",
        "FTdx",
        sys_socketpair,
        "AF_UNIX only (EOPNOTSUPP otherwise, as Linux)",
    ),
    handle(200, "bind", "fAu", sys_bind),
    handle(201, "listen", "fd", sys_listen),
    handle(202, "accept", "fxx", sys_accept),
    handle(203, "connect", "fAu", sys_connect),
    handle(204, "getsockname", "fxx", sys_getsockname),
    handle(205, "getpeername", "fxx", sys_getpeername),
    handle(206, "sendto", "fxuxAu", sys_sendto),
    handle(207, "recvfrom", "fxuxxx", sys_recvfrom),
    partial(208, "setsockopt", "fddxu", sys_setsockopt, SOCKOPT_NOTE),
    partial(209, "getsockopt", "fddxx", sys_getsockopt, SOCKOPT_NOTE),
    handle(210, "shutdown", "fd", sys_shutdown),
    partial(211, "sendmsg", "fxx", sys_sendmsg, CMSG_NOTE),
    partial(212, "recvmsg", "fxx", sys_recvmsg, CMSG_NOTE),
    handle(242, "accept4", "fxxx", sys_accept4),
    partial(243, "recvmmsg", "fxuxx", sys_recvmmsg, MMSG_NOTE),
    partial(269, "sendmmsg", "fxux", sys_sendmmsg, MMSG_NOTE),
];

const SOCKET_NOTE: &str = "AF_UNIX (stream, datagram, seqpacket), AF_INET and AF_INET6 (TCP, UDP) on a loopback-only \
                           network (other destinations ENETUNREACH), AF_NETLINK NETLINK_ROUTE (link and address dumps \
                           of `lo`); other families EAFNOSUPPORT; raw sockets EPERM and ping sockets EACCES (unprivileged)";
const SOCKOPT_NOTE: &str = "SO_TYPE/DOMAIN/PROTOCOL/ERROR/ACCEPTCONN/PEERCRED, SO_REUSEADDR/REUSEPORT, SO_KEEPALIVE, \
                            SO_BROADCAST, SO_PASSCRED, SO_SNDBUF/RCVBUF (doubled as Linux), SO_LINGER, SO_RCVTIMEO/SNDTIMEO, \
                            IPV6_V6ONLY, TCP_NODELAY/KEEPIDLE/KEEPINTVL/KEEPCNT/MAXSEG/USER_TIMEOUT/QUICKACK, IP_TOS/TTL/MULTICAST_TTL, \
                            IPV6_UNICAST_HOPS/TCLASS (kept and read back); other known options stop the run";
const CMSG_NOTE: &str =
    "SCM_RIGHTS and SCM_CREDENTIALS on AF_UNIX; control messages on other sockets stop the run";
const MMSG_NOTE: &str = "messages after the first never block (sendmmsg returns what was sent; recvmmsg what had \
                         arrived); a recvmmsg timeout stops the run when the call would wait";

/// Size of `struct sockaddr_storage`: the longest address a call takes.
const SOCKADDR_STORAGE: u64 = 128;
/// `struct msghdr` and `struct mmsghdr` sizes on riscv64.
const MSGHDR_LEN: u64 = 56;
const MMSGHDR_LEN: u64 = 64;
/// `struct cmsghdr` size.
const CMSG_HDR: usize = 16;

/// What a call that must wait does: with the socket's SO_RCVTIMEO (`send`: SO_SNDTIMEO)
/// set it waits until that deadline (a signal then ends it with EINTR, and the deadline
/// with EAGAIN); without one it waits for file state to change.
fn blocked(p: &mut Process, fd: i32, send: bool) -> SysError {
    let Some(t) = p.vfs.socket_timeout(fd, send) else {
        return SysError::WouldBlock { deadline: None };
    };
    let now = p.monotonic_ns();
    let deadline = p
        .thread
        .retry_deadline
        .unwrap_or_else(|| now.saturating_add(t));
    if now >= deadline {
        return Errno::EAGAIN.into();
    }
    p.thread.retry_eintr = true;
    SysError::WouldBlock {
        deadline: Some(deadline),
    }
}

/// Copies an address in (move_addr_to_kernel): EINVAL for a length below 0 or above
/// `sockaddr_storage`, EFAULT for an unreadable one.
fn addr_in(mem: &GuestMemory, addr: u64, len: i32) -> Result<Vec<u8>, SysError> {
    if len < 0 || len as u64 > SOCKADDR_STORAGE {
        return Err(Errno::EINVAL.into());
    }
    if len == 0 {
        return Ok(Vec::new());
    }
    Ok(mem.read_vec(addr, len as usize)?)
}

/// Copies an address out (move_addr_to_user): reads the guest's length (EFAULT), EINVAL
/// when negative, copies at most that much, and stores the full length.
fn addr_out(mem: &mut GuestMemory, kaddr: &[u8], addr: u64, lenp: u64) -> Result<(), SysError> {
    let len = mem.read_u32(lenp)? as i32;
    let n = len.min(kaddr.len() as i32);
    if n < 0 {
        return Err(Errno::EINVAL.into());
    }
    if n > 0 {
        mem.write_bytes(addr, &kaddr[..n as usize])?;
    }
    mem.write_bytes(lenp, &(kaddr.len() as u32).to_le_bytes())?;
    Ok(())
}
fn sys_socket(p: &mut Process, a: &Args) -> SysResult {
    Ok(p.vfs.socket(a.int(0), a.uint(1), a.int(2))? as u64)
}

fn sys_socketpair(p: &mut Process, a: &Args) -> SysResult {
    let (domain, stype, proto, sv) = (a.int(0), a.uint(1), a.int(2), a.ptr(3));
    if stype & !SOCK_TYPE_MASK & !(SOCK_NONBLOCK | SOCK_CLOEXEC) != 0 {
        return Err(Errno::EINVAL.into());
    }
    let (x, y) = p.vfs.socketpair(domain, stype, proto)?;
    let mut b = (x as u32).to_le_bytes().to_vec();
    b.extend_from_slice(&(y as u32).to_le_bytes());
    if p.mem.write_bytes(sv, &b).is_err() {
        let _ = p.vfs.close(x);
        let _ = p.vfs.close(y);
        return Err(Errno::EFAULT.into());
    }
    Ok(0)
}

fn sys_bind(p: &mut Process, a: &Args) -> SysResult {
    let fd = a.fd(0);
    p.vfs.socket_ino(fd)?;
    let raw = addr_in(&p.mem, a.ptr(1), a.int(2))?;
    p.vfs.bind(fd, &raw)?;
    Ok(0)
}

fn sys_listen(p: &mut Process, a: &Args) -> SysResult {
    p.vfs.listen(a.fd(0), a.int(1))?;
    Ok(0)
}

fn accept_common(p: &mut Process, fd: i32, addr: u64, lenp: u64, flags: u32) -> SysResult {
    if flags & !(SOCK_NONBLOCK | SOCK_CLOEXEC) != 0 {
        return Err(Errno::EINVAL.into());
    }
    p.vfs.socket_ino(fd)?;
    if addr != 0 {
        // Checked before a connection is taken, so that a bad pointer loses none.
        let len = p.mem.read_u32(lenp)? as i32;
        if len < 0 {
            return Err(Errno::EINVAL.into());
        }
    }
    let (newfd, peer) = match p.vfs.accept(fd, flags) {
        Ok(r) => r,
        Err(VfsError::WouldBlock(_)) => return Err(blocked(p, fd, false)),
        Err(VfsError::Errno(e)) => return Err(e.into()),
    };
    if addr != 0
        && let Err(e) = addr_out(&mut p.mem, &peer, addr, lenp)
    {
        let _ = p.vfs.close(newfd);
        return Err(e);
    }
    Ok(newfd as u64)
}

fn sys_accept(p: &mut Process, a: &Args) -> SysResult {
    accept_common(p, a.fd(0), a.ptr(1), a.ptr(2), 0)
}

fn sys_accept4(p: &mut Process, a: &Args) -> SysResult {
    accept_common(p, a.fd(0), a.ptr(1), a.ptr(2), a.uint(3))
}

fn sys_connect(p: &mut Process, a: &Args) -> SysResult {
    let fd = a.fd(0);
    p.vfs.file(fd)?;
    let raw = addr_in(&p.mem, a.ptr(1), a.int(2))?;
    match p.vfs.connect(fd, &raw) {
        Ok(()) => Ok(0),
        Err(VfsError::WouldBlock(_)) => Err(blocked(p, fd, true)),
        Err(VfsError::Errno(e)) => Err(e.into()),
    }
}

fn sys_getsockname(p: &mut Process, a: &Args) -> SysResult {
    let name = p.vfs.getsockname(a.fd(0))?;
    addr_out(&mut p.mem, &name, a.ptr(1), a.ptr(2))?;
    Ok(0)
}

fn sys_getpeername(p: &mut Process, a: &Args) -> SysResult {
    let name = p.vfs.getpeername(a.fd(0))?;
    addr_out(&mut p.mem, &name, a.ptr(1), a.ptr(2))?;
    Ok(0)
}

fn sys_shutdown(p: &mut Process, a: &Args) -> SysResult {
    p.vfs.shutdown(a.fd(0), a.uint(1))?;
    Ok(0)
}

fn sys_setsockopt(p: &mut Process, a: &Args) -> SysResult {
    let (fd, level, name, val, len) = (a.fd(0), a.int(1), a.int(2), a.ptr(3), a.int(4));
    p.vfs.socket_ino(fd)?;
    if len < 0 {
        return Err(Errno::EINVAL.into());
    }
    // Every option rvrun knows reads at most a struct linger or a timeval.
    let bytes = p.mem.read_vec(val, (len as usize).min(16))?;
    match p.vfs.setsockopt(fd, level, name, &bytes)? {
        Ok(()) => Ok(0),
        Err(msg) => Err(SysError::Unsupported(msg)),
    }
}

fn sys_getsockopt(p: &mut Process, a: &Args) -> SysResult {
    let (fd, level, name, val, lenp) = (a.fd(0), a.int(1), a.int(2), a.ptr(3), a.ptr(4));
    p.vfs.socket_ino(fd)?;
    let len = p.mem.read_u32(lenp)? as i32;
    if len < 0 {
        return Err(Errno::EINVAL.into());
    }
    let v = match p.vfs.getsockopt(fd, level, name)? {
        Ok(v) => v,
        Err(msg) => return Err(SysError::Unsupported(msg)),
    };
    let bytes = match v {
        OptVal::Int(i) => i.to_le_bytes().to_vec(),
        OptVal::Bytes(b) => b,
    };
    let n = (len as usize).min(bytes.len());
    p.mem.write_bytes(val, &bytes[..n])?;
    p.mem.write_bytes(lenp, &(n as u32).to_le_bytes())?;
    Ok(0)
}

// ---- sending ----

/// A message to send, decoded from the guest: its data stays in guest memory.
struct OutMsg {
    iovs: Vec<(u64, usize)>,
    to: Option<Vec<u8>>,
    rights: Vec<i32>,
}

/// Bytes gathered from guest memory per step of a stream send: a send stores at most a
/// socket buffer's worth before it waits, so no call copies more than a few of these.
const SEND_CHUNK: usize = 256 << 10;
/// Longest datagram any socket takes (twice the largest SO_SNDBUF, for AF_UNIX): longer
/// ones are EMSGSIZE without being copied.
const MAX_DGRAM: usize = 2 * WMEM_MAX as usize;

/// Copies bytes `from..from+len` of the iovecs' concatenation.
fn gather_range(
    mem: &GuestMemory,
    iovs: &[(u64, usize)],
    from: usize,
    len: usize,
) -> Result<Vec<u8>, SysError> {
    let mut out = Vec::with_capacity(len);
    let mut pos = 0usize;
    for &(base, l) in iovs {
        if out.len() == len {
            break;
        }
        let end = pos + l;
        if end > from {
            let start = from.max(pos) - pos;
            let n = (l - start).min(len - out.len());
            out.extend_from_slice(mem.slice(base + start as u64, n)?);
        }
        pos = end;
    }
    Ok(out)
}
/// The fields of a `struct msghdr`.
struct MsgHdr {
    name: u64,
    namelen: u32,
    iov: u64,
    iovlen: u64,
    control: u64,
    controllen: u64,
}

fn read_msghdr(mem: &GuestMemory, at: u64) -> Result<MsgHdr, SysError> {
    let b = mem.read_vec(at, MSGHDR_LEN as usize)?;
    let u64_at = |o: usize| u64::from_le_bytes(b[o..o + 8].try_into().expect("8 bytes"));
    Ok(MsgHdr {
        name: u64_at(0),
        namelen: u32::from_le_bytes(b[8..12].try_into().expect("4 bytes")),
        iov: u64_at(16),
        iovlen: u64_at(24),
        control: u64_at(32),
        controllen: u64_at(40),
    })
}

/// Parses the control messages of a send (__scm_send) for socket `fd`: SCM_RIGHTS fds
/// (EBADF for a closed one, EINVAL past SCM_MAX_FD) and SCM_CREDENTIALS (EPERM unless the
/// guest's own); EINVAL for a malformed header or another type.
fn parse_cmsgs(vfs: &Vfs, fd: i32, ctl: &[u8]) -> Result<Vec<i32>, SysError> {
    let mut rights = Vec::new();
    let mut off = 0usize;
    let unix = vfs.socket_domain(fd) == Some(AF_UNIX);
    while ctl.len() - off >= CMSG_HDR {
        let h = &ctl[off..];
        let len = u64::from_le_bytes(h[..8].try_into().expect("8 bytes"));
        let level = i32::from_le_bytes(h[8..12].try_into().expect("4 bytes"));
        let ty = i32::from_le_bytes(h[12..16].try_into().expect("4 bytes"));
        if len < CMSG_HDR as u64 || len > (ctl.len() - off) as u64 {
            return Err(Errno::EINVAL.into());
        }
        let len = len as usize;
        let data = &h[CMSG_HDR..len];
        if !unix {
            return Err(SysError::Unsupported(format!(
                "control message level {level} type {ty} on a non-AF_UNIX socket (not implemented)"
            )));
        }
        if level == SOL_SOCKET {
            match ty {
                SCM_RIGHTS => {
                    let n = data.len() / 4;
                    if n == 0 {
                        // Nothing to pass.
                    } else if rights.len() + n > SCM_MAX_FD {
                        return Err(Errno::EINVAL.into());
                    }
                    for c in data.chunks_exact(4) {
                        let f = i32::from_le_bytes(c.try_into().expect("4 bytes"));
                        vfs.file(f)?;
                        rights.push(f);
                    }
                }
                SCM_CREDENTIALS => {
                    if len != CMSG_HDR + 12 {
                        return Err(Errno::EINVAL.into());
                    }
                    let v =
                        |i: usize| u32::from_le_bytes(data[i..i + 4].try_into().expect("4 bytes"));
                    let (pid, uid, gid) = (v(0), v(4), v(8));
                    let c = vfs.socket_cred();
                    if pid != c.pid || uid != c.uid || gid != c.gid {
                        return Err(Errno::EPERM.into());
                    }
                }
                _ => return Err(Errno::EINVAL.into()),
            }
        }
        off += len.next_multiple_of(8).min(ctl.len() - off);
    }
    Ok(rights)
}

/// Decodes a `struct msghdr` to send: EMSGSIZE for too many iovecs, ENOBUFS for a control
/// length above INT_MAX, the address and control checks.
fn read_out_msg(p: &Process, fd: i32, at: u64) -> Result<OutMsg, SysError> {
    let h = read_msghdr(&p.mem, at)?;
    if h.iovlen > UIO_MAXIOV {
        return Err(Errno::EMSGSIZE.into());
    }
    let to = if h.name != 0 && h.namelen != 0 {
        let n = (h.namelen as i32).min(SOCKADDR_STORAGE as i32);
        Some(addr_in(&p.mem, h.name, n)?)
    } else {
        None
    };
    if h.controllen > i32::MAX as u64 {
        return Err(Errno::ENOBUFS.into());
    }
    let iovs = read_iovecs(&p.mem, h.iov, h.iovlen, perm::R, Errno::EMSGSIZE)?;
    let rights = if h.controllen >= CMSG_HDR as u64 {
        // Kernel work stays bounded: Linux copies at most this much control data at once.
        let ctl = p
            .mem
            .read_vec(h.control, h.controllen.min(1 << 20) as usize)?;
        parse_cmsgs(&p.vfs, fd, &ctl)?
    } else {
        Vec::new()
    };
    Ok(OutMsg { iovs, to, rights })
}

/// Sends `m` on `fd`, resuming after what a blocked earlier attempt of the same call sent
/// (`retry_done`; the fds went with the first part). A stream send copies its data a chunk
/// at a time until all is stored or the socket's buffer is full; a datagram is copied
/// whole. EPIPE raises SIGPIPE where Linux does.
fn send_common(p: &mut Process, fd: i32, m: &OutMsg, flags: u32) -> SysResult {
    let total: usize = m.iovs.iter().map(|v| v.1).sum();
    let stream = p.vfs.socket_type(fd) == Some(SOCK_STREAM);
    if !stream && total > MAX_DGRAM {
        return Err(Errno::EMSGSIZE.into());
    }
    let mut sent = p.thread.retry_done.min(total);
    loop {
        let len = if stream {
            (total - sent).min(SEND_CHUNK)
        } else {
            total
        };
        let data = gather_range(&p.mem, &m.iovs, sent, len)?;
        let rights: &[i32] = if sent > 0 { &[] } else { &m.rights };
        let r = p.vfs.sock_send(fd, &data, m.to.as_deref(), flags, rights);
        if p.vfs.take_sigpipe() {
            p.thread.pending |= 1 << (SIGPIPE - 1);
        }
        match r {
            Ok(n) => {
                sent += n;
                if !stream || n < len || sent >= total {
                    return Ok(sent as u64);
                }
            }
            Err(VfsError::WouldBlock(b)) => {
                sent += b.done;
                return match blocked(p, fd, true) {
                    SysError::Errno(_) if sent > 0 => Ok(sent as u64),
                    e => {
                        p.thread.retry_done = sent;
                        Err(e)
                    }
                };
            }
            Err(VfsError::Errno(_)) if sent > 0 => return Ok(sent as u64),
            Err(VfsError::Errno(e)) => return Err(e.into()),
        }
    }
}

/// `read` and `readv` on a socket: a receive without flags (passed descriptions are
/// closed: a read takes no control data).
pub fn socket_readv(p: &mut Process, fd: i32, iovs: Vec<(u64, usize)>) -> SysResult {
    let (n, r) = recv_common(p, fd, &iovs, 0)?;
    if !r.rights.is_empty() {
        p.vfs.drop_received(r.rights);
    }
    Ok(n as u64)
}

/// `writev` on a socket: a send without address or flags (the data stays in guest memory
/// until it is sent, however long the iovecs say it is).
pub fn socket_writev(p: &mut Process, fd: i32, iovs: Vec<(u64, usize)>) -> SysResult {
    let m = OutMsg {
        iovs,
        to: None,
        rights: Vec::new(),
    };
    send_common(p, fd, &m, 0)
}

fn sys_sendto(p: &mut Process, a: &Args) -> SysResult {
    let (fd, buf, len, flags, addr, alen) =
        (a.fd(0), a.ptr(1), a.size(2), a.uint(3), a.ptr(4), a.int(5));
    let len = len.min(MAX_RW_COUNT as u64);
    if !GuestMemory::access_ok(buf, len) {
        return Err(Errno::EFAULT.into());
    }
    p.vfs.socket_ino(fd)?;
    let to = if addr != 0 {
        Some(addr_in(&p.mem, addr, alen)?)
    } else {
        None
    };
    check_user_buf(&p.mem, buf, len, perm::R)?;
    let m = OutMsg {
        iovs: vec![(buf, len as usize)],
        to,
        rights: Vec::new(),
    };
    send_common(p, fd, &m, flags)
}

fn sys_sendmsg(p: &mut Process, a: &Args) -> SysResult {
    let (fd, msg, flags) = (a.fd(0), a.ptr(1), a.uint(2));
    p.vfs.socket_ino(fd)?;
    let m = read_out_msg(p, fd, msg)?;
    send_common(p, fd, &m, flags)
}

fn sys_sendmmsg(p: &mut Process, a: &Args) -> SysResult {
    let (fd, vec, vlen, flags) = (
        a.fd(0),
        a.ptr(1),
        (a.uint(2) as u64).min(UIO_MAXIOV),
        a.uint(3),
    );
    p.vfs.socket_ino(fd)?;
    let mut sent = 0u64;
    while sent < vlen {
        let at = vec + sent * MMSGHDR_LEN;
        let f = if sent > 0 {
            flags | MSG_DONTWAIT
        } else {
            flags
        };
        let r = read_out_msg(p, fd, at).and_then(|m| send_common(p, fd, &m, f));
        match r {
            Ok(n) => {
                p.mem.write_bytes(at + 56, &(n as u32).to_le_bytes())?;
                sent += 1;
            }
            Err(e) if sent == 0 => return Err(e),
            Err(SysError::Unsupported(m)) => return Err(SysError::Unsupported(m)),
            Err(_) => break,
        }
    }
    Ok(sent)
}

// ---- receiving ----

/// Receives into the iovecs, resuming at `retry_done` bytes for MSG_WAITALL; returns the
/// count and what came with the data.
fn recv_common(
    p: &mut Process,
    fd: i32,
    iovs: &[(u64, usize)],
    flags: u32,
) -> Result<(usize, Received), SysError> {
    let total: usize = iovs.iter().map(|v| v.1).sum();
    let skip = p.thread.retry_done.min(total);
    let r = match p.vfs.sock_recv(fd, total - skip, flags) {
        Ok(r) => r,
        Err(VfsError::WouldBlock(_)) => {
            return match blocked(p, fd, false) {
                SysError::Errno(_) if skip > 0 => Ok((skip, Received::default())),
                e => Err(e),
            };
        }
        Err(VfsError::Errno(_)) if skip > 0 => {
            return Ok((skip, Received::default()));
        }
        Err(VfsError::Errno(e)) => return Err(e.into()),
    };
    // Scatter from byte `skip` on.
    let mut pos = 0usize;
    let mut rest = &r.data[..];
    for &(base, len) in iovs {
        if rest.is_empty() {
            break;
        }
        let end = pos + len;
        if end > skip {
            let from = skip.max(pos) - pos;
            let n = (len - from).min(rest.len());
            p.mem.write_bytes(base + from as u64, &rest[..n])?;
            rest = &rest[n..];
        }
        pos = end;
    }
    let got = skip + r.data.len();
    let stream = p.vfs.socket_type(fd) == Some(SOCK_STREAM);
    if flags & MSG_WAITALL != 0
        && flags & (MSG_PEEK | MSG_DONTWAIT) == 0
        && stream
        && got < total
        && !r.eof
        && !r.data.is_empty()
        && r.rights.is_empty()
    {
        p.thread.retry_done = got;
        // The rest waits as the first part did (the timeout counts from the first attempt).
        return match blocked(p, fd, false) {
            SysError::Errno(_) => Ok((got, r)),
            e => Err(e),
        };
    }
    Ok((got, r))
}

fn sys_recvfrom(p: &mut Process, a: &Args) -> SysResult {
    let (fd, buf, len, flags, addr, lenp) =
        (a.fd(0), a.ptr(1), a.size(2), a.uint(3), a.ptr(4), a.ptr(5));
    let len = len.min(MAX_RW_COUNT as u64);
    if !GuestMemory::access_ok(buf, len) {
        return Err(Errno::EFAULT.into());
    }
    p.vfs.socket_ino(fd)?;
    check_user_buf(&p.mem, buf, len, perm::W)?;
    let (n, r) = recv_common(p, fd, &[(buf, len as usize)], flags)?;
    if !r.rights.is_empty() {
        p.vfs.drop_received(r.rights);
    }
    if addr != 0 {
        match &r.from {
            Some(f) => addr_out(&mut p.mem, f, addr, lenp)?,
            None => p.mem.write_bytes(lenp, &0u32.to_le_bytes())?,
        }
    }
    Ok(if flags & MSG_TRUNC != 0 && r.full_len > r.data.len() {
        r.full_len
    } else {
        n
    } as u64)
}

/// Writes the control messages of a receive (put_cmsg, scm_detach_fds) into `ctl` bytes at
/// `control`; returns the bytes used and whether something was cut (MSG_CTRUNC).
fn put_cmsgs(
    p: &mut Process,
    control: u64,
    controllen: u64,
    r: &mut Received,
    cloexec: bool,
) -> Result<(u64, bool), SysError> {
    let mut used = 0u64;
    let mut trunc = false;
    let put = |p: &mut Process, ty: i32, data: &[u8], used: &mut u64| -> Result<bool, SysError> {
        let room = controllen - *used;
        if room < CMSG_HDR as u64 {
            return Ok(false);
        }
        let full = (CMSG_HDR + data.len()) as u64;
        let cmlen = full.min(room);
        let mut b = full.to_le_bytes().to_vec();
        b.extend_from_slice(&SOL_SOCKET.to_le_bytes());
        b.extend_from_slice(&ty.to_le_bytes());
        b.extend_from_slice(data);
        b.truncate(cmlen as usize);
        if cmlen < full {
            b[..8].copy_from_slice(&cmlen.to_le_bytes());
        }
        p.mem.write_bytes(control + *used, &b)?;
        *used += full.next_multiple_of(8).min(room);
        Ok(cmlen == full)
    };
    if let Some(c) = r.cred {
        let mut d = c.pid.to_le_bytes().to_vec();
        d.extend_from_slice(&c.uid.to_le_bytes());
        d.extend_from_slice(&c.gid.to_le_bytes());
        trunc |= !put(p, SCM_CREDENTIALS, &d, &mut used)?;
    }
    if !r.rights.is_empty() {
        let room = controllen - used;
        let max = if room >= CMSG_HDR as u64 {
            ((room - CMSG_HDR as u64) / 4) as usize
        } else {
            0
        };
        let files = std::mem::take(&mut r.rights);
        let count = files.len();
        let fds = p.vfs.install_rights(files, max, cloexec);
        if fds.len() < count {
            trunc = true;
        }
        if !fds.is_empty() {
            let d: Vec<u8> = fds.iter().flat_map(|f| (*f as u32).to_le_bytes()).collect();
            put(p, SCM_RIGHTS, &d, &mut used)?;
        }
    }
    Ok((used, trunc))
}

/// One recvmsg on `fd` for the `struct msghdr` at `at`: the count.
fn recvmsg_one(p: &mut Process, fd: i32, at: u64, flags: u32) -> SysResult {
    let h = read_msghdr(&p.mem, at)?;
    if h.iovlen > UIO_MAXIOV {
        return Err(Errno::EMSGSIZE.into());
    }
    if (h.namelen as i32) < 0 && h.name != 0 {
        return Err(Errno::EINVAL.into());
    }
    let iovs = read_iovecs(&p.mem, h.iov, h.iovlen, perm::W, Errno::EMSGSIZE)?;
    let (n, mut r) = recv_common(p, fd, &iovs, flags & !MSG_CMSG_CLOEXEC)?;
    // Linux starts msg_flags from the caller's MSG_CMSG_CLOEXEC (____sys_recvmsg); the
    // protocol adds to it.
    let mut mflags = flags & MSG_CMSG_CLOEXEC;
    if r.full_len > r.data.len() && p.vfs.socket_type(fd) != Some(SOCK_STREAM) {
        mflags |= MSG_TRUNC;
    }
    if h.name != 0 {
        let from = r.from.clone().unwrap_or_default();
        let len = (h.namelen as usize).min(from.len());
        p.mem.write_bytes(h.name, &from[..len])?;
        p.mem
            .write_bytes(at + 8, &(from.len() as u32).to_le_bytes())?;
    }
    let (used, ctrunc) = if h.control != 0 || r.cred.is_some() || !r.rights.is_empty() {
        put_cmsgs(
            p,
            h.control,
            h.controllen,
            &mut r,
            flags & MSG_CMSG_CLOEXEC != 0,
        )?
    } else {
        (0, false)
    };
    if ctrunc {
        mflags |= MSG_CTRUNC;
    }
    p.mem.write_bytes(at + 48, &mflags.to_le_bytes())?;
    p.mem.write_bytes(at + 40, &used.to_le_bytes())?;
    Ok(if flags & MSG_TRUNC != 0 && r.full_len > r.data.len() {
        r.full_len
    } else {
        n
    } as u64)
}

fn sys_recvmsg(p: &mut Process, a: &Args) -> SysResult {
    let (fd, msg, flags) = (a.fd(0), a.ptr(1), a.uint(2));
    p.vfs.socket_ino(fd)?;
    recvmsg_one(p, fd, msg, flags)
}

fn sys_recvmmsg(p: &mut Process, a: &Args) -> SysResult {
    let (fd, vec, vlen, flags, tmo) = (
        a.fd(0),
        a.ptr(1),
        (a.uint(2) as u64).min(UIO_MAXIOV),
        a.uint(3),
        a.ptr(4),
    );
    p.vfs.socket_ino(fd)?;
    if tmo != 0 {
        read_timespec(&p.mem, tmo)??;
    }
    let mut got = p.thread.retry_done as u64;
    while got < vlen {
        let at = vec + got * MMSGHDR_LEN;
        let f = if got > 0 { flags | MSG_DONTWAIT } else { flags };
        p.thread.retry_done = 0;
        // (MSG_WAITALL applies per message in Linux; here no message waits for a full buffer)
        match recvmsg_one(p, fd, at, f & !(MSG_WAITFORONE | MSG_WAITALL)) {
            Ok(n) => {
                p.mem.write_bytes(at + 56, &(n as u32).to_le_bytes())?;
                got += 1;
            }
            Err(SysError::WouldBlock { .. }) if got == 0 && tmo != 0 => {
                return Err(SysError::Unsupported(
                    "recvmmsg with a timeout that would have to wait (not implemented)".into(),
                ));
            }
            Err(e) if got == 0 => return Err(e),
            Err(SysError::Unsupported(m)) => return Err(SysError::Unsupported(m)),
            Err(_) => break,
        }
    }
    p.thread.retry_done = 0;
    Ok(got)
}

/// Decodes a socket call's argument for strace: `F` a family, `T` a socket type with its
/// flags, `A` a socket address whose length is the next argument. None for other letters.
pub fn strace_arg(mem: &GuestMemory, f: char, args: &Args, i: usize) -> Option<String> {
    let v = args.raw(i);
    match f {
        'F' => Some(family_name(v as i32)),
        'T' => {
            let t = v as u32;
            let mut s = match t & SOCK_TYPE_MASK {
                SOCK_STREAM => "SOCK_STREAM".to_string(),
                SOCK_DGRAM => "SOCK_DGRAM".to_string(),
                SOCK_RAW => "SOCK_RAW".to_string(),
                SOCK_RDM => "SOCK_RDM".to_string(),
                SOCK_SEQPACKET => "SOCK_SEQPACKET".to_string(),
                SOCK_PACKET => "SOCK_PACKET".to_string(),
                n => n.to_string(),
            };
            if t & SOCK_NONBLOCK != 0 {
                s.push_str("|SOCK_NONBLOCK");
            }
            if t & SOCK_CLOEXEC != 0 {
                s.push_str("|SOCK_CLOEXEC");
            }
            let rest = t & !SOCK_TYPE_MASK & !(SOCK_NONBLOCK | SOCK_CLOEXEC);
            if rest != 0 {
                s.push_str(&format!("|0x{rest:x}"));
            }
            Some(s)
        }
        'A' => {
            let len = if i + 1 < 6 { args.raw(i + 1) } else { 0 }.min(SOCKADDR_STORAGE) as usize;
            if v == 0 {
                return Some("NULL".into());
            }
            let b = mem.peek(v, len)?;
            Some(format_sockaddr(b))
        }
        _ => None,
    }
}

fn family_name(f: i32) -> String {
    match f {
        0 => "AF_UNSPEC".into(),
        1 => "AF_UNIX".into(),
        2 => "AF_INET".into(),
        10 => "AF_INET6".into(),
        16 => "AF_NETLINK".into(),
        n => n.to_string(),
    }
}

/// `{AF_INET, 127.0.0.1:80}`-style text for a raw socket address.
pub fn format_sockaddr(b: &[u8]) -> String {
    use std::net::{Ipv4Addr, Ipv6Addr};
    if b.len() < 2 {
        return "{}".into();
    }
    let fam = u16::from_le_bytes([b[0], b[1]]);
    match fam {
        AF_INET if b.len() >= 8 => {
            let ip = Ipv4Addr::new(b[4], b[5], b[6], b[7]);
            format!("{{AF_INET, {ip}:{}}}", u16::from_be_bytes([b[2], b[3]]))
        }
        AF_INET6 if b.len() >= 24 => {
            let mut ip = [0u8; 16];
            ip.copy_from_slice(&b[8..24]);
            format!(
                "{{AF_INET6, [{}]:{}}}",
                Ipv6Addr::from(ip),
                u16::from_be_bytes([b[2], b[3]])
            )
        }
        AF_UNIX => {
            let p = &b[2..];
            if p.is_empty() {
                "{AF_UNIX}".into()
            } else if p[0] == 0 {
                format!("{{AF_UNIX, @{:?}}}", String::from_utf8_lossy(&p[1..]))
            } else {
                let end = p.iter().position(|&c| c == 0).unwrap_or(p.len());
                format!("{{AF_UNIX, {:?}}}", String::from_utf8_lossy(&p[..end]))
            }
        }
        AF_NETLINK if b.len() >= 12 => format!(
            "{{AF_NETLINK, pid={}, groups={:#x}}}",
            u32::from_le_bytes([b[4], b[5], b[6], b[7]]),
            u32::from_le_bytes([b[8], b[9], b[10], b[11]])
        ),
        f => format!("{{{}}}", family_name(f as i32)),
    }
}
