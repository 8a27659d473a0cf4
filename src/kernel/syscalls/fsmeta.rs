//! File metadata syscalls: timestamps, ownership, mode with flags, and node creation.

use super::{Args, Errno, SysError, SysResult, Syscall, handle, partial};
use crate::kernel::process::Process;
use crate::vfs::meta::{MknodError, TimeSet, Timespec, UTIME_OMIT};

/// Rows of the dispatch table for this family.
pub const TABLE: &[Syscall] = &[
    handle(88, "utimensat", "fsxx", sys_utimensat),
    handle(54, "fchownat", "fsddx", sys_fchownat),
    handle(55, "fchown", "fdd", sys_fchown),
    handle(452, "fchmodat2", "fsxx", sys_fchmodat2),
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
