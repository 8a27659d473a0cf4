//! The synthetic part of the tree: `/etc`, `/proc` and `/sys` as [`super::synthetic`]
//! describes them, the per-thread directories `/proc/self/task/TID` (made and removed as
//! threads come and go), `/proc/thread-self`, and the contents of generated files, which
//! the kernel renders into the open file description when one is opened.

use super::Vfs;
use super::inode::{FileData, Ino, Node, Origin};
use super::synthetic::{self, ProcKind};
use crate::abi::Errno;
use std::sync::Arc;

/// The `/proc` inodes that change with the threads.
#[derive(Debug, Default)]
pub struct ProcInodes {
    /// `/proc/self/task`.
    task: Ino,
    /// `/proc/thread-self`.
    thread_self: Ino,
}

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
        let [_, _, release, version, ..] = crate::abi::utsname::UTSNAME;
        self.fixed_file(
            proc_,
            b"version",
            synthetic::proc_version(release, version).as_bytes(),
        );
        self.fixed_file(proc_, b"cpuinfo", synthetic::proc_cpuinfo(cpus).as_bytes());
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
        self.proc.thread_self =
            self.inodes
                .add(Node::Symlink(Vec::new()), 0o777, 0, Origin::Builtin);
        self.link_entry(proc_, b"thread-self", self.proc.thread_self);

        let sys = self.builtin_dir(root, b"sys", 0o555);
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
        let fs = self.builtin_dir(sys, b"fs", 0o755);
        let cgroup = self.builtin_dir(fs, b"cgroup", 0o755);
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

    /// Makes `/proc/self/task/TID` (comm, stat, status) for a new thread.
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
