//! Reading host input files (the program, receipts, mounted files): regular files only, of
//! bounded size, checked on the opened file before anything is read into memory. A FIFO is
//! opened without blocking and refused; a device, a directory or a file larger than the
//! limit gets one clear error.

use std::fs::File;
use std::io::{self, Read};
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::path::Path;

/// The largest program file rvrun loads.
pub const MAX_PROGRAM: u64 = 1 << 30;
/// The largest receipt file `rvrun verify` reads.
pub const MAX_RECEIPT: u64 = 256 << 20;
/// The largest single file `--mount` copies in.
pub const MAX_MOUNT_FILE: u64 = 1 << 30;
/// The most bytes all `--mount`s together copy in.
pub const MAX_MOUNT_TOTAL: u64 = 4 << 30;
/// The most bytes of a guest's stdin read in full up front (`--receipt`, `--trace`,
/// `--stdin FILE`).
pub const MAX_STDIN: u64 = 256 << 20;

/// What kind of non-regular file `ft` is, for messages.
fn kind(ft: &std::fs::FileType) -> &'static str {
    if ft.is_dir() {
        "a directory"
    } else if ft.is_fifo() {
        "a FIFO"
    } else if ft.is_char_device() {
        "a character device"
    } else if ft.is_block_device() {
        "a block device"
    } else if ft.is_socket() {
        "a socket"
    } else {
        "not a regular file"
    }
}

fn invalid(msg: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, msg)
}

/// Opens `path` for reading without blocking (a FIFO would otherwise wait for a writer) and
/// returns it with its size, when it is a regular file of at most `limit` bytes.
pub fn open_regular(path: &Path, limit: u64) -> io::Result<(File, u64)> {
    let file = File::options()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)?;
    let meta = file.metadata()?;
    let ft = meta.file_type();
    if !ft.is_file() {
        return Err(invalid(format!("is {}, not a regular file", kind(&ft))));
    }
    if meta.len() > limit {
        return Err(invalid(format!(
            "is {} bytes, more than the {} rvrun accepts",
            meta.len(),
            limit
        )));
    }
    Ok((file, meta.len()))
}

/// Reads the regular file `path` of at most `limit` bytes (see [`open_regular`]). A file that
/// grows past the limit while being read is refused too.
pub fn read_regular(path: &Path, limit: u64) -> io::Result<Vec<u8>> {
    let (file, len) = open_regular(path, limit)?;
    let mut bytes = Vec::with_capacity(len as usize);
    file.take(limit + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(invalid(format!(
            "grew past the {limit} bytes rvrun accepts while being read"
        )));
    }
    Ok(bytes)
}

/// Reads all of `r` (a stream: stdin, a pipe, a FIFO), refusing more than `limit` bytes
/// (`/dev/zero` would otherwise fill memory).
pub fn read_stream(r: impl Read, limit: u64) -> io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    r.take(limit + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(invalid(format!(
            "has more than the {limit} bytes rvrun accepts"
        )));
    }
    Ok(bytes)
}

/// Reads the file or stream at `path` (a FIFO is fine: it is read as a stream), refusing
/// directories and more than `limit` bytes.
pub fn read_input(path: &Path, limit: u64) -> io::Result<Vec<u8>> {
    let file = File::open(path)?;
    let ft = file.metadata()?.file_type();
    if ft.is_dir() {
        return Err(invalid(format!("is {}", kind(&ft))));
    }
    read_stream(file, limit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_regular_files_of_bounded_size_are_read() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("f");
        std::fs::write(&f, b"12345").unwrap();
        assert_eq!(read_regular(&f, 5).unwrap(), b"12345");
        let e = read_regular(&f, 4).unwrap_err().to_string();
        assert!(e.contains("is 5 bytes, more than the 4"), "{e}");
        let e = read_regular(dir.path(), 4).unwrap_err().to_string();
        assert!(e.contains("a directory"), "{e}");
        let e = read_regular(Path::new("/dev/zero"), 1 << 30)
            .unwrap_err()
            .to_string();
        assert!(e.contains("a character device"), "{e}");
        // A FIFO without a writer: refused at once, not waited on.
        let fifo = dir.path().join("fifo");
        let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        // SAFETY: c is a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        let e = read_regular(&fifo, 1 << 30).unwrap_err().to_string();
        assert!(e.contains("a FIFO"), "{e}");
        // A sparse file larger than the limit is refused before anything is read.
        let big = dir.path().join("big");
        let fh = File::create(&big).unwrap();
        fh.set_len(10 << 30).unwrap();
        let e = read_regular(&big, MAX_PROGRAM).unwrap_err().to_string();
        assert!(e.contains("is 10737418240 bytes"), "{e}");
        // Streams: read up to the limit.
        assert_eq!(read_input(&f, 5).unwrap(), b"12345");
        let e = read_input(Path::new("/dev/zero"), 1 << 20)
            .unwrap_err()
            .to_string();
        assert!(e.contains("more than the 1048576 bytes"), "{e}");
        assert!(read_input(dir.path(), 5).is_err());
    }
}
