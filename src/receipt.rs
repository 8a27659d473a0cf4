//! Run receipts: a JSON document naming every input of a run by its SHA-256 and every
//! observable result by its digest, so that anyone holding the same inputs can re-run the
//! program (`rvrun verify`) and check that they get the same outcome, bit for bit.
//!
//! The format and the exact byte streams behind each digest are specified in
//! `docs/receipts.md`. In short:
//!
//! - inputs: the program file, argv, env, cwd, seed, epoch, clock rate, instruction limit,
//!   `--allow-unsupported`, every mounted file as the guest sees it at start (by guest path),
//!   and stdin (read in full before the guest starts, see [`Recorder`]);
//! - outcome: how the process ended, the retired instruction count, the bytes the guest
//!   wrote to fds 1 and 2, every file the guest created or changed (what `--out-dir`
//!   receives), and a digest of the final registers and mapped memory.
//!
//! Host paths appear only in the informational `host` section, which [`compare_receipts`]
//! ignores: two machines with the same inputs produce the same `inputs` and `outcome`.

use crate::abi::fcntl::AT_FDCWD;
use crate::abi::stat::{S_IFDIR, S_IFLNK, S_IFMT, S_IFREG};
use crate::config::{Mount, RunConfig};
use crate::cpu::Cpu;
use crate::kernel::process::{ExitReason, Process};
use crate::mem::{DEFAULT_MAX_MEMORY, GuestMemory};
use crate::vfs::HostStdio;
use crate::vfs::inode::FileData;
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};
use std::cell::RefCell;
use std::io::{Read, Write};
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::rc::Rc;

/// The `format` field of every receipt this version writes.
pub const FORMAT: &str = "rvrun-receipt/1";

/// The domain-separation prefix of the state digest's byte stream.
pub const STATE_MAGIC: &[u8] = b"rvrun-state-v2\0";

/// What went wrong producing or checking a receipt.
#[derive(Debug)]
pub enum ReceiptError {
    /// A host file could not be read or written.
    Io {
        /// What was being done, naming the file.
        what: String,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A receipt file is not valid receipt JSON.
    Parse {
        /// The receipt file.
        path: PathBuf,
        /// The parser's message.
        message: String,
    },
    /// The receipt is well-formed JSON but cannot be re-run (unknown format, bad field).
    Invalid(String),
    /// rvrun could not set the run up (unloadable program, bad mount...).
    Setup(String),
}

impl std::fmt::Display for ReceiptError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReceiptError::Io { what, source } => write!(f, "{what}: {source}"),
            ReceiptError::Parse { path, message } => {
                write!(f, "{}: not a valid receipt: {message}", path.display())
            }
            ReceiptError::Invalid(m) | ReceiptError::Setup(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for ReceiptError {}

/// The digest of one byte string.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlobDigest {
    /// Length in bytes.
    pub size: u64,
    /// SHA-256, lower-case hex: of the bytes, or for a sparse file of its data extents.
    pub sha256: String,
    /// The file has holes, and `sha256` is taken over its data extents (see
    /// [`BlobDigest::of_file`]) rather than over every byte: hashing never reads a hole.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub sparse: bool,
}

/// Domain separation of the extent digest of a sparse file.
const SPARSE_DIGEST_TAG: &[u8] = b"rvrun sparse file v1\0";

impl BlobDigest {
    /// The digest of `data`.
    pub fn of(data: &[u8]) -> BlobDigest {
        BlobDigest {
            size: data.len() as u64,
            sha256: sha256_hex(data),
            sparse: false,
        }
    }

    /// The digest of a file in the guest filesystem. A file without holes gets the SHA-256
    /// of its bytes; a file with holes the SHA-256 of a tag, its size, then each data extent
    /// as offset and length (u64 little-endian) followed by its bytes, so that a 1 TiB file
    /// with one page of data hashes one page.
    pub fn of_file(file: &FileData) -> BlobDigest {
        let mut h = Sha256::new();
        let sparse = file.is_sparse();
        if sparse {
            h.update(SPARSE_DIGEST_TAG);
            h.update(file.size().to_le_bytes());
        }
        for (offset, bytes) in file.extents().iter() {
            if sparse {
                h.update(offset.to_le_bytes());
                h.update((bytes.len() as u64).to_le_bytes());
            }
            h.update(bytes);
        }
        BlobDigest {
            size: file.size(),
            sha256: hex::encode(h.finalize()),
            sparse,
        }
    }
}

/// One entry of a mounted tree, as the guest sees it when it starts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputEntry {
    /// Absolute guest path.
    pub path: String,
    /// `file`, `dir` or `symlink`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Permission bits as the guest sees them (normalised at mount time).
    pub mode: u32,
    /// Size and SHA-256 of the contents (files) or of the link target (symlinks); absent
    /// for directories.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest: Option<BlobDigest>,
}

/// One `--mount`, without its host path.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MountInput {
    /// Absolute guest path.
    pub guest: String,
    /// Mounted read-only.
    pub read_only: bool,
    /// Everything at and below `guest` when the guest starts, in name order, each
    /// directory before its contents.
    pub entries: Vec<InputEntry>,
}

/// Everything a run depends on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inputs {
    /// The program file.
    pub program: BlobDigest,
    /// argv, argv[0] included (the program path as given: the guest sees it).
    pub argv: Vec<String>,
    /// The guest environment, `KEY=VALUE`, in order.
    pub env: Vec<String>,
    /// The initial working directory.
    pub cwd: String,
    /// `--seed`.
    pub seed: u64,
    /// `--epoch`, seconds.
    pub epoch: u64,
    /// `--clock-hz`.
    pub clock_hz: u64,
    /// `--quantum`: instructions a thread runs before the scheduler switches (null in
    /// receipts written before threads existed; read as the default).
    pub quantum: Option<u64>,
    /// `--cpus` (null in receipts written before the option existed; read as 1).
    #[serde(default)]
    pub cpus: Option<u32>,
    /// `--max-insns`.
    pub max_insns: Option<u64>,
    /// `--max-memory` in bytes (absent in receipts written before the cap existed; read as
    /// the default).
    #[serde(default)]
    pub max_memory: Option<u64>,
    /// `--allow-unsupported`.
    pub allow_unsupported: bool,
    /// The mounts, in command-line order.
    pub mounts: Vec<MountInput>,
    /// All of stdin.
    pub stdin: BlobDigest,
}

/// How the process ended.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ExitRecord {
    /// exit/exit_group.
    Exited {
        /// The status passed to exit (all 32 bits).
        code: i32,
    },
    /// Killed by a signal.
    Signaled {
        /// The signal number.
        signal: u32,
    },
    /// Stopped by rvrun.
    Stopped {
        /// Why.
        message: String,
    },
}

impl From<&ExitReason> for ExitRecord {
    fn from(r: &ExitReason) -> ExitRecord {
        match r {
            ExitReason::Exited(code) => ExitRecord::Exited { code: *code },
            ExitReason::Signaled(signal) => ExitRecord::Signaled { signal: *signal },
            ExitReason::Stopped(message) => ExitRecord::Stopped {
                message: message.clone(),
            },
        }
    }
}

/// One file the guest created or changed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutputFile {
    /// Absolute guest path (the `--out-dir` file is at this path below the directory).
    pub path: String,
    /// Its contents.
    #[serde(flatten)]
    pub digest: BlobDigest,
}

/// The final guest state.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StateDigest {
    /// Threads hashed.
    pub threads: u64,
    /// Memory regions hashed.
    pub regions: u64,
    /// Bytes of memory hashed.
    pub memory_bytes: u64,
    /// SHA-256 of the byte stream defined in `docs/receipts.md`.
    pub sha256: String,
}

/// What the run did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outcome {
    /// How it ended.
    pub exit: ExitRecord,
    /// The exit status rvrun returned (guest status, 128+signal, or 125).
    pub status: i32,
    /// Retired instructions, all threads.
    pub instructions: u64,
    /// Bytes written to fd 1 (and `/dev/stdout`).
    pub stdout: BlobDigest,
    /// Bytes written to fd 2 (and `/dev/stderr`); rvrun's own messages are not included.
    pub stderr: BlobDigest,
    /// Every file `--out-dir` receives (or would receive), by guest path.
    pub outputs: Vec<OutputFile>,
    /// Registers and memory at the end.
    pub state: StateDigest,
}

/// Informational host details, used by `rvrun verify` to find the inputs again; never
/// compared.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HostInfo {
    /// The program path as given.
    pub program: String,
    /// Host path of each mount, in the order of `inputs.mounts`.
    pub mounts: Vec<String>,
}

impl HostInfo {
    /// The host details of a run of the program at `program` with `mounts`.
    pub fn new(program: &str, mounts: &[Mount]) -> HostInfo {
        HostInfo {
            program: program.to_string(),
            mounts: mounts
                .iter()
                .map(|m| m.host.to_string_lossy().into_owned())
                .collect(),
        }
    }
}

/// A run receipt.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Receipt {
    /// Always [`FORMAT`].
    pub format: String,
    /// The rvrun version that wrote it (a difference is reported, not counted).
    pub rvrun_version: String,
    /// The inputs.
    pub inputs: Inputs,
    /// The outcome.
    pub outcome: Outcome,
    /// Host paths (informational, excluded from comparison).
    pub host: HostInfo,
}

impl Receipt {
    /// Pretty JSON with a final newline.
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).expect("receipts serialise");
        s.push('\n');
        s
    }

    /// Reads a receipt file.
    pub fn load(path: &Path) -> Result<Receipt, ReceiptError> {
        let text = crate::hostfile::read_regular(path, crate::hostfile::MAX_RECEIPT).map_err(
            |source| ReceiptError::Io {
                what: format!("cannot read receipt {}", path.display()),
                source,
            },
        )?;
        let r: Receipt = serde_json::from_slice(&text).map_err(|e| ReceiptError::Parse {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
        if r.format != FORMAT {
            return Err(ReceiptError::Invalid(format!(
                "{}: unknown receipt format '{}' (this rvrun reads {FORMAT})",
                path.display(),
                r.format.escape_debug()
            )));
        }
        Ok(r)
    }

    /// Writes the receipt to `path`.
    pub fn save(&self, path: &Path) -> Result<(), ReceiptError> {
        std::fs::write(path, self.to_json()).map_err(|source| ReceiptError::Io {
            what: format!("cannot write receipt {}", path.display()),
            source,
        })
    }
}

/// Lower-case hex SHA-256 of `data`.
pub fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

/// The input record of a process that has been built but not yet run: hashes `program`, the
/// configuration, the mounted trees as they are in the process's filesystem, and `stdin`.
pub fn inputs(config: &RunConfig, program: &[u8], process: &Process, stdin: &[u8]) -> Inputs {
    Inputs {
        program: BlobDigest::of(program),
        argv: config.argv.clone(),
        env: config.env.clone(),
        cwd: config.cwd.clone(),
        seed: config.seed,
        epoch: config.epoch,
        clock_hz: config.clock_hz,
        quantum: Some(config.quantum),
        cpus: Some(config.cpus),
        max_insns: config.max_insns,
        max_memory: Some(config.max_memory),
        allow_unsupported: config.allow_unsupported,
        mounts: config
            .mounts
            .iter()
            .map(|m| mount_input(process, m))
            .collect(),
        stdin: BlobDigest::of(stdin),
    }
}

/// `path` is `prefix` or below it (byte-wise, by whole components).
fn is_under(path: &[u8], prefix: &[u8]) -> bool {
    let prefix = if prefix.len() > 1 {
        prefix.strip_suffix(b"/").unwrap_or(prefix)
    } else {
        prefix
    };
    prefix == b"/"
        || path == prefix
        || (path.starts_with(prefix) && path.get(prefix.len()) == Some(&b'/'))
}

fn mount_input(process: &Process, m: &Mount) -> MountInput {
    let vfs = &process.vfs;
    let guest = normalise_guest(&m.guest);
    let mut entries = Vec::new();
    vfs.for_each_entry(|path, ino| {
        if !is_under(path, guest.as_bytes()) {
            return ControlFlow::Continue(());
        }
        let st = vfs.stat_inode(ino);
        let (kind, digest) = match st.mode & S_IFMT {
            S_IFREG => {
                let data = vfs
                    .inode_read_at(ino, 0, st.size as usize)
                    .unwrap_or_default();
                ("file", Some(BlobDigest::of(&data)))
            }
            S_IFDIR => ("dir", None),
            S_IFLNK => {
                let target = vfs.readlink(AT_FDCWD, path).unwrap_or_default();
                ("symlink", Some(BlobDigest::of(&target)))
            }
            _ => return ControlFlow::Continue(()),
        };
        entries.push(InputEntry {
            path: String::from_utf8_lossy(path).into_owned(),
            kind: kind.to_string(),
            mode: st.mode & 0o7777,
            digest,
        });
        ControlFlow::Continue(())
    });
    MountInput {
        guest: m.guest.clone(),
        read_only: m.read_only,
        entries,
    }
}

/// `/a//b/./c/` as `/a/b/c` (mount guest paths never contain `..`).
fn normalise_guest(p: &str) -> String {
    let parts: Vec<&str> = p
        .split('/')
        .filter(|c| !c.is_empty() && *c != ".")
        .collect();
    format!("/{}", parts.join("/"))
}

/// Hashes the final state: every thread's registers (in tid order) and every mapped region
/// with its bytes (in address order). See `docs/receipts.md` for the byte stream.
pub fn state_digest(threads: &[(u64, &Cpu)], mem: &GuestMemory) -> StateDigest {
    let mut h = Sha256::new();
    h.update(STATE_MAGIC);
    let mut threads = threads.to_vec();
    threads.sort_by_key(|(tid, _)| *tid);
    h.update((threads.len() as u64).to_le_bytes());
    for (tid, cpu) in &threads {
        h.update(tid.to_le_bytes());
        for i in 1..32 {
            h.update(cpu.reg(i).to_le_bytes());
        }
        for f in cpu.f {
            h.update(f.to_le_bytes());
        }
        h.update(cpu.pc.to_le_bytes());
        h.update(cpu.fcsr().to_le_bytes());
    }
    let regions: Vec<_> = mem.regions().collect();
    h.update((regions.len() as u64).to_le_bytes());
    let mut bytes = 0u64;
    for r in &regions {
        h.update(r.start.to_le_bytes());
        h.update(r.end.to_le_bytes());
        h.update([r.prot & crate::mem::perm::RWX]);
        // Only pages with data count: a zero page is hashed as absent, so that a large
        // mapping the guest never touched costs nothing to hash.
        mem.for_each_data_page(r.start, r.end, |page, data| {
            if data.iter().any(|&b| b != 0) {
                h.update(page.to_le_bytes());
                h.update(data);
            }
        });
        bytes += r.end - r.start;
    }
    StateDigest {
        threads: threads.len() as u64,
        regions: regions.len() as u64,
        memory_bytes: bytes,
        sha256: hex::encode(h.finalize()),
    }
}

/// A running SHA-256 and byte count of one output stream.
#[derive(Default)]
struct StreamHash {
    hasher: Sha256,
    size: u64,
}

/// A writer that hashes what passes through and forwards it to `inner`.
struct Tee {
    hash: Rc<RefCell<StreamHash>>,
    inner: Box<dyn Write>,
}

impl Write for Tee {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        let mut h = self.hash.borrow_mut();
        h.hasher.update(&buf[..n]);
        h.size += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// Records a run for its receipt: serves stdin from memory and hashes the guest's stdout
/// and stderr on their way to the host.
///
/// Stdin is read in full before the guest starts (by the caller), hashed as an input, and
/// served from memory. The guest sees the same bytes as with the host stream, because rvrun
/// already completes every stdin read up to the requested count or end of input; the cost is
/// that an interactive program cannot be recorded.
pub struct Recorder {
    stdout: Rc<RefCell<StreamHash>>,
    stderr: Rc<RefCell<StreamHash>>,
}

impl Recorder {
    /// Installs the recording streams on `process`: stdin reads `stdin`, and fds 1 and 2
    /// write through to `stdout` and `stderr`.
    pub fn attach(
        process: &mut Process,
        stdin: Vec<u8>,
        stdout: Box<dyn Write>,
        stderr: Box<dyn Write>,
    ) -> Recorder {
        let out = Rc::new(RefCell::new(StreamHash::default()));
        let err = Rc::new(RefCell::new(StreamHash::default()));
        process.vfs.set_stdio(HostStdio {
            stdin: Box::new(std::io::Cursor::new(stdin)),
            stdout: Box::new(Tee {
                hash: out.clone(),
                inner: stdout,
            }),
            stderr: Box::new(Tee {
                hash: err.clone(),
                inner: stderr,
            }),
        });
        Recorder {
            stdout: out,
            stderr: err,
        }
    }

    /// The outcome of `process`, which ended with `reason`.
    pub fn finish(self, process: &Process, reason: &ExitReason) -> Outcome {
        let take = |h: &Rc<RefCell<StreamHash>>| {
            let h = std::mem::take(&mut *h.borrow_mut());
            BlobDigest {
                size: h.size,
                sha256: hex::encode(h.hasher.finalize()),
                sparse: false,
            }
        };
        Outcome {
            exit: reason.into(),
            status: reason.status(),
            instructions: process.instret(),
            stdout: take(&self.stdout),
            stderr: take(&self.stderr),
            outputs: process
                .vfs
                .output_files()
                .into_iter()
                .map(|(path, data)| OutputFile {
                    path: String::from_utf8_lossy(&path).into_owned(),
                    digest: BlobDigest::of_file(data),
                })
                .collect(),
            state: state_digest(&threads_of(process), &process.mem),
        }
    }
}

/// Every live thread of `process` with its tid: the running one and the parked ones.
pub fn threads_of(process: &Process) -> Vec<(u64, &Cpu)> {
    std::iter::once((process.tid(), &process.cpu))
        .chain(process.sched.parked().map(|t| (t.ctx.tid, &t.cpu)))
        .collect()
}

/// Reads all of `r` (stdin for a recorded run), at most [`crate::hostfile::MAX_STDIN`] bytes.
pub fn read_all(r: impl Read, what: &str) -> Result<Vec<u8>, ReceiptError> {
    crate::hostfile::read_stream(r, crate::hostfile::MAX_STDIN).map_err(|source| ReceiptError::Io {
        what: format!("cannot read {what}"),
        source,
    })
}

/// Where `rvrun verify` finds the inputs: the receipt's host paths unless overridden.
#[derive(Clone, Debug, Default)]
pub struct VerifyOptions {
    /// The program file (default: `host.program`).
    pub program: Option<PathBuf>,
    /// Replacement host paths, by guest path (`HOST:GUEST` on the command line).
    pub mounts: Vec<Mount>,
    /// Stdin contents.
    pub stdin: Vec<u8>,
}

/// The result of re-running a receipt.
#[derive(Clone, Debug)]
pub struct Verification {
    /// The receipt of the re-run.
    pub rerun: Receipt,
    /// What differs (empty: everything matches).
    pub mismatches: Vec<String>,
    /// Differences that do not count (the rvrun version).
    pub notes: Vec<String>,
}

/// Re-runs `recorded` from its inputs and compares every digest.
pub fn verify(recorded: &Receipt, opts: &VerifyOptions) -> Result<Verification, ReceiptError> {
    let inp = &recorded.inputs;
    if recorded.host.mounts.len() != inp.mounts.len() {
        return Err(ReceiptError::Invalid(
            "receipt: host.mounts and inputs.mounts differ in length".to_string(),
        ));
    }
    for o in &opts.mounts {
        if !inp.mounts.iter().any(|m| m.guest == o.guest) {
            return Err(ReceiptError::Invalid(format!(
                "--mount {}:{}: the receipt has no mount at {}",
                o.host.display(),
                o.guest,
                o.guest
            )));
        }
    }
    let mounts = inp
        .mounts
        .iter()
        .zip(&recorded.host.mounts)
        .map(|(m, host)| Mount {
            host: opts
                .mounts
                .iter()
                .rev()
                .find(|o| o.guest == m.guest)
                .map(|o| o.host.clone())
                .unwrap_or_else(|| PathBuf::from(host)),
            guest: m.guest.clone(),
            read_only: m.read_only,
        })
        .collect::<Vec<_>>();
    // What the command line refuses, a receipt may not ask for either.
    if inp
        .cpus
        .is_some_and(|c| c == 0 || c > crate::kernel::syscalls::cpu::MAX_CPUS)
    {
        return Err(ReceiptError::Invalid(
            "receipt: cpus must be between 1 and 1024".to_string(),
        ));
    }
    if inp.clock_hz == 0 || inp.quantum == Some(0) {
        return Err(ReceiptError::Invalid(
            "receipt: clock_hz and quantum must be at least 1".to_string(),
        ));
    }
    if inp.epoch > crate::config::MAX_EPOCH {
        return Err(ReceiptError::Invalid(format!(
            "receipt: epoch {} is past the latest rvrun accepts ({})",
            inp.epoch,
            crate::config::MAX_EPOCH
        )));
    }
    let Some(exe_name) = inp.argv.first() else {
        return Err(ReceiptError::Invalid("receipt: argv is empty".to_string()));
    };
    let program_path = opts
        .program
        .clone()
        .unwrap_or_else(|| PathBuf::from(&recorded.host.program));
    let program = crate::hostfile::read_regular(&program_path, crate::hostfile::MAX_PROGRAM)
        .map_err(|source| ReceiptError::Io {
            what: format!(
                "cannot read program {} (use --program to say where it is)",
                program_path.display()
            ),
            source,
        })?;
    let config = RunConfig {
        argv: inp.argv.clone(),
        env: inp.env.clone(),
        seed: inp.seed,
        epoch: inp.epoch,
        clock_hz: inp.clock_hz,
        mounts,
        cwd: inp.cwd.clone(),
        out_dir: None,
        max_insns: inp.max_insns,
        max_memory: inp.max_memory.unwrap_or(DEFAULT_MAX_MEMORY),
        allow_unsupported: inp.allow_unsupported,
        quantum: inp.quantum.unwrap_or(crate::kernel::sched::DEFAULT_QUANTUM),
        cpus: inp.cpus.unwrap_or(1),
    };
    let mut process = Process::new(&config, exe_name, &program).map_err(ReceiptError::Setup)?;
    let inputs = inputs(&config, &program, &process, &opts.stdin);
    let rec = Recorder::attach(
        &mut process,
        opts.stdin.clone(),
        Box::new(std::io::sink()),
        Box::new(std::io::sink()),
    );
    let reason = process.run();
    let outcome = rec.finish(&process, &reason);
    let rerun = Receipt {
        format: FORMAT.to_string(),
        rvrun_version: env!("CARGO_PKG_VERSION").to_string(),
        inputs,
        outcome,
        host: HostInfo::new(&program_path.to_string_lossy(), &config.mounts),
    };
    let (mismatches, notes) = compare_receipts(recorded, &rerun);
    Ok(Verification {
        rerun,
        mismatches,
        notes,
    })
}

/// Compares two receipts field by field, ignoring `host`. Returns the differences (one
/// line each, naming the input or result) and notes that do not count (rvrun version).
pub fn compare_receipts(a: &Receipt, b: &Receipt) -> (Vec<String>, Vec<String>) {
    let mut notes = Vec::new();
    if a.rvrun_version != b.rvrun_version {
        notes.push(format!(
            "recorded by rvrun {}, re-run by rvrun {}",
            a.rvrun_version.escape_debug(),
            b.rvrun_version
        ));
    }
    let mut d = compare_inputs(&a.inputs, &b.inputs);

    let (x, y) = (&a.outcome, &b.outcome);
    field(&mut d, "exit", &x.exit, &y.exit);
    field(&mut d, "exit status", &x.status, &y.status);
    field(&mut d, "instructions", &x.instructions, &y.instructions);
    blob(&mut d, "stdout", &x.stdout, &y.stdout);
    blob(&mut d, "stderr", &x.stderr, &y.stderr);
    for o in &x.outputs {
        match y.outputs.iter().find(|p| p.path == o.path) {
            Some(p) => blob(
                &mut d,
                &format!("output {}", o.path.escape_debug()),
                &o.digest,
                &p.digest,
            ),
            None => d.push(format!(
                "output {}: missing in the re-run",
                o.path.escape_debug()
            )),
        }
    }
    for p in &y.outputs {
        if !x.outputs.iter().any(|o| o.path == p.path) {
            d.push(format!(
                "output {}: not in the receipt",
                p.path.escape_debug()
            ));
        }
    }
    if x.state != y.state {
        d.push(format!(
            "final state: sha256 {} ({} regions, {} bytes) recorded, {} ({} regions, {} bytes) now",
            short(&x.state.sha256),
            x.state.regions,
            x.state.memory_bytes,
            short(&y.state.sha256),
            y.state.regions,
            y.state.memory_bytes
        ));
    }
    (d, notes)
}

/// Compares two input records field by field: one line per difference, naming the input.
pub fn compare_inputs(x: &Inputs, y: &Inputs) -> Vec<String> {
    let mut d = Vec::new();
    blob(&mut d, "input program", &x.program, &y.program);
    field(&mut d, "input argv", &x.argv, &y.argv);
    field(&mut d, "input env", &x.env, &y.env);
    field(&mut d, "input cwd", &x.cwd, &y.cwd);
    field(&mut d, "input seed", &x.seed, &y.seed);
    field(&mut d, "input epoch", &x.epoch, &y.epoch);
    field(&mut d, "input clock_hz", &x.clock_hz, &y.clock_hz);
    field(&mut d, "input quantum", &x.quantum, &y.quantum);
    field(&mut d, "input cpus", &x.cpus, &y.cpus);
    field(&mut d, "input max_insns", &x.max_insns, &y.max_insns);
    field(&mut d, "input max_memory", &x.max_memory, &y.max_memory);
    field(
        &mut d,
        "input allow_unsupported",
        &x.allow_unsupported,
        &y.allow_unsupported,
    );
    if x.mounts.len() != y.mounts.len() {
        d.push(format!(
            "input mounts: {} recorded, {} now",
            x.mounts.len(),
            y.mounts.len()
        ));
    }
    for (m, n) in x.mounts.iter().zip(&y.mounts) {
        let what = format!("input mount {}", m.guest.escape_debug());
        field(&mut d, &format!("{what}: guest path"), &m.guest, &n.guest);
        field(
            &mut d,
            &format!("{what}: read-only"),
            &m.read_only,
            &n.read_only,
        );
        entries(&mut d, &m.entries, &n.entries);
    }
    blob(&mut d, "input stdin", &x.stdin, &y.stdin);
    d
}

fn field<T: PartialEq + std::fmt::Debug>(d: &mut Vec<String>, what: &str, a: &T, b: &T) {
    if a != b {
        d.push(format!("{what}: {a:?} recorded, {b:?} now"));
    }
}

fn blob(d: &mut Vec<String>, what: &str, a: &BlobDigest, b: &BlobDigest) {
    if a != b {
        d.push(format!(
            "{what}: sha256 {} ({} bytes) recorded, {} ({} bytes) now",
            short(&a.sha256),
            a.size,
            short(&b.sha256),
            b.size
        ));
    }
}

/// The first 16 characters of a digest, escaped (a receipt is an input: its strings may hold
/// anything, multi-byte characters included).
fn short(h: &str) -> String {
    h.chars()
        .take(16)
        .collect::<String>()
        .escape_debug()
        .to_string()
}

fn entries(d: &mut Vec<String>, a: &[InputEntry], b: &[InputEntry]) {
    for e in a {
        match b.iter().find(|f| f.path == e.path) {
            None => d.push(format!("input {}: missing now", e.path.escape_debug())),
            Some(f) if f == e => {}
            Some(f) => {
                if f.kind != e.kind {
                    d.push(format!(
                        "input {}: a {} recorded, a {} now",
                        e.path.escape_debug(),
                        e.kind.escape_debug(),
                        f.kind.escape_debug()
                    ));
                } else if f.mode != e.mode {
                    d.push(format!(
                        "input {}: mode {:o} recorded, {:o} now",
                        e.path.escape_debug(),
                        e.mode,
                        f.mode
                    ));
                }
                if let (Some(x), Some(y)) = (&e.digest, &f.digest) {
                    blob(d, &format!("input {}", e.path.escape_debug()), x, y);
                }
            }
        }
    }
    for f in b {
        if !a.iter().any(|e| e.path == f.path) {
            d.push(format!(
                "input {}: not in the receipt",
                f.path.escape_debug()
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn under() {
        assert!(is_under(b"/data/x", b"/data"));
        assert!(is_under(b"/data", b"/data/"));
        assert!(!is_under(b"/database", b"/data"));
        assert!(is_under(b"/anything", b"/"));
        assert_eq!(normalise_guest("/a//b/./c/"), "/a/b/c");
        assert_eq!(normalise_guest("/"), "/");
    }

    #[test]
    fn blob_digest() {
        let d = BlobDigest::of(b"abc");
        assert_eq!(
            d.sha256,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(d.size, 3);
    }

    #[test]
    fn state_digest_is_sensitive_to_registers() {
        let mem = GuestMemory::new().unwrap();
        let a = Cpu::new(0x1000);
        let mut b = a.clone();
        b.set_reg(5, 1);
        let da = state_digest(&[(1000, &a)], &mem);
        assert_eq!(da, state_digest(&[(1000, &a)], &mem));
        assert_ne!(da.sha256, state_digest(&[(1000, &b)], &mem).sha256);
        // x0's write sink is not architectural state.
        let mut c = a.clone();
        c.x[32] = 7;
        assert_eq!(da.sha256, state_digest(&[(1000, &c)], &mem).sha256);
    }
}
