//! File syscalls: fds, paths, reading and writing, directories, pipes. The logic lives in
//! [`crate::vfs`]; these handlers decode arguments, move bytes between guest memory and the
//! VFS, and keep Linux's order of checks (for example EBADF before EFAULT).
//!
//! Guest buffers are checked whole before any transfer (EFAULT), as qemu-user does. Paths
//! longer than PATH_MAX (no NUL in 4096 bytes) are ENAMETOOLONG.

use super::{Args, Errno, SysError, SysResult, Syscall, handle, partial};
use crate::abi::fcntl::*;
use crate::abi::ioctl::*;
use crate::abi::limits::*;
use crate::abi::{Writer, stat as sabi};
use crate::kernel::process::Process;
use crate::kernel::sched::ThreadCtx;
use crate::kernel::signal::SIGPIPE;
use crate::kernel::uaccess::Store;
use crate::kernel::uaccess::{check_user_buf, read_iovecs};
use crate::mem::{GuestMemory, perm};
use crate::vfs::io::IoKind;
use crate::vfs::{FileKind, Vfs, VfsError};

/// Rows of the dispatch table for this family.
pub const TABLE: &[Syscall] = &[
    handle(17, "getcwd", "xu", sys_getcwd),
    handle(23, "dup", "f", sys_dup),
    handle(24, "dup3", "ffx", sys_dup3),
    partial(25, "fcntl", "fdx", sys_fcntl, FCNTL_NOTE),
    partial(29, "ioctl", "fxx", sys_ioctl, IOCTL_NOTE),
    handle(34, "mkdirat", "fsx", sys_mkdirat),
    handle(35, "unlinkat", "fsx", sys_unlinkat),
    handle(36, "symlinkat", "sfs", sys_symlinkat),
    partial(
        37,
        "linkat",
        "fsfsx",
        sys_linkat,
        "an unlinked or O_TMPFILE file cannot be linked again (ENOENT)",
    ),
    handle(45, "truncate", "sd", sys_truncate),
    handle(46, "ftruncate", "fd", sys_ftruncate),
    handle(48, "faccessat", "fsx", sys_faccessat),
    handle(49, "chdir", "s", sys_chdir),
    handle(50, "fchdir", "f", sys_fchdir),
    handle(52, "fchmod", "fx", sys_fchmod),
    handle(53, "fchmodat", "fsx", sys_fchmodat),
    handle(56, "openat", "fsxx", sys_openat),
    handle(57, "close", "f", sys_close),
    partial(
        59,
        "pipe2",
        "xx",
        sys_pipe2,
        "O_DIRECT (packet mode) answers EINVAL; pipes live in one process (no fork yet)",
    ),
    handle(61, "getdents64", "fxu", sys_getdents64),
    handle(62, "lseek", "fdu", sys_lseek),
    partial(63, "read", "fxu", sys_read, READ_NOTE),
    partial(64, "write", "fxu", sys_write, WRITE_NOTE),
    partial(65, "readv", "fxu", sys_readv, READ_NOTE),
    partial(66, "writev", "fxu", sys_writev, WRITE_NOTE),
    handle(67, "pread64", "fxud", sys_pread64),
    handle(68, "pwrite64", "fxud", sys_pwrite64),
    handle(69, "preadv", "fxud", sys_preadv),
    handle(70, "pwritev", "fxud", sys_pwritev),
    partial(71, "sendfile", "ffxu", sys_sendfile, SENDFILE_NOTE),
    handle(78, "readlinkat", "fsxu", sys_readlinkat),
    handle(79, "newfstatat", "fsxx", sys_newfstatat),
    handle(80, "fstat", "fx", sys_fstat),
    handle(82, "fsync", "f", sys_fsync),
    handle(83, "fdatasync", "f", sys_fsync),
    handle(166, "umask", "x", sys_umask),
    handle(223, "fadvise64", "fddd", sys_fadvise64),
    handle(276, "renameat2", "fsfsx", sys_renameat2),
    handle(285, "copy_file_range", "fxfxux", sys_copy_file_range),
    handle(291, "statx", "fsxxx", sys_statx),
    handle(436, "close_range", "uux", sys_close_range),
    handle(439, "faccessat2", "fsxx", sys_faccessat2),
];

const READ_NOTE: &str = "host stdin reads fill the buffer until end of input; a read that would block (empty \
                         pipe with a writer, zero eventfd) blocks the thread until another one changes that; a \
                         signal handler arriving meanwhile makes it fail with EINTR, or start again when the \
                         handler has SA_RESTART";
const WRITE_NOTE: &str = "EPIPE also sends SIGPIPE to the thread; a write that would block (full pipe with a reader) \
                          blocks the thread until another one makes room, then resumes where it stopped";
const SENDFILE_NOTE: &str = "EPIPE also sends SIGPIPE to the thread; a write into a full pipe blocks until there is \
                             room when nothing was written yet, and stops the run when it filled the pipe part way";
const FCNTL_NOTE: &str = "F_DUPFD, F_DUPFD_CLOEXEC, F_DUPFD_QUERY, F_GETFD, F_SETFD, F_GETFL, F_SETFL, \
                          F_GETPIPE_SZ, F_SETPIPE_SZ, F_ADD_SEALS, F_GET_SEALS (memfds; other files EINVAL, \
                          as on a disk filesystem); record locks (F_GETLK, F_SETLK, F_SETLKW, F_OFD_*) are \
                          validated and always granted (one process: no conflicts). Linux also has F_GETOWN, \
                          F_SETOWN(_EX), F_GETSIG, F_SETSIG, F_GETLEASE, F_SETLEASE, F_NOTIFY, \
                          F_*_RW_HINT: rvrun answers them EINVAL, like an unknown command";
const IOCTL_NOTE: &str = "every fd answers ENOTTY to TCGETS, TIOCGWINSZ and all terminal requests (the guest never \
                          has a terminal); FIOCLEX, FIONCLEX, FIONBIO and FIONREAD (pipes, regular files, sockets) work; \
                          any other request answers ENOTTY, which Linux gives for unknown requests but not for \
                          e.g. FIOASYNC, FIOQSIZE or FS_IOC_*";

/// Turns a VFS error into a syscall error: a transfer that must wait for another thread
/// blocks the caller (the call runs again when file state changes).
fn vfs_err(e: VfsError) -> SysError {
    match e {
        VfsError::Errno(e) => SysError::Errno(e),
        VfsError::WouldBlock(_) => SysError::WouldBlock { deadline: None },
    }
}

/// Writes `data` to `fd`, resuming after the bytes an earlier, blocked attempt of the same
/// call transferred (`retry_done`); blocks again when it cannot finish. An error after a
/// partial transfer returns the count transferred, as Linux does.
fn write_resumable(vfs: &mut Vfs, thread: &mut ThreadCtx, fd: i32, data: &[u8]) -> SysResult {
    let skip = thread.retry_done.min(data.len());
    match vfs.write(fd, &data[skip..]) {
        Ok(n) => Ok((skip + n) as u64),
        Err(VfsError::WouldBlock(b)) => {
            thread.retry_done = skip + b.done;
            Err(SysError::WouldBlock { deadline: None })
        }
        Err(VfsError::Errno(e)) => {
            // A socket's EPIPE raises SIGPIPE only where Linux's socket layer does.
            if vfs.is_socket(fd) {
                if vfs.take_sigpipe() {
                    thread.pending |= 1 << (SIGPIPE - 1);
                }
            } else {
                note_broken_pipe(thread, e);
            }
            if skip > 0 {
                Ok(skip as u64)
            } else {
                Err(e.into())
            }
        }
    }
}

/// A write that finds no reader sends SIGPIPE to the writing thread (Linux's pipe_write),
/// also when part of the data went in before the last reader left.
fn note_broken_pipe(thread: &mut ThreadCtx, e: Errno) {
    if e == Errno::EPIPE {
        thread.pending |= 1 << (SIGPIPE - 1);
    }
}

/// Reads a path argument: EFAULT for a bad pointer, ENAMETOOLONG without a NUL in the
/// first [`PATH_MAX`] bytes.
pub(super) fn read_path(mem: &GuestMemory, addr: u64) -> Result<Vec<u8>, SysError> {
    mem.read_cstr(addr, PATH_MAX)?
        .ok_or(SysError::Errno(Errno::ENAMETOOLONG))
}
/// EFAULT unless `[addr, addr+len)` is writable guest memory (see [`check_user_buf`]).
fn check_writable(mem: &GuestMemory, addr: u64, len: u64) -> Result<(), SysError> {
    Ok(check_user_buf(mem, addr, len, perm::W)?)
}

// ---- read and write ----

fn sys_read(p: &mut Process, a: &Args) -> SysResult {
    let (fd, buf, count) = (a.fd(0), a.ptr(1), a.size(2));
    p.vfs.check_io(fd, IoKind::Read)?;
    check_writable(&p.mem, buf, count)?;
    if p.vfs.is_socket(fd) {
        let count = count.min(MAX_RW_COUNT as u64) as usize;
        return super::net::socket_readv(p, fd, vec![(buf, count)]);
    }
    let data = p
        .vfs
        .read(fd, count.min(MAX_RW_COUNT as u64) as usize, &mut p.rng)
        .map_err(vfs_err)?;
    p.mem.write_bytes(buf, &data)?;
    Ok(data.len() as u64)
}

fn sys_write(p: &mut Process, a: &Args) -> SysResult {
    let (fd, buf, count) = (a.fd(0), a.ptr(1), a.size(2));
    p.vfs.check_io(fd, IoKind::Write)?;
    check_user_buf(&p.mem, buf, count, perm::R)?;
    if p.vfs.is_socket(fd) {
        let count = count.min(MAX_RW_COUNT as u64) as usize;
        return super::net::socket_writev(p, fd, vec![(buf, count)]);
    }
    let data = p.mem.slice(buf, count.min(MAX_RW_COUNT as u64) as usize)?;
    if p.vfs.proc_kind(fd).is_some() {
        let data = data.to_vec();
        if let Some(r) = proc_write(p, fd, &data) {
            return r;
        }
        let data = p.mem.slice(buf, count.min(MAX_RW_COUNT as u64) as usize)?;
        return write_resumable(&mut p.vfs, &mut p.thread, fd, data);
    }
    write_resumable(&mut p.vfs, &mut p.thread, fd, data)
}

fn sys_pread64(p: &mut Process, a: &Args) -> SysResult {
    let (fd, buf, count, off) = (a.fd(0), a.ptr(1), a.size(2), a.long(3));
    if off < 0 {
        return Err(Errno::EINVAL.into());
    }
    p.vfs.check_io(fd, IoKind::PRead)?;
    check_writable(&p.mem, buf, count)?;
    let data = p.vfs.pread(
        fd,
        count.min(MAX_RW_COUNT as u64) as usize,
        off as u64,
        &mut p.rng,
    )?;
    p.mem.write_bytes(buf, &data)?;
    Ok(data.len() as u64)
}

fn sys_pwrite64(p: &mut Process, a: &Args) -> SysResult {
    let (fd, buf, count, off) = (a.fd(0), a.ptr(1), a.size(2), a.long(3));
    if off < 0 {
        return Err(Errno::EINVAL.into());
    }
    p.vfs.check_io(fd, IoKind::PWrite)?;
    check_user_buf(&p.mem, buf, count, perm::R)?;
    let data = p.mem.slice(buf, count.min(MAX_RW_COUNT as u64) as usize)?;
    if p.vfs.proc_kind(fd).is_some() {
        let data = data.to_vec();
        if let Some(r) = proc_write(p, fd, &data) {
            return r;
        }
        return Ok(p.vfs.pwrite(fd, &data, off as u64)? as u64);
    }
    Ok(p.vfs.pwrite(fd, data, off as u64)? as u64)
}
/// Scatters `data` over the iovecs.
fn scatter(mem: &mut GuestMemory, iovs: &[(u64, usize)], data: &[u8]) -> Result<(), SysError> {
    let mut rest = data;
    for &(base, len) in iovs {
        if rest.is_empty() {
            break;
        }
        let n = len.min(rest.len());
        mem.write_bytes(base, &rest[..n])?;
        rest = &rest[n..];
    }
    Ok(())
}

/// Gathers the iovecs' bytes.
fn gather(mem: &GuestMemory, iovs: &[(u64, usize)]) -> Result<Vec<u8>, SysError> {
    let mut out = Vec::with_capacity(iovs.iter().map(|v| v.1).sum());
    for &(base, len) in iovs {
        out.extend_from_slice(mem.slice(base, len)?);
    }
    Ok(out)
}

fn sys_readv(p: &mut Process, a: &Args) -> SysResult {
    let fd = a.fd(0);
    p.vfs.check_io(fd, IoKind::Read)?;
    let iovs = read_iovecs(&p.mem, a.ptr(1), a.size(2), perm::W, Errno::EINVAL)?;
    if p.vfs.is_socket(fd) {
        return super::net::socket_readv(p, fd, iovs);
    }
    let total = iovs.iter().map(|v| v.1).sum();
    let data = p.vfs.read(fd, total, &mut p.rng).map_err(vfs_err)?;
    scatter(&mut p.mem, &iovs, &data)?;
    Ok(data.len() as u64)
}

fn sys_writev(p: &mut Process, a: &Args) -> SysResult {
    let fd = a.fd(0);
    p.vfs.check_io(fd, IoKind::Write)?;
    let iovs = read_iovecs(&p.mem, a.ptr(1), a.size(2), perm::R, Errno::EINVAL)?;
    if p.vfs.is_socket(fd) {
        return super::net::socket_writev(p, fd, iovs);
    }
    let data = gather(&p.mem, &iovs)?;
    if let Some(r) = proc_write(p, fd, &data) {
        return r;
    }
    write_resumable(&mut p.vfs, &mut p.thread, fd, &data)
}

fn sys_preadv(p: &mut Process, a: &Args) -> SysResult {
    let (fd, off) = (a.fd(0), a.long(3));
    if off < 0 {
        return Err(Errno::EINVAL.into());
    }
    p.vfs.check_io(fd, IoKind::PRead)?;
    let iovs = read_iovecs(&p.mem, a.ptr(1), a.size(2), perm::W, Errno::EINVAL)?;
    let total = iovs.iter().map(|v| v.1).sum();
    let data = p.vfs.pread(fd, total, off as u64, &mut p.rng)?;
    scatter(&mut p.mem, &iovs, &data)?;
    Ok(data.len() as u64)
}

fn sys_pwritev(p: &mut Process, a: &Args) -> SysResult {
    let (fd, off) = (a.fd(0), a.long(3));
    if off < 0 {
        return Err(Errno::EINVAL.into());
    }
    p.vfs.check_io(fd, IoKind::PWrite)?;
    let iovs = read_iovecs(&p.mem, a.ptr(1), a.size(2), perm::R, Errno::EINVAL)?;
    let data = gather(&p.mem, &iovs)?;
    Ok(p.vfs.pwrite(fd, &data, off as u64)? as u64)
}

/// Reads an optional `loff_t *` argument: None for NULL, EFAULT for a bad pointer, EINVAL
/// for a negative offset.
fn read_offset(mem: &GuestMemory, addr: u64) -> Result<Option<u64>, SysError> {
    if addr == 0 {
        return Ok(None);
    }
    let off = mem.read_u64(addr)? as i64;
    if off < 0 {
        return Err(Errno::EINVAL.into());
    }
    Ok(Some(off as u64))
}

fn sys_copy_file_range(p: &mut Process, a: &Args) -> SysResult {
    let (fd_in, off_in_p, fd_out, off_out_p, len, flags) =
        (a.fd(0), a.raw(1), a.fd(2), a.raw(3), a.raw(4), a.raw(5));
    if flags != 0 {
        return Err(Errno::EINVAL.into());
    }
    p.vfs.fd_info(fd_in)?;
    p.vfs.fd_info(fd_out)?;
    let off_in = read_offset(&p.mem, off_in_p)?;
    let off_out = read_offset(&p.mem, off_out_p)?;
    let len = len.min(MAX_RW_COUNT as u64) as usize;
    let n = p.vfs.copy_range(fd_in, off_in, fd_out, off_out, len)?;
    if let Some(o) = off_in {
        p.mem.write_bytes(off_in_p, &(o + n as u64).to_le_bytes())?;
    }
    if let Some(o) = off_out {
        p.mem
            .write_bytes(off_out_p, &(o + n as u64).to_le_bytes())?;
    }
    Ok(n as u64)
}

fn sys_sendfile(p: &mut Process, a: &Args) -> SysResult {
    let (fd_out, fd_in, off_p, count) = (a.fd(0), a.fd(1), a.ptr(2), a.size(3));
    p.vfs.fd_info(fd_out)?;
    p.vfs.fd_info(fd_in)?;
    let off = read_offset(&p.mem, off_p)?;
    let count = count.min(MAX_RW_COUNT as u64) as usize;
    let n = match p.vfs.sendfile(fd_out, fd_in, off, count) {
        Err(VfsError::WouldBlock(b)) if b.done > 0 => {
            return Err(SysError::Unsupported(format!(
                "sendfile filled a pipe part way and would have to block: {} (not implemented)",
                b.on
            )));
        }
        Err(VfsError::Errno(e)) => {
            note_broken_pipe(&mut p.thread, e);
            return Err(e.into());
        }
        r => r.map_err(vfs_err)?,
    };
    if let Some(o) = off {
        p.mem.write_bytes(off_p, &(o + n as u64).to_le_bytes())?;
    }
    Ok(n as u64)
}

fn sys_lseek(p: &mut Process, a: &Args) -> SysResult {
    Ok(p.vfs.lseek(a.fd(0), a.long(1), a.uint(2))?)
}

fn sys_ftruncate(p: &mut Process, a: &Args) -> SysResult {
    let len = a.long(1);
    if len < 0 {
        return Err(Errno::EINVAL.into());
    }
    p.vfs.ftruncate(a.fd(0), len as u64)?;
    Ok(0)
}

fn sys_truncate(p: &mut Process, a: &Args) -> SysResult {
    let path = read_path(&p.mem, a.ptr(0))?;
    let len = a.long(1);
    if len < 0 {
        return Err(Errno::EINVAL.into());
    }
    p.vfs.truncate(&path, len as u64)?;
    Ok(0)
}

fn sys_fsync(p: &mut Process, a: &Args) -> SysResult {
    p.vfs.fsync(a.fd(0))?;
    Ok(0)
}

fn sys_fadvise64(p: &mut Process, a: &Args) -> SysResult {
    let fd = a.fd(0);
    let info = p.vfs.fd_info(fd)?;
    if info.path_only {
        return Err(Errno::EBADF.into());
    }
    if info.kind == FileKind::Fifo {
        return Err(Errno::ESPIPE.into());
    }
    if a.raw(3) > POSIX_FADV_NOREUSE || a.long(2) < 0 {
        return Err(Errno::EINVAL.into());
    }
    // Advice only: nothing is cached, so every advice is already followed.
    Ok(0)
}

// ---- open, close, fds ----

/// openat. A blocking open of a FIFO whose other end is not open makes its fd (which
/// counts as a reader or writer at once, so that the other side's open does not wait) and
/// then waits until the other end is opened (`fifo_open`); a signal handler without
/// SA_RESTART ends the wait with EINTR and the fd is closed again.
fn sys_openat(p: &mut Process, a: &Args) -> SysResult {
    if let Some((fd, seen)) = p.thread.fifo_open {
        if !p.vfs.fifo_partner_came(fd, seen) {
            return Err(SysError::WouldBlock { deadline: None });
        }
        p.thread.fifo_open = None;
        return Ok(fd as u64);
    }
    let path = read_path(&p.mem, a.ptr(1))?;
    let fd = p.vfs.open(a.fd(0), &path, a.uint(2), a.uint(3))?;
    if let Some(seen) = p.vfs.fifo_waits_for_peer(fd) {
        p.thread.fifo_open = Some((fd, seen));
        return Err(SysError::WouldBlock { deadline: None });
    }
    fill_generated(p, fd);
    Ok(fd as u64)
}

/// Renders a generated file (`/proc`) just opened as `fd` into its description.
fn fill_generated(p: &mut Process, fd: i32) {
    if let Some(kind) = p.vfs.proc_kind(fd) {
        let bytes = crate::kernel::procfs::render(p, kind);
        // The fd was just made: it exists.
        let _ = p.vfs.set_proc_content(fd, bytes);
    }
}

/// A write to a writable generated file (a thread's `comm`): `comm_write` takes the first
/// 15 bytes as the thread's new name and reports the whole count written. `None` for any
/// other file.
fn proc_write(p: &mut Process, fd: i32, data: &[u8]) -> Option<SysResult> {
    let crate::vfs::synthetic::ProcKind::Comm(tid) = p.vfs.proc_kind(fd)? else {
        return None;
    };
    let tid = tid.unwrap_or(crate::kernel::process::GUEST_PID);
    let name = &data[..data.len().min(15)];
    let attrs = if p.thread.tid == tid {
        Some(&mut p.thread.attrs)
    } else {
        p.sched.get_mut(tid).map(|(_, ctx)| &mut ctx.attrs)
    };
    Some(match attrs {
        Some(attrs) => {
            attrs.set_name(name);
            Ok(data.len() as u64)
        }
        None => Err(Errno::ESRCH.into()),
    })
}

fn sys_close(p: &mut Process, a: &Args) -> SysResult {
    p.vfs.close(a.fd(0))?;
    Ok(0)
}

fn sys_close_range(p: &mut Process, a: &Args) -> SysResult {
    const CLOSE_RANGE_UNSHARE: u64 = 2;
    const CLOSE_RANGE_CLOEXEC: u64 = 4;
    let (first, last, flags) = (a.uint(0), a.uint(1), a.raw(2));
    if flags & !(CLOSE_RANGE_UNSHARE | CLOSE_RANGE_CLOEXEC) != 0 || first > last {
        return Err(Errno::EINVAL.into());
    }
    // One fd table: CLOSE_RANGE_UNSHARE has nothing to unshare.
    p.vfs
        .close_range(first, last, flags & CLOSE_RANGE_CLOEXEC != 0);
    Ok(0)
}

fn sys_dup(p: &mut Process, a: &Args) -> SysResult {
    Ok(p.vfs.dup(a.fd(0))? as u64)
}

fn sys_dup3(p: &mut Process, a: &Args) -> SysResult {
    Ok(p.vfs.dup3(a.fd(0), a.fd(1), a.uint(2))? as u64)
}

fn sys_pipe2(p: &mut Process, a: &Args) -> SysResult {
    let (r, w) = p.vfs.pipe(a.uint(1))?;
    let mut out = Writer::new();
    out.u32(r as u32).u32(w as u32);
    if out.store(&mut p.mem, a.ptr(0)).is_err() {
        let _ = p.vfs.close(r);
        let _ = p.vfs.close(w);
        return Err(Errno::EFAULT.into());
    }
    Ok(0)
}

// fcntl commands.

fn sys_fcntl(p: &mut Process, a: &Args) -> SysResult {
    let (fd, cmd, arg) = (a.fd(0), a.uint(1), a.raw(2));
    let info = p.vfs.fd_info(fd)?;
    if info.path_only && !matches!(cmd, F_DUPFD | F_DUPFD_CLOEXEC | F_GETFD | F_SETFD | F_GETFL) {
        return Err(Errno::EBADF.into());
    }
    match cmd {
        F_DUPFD | F_DUPFD_CLOEXEC => {
            Ok(p.vfs.dup_min(fd, arg as u32, cmd == F_DUPFD_CLOEXEC)? as u64)
        }
        F_GETFD => Ok(p.vfs.fd_flags(fd)? as u64),
        F_SETFD => {
            p.vfs.set_fd_flags(fd, arg as u32)?;
            Ok(0)
        }
        F_GETFL => Ok(p.vfs.status_flags(fd)? as u64),
        F_SETFL => {
            p.vfs.set_status_flags(fd, arg as u32)?;
            Ok(0)
        }
        F_ADD_SEALS => {
            // memfd_fcntl: the upper 32 bits must be clear.
            let seals = u32::try_from(arg).map_err(|_| Errno::EINVAL)?;
            let writable = info.kind == crate::vfs::FileKind::Regular
                && p.mem
                    .has_writable_shared_map(&p.vfs.mmap_source(fd)?.contents);
            p.vfs.add_seals(fd, seals, writable)?;
            Ok(0)
        }
        F_GET_SEALS => Ok(p.vfs.seals(fd)? as u64),
        F_GETPIPE_SZ => Ok(p.vfs.pipe_capacity(fd)? as u64),
        F_SETPIPE_SZ => Ok(p.vfs.set_pipe_capacity(fd, arg as u32 as u64)? as u64),
        F_DUPFD_QUERY => Ok(p.vfs.same_description(fd, arg as i32)? as u64),
        F_GETLK | F_SETLK | F_SETLKW | F_OFD_GETLK | F_OFD_SETLK | F_OFD_SETLKW => {
            let raw = p.mem.read_vec(arg, 32)?;
            let l_type = i16::from_le_bytes([raw[0], raw[1]]);
            let whence = i16::from_le_bytes([raw[2], raw[3]]);
            let start = i64::from_le_bytes(raw[8..16].try_into().expect("8 bytes"));
            let len = i64::from_le_bytes(raw[16..24].try_into().expect("8 bytes"));
            let pid = i32::from_le_bytes(raw[24..28].try_into().expect("4 bytes"));
            if !matches!(l_type, F_RDLCK | F_WRLCK | F_UNLCK) || !(0..=2).contains(&whence) {
                return Err(Errno::EINVAL.into());
            }
            let base = match whence as u32 {
                SEEK_SET => 0,
                SEEK_CUR => p.vfs.lseek(fd, 0, SEEK_CUR).unwrap_or(0) as i64,
                _ => info.size as i64,
            };
            let begin = base.checked_add(start).ok_or(Errno::EOVERFLOW)?;
            if begin < 0 || (len < 0 && begin.checked_add(len).is_none_or(|b| b < 0)) {
                return Err(Errno::EINVAL.into());
            }
            if matches!(cmd, F_OFD_GETLK | F_OFD_SETLK | F_OFD_SETLKW) && pid != 0 {
                return Err(Errno::EINVAL.into());
            }
            if matches!(cmd, F_GETLK | F_OFD_GETLK) {
                // No other process can hold a conflicting lock.
                p.mem.write_bytes(arg, &F_UNLCK.to_le_bytes())?;
                return Ok(0);
            }
            if (l_type == F_RDLCK && !info.readable) || (l_type == F_WRLCK && !info.writable) {
                return Err(Errno::EBADF.into());
            }
            Ok(0)
        }
        _ => Err(Errno::EINVAL.into()),
    }
}

// ioctl requests.

fn sys_ioctl(p: &mut Process, a: &Args) -> SysResult {
    let (fd, req, arg) = (a.fd(0), a.uint(1), a.raw(2));
    let info = p.vfs.fd_info(fd)?;
    if info.path_only {
        return Err(Errno::EBADF.into());
    }
    match req {
        FIOCLEX | FIONCLEX => {
            p.vfs.set_fd_flags(fd, (req == FIOCLEX) as u32)?;
            Ok(0)
        }
        FIONBIO => {
            let on = p.mem.read_u32(arg)? != 0;
            p.vfs.set_nonblock(fd, on)?;
            Ok(0)
        }
        FIONREAD
            if matches!(info.kind, FileKind::Regular | FileKind::Fifo) && info.device.is_none()
                || p.vfs.is_socket(fd) =>
        {
            let n = p.vfs.bytes_readable(fd)?;
            p.mem
                .write_bytes(arg, &(n.min(i32::MAX as u64) as u32).to_le_bytes())?;
            Ok(0)
        }
        // TCGETS, TIOCGWINSZ and every other terminal request: no fd is a terminal.
        TCGETS => Err(Errno::ENOTTY.into()),
        _ => Err(Errno::ENOTTY.into()),
    }
}

// ---- metadata ----

fn sys_fstat(p: &mut Process, a: &Args) -> SysResult {
    let st = p.vfs.fstat(a.fd(0))?;
    sabi::stat(&st).store(&mut p.mem, a.ptr(1))?;
    Ok(0)
}

/// Reads the path of a `*at` call that takes `AT_EMPTY_PATH`: a NULL path with that flag is
/// the empty path (Linux 6.11+).
pub(super) fn read_at_path(mem: &GuestMemory, addr: u64, flags: u32) -> Result<Vec<u8>, SysError> {
    if addr == 0 && flags & AT_EMPTY_PATH != 0 {
        return Ok(Vec::new());
    }
    read_path(mem, addr)
}

/// The file named by (dirfd argument 0, path argument 1) as newfstatat and statx resolve it.
fn stat_dirfd_path(p: &mut Process, a: &Args, flags: u32) -> Result<crate::vfs::Stat, SysError> {
    let path = read_at_path(&p.mem, a.ptr(1), flags)?;
    let st = p.vfs.stat_at(
        a.fd(0),
        &path,
        flags & AT_SYMLINK_NOFOLLOW == 0,
        flags & AT_EMPTY_PATH != 0,
    )?;
    Ok(st)
}

fn sys_newfstatat(p: &mut Process, a: &Args) -> SysResult {
    let flags = a.uint(3);
    if flags & !(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT) != 0 {
        return Err(Errno::EINVAL.into());
    }
    let st = stat_dirfd_path(p, a, flags)?;
    sabi::stat(&st).store(&mut p.mem, a.ptr(2))?;
    Ok(0)
}

fn sys_statx(p: &mut Process, a: &Args) -> SysResult {
    let (flags, mask) = (a.uint(2), a.uint(3));
    if flags & !(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT | AT_STATX_SYNC_TYPE) != 0
        || flags & AT_STATX_SYNC_TYPE == AT_STATX_SYNC_TYPE
        || mask & sabi::STATX_RESERVED != 0
    {
        return Err(Errno::EINVAL.into());
    }
    let st = stat_dirfd_path(p, a, flags)?;
    sabi::statx(&st).store(&mut p.mem, a.ptr(4))?;
    Ok(0)
}

fn sys_getdents64(p: &mut Process, a: &Args) -> SysResult {
    let (fd, buf, count) = (a.fd(0), a.ptr(1), a.uint(2) as usize);
    let info = p.vfs.fd_info(fd)?;
    if info.path_only {
        return Err(Errno::EBADF.into());
    }
    if info.kind != FileKind::Directory {
        return Err(Errno::ENOTDIR.into());
    }
    check_writable(&p.mem, buf, count as u64)?;
    let mut out = Writer::new();
    let mut full = false;
    p.vfs.getdents(fd, |e| {
        if out.0.len() + sabi::dirent64_len(e.name.len()) > count {
            full = true;
            return false;
        }
        sabi::dirent64(&mut out, e.ino, e.next_offset, e.dtype, &e.name);
        true
    })?;
    if out.0.is_empty() && full {
        return Err(Errno::EINVAL.into());
    }
    out.store(&mut p.mem, buf)?;
    Ok(out.0.len() as u64)
}

fn sys_readlinkat(p: &mut Process, a: &Args) -> SysResult {
    let (dirfd, buf, size) = (a.fd(0), a.ptr(2), a.int(3));
    if size <= 0 {
        return Err(Errno::EINVAL.into());
    }
    let path = read_path(&p.mem, a.ptr(1))?;
    let target = p.vfs.readlink(dirfd, &path)?;
    let n = target.len().min(size as usize);
    p.mem.write_bytes(buf, &target[..n])?;
    Ok(n as u64)
}

fn access(p: &mut Process, a: &Args, flags: u32) -> SysResult {
    let mode = a.uint(2);
    if mode & !7 != 0 || flags & !(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH) != 0 {
        return Err(Errno::EINVAL.into());
    }
    let path = read_at_path(&p.mem, a.ptr(1), flags)?;
    p.vfs.access(
        a.fd(0),
        &path,
        mode,
        flags & AT_SYMLINK_NOFOLLOW == 0,
        flags & AT_EMPTY_PATH != 0,
    )?;
    Ok(0)
}

fn sys_faccessat(p: &mut Process, a: &Args) -> SysResult {
    access(p, a, 0)
}

fn sys_faccessat2(p: &mut Process, a: &Args) -> SysResult {
    access(p, a, a.uint(3))
}

fn sys_umask(p: &mut Process, a: &Args) -> SysResult {
    Ok(p.vfs.set_umask(a.uint(0)) as u64)
}

fn sys_fchmod(p: &mut Process, a: &Args) -> SysResult {
    p.vfs.fchmod(a.fd(0), a.uint(1))?;
    Ok(0)
}

fn sys_fchmodat(p: &mut Process, a: &Args) -> SysResult {
    let path = read_path(&p.mem, a.ptr(1))?;
    p.vfs.chmod(a.fd(0), &path, a.uint(2))?;
    Ok(0)
}

// ---- cwd and names ----

fn sys_getcwd(p: &mut Process, a: &Args) -> SysResult {
    let (buf, size) = (a.ptr(0), a.size(1));
    let mut path = p.vfs.getcwd()?;
    path.push(0);
    if (size as usize) < path.len() {
        return Err(Errno::ERANGE.into());
    }
    p.mem.write_bytes(buf, &path)?;
    Ok(path.len() as u64)
}

fn sys_chdir(p: &mut Process, a: &Args) -> SysResult {
    let path = read_path(&p.mem, a.ptr(0))?;
    p.vfs.chdir(&path)?;
    Ok(0)
}

fn sys_fchdir(p: &mut Process, a: &Args) -> SysResult {
    p.vfs.fchdir(a.fd(0))?;
    Ok(0)
}

fn sys_mkdirat(p: &mut Process, a: &Args) -> SysResult {
    let path = read_path(&p.mem, a.ptr(1))?;
    p.vfs.mkdir(a.fd(0), &path, a.uint(2))?;
    Ok(0)
}

fn sys_unlinkat(p: &mut Process, a: &Args) -> SysResult {
    let flags = a.uint(2);
    if flags & !AT_REMOVEDIR != 0 {
        return Err(Errno::EINVAL.into());
    }
    let path = read_path(&p.mem, a.ptr(1))?;
    p.vfs.unlink(a.fd(0), &path, flags & AT_REMOVEDIR != 0)?;
    Ok(0)
}

fn sys_renameat2(p: &mut Process, a: &Args) -> SysResult {
    let old = read_path(&p.mem, a.ptr(1))?;
    let new = read_path(&p.mem, a.ptr(3))?;
    p.vfs.rename(a.fd(0), &old, a.fd(2), &new, a.uint(4))?;
    Ok(0)
}

fn sys_symlinkat(p: &mut Process, a: &Args) -> SysResult {
    let target = read_path(&p.mem, a.ptr(0))?;
    let path = read_path(&p.mem, a.ptr(2))?;
    p.vfs.symlink(&target, a.fd(1), &path)?;
    Ok(0)
}

fn sys_linkat(p: &mut Process, a: &Args) -> SysResult {
    let flags = a.uint(4);
    if flags & !(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH) != 0 {
        return Err(Errno::EINVAL.into());
    }
    let old = read_at_path(&p.mem, a.ptr(1), flags)?;
    let new = read_path(&p.mem, a.ptr(3))?;
    let (follow, empty) = (flags & AT_SYMLINK_FOLLOW != 0, flags & AT_EMPTY_PATH != 0);
    p.vfs.link(a.fd(0), &old, a.fd(2), &new, follow, empty)?;
    Ok(0)
}
