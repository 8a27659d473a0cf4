//! Device files (`/dev/null`, `/dev/zero`, `/dev/full`, `/dev/random`, `/dev/urandom`) and
//! the host streams behind fds 0, 1 and 2.
//!
//! The host streams pass bytes through unchanged, but never let a host property reach the
//! guest: they `fstat` as pipes with fixed fields, are never terminals (TCGETS answers
//! ENOTTY), cannot seek (ESPIPE), and a read of stdin returns as many bytes as asked for
//! until end of input, however the host delivers them, so the guest sees the same reads
//! whatever the host pipe's timing. A consequence: an interactive guest reading a line with
//! a large buffer waits until that buffer is full or stdin ends.

use super::inode::FileKind;
use crate::abi::Errno;
use crate::rng::GuestRng;
use std::io::{ErrorKind, Read, Write};

/// One of the host's standard streams.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stream {
    /// Host stdin (read only).
    Stdin,
    /// Host stdout (write only).
    Stdout,
    /// Host stderr (write only).
    Stderr,
}

/// A device file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Device {
    /// `/dev/null`: reads end at once, writes vanish.
    Null,
    /// `/dev/zero`: reads give zeros, writes vanish.
    Zero,
    /// `/dev/full`: reads give zeros, writes fail with ENOSPC.
    Full,
    /// `/dev/random`: the seeded random stream.
    Random,
    /// `/dev/urandom`: the seeded random stream.
    Urandom,
    /// A host stream.
    Host(Stream),
}

impl Device {
    /// Character device or FIFO (the host streams).
    pub fn kind(self) -> FileKind {
        match self {
            Device::Host(_) => FileKind::Fifo,
            _ => FileKind::CharDevice,
        }
    }

    /// The device number (`st_rdev`).
    pub fn rdev(self) -> (u32, u32) {
        match self {
            Device::Null => (1, 3),
            Device::Zero => (1, 5),
            Device::Full => (1, 7),
            Device::Random => (1, 8),
            Device::Urandom => (1, 9),
            Device::Host(_) => (0, 0),
        }
    }

    /// True when the device has a file position (`lseek` succeeds and returns 0 or keeps
    /// the position); the host streams are pipes (ESPIPE).
    pub fn seekable(self) -> bool {
        !matches!(self, Device::Host(_))
    }
}

/// Where the host streams go. [`HostStdio::host`] is the process's real stdin, stdout and
/// stderr; tests and embedders can substitute buffers.
pub struct HostStdio {
    /// Source of reads from [`Stream::Stdin`].
    pub stdin: Box<dyn Read>,
    /// Sink of writes to [`Stream::Stdout`].
    pub stdout: Box<dyn Write>,
    /// Sink of writes to [`Stream::Stderr`].
    pub stderr: Box<dyn Write>,
}

impl std::fmt::Debug for HostStdio {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("HostStdio")
    }
}

impl HostStdio {
    /// The host's own streams.
    pub fn host() -> HostStdio {
        HostStdio {
            stdin: Box::new(std::io::stdin()),
            stdout: Box::new(std::io::stdout()),
            stderr: Box::new(std::io::stderr()),
        }
    }

    /// Reads up to `max` bytes of stdin, stopping early only at end of input. A host read
    /// error counts as end of input (logged).
    fn read_stdin(&mut self, max: usize) -> Vec<u8> {
        let mut out = vec![0; max.min(1 << 20)];
        let mut got = 0;
        while got < max {
            if got == out.len() {
                out.resize((out.len() * 2).min(max), 0);
            }
            match self.stdin.read(&mut out[got..]) {
                Ok(0) => break,
                Ok(n) => got += n,
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) => {
                    log::warn!("reading host stdin failed ({e}): the guest sees end of input");
                    break;
                }
            }
        }
        out.truncate(got);
        out
    }

    /// Writes `data` to stdout or stderr and flushes it, so that the two streams interleave
    /// in the order the guest wrote them. A host error is the guest's, as Linux would give
    /// it for the same write: its errno (ENOSPC for /dev/full, EPIPE for a closed pipe), or
    /// the count written before it.
    fn write_stream(&mut self, s: Stream, data: &[u8]) -> Result<usize, Errno> {
        let w = match s {
            Stream::Stdout => &mut self.stdout,
            Stream::Stderr => &mut self.stderr,
            Stream::Stdin => return Err(Errno::EBADF),
        };
        let mut done = 0;
        while done < data.len() {
            match w.write(&data[done..]) {
                Ok(0) => break,
                Ok(n) => done += n,
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(_) if done > 0 => break,
                Err(e) => return Err(host_errno(&e)),
            }
        }
        match w.flush() {
            Ok(()) if done == 0 && !data.is_empty() => Err(Errno::EIO),
            Ok(()) => Ok(done),
            Err(_) if done > 0 => Ok(done),
            Err(e) => Err(host_errno(&e)),
        }
    }
}

/// The guest errno for a host I/O error: the host's own errno (Linux on both sides), EIO when
/// there is none.
fn host_errno(e: &std::io::Error) -> Errno {
    match e.raw_os_error() {
        Some(n) if n > 0 && n < 4096 => Errno(n as u16),
        _ if e.kind() == ErrorKind::BrokenPipe => Errno::EPIPE,
        _ => {
            log::warn!("host stream write failed: {e}");
            Errno::EIO
        }
    }
}

impl Device {
    /// Reads up to `max` bytes.
    pub fn read(self, max: usize, stdio: &mut HostStdio, rng: &mut GuestRng) -> Vec<u8> {
        match self {
            Device::Null => Vec::new(),
            Device::Zero | Device::Full => vec![0; max],
            Device::Random | Device::Urandom => {
                let mut v = vec![0; max];
                rng.fill(&mut v);
                v
            }
            Device::Host(Stream::Stdin) => stdio.read_stdin(max),
            // Write-only streams are opened write-only; reading them is refused earlier.
            Device::Host(_) => Vec::new(),
        }
    }

    /// Writes `data`, returning the count written.
    pub fn write(self, data: &[u8], stdio: &mut HostStdio) -> Result<usize, Errno> {
        match self {
            // Writing to the random devices mixes entropy in on Linux; the seeded stream
            // ignores it so that the run stays a function of the seed.
            Device::Null | Device::Zero | Device::Random | Device::Urandom => Ok(data.len()),
            Device::Full => {
                if data.is_empty() {
                    Ok(0)
                } else {
                    Err(Errno::ENOSPC)
                }
            }
            Device::Host(s) => {
                if data.is_empty() {
                    return Ok(0);
                }
                stdio.write_stream(s, data)
            }
        }
    }
}
