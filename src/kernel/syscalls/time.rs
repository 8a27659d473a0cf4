//! Time syscalls. Every clock is virtual: derived from the retired-instruction count and the
//! `--epoch`; sleeping advances virtual time and never waits on the host.

use super::{Args, Errno, SysError, SysResult, Syscall, fail, handle};
use crate::abi::time::timespec;
use crate::abi::time::*;
use crate::cpu::regs::A0;
use crate::kernel::process::Process;
use crate::kernel::sched::Wait;
use crate::kernel::timers::{ITIMER_PROF, ITimer};
use crate::kernel::uaccess::Store;
use crate::kernel::uaccess::read_timespec;

/// Rows of the dispatch table for this family.
pub const TABLE: &[Syscall] = &[
    handle(113, "clock_gettime", "dx", sys_clock_gettime),
    handle(114, "clock_getres", "dx", sys_clock_getres),
    handle(169, "gettimeofday", "xx", sys_gettimeofday),
    handle(101, "nanosleep", "xx", sys_nanosleep),
    handle(115, "clock_nanosleep", "ddxx", sys_clock_nanosleep),
    handle(102, "getitimer", "dx", sys_getitimer),
    handle(103, "setitimer", "dxx", sys_setitimer),
    fail(107, "timer_create", "dxx", Errno::ENOSYS, TIMER_NOTE),
    fail(108, "timer_gettime", "dx", Errno::ENOSYS, TIMER_NOTE),
    fail(109, "timer_getoverrun", "d", Errno::ENOSYS, TIMER_NOTE),
    fail(110, "timer_settime", "ddxx", Errno::ENOSYS, TIMER_NOTE),
    fail(111, "timer_delete", "d", Errno::ENOSYS, TIMER_NOTE),
];

const TIMER_NOTE: &str = "POSIX per-process timers are not emulated; setitimer covers SIGALRM, SIGVTALRM and \
                          SIGPROF timers (Go's runtime only creates these timers for CPU profiling)";

/// Which time line a clock id follows.
enum ClockKind {
    /// Wall-clock time since the Unix epoch.
    Realtime,
    /// Time since boot (includes sleeps).
    Monotonic,
    /// CPU time of the process or thread (instructions only, no sleeps).
    Cpu,
}

fn clock_kind(id: i32) -> Result<ClockKind, Errno> {
    match id {
        0 | 5 | 8 | 11 => Ok(ClockKind::Realtime), // REALTIME, _COARSE, _ALARM, TAI
        1 | 4 | 6 | 7 | 9 => Ok(ClockKind::Monotonic), // MONOTONIC, _RAW, _COARSE, BOOTTIME, _ALARM
        2 | 3 => Ok(ClockKind::Cpu),               // PROCESS_CPUTIME_ID, THREAD_CPUTIME_ID
        // Dynamic CPU clocks of this process or thread: ~pid << 3 | type (2 = sched, 6 = thread).
        id if id < 0 => {
            let pid = !(id >> 3) as u64;
            if pid == 0 || pid == crate::kernel::process::GUEST_PID {
                Ok(ClockKind::Cpu)
            } else {
                Err(Errno::EINVAL)
            }
        }
        _ => Err(Errno::EINVAL),
    }
}

fn now_ns(p: &Process, kind: &ClockKind) -> u128 {
    let n = p.instret();
    match kind {
        ClockKind::Realtime => p.clock.realtime_ns(n),
        ClockKind::Monotonic => p.clock.monotonic_ns(n),
        ClockKind::Cpu => crate::clock::Clock::new(0, p.clock_hz()).monotonic_ns(n),
    }
}

fn sys_clock_gettime(p: &mut Process, a: &Args) -> SysResult {
    let kind = clock_kind(a.int(0))?;
    let t = now_ns(p, &kind);
    timespec(t).store(&mut p.mem, a.ptr(1))?;
    Ok(0)
}

fn sys_clock_getres(p: &mut Process, a: &Args) -> SysResult {
    clock_kind(a.int(0))?;
    if a.ptr(1) != 0 {
        timespec(p.clock.resolution_ns() as u128).store(&mut p.mem, a.ptr(1))?;
    }
    Ok(0)
}

fn sys_gettimeofday(p: &mut Process, a: &Args) -> SysResult {
    let t = p.clock.realtime_ns(p.instret());
    if a.ptr(0) != 0 {
        let mut w = crate::abi::Writer::new();
        w.i64((t / 1_000_000_000) as i64)
            .i64((t % 1_000_000_000 / 1000) as i64);
        w.store(&mut p.mem, a.ptr(0))?;
    }
    if a.ptr(1) != 0 {
        // struct timezone: UTC, no DST.
        p.mem.write_bytes(a.ptr(1), &[0; 8])?;
    }
    Ok(0)
}

/// Blocks the calling thread until the monotonic `deadline`; other threads run meanwhile, and
/// when none can, virtual time jumps to the deadline. The call returns 0, or EINTR when a
/// signal handler interrupts it, having written the time left to `rem` (a guest
/// `struct timespec *`, 0 for none).
fn sleep_until(p: &mut Process, deadline: u128, rem: u64) -> SysResult {
    if deadline <= p.monotonic_ns() {
        return Ok(0);
    }
    p.cpu.set_reg(A0, 0);
    p.block_current(Wait::Sleep { deadline, rem });
    Err(SysError::Switched)
}

fn sys_nanosleep(p: &mut Process, a: &Args) -> SysResult {
    let ns = read_timespec(&p.mem, a.ptr(0))??;
    let deadline = p.monotonic_ns() + ns;
    sleep_until(p, deadline, a.ptr(1))
}

fn sys_clock_nanosleep(p: &mut Process, a: &Args) -> SysResult {
    // clock_nanosleep returns the error number itself, not -1/errno, but the raw syscall
    // returns -errno like every other call.
    let kind = clock_kind(a.int(0))?;
    if matches!(kind, ClockKind::Cpu) && a.int(0) == 3 {
        return Err(Errno::EINVAL.into());
    }
    let ns = read_timespec(&p.mem, a.ptr(2))??;
    let (sleep, rem) = if a.raw(1) & TIMER_ABSTIME != 0 {
        (ns.saturating_sub(now_ns(p, &kind)), 0)
    } else {
        (ns, a.ptr(3))
    };
    let deadline = p.monotonic_ns() + sleep;
    sleep_until(p, deadline, rem)
}

/// Reads a `struct itimerval` (interval, then value; each a `struct timeval`) as
/// nanoseconds; EINVAL for a negative or out-of-range field.
fn read_itimerval(p: &Process, addr: u64) -> Result<(u128, u128), SysError> {
    let mut ns = [0u128; 2];
    for (i, v) in ns.iter_mut().enumerate() {
        let at = addr + 16 * i as u64;
        let sec = p.mem.read_u64(at)? as i64;
        let usec = p.mem.read_u64(at + 8)? as i64;
        if sec < 0 || !(0..1_000_000).contains(&usec) {
            return Err(Errno::EINVAL.into());
        }
        *v = sec as u128 * 1_000_000_000 + usec as u128 * 1000;
    }
    Ok((ns[0], ns[1]))
}

/// The `struct itimerval` of timer `which` now: its period and the time left (at least 1 µs
/// while armed, as Linux reports a timer that is due but has not fired yet).
fn itimerval(p: &Process, which: usize) -> Vec<u8> {
    let t = p.itimers[which];
    let left = t
        .deadline
        .map_or(0, |d| d.saturating_sub(p.itimer_now(which)).max(1000));
    let mut w = crate::abi::Writer::new();
    for ns in [t.interval, left] {
        w.i64((ns / 1_000_000_000) as i64)
            .i64((ns % 1_000_000_000 / 1000) as i64);
    }
    w.0
}

fn itimer_which(v: u64) -> Result<usize, SysError> {
    match v as i32 {
        w @ 0..=2 => Ok(w as usize),
        _ => Err(Errno::EINVAL.into()),
    }
}

fn sys_getitimer(p: &mut Process, a: &Args) -> SysResult {
    let which = itimer_which(a.raw(0))?;
    let v = itimerval(p, which);
    p.mem.write_bytes(a.ptr(1), &v)?;
    Ok(0)
}

fn sys_setitimer(p: &mut Process, a: &Args) -> SysResult {
    let which = itimer_which(a.raw(0))?;
    debug_assert!(which <= ITIMER_PROF);
    // A NULL new value disarms the timer, as Linux (with a warning) accepts.
    let (interval, value) = if a.ptr(1) == 0 {
        (0, 0)
    } else {
        read_itimerval(p, a.ptr(1))?
    };
    if a.ptr(2) != 0 {
        let old = itimerval(p, which);
        p.mem.write_bytes(a.ptr(2), &old)?;
    }
    p.itimers[which] = if value == 0 {
        ITimer::default()
    } else {
        ITimer {
            deadline: Some(p.itimer_now(which) + value),
            interval,
        }
    };
    Ok(0)
}
