//! The CPUs the guest sees (`--cpus N`): affinity masks and the CPU a thread runs on.
//!
//! The machine has N harts, all online; one guest thread still runs at a time, in the same
//! deterministic order whatever N is. Each thread has an affinity mask (inherited from its
//! creator, all N CPUs at start) and is said to run on the lowest CPU of its mask.

use super::{Args, Errno, SysResult, Syscall, handle};
use crate::kernel::process::Process;

/// Rows of the dispatch table for this family.
pub const TABLE: &[Syscall] = &[
    handle(122, "sched_setaffinity", "dux", sys_sched_setaffinity),
    handle(123, "sched_getaffinity", "dux", sys_sched_getaffinity),
    handle(168, "getcpu", "xxx", sys_getcpu),
];

/// Most CPUs `--cpus` may ask for (Linux's `NR_CPUS` for the kernel rvrun reports).
pub const MAX_CPUS: u32 = 1024;
/// Words of a CPU mask.
pub const MASK_WORDS: usize = MAX_CPUS as usize / 64;

/// A CPU affinity mask, bit `c` for CPU `c`.
pub type CpuMask = [u64; MASK_WORDS];

/// The mask holding CPUs `0..cpus`.
pub fn all_cpus(cpus: u32) -> CpuMask {
    let mut m = [0u64; MASK_WORDS];
    for c in 0..cpus.min(MAX_CPUS) {
        m[c as usize / 64] |= 1 << (c % 64);
    }
    m
}

/// Bytes of the kernel's cpumask (`cpumask_size()`): whole longs covering the CPUs.
fn cpumask_size(cpus: u32) -> u32 {
    cpus.div_ceil(64) * 8
}

/// The affinity mask of thread `pid` (0: the caller); ESRCH for a thread that does not exist.
fn mask_of(p: &mut Process, pid: i32) -> Result<&mut CpuMask, Errno> {
    let tid = pid as i64 as u64;
    if pid == 0 || tid == p.thread.tid {
        return Ok(&mut p.thread.affinity);
    }
    if pid < 0 {
        return Err(Errno::ESRCH);
    }
    p.sched
        .get_mut(tid)
        .map(|(_, ctx)| &mut ctx.affinity)
        .ok_or(Errno::ESRCH)
}

/// sched_getaffinity (kernel/sched/core.c): EINVAL when `len` bits cannot hold every CPU
/// or `len` is not a whole number of longs (both checked on the 32-bit `len`), ESRCH, then
/// the mask; returns the bytes written (`min(len, cpumask_size())`).
fn sys_sched_getaffinity(p: &mut Process, a: &Args) -> SysResult {
    let (pid, len, ptr) = (a.int(0), a.uint(1), a.ptr(2));
    let cpus = p.cpus;
    if len.wrapping_mul(8) < cpus || len & 7 != 0 {
        return Err(Errno::EINVAL.into());
    }
    let all = all_cpus(cpus);
    let mask = *mask_of(p, pid)?;
    let n = len.min(cpumask_size(cpus)) as usize;
    let bytes: Vec<u8> = mask
        .iter()
        .zip(all.iter())
        .flat_map(|(m, a)| (m & a).to_le_bytes())
        .take(n)
        .collect();
    p.mem.write_bytes(ptr, &bytes)?;
    Ok(n as u64)
}

/// sched_setaffinity: the mask is read first (`get_user_cpu_mask`: at most
/// `cpumask_size()` bytes, fewer leave the rest clear), then the thread is found (ESRCH);
/// CPUs that do not exist are dropped and an empty result is EINVAL.
fn sys_sched_setaffinity(p: &mut Process, a: &Args) -> SysResult {
    let (pid, len, ptr) = (a.int(0), a.uint(1), a.ptr(2));
    let cpus = p.cpus;
    let n = len.min(cpumask_size(cpus)) as usize;
    let mut raw = vec![0u8; n];
    p.mem.read_bytes(ptr, &mut raw)?;
    let mut want = [0u64; MASK_WORDS];
    for (i, b) in raw.iter().enumerate() {
        want[i / 8] |= (*b as u64) << ((i % 8) * 8);
    }
    let all = all_cpus(cpus);
    for (w, a) in want.iter_mut().zip(all.iter()) {
        *w &= a;
    }
    let mask = mask_of(p, pid)?;
    if want.iter().all(|&w| w == 0) {
        return Err(Errno::EINVAL.into());
    }
    *mask = want;
    Ok(0)
}

/// getcpu: the lowest CPU of the caller's mask, node 0; either pointer may be NULL.
fn sys_getcpu(p: &mut Process, a: &Args) -> SysResult {
    let (cpup, nodep) = (a.ptr(0), a.ptr(1));
    let cpu = p
        .thread
        .affinity
        .iter()
        .enumerate()
        .find(|(_, w)| **w != 0)
        .map_or(0, |(i, w)| i as u32 * 64 + w.trailing_zeros());
    let mut fault = false;
    if cpup != 0 {
        fault |= p.mem.write_bytes(cpup, &cpu.to_le_bytes()).is_err();
    }
    if nodep != 0 {
        fault |= p.mem.write_bytes(nodep, &0u32.to_le_bytes()).is_err();
    }
    if fault {
        return Err(Errno::EFAULT.into());
    }
    Ok(0)
}
