//! `struct stat` (asm-generic/stat.h), `struct statx` (linux/stat.h) and `linux_dirent64`,
//! laid out exactly as riscv64 Linux writes them.

use super::Writer;

/// File-type mask of `st_mode`.
pub const S_IFMT: u32 = 0o170000;
/// Set-user-ID bit.
pub const S_ISUID: u32 = 0o4000;
/// Set-group-ID bit.
pub const S_ISGID: u32 = 0o2000;
/// Socket.
pub const S_IFSOCK: u32 = 0o140000;
/// Symbolic link.
pub const S_IFLNK: u32 = 0o120000;
/// Regular file.
pub const S_IFREG: u32 = 0o100000;
/// Block device.
pub const S_IFBLK: u32 = 0o060000;
/// Directory.
pub const S_IFDIR: u32 = 0o040000;
/// Character device.
pub const S_IFCHR: u32 = 0o020000;
/// FIFO (pipe).
pub const S_IFIFO: u32 = 0o010000;
/// Sticky bit: in a directory, only the owner may remove or rename entries.
pub const S_ISVTX: u32 = 0o1000;

/// `d_type` of an unknown file.
pub const DT_UNKNOWN: u8 = 0;
/// `d_type` of a FIFO.
pub const DT_FIFO: u8 = 1;
/// `d_type` of a socket.
pub const DT_SOCK: u8 = 12;
/// `d_type` of a character device.
pub const DT_CHR: u8 = 2;
/// `d_type` of a directory.
pub const DT_DIR: u8 = 4;
/// `d_type` of a regular file.
pub const DT_REG: u8 = 8;
/// `d_type` of a symlink.
pub const DT_LNK: u8 = 10;

/// `makedev` as the kernel encodes it in `st_dev`/`st_rdev` (new_encode_dev).
pub const fn encode_dev(major: u32, minor: u32) -> u64 {
    (minor as u64 & 0xff) | ((major as u64) << 8) | ((minor as u64 & !0xff) << 12)
}

/// Metadata of a file, as `stat` and `statx` report it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stat {
    /// Device holding the file (major, minor).
    pub dev: (u32, u32),
    /// Inode number.
    pub ino: u64,
    /// File type and permission bits.
    pub mode: u32,
    /// Hard links.
    pub nlink: u32,
    /// Owner.
    pub uid: u32,
    /// Group.
    pub gid: u32,
    /// Device number of a device file (major, minor).
    pub rdev: (u32, u32),
    /// Size in bytes.
    pub size: u64,
    /// Preferred I/O size.
    pub blksize: u32,
    /// 512-byte blocks allocated.
    pub blocks: u64,
    /// Access, modification and status change times: (seconds, nanoseconds).
    pub times: [(i64, u32); 3],
    /// Birth time.
    pub btime: (i64, u32),
    /// Mount id (statx).
    pub mnt_id: u64,
    /// The root of a mount (statx `STATX_ATTR_MOUNT_ROOT`).
    pub mount_root: bool,
}

/// Size of `struct stat` on riscv64.
pub const STAT_SIZE: usize = 128;
/// Size of `struct statx`.
pub const STATX_SIZE: usize = 256;

/// statx mask: the fields of `struct stat`.
pub const STATX_BASIC_STATS: u32 = 0x7ff;
/// statx mask: `stx_btime`.
pub const STATX_BTIME: u32 = 0x800;
/// statx mask: `stx_mnt_id`.
pub const STATX_MNT_ID: u32 = 0x1000;
/// statx mask bit reserved for future expansion (EINVAL when requested).
pub const STATX_RESERVED: u32 = 0x8000_0000;
/// What rvrun fills in every `struct statx` it writes (whatever was asked, as Linux does
/// for fields it has at no cost).
pub const STATX_FILLED: u32 = STATX_BASIC_STATS | STATX_BTIME | STATX_MNT_ID;

/// statx attribute: append-only file.
pub const STATX_ATTR_APPEND: u64 = 0x20;
/// statx attribute: immutable file.
pub const STATX_ATTR_IMMUTABLE: u64 = 0x10;
/// statx attribute: not to be dumped.
pub const STATX_ATTR_NODUMP: u64 = 0x40;
/// statx attribute: the root of a mount.
pub const STATX_ATTR_MOUNT_ROOT: u64 = 0x2000;
/// The attributes rvrun reports on (`stx_attributes_mask`); only the mount root can be set.
pub const STATX_ATTRS_KNOWN: u64 =
    STATX_ATTR_APPEND | STATX_ATTR_IMMUTABLE | STATX_ATTR_NODUMP | STATX_ATTR_MOUNT_ROOT;

/// `struct stat` (128 bytes).
pub fn stat(st: &Stat) -> Writer {
    let mut w = Writer::new();
    w.u64(encode_dev(st.dev.0, st.dev.1))
        .u64(st.ino)
        .u32(st.mode)
        .u32(st.nlink)
        .u32(st.uid)
        .u32(st.gid)
        .u64(encode_dev(st.rdev.0, st.rdev.1))
        .u64(0) // __pad1
        .i64(st.size as i64)
        .u32(st.blksize)
        .u32(0) // __pad2
        .i64(st.blocks as i64);
    for t in st.times {
        // st_atime, st_mtime, st_ctime with their nanoseconds.
        w.i64(t.0).u64(t.1 as u64);
    }
    w.u32(0).u32(0); // __unused4, __unused5
    debug_assert_eq!(w.0.len(), STAT_SIZE);
    w
}

/// `struct statx` (256 bytes), with `stx_mask` = [`STATX_FILLED`].
pub fn statx(st: &Stat) -> Writer {
    let mut w = Writer::new();
    w.u32(STATX_FILLED)
        .u32(st.blksize)
        .u64(if st.mount_root {
            STATX_ATTR_MOUNT_ROOT
        } else {
            0
        })
        .u32(st.nlink)
        .u32(st.uid)
        .u32(st.gid)
        .u16(st.mode as u16)
        .u16(0) // __spare0
        .u64(st.ino)
        .u64(st.size)
        .u64(st.blocks)
        .u64(STATX_ATTRS_KNOWN);
    let [atime, mtime, ctime] = st.times;
    for t in [atime, st.btime, ctime, mtime] {
        // stx_atime, stx_btime, stx_ctime, stx_mtime: tv_sec, tv_nsec, __reserved.
        w.i64(t.0).u32(t.1).u32(0);
    }
    w.u32(st.rdev.0)
        .u32(st.rdev.1)
        .u32(st.dev.0)
        .u32(st.dev.1)
        .u64(st.mnt_id);
    w.zeros(STATX_SIZE - w.0.len());
    debug_assert_eq!(w.0.len(), STATX_SIZE);
    w
}

/// Length of the `linux_dirent64` record for a name of `name_len` bytes: the 19-byte
/// header, the name, its NUL, padded to 8 bytes.
pub fn dirent64_len(name_len: usize) -> usize {
    (19 + name_len + 1).next_multiple_of(8)
}

/// Appends one `linux_dirent64` record to `w`: d_ino, d_off, d_reclen, d_type, d_name.
pub fn dirent64(w: &mut Writer, ino: u64, next_offset: u64, dtype: u8, name: &[u8]) {
    let start = w.0.len();
    let reclen = dirent64_len(name.len());
    w.u64(ino)
        .i64(next_offset as i64)
        .u16(reclen as u16)
        .u8(dtype)
        .bytes(name)
        .u8(0);
    w.zeros(start + reclen - w.0.len());
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Stat {
        Stat {
            dev: (0, 32),
            ino: 7,
            mode: 0o100644,
            nlink: 1,
            uid: 1000,
            gid: 1000,
            rdev: (1, 3),
            size: 5,
            blksize: 4096,
            blocks: 8,
            times: [(1_704_067_200, 0); 3],
            btime: (1_704_067_200, 0),
            mnt_id: 25,
            mount_root: false,
        }
    }

    fn u64_at(b: &[u8], off: usize) -> u64 {
        u64::from_le_bytes(b[off..off + 8].try_into().unwrap())
    }
    fn u32_at(b: &[u8], off: usize) -> u32 {
        u32::from_le_bytes(b[off..off + 4].try_into().unwrap())
    }

    #[test]
    fn stat_layout() {
        let b = stat(&sample()).0;
        assert_eq!(b.len(), 128);
        assert_eq!(u64_at(&b, 0), 32); // st_dev
        assert_eq!(u64_at(&b, 8), 7); // st_ino
        assert_eq!(u32_at(&b, 16), 0o100644); // st_mode
        assert_eq!(u32_at(&b, 20), 1); // st_nlink
        assert_eq!(u32_at(&b, 24), 1000); // st_uid
        assert_eq!(u64_at(&b, 32), (1 << 8) | 3); // st_rdev
        assert_eq!(u64_at(&b, 48), 5); // st_size
        assert_eq!(u32_at(&b, 56), 4096); // st_blksize
        assert_eq!(u64_at(&b, 64), 8); // st_blocks
        assert_eq!(u64_at(&b, 72), 1_704_067_200); // st_atime
        assert_eq!(u64_at(&b, 88), 1_704_067_200); // st_mtime
        assert_eq!(u64_at(&b, 104), 1_704_067_200); // st_ctime
    }

    #[test]
    fn statx_layout() {
        let mut s = sample();
        s.mount_root = true;
        let b = statx(&s).0;
        assert_eq!(b.len(), 256);
        assert_eq!(u32_at(&b, 0), STATX_FILLED);
        assert_eq!(u32_at(&b, 4), 4096);
        assert_eq!(u64_at(&b, 8), STATX_ATTR_MOUNT_ROOT);
        assert_eq!(u32_at(&b, 16), 1);
        assert_eq!(u16::from_le_bytes([b[28], b[29]]), 0o100644);
        assert_eq!(u64_at(&b, 32), 7);
        assert_eq!(u64_at(&b, 40), 5);
        assert_eq!(u64_at(&b, 48), 8);
        assert_eq!(u64_at(&b, 0x40), 1_704_067_200); // atime
        assert_eq!(u64_at(&b, 0x70), 1_704_067_200); // mtime
        assert_eq!((u32_at(&b, 0x80), u32_at(&b, 0x84)), (1, 3)); // rdev
        assert_eq!((u32_at(&b, 0x88), u32_at(&b, 0x8c)), (0, 32)); // dev
        assert_eq!(u64_at(&b, 0x90), 25); // mnt_id
    }

    #[test]
    fn dirent_records_are_8_aligned() {
        assert_eq!(dirent64_len(1), 24);
        assert_eq!(dirent64_len(4), 24);
        assert_eq!(dirent64_len(5), 32);
        let mut w = Writer::new();
        dirent64(&mut w, 3, 9, 8, b"hello");
        assert_eq!(w.0.len(), 32);
        assert_eq!(u64_at(&w.0, 0), 3);
        assert_eq!(u64_at(&w.0, 8), 9);
        assert_eq!(u16::from_le_bytes([w.0[16], w.0[17]]), 32);
        assert_eq!(w.0[18], 8);
        assert_eq!(&w.0[19..25], b"hello\0");
    }
}
