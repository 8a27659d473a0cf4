//! Directories: entries sorted by name, and the listing cursor `getdents64` resumes from.
//!
//! A listing yields `.` and `..` first, then the entries in byte order of their names. The
//! offset of an open directory counts the positions consumed: 0 is the start, 1 is after
//! `.`, 2 after `..`, and `2 + k` after the first `k` names of a snapshot of the names taken
//! when the listing (re)starts at offset 0. Entries removed after the snapshot are skipped,
//! entries added after it are not listed until the directory is rewound; so offsets are
//! stable `d_off` cookies for `lseek`, and changes during iteration neither crash nor repeat
//! entries.

use super::inode::Ino;
use std::collections::BTreeMap;

/// A directory's entries (without `.` and `..`) and its parent.
#[derive(Debug)]
pub struct Dir {
    entries: BTreeMap<Vec<u8>, Ino>,
    /// The parent directory (the root is its own parent).
    pub parent: Ino,
}

impl Dir {
    /// An empty directory under `parent`.
    pub fn new(parent: Ino) -> Dir {
        Dir {
            entries: BTreeMap::new(),
            parent,
        }
    }

    /// The inode linked as `name`.
    pub fn get(&self, name: &[u8]) -> Option<Ino> {
        self.entries.get(name).copied()
    }

    /// Links `name` to `ino`, replacing any previous entry.
    pub fn insert(&mut self, name: &[u8], ino: Ino) -> Option<Ino> {
        self.entries.insert(name.to_vec(), ino)
    }

    /// Unlinks `name`.
    pub fn remove(&mut self, name: &[u8]) -> Option<Ino> {
        self.entries.remove(name)
    }

    /// Number of entries (without `.` and `..`).
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when the directory has no entries besides `.` and `..`.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The entries in name order.
    pub fn iter(&self) -> impl Iterator<Item = (&[u8], Ino)> {
        self.entries.iter().map(|(k, v)| (k.as_slice(), *v))
    }

    /// The name under which `ino` is linked.
    pub fn name_of(&self, ino: Ino) -> Option<&[u8]> {
        self.entries
            .iter()
            .find(|(_, v)| **v == ino)
            .map(|(k, _)| k.as_slice())
    }

    /// The names, in listing order (a cursor snapshot).
    pub fn snapshot(&self) -> Vec<Vec<u8>> {
        self.entries.keys().cloned().collect()
    }
}

/// One entry produced by a directory listing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DirEntry {
    /// Inode number.
    pub ino: Ino,
    /// The cookie of the position after this entry (`d_off`).
    pub next_offset: u64,
    /// `DT_*` type.
    pub dtype: u8,
    /// The name.
    pub name: Vec<u8>,
}
