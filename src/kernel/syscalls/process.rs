//! Process identity and lifetime: exit, ids, uname, resource limits, tid address and the
//! robust futex list.

use super::{Args, Errno, SysResult, Syscall, fail, handle, partial};
use crate::abi::Writer;
use crate::abi::resource::*;
use crate::abi::wait::*;
use crate::kernel::process::{ExitReason, GUEST_PID, GUEST_PPID, GUEST_UID, Process};
use crate::kernel::uaccess::Store;
use crate::vfs::fd::NR_OPEN;

/// Rows of the dispatch table for this family.
pub const TABLE: &[Syscall] = &[
    handle(94, "exit_group", "d", sys_exit_group),
    handle(172, "getpid", "", sys_getpid),
    handle(173, "getppid", "", sys_getppid),
    handle(174, "getuid", "", sys_getid),
    handle(175, "geteuid", "", sys_getid),
    handle(176, "getgid", "", sys_getid),
    handle(177, "getegid", "", sys_getid),
    handle(160, "uname", "x", sys_uname),
    handle(163, "getrlimit", "dx", sys_getrlimit),
    handle(164, "setrlimit", "dx", sys_setrlimit),
    handle(261, "prlimit64", "ddxx", sys_prlimit64),
    handle(179, "sysinfo", "x", sys_sysinfo),
    handle(158, "getgroups", "dx", sys_getgroups),
    handle(159, "setgroups", "dx", sys_setgroups),
    handle(155, "getpgid", "d", sys_getpgid),
    handle(156, "getsid", "d", sys_getpgid),
    handle(90, "capget", "xx", sys_capget),
    partial(
        260,
        "wait4",
        "dxdx",
        sys_wait4,
        "the guest never has child processes: ECHILD",
    ),
    fail(
        435,
        "clone3",
        "xu",
        Errno::ENOSYS,
        "libc falls back to clone, which carries the same information",
    ),
];

fn sys_exit_group(p: &mut Process, a: &Args) -> SysResult {
    p.exit = Some(ExitReason::Exited((a.raw(0) & 0xff) as i32));
    Ok(0)
}

fn sys_getpid(_p: &mut Process, _a: &Args) -> SysResult {
    Ok(GUEST_PID)
}

fn sys_getppid(_p: &mut Process, _a: &Args) -> SysResult {
    Ok(GUEST_PPID)
}

fn sys_getid(_p: &mut Process, _a: &Args) -> SysResult {
    Ok(GUEST_UID)
}

/// The guest's supplementary groups: its own group.
const GROUPS: [u32; 1] = [GUEST_UID as u32];

/// getgroups: EINVAL for a negative size or one too small for the list; size 0 asks for
/// the count.
fn sys_getgroups(p: &mut Process, a: &Args) -> SysResult {
    let (size, list) = (a.int(0), a.ptr(1));
    if size < 0 {
        return Err(Errno::EINVAL.into());
    }
    if size > 0 {
        if (size as usize) < GROUPS.len() {
            return Err(Errno::EINVAL.into());
        }
        let bytes: Vec<u8> = GROUPS.iter().flat_map(|g| g.to_le_bytes()).collect();
        p.mem.write_bytes(list, &bytes)?;
    }
    Ok(GROUPS.len() as u64)
}

/// setgroups needs CAP_SETGID, which the guest lacks (`may_setgroups` is checked first).
fn sys_setgroups(_p: &mut Process, _a: &Args) -> SysResult {
    Err(Errno::EPERM.into())
}

/// getpgid and getsid: the process is its own group and session (pid 1000), for itself and
/// any of its threads; ESRCH for any other pid.
fn sys_getpgid(p: &mut Process, a: &Args) -> SysResult {
    let pid = a.int(0);
    if pid == 0 || (pid > 0 && p.has_thread(pid as u64)) {
        Ok(GUEST_PID)
    } else {
        Err(Errno::ESRCH.into())
    }
}

/// capget (kernel/capability.c): the header's version is checked first (an unknown one is
/// replaced by the kernel's, `_LINUX_CAPABILITY_VERSION_3`, and gives EINVAL, or 0 with a
/// NULL data pointer), then the pid (ESRCH unless the caller's process); the guest holds no
/// capabilities, so every set is empty.
fn sys_capget(p: &mut Process, a: &Args) -> SysResult {
    const V1: u32 = 0x1998_0330;
    const V2: u32 = 0x2007_1026;
    const V3: u32 = 0x2008_0522;
    let (header, data) = (a.ptr(0), a.ptr(1));
    let version = p.mem.read_u32(header)?;
    let words = match version {
        V1 => 1,
        V2 | V3 => 2,
        _ => {
            p.mem.write_bytes(header, &V3.to_le_bytes())?;
            return if data == 0 {
                Ok(0)
            } else {
                Err(Errno::EINVAL.into())
            };
        }
    };
    if data == 0 {
        return Ok(0);
    }
    let pid = p.mem.read_u32(header + 4)? as i32;
    if pid < 0 {
        return Err(Errno::EINVAL.into());
    }
    if pid != 0 && !p.has_thread(pid as u64) {
        return Err(Errno::ESRCH.into());
    }
    // struct __user_cap_data_struct: effective, permitted, inheritable (u32 each).
    p.mem.write_bytes(data, &vec![0u8; 12 * words])?;
    Ok(0)
}

pub use crate::abi::utsname::UTSNAME;

fn sys_uname(p: &mut Process, a: &Args) -> SysResult {
    let mut w = Writer::new();
    for field in UTSNAME {
        w.bytes(field.as_bytes()).zeros(65 - field.len());
    }
    w.store(&mut p.mem, a.ptr(0))?;
    Ok(0)
}

/// Linux's `THREAD_SIZE` on riscv64 (16 KiB kernel stacks).
const THREAD_SIZE: u64 = 16 << 10;
/// Linux's `max_threads` for the machine the guest is told about ([`TOTAL_RAM`]): kernel
/// stacks may take at most an eighth of memory (`set_max_threads`). No clone succeeds once
/// this many threads exist, whatever the limits.
pub const MAX_THREADS: u64 = TOTAL_RAM / (THREAD_SIZE * 8);

/// Default limits, as a typical Linux login gives them (soft, hard). RLIMIT_NPROC is what
/// Linux gives its first process on a machine of [`TOTAL_RAM`] (`max_threads / 2`).
pub const DEFAULT_RLIMITS: [(u64, u64); RLIM_NLIMITS] = [
    (INFINITY, INFINITY),               // CPU
    (INFINITY, INFINITY),               // FSIZE
    (INFINITY, INFINITY),               // DATA
    (8 << 20, INFINITY),                // STACK
    (0, INFINITY),                      // CORE
    (INFINITY, INFINITY),               // RSS
    (MAX_THREADS / 2, MAX_THREADS / 2), // NPROC
    (1024, 4096),                       // NOFILE
    (8 << 20, 8 << 20),                 // MEMLOCK
    (INFINITY, INFINITY),               // AS
    (INFINITY, INFINITY),               // LOCKS
    (4096, 4096),                       // SIGPENDING
    (819200, 819200),                   // MSGQUEUE
    (0, 0),                             // NICE
    (0, 0),                             // RTPRIO
    (INFINITY, INFINITY),               // RTTIME
];

fn read_rlimit(p: &Process, addr: u64) -> Result<(u64, u64), crate::mem::MemFault> {
    Ok((p.mem.read_u64(addr)?, p.mem.read_u64(addr + 8)?))
}

fn write_rlimit(
    p: &mut Process,
    addr: u64,
    (cur, max): (u64, u64),
) -> Result<(), crate::mem::MemFault> {
    let mut w = Writer::new();
    w.u64(cur).u64(max);
    w.store(&mut p.mem, addr)
}

fn resource(r: u64) -> Result<usize, Errno> {
    if (r as usize) < RLIM_NLIMITS {
        Ok(r as usize)
    } else {
        Err(Errno::EINVAL)
    }
}

/// Linux's `do_prlimit` for a new limit: EINVAL when soft exceeds hard, EPERM for a NOFILE
/// hard limit above `nr_open`, EPERM for raising a hard limit (the guest is uid 1000 without
/// CAP_SYS_RESOURCE). A new soft NOFILE applies to fds allocated from now on.
fn set_limit(p: &mut Process, r: usize, (cur, max): (u64, u64)) -> Result<(), Errno> {
    let (_, old_max) = p.rlimits[r];
    if cur > max {
        return Err(Errno::EINVAL);
    }
    if r == RLIMIT_NOFILE && max > NR_OPEN as u64 {
        return Err(Errno::EPERM);
    }
    if max > old_max {
        return Err(Errno::EPERM);
    }
    p.rlimits[r] = (cur, max);
    if r == RLIMIT_NOFILE {
        p.vfs.set_fd_limit(cur);
    }
    Ok(())
}

fn sys_getrlimit(p: &mut Process, a: &Args) -> SysResult {
    let r = resource(a.raw(0))?;
    write_rlimit(p, a.ptr(1), p.rlimits[r])?;
    Ok(0)
}

fn sys_setrlimit(p: &mut Process, a: &Args) -> SysResult {
    let r = resource(a.raw(0))?;
    let new = read_rlimit(p, a.ptr(1))?;
    set_limit(p, r, new)?;
    Ok(0)
}

/// `prlimit64`, with Linux's order of checks: the new limit is read (EFAULT), then the
/// pid looked up (ESRCH; any thread of the process), then the resource checked (EINVAL).
fn sys_prlimit64(p: &mut Process, a: &Args) -> SysResult {
    let (pid, new, old) = (a.int(0), a.ptr(2), a.ptr(3));
    let new = if new != 0 {
        Some(read_rlimit(p, new)?)
    } else {
        None
    };
    if pid < 0 || pid != 0 && !p.has_thread(pid as u64) {
        return Err(Errno::ESRCH.into());
    }
    let r = resource(a.raw(1))?;
    let prev = p.rlimits[r];
    if let Some(new) = new {
        set_limit(p, r, new)?;
    }
    if old != 0 {
        write_rlimit(p, old, prev)?;
    }
    Ok(0)
}

/// The machine size the guest is told about (sysinfo): fixed, so programs that size caches
/// from it behave the same everywhere.
const TOTAL_RAM: u64 = 16 << 30;

/// The machine's memory and the part of it free, as sysinfo and `/proc/meminfo` report them.
pub fn memory_totals(_p: &Process) -> (u64, u64) {
    (TOTAL_RAM, FREE_RAM)
}
/// Free memory reported by sysinfo.
const FREE_RAM: u64 = 15 << 30;

fn sys_sysinfo(p: &mut Process, a: &Args) -> SysResult {
    let uptime = (p.clock.monotonic_ns(p.instret()) / 1_000_000_000) as i64;
    let mut w = Writer::new();
    w.i64(uptime).zeros(24); // uptime, loads[3]
    w.u64(TOTAL_RAM).u64(FREE_RAM).u64(0).u64(0); // totalram, freeram, sharedram, bufferram
    w.u64(0).u64(0); // totalswap, freeswap
    w.u16(1).u16(0).u32(0); // procs, pad (+ alignment)
    w.u64(0).u64(0).u32(1).u32(0); // totalhigh, freehigh, mem_unit, tail padding
    w.store(&mut p.mem, a.ptr(0))?;
    Ok(0)
}

fn sys_wait4(_p: &mut Process, a: &Args) -> SysResult {
    if a.raw(2) & !(WNOHANG | WUNTRACED | WCONTINUED | WALL_FLAGS) != 0 {
        return Err(Errno::EINVAL.into());
    }
    Err(Errno::ECHILD.into())
}
