//! Threads: clone (threads only), thread exit, futexes, tid bookkeeping and sched_yield.
//! Scheduling itself is in [`crate::kernel::sched`].

use super::{Args, Errno, SysError, SysResult, Syscall, handle, partial};
use crate::abi::futex::*;
use crate::cpu::regs::{A0, SP, TP};
use crate::kernel::process::{ExitReason, Process};
use crate::kernel::sched::{Parked, ThreadCtx, Wait};
use crate::kernel::signal::AltStack;
use crate::kernel::uaccess::read_timespec;

/// Rows of the dispatch table for this family.
pub const TABLE: &[Syscall] = &[
    partial(
        220,
        "clone",
        "xxxxx",
        sys_clone,
        "threads (CLONE_VM | CLONE_THREAD | CLONE_SIGHAND), EAGAIN past RLIMIT_NPROC (default \
         65536); fork and vfork stop the run",
    ),
    handle(93, "exit", "d", sys_exit),
    handle(96, "set_tid_address", "x", sys_set_tid_address),
    handle(99, "set_robust_list", "xu", sys_set_robust_list),
    handle(100, "get_robust_list", "dxx", sys_get_robust_list),
    handle(178, "gettid", "", sys_gettid),
    handle(124, "sched_yield", "", sys_sched_yield),
    partial(
        98,
        "futex",
        "xdxxxx",
        sys_futex,
        "WAIT, WAKE, WAIT_BITSET, WAKE_BITSET, REQUEUE, CMP_REQUEUE (private or shared, \
         CLOCK_REALTIME with WAIT_BITSET); PI and WAKE_OP futexes stop the run; unknown \
         commands: ENOSYS",
    ),
];

mod clone_flags {
    pub const CSIGNAL: u64 = 0xff;
    pub const VM: u64 = 0x100;
    pub const FS: u64 = 0x200;
    pub const FILES: u64 = 0x400;
    pub const SIGHAND: u64 = 0x800;
    pub const PIDFD: u64 = 0x1000;
    pub const PTRACE: u64 = 0x2000;
    pub const VFORK: u64 = 0x4000;
    pub const PARENT: u64 = 0x8000;
    pub const THREAD: u64 = 0x10000;
    pub const NEWNS: u64 = 0x20000;
    pub const SYSVSEM: u64 = 0x40000;
    pub const SETTLS: u64 = 0x80000;
    pub const PARENT_SETTID: u64 = 0x100000;
    pub const CHILD_CLEARTID: u64 = 0x200000;
    pub const DETACHED: u64 = 0x400000;
    pub const UNTRACED: u64 = 0x800000;
    pub const CHILD_SETTID: u64 = 0x1000000;
    pub const IO: u64 = 0x8000_0000;
    /// What a thread-creating clone may carry besides the required flags.
    pub const THREAD_OK: u64 = FS
        | FILES
        | SYSVSEM
        | SETTLS
        | PARENT_SETTID
        | CHILD_CLEARTID
        | CHILD_SETTID
        | DETACHED
        | UNTRACED
        | PTRACE
        | IO;
    /// The flags that make a clone a thread of this process.
    pub const THREAD_REQUIRED: u64 = VM | THREAD | SIGHAND;
    #[allow(dead_code)]
    pub const UNSUPPORTED: u64 = PIDFD | VFORK | PARENT | NEWNS;
}

fn sys_clone(p: &mut Process, a: &Args) -> SysResult {
    use clone_flags::*;
    let (flags, newsp, parent_tid, tls, child_tid) =
        (a.raw(0), a.ptr(1), a.ptr(2), a.ptr(3), a.ptr(4));
    // Linux's own consistency rules come first.
    if flags & THREAD != 0 && flags & SIGHAND == 0 || flags & SIGHAND != 0 && flags & VM == 0 {
        return Err(Errno::EINVAL.into());
    }
    if flags & THREAD_REQUIRED != THREAD_REQUIRED
        || flags & !(THREAD_REQUIRED | THREAD_OK) & !CSIGNAL != 0
    {
        return Err(SysError::Unsupported(format!(
            "clone with flags 0x{flags:x}: only threads (CLONE_VM | CLONE_THREAD | CLONE_SIGHAND) are supported, \
             not new processes"
        )));
    }
    if flags & CSIGNAL != 0 {
        // A thread has no exit signal.
        return Err(Errno::EINVAL.into());
    }
    // copy_process: the user's task count (every thread of the guest, the new one included)
    // may not exceed RLIMIT_NPROC (the guest is uid 1000 without CAP_SYS_RESOURCE or
    // CAP_SYS_ADMIN, so no exemption), nor the machine's thread count max_threads.
    let threads = p.sched.thread_count() as u64;
    let nproc = p.rlimits[crate::abi::resource::RLIMIT_NPROC]
        .0
        .min(i64::MAX as u64);
    if threads + 1 > nproc || threads >= crate::kernel::syscalls::MAX_THREADS {
        return Err(Errno::EAGAIN.into());
    }
    let tid = p.sched.alloc_tid();
    if flags & PARENT_SETTID != 0 {
        p.mem.write_bytes(parent_tid, &(tid as u32).to_le_bytes())?;
    }
    if flags & CHILD_SETTID != 0 {
        p.mem.write_bytes(child_tid, &(tid as u32).to_le_bytes())?;
    }
    let mut cpu = p.cpu.clone();
    cpu.set_reg(A0, 0);
    cpu.reservation = None;
    if newsp != 0 {
        cpu.set_reg(SP, newsp);
    }
    if flags & SETTLS != 0 {
        cpu.set_reg(TP, tls);
    }
    let mut ctx = ThreadCtx::new(tid, p.thread.attrs.for_child(), p.thread.affinity);
    ctx.sigmask = p.thread.sigmask;
    // A new thread sharing the address space starts without an alternate signal stack.
    ctx.altstack = AltStack::default();
    if flags & CHILD_CLEARTID != 0 {
        ctx.clear_child_tid = child_tid;
    }
    p.sched.park(Parked::new(cpu, ctx, None));
    p.vfs.proc_add_task(tid);
    Ok(tid)
}

fn sys_exit(p: &mut Process, a: &Args) -> SysResult {
    let status = (a.raw(0) & 0xff) as i32;
    if p.sched.thread_count() == 1 {
        // The last thread leaving ends the process.
        p.exit = Some(ExitReason::Exited(status));
        return Ok(0);
    }
    // CLONE_CHILD_CLEARTID: zero the tid word and wake one waiter (pthread_join relies on it).
    let ctid = p.thread.clear_child_tid;
    if ctid != 0 && p.mem.write_bytes(ctid, &0u32.to_le_bytes()).is_ok() {
        p.futex_wake(ctid, u32::MAX, 1);
    }
    p.exit_current_thread();
    Err(SysError::Switched)
}

fn sys_set_tid_address(p: &mut Process, a: &Args) -> SysResult {
    p.thread.clear_child_tid = a.ptr(0);
    Ok(p.tid())
}

fn sys_set_robust_list(p: &mut Process, a: &Args) -> SysResult {
    if a.size(1) != ROBUST_LIST_HEAD_SIZE {
        return Err(Errno::EINVAL.into());
    }
    p.thread.robust_list = (a.ptr(0), a.size(1));
    Ok(0)
}

fn sys_get_robust_list(p: &mut Process, a: &Args) -> SysResult {
    let tid = a.raw(0);
    let (head, len) = if tid == 0 || tid == p.tid() {
        p.thread.robust_list
    } else {
        p.sched
            .get(tid)
            .map(|t| t.ctx.robust_list)
            .ok_or(Errno::ESRCH)?
    };
    p.mem.write_bytes(a.ptr(1), &head.to_le_bytes())?;
    p.mem.write_bytes(a.ptr(2), &len.to_le_bytes())?;
    Ok(0)
}

fn sys_gettid(p: &mut Process, _a: &Args) -> SysResult {
    Ok(p.tid())
}

fn sys_sched_yield(p: &mut Process, _a: &Args) -> SysResult {
    // The result is written before switching, into the yielding thread's registers.
    p.cpu.set_reg(A0, 0);
    p.yield_slice();
    Err(SysError::Switched)
}

fn sys_futex(p: &mut Process, a: &Args) -> SysResult {
    use futex_op::*;
    // `op` is an int: the upper half of the register is ignored.
    let (uaddr, op, val, timeout, uaddr2, val3) = (
        a.raw(0),
        a.uint(1),
        a.uint(2),
        a.raw(3),
        a.raw(4),
        a.uint(5),
    );
    let cmd = op & CMD_MASK;
    // Linux's do_futex: FUTEX_CLOCK_REALTIME only with the absolute-timeout waits, and any
    // command it does not know is ENOSYS, before the address is looked at.
    if op & CLOCK_REALTIME != 0 && !matches!(cmd, WAIT_BITSET | WAIT_REQUEUE_PI | LOCK_PI2) {
        return Err(Errno::ENOSYS.into());
    }
    match cmd {
        WAIT | WAKE | REQUEUE | CMP_REQUEUE | WAIT_BITSET | WAKE_BITSET => {}
        WAKE_OP | LOCK_PI | UNLOCK_PI | TRYLOCK_PI | WAIT_REQUEUE_PI | CMP_REQUEUE_PI
        | LOCK_PI2 => {
            return Err(SysError::Unsupported(format!(
                "futex operation {cmd} (op 0x{op:x})"
            )));
        }
        _ => return Err(Errno::ENOSYS.into()),
    }
    if uaddr % 4 != 0 {
        return Err(Errno::EINVAL.into());
    }
    match cmd {
        WAIT | WAIT_BITSET => {
            let bitset = if cmd == WAIT { u32::MAX } else { val3 };
            if bitset == 0 {
                return Err(Errno::EINVAL.into());
            }
            let deadline = if timeout == 0 {
                None
            } else {
                let ns = read_timespec(&p.mem, timeout)??;
                Some(if cmd == WAIT {
                    // FUTEX_WAIT's timeout is relative.
                    p.monotonic_ns() + ns
                } else if op & CLOCK_REALTIME != 0 {
                    // Absolute on CLOCK_REALTIME = epoch + monotonic.
                    ns.saturating_sub(p.clock.realtime_ns(0))
                } else {
                    ns
                })
            };
            if p.mem.read_u32(uaddr)? != val {
                return Err(Errno::EAGAIN.into());
            }
            let seq = p.sched.next_seq();
            p.block_current(Wait::Futex {
                uaddr,
                bitset,
                deadline,
                seq,
            });
            Err(SysError::Switched)
        }
        WAKE | WAKE_BITSET => {
            let bitset = if cmd == WAKE { u32::MAX } else { val3 };
            if bitset == 0 {
                return Err(Errno::EINVAL.into());
            }
            Ok(p.futex_wake(uaddr, bitset, val as u64))
        }
        REQUEUE | CMP_REQUEUE => {
            // val2 (the requeue limit) travels in the timeout argument.
            let (wake, requeue) = (val as i32, timeout as i32);
            if wake < 0 || requeue < 0 || uaddr2 % 4 != 0 {
                return Err(Errno::EINVAL.into());
            }
            if cmd == CMP_REQUEUE && p.mem.read_u32(uaddr)? != val3 {
                return Err(Errno::EAGAIN.into());
            }
            let woken = p.futex_wake(uaddr, u32::MAX, wake as u64);
            let moved = p.futex_requeue(uaddr, uaddr2, requeue as u64);
            Ok(woken + moved)
        }
        // Filtered above.
        _ => Err(Errno::ENOSYS.into()),
    }
}
