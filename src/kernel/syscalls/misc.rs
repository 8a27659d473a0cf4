//! Randomness, scheduling and CPU-description syscalls.

use super::{Args, Errno, SysResult, Syscall, fail, handle, partial};
use crate::abi::Writer;
use crate::abi::hwprobe::*;
use crate::abi::random::*;
use crate::kernel::process::Process;
use crate::kernel::uaccess::Store;

/// Rows of the dispatch table for this family.
pub const TABLE: &[Syscall] = &[
    handle(278, "getrandom", "xux", sys_getrandom),
    partial(
        258,
        "riscv_hwprobe",
        "xuuxx",
        sys_riscv_hwprobe,
        "reports the implemented extensions; RISCV_HWPROBE_WHICH_CPUS stops the run",
    ),
    handle(259, "riscv_flush_icache", "xxx", sys_riscv_flush_icache),
    partial(
        283,
        "membarrier",
        "dxd",
        sys_membarrier,
        "one CPU: every barrier command is trivially complete",
    ),
    fail(
        293,
        "rseq",
        "xuxx",
        Errno::ENOSYS,
        "restartable sequences are not provided; libc carries on without them",
    ),
];

/// SYS_RISCV_FLUSH_ICACHE_LOCAL: the only flag riscv_flush_icache accepts.
const FLUSH_ICACHE_LOCAL: u64 = 1;

/// Linux (arch/riscv/kernel/sys_riscv.c) refuses unknown flags with EINVAL, checks nothing
/// about the range and flushes the whole address space's instruction cache. rvrun drops the
/// decoded code of the pages in `[start, end)` (rvrun has one hart per address space, so the
/// LOCAL flag changes nothing); stores already invalidate what they overwrite, so this also
/// covers code changed by other means.
fn sys_riscv_flush_icache(p: &mut Process, a: &Args) -> SysResult {
    let (start, end, flags) = (a.raw(0), a.raw(1), a.raw(2));
    if flags & !FLUSH_ICACHE_LOCAL != 0 {
        return Err(Errno::EINVAL.into());
    }
    p.cache.invalidate_range(start, end);
    Ok(0)
}

fn sys_getrandom(p: &mut Process, a: &Args) -> SysResult {
    let (buf, len, flags) = (a.ptr(0), a.size(1).min(i32::MAX as u64) as usize, a.raw(2));
    if flags & !(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE) != 0
        || flags & (GRND_RANDOM | GRND_INSECURE) == GRND_RANDOM | GRND_INSECURE
    {
        return Err(Errno::EINVAL.into());
    }
    // Check the buffer before drawing, so a fault does not consume the stream.
    if !crate::mem::GuestMemory::access_ok(buf, len as u64) {
        return Err(Errno::EFAULT.into());
    }
    p.mem.check_range(
        buf,
        len as u64,
        crate::mem::perm::W,
        crate::mem::Access::Write,
    )?;
    let mut bytes = vec![0; len];
    p.rng.fill(&mut bytes);
    p.mem.write_bytes(buf, &bytes)?;
    Ok(len as u64)
}

/// RISCV_HWPROBE_BASE_BEHAVIOR_IMA.
const BASE_IMA: u64 = 1;
/// What the CPU implements beyond IMA, exactly: RISCV_HWPROBE_IMA_FD (1 << 0), IMA_C (1 << 1),
/// EXT_ZBA (1 << 3), EXT_ZBB (1 << 4), EXT_ZBS (1 << 5), EXT_ZICOND (1 << 35) and
/// EXT_ZIHINTPAUSE (1 << 36; `pause` is a fence hint, executed as a no-op).
const IMA_EXT_0: u64 = 1 | 1 << 1 | 1 << 3 | 1 << 4 | 1 << 5 | 1 << 35 | 1 << 36;
/// Misaligned scalar accesses run at full speed (RISCV_HWPROBE_MISALIGNED_SCALAR_FAST).
const MISALIGNED_FAST: u64 = 3;
/// Vector misaligned performance: unsupported (no V extension).
const MISALIGNED_VECTOR_UNSUPPORTED: u64 = 4;
/// RISCV_HWPROBE_WHICH_CPUS.
const WHICH_CPUS: u64 = 1;

fn sys_riscv_hwprobe(p: &mut Process, a: &Args) -> SysResult {
    let (pairs, count, cpusetsize, cpus, flags) =
        (a.ptr(0), a.size(1), a.size(2), a.ptr(3), a.raw(4));
    if flags & !WHICH_CPUS != 0 {
        return Err(Errno::EINVAL.into());
    }
    if flags & WHICH_CPUS != 0 {
        return Err(super::SysError::Unsupported(
            "riscv_hwprobe with RISCV_HWPROBE_WHICH_CPUS".into(),
        ));
    }
    // A CPU set that names no CPU of ours is an error; an empty one means all CPUs.
    if cpusetsize != 0 && cpus != 0 {
        let set = p.mem.read_vec(cpus, cpusetsize.min(1024) as usize)?;
        if set.iter().all(|&b| b == 0) {
            // An all-zero set means "all online CPUs" for this call.
        } else if set[0] & 1 == 0 {
            return Err(Errno::EINVAL.into());
        }
    }
    for i in 0..count {
        let at = pairs.wrapping_add(i * 16);
        let k = p.mem.read_u64(at)? as i64;
        let v = match k {
            key::MVENDORID | key::MARCHID | key::MIMPID => Some(0),
            key::BASE_BEHAVIOR => Some(BASE_IMA),
            key::IMA_EXT_0 => Some(IMA_EXT_0),
            key::CPUPERF_0 | key::MISALIGNED_SCALAR_PERF => Some(MISALIGNED_FAST),
            key::MISALIGNED_VECTOR_PERF => Some(MISALIGNED_VECTOR_UNSUPPORTED),
            key::ZICBOZ_BLOCK_SIZE
            | key::ZICBOM_BLOCK_SIZE
            | key::ZICBOP_BLOCK_SIZE
            | key::IMA_EXT_1 => Some(0),
            key::HIGHEST_VIRT_ADDRESS => Some(crate::mem::GUEST_SPACE - 1),
            key::TIME_CSR_FREQ => Some(p.clock_hz()),
            _ => None,
        };
        let mut w = Writer::new();
        match v {
            Some(v) => w.i64(k).u64(v),
            None => w.i64(-1).u64(0),
        };
        w.store(&mut p.mem, at)?;
    }
    Ok(0)
}

fn sys_membarrier(p: &mut Process, a: &Args) -> SysResult {
    use crate::abi::membarrier::*;
    let (cmd, flags) = (a.raw(0), a.raw(1));
    if flags != 0 {
        return Err(Errno::EINVAL.into());
    }
    match cmd {
        QUERY => Ok(SUPPORTED),
        GLOBAL | REGISTER_GLOBAL_EXPEDITED => Ok(0),
        REGISTER_PRIVATE_EXPEDITED | REGISTER_PRIVATE_EXPEDITED_SYNC_CORE => {
            p.membarrier_registered |= cmd;
            Ok(0)
        }
        GLOBAL_EXPEDITED => Ok(0),
        PRIVATE_EXPEDITED | PRIVATE_EXPEDITED_SYNC_CORE => {
            // Linux refuses expedited barriers the process did not register for.
            if p.membarrier_registered & (cmd << 1) == 0 {
                Err(Errno::EPERM.into())
            } else {
                Ok(0)
            }
        }
        _ => Err(Errno::EINVAL.into()),
    }
}
