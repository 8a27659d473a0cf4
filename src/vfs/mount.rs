//! The start-up tree (built-in directories and devices, the executable, `--mount` copies)
//! and [`Vfs::write_out`], the only two places the VFS touches host files.
//!
//! Mounted trees are copied in sorted by name, so inode numbers do not depend on the order
//! the host lists a directory. Host permission bits are normalised (0755 for directories
//! and for files with the owner's execute bit, else 0644) so that the guest sees the same
//! modes whatever the host's umask; host symlinks inside a mounted directory are copied as
//! symlinks with their target unchanged; sockets, FIFOs and device files are skipped (a
//! FIFO or device named by `--mount` itself is an error). Files are read only when regular
//! and no larger than [`MAX_MOUNT_FILE`], all mounts together at most [`MAX_MOUNT_TOTAL`].

use super::Vfs;
use super::dev::{Device, Stream};
use super::dir::Dir;
use super::fd::FileId;
use super::inode::{FileData, Ino, Node, Origin};
use super::path::LastLink;
use crate::abi::{fcntl::*, limits::*};
use crate::config::{Mount, RunConfig};
use crate::hostfile::{MAX_MOUNT_FILE, MAX_MOUNT_TOTAL};
use std::ffi::OsStr;
use std::io;
use std::ops::ControlFlow;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

/// Splits an absolute guest path into its components; `.` is dropped, `..` refused.
fn guest_components(path: &str) -> Result<Vec<&[u8]>, String> {
    if !path.starts_with('/') {
        return Err(format!("guest path '{path}' must be absolute"));
    }
    let mut out = Vec::new();
    for c in path.as_bytes().split(|&b| b == b'/') {
        match c {
            b"" | b"." => {}
            b".." => return Err(format!("guest path '{path}' must not contain '..'")),
            c if c.len() > NAME_MAX => {
                return Err(format!(
                    "guest path '{path}': a component is longer than 255 bytes"
                ));
            }
            c => out.push(c),
        }
    }
    if path.len() >= PATH_MAX {
        return Err(format!("guest path '{path}' is longer than 4095 bytes"));
    }
    Ok(out)
}

impl Vfs {
    /// Fills a fresh tree (see [`Vfs::new`]).
    pub(super) fn populate(
        &mut self,
        config: &RunConfig,
        exe_path: &str,
        exe_bytes: &[u8],
    ) -> Result<(), String> {
        let root = self.root;
        let dev = self.builtin_dir(root, b"dev", 0o755);
        for (name, d) in [
            (&b"null"[..], Device::Null),
            (b"zero", Device::Zero),
            (b"full", Device::Full),
            (b"random", Device::Random),
            (b"urandom", Device::Urandom),
        ] {
            self.builtin_node(dev, name, Node::Device(d), 0o666);
        }
        let mut streams = Vec::new();
        for (name, s) in [
            (&b"stdin"[..], Stream::Stdin),
            (b"stdout", Stream::Stdout),
            (b"stderr", Stream::Stderr),
        ] {
            streams.push(self.builtin_node(dev, name, Node::Device(Device::Host(s)), 0o600));
        }
        self.builtin_dir(root, b"tmp", 0o1777);
        self.populate_synthetic(config.cpus);
        let proc_ = self.builtin_dir(root, b"proc", 0o555);
        let self_ = self.builtin_dir(proc_, b"self", 0o555);
        self.builtin_node(
            self_,
            b"exe",
            Node::Symlink(exe_path.as_bytes().to_vec()),
            0o777,
        );

        let mut budget = MAX_MOUNT_TOTAL;
        for m in &config.mounts {
            self.mount(m, &mut budget)
                .map_err(|e| format!("--mount {}:{}: {e}", m.host.display(), m.guest))?;
        }

        self.place_exe(exe_path, exe_bytes)
            .map_err(|e| format!("executable path {exe_path}: {e}"))?;

        // The cwd must exist in the guest tree (as chdir needs it): built in, mounted, or the
        // program's directory. It is never created.
        guest_components(&config.cwd).map_err(|e| format!("--cwd: {e}"))?;
        let cwd = self
            .lookup_at(AT_FDCWD, config.cwd.as_bytes(), LastLink::Follow, false)
            .map_err(|e| match e {
                crate::abi::Errno::ENOENT => format!(
                    "--cwd {}: no such directory in the guest (mount one there with --mount)",
                    config.cwd
                ),
                e => format!("--cwd {}: {e}", config.cwd),
            })?;
        if !self.inodes.get(cwd).is_dir() {
            return Err(format!(
                "--cwd {}: not a directory in the guest",
                config.cwd
            ));
        }
        self.inodes.hold(cwd);
        let old = std::mem::replace(&mut self.cwd, cwd);
        self.inodes.release(old);

        for (fd, (ino, acc)) in streams
            .into_iter()
            .zip([O_RDONLY, O_WRONLY, O_WRONLY])
            .enumerate()
        {
            let file: FileId = self.new_file(ino, acc);
            self.install_fd(fd as i32, file, false);
        }
        Ok(())
    }

    /// Creates a built-in directory `name` in `parent` (or returns the existing one).
    pub(super) fn builtin_dir(&mut self, parent: Ino, name: &[u8], perm: u32) -> Ino {
        if let Some(ino) = self.inodes.get(parent).dir().and_then(|d| d.get(name))
            && self.inodes.get(ino).is_dir()
        {
            return ino;
        }
        let mount = self.inodes.get(parent).mount;
        let ino = self
            .inodes
            .add(Node::Dir(Dir::new(parent)), perm, mount, Origin::Builtin);
        self.link_entry(parent, name, ino);
        ino
    }

    /// Creates a built-in node `name` in `parent`.
    fn builtin_node(&mut self, parent: Ino, name: &[u8], node: Node, perm: u32) -> Ino {
        let ino = self.inodes.add(node, perm, 0, Origin::Builtin);
        self.link_entry(parent, name, ino);
        ino
    }

    /// Creates the directories `parts` from the root as needed (like `mkdir -p`); an existing
    /// non-directory in the way (symlinks are not followed) is an error.
    fn mkdir_p(&mut self, parts: &[&[u8]]) -> Result<Ino, String> {
        let mut cur = self.root;
        for p in parts {
            match self.inodes.get(cur).dir().and_then(|d| d.get(p)) {
                Some(ino) if self.inodes.get(ino).is_dir() => cur = ino,
                Some(_) => {
                    return Err(format!(
                        "'{}' is not a directory",
                        String::from_utf8_lossy(p)
                    ));
                }
                None => cur = self.builtin_dir(cur, p, 0o755),
            }
        }
        Ok(cur)
    }

    /// Copies one `--mount` into the tree.
    fn mount(&mut self, m: &Mount, budget: &mut u64) -> Result<(), String> {
        let parts = guest_components(&m.guest)?;
        let meta = std::fs::metadata(&m.host)
            .map_err(|e| format!("cannot read host path {}: {e}", m.host.display()))?;
        let mount_id = if m.read_only {
            self.ro_roots.len() as u32 + 1
        } else {
            0
        };
        let Some((name, dirs)) = parts.split_last() else {
            // Mounting onto `/`: merge the directory's entries into the root.
            if !meta.is_dir() {
                return Err("only a directory can be mounted at /".to_string());
            }
            if m.read_only {
                return Err("the root cannot be mounted read-only".to_string());
            }
            return self.copy_dir_entries(&m.host, self.root, 0, budget);
        };
        let parent = self.mkdir_p(dirs)?;
        if self
            .inodes
            .get(parent)
            .dir()
            .and_then(|d| d.get(name))
            .is_some()
        {
            // A later mount hides what was there, as a real mount would.
            self.unlink_entry(parent, name);
        }
        let ino = if meta.is_dir() {
            let ino = self.inodes.add(
                Node::Dir(Dir::new(parent)),
                0o755,
                mount_id,
                Origin::Mounted,
            );
            self.link_entry(parent, name, ino);
            self.copy_dir_entries(&m.host, ino, mount_id, budget)?;
            ino
        } else if meta.is_file() {
            let bytes = read_mounted(&m.host, budget)?;
            let ino = self.inodes.add(
                Node::File(FileData::new(&bytes)),
                file_perm(meta.permissions().mode()),
                mount_id,
                Origin::Mounted,
            );
            self.link_entry(parent, name, ino);
            ino
        } else {
            return Err(format!(
                "{} is neither a file nor a directory",
                m.host.display()
            ));
        };
        if m.read_only {
            self.ro_roots.push(ino);
        }
        Ok(())
    }

    /// Copies the entries of host directory `host` into guest directory `dir`, recursively.
    fn copy_dir_entries(
        &mut self,
        host: &Path,
        dir: Ino,
        mount_id: u32,
        budget: &mut u64,
    ) -> Result<(), String> {
        let rd =
            std::fs::read_dir(host).map_err(|e| format!("cannot list {}: {e}", host.display()))?;
        let mut entries = rd
            .map(|e| e.map(|e| e.path()))
            .collect::<io::Result<Vec<_>>>()
            .map_err(|e| format!("cannot list {}: {e}", host.display()))?;
        entries.sort_by(|a, b| a.file_name().cmp(&b.file_name()));
        for path in entries {
            let name = path
                .file_name()
                .expect("listed entries have names")
                .as_bytes()
                .to_vec();
            let meta = std::fs::symlink_metadata(&path)
                .map_err(|e| format!("cannot stat {}: {e}", path.display()))?;
            let ft = meta.file_type();
            if self
                .inodes
                .get(dir)
                .dir()
                .and_then(|d| d.get(&name))
                .is_some()
            {
                self.unlink_entry(dir, &name);
            }
            if ft.is_dir() {
                let ino =
                    self.inodes
                        .add(Node::Dir(Dir::new(dir)), 0o755, mount_id, Origin::Mounted);
                self.link_entry(dir, &name, ino);
                self.copy_dir_entries(&path, ino, mount_id, budget)?;
            } else if ft.is_file() {
                let bytes = read_mounted(&path, budget)?;
                let perm = file_perm(meta.permissions().mode());
                let ino = self.inodes.add(
                    Node::File(FileData::new(&bytes)),
                    perm,
                    mount_id,
                    Origin::Mounted,
                );
                self.link_entry(dir, &name, ino);
            } else if ft.is_symlink() {
                let target = std::fs::read_link(&path)
                    .map_err(|e| format!("cannot read link {}: {e}", path.display()))?;
                let node = Node::Symlink(target.as_os_str().as_bytes().to_vec());
                let ino = self.inodes.add(node, 0o777, mount_id, Origin::Mounted);
                self.link_entry(dir, &name, ino);
            } else {
                log::warn!(
                    "mount: skipping {} (not a file, directory or symlink)",
                    path.display()
                );
            }
        }
        Ok(())
    }

    /// Puts the executable at `exe_path`: a regular file holding `bytes` that cannot be
    /// opened for writing while it runs (ETXTBSY). A file already there (from a mount) gets
    /// these bytes.
    fn place_exe(&mut self, exe_path: &str, bytes: &[u8]) -> Result<(), String> {
        let parts = guest_components(exe_path)?;
        let Some((name, dirs)) = parts.split_last() else {
            return Err("not a file path".to_string());
        };
        let parent = self.mkdir_p(dirs)?;
        let ino = match self.inodes.get(parent).dir().and_then(|d| d.get(name)) {
            Some(ino) => {
                let i = self.inodes.get_mut(ino);
                match &mut i.node {
                    Node::File(d) => {
                        if d.to_vec() != bytes {
                            *d = FileData::new(bytes);
                        }
                    }
                    _ => return Err("exists and is not a regular file".to_string()),
                }
                ino
            }
            None => {
                let mount = self.inodes.get(parent).mount;
                let ino = self.inodes.add(
                    Node::File(FileData::new(bytes)),
                    0o755,
                    mount,
                    Origin::Builtin,
                );
                self.link_entry(parent, name, ino);
                ino
            }
        };
        self.inodes.get_mut(ino).exec_busy = true;
        Ok(())
    }

    /// Writes every regular file the guest created or changed, and every directory it
    /// created, under `dir` at its guest path (guest `/tmp/out.txt` becomes
    /// `dir/tmp/out.txt`). Unchanged mounted and built-in files, symlinks, devices and
    /// unlinked files are not written. A file with several names is written at each.
    pub fn write_out(&self, dir: &Path) -> io::Result<()> {
        let mut result = Ok(());
        self.for_each_entry(|path, ino| {
            let i = self.inodes.get(ino);
            let host = dir.join(OsStr::from_bytes(&path[1..]));
            let r = match &i.node {
                Node::File(f) if i.origin == Origin::Guest || i.modified => {
                    write_host_file(&host, f, i.perm & 0o100 != 0)
                }
                Node::Dir(_) if i.origin == Origin::Guest => std::fs::create_dir_all(&host),
                _ => Ok(()),
            };
            match r {
                Ok(()) => ControlFlow::Continue(()),
                Err(e) => {
                    result = Err(io::Error::new(e.kind(), format!("{}: {e}", host.display())));
                    ControlFlow::Break(())
                }
            }
        });
        result
    }

    /// The regular files [`write_out`](Self::write_out) writes (or would write), as (guest
    /// path, contents), in the same order: name order, each directory before its contents.
    /// Read-only; for run receipts, which hash the outputs whether or not `--out-dir` is set.
    pub fn output_files(&self) -> Vec<(Vec<u8>, &FileData)> {
        let mut out = Vec::new();
        self.for_each_entry(|path, ino| {
            let i = self.inodes.get(ino);
            if let Node::File(f) = &i.node
                && (i.origin == Origin::Guest || i.modified)
            {
                out.push((path.to_vec(), f));
            }
            ControlFlow::Continue(())
        });
        out
    }

    /// Resolves a guest path from the root without following a final symlink (tests).
    #[cfg(test)]
    pub(crate) fn lookup_path(&self, path: &str) -> Option<Ino> {
        let link = super::path::LastLink::NoFollow;
        self.lookup_at(AT_FDCWD, path.as_bytes(), link, false).ok()
    }
}

/// Reads a mounted regular file, charging its size to `budget` (what all mounts may still
/// copy in).
fn read_mounted(path: &Path, budget: &mut u64) -> Result<Vec<u8>, String> {
    let bytes = crate::hostfile::read_regular(path, MAX_MOUNT_FILE.min(*budget)).map_err(|e| {
        format!(
            "cannot read {}: {e} (each mounted file may have {MAX_MOUNT_FILE} bytes, all \
             together {MAX_MOUNT_TOTAL})",
            path.display()
        )
    })?;
    *budget -= bytes.len() as u64;
    Ok(bytes)
}

/// Writes one output file, creating its parent directories; `exec` adds execute bits. Only
/// the file's data pages are written: its holes stay holes in the host file.
fn write_host_file(path: &Path, data: &FileData, exec: bool) -> io::Result<()> {
    use std::os::unix::fs::FileExt;
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let file = std::fs::File::create(path)?;
    for (offset, bytes) in data.extents().iter() {
        file.write_all_at(bytes, offset)?;
    }
    file.set_len(data.size())?;
    if exec {
        let mut p = std::fs::metadata(path)?.permissions();
        p.set_mode(p.mode() | 0o111);
        std::fs::set_permissions(path, p)?;
    }
    Ok(())
}

/// Normalised permission bits of a mounted host file.
fn file_perm(host_mode: u32) -> u32 {
    if host_mode & 0o100 != 0 { 0o755 } else { 0o644 }
}
