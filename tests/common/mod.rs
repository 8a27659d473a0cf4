//! Helpers shared by the integration tests that run rvrun as a child process.

// Each test crate includes this module and uses part of it.
#![allow(dead_code)]

use std::io::Read;
use std::path::PathBuf;
use std::process::{Command, ExitStatus, Stdio};
use std::thread;
use std::time::{Duration, Instant};

/// What a finished child left.
pub struct Finished {
    /// The exit code, or 128 + signal number if the child was killed by a signal (the shell
    /// convention, and what the expected-output scripts record for QEMU).
    pub status: i32,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    /// Wall time from spawn to exit.
    pub secs: f64,
}

fn status_code(s: ExitStatus) -> i32 {
    use std::os::unix::process::ExitStatusExt;
    s.code().unwrap_or_else(|| 128 + s.signal().unwrap_or(0))
}

/// Runs `cmd` (stdin as the caller set it) with stdout and stderr captured, killing it after
/// `RVRUN_TEST_TIMEOUT` seconds (default `default_limit_secs`). Both pipes are drained on
/// threads so that a chatty child cannot block on a full pipe.
pub fn run_limited(mut cmd: Command, default_limit_secs: u64) -> Result<Finished, String> {
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    let start = Instant::now();
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("cannot start {:?}: {e}", cmd.get_program()))?;
    let drain = |mut pipe: Box<dyn Read + Send>| {
        thread::spawn(move || {
            let mut v = Vec::new();
            let _ = pipe.read_to_end(&mut v);
            v
        })
    };
    let out_t = drain(Box::new(child.stdout.take().expect("piped stdout")));
    let err_t = drain(Box::new(child.stderr.take().expect("piped stderr")));
    let limit = Duration::from_secs(
        std::env::var("RVRUN_TEST_TIMEOUT")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(default_limit_secs),
    );
    let status = loop {
        if let Some(s) = child.try_wait().map_err(|e| e.to_string())? {
            break s;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!(
                "timed out after {} s (RVRUN_TEST_TIMEOUT)",
                limit.as_secs()
            ));
        }
        thread::sleep(Duration::from_millis(5));
    };
    Ok(Finished {
        status: status_code(status),
        stdout: out_t.join().expect("stdout reader"),
        stderr: err_t.join().expect("stderr reader"),
        secs: start.elapsed().as_secs_f64(),
    })
}

/// The directory of built guest programs (`RVRUN_GUESTS`; `make test` sets it).
pub fn guests_dir() -> PathBuf {
    let dir = std::env::var_os("RVRUN_GUESTS").unwrap_or_else(|| {
        panic!(
            "RVRUN_GUESTS is not set: it must name the directory of built guest programs \
             (`make test` sets it; or run `make programs` and RVRUN_GUESTS=$PWD/build/guests)"
        )
    });
    let dir = PathBuf::from(dir);
    assert!(
        dir.is_dir(),
        "RVRUN_GUESTS={} is not a directory (run `make programs`)",
        dir.display()
    );
    dir
}

/// The path of guest program `name` ("c-musl/hello"), which must have been built.
pub fn guest(name: &str) -> String {
    let p = guests_dir().join(name);
    assert!(p.is_file(), "{} missing (run `make programs`)", p.display());
    p.to_str().expect("UTF-8 path").to_string()
}

/// What a finished child left, with its own peak resident memory.
pub struct Measured {
    /// As [`Finished::status`].
    pub status: i32,
    pub stdout: String,
    pub stderr: String,
    /// Wall time from spawn to exit.
    pub secs: f64,
    /// The child's peak RSS in KiB, from wait4 (other tests' children do not count).
    pub max_rss_kib: i64,
}

/// Runs `cmd` with stdin empty and measures its wall time and peak resident memory; a
/// watchdog kills it after `limit_secs`.
#[allow(
    clippy::zombie_processes,
    reason = "the child is reaped with wait4, which also reports its peak RSS"
)]
pub fn run_measured(mut cmd: Command, limit_secs: u64) -> Measured {
    let out = tempfile::NamedTempFile::new().unwrap();
    let err = tempfile::NamedTempFile::new().unwrap();
    let start = Instant::now();
    let child = cmd
        .stdin(Stdio::null())
        .stdout(out.reopen().unwrap())
        .stderr(err.reopen().unwrap())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {:?}: {e}", cmd.get_program()));
    let pid = child.id() as libc::pid_t;
    let watchdog = thread::spawn(move || {
        thread::sleep(Duration::from_secs(limit_secs));
        // SAFETY: kill has no memory-safety preconditions; by the time it runs the child has
        // normally been reaped, and a pid is not reused within the limit in a test run.
        unsafe { libc::kill(pid, libc::SIGKILL) };
    });
    let mut status = 0;
    // SAFETY: an all-zero rusage is a valid value of the plain C struct.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: pid is our unwaited child; status and usage are valid for writes.
    let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(r, pid, "wait4");
    let secs = start.elapsed().as_secs_f64();
    drop(watchdog);
    let status = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        128 + libc::WTERMSIG(status)
    };
    Measured {
        status,
        stdout: std::fs::read_to_string(out.path()).unwrap(),
        stderr: std::fs::read_to_string(err.path()).unwrap(),
        secs,
        max_rss_kib: usage.ru_maxrss,
    }
}

/// `--census FILE` when `RVRUN_CENSUS` names a census file (`make census`), else nothing:
/// the suites that run guests add it to every `rvrun run`.
pub fn census_args() -> Vec<String> {
    match std::env::var("RVRUN_CENSUS") {
        Ok(path) if !path.is_empty() => vec!["--census".into(), path],
        _ => Vec::new(),
    }
}

/// Prints a progress or summary line on stderr. Written to the stream directly, not through
/// `eprintln!`, which the test harness captures: CI logs show every run's counts.
pub fn report(line: std::fmt::Arguments) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr().lock(), "{line}");
}

/// The `instructions: N` line of rvrun's `--stats` output.
pub fn instructions(stderr: &str) -> Option<u64> {
    stderr
        .lines()
        .find_map(|l| l.strip_prefix("instructions: "))
        .and_then(|n| n.trim().parse().ok())
}
