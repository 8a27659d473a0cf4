//! File metadata syscalls: timestamps, ownership, mode with flags, node creation, file
//! system statistics, and mounting (which the unprivileged guest may not do).

use super::{Args, Errno, SysError, SysResult, Syscall, handle, partial};
use crate::abi::statfs::statfs;
use crate::kernel::process::Process;
use crate::kernel::uaccess::Store;
use crate::vfs::meta::{MknodError, TimeSet, Timespec, UTIME_OMIT};
use crate::vfs::path::LastLink;

/// Rows of the dispatch table for this family.
pub const TABLE: &[Syscall] = &[
    handle(88, "utimensat", "fsxx", sys_utimensat),
    handle(54, "fchownat", "fsddx", sys_fchownat),
    handle(55, "fchown", "fdd", sys_fchown),
    handle(452, "fchmodat2", "fsxx", sys_fchmodat2),
    partial(
        40,
        "mount",
        "sssxx",
        sys_mount,
        "the guest is unprivileged: EPERM after Linux's earlier checks",
    ),
    partial(
        39,
        "umount2",
        "sx",
        sys_umount2,
        "the guest is unprivileged: EPERM after Linux's earlier checks",
    ),
    handle(43, "statfs", "sx", sys_statfs),
    handle(44, "fstatfs", "fx", sys_fstatfs),
    partial(
        33,
        "mknodat",
        "fsxx",
        sys_mknodat,
        "FIFOs and regular files; devices EPERM (no CAP_MKNOD); socket nodes and whiteouts \
         stop the run",
    ),
];

/// The current wall-clock time as a file timestamp.
fn now(p: &Process) -> Timespec {
    let ns = p.clock.realtime_ns(p.instret());
    ((ns / 1_000_000_000) as i64, (ns % 1_000_000_000) as u32)
}

/// AT_FDCWD.
const AT_FDCWD: i32 = -100;

fn sys_utimensat(p: &mut Process, a: &Args) -> SysResult {
    let (dirfd, path, times, flags) = (a.fd(0), a.ptr(1), a.ptr(2), a.uint(3));
    let times = if times == 0 {
        None
    } else {
        let mut raw = [0u8; 32];
        p.mem.read_bytes(times, &mut raw)?;
        let word =
            |i: usize| i64::from_le_bytes(raw[i * 8..i * 8 + 8].try_into().expect("8 bytes"));
        // Nothing to do, not even the path is looked at.
        if word(1) == UTIME_OMIT && word(3) == UTIME_OMIT {
            return Ok(0);
        }
        Some((word(0), word(1), word(2), word(3)))
    };
    let path = if path == 0 {
        if dirfd == AT_FDCWD {
            // do_utimes_path with a NULL name: the name cannot be read.
            return Err(Errno::EFAULT.into());
        }
        None
    } else {
        Some(super::fs::read_path(&p.mem, path)?)
    };
    let ino = p.vfs.utimes_target(dirfd, path.as_deref(), flags)?;
    let times = match times {
        None => None,
        Some((s0, n0, s1, n1)) => {
            let set = [TimeSet::decode(s0, n0)?, TimeSet::decode(s1, n1)?];
            (set != [TimeSet::Now, TimeSet::Now]).then_some(set)
        }
    };
    let now = now(p);
    p.vfs.set_times(ino, times, now)?;
    p.vfs.note_change();
    Ok(0)
}

fn sys_fchownat(p: &mut Process, a: &Args) -> SysResult {
    let (dirfd, path, uid, gid, flags) = (a.fd(0), a.ptr(1), a.uint(2), a.uint(3), a.uint(4));
    let path = super::fs::read_at_path(&p.mem, path, flags)?;
    let ino = p.vfs.attr_target(dirfd, &path, flags)?;
    let now = now(p);
    p.vfs.chown(ino, uid, gid, now)?;
    Ok(0)
}

fn sys_fchown(p: &mut Process, a: &Args) -> SysResult {
    let ino = p.vfs.io_inode(a.fd(0))?;
    let now = now(p);
    p.vfs.chown(ino, a.uint(1), a.uint(2), now)?;
    Ok(0)
}

fn sys_fchmodat2(p: &mut Process, a: &Args) -> SysResult {
    let (dirfd, path, mode, flags) = (a.fd(0), a.ptr(1), a.uint(2), a.uint(3));
    let path = super::fs::read_at_path(&p.mem, path, flags)?;
    let ino = p.vfs.attr_target(dirfd, &path, flags)?;
    p.vfs.chmod_inode(ino, mode)?;
    Ok(0)
}

fn sys_mknodat(p: &mut Process, a: &Args) -> SysResult {
    let (dirfd, path, mode, dev) = (a.fd(0), a.ptr(1), a.uint(2), a.uint(3));
    let path = super::fs::read_path(&p.mem, path)?;
    match p.vfs.mknod(dirfd, &path, mode, dev as u64) {
        Ok(()) => Ok(0),
        Err(MknodError::Errno(e)) => Err(e.into()),
        Err(MknodError::Unsupported(what)) => Err(SysError::Unsupported(format!(
            "mknodat of {what} is not implemented"
        ))),
    }
}

/// statfs (fs/statfs.c): the path is read and resolved first (EFAULT, ENOENT, ENOTDIR,
/// ELOOP...), then the answer copied out (EFAULT). See [`crate::vfs::statfs`].
/// `mount(2)`'s MS_NOUSER: refused before the permission check.
const MS_NOUSER: u64 = 1 << 31;
/// umount2 flags Linux knows: MNT_FORCE, MNT_DETACH, MNT_EXPIRE, UMOUNT_NOFOLLOW.
const UMOUNT_FLAGS: u32 = 0xf;
/// UMOUNT_NOFOLLOW.
const UMOUNT_NOFOLLOW: u32 = 8;

/// A string argument of mount(2) (`strndup_user(s, PATH_MAX)`): EFAULT when unreadable,
/// EINVAL when longer than PATH_MAX.
fn mount_string(p: &Process, addr: u64) -> Result<(), SysError> {
    if addr != 0
        && p.mem
            .read_cstr(addr, crate::abi::limits::PATH_MAX)?
            .is_none()
    {
        return Err(Errno::EINVAL.into());
    }
    Ok(())
}

/// mount: the guest is an unprivileged user (no CAP_SYS_ADMIN in its user namespace), so
/// after Linux's earlier checks (the strings and options are copied, the target is looked up,
/// MS_NOUSER is refused) the answer is EPERM, as `may_mount` gives it.
fn sys_mount(p: &mut Process, a: &Args) -> SysResult {
    let (source, target, fstype, flags, data) = (a.ptr(0), a.ptr(1), a.ptr(2), a.raw(3), a.ptr(4));
    mount_string(p, fstype)?;
    mount_string(p, source)?;
    if data != 0 {
        // copy_mount_options copies what it can of one page: only an unreadable start faults
        let mut first = [0u8; 1];
        p.mem.read_bytes(data, &mut first)?;
    }
    let target = super::fs::read_path(&p.mem, target)?;
    p.vfs
        .lookup_at(AT_FDCWD, &target, LastLink::Follow, false)?;
    if flags & MS_NOUSER != 0 {
        return Err(Errno::EINVAL.into());
    }
    Err(Errno::EPERM.into())
}

/// umount2: unknown flags EINVAL, then the lookup of the target, then EPERM (`can_umount`:
/// the guest may not unmount).
fn sys_umount2(p: &mut Process, a: &Args) -> SysResult {
    let (target, flags) = (a.ptr(0), a.uint(1));
    if flags & !UMOUNT_FLAGS != 0 {
        return Err(Errno::EINVAL.into());
    }
    let target = super::fs::read_path(&p.mem, target)?;
    let last = if flags & UMOUNT_NOFOLLOW != 0 {
        LastLink::NoFollow
    } else {
        LastLink::Follow
    };
    p.vfs.lookup_at(AT_FDCWD, &target, last, false)?;
    Err(Errno::EPERM.into())
}

fn sys_statfs(p: &mut Process, a: &Args) -> SysResult {
    let path = super::fs::read_path(&p.mem, a.ptr(0))?;
    let st = p.vfs.statfs_at(&path)?;
    statfs(&st).store(&mut p.mem, a.ptr(1))?;
    Ok(0)
}

/// fstatfs: EBADF for a closed fd (`O_PATH` fds are accepted), then the copy-out.
fn sys_fstatfs(p: &mut Process, a: &Args) -> SysResult {
    let st = p.vfs.fstatfs(a.fd(0))?;
    statfs(&st).store(&mut p.mem, a.ptr(1))?;
    Ok(0)
}
