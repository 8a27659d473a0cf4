//! Signal syscalls: dispositions, the blocked mask, the alternate stack, and kill/tkill/tgkill
//! aimed at the process itself. Running a guest handler comes with threads and signal frames;
//! until then a signal that would run one stops the run, saying so.

use super::abi::Writer;
use super::{Args, Errno, SysError, SysResult, Syscall, handle, partial};
use crate::process::{ExitReason, GUEST_PID, Process};
use crate::signal::{
    AltStack, DefaultAction, SIG_DFL, SIG_IGN, SIGKILL, SIGSTOP, SS_DISABLE, SigAction,
    default_action,
};

/// Rows of the dispatch table for this family.
pub const TABLE: &[Syscall] = &[
    handle(134, "rt_sigaction", "dxxu", sys_rt_sigaction),
    handle(135, "rt_sigprocmask", "dxxu", sys_rt_sigprocmask),
    partial(
        132,
        "sigaltstack",
        "xx",
        sys_sigaltstack,
        "the stack is recorded; signal frames come with threads",
    ),
    partial(
        129,
        "kill",
        "dd",
        sys_kill,
        "only the process itself; a signal with a guest handler stops the run",
    ),
    partial(
        130,
        "tkill",
        "dd",
        sys_tkill,
        "only the calling thread; a signal with a guest handler stops the run",
    ),
    partial(
        131,
        "tgkill",
        "ddd",
        sys_tgkill,
        "only the calling thread; a signal with a guest handler stops the run",
    ),
];

/// Size of the kernel's sigset_t on riscv64.
const SIGSET_SIZE: u64 = 8;
const SIG_BLOCK: u64 = 0;
const SIG_UNBLOCK: u64 = 1;
const SIG_SETMASK: u64 = 2;
/// Signals that can never be blocked or caught.
const UNBLOCKABLE: u64 = (1 << (SIGKILL - 1)) | (1 << (SIGSTOP - 1));
/// SS_ONSTACK / SS_AUTODISARM for sigaltstack.
const SS_AUTODISARM: u32 = 1 << 31;
/// MINSIGSTKSZ on riscv64.
const MINSIGSTKSZ: u64 = 2048;

fn valid_signal(sig: u64) -> Result<u32, Errno> {
    if (1..=64).contains(&sig) {
        Ok(sig as u32)
    } else {
        Err(Errno::EINVAL)
    }
}

fn sys_rt_sigaction(p: &mut Process, a: &Args) -> SysResult {
    let (act, oact) = (a[1], a[2]);
    if a[3] != SIGSET_SIZE {
        return Err(Errno::EINVAL.into());
    }
    let sig = valid_signal(a[0])?;
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
    let (how, set, oset) = (a[0], a[1], a[2]);
    if a[3] != SIGSET_SIZE {
        return Err(Errno::EINVAL.into());
    }
    let old = p.sig.mask;
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
        p.sig.mask = new & !UNBLOCKABLE;
        deliver_pending(p)?;
    }
    Ok(0)
}

fn sys_sigaltstack(p: &mut Process, a: &Args) -> SysResult {
    let (ss, old_ss) = (a[0], a[1]);
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
        let cur = p.sig.altstack;
        let mut w = Writer::new();
        w.u64(cur.sp).u32(cur.flags).u32(0).u64(cur.size);
        w.store(&mut p.mem, old_ss)?;
    }
    if let Some(new) = new {
        p.sig.altstack = new;
    }
    Ok(0)
}

/// Sends `sig` to the process: ends it, ignores it, leaves it pending while blocked, or stops
/// the run when a guest handler would have to run.
fn send(p: &mut Process, sig: u64) -> SysResult {
    if sig == 0 {
        return Ok(0);
    }
    let sig = valid_signal(sig)?;
    p.sig.pending |= 1 << (sig - 1);
    deliver_pending(p)?;
    Ok(0)
}

/// Acts on pending signals that are not blocked.
fn deliver_pending(p: &mut Process) -> Result<(), SysError> {
    let ready = p.sig.pending & !p.sig.mask;
    if ready == 0 {
        return Ok(());
    }
    let sig = ready.trailing_zeros() + 1;
    p.sig.pending &= !(1 << (sig - 1));
    let act = p.sig.action(sig);
    match act.handler {
        SIG_IGN => Ok(()),
        SIG_DFL => match default_action(sig) {
            DefaultAction::Terminate | DefaultAction::Core => {
                p.exit = Some(ExitReason::Signaled(sig));
                Ok(())
            }
            DefaultAction::Ignore | DefaultAction::Continue => deliver_pending(p),
            DefaultAction::Stop => Err(SysError::Unsupported(format!(
                "{} would stop the process (job control is not emulated)",
                crate::signal::signal_name(sig)
            ))),
        },
        h => Err(SysError::Unsupported(format!(
            "delivery of {} to the guest handler at 0x{h:x} is not supported yet",
            crate::signal::signal_name(sig)
        ))),
    }
}

fn sys_kill(p: &mut Process, a: &Args) -> SysResult {
    let pid = a[0] as i32;
    // 0: own process group; -1: every process we may signal (only ourselves here).
    if pid == GUEST_PID as i32 || pid == 0 || pid == -1 || pid == -(GUEST_PID as i32) {
        send(p, a[1])
    } else {
        Err(Errno::ESRCH.into())
    }
}

fn sys_tkill(p: &mut Process, a: &Args) -> SysResult {
    if a[0] as i32 <= 0 {
        return Err(Errno::EINVAL.into());
    }
    if a[0] != p.tid() {
        return Err(Errno::ESRCH.into());
    }
    send(p, a[1])
}

fn sys_tgkill(p: &mut Process, a: &Args) -> SysResult {
    if a[0] as i32 <= 0 || a[1] as i32 <= 0 {
        return Err(Errno::EINVAL.into());
    }
    if a[0] != GUEST_PID || a[1] != p.tid() {
        return Err(Errno::ESRCH.into());
    }
    send(p, a[2])
}
