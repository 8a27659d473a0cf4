//! The `rvrun` command line.

use clap::{Args, Parser, Subcommand};
use rvrun::config::{DEFAULT_CLOCK_HZ, DEFAULT_EPOCH, Mount, RunConfig};
use rvrun::process::{ExitReason, Process};
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
    /// Print the syscall table (what is implemented, what is answered with an error by design).
    Syscalls {
        /// As a Markdown table (the README embeds this).
        #[arg(long)]
        markdown: bool,
    },
}

#[derive(Args)]
struct RunArgs {
    /// Set a guest environment variable (repeatable). The guest sees no other variables.
    #[arg(short = 'E', value_name = "KEY=VALUE")]
    env: Vec<String>,
    /// Seed of the random stream (getrandom, /dev/urandom, AT_RANDOM).
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Virtual time at start, in seconds since the Unix epoch.
    #[arg(long, default_value_t = DEFAULT_EPOCH)]
    epoch: u64,
    /// Retired instructions per virtual second.
    #[arg(long, default_value_t = DEFAULT_CLOCK_HZ, value_parser = clap::value_parser!(u64).range(1..))]
    clock_hz: u64,
    /// Copy a host file or directory into the guest filesystem (repeatable).
    #[arg(long, value_name = "HOST_PATH:GUEST_PATH[:ro]", value_parser = Mount::parse)]
    mount: Vec<Mount>,
    /// The guest's initial working directory.
    #[arg(long, default_value = "/")]
    cwd: String,
    /// After the run, write every file the guest created or changed under this directory.
    #[arg(long, value_name = "DIR")]
    out_dir: Option<PathBuf>,
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
    #[arg(long, value_name = "N", default_value_t = rvrun::sched::DEFAULT_QUANTUM,
          value_parser = clap::value_parser!(u64).range(1..))]
    quantum: u64,
    /// The program to run.
    program: PathBuf,
    /// Arguments passed to the program.
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    args: Vec<String>,
}

fn main() -> ExitCode {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("warn")).init();
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { RVRUN_ERROR } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    match cli.command {
        Command::Run(args) => run(*args),
        Command::Syscalls { markdown } => {
            if markdown {
                print!("{}", rvrun::syscalls::markdown_table());
            } else {
                for row in rvrun::syscalls::table().iter().flatten() {
                    println!("{:4} {}", row.nr, row.name);
                }
            }
            ExitCode::SUCCESS
        }
    }
}

fn run(args: RunArgs) -> ExitCode {
    match try_run(args) {
        Ok(status) => ExitCode::from(status as u8),
        Err(msg) => {
            eprintln!("rvrun: {msg}");
            ExitCode::from(RVRUN_ERROR)
        }
    }
}

fn try_run(args: RunArgs) -> Result<i32, String> {
    let name = args.program.to_string_lossy().into_owned();
    let program = std::fs::read(&args.program).map_err(|e| format!("cannot read {name}: {e}"))?;
    for kv in &args.env {
        if !kv.contains('=') {
            return Err(format!("-E {kv}: expected KEY=VALUE"));
        }
    }
    if !args.cwd.starts_with('/') {
        return Err(format!(
            "--cwd {}: must be an absolute guest path",
            args.cwd
        ));
    }
    let config = RunConfig {
        argv: std::iter::once(name.clone()).chain(args.args).collect(),
        env: args.env,
        seed: args.seed,
        epoch: args.epoch,
        clock_hz: args.clock_hz,
        mounts: args.mount,
        cwd: args.cwd,
        out_dir: args.out_dir,
        max_insns: args.max_insns,
        allow_unsupported: args.allow_unsupported,
        quantum: args.quantum,
    };
    let mut process = Process::new(&config, &name, &program)?;
    if let Some(path) = &args.strace_file {
        let f = std::fs::File::create(path)
            .map_err(|e| format!("cannot create {}: {e}", path.display()))?;
        process.strace = Some(Box::new(std::io::BufWriter::new(f)));
    } else if args.strace {
        process.strace = Some(Box::new(std::io::stderr()));
    }
    let started = Instant::now();
    let reason = process.run();
    let wall = started.elapsed();
    if let ExitReason::Stopped(msg) = &reason {
        eprintln!("rvrun: {msg}");
    }
    if let Some(dir) = &config.out_dir {
        process
            .vfs
            .write_out(dir)
            .map_err(|e| format!("cannot write --out-dir {}: {e}", dir.display()))?;
    }
    if args.stats {
        let insns = process.instret();
        let secs = wall.as_secs_f64();
        eprintln!("instructions: {insns}");
        eprintln!("syscalls: {}", process.stats.syscalls);
        eprintln!("exit-status: {}", reason.status());
        eprintln!("wall-seconds: {secs:.3}");
        eprintln!(
            "mips: {:.1}",
            if secs > 0.0 {
                insns as f64 / secs / 1e6
            } else {
                0.0
            }
        );
    }
    Ok(reason.status())
}
