//! Fuzz target bodies, shared by the libFuzzer targets in `fuzz/` and by the corpus replay
//! test (`tests/fuzz_corpus.rs`), which runs every checked-in seed and regression input
//! through the same functions without libFuzzer.
//!
//! Each body takes arbitrary bytes, bounds its own work (instruction limits, small mapped
//! areas) and panics only when it finds a bug: a panic inside rvrun, two runs of the same
//! input that end differently, or (for [`insn`]) two execution paths that disagree.
//!
//! - [`elf`]: the ELF loader and the first million instructions of the loaded program,
//!   through [`Process::new`](crate::kernel::process::Process::new) and
//!   [`Process::run`](crate::kernel::process::Process::run) as `rvrun run` uses them;
//! - [`insn`]: raw instruction words run as decoded blocks, stepped under an observer, and
//!   one instruction per call; all three must end in the same state;
//! - [`syscall`]: a tiny guest that makes a list of syscalls with arbitrary numbers and
//!   arguments (pointers aimed into its own memory);
//! - [`trace`]: the trace reader, renderer and statistics on arbitrary bytes.
//!
//! [`image`] builds the small in-memory ELF files the targets and their seeds use.

pub mod elf;
pub mod image;
pub mod insn;
pub mod syscall;
pub mod trace;

use std::io::{self, Write};
use std::sync::{Arc, Mutex};

/// One fuzz target: its name (the `fuzz/fuzz_targets/<name>.rs` file and the
/// `fuzz/corpus/<name>/` directory) and its body.
#[derive(Clone, Copy)]
pub struct Target {
    /// Name of the target.
    pub name: &'static str,
    /// The body: panics on a finding.
    pub run: fn(&[u8]),
}

/// Every fuzz target.
pub const TARGETS: &[Target] = &[
    Target {
        name: "elf",
        run: elf::run,
    },
    Target {
        name: "insn",
        run: insn::run,
    },
    Target {
        name: "syscall",
        run: syscall::run,
    },
    Target {
        name: "trace",
        run: trace::run,
    },
];

/// Bytes a captured guest stream keeps (the rest is only counted).
const CAPTURE_LIMIT: usize = 1 << 16;

/// A guest output stream kept in memory (up to [`CAPTURE_LIMIT`] bytes, plus a total count),
/// so that fuzzed guests write nothing to the host and their output can be compared.
#[derive(Clone, Default)]
pub struct Capture(Arc<Mutex<(Vec<u8>, u64)>>);

impl Capture {
    /// The bytes kept and the total number written.
    pub fn contents(&self) -> (Vec<u8>, u64) {
        self.0.lock().map(|g| g.clone()).unwrap_or_default()
    }
}

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if let Ok(mut g) = self.0.lock() {
            let room = CAPTURE_LIMIT.saturating_sub(g.0.len());
            g.0.extend_from_slice(&buf[..buf.len().min(room)]);
            g.1 += buf.len() as u64;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Reads values off the front of a fuzz input; past its end every read yields zeros.
pub struct Bytes<'a> {
    data: &'a [u8],
}

impl<'a> Bytes<'a> {
    /// A reader over `data`.
    pub fn new(data: &'a [u8]) -> Self {
        Bytes { data }
    }

    /// The next byte (0 past the end).
    pub fn u8(&mut self) -> u8 {
        match self.data.split_first() {
            Some((&b, rest)) => {
                self.data = rest;
                b
            }
            None => 0,
        }
    }

    /// The next `N` bytes as a little-endian number (zero-padded past the end).
    pub fn le<const N: usize>(&mut self) -> u64 {
        let mut v = 0u64;
        for i in 0..N.min(8) {
            v |= u64::from(self.u8()) << (8 * i);
        }
        v
    }

    /// Everything not read yet.
    pub fn rest(&self) -> &'a [u8] {
        self.data
    }
}
