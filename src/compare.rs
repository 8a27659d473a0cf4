//! `rvrun compare`: runs one program under rvrun and under `qemu-riscv64` with the same
//! argv, environment, input files and stdin, and reports where the two disagree: exit
//! status, stdout and stderr (unified diffs), and optionally the two syscall sequences,
//! aligned.
//!
//! QEMU gets exactly the `-E` variables (`env -i` semantics: its own environment is cleared
//! and each variable is passed with `qemu-riscv64 -E K=V`), runs in `/` like rvrun's guest,
//! and sees the host file system; so every `--mount` is copied into a temporary staging
//! directory, and each argument equal to a mount's guest path, or below it, is rewritten to
//! the staged copy (as `tests/programs/gen-expected.sh` does). rvrun runs in this process.

use crate::config::{Mount, RunConfig};
use crate::kernel::process::Process;
use crate::vfs::HostStdio;
use similar::{Algorithm, DiffTag, TextDiff};
use std::cell::RefCell;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::rc::Rc;

/// What `rvrun compare` runs.
#[derive(Clone, Debug, Default)]
pub struct CompareOptions {
    /// The program (argv[0] for both runs).
    pub program: PathBuf,
    /// Arguments after argv[0], with guest paths.
    pub args: Vec<String>,
    /// `KEY=VALUE` guest environment.
    pub env: Vec<String>,
    /// Host files and directories given to both (copied for QEMU).
    pub mounts: Vec<Mount>,
    /// A file fed to both runs' stdin (default: empty).
    pub stdin: Option<PathBuf>,
    /// rvrun's `--seed`.
    pub seed: u64,
    /// rvrun's `--epoch`.
    pub epoch: u64,
    /// rvrun's `--clock-hz`.
    pub clock_hz: u64,
    /// rvrun's `--max-insns`.
    pub max_insns: Option<u64>,
    /// rvrun's `--max-memory` in bytes.
    pub max_memory: u64,
    /// The guest's working directory (a guest path; QEMU gets the staged copy when it lies
    /// in a mount).
    pub cwd: String,
    /// rvrun's `--quantum`.
    pub quantum: u64,
    /// rvrun's `--cpus`.
    pub cpus: u32,
    /// The QEMU binary (default: `qemu-riscv64` from `PATH`).
    pub qemu: Option<PathBuf>,
    /// Align and report the syscall sequences.
    pub syscalls: bool,
}

/// Why a comparison could not be made.
#[derive(Debug)]
pub enum CompareError {
    /// No usable QEMU binary.
    QemuMissing(String),
    /// A host file could not be read, copied or created.
    Io {
        /// What was being done.
        what: String,
        /// The underlying error.
        source: std::io::Error,
    },
    /// rvrun could not set the run up.
    Setup(String),
}

impl std::fmt::Display for CompareError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CompareError::QemuMissing(m) | CompareError::Setup(m) => f.write_str(m),
            CompareError::Io { what, source } => write!(f, "{what}: {source}"),
        }
    }
}

impl std::error::Error for CompareError {}

fn io_err(what: String) -> impl FnOnce(std::io::Error) -> CompareError {
    move |source| CompareError::Io { what, source }
}

/// What one run produced.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RunResult {
    /// Exit status as a shell reports it (128+N for signal N).
    pub status: i32,
    /// The guest's stdout.
    pub stdout: Vec<u8>,
    /// The guest's stderr.
    pub stderr: Vec<u8>,
    /// The syscalls made, normalised (see [`normalise_strace_line`]).
    pub syscalls: Vec<SyscallEvent>,
    /// Why rvrun stopped the run, when it did (unsupported syscall, instruction limit).
    pub stopped: Option<String>,
}

/// One syscall, reduced to what is comparable between QEMU and rvrun.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SyscallEvent {
    /// The syscall's name.
    pub name: String,
    /// The result: a number, `-1 errno=N`, `?` (no return), or `*` when it is an address or
    /// an id that legitimately differs (brk, mmap, pids).
    pub result: String,
}

impl std::fmt::Display for SyscallEvent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} = {}", self.name, self.result)
    }
}

/// Syscalls whose successful result is an address or an id that differs between emulators.
const UNCOMPARABLE: &[&str] = &[
    "brk",
    "mmap",
    "mremap",
    "shmat",
    "set_tid_address",
    "getpid",
    "gettid",
    "getppid",
    "clone",
    "clone3",
];

/// Syscalls whose results depend on the time or on randomness.
const TIME_OR_RANDOM: &[&str] = &[
    "clock_gettime",
    "gettimeofday",
    "time",
    "times",
    "getrandom",
    "clock_gettime64",
];

/// Parses one strace line (QEMU's `-strace` or rvrun's `--strace-file` format:
/// `PID name(args) = result ...`) into a [`SyscallEvent`]; `None` for lines that are not
/// syscalls (signal notes, blank lines).
pub fn normalise_strace_line(line: &str) -> Option<SyscallEvent> {
    let line = line.trim_end();
    let (pid, rest) = line.split_once(' ')?;
    if pid.is_empty() || !pid.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let rest = rest.trim_start();
    let open = rest.find('(')?;
    let name = &rest[..open];
    if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        return None;
    }
    let result = match rest.rfind(") = ") {
        Some(i) => {
            let r = &rest[i + 4..];
            let mut tokens = r.split_whitespace();
            let first = tokens.next().unwrap_or("?");
            if first == "-1" {
                match tokens.next() {
                    Some(t) if t.starts_with("errno=") => format!("-1 {t}"),
                    _ => "-1".to_string(),
                }
            } else if UNCOMPARABLE.contains(&name) {
                "*".to_string()
            } else {
                let v = if let Some(h) = first.strip_prefix("0x") {
                    u64::from_str_radix(h, 16).ok()
                } else {
                    first.parse::<i64>().ok().map(|v| v as u64)
                };
                match v {
                    // Large values are addresses (e.g. of a mapping): not comparable.
                    Some(v) if v > 0xffff_ffff => "*".to_string(),
                    Some(v) => v.to_string(),
                    None => first.to_string(),
                }
            }
        }
        None => "?".to_string(),
    };
    Some(SyscallEvent {
        name: name.to_string(),
        result,
    })
}

/// The syscalls of a QEMU `-strace` log. QEMU prints a call's start and, when it returns,
/// ` = result`; with several threads another thread's line can start in between, glued to
/// the unfinished one (`1 clone(...)2 rt_sigprocmask(...) = 0`). Such a line is split where
/// the next `PID name(` starts: the cut-off call gets no result (`?`), and lines holding only
/// a late ` = result` are dropped.
pub fn qemu_strace_events(log: &str) -> Vec<SyscallEvent> {
    log.lines()
        .flat_map(split_glued_calls)
        .filter_map(normalise_strace_line)
        .collect()
}

/// Splits `line` before every `PID name(` that directly follows a `)`.
fn split_glued_calls(line: &str) -> Vec<&str> {
    let b = line.as_bytes();
    let mut parts = Vec::new();
    let mut start = 0;
    for i in 0..b.len() {
        if b[i] != b')' || i + 1 >= b.len() || !b[i + 1].is_ascii_digit() {
            continue;
        }
        let digits = b[i + 1..].iter().take_while(|c| c.is_ascii_digit()).count();
        let after = i + 1 + digits;
        if b.get(after) != Some(&b' ') {
            continue;
        }
        let name = b[after + 1..]
            .iter()
            .take_while(|c| c.is_ascii_alphanumeric() || **c == b'_')
            .count();
        if name > 0 && b.get(after + 1 + name) == Some(&b'(') {
            parts.push(&line[start..=i]);
            start = i + 1;
        }
    }
    parts.push(&line[start..]);
    parts
}

/// A `Write` into a shared buffer.
#[derive(Clone, Default)]
struct SharedBuf(Rc<RefCell<Vec<u8>>>);

impl Write for SharedBuf {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl SharedBuf {
    fn take(&self) -> Vec<u8> {
        std::mem::take(&mut *self.0.borrow_mut())
    }
}

fn read_stdin(opts: &CompareOptions) -> Result<Vec<u8>, CompareError> {
    match &opts.stdin {
        Some(p) => crate::hostfile::read_input(p, crate::hostfile::MAX_STDIN)
            .map_err(io_err(format!("cannot read --stdin {}", p.display()))),
        None => Ok(Vec::new()),
    }
}

/// Runs the program under rvrun, in this process, capturing its streams and syscalls.
pub fn run_rvrun(opts: &CompareOptions) -> Result<RunResult, CompareError> {
    let name = opts.program.to_string_lossy().into_owned();
    let program = crate::hostfile::read_regular(&opts.program, crate::hostfile::MAX_PROGRAM)
        .map_err(io_err(format!("cannot read {name}")))?;
    let config = RunConfig {
        argv: std::iter::once(name.clone())
            .chain(opts.args.iter().cloned())
            .collect(),
        env: opts.env.clone(),
        seed: opts.seed,
        epoch: opts.epoch,
        clock_hz: opts.clock_hz,
        mounts: opts.mounts.clone(),
        max_insns: opts.max_insns,
        max_memory: opts.max_memory,
        cwd: opts.cwd.clone(),
        quantum: opts.quantum,
        cpus: opts.cpus,
        ..RunConfig::default()
    };
    let mut process = Process::new(&config, &name, &program).map_err(CompareError::Setup)?;
    let (out, err, trace) = (
        SharedBuf::default(),
        SharedBuf::default(),
        SharedBuf::default(),
    );
    process.vfs.set_stdio(HostStdio {
        stdin: Box::new(std::io::Cursor::new(read_stdin(opts)?)),
        stdout: Box::new(out.clone()),
        stderr: Box::new(err.clone()),
    });
    process.strace = Some(Box::new(trace.clone()));
    let reason = process.run();
    let trace = trace.take();
    let stopped = match &reason {
        crate::kernel::process::ExitReason::Stopped(m) => Some(m.clone()),
        _ => None,
    };
    Ok(RunResult {
        status: reason.status(),
        stdout: out.take(),
        stderr: err.take(),
        syscalls: String::from_utf8_lossy(&trace)
            .lines()
            .filter_map(normalise_strace_line)
            .collect(),
        stopped,
    })
}

/// Finds the QEMU binary: `explicit`, or `qemu-riscv64` on `PATH`.
pub fn find_qemu(explicit: Option<&Path>) -> Result<PathBuf, CompareError> {
    if let Some(p) = explicit {
        return if p.is_file() {
            Ok(p.to_path_buf())
        } else {
            Err(CompareError::QemuMissing(format!(
                "QEMU not found at {} (--qemu must name the qemu-riscv64 binary)",
                p.display()
            )))
        };
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|d| d.join("qemu-riscv64"))
        .find(|p| p.is_file())
        .ok_or_else(|| {
            CompareError::QemuMissing(
                "qemu-riscv64 not found on PATH (install qemu-user, run toolchain/setup.sh, \
                 or pass --qemu PATH)"
                    .to_string(),
            )
        })
}

/// Copies `src` (file or directory, symlinks kept as symlinks) to `dst`. Inside a directory,
/// entries rvrun's `--mount` skips (FIFOs, sockets, devices) are skipped here too: copying a
/// FIFO would wait for a writer.
fn copy_tree(src: &Path, dst: &Path) -> Result<(), CompareError> {
    let meta =
        std::fs::symlink_metadata(src).map_err(io_err(format!("cannot read {}", src.display())))?;
    if meta.is_dir() {
        std::fs::create_dir_all(dst).map_err(io_err(format!("cannot create {}", dst.display())))?;
        let rd =
            std::fs::read_dir(src).map_err(io_err(format!("cannot list {}", src.display())))?;
        for e in rd {
            let e = e.map_err(io_err(format!("cannot list {}", src.display())))?;
            let ft = e
                .file_type()
                .map_err(io_err(format!("cannot read {}", e.path().display())))?;
            if ft.is_dir() || ft.is_file() || ft.is_symlink() {
                copy_tree(&e.path(), &dst.join(e.file_name()))?;
            }
        }
    } else if meta.file_type().is_symlink() {
        let t = std::fs::read_link(src)
            .map_err(io_err(format!("cannot read link {}", src.display())))?;
        std::os::unix::fs::symlink(t, dst)
            .map_err(io_err(format!("cannot create {}", dst.display())))?;
    } else {
        std::fs::copy(src, dst).map_err(io_err(format!(
            "cannot copy {} to {}",
            src.display(),
            dst.display()
        )))?;
    }
    Ok(())
}

/// Rewrites a guest-path argument to the staged host copy of the mount holding it (the
/// longest matching mount path wins); other arguments are unchanged.
pub fn rewrite_arg(arg: &str, staged: &[(String, PathBuf)]) -> String {
    let mut best: Option<(&str, &PathBuf)> = None;
    for (guest, host) in staged {
        let g = guest.trim_end_matches('/');
        let matches = arg == g || (arg.starts_with(g) && arg[g.len()..].starts_with('/'));
        if matches && best.is_none_or(|(b, _)| g.len() >= b.len()) {
            best = Some((g, host));
        }
    }
    match best {
        Some((g, host)) => format!("{}{}", host.display(), &arg[g.len()..]),
        None => arg.to_string(),
    }
}

/// Runs the program under QEMU with mounts staged in `stage`.
pub fn run_qemu(
    opts: &CompareOptions,
    qemu: &Path,
    stage: &Path,
) -> Result<RunResult, CompareError> {
    let mut staged = Vec::new();
    for (i, m) in opts.mounts.iter().enumerate() {
        let dst = stage.join(format!("m{i}"));
        copy_tree(&m.host, &dst)?;
        staged.push((m.guest.clone(), dst));
    }
    let log = stage.join("qemu-strace.log");
    let mut cmd = Command::new(qemu);
    let cwd = rewrite_arg(&opts.cwd, &staged);
    cmd.env_clear().current_dir(&cwd);
    for kv in &opts.env {
        cmd.arg("-E").arg(kv);
    }
    if opts.syscalls {
        cmd.arg("-d").arg("strace").arg("-D").arg(&log);
    }
    // QEMU runs in the guest's cwd: give it the absolute path, and argv[0] as given (as
    // rvrun does).
    let abs = std::path::absolute(&opts.program)
        .map_err(io_err(format!("cannot resolve {}", opts.program.display())))?;
    cmd.arg("-0").arg(&opts.program).arg(abs);
    for a in &opts.args {
        cmd.arg(rewrite_arg(a, &staged));
    }
    cmd.stdin(match &opts.stdin {
        Some(p) => Stdio::from(
            std::fs::File::open(p)
                .map_err(io_err(format!("cannot read --stdin {}", p.display())))?,
        ),
        None => Stdio::null(),
    });
    // The child changes to the cwd before it executes QEMU: a failure there is reported as
    // the spawn's error, so name the real reason.
    let cwd_ok = std::fs::metadata(&cwd).and_then(|m| {
        if m.is_dir() {
            Ok(())
        } else {
            Err(std::io::Error::from(std::io::ErrorKind::NotADirectory))
        }
    });
    if let Err(e) = cwd_ok {
        return Err(CompareError::Io {
            what: format!(
                "QEMU cannot start in the guest's cwd {cwd}: QEMU sees the host file system \
                 (only mounts are staged for it), and there it is not a usable directory"
            ),
            source: e,
        });
    }
    let out = cmd
        .output()
        .map_err(io_err(format!("cannot run {}", qemu.display())))?;
    let status = match out.status.code() {
        Some(c) => c,
        None => {
            use std::os::unix::process::ExitStatusExt;
            128 + out.status.signal().unwrap_or(0)
        }
    };
    let syscalls = if opts.syscalls {
        qemu_strace_events(&std::fs::read_to_string(&log).unwrap_or_default())
    } else {
        Vec::new()
    };
    Ok(RunResult {
        status,
        stdout: out.stdout,
        stderr: out.stderr,
        syscalls,
        stopped: None,
    })
}

/// The two syscall sequences, aligned.
#[derive(Clone, Debug, Default)]
pub struct SyscallAlignment {
    /// Rows: (QEMU's event, rvrun's event); `None` where one side has no counterpart.
    pub rows: Vec<(Option<SyscallEvent>, Option<SyscallEvent>)>,
    /// Index in `rows` of the first row that is not identical.
    pub first_divergence: Option<usize>,
}

/// Aligns two syscall sequences by name (longest common subsequence), then marks rows whose
/// results differ.
pub fn align_syscalls(qemu: &[SyscallEvent], rvrun: &[SyscallEvent]) -> SyscallAlignment {
    let qn: Vec<&str> = qemu.iter().map(|e| e.name.as_str()).collect();
    let rn: Vec<&str> = rvrun.iter().map(|e| e.name.as_str()).collect();
    let mut rows = Vec::new();
    for op in similar::capture_diff_slices(Algorithm::Myers, &qn, &rn) {
        let (tag, a, b) = op.as_tag_tuple();
        match tag {
            DiffTag::Equal => {
                for (i, j) in a.zip(b) {
                    rows.push((Some(qemu[i].clone()), Some(rvrun[j].clone())));
                }
            }
            DiffTag::Delete => rows.extend(a.map(|i| (Some(qemu[i].clone()), None))),
            DiffTag::Insert => rows.extend(b.map(|j| (None, Some(rvrun[j].clone())))),
            DiffTag::Replace => {
                rows.extend(a.map(|i| (Some(qemu[i].clone()), None)));
                rows.extend(b.map(|j| (None, Some(rvrun[j].clone()))));
            }
        }
    }
    let first_divergence = rows.iter().position(|(q, r)| !same_call(q, r));
    SyscallAlignment {
        rows,
        first_divergence,
    }
}

/// Whether two aligned rows agree: the same call with the same result. A result of `?` (not
/// logged: rvrun logs a call that blocks when it is made, before its result exists; QEMU
/// logs none for a call that never returns or whose line another thread interrupted)
/// matches any result of the same call: both sides made it.
fn same_call(a: &Option<SyscallEvent>, b: &Option<SyscallEvent>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => {
            a.name == b.name && (a.result == b.result || a.result == "?" || b.result == "?")
        }
        _ => false,
    }
}

/// The result of a comparison.
#[derive(Clone, Debug)]
pub struct Report {
    /// QEMU's run.
    pub qemu: RunResult,
    /// rvrun's run.
    pub rvrun: RunResult,
    /// Whether syscalls were compared.
    pub syscalls: bool,
}

impl Report {
    /// True when exit status, stdout and stderr agree (and the syscall sequences, when
    /// compared).
    pub fn agree(&self) -> bool {
        self.qemu.status == self.rvrun.status
            && self.qemu.stdout == self.rvrun.stdout
            && self.qemu.stderr == self.rvrun.stderr
            && (!self.syscalls
                || align_syscalls(&self.qemu.syscalls, &self.rvrun.syscalls)
                    .first_divergence
                    .is_none())
    }

    /// Why differing output is likely time- or randomness-dependent, if it looks so.
    pub fn time_or_random_hint(&self) -> Option<String> {
        let mut reasons = Vec::new();
        let mut called: Vec<&str> = Vec::new();
        for e in self.rvrun.syscalls.iter().chain(&self.qemu.syscalls) {
            if TIME_OR_RANDOM.contains(&e.name.as_str()) && !called.contains(&e.name.as_str()) {
                called.push(&e.name);
            }
        }
        if !called.is_empty() {
            reasons.push(format!("the program called {}", called.join(", ")));
        }
        let mut patterned = 0;
        for (a, b) in [
            (&self.qemu.stdout, &self.rvrun.stdout),
            (&self.qemu.stderr, &self.rvrun.stderr),
        ] {
            let (a, b) = (String::from_utf8_lossy(a), String::from_utf8_lossy(b));
            for (x, y) in changed_line_pairs(&a, &b) {
                if looks_time_or_random(&x, &y) {
                    patterned += 1;
                }
            }
        }
        if patterned > 0 {
            reasons.push(format!(
                "{patterned} differing line(s) differ in timestamp- or random-looking numbers"
            ));
        }
        let differs =
            self.qemu.stdout != self.rvrun.stdout || self.qemu.stderr != self.rvrun.stderr;
        (differs && !reasons.is_empty()).then(|| {
            format!(
                "likely time- or randomness-dependent: {} (rvrun's clock and random stream are \
                 virtual; see --epoch and --seed)",
                reasons.join("; ")
            )
        })
    }

    /// The human-readable report.
    pub fn render(&self, program: &str) -> String {
        let mut s = format!("compare: {program}\n");
        let (q, r) = (&self.qemu, &self.rvrun);
        if q.status == r.status {
            s.push_str(&format!("exit status: same ({})\n", q.status));
        } else {
            s.push_str(&format!(
                "exit status: DIFFERENT (qemu {}, rvrun {})\n",
                q.status, r.status
            ));
        }
        if let Some(m) = &r.stopped {
            s.push_str(&format!("rvrun stopped the run: {m}\n"));
        }
        for (name, a, b) in [
            ("stdout", &q.stdout, &r.stdout),
            ("stderr", &q.stderr, &r.stderr),
        ] {
            if a == b {
                s.push_str(&format!("{name}: same ({} bytes)\n", a.len()));
            } else {
                s.push_str(&format!(
                    "{name}: DIFFERENT (qemu {} bytes, rvrun {} bytes)\n",
                    a.len(),
                    b.len()
                ));
                let (a, b) = (String::from_utf8_lossy(a), String::from_utf8_lossy(b));
                let diff = TextDiff::from_lines(a.as_ref(), b.as_ref());
                let text = diff
                    .unified_diff()
                    .context_radius(3)
                    .header(&format!("qemu {name}"), &format!("rvrun {name}"))
                    .to_string();
                for line in text.lines() {
                    s.push_str("  ");
                    s.push_str(line);
                    s.push('\n');
                }
            }
        }
        if self.syscalls {
            s.push_str(&render_syscalls(
                &align_syscalls(&q.syscalls, &r.syscalls),
                q,
                r,
            ));
        }
        if let Some(h) = self.time_or_random_hint() {
            s.push_str(&format!("note: {h}\n"));
        }
        s.push_str(if self.agree() {
            "result: AGREE\n"
        } else {
            "result: DIFFER\n"
        });
        s
    }
}

fn render_syscalls(al: &SyscallAlignment, q: &RunResult, r: &RunResult) -> String {
    let mut s = format!(
        "syscalls: qemu {}, rvrun {}",
        q.syscalls.len(),
        r.syscalls.len()
    );
    match al.first_divergence {
        None => s.push_str(", same sequence\n"),
        Some(i) => s.push_str(&format!(", first divergence at row {}\n", i + 1)),
    }
    let width = al
        .rows
        .iter()
        .filter_map(|(q, _)| q.as_ref().map(|e| e.to_string().len()))
        .max()
        .unwrap_or(4)
        .max(4);
    s.push_str(&format!("    {:>4}  {:width$}   rvrun\n", "row", "qemu"));
    for (i, (a, b)) in al.rows.iter().enumerate() {
        let mark = if Some(i) == al.first_divergence {
            ">>"
        } else if same_call(a, b) {
            "  "
        } else {
            " ~"
        };
        let sep = if same_call(a, b) { '|' } else { '≠' };
        let a = a.as_ref().map(|e| e.to_string()).unwrap_or_default();
        let b = b.as_ref().map(|e| e.to_string()).unwrap_or_default();
        s.push_str(&format!("  {mark}{:>4}  {a:width$} {sep} {b}\n", i + 1));
    }
    s
}

/// Pairs of lines that the line diff replaced one for one.
fn changed_line_pairs(a: &str, b: &str) -> Vec<(String, String)> {
    let diff = TextDiff::from_lines(a, b);
    let mut out = Vec::new();
    for op in diff.ops() {
        let (tag, x, y) = op.as_tag_tuple();
        if tag == DiffTag::Replace {
            for (i, j) in x.zip(y) {
                if let (Some(x), Some(y)) = (diff.old_slice(i), diff.new_slice(j)) {
                    out.push((x.to_string(), y.to_string()));
                }
            }
        }
    }
    out
}

/// The line with every run of hex digits that contains a decimal digit replaced by `#`.
fn mask_numbers(s: &str) -> (String, Vec<String>) {
    let mut masked = String::new();
    let mut runs = Vec::new();
    let mut cur = String::new();
    let flush = |cur: &mut String, masked: &mut String, runs: &mut Vec<String>| {
        if cur.bytes().any(|b| b.is_ascii_digit()) {
            masked.push('#');
            runs.push(std::mem::take(cur));
        } else {
            masked.push_str(cur);
            cur.clear();
        }
    };
    for c in s.chars() {
        if c.is_ascii_hexdigit() {
            cur.push(c);
        } else {
            flush(&mut cur, &mut masked, &mut runs);
            masked.push(c);
        }
    }
    flush(&mut cur, &mut masked, &mut runs);
    (masked, runs)
}

/// Two versions of a line look time- or randomness-dependent: they differ in at least one
/// number, and either differ only in numbers, or a differing number looks like a timestamp
/// (date, time of day, 9 to 10 digit epoch seconds) or a long hex string.
fn looks_time_or_random(a: &str, b: &str) -> bool {
    let (ma, ra) = mask_numbers(a);
    let (mb, rb) = mask_numbers(b);
    let differing: Vec<&String> = ra
        .iter()
        .zip(&rb)
        .filter(|(x, y)| x != y)
        .map(|(x, _)| x)
        .chain(rb.iter().zip(&ra).filter(|(x, y)| x != y).map(|(x, _)| x))
        .collect();
    if differing.is_empty() {
        return false;
    }
    if ma == mb {
        return true;
    }
    let timey = |l: &str| {
        let b = l.as_bytes();
        let date = b.windows(10).any(|w| {
            w[4] == b'-'
                && w[7] == b'-'
                && w.iter()
                    .enumerate()
                    .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
        });
        let clock = b.windows(8).any(|w| {
            w[2] == b':'
                && w[5] == b':'
                && w.iter()
                    .enumerate()
                    .all(|(i, c)| i == 2 || i == 5 || c.is_ascii_digit())
        });
        date || clock
    };
    let numbery = differing.iter().any(|r| {
        let all_dec = r.bytes().all(|c| c.is_ascii_digit());
        (all_dec && (9..=10).contains(&r.len())) || (!all_dec && r.len() >= 16) || r.len() >= 32
    });
    (timey(a) && timey(b)) || numbery
}

/// Runs both and builds the report. The staging directory is removed afterwards.
pub fn compare(opts: &CompareOptions) -> Result<Report, CompareError> {
    let qemu = find_qemu(opts.qemu.as_deref())?;
    if !opts.program.is_file() {
        return Err(CompareError::Setup(format!(
            "cannot read {}: no such file",
            opts.program.display()
        )));
    }
    let stage = tempfile::Builder::new()
        .prefix("rvrun-compare-")
        .tempdir()
        .map_err(io_err("cannot create a staging directory".to_string()))?;
    let rvrun = run_rvrun(opts)?;
    let qemu = run_qemu(opts, &qemu, stage.path())?;
    Ok(Report {
        qemu,
        rvrun,
        syscalls: opts.syscalls,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strace_lines() {
        let q = normalise_strace_line(
            "21288 clock_gettime(CLOCK_REALTIME,0x00007fdb73d37d80) = 0 ({tv_sec = 1,tv_nsec = 2})",
        )
        .unwrap();
        assert_eq!(q.to_string(), "clock_gettime = 0");
        let r = normalise_strace_line("1000 ioctl(1,0x5413,0x3fffffdc38) = -1 errno=25 (ENOTTY)")
            .unwrap();
        let q = normalise_strace_line(
            "21288 ioctl(1,TIOCGWINSZ,0x00007fdb73d35c28) = -1 errno=25 (Inappropriate ioctl for device)",
        )
        .unwrap();
        assert_eq!(q, r);
        assert_eq!(
            normalise_strace_line("21288 exit_group(0)").unwrap().result,
            "?"
        );
        assert_eq!(
            normalise_strace_line("1000 exit_group(0) = ?")
                .unwrap()
                .result,
            "?"
        );
        assert_eq!(
            normalise_strace_line("5 set_tid_address(0x100cbc8) = 21288")
                .unwrap()
                .result,
            "*"
        );
        assert_eq!(
            normalise_strace_line("5 mmap(NULL,4096,3,34,-1,0) = 0x00007f0000000000")
                .unwrap()
                .result,
            "*"
        );
        assert!(normalise_strace_line("--- SIGSEGV {si_signo=SIGSEGV} ---").is_none());
        assert_eq!(
            normalise_strace_line("7 write(1,\"f(x) = 3\\n\",9) = 9")
                .unwrap()
                .to_string(),
            "write = 9"
        );
    }

    #[test]
    fn glued_qemu_lines_are_split() {
        let log = "23166 clone(CLONE_VM|CLONE_THREAD,child_stack=0x7f90)23170 rt_sigprocmask(SIG_SETMASK,[],NULL,8) = 0\n\
                   = 23170\n\
                   23166 write(1,\"f(x) = 3\",8) = 8\n";
        let ev: Vec<String> = qemu_strace_events(log)
            .iter()
            .map(|e| e.to_string())
            .collect();
        assert_eq!(ev, ["clone = ?", "rt_sigprocmask = 0", "write = 8"]);
    }

    #[test]
    fn args_are_rewritten_to_staged_mounts() {
        let staged = vec![
            ("/data".to_string(), PathBuf::from("/s/m0")),
            ("/data/deep".to_string(), PathBuf::from("/s/m1")),
        ];
        assert_eq!(rewrite_arg("/data", &staged), "/s/m0");
        assert_eq!(rewrite_arg("/data/x.json", &staged), "/s/m0/x.json");
        assert_eq!(rewrite_arg("/data/deep/y", &staged), "/s/m1/y");
        assert_eq!(rewrite_arg("/database", &staged), "/database");
        assert_eq!(rewrite_arg("--flag", &staged), "--flag");
    }

    #[test]
    fn alignment_marks_first_divergence() {
        let ev = |n: &str, r: &str| SyscallEvent {
            name: n.into(),
            result: r.into(),
        };
        let q = [ev("a", "0"), ev("b", "1"), ev("c", "0"), ev("d", "?")];
        let r = [
            ev("a", "0"),
            ev("b", "1"),
            ev("x", "0"),
            ev("c", "0"),
            ev("d", "?"),
        ];
        let al = align_syscalls(&q, &r);
        assert_eq!(al.first_divergence, Some(2));
        assert_eq!(al.rows.len(), 5);
        let al = align_syscalls(&q, &q);
        assert_eq!(al.first_divergence, None);
        let r2 = [
            ev("a", "0"),
            ev("b", "-1 errno=2"),
            ev("c", "0"),
            ev("d", "?"),
        ];
        assert_eq!(align_syscalls(&q, &r2).first_divergence, Some(1));
        // A call that blocked in rvrun (logged as `?`) agrees with QEMU's logged result; a
        // different call with no result does not.
        let r3 = [ev("a", "?"), ev("b", "1"), ev("c", "0"), ev("d", "?")];
        assert_eq!(align_syscalls(&q, &r3).first_divergence, None);
        let q3 = [ev("a", "0"), ev("b", "?"), ev("c", "0"), ev("d", "?")];
        assert_eq!(align_syscalls(&q3, &r3).first_divergence, None);
        let r4 = [ev("a", "0"), ev("e", "?"), ev("c", "0"), ev("d", "?")];
        assert_eq!(align_syscalls(&q, &r4).first_divergence, Some(1));
    }

    #[test]
    fn time_heuristics() {
        assert!(looks_time_or_random(
            "CLOCK_REALTIME 1795240128.674032812",
            "CLOCK_REALTIME 1704067200.000000945"
        ));
        assert!(looks_time_or_random(
            "gmtime 2026-11-21 05:48:48 UTC (Saturday)",
            "gmtime 2024-01-01 00:00:00 UTC (Monday)"
        ));
        assert!(looks_time_or_random(
            "key 9f86d081884c7d659a2feaa0c55ad015",
            "key 3a7bd3e2360a3d29eea436fcfb7e44c7"
        ));
        assert!(!looks_time_or_random("hello world", "hello there"));
        assert!(!looks_time_or_random("total 3 items", "total 3 things"));
    }
}
