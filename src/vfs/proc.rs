//! The synthetic part of the tree: `/etc`, `/proc` and `/sys` as [`super::synthetic`]
//! describes them, the per-thread directories `/proc/self/task/TID` (made and removed as
//! threads come and go), `/proc/thread-self`, and the contents of generated files, which
//! the kernel renders into the open file description when one is opened.

use super::Vfs;
use super::fd::NR_OPEN;
use super::inode::{FileData, Ino, Node, Origin, TreeFs};
use super::params::PIPE_MAX_SIZE;
use super::synthetic::{self, ProcKind};
use crate::abi::Errno;
use crate::abi::fcntl::{AT_FDCWD, O_CLOEXEC};
use crate::abi::socket::SOMAXCONN;
use std::sync::Arc;

/// The `/proc` inodes that change with the threads.
#[derive(Debug, Default)]
pub struct ProcInodes {
    /// `/proc/self/task`.
    task: Ino,
    /// `/proc/thread-self`.
    thread_self: Ino,
    /// `/proc/self/fd`.
    fd: Ino,
    /// `/proc/self/fdinfo`.
    fdinfo: Ino,
}

/// Inode number of `/proc/self/fd/0`; fd `N`'s link is this plus `N`. The range lies far
/// beyond the numbers [`super::inode::Inodes::add`] hands out, so opening files does not
/// shift the numbers of the others.
const FD_LINK_INO: Ino = super::inode::RESERVED_INO;
/// Inode number of `/proc/self/fdinfo/0`, likewise.
const FDINFO_INO: Ino = FD_LINK_INO + (1 << 32);

/// Mount ids `fdinfo` gives for the internal file systems that `/proc/self/mountinfo`
/// does not list (pipefs, sockfs, anon_inodefs), after the ones it lists.
const PIPEFS_MNT_ID: u32 = 5;
/// sockfs's mount id.
const SOCKFS_MNT_ID: u32 = 6;
/// anon_inodefs's mount id.
const ANON_MNT_ID: u32 = 7;

impl Vfs {
    /// Builds `/etc`, `/proc` and `/sys` (before the mounts, which may replace any of it):
    /// fixed files hold their contents, generated ones are [`Node::Proc`]. The kernel adds
    /// the first thread with [`Vfs::proc_add_task`].
    pub(super) fn populate_synthetic(&mut self, cpus: u32) {
        let root = self.root;
        let etc = self.builtin_dir(root, b"etc", 0o755);
        self.fixed_file(etc, b"passwd", synthetic::etc_passwd().as_bytes());
        self.fixed_file(etc, b"group", synthetic::etc_group().as_bytes());
        self.fixed_file(etc, b"hosts", synthetic::etc_hosts().as_bytes());
        self.fixed_file(etc, b"localtime", &synthetic::utc_tzif());

        let proc_ = self.builtin_dir(root, b"proc", 0o555);
        self.inodes.get_mut(proc_).fs = TreeFs::Proc;
        let [_, _, release, version, ..] = crate::abi::utsname::UTSNAME;
        self.fixed_file(
            proc_,
            b"version",
            synthetic::proc_version(release, version).as_bytes(),
        );
        self.fixed_file(proc_, b"cpuinfo", synthetic::proc_cpuinfo(cpus).as_bytes());
        let proc_sys = self.builtin_dir(proc_, b"sys", 0o555);
        let sys_fs = self.builtin_dir(proc_sys, b"fs", 0o555);
        for (name, value) in [
            (&b"nr_open"[..], u64::from(NR_OPEN)),
            (b"pipe-max-size", PIPE_MAX_SIZE as u64),
        ] {
            self.fixed_file(sys_fs, name, format!("{value}\n").as_bytes());
        }
        let sys_net = self.builtin_dir(proc_sys, b"net", 0o555);
        let net_core = self.builtin_dir(sys_net, b"core", 0o555);
        self.fixed_file(net_core, b"somaxconn", format!("{SOMAXCONN}\n").as_bytes());
        for (name, kind) in [
            (&b"meminfo"[..], ProcKind::Meminfo),
            (b"stat", ProcKind::SysStat),
            (b"uptime", ProcKind::Uptime),
        ] {
            self.proc_file(proc_, name, kind);
        }
        let self_ = self.builtin_dir(proc_, b"self", 0o555);
        for (name, kind) in [
            (&b"maps"[..], ProcKind::Maps),
            (b"status", ProcKind::Status(None)),
            (b"stat", ProcKind::Stat(None)),
            (b"statm", ProcKind::Statm),
            (b"cmdline", ProcKind::Cmdline),
            (b"environ", ProcKind::Environ),
            (b"comm", ProcKind::Comm(None)),
        ] {
            self.proc_file(self_, name, kind);
        }
        self.fixed_file(self_, b"cgroup", synthetic::proc_self_cgroup().as_bytes());
        self.fixed_file(
            self_,
            b"mountinfo",
            synthetic::proc_self_mountinfo().as_bytes(),
        );
        self.proc.task = self.builtin_dir(self_, b"task", 0o555);
        // proc_fd_inode_operations' directories: dr-x------.
        self.proc.fd = self.builtin_dir(self_, b"fd", 0o500);
        self.proc.fdinfo = self.builtin_dir(self_, b"fdinfo", 0o500);
        for fd in self.fds.open_fds() {
            self.proc_fd_sync(fd);
        }
        self.proc.thread_self =
            self.inodes
                .add(Node::Symlink(Vec::new()), 0o777, 0, Origin::Builtin);
        self.link_entry(proc_, b"thread-self", self.proc.thread_self);

        let sys = self.builtin_dir(root, b"sys", 0o555);
        self.inodes.get_mut(sys).fs = TreeFs::Sys;
        let devices = self.builtin_dir(sys, b"devices", 0o755);
        let system = self.builtin_dir(devices, b"system", 0o755);
        let cpu = self.builtin_dir(system, b"cpu", 0o755);
        let list = synthetic::cpu_list(cpus);
        for name in [&b"online"[..], b"possible", b"present"] {
            self.fixed_file(cpu, name, list.as_bytes());
        }
        for c in 0..cpus {
            self.builtin_dir(cpu, format!("cpu{c}").as_bytes(), 0o755);
        }
        let kernel = self.builtin_dir(sys, b"kernel", 0o755);
        let mm = self.builtin_dir(kernel, b"mm", 0o755);
        let thp = self.builtin_dir(mm, b"transparent_hugepage", 0o755);
        self.fixed_file(thp, b"enabled", synthetic::THP_ENABLED.as_bytes());
        self.fixed_file(
            thp,
            b"hpage_pmd_size",
            format!("{}\n", synthetic::THP_PMD_SIZE).as_bytes(),
        );
        let fs = self.builtin_dir(sys, b"fs", 0o755);
        let cgroup = self.builtin_dir(fs, b"cgroup", 0o755);
        self.inodes.get_mut(cgroup).fs = TreeFs::Cgroup;
        self.fixed_file(cgroup, b"cpu.max", synthetic::cgroup_cpu_max().as_bytes());
        self.fixed_file(cgroup, b"cgroup.controllers", b"cpu\n");
    }

    /// A read-only regular file holding `bytes`.
    fn fixed_file(&mut self, dir: Ino, name: &[u8], bytes: &[u8]) {
        let ino = self
            .inodes
            .add(Node::File(FileData::new(bytes)), 0o444, 0, Origin::Builtin);
        self.link_entry(dir, name, ino);
    }

    /// A generated file.
    fn proc_file(&mut self, dir: Ino, name: &[u8], kind: ProcKind) {
        let ino = self
            .inodes
            .add(Node::Proc(kind), kind.perm(), 0, Origin::Builtin);
        self.link_entry(dir, name, ino);
    }

    /// Brings `/proc/self/fd/N` and `/proc/self/fdinfo/N` in step with fd `N`: present
    /// while it is open. A link's permission bits are those `tid_fd_update_inode` gives:
    /// read and search for a readable fd, write and search for a writable one.
    pub(super) fn proc_fd_sync(&mut self, fd: i32) {
        let Ok(n) = u64::try_from(fd) else {
            return;
        };
        let access = self
            .file(fd)
            .ok()
            .map(|f| (if f.readable() { 0o500 } else { 0 }) | if f.writable() { 0o300 } else { 0 });
        let name = fd.to_string().into_bytes();
        for (dir, ino, info) in [
            (self.proc.fd, FD_LINK_INO + n, false),
            (self.proc.fdinfo, FDINFO_INO + n, true),
        ] {
            if !self.inodes.try_get(dir).is_some_and(|i| i.is_dir()) {
                continue;
            }
            let Some(access) = access else {
                let removed = self
                    .inodes
                    .get_mut(dir)
                    .dir_mut()
                    .and_then(|d| d.remove(&name));
                if removed == Some(ino) {
                    self.inodes.get_mut(ino).nlink = 0;
                    self.inodes.free_if_unused(ino);
                }
                continue;
            };
            let (node, perm) = if info {
                (Node::Proc(ProcKind::FdInfo(fd)), 0o444)
            } else {
                (Node::FdLink(fd), access)
            };
            if !self.inodes.add_at(ino, node, perm, TreeFs::Proc) {
                // Still held (an `O_PATH` fd of the link itself): linked again.
                let i = self.inodes.get_mut(ino);
                (i.perm, i.nlink) = (perm, 1);
            }
            if let Some(d) = self.inodes.get_mut(dir).dir_mut() {
                d.insert(&name, ino);
            }
        }
    }

    /// True for `/proc/self/fd`, whose entries list in numeric order.
    pub(super) fn is_proc_fd_dir(&self, ino: Ino) -> bool {
        ino == self.proc.fd || ino == self.proc.fdinfo
    }

    /// The target `readlink` gives for `/proc/self/fd/N` (`d_path` of the open file, or the
    /// pseudo file system's name): the path it was opened by, with ` (deleted)` once that
    /// name no longer leads to it; `pipe:[INO]`, `socket:[INO]`, `anon_inode:[eventfd]`,
    /// `anon_inode:[eventpoll]`; `/memfd:NAME (deleted)`. ENOENT when `N` is not open.
    pub fn fd_link_target(&self, fd: i32) -> Result<Vec<u8>, Errno> {
        let f = self.file(fd).map_err(|_| Errno::ENOENT)?;
        let i = self.inodes.get(f.ino);
        let pseudo = |prefix: &str| format!("{prefix}:[{}]", f.ino).into_bytes();
        match &i.node {
            Node::Socket(_) => return Ok(pseudo("socket")),
            Node::Pipe(_) if f.path.is_none() => return Ok(pseudo("pipe")),
            Node::EventFd(_) => return Ok(b"anon_inode:[eventfd]".to_vec()),
            Node::Epoll(_) => return Ok(b"anon_inode:[eventpoll]".to_vec()),
            Node::File(FileData { memfd: Some(m), .. }) => {
                let mut t = b"/memfd:".to_vec();
                t.extend_from_slice(&m.name);
                t.extend_from_slice(b" (deleted)");
                return Ok(t);
            }
            Node::Dir(_) => {
                if let Ok(p) = self.dir_path(f.ino) {
                    return Ok(p);
                }
            }
            _ => {}
        }
        let Some(path) = &f.path else {
            // Opened without a name this file system knows (the host streams at start-up):
            // the name it has in /dev, if any.
            return self.dev_name(f.ino).ok_or(Errno::ENOENT);
        };
        let mut t = path.clone();
        let same = self
            .lookup_at(AT_FDCWD, path, super::path::LastLink::Never, false)
            .is_ok_and(|ino| ino == f.ino);
        if !same {
            t.extend_from_slice(b" (deleted)");
        }
        Ok(t)
    }

    /// `/dev/NAME` when `ino` is linked in `/dev`.
    fn dev_name(&self, ino: Ino) -> Option<Vec<u8>> {
        let dev = self.inodes.get(self.root).dir()?.get(b"dev")?;
        let name = self.inodes.get(dev).dir()?.name_of(ino)?;
        let mut t = b"/dev/".to_vec();
        t.extend_from_slice(name);
        Some(t)
    }

    /// `/proc/self/fdinfo/N` as Linux's `seq_show` prints it: position, flags (octal, with
    /// `O_CLOEXEC` when the fd has it), mount id and inode number (without the per-type
    /// lines Linux adds for eventfd, epoll and the like). ENOENT when `N` is not open.
    pub fn fdinfo(&self, fd: i32) -> Result<String, Errno> {
        let slot = self.fds.get(fd).map_err(|_| Errno::ENOENT)?;
        let f = self.file(fd).map_err(|_| Errno::ENOENT)?;
        let i = self.inodes.get(f.ino);
        let mnt_id = match &i.node {
            Node::Pipe(_) if f.path.is_none() => PIPEFS_MNT_ID,
            Node::Socket(_) => SOCKFS_MNT_ID,
            Node::EventFd(_) | Node::Epoll(_) => ANON_MNT_ID,
            _ => match i.fs {
                TreeFs::Root => 1,
                TreeFs::Proc => 2,
                TreeFs::Sys => 3,
                TreeFs::Cgroup => 4,
            },
        };
        let flags = f.flags | if slot.cloexec { O_CLOEXEC } else { 0 };
        Ok(format!(
            "pos:\t{}\nflags:\t0{:o}\nmnt_id:\t{}\nino:\t{}\n",
            f.offset as i64, flags, mnt_id, f.ino
        ))
    }

    /// Makes `/proc/self/task/TID` (comm, stat, status, fd, fdinfo) for a new thread.
    pub fn proc_add_task(&mut self, tid: u64) {
        let task = self.proc.task;
        if !self.inodes.try_get(task).is_some_and(|i| i.is_dir()) {
            return;
        }
        let dir = self.builtin_dir(task, tid.to_string().as_bytes(), 0o555);
        for (name, kind) in [
            (&b"comm"[..], ProcKind::Comm(Some(tid))),
            (b"stat", ProcKind::Stat(Some(tid))),
            (b"status", ProcKind::Status(Some(tid))),
        ] {
            self.proc_file(dir, name, kind);
        }
        // The threads share the fd table, so `fd` and `fdinfo` are the process's
        // directories, entered here without counting a link (their `..` stays
        // `/proc/self`).
        for (name, shared) in [(&b"fd"[..], self.proc.fd), (b"fdinfo", self.proc.fdinfo)] {
            if self.inodes.try_get(shared).is_some_and(|i| i.is_dir())
                && let Some(d) = self.inodes.get_mut(dir).dir_mut()
            {
                d.insert(name, shared);
            }
        }
    }

    /// Removes `/proc/self/task/TID` when the thread has exited (files still open keep
    /// what they read; a directory still open lists nothing).
    pub fn proc_remove_task(&mut self, tid: u64) {
        let name = tid.to_string().into_bytes();
        let Some(dir) = self
            .inodes
            .try_get(self.proc.task)
            .and_then(|i| i.dir())
            .and_then(|d| d.get(&name))
        else {
            return;
        };
        for (name, shared) in [(&b"fd"[..], self.proc.fd), (b"fdinfo", self.proc.fdinfo)] {
            if let Some(d) = self.inodes.get_mut(dir).dir_mut()
                && d.get(name) == Some(shared)
            {
                d.remove(name);
            }
        }
        let children: Vec<Vec<u8>> = match self.inodes.get(dir).dir() {
            Some(d) => d.iter().map(|(n, _)| n.to_vec()).collect(),
            None => Vec::new(),
        };
        for child in children {
            self.unlink_entry(dir, &child);
        }
        self.unlink_entry(self.proc.task, &name);
    }

    /// Points `/proc/thread-self` at the running thread's directory.
    pub fn set_thread_self(&mut self, tid: u64) {
        if self.inodes.try_get(self.proc.thread_self).is_none() {
            return;
        }
        if let Node::Symlink(t) = &mut self.inodes.get_mut(self.proc.thread_self).node {
            t.clear();
            t.extend_from_slice(format!("self/task/{tid}").as_bytes());
        }
    }

    /// `stat` of an absolute path (symlinks followed), for names `/proc/self/maps` shows.
    pub fn stat_path(&self, path: &[u8]) -> Result<super::Stat, Errno> {
        let ino = self.lookup_at(
            crate::abi::fcntl::AT_FDCWD,
            path,
            super::path::LastLink::Follow,
            false,
        )?;
        Ok(self.stat_inode(ino))
    }

    /// True when `fd` is a FIFO opened in blocking mode for reading only without a writer,
    /// or for writing only without a reader: Linux's `fifo_open` would wait for the other
    /// end.
    /// Returns the other end's open count (`w_counter` or `r_counter`) to wait on.
    pub fn fifo_waits_for_peer(&self, fd: i32) -> Option<u64> {
        let f = self.file(fd).ok()?;
        let Node::Pipe(pipe) = &self.inodes.get(f.ino).node else {
            return None;
        };
        if self.inodes.get(f.ino).nlink == 0 || f.nonblock() {
            return None;
        }
        match (f.readable(), f.writable()) {
            (true, false) if pipe.writers == 0 => Some(pipe.w_counter),
            (false, true) if pipe.readers == 0 => Some(pipe.r_counter),
            _ => None,
        }
    }

    /// True once the other end of FIFO `fd` has been opened since its count was `seen`
    /// (`wait_for_partner`), or when `fd` no longer names a FIFO.
    pub fn fifo_partner_came(&self, fd: i32, seen: u64) -> bool {
        let Ok(f) = self.file(fd) else {
            return true;
        };
        match &self.inodes.get(f.ino).node {
            Node::Pipe(pipe) if f.readable() => pipe.w_counter != seen,
            Node::Pipe(pipe) => pipe.r_counter != seen,
            _ => true,
        }
    }

    /// What generated file `fd` is, if it is one.
    pub fn proc_kind(&self, fd: i32) -> Option<ProcKind> {
        let f = self.file(fd).ok()?;
        match self.inodes.get(f.ino).node {
            Node::Proc(kind) => Some(kind),
            _ => None,
        }
    }

    /// Stores the rendered contents of generated file `fd` in its open file description.
    pub fn set_proc_content(&mut self, fd: i32, bytes: Vec<u8>) -> Result<(), Errno> {
        let id = self.fds.get(fd)?.file;
        let f = self.files.get_mut(&id).expect("live description");
        f.content = Some(Arc::from(bytes));
        Ok(())
    }
}
