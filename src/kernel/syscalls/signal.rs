//! Signal syscalls: dispositions, the blocked mask, the alternate stack, rt_sigreturn, and
//! kill/tkill/tgkill aimed at the process or its threads (delivery is in [`crate::kernel::signal`]).

use super::{Args, Errno, SysError, SysResult, Syscall, handle, partial};
use crate::abi::Writer;
use crate::abi::signal::*;
use crate::kernel::process::{GUEST_PID, Process};
use crate::kernel::signal::{
    AltStack, SIGKILL, SIGSTOP, SS_AUTODISARM, SS_DISABLE, SigAction, UNBLOCKABLE,
};
use crate::kernel::uaccess::Store;

/// Rows of the dispatch table for this family.
pub const TABLE: &[Syscall] = &[
    handle(134, "rt_sigaction", "dxxu", sys_rt_sigaction),
    handle(135, "rt_sigprocmask", "dxxu", sys_rt_sigprocmask),
    handle(132, "sigaltstack", "xx", sys_sigaltstack),
    handle(139, "rt_sigreturn", "", sys_rt_sigreturn),
    handle(133, "rt_sigsuspend", "xu", sys_rt_sigsuspend),
    partial(
        129,
        "kill",
        "dd",
        sys_kill,
        "only this process (pid 1000, 0 or -1 name it)",
    ),
    handle(130, "tkill", "dd", sys_tkill),
    handle(131, "tgkill", "ddd", sys_tgkill),
];

fn valid_signal(sig: u64) -> Result<u32, Errno> {
    if (1..=64).contains(&sig) {
        Ok(sig as u32)
    } else {
        Err(Errno::EINVAL)
    }
}

fn sys_rt_sigaction(p: &mut Process, a: &Args) -> SysResult {
    let (act, oact) = (a.ptr(1), a.ptr(2));
    if a.size(3) != SIGSET_SIZE {
        return Err(Errno::EINVAL.into());
    }
    let sig = valid_signal(a.raw(0))?;
    if act != 0 && (sig == SIGKILL || sig == SIGSTOP) {
        return Err(Errno::EINVAL.into());
    }
    // struct sigaction on riscv64: handler, flags, mask (no sa_restorer).
    let new = if act != 0 {
        Some(SigAction {
            handler: p.mem.read_u64(act)?,
            flags: p.mem.read_u64(act + 8)?,
            mask: p.mem.read_u64(act + 16)?,
        })
    } else {
        None
    };
    let old = p.sig.action(sig);
    if oact != 0 {
        let mut w = Writer::new();
        w.u64(old.handler).u64(old.flags).u64(old.mask);
        w.store(&mut p.mem, oact)?;
    }
    if let Some(mut new) = new {
        new.mask &= !UNBLOCKABLE;
        p.sig.actions[sig as usize - 1] = new;
    }
    Ok(0)
}

fn sys_rt_sigprocmask(p: &mut Process, a: &Args) -> SysResult {
    let (how, set, oset) = (a.raw(0), a.ptr(1), a.ptr(2));
    if a.size(3) != SIGSET_SIZE {
        return Err(Errno::EINVAL.into());
    }
    let old = p.thread.sigmask;
    let new = if set != 0 {
        let s = p.mem.read_u64(set)?;
        Some(match how {
            SIG_BLOCK => old | s,
            SIG_UNBLOCK => old & !s,
            SIG_SETMASK => s,
            _ => return Err(Errno::EINVAL.into()),
        })
    } else {
        None
    };
    if oset != 0 {
        p.mem.write_bytes(oset, &old.to_le_bytes())?;
    }
    if let Some(new) = new {
        // Newly unblocked pending signals are taken by the dispatcher on the way out.
        p.thread.sigmask = new & !UNBLOCKABLE;
    }
    Ok(0)
}

fn sys_sigaltstack(p: &mut Process, a: &Args) -> SysResult {
    let (ss, old_ss) = (a.ptr(0), a.ptr(1));
    let new = if ss != 0 {
        let sp = p.mem.read_u64(ss)?;
        let flags = p.mem.read_u32(ss + 8)?;
        let size = p.mem.read_u64(ss + 16)?;
        let mode = flags & !SS_AUTODISARM;
        if mode != 0 && mode != SS_DISABLE {
            return Err(Errno::EINVAL.into());
        }
        if mode == SS_DISABLE {
            Some(AltStack::default())
        } else if size < MINSIGSTKSZ {
            return Err(Errno::ENOMEM.into());
        } else {
            Some(AltStack { sp, flags, size })
        }
    } else {
        None
    };
    if old_ss != 0 {
        let cur = p.thread.altstack;
        let mut w = Writer::new();
        w.u64(cur.sp).u32(cur.flags).u32(0).u64(cur.size);
        w.store(&mut p.mem, old_ss)?;
    }
    if let Some(new) = new {
        p.thread.altstack = new;
    }
    Ok(0)
}

/// Sends `sig` to the process (`thread` None) or to one of its threads.
fn send(p: &mut Process, thread: Option<u64>, sig: u64) -> SysResult {
    if sig == 0 {
        return Ok(0);
    }
    let sig = valid_signal(sig)?;
    let bit = 1u64 << (sig - 1);
    match thread {
        None => p.sig.pending |= bit,
        Some(tid) if tid == p.thread.tid => p.thread.pending |= bit,
        Some(tid) => {
            let (_, ctx) = p.sched.get_mut(tid).ok_or(Errno::ESRCH)?;
            ctx.pending |= bit;
        }
    }
    p.signal_sent(sig, thread);
    // The dispatcher acts on what the caller can take once the result is in a0.
    Ok(0)
}

/// Waits for a signal handler under a temporary mask; always ends with EINTR once a handler
/// is due (the handler runs under the temporary mask, and its frame restores the caller's).
fn sys_rt_sigsuspend(p: &mut Process, a: &Args) -> SysResult {
    if a.size(1) != SIGSET_SIZE {
        return Err(Errno::EINVAL.into());
    }
    let mask = p.mem.read_u64(a.ptr(0))?;
    if p.thread.saved_sigmask.is_none() {
        p.thread.saved_sigmask = Some(p.thread.sigmask);
    }
    p.thread.sigmask = mask & !UNBLOCKABLE;
    if p.has_deliverable_signal() {
        return Err(Errno::EINTR.into());
    }
    // Nothing but a signal ends the wait: file changes merely run the call again.
    p.thread.retry_eintr = true;
    Err(SysError::WouldBlock { deadline: None })
}

fn sys_rt_sigreturn(p: &mut Process, _a: &Args) -> SysResult {
    match p.sigreturn() {
        Ok(a0) => Ok(a0),
        Err(fault) => {
            // Linux kills the process with SIGSEGV when the frame cannot be read.
            let why = format!("rt_sigreturn: unreadable signal frame ({fault})");
            p.default_action(crate::kernel::signal::SIGSEGV, Some(&why));
            Err(SysError::Switched)
        }
    }
}

fn sys_kill(p: &mut Process, a: &Args) -> SysResult {
    let pid = a.int(0);
    // 0: own process group; -1: every process we may signal (only ourselves here).
    if pid == GUEST_PID as i32 || pid == 0 || pid == -1 || pid == -(GUEST_PID as i32) {
        send(p, None, a.raw(1))
    } else {
        Err(Errno::ESRCH.into())
    }
}

fn sys_tkill(p: &mut Process, a: &Args) -> SysResult {
    if a.int(0) <= 0 {
        return Err(Errno::EINVAL.into());
    }
    if !p.has_thread(a.raw(0)) {
        return Err(Errno::ESRCH.into());
    }
    send(p, Some(a.raw(0)), a.raw(1))
}

fn sys_tgkill(p: &mut Process, a: &Args) -> SysResult {
    if a.int(0) <= 0 || a.int(1) <= 0 {
        return Err(Errno::EINVAL.into());
    }
    if a.raw(0) != GUEST_PID || !p.has_thread(a.raw(1)) {
        return Err(Errno::ESRCH.into());
    }
    send(p, Some(a.raw(1)), a.raw(2))
}
