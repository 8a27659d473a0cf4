//! memfd files: `memfd_create` makes an unlinked regular file with a name and seals, and
//! `F_ADD_SEALS`/`F_GET_SEALS` manage the seals (mm/memfd.c). The seals themselves are
//! enforced where the file changes (see [`FileData`](super::inode::FileData)) and where it
//! is mapped (the mmap and mprotect handlers).

use super::Vfs;
use super::inode::{FileData, Memfd, Node, Origin};
use crate::abi::Errno;
use crate::abi::fcntl::*;

impl Vfs {
    /// `memfd_create`: a new unlinked regular file named `name`, open for reading and
    /// writing on the lowest free fd. `seals` are its starting seals (`F_SEAL_SEAL` unless
    /// sealing is allowed), `perm` its mode (0777, or 0666 for an exec-sealed one).
    pub fn memfd_create(
        &mut self,
        name: &[u8],
        seals: u32,
        perm: u32,
        cloexec: bool,
    ) -> Result<i32, Errno> {
        let fd = self.fds.lowest_free(0)?;
        let mut data = FileData::default();
        data.memfd = Some(Memfd {
            name: name.to_vec(),
            seals,
        });
        let ino = self.inodes.add(Node::File(data), perm, 0, Origin::Guest);
        let file = self.new_file(ino, O_RDWR | O_LARGEFILE);
        self.install_fd(fd, file, cloexec);
        Ok(fd)
    }

    /// The seals of the file behind `fd`: EINVAL unless it is a memfd.
    pub fn seals(&self, fd: i32) -> Result<u32, Errno> {
        let f = self.io_file(fd)?;
        match &self.inodes.get(f.ino).node {
            Node::File(FileData { memfd: Some(m), .. }) => Ok(m.seals),
            _ => Err(Errno::EINVAL),
        }
    }

    /// `F_ADD_SEALS` as Linux's `memfd_add_seals`: EPERM unless `fd` is open for writing,
    /// EINVAL for unknown seals or a file that is not a memfd, EPERM once `F_SEAL_SEAL` is
    /// set, EBUSY for `F_SEAL_WRITE` while `writable_mappings` (a shared mapping that may
    /// write exists); `F_SEAL_EXEC` on an executable file seals writes and size too.
    pub fn add_seals(&mut self, fd: i32, seals: u32, writable_mappings: bool) -> Result<(), Errno> {
        let f = self.io_file(fd)?;
        if !f.writable() {
            return Err(Errno::EPERM);
        }
        if seals & !F_ALL_SEALS != 0 {
            return Err(Errno::EINVAL);
        }
        let i = self.inodes.get_mut(f.ino);
        let perm = i.perm;
        let Node::File(FileData { memfd: Some(m), .. }) = &mut i.node else {
            return Err(Errno::EINVAL);
        };
        if m.seals & F_SEAL_SEAL != 0 {
            return Err(Errno::EPERM);
        }
        if seals & F_SEAL_WRITE != 0 && m.seals & F_SEAL_WRITE == 0 && writable_mappings {
            return Err(Errno::EBUSY);
        }
        let mut seals = seals;
        if seals & F_SEAL_EXEC != 0 && perm & 0o111 != 0 {
            seals |= F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_FUTURE_WRITE;
        }
        m.seals |= seals;
        Ok(())
    }

    /// The name of the memfd behind `fd` as `/proc/self/fd` shows it
    /// (`/memfd:NAME (deleted)`), or `None` when it is not a memfd.
    pub fn memfd_link(&self, fd: i32) -> Option<Vec<u8>> {
        let f = self.file(fd).ok()?;
        match &self.inodes.try_get(f.ino)?.node {
            Node::File(FileData { memfd: Some(m), .. }) => {
                let mut link = b"/memfd:".to_vec();
                link.extend_from_slice(&m.name);
                link.extend_from_slice(b" (deleted)");
                Some(link)
            }
            _ => None,
        }
    }

    /// Marks the file behind `fd` as changed (a writable shared mapping of it was made:
    /// stores through it change the file without a write call).
    pub fn mark_modified(&mut self, fd: i32) -> Result<(), Errno> {
        let ino = self.io_file(fd)?.ino;
        self.inodes.get_mut(ino).modified = true;
        Ok(())
    }
}
