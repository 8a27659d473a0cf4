//! Memory-management syscalls: brk, mmap, munmap, mremap, mprotect, madvise.

use super::{Args, Errno, SysError, SysResult, Syscall, handle, partial};
use crate::abi::fcntl::{F_SEAL_FUTURE_WRITE, F_SEAL_WRITE};
use crate::abi::mman::*;
use crate::abi::resource::RLIMIT_MEMLOCK;
use crate::kernel::process::Process;
use crate::loader::layout::{MMAP_BOTTOM, MMAP_TOP};
use crate::mem::{
    Contents, FileBacking, GUEST_SPACE, MapError, PAGE_SIZE, PopulateError, Region, RegionKind,
    SharedMap, lock, page_ceil, page_floor, perm,
};
use std::sync::Arc;

/// Rows of the dispatch table for this family.
pub const TABLE: &[Syscall] = &[
    handle(214, "brk", "x", sys_brk),
    partial(
        222,
        "mmap",
        "xuxxfx",
        sys_mmap,
        "anonymous and file mappings, private or shared; MAP_FIXED, MAP_FIXED_NOREPLACE, \
         MAP_LOCKED. A private file mapping is a snapshot of the file taken when mapped, filled \
         page by page as the guest touches it; a shared one is coherent with the file both ways \
         (stores through it write through, SIGBUS past the end). Executable shared mappings \
         stop the run",
    ),
    handle(215, "munmap", "xu", sys_munmap),
    partial(
        216,
        "mremap",
        "xuuxx",
        sys_mremap,
        "old_len 0 duplicates a shared mapping; MREMAP_DONTUNMAP is not supported (stops the \
         run)",
    ),
    partial(
        226,
        "mprotect",
        "xux",
        sys_mprotect,
        "PROT_EXEC on a shared mapping stops the run",
    ),
    partial(
        233,
        "madvise",
        "xud",
        sys_madvise,
        "the advice values Linux accepts; DONTNEED, DONTNEED_LOCKED, REMOVE and POPULATE_* act as \
         Linux's, the others are hints without effect; MADV_GUARD_* stop the run",
    ),
];

/// The flags MAP_SHARED_VALIDATE accepts (Linux's LEGACY_MAP_MASK plus the validated ones).
const MAP_KNOWN: u64 = 0x1_ffff_ffff & !MAP_TYPE;
/// mmap: lock the pages (as mlock).
const MAP_LOCKED: u64 = 0x2000;

/// The soft RLIMIT_MEMLOCK in pages.
pub(super) fn lock_limit_pages(p: &Process) -> u64 {
    p.rlimits[RLIMIT_MEMLOCK].0 / PAGE_SIZE
}

/// Linux's `mlock_future_ok`: a new locked mapping of `len` bytes fits under RLIMIT_MEMLOCK
/// with what is locked already (the guest has no CAP_IPC_LOCK).
fn lock_fits(p: &Process, len: u64) -> bool {
    (len / PAGE_SIZE).saturating_add(p.mem.locked_pages()) <= lock_limit_pages(p)
}

/// Locks the new mapping `[start, start+len)` with `flags` and faults it in unless on
/// fault (errors are ignored, as Linux's mm_populate after mmap does).
fn lock_new(p: &mut Process, start: u64, len: u64, flags: u8) {
    if flags & lock::LOCKED == 0 {
        return;
    }
    let _ = p.mem.set_lock(start, len, flags);
    if flags & lock::ONFAULT == 0 {
        let _ = p.mem.populate_range(start, start + len, true);
    }
}

/// Guest PROT_* bits to page permission bits (the values coincide).
fn prot_bits(prot: u64) -> u8 {
    (prot & (PROT_READ | PROT_WRITE | PROT_EXEC)) as u8
}

/// The errno for a mapping that could not be made.
fn map_errno(e: MapError) -> Errno {
    match e {
        MapError::NoMemory => Errno::ENOMEM,
        MapError::BadRange => Errno::EINVAL,
    }
}

fn sys_brk(p: &mut Process, a: &Args) -> SysResult {
    let want = a.raw(0);
    let cur = p.mm.brk;
    if want < p.mm.brk_start {
        return Ok(cur);
    }
    let (old_end, new_end) = (page_ceil(cur), page_ceil(want));
    if new_end > old_end {
        // Linux refuses (returns the old break) when the heap would run into another mapping
        // or the commitment would pass the cap.
        if new_end > GUEST_SPACE || !p.mem.is_free(old_end, new_end - old_end) {
            return Ok(cur);
        }
        if p.mem
            .map_fixed(
                old_end,
                new_end - old_end,
                perm::R | perm::W,
                RegionKind::Heap,
            )
            .is_err()
        {
            return Ok(cur);
        }
    } else if new_end < old_end {
        p.mem.unmap(new_end, old_end - new_end).map_err(map_errno)?;
    }
    p.mm.brk = want;
    Ok(want)
}

/// Picks where a new mapping of `len` bytes goes: the hint when it is free, otherwise the
/// highest free gap below [`MMAP_TOP`].
fn place(p: &Process, hint: u64, len: u64) -> Result<u64, Errno> {
    let hint = page_floor(hint);
    if hint >= PAGE_SIZE && p.mem.is_free(hint, len) {
        return Ok(hint);
    }
    p.mem
        .find_free_top_down(len, MMAP_BOTTOM, MMAP_TOP)
        .ok_or(Errno::ENOMEM)
}

fn sys_mmap(p: &mut Process, a: &Args) -> SysResult {
    let (addr, len, prot, flags, fd, off) =
        (a.ptr(0), a.size(1), a.raw(2), a.raw(3), a.int(4), a.raw(5));
    let map_type = flags & MAP_TYPE;
    if len == 0 || off % PAGE_SIZE != 0 {
        return Err(Errno::EINVAL.into());
    }
    if !matches!(map_type, MAP_SHARED | MAP_PRIVATE | MAP_SHARED_VALIDATE) {
        return Err(Errno::EINVAL.into());
    }
    if map_type == MAP_SHARED_VALIDATE && flags & !MAP_KNOWN != 0 {
        return Err(Errno::EOPNOTSUPP.into());
    }
    let len = page_ceil(len);
    if len == 0 || len > GUEST_SPACE {
        return Err(Errno::ENOMEM.into());
    }
    let anonymous = flags & MAP_ANONYMOUS != 0;
    let shared = map_type != MAP_PRIVATE;
    // Linux: the file offset in pages plus the length in pages must not overflow.
    if !anonymous && (off / PAGE_SIZE).checked_add(len / PAGE_SIZE).is_none() {
        return Err(Errno::EOVERFLOW.into());
    }
    let source = if anonymous {
        None
    } else {
        Some(p.vfs.mmap_source(fd)?)
    };
    let contents = source.as_ref().and_then(|s| s.contents.clone());
    // do_mmap's file checks, in Linux's order.
    let mut may_write = true;
    if let Some(src) = &source {
        if shared && contents.is_some() {
            if prot & PROT_WRITE != 0 && !src.writable {
                return Err(Errno::EACCES.into());
            }
            may_write = src.writable;
        }
        if !src.readable {
            return Err(Errno::EACCES.into());
        }
        if shared && src.seals & (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE) != 0 {
            if prot & PROT_WRITE != 0 {
                return Err(Errno::EPERM.into());
            }
            may_write = false;
        }
    }
    if shared && prot & PROT_EXEC != 0 {
        return Err(SysError::Unsupported(format!(
            "mmap with MAP_SHARED and PROT_EXEC (fd {fd}): executing from a shared mapping is \
             not supported"
        )));
    }
    let start = if flags & (MAP_FIXED | MAP_FIXED_NOREPLACE) != 0 {
        if addr % PAGE_SIZE != 0 {
            return Err(Errno::EINVAL.into());
        }
        if addr.checked_add(len).is_none_or(|e| e > GUEST_SPACE) || addr < PAGE_SIZE {
            return Err(Errno::ENOMEM.into());
        }
        if flags & MAP_FIXED == 0 && !p.mem.is_free(addr, len) {
            return Err(Errno::EEXIST.into());
        }
        addr
    } else {
        place(p, addr, len)?
    };
    let mut lock_flags = p.mem.future_lock();
    if flags & MAP_LOCKED != 0 {
        if lock_limit_pages(p) == 0 {
            return Err(Errno::EPERM.into());
        }
        lock_flags |= lock::LOCKED;
    }
    if lock_flags & lock::LOCKED != 0 && !lock_fits(p, len) {
        return Err(Errno::EAGAIN.into());
    }
    let bits = prot_bits(prot);
    let name = source.as_ref().map(|s| s.name.clone());
    match (contents, shared) {
        (Some(contents), true) => {
            let map = SharedMap {
                contents,
                page_offset: off / PAGE_SIZE,
                may_write,
                anonymous: false,
                seen: 0,
            };
            let kind = RegionKind::File(name.unwrap_or_default());
            p.mem
                .map_shared(start, len, bits, kind, map)
                .map_err(map_errno)?;
            if may_write {
                p.vfs.mark_modified(fd)?;
            }
        }
        (Some(contents), false) => {
            let backing = FileBacking {
                pages: contents.lock().snapshot(),
                page_offset: off / PAGE_SIZE,
            };
            let kind = RegionKind::File(name.unwrap_or_default());
            p.mem
                .map_file(start, len, bits, kind, backing)
                .map_err(map_errno)?;
        }
        (None, true) => {
            // Shared anonymous memory (or /dev/zero): one object of `len` bytes, whose
            // size a later mremap does not change.
            let map = SharedMap {
                contents: Arc::new(Contents::zeroed(len)),
                page_offset: 0,
                may_write: true,
                anonymous: true,
                seen: 0,
            };
            let kind = RegionKind::File("/dev/zero (deleted)".into());
            p.mem
                .map_shared(start, len, bits, kind, map)
                .map_err(map_errno)?;
        }
        (None, false) => {
            let kind = name.map_or(RegionKind::Anon, RegionKind::File);
            p.mem.map_fixed(start, len, bits, kind).map_err(map_errno)?;
        }
    }
    lock_new(p, start, len, lock_flags);
    Ok(start)
}

fn check_range(addr: u64, len: u64) -> Result<u64, Errno> {
    if !addr.is_multiple_of(PAGE_SIZE) {
        return Err(Errno::EINVAL);
    }
    let len = page_ceil(len);
    match addr.checked_add(len) {
        Some(e) if e <= GUEST_SPACE => Ok(len),
        _ => Err(Errno::EINVAL),
    }
}

fn sys_munmap(p: &mut Process, a: &Args) -> SysResult {
    let len = check_range(a.ptr(0), a.size(1))?;
    if a.size(1) == 0 {
        return Err(Errno::EINVAL.into());
    }
    p.mem.unmap(a.ptr(0), len).map_err(map_errno)?;
    Ok(0)
}

fn sys_mprotect(p: &mut Process, a: &Args) -> SysResult {
    let (addr, prot) = (a.ptr(0), a.raw(2));
    if prot & !(PROT_READ | PROT_WRITE | PROT_EXEC | PROT_GROWSDOWN | PROT_GROWSUP) != 0 {
        return Err(Errno::EINVAL.into());
    }
    // Linux (do_mprotect_pkey): EINVAL for an unaligned start, 0 for length 0, ENOMEM when
    // the aligned range wraps or is not all mapped.
    if !addr.is_multiple_of(PAGE_SIZE) {
        return Err(Errno::EINVAL.into());
    }
    if a.size(1) == 0 {
        return Ok(0);
    }
    let len = page_ceil(a.size(1));
    if len == 0 || !p.mem.is_mapped(addr, len) {
        return Err(Errno::ENOMEM.into());
    }
    // A shared mapping of a file not open for writing (or write-sealed) cannot become
    // writable (VM_MAYWRITE is clear).
    let shared: Vec<bool> = p
        .mem
        .regions_within(addr, addr + len)
        .filter_map(|r| r.shared.as_ref().map(|m| m.may_write))
        .collect();
    if prot & PROT_WRITE != 0 && shared.iter().any(|&w| !w) {
        return Err(Errno::EACCES.into());
    }
    if prot & PROT_EXEC != 0 && !shared.is_empty() {
        return Err(SysError::Unsupported(format!(
            "mprotect with PROT_EXEC of a shared mapping at 0x{addr:x}: executing from a \
             shared mapping is not supported"
        )));
    }
    p.mem
        .protect(addr, len, prot_bits(prot))
        .map_err(map_errno)?;
    Ok(0)
}

/// Maps `[at, at+len)` like `like` continues: same kind and permissions, and for a file
/// mapping the file pages that follow (`file_offset` is the offset of `at` in the file).
fn map_like(p: &mut Process, like: &Region, at: u64, len: u64) -> Result<(), Errno> {
    if like.lock & lock::LOCKED != 0 && !lock_fits(p, len) {
        return Err(Errno::EAGAIN);
    }
    match (&like.backing, &like.shared) {
        (_, Some(m)) => {
            let map = SharedMap {
                page_offset: m.page_offset + (at - like.start) / PAGE_SIZE,
                ..m.clone()
            };
            p.mem.map_shared(at, len, like.prot, like.kind.clone(), map)
        }
        (Some(b), None) => {
            let backing = FileBacking {
                pages: b.pages.clone(),
                page_offset: b.page_offset + (at - like.start) / PAGE_SIZE,
            };
            p.mem
                .map_file(at, len, like.prot, like.kind.clone(), backing)
        }
        (None, None) => p.mem.map_fixed(at, len, like.prot, like.kind.clone()),
    }
    .map_err(map_errno)?;
    lock_new(p, at, len, like.lock);
    Ok(())
}

fn sys_mremap(p: &mut Process, a: &Args) -> SysResult {
    let (old, old_len, new_len, flags, new_addr) = (
        a.ptr(0),
        page_ceil(a.size(1)),
        page_ceil(a.size(2)),
        a.raw(3),
        a.ptr(4),
    );
    if flags & !(MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP) != 0 || old % PAGE_SIZE != 0 {
        return Err(Errno::EINVAL.into());
    }
    if flags & MREMAP_FIXED != 0 && flags & MREMAP_MAYMOVE == 0 {
        return Err(Errno::EINVAL.into());
    }
    if flags & MREMAP_DONTUNMAP != 0 {
        return Err(SysError::Unsupported(
            "mremap with MREMAP_DONTUNMAP is not supported".into(),
        ));
    }
    if new_len == 0 {
        return Err(Errno::EINVAL.into());
    }
    // Linux: EFAULT when nothing is mapped at the old address.
    let region = p.mem.region_at(old).cloned().ok_or(Errno::EFAULT)?;
    // The mapping from `old` on, as a template for map_like.
    let skip = (old - region.start) / PAGE_SIZE;
    let here = Region {
        start: old,
        backing: region.backing.clone().map(|b| FileBacking {
            page_offset: b.page_offset + skip,
            ..b
        }),
        shared: region.shared.clone().map(|m| SharedMap {
            page_offset: m.page_offset + skip,
            ..m
        }),
        ..region
    };
    if old_len == 0 {
        // A second mapping of the same shared pages; private mappings have nothing to
        // share (EINVAL).
        if here.shared.is_none() {
            return Err(Errno::EINVAL.into());
        }
        if flags & MREMAP_MAYMOVE == 0 {
            return Err(Errno::ENOMEM.into());
        }
        let dest = if flags & MREMAP_FIXED != 0 {
            if new_addr % PAGE_SIZE != 0
                || new_addr
                    .checked_add(new_len)
                    .is_none_or(|e| e > GUEST_SPACE)
            {
                return Err(Errno::EINVAL.into());
            }
            new_addr
        } else {
            p.mem
                .find_free_top_down(new_len, MMAP_BOTTOM, MMAP_TOP)
                .ok_or(Errno::ENOMEM)?
        };
        let like = Region {
            start: dest,
            ..here
        };
        map_like(p, &like, dest, new_len)?;
        return Ok(dest);
    }
    if flags & MREMAP_FIXED == 0 && new_len <= old_len {
        // Shrinking always works: it unmaps the tail.
        if new_len < old_len {
            p.mem
                .unmap(old + new_len, old_len - new_len)
                .map_err(map_errno)?;
        }
        return Ok(old);
    }
    if !p.mem.is_mapped(old, old_len) {
        return Err(Errno::EFAULT.into());
    }
    if flags & MREMAP_FIXED == 0 {
        // Grow in place when the pages after it are free.
        let grow = new_len - old_len;
        if old + new_len <= GUEST_SPACE && p.mem.is_free(old + old_len, grow) {
            map_like(p, &here, old + old_len, grow)?;
            return Ok(old);
        }
        if flags & MREMAP_MAYMOVE == 0 {
            return Err(Errno::ENOMEM.into());
        }
    }
    let dest = if flags & MREMAP_FIXED != 0 {
        if new_addr % PAGE_SIZE != 0
            || new_addr
                .checked_add(new_len)
                .is_none_or(|e| e > GUEST_SPACE)
        {
            return Err(Errno::EINVAL.into());
        }
        if new_addr < old + old_len && old < new_addr + new_len {
            return Err(Errno::EINVAL.into());
        }
        new_addr
    } else {
        p.mem
            .find_free_top_down(new_len, MMAP_BOTTOM, MMAP_TOP)
            .ok_or(Errno::ENOMEM)?
    };
    let kept = old_len.min(new_len);
    if new_len > kept {
        // Charge the growth first: a refusal must leave the old mapping untouched.
        let tail_like = Region {
            start: dest,
            ..here.clone()
        };
        map_like(p, &tail_like, dest + kept, new_len - kept)?;
    }
    if old_len > kept {
        p.mem.unmap(old + kept, old_len - kept).map_err(map_errno)?;
    }
    p.mem.move_mapping(old, dest, kept).map_err(map_errno)?;
    Ok(dest)
}

/// True for the advice values Linux's `madvise_behavior_valid` accepts (with KSM, THP and
/// memory-failure injection configured, as distribution kernels are).
fn advice_valid(advice: u64) -> bool {
    matches!(
        advice,
        MADV_NORMAL..=MADV_DONTNEED | MADV_FREE..=MADV_COLLAPSE | MADV_HWPOISON..=MADV_GUARD_REMOVE
    )
}

fn sys_madvise(p: &mut Process, a: &Args) -> SysResult {
    let (addr, advice) = (a.ptr(0), a.raw(2));
    if !advice_valid(advice) {
        return Err(Errno::EINVAL.into());
    }
    let len = check_range(addr, a.size(1))?;
    if a.size(1) != 0 && len == 0 {
        return Err(Errno::EINVAL.into());
    }
    if len == 0 {
        return Ok(0);
    }
    if matches!(advice, MADV_HWPOISON | MADV_SOFT_OFFLINE) {
        // Memory-failure injection needs CAP_SYS_ADMIN.
        return Err(Errno::EPERM.into());
    }
    if matches!(advice, MADV_GUARD_INSTALL | MADV_GUARD_REMOVE) {
        return Err(SysError::Unsupported(
            "madvise MADV_GUARD_INSTALL/MADV_GUARD_REMOVE (guard regions) is not supported".into(),
        ));
    }
    let end = addr + len;
    // Per mapping, in order; a gap is ENOMEM after the mapped parts were advised.
    let regions: Vec<Region> = p.mem.regions_within(addr, end).cloned().collect();
    let covered = p.mem.is_mapped(addr, len);
    for r in &regions {
        let (s, e) = (r.start.max(addr), r.end.min(end));
        let anonymous = r.backing.is_none() && r.shared.is_none();
        let locked = r.lock & lock::LOCKED != 0;
        match advice {
            MADV_DONTNEED | MADV_DONTNEED_LOCKED => {
                if advice == MADV_DONTNEED && locked {
                    return Err(Errno::EINVAL.into());
                }
                p.mem.discard(s, e - s).map_err(map_errno)?;
            }
            MADV_FREE | MADV_WIPEONFORK if !anonymous => return Err(Errno::EINVAL.into()),
            MADV_REMOVE => {
                if locked {
                    return Err(Errno::EINVAL.into());
                }
                match &r.shared {
                    None => return Err(Errno::EINVAL.into()),
                    Some(m) if !m.may_write => return Err(Errno::EACCES.into()),
                    Some(_) => {
                        p.mem.remove_shared(s, e - s).map_err(map_errno)?;
                    }
                }
            }
            MADV_POPULATE_READ | MADV_POPULATE_WRITE => {
                if advice == MADV_POPULATE_WRITE && r.prot & perm::W == 0 {
                    return Err(Errno::EFAULT.into());
                }
                match p.mem.populate_range(s, e, false) {
                    Ok(()) => {}
                    Err(PopulateError::Fault) => return Err(Errno::EFAULT.into()),
                    Err(PopulateError::Unmapped) => return Err(Errno::ENOMEM.into()),
                }
            }
            // Hints: no effect on what the guest can observe.
            _ => {}
        }
    }
    if !covered {
        return Err(Errno::ENOMEM.into());
    }
    Ok(0)
}
