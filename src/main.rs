//! The `rvrun` command line.

use clap::{Args, Parser, Subcommand};
use rvrun::compare::CompareOptions;
use rvrun::config::{DEFAULT_CLOCK_HZ, DEFAULT_EPOCH, MAX_EPOCH, Mount, RunConfig};
use rvrun::kernel::process::{ExitReason, Process};
use rvrun::output;
use rvrun::profile::{ProfileFormat, Profiler};
use rvrun::receipt::{self, HostInfo, Receipt, Recorder, VerifyOptions};
use rvrun::trace::{self, TraceWriter};
use rvrun::vfs::HostStdio;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

/// Exit status for rvrun's own errors (bad usage, unloadable program, unsupported syscall).
const RVRUN_ERROR: u8 = 125;

#[derive(Parser)]
#[command(
    name = "rvrun",
    version,
    about = "Deterministic user-mode runner for static riscv64 Linux programs"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run a static riscv64 Linux program.
    Run(Box<RunArgs>),
    /// Re-run a program from a run receipt and check that every digest matches
    /// (exit 0: all match, 1: a mismatch, listed; 125: error).
    Verify(VerifyArgs),
    /// Run a program under rvrun and under qemu-riscv64 and report the differences
    /// (exit 0: they agree, 1: they differ; 125: error, e.g. no QEMU).
    Compare(Box<CompareArgs>),
    /// Print the syscall table (what is implemented, what is answered with an error by design).
    Syscalls {
        /// As a Markdown table (the README embeds this).
        #[arg(long)]
        markdown: bool,
    },
    /// Read instruction traces written by `run --trace` (format: docs/trace.md).
    Trace {
        #[command(subcommand)]
        command: rvrun::trace::cli::TraceCommand,
    },
}

/// The inputs a guest run depends on besides the program and its arguments (shared by
/// `run` and `compare`).
#[derive(Args)]
struct GuestInputs {
    /// Set a guest environment variable (repeatable). The guest sees no other variables.
    #[arg(short = 'E', value_name = "KEY=VALUE", value_parser = parse_env)]
    env: Vec<String>,
    /// Seed of the random stream (getrandom, /dev/urandom, AT_RANDOM).
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Virtual time at start, in seconds since the Unix epoch.
    /// At most 8277292036 (early 2232), the latest time Linux's settimeofday accepts.
    #[arg(long, default_value_t = DEFAULT_EPOCH,
          value_parser = clap::value_parser!(u64).range(..=MAX_EPOCH))]
    epoch: u64,
    /// Retired instructions per virtual second.
    #[arg(long, default_value_t = DEFAULT_CLOCK_HZ, value_parser = clap::value_parser!(u64).range(1..))]
    clock_hz: u64,
    /// Copy a host file or directory into the guest filesystem (repeatable). `compare` gives
    /// QEMU a staged copy and rewrites arguments naming the guest path to it.
    #[arg(long, value_name = "HOST_PATH:GUEST_PATH[:ro]", value_parser = Mount::parse)]
    mount: Vec<Mount>,
    /// Cap on the guest's memory commitment: writable mappings, brk and the files it
    /// writes, together (bytes, or with a K/M/G/T suffix, powers of 1024). Past it mmap and
    /// brk fail with ENOMEM and file writes with ENOSPC.
    #[arg(long, value_name = "SIZE", default_value = "8G", value_parser = rvrun::config::parse_size)]
    max_memory: u64,
    /// CPUs the guest's machine has (1 to 1024): sched_getaffinity, sysconf, /proc/cpuinfo and
    /// /sys/devices/system/cpu report them; one guest thread still runs at a time.
    #[arg(long, value_name = "N", default_value_t = 1,
          value_parser = clap::value_parser!(u32).range(1..=rvrun::kernel::syscalls::cpu::MAX_CPUS as i64))]
    cpus: u32,
}

fn parse_env(s: &str) -> Result<String, String> {
    if s.contains('=') {
        Ok(s.to_string())
    } else {
        Err("expected KEY=VALUE".to_string())
    }
}

#[derive(Args)]
struct RunArgs {
    #[command(flatten)]
    inputs: GuestInputs,
    /// The guest's initial working directory.
    #[arg(long, default_value = "/")]
    cwd: String,
    /// After the run, write every file the guest created or changed under this directory.
    #[arg(long, value_name = "DIR")]
    out_dir: Option<PathBuf>,
    /// Merge this run's syscall census (calls, sub-commands, outcomes) into FILE, creating
    /// it if needed; many runs can share one file.
    #[arg(long, value_name = "FILE")]
    census: Option<PathBuf>,
    /// Print each syscall on stderr, strace style.
    #[arg(long)]
    strace: bool,
    /// Write strace lines to this file instead of stderr.
    #[arg(long, value_name = "FILE")]
    strace_file: Option<PathBuf>,
    /// On exit, print statistics (instructions, syscalls, wall time, MIPS) on stderr.
    #[arg(long)]
    stats: bool,
    /// Stop the run after this many instructions (exit status 125).
    #[arg(long, value_name = "N")]
    max_insns: Option<u64>,
    /// Answer syscalls rvrun does not implement with ENOSYS instead of stopping.
    #[arg(long)]
    allow_unsupported: bool,
    /// Instructions a guest thread runs before the scheduler switches to the next one.
    #[arg(long, value_name = "N", default_value_t = rvrun::kernel::sched::DEFAULT_QUANTUM,
          value_parser = clap::value_parser!(u64).range(1..))]
    quantum: u64,
    /// Write a run receipt (JSON: digests of every input and of the outcome) to FILE.
    /// stdin is then read in full before the guest starts (see docs/receipts.md).
    #[arg(long, value_name = "FILE")]
    receipt: Option<PathBuf>,
    /// Write a profile to FILE: retired instructions per call stack (see docs/profile.md).
    #[arg(long, value_name = "FILE")]
    profile: Option<PathBuf>,
    /// Format of --profile: folded (flamegraph stacks) or pprof (gzipped profile.proto).
    #[arg(long, value_name = "FORMAT", default_value = "folded", requires = "profile",
          value_parser = ProfileFormat::parse)]
    profile_format: ProfileFormat,
    /// Record every instruction, syscall, thread switch and signal to FILE (binary, see
    /// docs/trace.md; read it with `rvrun trace`). stdin is then read in full first.
    #[arg(long, value_name = "FILE")]
    trace: Option<PathBuf>,
    /// The program to run.
    program: PathBuf,
    /// Arguments passed to the program.
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    args: Vec<String>,
}

#[derive(Args)]
struct VerifyArgs {
    /// The program file (default: the path recorded in the receipt's `host.program`).
    #[arg(long, value_name = "PATH")]
    program: Option<PathBuf>,
    /// Take the mount at GUEST_PATH from HOST_PATH instead of the recorded host path
    /// (repeatable).
    #[arg(long, value_name = "HOST_PATH:GUEST_PATH", value_parser = Mount::parse)]
    mount: Vec<Mount>,
    /// Feed this file to the guest's stdin (default: rvrun's own stdin, or nothing when it
    /// is a terminal).
    #[arg(long, value_name = "FILE")]
    stdin: Option<PathBuf>,
    /// Also write the re-run's receipt to FILE.
    #[arg(long, value_name = "FILE")]
    receipt_out: Option<PathBuf>,
    /// The receipt to verify.
    receipt: PathBuf,
}

#[derive(Args)]
struct CompareArgs {
    #[command(flatten)]
    inputs: GuestInputs,
    /// Feed this file to both runs' stdin (default: empty).
    #[arg(long, value_name = "FILE")]
    stdin: Option<PathBuf>,
    /// The QEMU binary (default: qemu-riscv64 on PATH).
    #[arg(long, value_name = "PATH")]
    qemu: Option<PathBuf>,
    /// Also align and compare the two syscall sequences (QEMU -strace against rvrun's).
    #[arg(long)]
    syscalls: bool,
    /// Stop rvrun's run after this many instructions.
    #[arg(long, value_name = "N")]
    max_insns: Option<u64>,
    /// The guest's working directory; QEMU runs in the staged copy when it lies in a mount.
    #[arg(long, default_value = "/")]
    cwd: String,
    /// rvrun's thread time slice in instructions (see `run --quantum`).
    #[arg(long, value_name = "N", default_value_t = rvrun::kernel::sched::DEFAULT_QUANTUM,
          value_parser = clap::value_parser!(u64).range(1..))]
    quantum: u64,
    /// The program to run.
    program: PathBuf,
    /// Arguments passed to the program (guest paths).
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    args: Vec<String>,
}

fn main() -> ExitCode {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("warn")).init();
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) if !e.use_stderr() => {
            // --help and --version.
            return ExitCode::from(output::stdout_then(&e.render().to_string(), 0));
        }
        Err(e) => {
            output::message(&format!("rvrun: {}", one_line_usage_error(&e)));
            return ExitCode::from(RVRUN_ERROR);
        }
    };
    match cli.command {
        Command::Run(args) => run(*args),
        Command::Verify(args) => verify(args),
        Command::Compare(args) => compare(*args),
        Command::Syscalls { markdown } => {
            let text = if markdown {
                rvrun::kernel::syscalls::markdown_table()
            } else {
                let rows = rvrun::kernel::syscalls::table().iter().flatten();
                rows.map(|row| format!("{:4} {}\n", row.nr, row.name))
                    .collect()
            };
            ExitCode::from(output::stdout_then(&text, 0))
        }
        Command::Trace { command } => ExitCode::from(rvrun::trace::cli::main(command)),
    }
}

/// clap's message for a usage error, folded into one line: what is wrong, then where to look.
fn one_line_usage_error(e: &clap::Error) -> String {
    let text = e.render().to_string();
    let what: Vec<&str> = text
        .lines()
        .take_while(|l| !l.trim().is_empty())
        .map(|l| l.trim().trim_start_matches("error: "))
        .collect();
    format!("{} (see `rvrun --help`)", what.join(" "))
}

fn run(args: RunArgs) -> ExitCode {
    match try_run(args) {
        Ok(status) => ExitCode::from(status as u8),
        Err(msg) => {
            output::message(&format!("rvrun: {msg}"));
            ExitCode::from(RVRUN_ERROR)
        }
    }
}

fn try_run(args: RunArgs) -> Result<i32, String> {
    let name = args.program.to_string_lossy().into_owned();
    let program = rvrun::hostfile::read_regular(&args.program, rvrun::hostfile::MAX_PROGRAM)
        .map_err(|e| format!("cannot read {name}: {e}"))?;
    if !args.cwd.starts_with('/') {
        return Err(format!(
            "--cwd {}: must be an absolute guest path",
            args.cwd
        ));
    }
    let config = RunConfig {
        argv: std::iter::once(name.clone()).chain(args.args).collect(),
        env: args.inputs.env,
        seed: args.inputs.seed,
        epoch: args.inputs.epoch,
        clock_hz: args.inputs.clock_hz,
        mounts: args.inputs.mount,
        cwd: args.cwd,
        out_dir: args.out_dir,
        max_insns: args.max_insns,
        max_memory: args.inputs.max_memory,
        allow_unsupported: args.allow_unsupported,
        quantum: args.quantum,
        cpus: args.inputs.cpus,
    };
    let mut process = Process::new(&config, &name, &program)?;
    // Receipts and traces name stdin as an input: it is read in full before the guest starts.
    let stdin = if args.receipt.is_some() || args.trace.is_some() {
        Some(receipt::read_all(std::io::stdin().lock(), "stdin").map_err(|e| e.to_string())?)
    } else {
        None
    };
    let inputs = stdin
        .as_ref()
        .map(|s| receipt::inputs(&config, &program, &process, s));
    let recording = match (&args.receipt, stdin) {
        (Some(_), Some(stdin)) => Some(Recorder::attach(
            &mut process,
            stdin,
            Box::new(std::io::stdout()),
            Box::new(std::io::stderr()),
        )),
        (None, Some(stdin)) => {
            process.vfs.set_stdio(HostStdio {
                stdin: Box::new(std::io::Cursor::new(stdin)),
                ..HostStdio::host()
            });
            None
        }
        _ => None,
    };
    let trace_error = |e: std::io::Error| {
        let path = args.trace.as_deref().unwrap_or(std::path::Path::new(""));
        format!("cannot write --trace {}: {e}", path.display())
    };
    let mut tracer = match (&args.trace, &inputs) {
        (Some(path), Some(inputs)) => {
            let host = HostInfo::new(&name, &config.mounts);
            let header = trace::writer::header(inputs.clone(), host, &process);
            Some(TraceWriter::create(path, &header, &process).map_err(trace_error)?)
        }
        _ => None,
    };
    if args.census.is_some() {
        process.census = Some(rvrun::kernel::census::Census::new());
    }
    if let Some(path) = &args.strace_file {
        let f = std::fs::File::create(path)
            .map_err(|e| format!("cannot create {}: {e}", path.display()))?;
        process.strace = Some(Box::new(std::io::BufWriter::new(f)));
    } else if args.strace {
        process.strace = Some(Box::new(std::io::stderr()));
    }
    let mut profiling = match &args.profile {
        Some(path) => {
            let file = std::fs::File::create(path)
                .map_err(|e| format!("cannot create {}: {e}", path.display()))?;
            Some((file, Profiler::for_process(&program, &process)))
        }
        None => None,
    };
    let started = Instant::now();
    // One monomorphised run loop per combination: a plain run pays for no observer.
    let reason = match (tracer.as_mut(), profiling.as_mut()) {
        (Some(t), Some((_, p))) => process.run_observed(&mut (t, p)),
        (Some(t), None) => process.run_observed(t),
        (None, Some((_, p))) => process.run_observed(p),
        (None, None) => process.run(),
    };
    let wall = started.elapsed();
    let traced = match tracer {
        Some(t) => Some(t.finish(&reason).map_err(trace_error)?),
        None => None,
    };
    if let ExitReason::Stopped(msg) = &reason {
        output::message(&format!("rvrun: {msg}"));
    }
    if let Some((mut file, profiler)) = profiling {
        let bytes = profiler.finish().encode(args.profile_format);
        file.write_all(&bytes)
            .map_err(|e| format!("cannot write --profile: {e}"))?;
    }
    if let (Some(path), Some(census)) = (&args.census, &process.census) {
        census.merge_into_file(path)?;
    }
    if let Some(dir) = &config.out_dir {
        process
            .vfs
            .write_out(dir)
            .map_err(|e| format!("cannot write --out-dir {}: {e}", dir.display()))?;
    }
    if let (Some(path), Some(inputs), Some(rec)) = (&args.receipt, inputs, recording) {
        let outcome = rec.finish(&process, &reason);
        let r = Receipt {
            format: receipt::FORMAT.to_string(),
            rvrun_version: env!("CARGO_PKG_VERSION").to_string(),
            inputs,
            outcome,
            host: HostInfo::new(&name, &config.mounts),
        };
        r.save(path).map_err(|e| e.to_string())?;
    }
    if args.stats {
        let insns = process.instret();
        let secs = wall.as_secs_f64();
        let mips = if secs > 0.0 {
            insns as f64 / secs / 1e6
        } else {
            0.0
        };
        let mut stats = format!(
            "instructions: {insns}\nsyscalls: {}\nsignals: {}\nthread-switches: {}\n\
             exit-status: {}\nwall-seconds: {secs:.3}\nmips: {mips:.1}\n",
            process.stats.syscalls,
            process.stats.signals,
            process.sched.switches,
            reason.status()
        );
        if let Some(t) = traced {
            let per = t.bytes as f64 / t.insns.max(1) as f64;
            stats += &format!("trace-bytes: {} ({per:.2} per instruction)\n", t.bytes);
        }
        output::stderr(&stats);
    }
    Ok(reason.status())
}

fn verify(args: VerifyArgs) -> ExitCode {
    let result = (|| {
        let recorded = Receipt::load(&args.receipt)?;
        let stdin =
            match &args.stdin {
                Some(p) => rvrun::hostfile::read_input(p, rvrun::hostfile::MAX_STDIN).map_err(
                    |source| receipt::ReceiptError::Io {
                        what: format!("cannot read --stdin {}", p.display()),
                        source,
                    },
                )?,
                None if std::io::stdin().is_terminal() => Vec::new(),
                None => receipt::read_all(std::io::stdin().lock(), "stdin")?,
            };
        let opts = VerifyOptions {
            program: args.program.clone(),
            mounts: args.mount.clone(),
            stdin,
        };
        let v = receipt::verify(&recorded, &opts)?;
        if let Some(out) = &args.receipt_out {
            v.rerun.save(out)?;
        }
        Ok::<_, receipt::ReceiptError>(v)
    })();
    match result {
        Ok(v) => {
            let mut text: String = v.notes.iter().map(|n| format!("note: {n}\n")).collect();
            let o = &v.rerun.outcome;
            let status = if v.mismatches.is_empty() {
                text += &format!(
                    "verify: OK: every digest matches (exit status {}, {} instructions, {} outputs)\n",
                    o.status,
                    o.instructions,
                    o.outputs.len()
                );
                0
            } else {
                text += &format!("verify: MISMATCH: {} difference(s)\n", v.mismatches.len());
                for m in &v.mismatches {
                    text += &format!("  {m}\n");
                }
                1
            };
            ExitCode::from(output::stdout_then(&text, status))
        }
        Err(e) => {
            output::message(&format!("rvrun: verify: {e}"));
            ExitCode::from(RVRUN_ERROR)
        }
    }
}

fn compare(args: CompareArgs) -> ExitCode {
    let opts = CompareOptions {
        program: args.program,
        args: args.args,
        env: args.inputs.env,
        mounts: args.inputs.mount,
        stdin: args.stdin,
        seed: args.inputs.seed,
        epoch: args.inputs.epoch,
        clock_hz: args.inputs.clock_hz,
        max_insns: args.max_insns,
        max_memory: args.inputs.max_memory,
        cwd: args.cwd,
        quantum: args.quantum,
        cpus: args.inputs.cpus,
        qemu: args.qemu,
        syscalls: args.syscalls,
    };
    match rvrun::compare::compare(&opts) {
        Ok(report) => {
            let status = if report.agree() { 0 } else { 1 };
            let text = report.render(&opts.program.to_string_lossy());
            ExitCode::from(output::stdout_then(&text, status))
        }
        Err(e) => {
            output::message(&format!("rvrun: compare: {e}"));
            ExitCode::from(RVRUN_ERROR)
        }
    }
}
