//! Memory-management syscalls: brk, mmap, munmap, mremap, mprotect, madvise.

use super::{Args, Errno, SysError, SysResult, Syscall, handle, partial};
use crate::abi::mman::*;
use crate::kernel::process::Process;
use crate::loader::layout::{MMAP_BOTTOM, MMAP_TOP};
use crate::mem::{
    FileBacking, GUEST_SPACE, MapError, PAGE_SIZE, Region, RegionKind, page_ceil, page_floor, perm,
};

/// Rows of the dispatch table for this family.
pub const TABLE: &[Syscall] = &[
    handle(214, "brk", "x", sys_brk),
    partial(
        222,
        "mmap",
        "xuxxfx",
        sys_mmap,
        "anonymous (private or shared), MAP_FIXED, MAP_FIXED_NOREPLACE and private file mappings (a \
         snapshot of the file, filled page by page as the guest touches it); writable MAP_SHARED \
         file mappings stop the run",
    ),
    handle(215, "munmap", "xu", sys_munmap),
    partial(
        216,
        "mremap",
        "xuuxx",
        sys_mremap,
        "MREMAP_DONTUNMAP is not supported (stops the run)",
    ),
    handle(226, "mprotect", "xux", sys_mprotect),
    partial(
        233,
        "madvise",
        "xud",
        sys_madvise,
        "MADV_DONTNEED zeroes anonymous pages; other advice is accepted and has no effect",
    ),
];

/// The flags MAP_SHARED_VALIDATE accepts (Linux's LEGACY_MAP_MASK plus the validated ones).
const MAP_KNOWN: u64 = 0x1_ffff_ffff & !MAP_TYPE;

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
    let file = if anonymous {
        None
    } else {
        let source = p.vfs.mmap_source(fd, prot & PROT_WRITE != 0 && shared)?;
        if shared && prot & PROT_WRITE != 0 {
            return Err(SysError::Unsupported(format!(
                "mmap of fd {fd} with MAP_SHARED and PROT_WRITE (writes through to a file) is not supported"
            )));
        }
        Some(source)
    };
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
    let prot = prot_bits(prot);
    match file {
        Some((Some(pages), name)) => {
            let backing = FileBacking {
                pages,
                page_offset: off / PAGE_SIZE,
            };
            p.mem
                .map_file(start, len, prot, RegionKind::File(name), backing)
        }
        Some((None, name)) => p.mem.map_fixed(start, len, prot, RegionKind::File(name)),
        None => p.mem.map_fixed(start, len, prot, RegionKind::Anon),
    }
    .map_err(map_errno)?;
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
    p.mem
        .protect(addr, len, prot_bits(prot))
        .map_err(map_errno)?;
    Ok(0)
}

/// Maps `[at, at+len)` like `like` continues: same kind and permissions, and for a file
/// mapping the file pages that follow (`file_offset` is the offset of `at` in the file).
fn map_like(p: &mut Process, like: &Region, at: u64, len: u64) -> Result<(), Errno> {
    match &like.backing {
        Some(b) => {
            let backing = FileBacking {
                pages: b.pages.clone(),
                page_offset: b.page_offset + (at - like.start) / PAGE_SIZE,
            };
            p.mem
                .map_file(at, len, like.prot, like.kind.clone(), backing)
        }
        None => p.mem.map_fixed(at, len, like.prot, like.kind.clone()),
    }
    .map_err(map_errno)
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
    if new_len == 0 || old_len == 0 {
        // old_len 0 duplicates a shared mapping; rvrun's mappings are private: Linux says EINVAL.
        return Err(Errno::EINVAL.into());
    }
    // Linux: EFAULT when nothing is mapped at the old address.
    let region = p.mem.region_at(old).cloned().ok_or(Errno::EFAULT)?;
    // The mapping from `old` on, as a template for map_like.
    let here = Region {
        start: old,
        backing: region.backing.clone().map(|b| FileBacking {
            page_offset: b.page_offset + (old - region.start) / PAGE_SIZE,
            ..b
        }),
        ..region
    };
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
            backing: here.backing.clone(),
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

fn sys_madvise(p: &mut Process, a: &Args) -> SysResult {
    let (addr, advice) = (a.ptr(0), a.raw(2));
    let len = check_range(addr, a.size(1))?;
    if !matches!(advice, 0..=4 | 8..=25 | 100..=101) {
        return Err(Errno::EINVAL.into());
    }
    if len == 0 {
        return Ok(0);
    }
    if !p.mem.is_mapped(addr, len) {
        return Err(Errno::ENOMEM.into());
    }
    if advice == MADV_DONTNEED {
        p.mem.discard(addr, len).map_err(map_errno)?;
    }
    Ok(0)
}
