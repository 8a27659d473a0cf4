//! Shared memory objects and page residency: memfd_create, msync, mincore, and the mlock
//! family under RLIMIT_MEMLOCK, with Linux's checks (mm/memfd.c, mm/msync.c, mm/mincore.c,
//! mm/mlock.c). The guest is uid 1000 without CAP_IPC_LOCK.

use super::mm::lock_limit_pages;
use super::{Args, Errno, SysResult, Syscall, handle, partial};
use crate::abi::fcntl::{F_SEAL_EXEC, F_SEAL_SEAL};
use crate::abi::limits::UIO_MAXIOV;
use crate::abi::mman::*;
use crate::kernel::process::Process;
use crate::kernel::uaccess::read_iovecs;
use crate::mem::{Contents, GUEST_SPACE, GuestMemory, PAGE_SIZE, PopulateError, lock, page_floor};
use std::sync::Arc;

/// Rows of the dispatch table for this family.
pub const TABLE: &[Syscall] = &[
    partial(
        279,
        "memfd_create",
        "sx",
        sys_memfd_create,
        "MFD_HUGETLB answers EINVAL (no huge pages); the sysctl vm.memfd_noexec is 0",
    ),
    partial(
        227,
        "msync",
        "xux",
        sys_msync,
        "shared mappings are always in sync with their files: only the checks act",
    ),
    handle(232, "mincore", "xux", sys_mincore),
    handle(228, "mlock", "xu", sys_mlock),
    handle(284, "mlock2", "xux", sys_mlock2),
    handle(229, "munlock", "xu", sys_munlock),
    handle(230, "mlockall", "x", sys_mlockall),
    handle(231, "munlockall", "", sys_munlockall),
    partial(
        270,
        "process_vm_readv",
        "dxuxux",
        sys_process_vm_readv,
        "the guest's own process (its pid or a thread id); any other pid is ESRCH",
    ),
    partial(
        271,
        "process_vm_writev",
        "dxuxux",
        sys_process_vm_writev,
        "the guest's own process (its pid or a thread id); any other pid is ESRCH",
    ),
];

impl GuestMemory {
    /// True when a shared mapping of `contents` may write (Linux's `i_mmap_writable`):
    /// `F_SEAL_WRITE` cannot be added then.
    pub fn has_writable_shared_map(&self, contents: &Option<Arc<Contents>>) -> bool {
        let Some(c) = contents else {
            return false;
        };
        self.shared_regions().any(|r| {
            r.shared
                .as_ref()
                .is_some_and(|m| m.may_write && Arc::ptr_eq(&m.contents, c))
        })
    }
}

fn sys_memfd_create(p: &mut Process, a: &Args) -> SysResult {
    let (name, flags) = (a.ptr(0), a.raw(1) as u32 as u64);
    let known = MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_HUGETLB | MFD_NOEXEC_SEAL | MFD_EXEC;
    let allowed = if flags & MFD_HUGETLB != 0 {
        known | MFD_HUGE_BITS
    } else {
        known
    };
    if flags & !allowed != 0 {
        return Err(Errno::EINVAL.into());
    }
    if flags & MFD_EXEC != 0 && flags & MFD_NOEXEC_SEAL != 0 {
        return Err(Errno::EINVAL.into());
    }
    // strnlen_user(name, MFD_NAME_MAX_LEN + 1): EFAULT unreadable, EINVAL too long.
    let name = p
        .mem
        .read_cstr(name, MFD_NAME_MAX_LEN + 1)
        .map_err(|_| Errno::EFAULT)?
        .ok_or(Errno::EINVAL)?;
    if flags & MFD_HUGETLB != 0 {
        // hugetlb_file_setup without huge pages reserved.
        return Err(Errno::EINVAL.into());
    }
    let (seals, perm) = if flags & MFD_NOEXEC_SEAL != 0 {
        (F_SEAL_EXEC, 0o666)
    } else if flags & MFD_ALLOW_SEALING != 0 {
        (0, 0o777)
    } else {
        (F_SEAL_SEAL, 0o777)
    };
    let fd = p
        .vfs
        .memfd_create(&name, seals, perm, flags & MFD_CLOEXEC != 0)?;
    Ok(fd as u64)
}

fn sys_msync(p: &mut Process, a: &Args) -> SysResult {
    let (start, len, flags) = (a.ptr(0), a.size(1), a.raw(2));
    if flags & !(MS_ASYNC | MS_INVALIDATE | MS_SYNC) != 0 || start % PAGE_SIZE != 0 {
        return Err(Errno::EINVAL.into());
    }
    if flags & MS_ASYNC != 0 && flags & MS_SYNC != 0 {
        return Err(Errno::EINVAL.into());
    }
    // len rounds up to pages, wrapping as Linux's does; an end below the start is ENOMEM.
    let len = len.wrapping_add(PAGE_SIZE - 1) & !(PAGE_SIZE - 1);
    let end = start.wrapping_add(len);
    if end < start {
        return Err(Errno::ENOMEM.into());
    }
    if end == start {
        return Ok(0);
    }
    // Walk the mappings: a gap is ENOMEM (at once for MS_SYNC alone, else at the end), a
    // locked mapping with MS_INVALIDATE EBUSY.
    let mut at = start;
    let mut unmapped = false;
    for r in p.mem.regions_within(start, end.min(GUEST_SPACE)) {
        if at < r.start {
            if flags == MS_SYNC {
                return Err(Errno::ENOMEM.into());
            }
            unmapped = true;
        }
        if flags & MS_INVALIDATE != 0 && r.lock & lock::LOCKED != 0 {
            return Err(Errno::EBUSY.into());
        }
        at = r.end;
        if at >= end {
            break;
        }
    }
    if at < end || unmapped {
        return Err(Errno::ENOMEM.into());
    }
    Ok(0)
}

/// Pages mincore answers per step (Linux: one page of vector at a time).
const MINCORE_STEP: u64 = PAGE_SIZE;

fn sys_mincore(p: &mut Process, a: &Args) -> SysResult {
    let (start, len, vec) = (a.ptr(0), a.size(1), a.ptr(2));
    if start % PAGE_SIZE != 0 {
        return Err(Errno::EINVAL.into());
    }
    if !GuestMemory::access_ok(start, len) {
        return Err(Errno::ENOMEM.into());
    }
    let mut pages = len / PAGE_SIZE + (len % PAGE_SIZE != 0) as u64;
    if !GuestMemory::access_ok(vec, pages) {
        return Err(Errno::EFAULT.into());
    }
    let (mut at, mut out) = (start, vec);
    while pages > 0 {
        let v = p
            .mem
            .residency(at, pages.min(MINCORE_STEP))
            .ok_or(Errno::ENOMEM)?;
        p.mem.write_bytes(out, &v).map_err(|_| Errno::EFAULT)?;
        let n = v.len() as u64;
        pages -= n;
        out += n;
        at += n * PAGE_SIZE;
    }
    Ok(0)
}

/// Linux's `do_mlock`: EPERM when RLIMIT_MEMLOCK is 0; ENOMEM when the pages to lock (those
/// not locked yet) and those locked would pass it, or part of the range is not mapped;
/// then the pages are faulted in (ENOMEM when one cannot be: a PROT_NONE mapping).
fn do_mlock(p: &mut Process, start: u64, len: u64, flags: u8) -> SysResult {
    let limit = lock_limit_pages(p);
    if limit == 0 {
        return Err(Errno::EPERM.into());
    }
    let len = len
        .wrapping_add(start % PAGE_SIZE)
        .wrapping_add(PAGE_SIZE - 1)
        & !(PAGE_SIZE - 1);
    let start = page_floor(start);
    let end = start.wrapping_add(len);
    let mut locked = (len / PAGE_SIZE).saturating_add(p.mem.locked_pages());
    if locked > limit && end >= start {
        locked -= p.mem.locked_pages_in(start, end.min(GUEST_SPACE));
    }
    if locked > limit {
        return Err(Errno::ENOMEM.into());
    }
    apply_lock(p, start, len, flags)?;
    match p.mem.populate_range(start, start + len, true) {
        Ok(()) => Ok(0),
        // __mlock_posix_error_return: EFAULT becomes ENOMEM.
        Err(PopulateError::Fault | PopulateError::Unmapped) => Err(Errno::ENOMEM.into()),
    }
}

/// Linux's `apply_vma_lock_flags` on `[start, start+len)` (page aligned): EINVAL when it
/// wraps, 0 when empty, ENOMEM when not all mapped (the mappings before the gap changed).
fn apply_lock(p: &mut Process, start: u64, len: u64, flags: u8) -> Result<(), Errno> {
    let end = start.wrapping_add(len);
    if end < start {
        return Err(Errno::EINVAL);
    }
    if end == start {
        return Ok(());
    }
    if end > GUEST_SPACE && p.mem.region_at(start).is_none() {
        return Err(Errno::ENOMEM);
    }
    let clipped = end.min(GUEST_SPACE);
    p.mem
        .set_lock(start, clipped - start, flags)
        .map_err(|_| Errno::ENOMEM)?;
    if clipped < end {
        return Err(Errno::ENOMEM);
    }
    Ok(())
}

fn sys_mlock(p: &mut Process, a: &Args) -> SysResult {
    do_mlock(p, a.ptr(0), a.size(1), lock::LOCKED)
}

fn sys_mlock2(p: &mut Process, a: &Args) -> SysResult {
    let flags = a.raw(2) as u32 as u64;
    if flags & !MLOCK_ONFAULT != 0 {
        return Err(Errno::EINVAL.into());
    }
    let lock_flags = if flags & MLOCK_ONFAULT != 0 {
        lock::LOCKED | lock::ONFAULT
    } else {
        lock::LOCKED
    };
    do_mlock(p, a.ptr(0), a.size(1), lock_flags)
}

fn sys_munlock(p: &mut Process, a: &Args) -> SysResult {
    let (start, len) = (a.ptr(0), a.size(1));
    let len = len
        .wrapping_add(start % PAGE_SIZE)
        .wrapping_add(PAGE_SIZE - 1)
        & !(PAGE_SIZE - 1);
    apply_lock(p, page_floor(start), len, 0)?;
    Ok(0)
}

fn sys_mlockall(p: &mut Process, a: &Args) -> SysResult {
    let flags = a.raw(0) as u32 as u64;
    if flags == 0 || flags & !(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT) != 0 || flags == MCL_ONFAULT
    {
        return Err(Errno::EINVAL.into());
    }
    let limit = lock_limit_pages(p);
    if limit == 0 {
        return Err(Errno::EPERM.into());
    }
    if flags & MCL_CURRENT != 0 && p.mem.total_pages() > limit {
        return Err(Errno::ENOMEM.into());
    }
    let onfault = if flags & MCL_ONFAULT != 0 {
        lock::ONFAULT
    } else {
        0
    };
    // apply_mlockall_flags: MCL_FUTURE sets (or clears) what new mappings get.
    let future = if flags & MCL_FUTURE != 0 {
        lock::LOCKED | onfault
    } else {
        0
    };
    p.mem.set_future_lock(future);
    if flags & MCL_CURRENT != 0 {
        p.mem.set_lock_all(lock::LOCKED | onfault);
        p.mem.populate_range_all();
    }
    Ok(0)
}

fn sys_munlockall(p: &mut Process, _a: &Args) -> SysResult {
    p.mem.set_future_lock(0);
    p.mem.set_lock_all(0);
    Ok(0)
}

fn sys_process_vm_readv(p: &mut Process, a: &Args) -> SysResult {
    process_vm_rw(p, a, false)
}

fn sys_process_vm_writev(p: &mut Process, a: &Args) -> SysResult {
    process_vm_rw(p, a, true)
}

/// Linux's `process_vm_rw` on the guest's own address space: the local iovecs are checked
/// as readv's (EINVAL, EFAULT), the remote ones only for count and sign; then the bytes
/// move remote iovec by remote iovec, page piece by page piece, until the local iovecs are
/// full. A remote piece without the access (read, or write for writev) or a local one
/// that faults ends the copy: the bytes copied so far, or EFAULT when there are none.
fn process_vm_rw(p: &mut Process, a: &Args, write: bool) -> SysResult {
    let (pid, lvec, lcount, rvec, rcount, flags) =
        (a.int(0), a.ptr(1), a.size(2), a.ptr(3), a.size(4), a.raw(5));
    if flags != 0 {
        return Err(Errno::EINVAL.into());
    }
    let local = read_iovecs(&p.mem, lvec, lcount, 0, Errno::EINVAL)?;
    if local.iter().all(|v| v.1 == 0) {
        return Ok(0);
    }
    if rcount > UIO_MAXIOV {
        return Err(Errno::EINVAL.into());
    }
    let raw = p.mem.read_vec(rvec, rcount as usize * 16)?;
    let mut remote = Vec::with_capacity(rcount as usize);
    for c in raw.chunks_exact(16) {
        let base = u64::from_le_bytes(c[..8].try_into().expect("8 bytes"));
        let len = u64::from_le_bytes(c[8..].try_into().expect("8 bytes"));
        if (len as i64) < 0 {
            return Err(Errno::EINVAL.into());
        }
        remote.push((base, len));
    }
    if remote.iter().all(|v| v.1 == 0) {
        return Ok(0);
    }
    if pid <= 0 || !p.has_thread(pid as u64) {
        return Err(Errno::ESRCH.into());
    }
    let (mut li, mut loff) = (0usize, 0usize);
    let mut copied = 0u64;
    let mut failed = false;
    'remote: for &(rbase, rlen) in &remote {
        let mut roff = 0u64;
        while roff < rlen {
            while li < local.len() && loff == local[li].1 {
                li += 1;
                loff = 0;
            }
            if li == local.len() {
                break 'remote;
            }
            let (ra, la) = (rbase.wrapping_add(roff), local[li].0 + loff as u64);
            let n = (rlen - roff)
                .min(PAGE_SIZE - ra % PAGE_SIZE)
                .min(PAGE_SIZE - la % PAGE_SIZE)
                .min((local[li].1 - loff) as u64) as usize;
            let (from, to) = if write { (la, ra) } else { (ra, la) };
            let moved = match p.mem.read_vec(from, n) {
                Ok(bytes) => p.mem.write_bytes(to, &bytes).is_ok(),
                Err(_) => false,
            };
            if !moved {
                failed = true;
                break 'remote;
            }
            copied += n as u64;
            roff += n as u64;
            loff += n;
        }
    }
    if copied == 0 && failed {
        return Err(Errno::EFAULT.into());
    }
    Ok(copied)
}
