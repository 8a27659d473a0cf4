//! Event polling: `ppoll`, `pselect6`, `epoll_*` and `eventfd2`. Readiness and the epoll
//! and eventfd objects live in [`crate::vfs`] (`Vfs::readiness`, `vfs::epoll`,
//! `vfs::eventfd`); these handlers decode the guest structs and block.
//!
//! Blocking: when nothing is ready and the timeout is not zero, a handler returns
//! [`SysError::WouldBlock`] with the deadline; the thread sleeps at its `ecall` and the call
//! runs again when file state changes or the deadline passes. On re-entry the deadline comes
//! from `p.thread.retry_deadline` (set on the first attempt), so the timeout is not
//! restarted; once it has passed the call returns 0. A signal with a handler sent to the
//! waiting thread ends the wait with EINTR.

use super::{Args, Errno, SysError, SysResult, Syscall, handle, partial};
use crate::abi::Writer;
use crate::abi::poll::*;
use crate::abi::time::timespec;
use crate::kernel::process::Process;
use crate::kernel::uaccess::Store;
use crate::kernel::uaccess::read_timespec;
use crate::mem::{Access, perm};

/// Rows of the dispatch table for this family.
pub const TABLE: &[Syscall] = &[
    handle(19, "eventfd2", "ux", sys_eventfd2),
    handle(20, "epoll_create1", "x", sys_epoll_create1),
    partial(21, "epoll_ctl", "fdfx", sys_epoll_ctl, EPOLL_CTL_NOTE),
    handle(22, "epoll_pwait", "fxddxu", sys_epoll_pwait),
    handle(441, "epoll_pwait2", "fxdxxu", sys_epoll_pwait2),
    handle(72, "pselect6", "dxxxxx", sys_pselect6),
    handle(73, "ppoll", "xuxxu", sys_ppoll),
];

const EPOLL_CTL_NOTE: &str = "pipes, eventfds, epoll instances, the host streams and the random devices can be \
                              watched (EPERM for regular files, directories and other devices, as Linux); \
                              instances watching instances are refused where Linux refuses them (ELOOP for \
                              cycles and paths of more than 4 links, EINVAL past the wakeup path limits); \
                              events are reported in fd order";

/// The deadline of a wait of `timeout` ns (None: forever): on a retried call, the one set
/// by its first attempt.
fn deadline(p: &Process, timeout: Option<u128>) -> Option<u128> {
    timeout.map(|t| {
        p.thread
            .retry_deadline
            .unwrap_or_else(|| p.monotonic_ns().saturating_add(t))
    })
}

/// What a call that found nothing ready does: EINTR when a signal (let through by the
/// call's mask) is pending, 0 (`None`) once the deadline has passed (poll and select check
/// for signals first, epoll for the deadline), else it blocks the thread until file state
/// changes or the deadline passes; a signal with a handler sent meanwhile ends the wait with
/// EINTR (Linux never restarts these calls).
fn nothing_ready(p: &mut Process, deadline: Option<u128>, epoll: bool) -> Option<SysError> {
    if epoll && expired(p, deadline) {
        return None;
    }
    if p.has_deliverable_signal() {
        return Some(Errno::EINTR.into());
    }
    if expired(p, deadline) {
        return None;
    }
    p.thread.retry_eintr = true;
    Some(SysError::WouldBlock { deadline })
}

/// True once the deadline has passed.
fn expired(p: &Process, deadline: Option<u128>) -> bool {
    deadline.is_some_and(|d| p.monotonic_ns() >= d)
}

/// Applies an optional sigset argument for the duration of the call (EINVAL unless `size`
/// is 8): the caller's mask is kept in `saved_sigmask` (the dispatcher restores it when the
/// call returns, a signal frame when a handler interrupts it).
fn apply_sigmask(p: &mut Process, addr: u64, size: u64) -> Result<(), SysError> {
    if addr == 0 {
        return Ok(());
    }
    if size != 8 {
        return Err(Errno::EINVAL.into());
    }
    let mask = p.mem.read_u64(addr)?;
    if p.thread.saved_sigmask.is_none() {
        p.thread.saved_sigmask = Some(p.thread.sigmask);
    }
    p.thread.sigmask = mask & !crate::kernel::signal::UNBLOCKABLE;
    Ok(())
}

// ---- poll and select ----

// poll's event bits have epoll's values; readiness maps to them in `Readiness::events`.

/// The `revents` of one `struct pollfd` (fd, events): only requested events, plus POLLERR,
/// POLLHUP and POLLNVAL, which are always reported.
fn poll_one(p: &Process, fd: i32, events: u16) -> u16 {
    if fd < 0 {
        return 0;
    }
    let Ok(r) = p.vfs.readiness(fd) else {
        return POLLNVAL;
    };
    r.events() as u16 & (events | POLLERR | POLLHUP)
}

fn sys_ppoll(p: &mut Process, a: &Args) -> SysResult {
    let (fds, nfds, tmo, sigmask, sigsetsize) =
        (a.ptr(0), a.uint(1) as u64, a.ptr(2), a.ptr(3), a.size(4));
    if nfds > p.vfs.fd_limit() as u64 {
        return Err(Errno::EINVAL.into());
    }
    let timeout = if tmo == 0 {
        None
    } else {
        Some(read_timespec(&p.mem, tmo)??)
    };
    apply_sigmask(p, sigmask, sigsetsize)?;
    let deadline = deadline(p, timeout);
    let mut raw = p.mem.read_vec(fds, nfds as usize * 8)?;
    let mut ready = 0;
    for c in raw.chunks_exact_mut(8) {
        let fd = i32::from_le_bytes(c[..4].try_into().expect("4 bytes"));
        let events = u16::from_le_bytes([c[4], c[5]]);
        let revents = poll_one(p, fd, events);
        c[6..8].copy_from_slice(&revents.to_le_bytes());
        ready += (revents != 0) as u64;
    }
    if ready == 0
        && let Some(e) = nothing_ready(p, deadline, false)
    {
        return Err(e);
    }
    p.mem.write_bytes(fds, &raw)?;
    if let Some(d) = deadline {
        timespec(d.saturating_sub(p.monotonic_ns())).store(&mut p.mem, tmo)?;
    }
    Ok(ready)
}

fn sys_pselect6(p: &mut Process, a: &Args) -> SysResult {
    let (n, sets, tmo, sig) = (a.int(0), [a.ptr(1), a.ptr(2), a.ptr(3)], a.ptr(4), a.ptr(5));
    if n < 0 {
        return Err(Errno::EINVAL.into());
    }
    // Linux looks no further than its fd table's size.
    let n = (n as u32).min(p.vfs.fd_table_size()) as usize;
    let timeout = if tmo == 0 {
        None
    } else {
        Some(read_timespec(&p.mem, tmo)??)
    };
    if sig != 0 {
        // struct { const sigset_t *ss; size_t ss_len; }
        let (ss, len) = (p.mem.read_u64(sig)?, p.mem.read_u64(sig + 8)?);
        apply_sigmask(p, ss, len)?;
    }
    let words = n.div_ceil(64);
    let mut inp = [vec![0u64; words], vec![0u64; words], vec![0u64; words]];
    for (k, &addr) in sets.iter().enumerate() {
        if addr != 0 {
            let raw = p.mem.read_vec(addr, words * 8)?;
            for (w, c) in inp[k].iter_mut().zip(raw.chunks_exact(8)) {
                *w = u64::from_le_bytes(c.try_into().expect("8 bytes"));
            }
        }
    }
    let mut out = [vec![0u64; words], vec![0u64; words], vec![0u64; words]];
    let mut count = 0u64;
    for fd in 0..n {
        let (w, bit) = (fd / 64, 1u64 << (fd % 64));
        if (inp[0][w] | inp[1][w] | inp[2][w]) & bit == 0 {
            continue;
        }
        let r = p.vfs.readiness(fd as i32)?;
        if inp[0][w] & bit != 0 && (r.readable || r.hangup || r.error) {
            out[0][w] |= bit;
            count += 1;
        }
        if inp[1][w] & bit != 0 && (r.writable || r.error) {
            out[1][w] |= bit;
            count += 1;
        }
        // Exceptional conditions (POLLPRI) never occur on rvrun's files.
    }
    if count == 0
        && let Some(e) = nothing_ready(p, deadline(p, timeout), false)
    {
        return Err(e);
    }
    for (k, &addr) in sets.iter().enumerate() {
        if addr != 0 {
            let mut w = Writer::new();
            for &v in &out[k] {
                w.u64(v);
            }
            w.store(&mut p.mem, addr)?;
        }
    }
    if let Some(d) = deadline(p, timeout) {
        timespec(d.saturating_sub(p.monotonic_ns())).store(&mut p.mem, tmo)?;
    }
    Ok(count)
}

// ---- epoll and eventfd ----

fn sys_eventfd2(p: &mut Process, a: &Args) -> SysResult {
    Ok(p.vfs.eventfd(a.uint(0), a.uint(1))? as u64)
}

fn sys_epoll_create1(p: &mut Process, a: &Args) -> SysResult {
    Ok(p.vfs.epoll_create(a.uint(0))? as u64)
}

fn sys_epoll_ctl(p: &mut Process, a: &Args) -> SysResult {
    use crate::abi::eventpoll::{EPOLL_CTL_ADD, EPOLL_CTL_MOD};
    let (epfd, op, fd, ev) = (a.int(0), a.uint(1), a.int(2), a.ptr(3));
    // Linux copies the event in before looking at the fds.
    let (events, data) = if op == EPOLL_CTL_ADD || op == EPOLL_CTL_MOD {
        (p.mem.read_u32(ev)?, p.mem.read_u64(ev + 8)?)
    } else {
        (0, 0)
    };
    p.vfs.epoll_ctl(epfd, op, fd, events, data)?;
    Ok(0)
}

/// Most events one wait can ask for (INT_MAX / sizeof(struct epoll_event)).
const EP_MAX_EVENTS: i32 = i32::MAX / 16;

/// The common part of `epoll_pwait` and `epoll_pwait2`; `timeout` None waits forever.
fn epoll_wait(p: &mut Process, a: &Args, timeout: Option<u128>) -> SysResult {
    let (epfd, events, max) = (a.int(0), a.ptr(1), a.int(2));
    if max <= 0 || max > EP_MAX_EVENTS {
        return Err(Errno::EINVAL.into());
    }
    p.mem
        .check_range(events, max as u64 * 16, perm::W, Access::Write)?;
    p.vfs.check_epoll(epfd)?;
    let deadline = deadline(p, timeout);
    let ready = p.vfs.epoll_collect(epfd, max as usize)?;
    if ready.is_empty()
        && let Some(e) = nothing_ready(p, deadline, true)
    {
        return Err(e);
    }
    // struct epoll_event on riscv64: u32 events, 4 bytes of padding (left untouched, as
    // Linux leaves them), u64 data.
    for (i, (ev, data)) in ready.iter().enumerate() {
        let at = events + i as u64 * 16;
        p.mem.write_bytes(at, &ev.to_le_bytes())?;
        p.mem.write_bytes(at + 8, &data.to_le_bytes())?;
    }
    Ok(ready.len() as u64)
}

fn sys_epoll_pwait(p: &mut Process, a: &Args) -> SysResult {
    apply_sigmask(p, a.ptr(4), a.size(5))?;
    let ms = a.int(3);
    let timeout = (ms >= 0).then(|| ms as u128 * 1_000_000);
    epoll_wait(p, a, timeout)
}

fn sys_epoll_pwait2(p: &mut Process, a: &Args) -> SysResult {
    let timeout = if a.ptr(3) == 0 {
        None
    } else {
        Some(read_timespec(&p.mem, a.ptr(3))??)
    };
    apply_sigmask(p, a.ptr(4), a.size(5))?;
    epoll_wait(p, a, timeout)
}
