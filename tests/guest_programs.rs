//! Runs the guest programs of tests/programs/cases.txt under rvrun.
//!
//! For every case: two identical runs with `--stats` must produce byte-identical stdout and
//! stderr (which includes the `instructions: N` line; only the host-timing stats lines
//! `wall-seconds:` and `mips:` may differ). "qemu" cases must also match the
//! stdout and exit status that qemu-riscv64 produced (tests/programs/expected/, written by
//! tests/programs/gen-expected.sh). "det-seed" / "det-epoch" cases must print something
//! different when --seed / --epoch changes. See the top of cases.txt for the format.
//!
//! Needs the guest binaries: `RVRUN_GUESTS=/abs/path/build/guests` (built by
//! `make -C tests/programs OUT=...`; `make test` does both). The test fails, rather than
//! skips, when they are missing. `RVRUN_CASES=hello,float-c` restricts the run to cases
//! whose name contains one of the given substrings; `RVRUN_TEST_TIMEOUT` sets the per-run
//! limit in seconds (default 300).

mod common;

use common::guests_dir;
use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::thread;
use std::time::Instant;

const RVRUN: &str = env!("CARGO_BIN_EXE_rvrun");
const PROGRAMS_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/programs");

#[derive(Clone, Copy, Debug, PartialEq)]
enum Check {
    /// stdout and status against expected/ (recorded from QEMU), plus determinism
    Qemu,
    /// determinism only
    Det,
    /// determinism, and --seed must change the output
    DetSeed,
    /// determinism, and --epoch must change the output
    DetEpoch,
    /// determinism, and --quantum must change the output (thread interleaving)
    DetQuantum,
}

#[derive(Debug)]
struct Case {
    line: usize,
    name: String,
    check: Check,
    program: String,
    args: Vec<String>,
    env: Vec<String>,
    /// (host path relative to tests/programs/data, guest path, read-only)
    mounts: Vec<(String, String, bool)>,
    stdin: Option<String>,
}

/// Splits a field on blanks; double quotes group blanks into one token (`""` is an empty
/// token). Same rules as `tokenize` in gen-expected.sh.
fn tokenize(field: &str) -> Result<Vec<String>, String> {
    let mut tokens = Vec::new();
    if field == "-" {
        return Ok(tokens);
    }
    let (mut tok, mut quoted, mut have) = (String::new(), false, false);
    for c in field.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                have = true;
            }
            ' ' | '\t' if !quoted => {
                if have {
                    tokens.push(std::mem::take(&mut tok));
                }
                have = false;
            }
            _ => {
                tok.push(c);
                have = true;
            }
        }
    }
    if quoted {
        return Err(format!("unbalanced quote in {field:?}"));
    }
    if have {
        tokens.push(tok);
    }
    Ok(tokens)
}

fn parse_manifest(text: &str) -> Result<Vec<Case>, String> {
    let mut cases = Vec::new();
    let mut names = HashSet::new();
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        if raw.trim().is_empty() || raw.starts_with('#') {
            continue;
        }
        let fields: Vec<&str> = raw
            .split('|')
            .map(str::trim)
            .map(|f| if f.is_empty() { "-" } else { f })
            .collect();
        let err = |msg: String| format!("cases.txt line {line}: {msg}");
        let [name, check, program, args, env, mounts, stdin] = fields[..] else {
            return Err(err(format!(
                "expected 7 '|'-separated fields, got {}",
                fields.len()
            )));
        };
        let check = match check {
            "qemu" => Check::Qemu,
            "det" => Check::Det,
            "det-seed" => Check::DetSeed,
            "det-epoch" => Check::DetEpoch,
            "det-quantum" => Check::DetQuantum,
            other => return Err(err(format!("unknown check {other:?}"))),
        };
        if !names.insert(name.to_string()) {
            return Err(err(format!("duplicate case name {name}")));
        }
        if program.split('/').count() != 2 {
            return Err(err(format!("program {program:?} is not FLAVOUR/NAME")));
        }
        let mounts = tokenize(mounts)
            .map_err(&err)?
            .into_iter()
            .map(|m| {
                let mut parts: Vec<&str> = m.split(':').collect();
                let ro = parts.last() == Some(&"ro");
                if ro {
                    parts.pop();
                }
                match parts[..] {
                    [host, guest] if guest.starts_with('/') => {
                        Ok((host.to_string(), guest.to_string(), ro))
                    }
                    _ => Err(err(format!("bad mount {m:?}, want HOST:GUEST[:ro]"))),
                }
            })
            .collect::<Result<_, _>>()?;
        cases.push(Case {
            line,
            name: name.to_string(),
            check,
            program: program.to_string(),
            args: tokenize(args).map_err(&err)?,
            env: tokenize(env).map_err(&err)?,
            mounts,
            stdin: (stdin != "-").then(|| stdin.to_string()),
        });
    }
    Ok(cases)
}

fn load_cases() -> Vec<Case> {
    let path = Path::new(PROGRAMS_DIR).join("cases.txt");
    let text =
        fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    parse_manifest(&text).unwrap_or_else(|e| panic!("{e}"))
}

fn data_dir() -> PathBuf {
    Path::new(PROGRAMS_DIR).join("data")
}

fn expected_path(case: &Case, ext: &str) -> PathBuf {
    Path::new(PROGRAMS_DIR)
        .join("expected")
        .join(format!("{}.{ext}", case.name))
}

struct Output {
    /// The exit code, or 128 + signal number if rvrun itself was killed by a signal (the
    /// shell convention, and what gen-expected.sh records for QEMU).
    status: i32,
    stdout: Vec<u8>,
    stderr: Vec<u8>,
}

/// Runs `rvrun run OPTIONS [EXTRA] -- PROGRAM ARGS` for the case, with a wall-clock limit.
fn run_rvrun(case: &Case, guests: &Path, extra: &[&str]) -> Result<Output, String> {
    let mut cmd = Command::new(RVRUN);
    cmd.arg("run");
    for kv in &case.env {
        cmd.arg("-E").arg(kv);
    }
    for (host, guest, ro) in &case.mounts {
        let host = data_dir().join(host);
        cmd.arg("--mount").arg(format!(
            "{}:{guest}{}",
            host.display(),
            if *ro { ":ro" } else { "" }
        ));
    }
    cmd.args(extra);
    cmd.args(common::census_args());
    // "--" so that guest arguments starting with '-' are never taken as rvrun options.
    cmd.arg("--").arg(guests.join(&case.program));
    for a in &case.args {
        // rvrun's in-memory file system always has a writable /tmp.
        cmd.arg(if a == "{tmp}" { "/tmp" } else { a.as_str() });
    }
    cmd.stdin(match &case.stdin {
        Some(f) => {
            let path = data_dir().join(f);
            Stdio::from(
                fs::File::open(&path)
                    .map_err(|e| format!("opening stdin {}: {e}", path.display()))?,
            )
        }
        None => Stdio::null(),
    });
    // The guest's environment must be exactly the -E variables: a canary in rvrun's own
    // environment makes a leak visible (the args cases print the whole guest environment).
    cmd.current_dir("/").env(
        "RVRUN_HOST_CANARY",
        "host environment leaked into the guest",
    );
    let done = common::run_limited(cmd, 300)?;
    Ok(Output {
        status: done.status,
        stdout: done.stdout,
        stderr: done.stderr,
    })
}

/// Describes the first difference between two outputs, line by line.
fn first_difference(expected: &[u8], actual: &[u8]) -> String {
    let e: Vec<&[u8]> = expected.split(|&b| b == b'\n').collect();
    let a: Vec<&[u8]> = actual.split(|&b| b == b'\n').collect();
    let show = |l: Option<&&[u8]>| match l {
        Some(l) => format!("{:?}", String::from_utf8_lossy(l)),
        None => "<end of output>".to_string(),
    };
    for i in 0..e.len().max(a.len()) {
        if e.get(i) != a.get(i) {
            return format!(
                "first difference at line {} ({} vs {} bytes in total):\n      expected: {}\n      actual:   {}",
                i + 1,
                expected.len(),
                actual.len(),
                show(e.get(i)),
                show(a.get(i))
            );
        }
    }
    "outputs are identical".to_string()
}

/// The last lines of rvrun's stderr, to make a failure report self-explanatory.
fn stderr_tail(o: &Output) -> String {
    let text = String::from_utf8_lossy(&o.stderr);
    let lines: Vec<&str> = text.lines().collect();
    let tail = &lines[lines.len().saturating_sub(12)..];
    if tail.is_empty() {
        return String::new();
    }
    format!(
        "\n    stderr (last {} lines):\n      {}",
        tail.len(),
        tail.join("\n      ")
    )
}

/// `--stats` lines that measure the host (wall-clock time and the speed derived from it):
/// the only part of a run allowed to differ between two identical runs.
const HOST_TIMING_STATS: [&str; 2] = ["wall-seconds:", "mips:"];

/// stderr without the host-timing `--stats` lines.
fn deterministic_stderr(stderr: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(stderr.len());
    for line in stderr.split_inclusive(|&b| b == b'\n') {
        if !HOST_TIMING_STATS
            .iter()
            .any(|k| line.starts_with(k.as_bytes()))
        {
            out.extend_from_slice(line);
        }
    }
    out
}

fn instructions(stderr: &[u8]) -> Option<u64> {
    String::from_utf8_lossy(stderr)
        .lines()
        .filter_map(|l| l.strip_prefix("instructions:"))
        .next_back()
        .and_then(|v| v.trim().parse().ok())
}

/// Runs every check for one case; returns the problems found (empty: passed) and a summary.
fn check_case(case: &Case, guests: &Path) -> (Vec<String>, String) {
    let mut problems = Vec::new();
    let first = match run_rvrun(case, guests, &["--stats"]) {
        Ok(o) => o,
        Err(e) => return (vec![e], String::new()),
    };
    let insns = instructions(&first.stderr);
    if insns.is_none() {
        problems.push(format!(
            "no `instructions: N` line in the --stats output{}",
            stderr_tail(&first)
        ));
    }

    if case.check == Check::Qemu {
        let stdout_path = expected_path(case, "stdout");
        let status_path = expected_path(case, "status");
        match (fs::read(&stdout_path), fs::read_to_string(&status_path)) {
            (Ok(stdout), Ok(status)) => {
                let status: i32 = status.trim().parse().unwrap_or(-1);
                if first.status != status {
                    problems.push(format!(
                        "exit status {} but QEMU's was {status}{}",
                        first.status,
                        stderr_tail(&first)
                    ));
                }
                if first.stdout != stdout {
                    problems.push(format!(
                        "stdout differs from {}: {}",
                        stdout_path.display(),
                        first_difference(&stdout, &first.stdout)
                    ));
                }
            }
            _ => problems.push(format!(
                "missing {} or {} (run tests/programs/gen-expected.sh)",
                stdout_path.display(),
                status_path.display()
            )),
        }
    } else if first.status != 0 {
        problems.push(format!(
            "exit status {}, expected 0{}",
            first.status,
            stderr_tail(&first)
        ));
    }

    // Determinism: an identical second run must reproduce everything byte for byte.
    match run_rvrun(case, guests, &["--stats"]) {
        Err(e) => problems.push(format!("second run: {e}")),
        Ok(second) => {
            if second.status != first.status {
                problems.push(format!(
                    "not deterministic: exit status {} then {}",
                    first.status, second.status
                ));
            }
            if second.stdout != first.stdout {
                problems.push(format!(
                    "not deterministic: stdout changed between two runs: {}",
                    first_difference(&first.stdout, &second.stdout)
                ));
            }
            let insns2 = instructions(&second.stderr);
            if insns2 != insns {
                problems.push(format!(
                    "not deterministic: instructions {insns:?} then {insns2:?}"
                ));
            }
            let (e1, e2) = (
                deterministic_stderr(&first.stderr),
                deterministic_stderr(&second.stderr),
            );
            if e1 != e2 {
                problems.push(format!(
                    "not deterministic: stderr (guest output + --stats) changed between two runs: {}",
                    first_difference(&e1, &e2)
                ));
            }
        }
    }

    // The output must follow the seed / the epoch.
    let varied = match case.check {
        Check::DetSeed => Some(("--seed", ["1", "2"])),
        Check::DetEpoch => Some(("--epoch", ["1000000000", "1600000000"])),
        Check::DetQuantum => Some(("--quantum", ["500", "100000"])),
        _ => None,
    };
    if let Some((opt, [v1, v2])) = varied {
        match (
            run_rvrun(case, guests, &[opt, v1]),
            run_rvrun(case, guests, &[opt, v2]),
        ) {
            (Ok(a), Ok(b)) => {
                if a.stdout == b.stdout {
                    problems.push(format!("stdout is the same with {opt} {v1} and {opt} {v2}"));
                }
            }
            (Err(e), _) | (_, Err(e)) => problems.push(format!("run with {opt}: {e}")),
        }
    }

    let summary = match insns {
        Some(n) => format!("{n} instructions"),
        None => String::new(),
    };
    (problems, summary)
}

/// The manifest parses, and every "qemu" case has its expected files (and only those do).
/// Needs neither rvrun nor the guest binaries.
#[test]
fn manifest_and_expected_files_agree() {
    let cases = load_cases();
    assert!(!cases.is_empty(), "cases.txt lists no case");
    let mut problems = Vec::new();
    for case in &cases {
        for ext in ["stdout", "status"] {
            let exists = expected_path(case, ext).exists();
            if case.check == Check::Qemu && !exists {
                problems.push(format!(
                    "{} (line {}): missing expected/{}.{ext}",
                    case.name, case.line, case.name
                ));
            }
            if case.check != Check::Qemu && exists {
                problems.push(format!(
                    "{}: determinism-only case has expected/{}.{ext}",
                    case.name, case.name
                ));
            }
        }
        for (host, _, _) in &case.mounts {
            if !data_dir().join(host).exists() {
                problems.push(format!(
                    "{}: mount source data/{host} does not exist",
                    case.name
                ));
            }
        }
        if let Some(f) = &case.stdin
            && !data_dir().join(f).is_file()
        {
            problems.push(format!("{}: stdin file data/{f} does not exist", case.name));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Every case of cases.txt under rvrun, one worker thread per core; all cases run and every
/// failure is reported, each naming its case.
#[test]
fn guest_programs() {
    let guests = guests_dir();
    let filter: Vec<String> = std::env::var("RVRUN_CASES")
        .map(|s| {
            s.split(',')
                .filter(|p| !p.is_empty())
                .map(String::from)
                .collect()
        })
        .unwrap_or_default();
    let cases: Vec<Case> = load_cases()
        .into_iter()
        .filter(|c| filter.is_empty() || filter.iter().any(|f| c.name.contains(f.as_str())))
        .collect();
    assert!(!cases.is_empty(), "no case matches RVRUN_CASES={filter:?}");

    let missing: Vec<String> = cases
        .iter()
        .map(|c| guests.join(&c.program))
        .filter(|p| !p.is_file())
        .map(|p| p.display().to_string())
        .collect();
    assert!(
        missing.is_empty(),
        "guest binaries missing (run `make programs`):\n  {}",
        missing.join("\n  ")
    );

    let next = Mutex::new(cases.iter());
    let failures = Mutex::new(Vec::new());
    let threads = thread::available_parallelism().map_or(2, |n| n.get());
    thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                loop {
                    let Some(case) = next.lock().unwrap().next() else {
                        break;
                    };
                    let start = Instant::now();
                    let (problems, summary) = check_case(case, &guests);
                    let secs = start.elapsed().as_secs_f64();
                    if problems.is_empty() {
                        eprintln!("ok    {:<24} {secs:6.2} s  {summary}", case.name);
                    } else {
                        eprintln!("FAIL  {:<24} {secs:6.2} s", case.name);
                        let command: Vec<&str> = std::iter::once(&case.program)
                            .chain(&case.args)
                            .map(String::as_str)
                            .collect();
                        let report = format!(
                            "{} ({}, cases.txt line {}):\n  - {}",
                            case.name,
                            command.join(" "),
                            case.line,
                            problems.join("\n  - ")
                        );
                        failures.lock().unwrap().push(report);
                    }
                }
            });
        }
    });

    let failures = failures.into_inner().unwrap();
    if !failures.is_empty() {
        panic!(
            "{} of {} guest program cases failed:\n\n{}\n",
            failures.len(),
            cases.len(),
            failures.join("\n\n")
        );
    }
}

#[cfg(test)]
mod manifest_format {
    use super::*;

    #[test]
    fn tokenize_quotes_and_blanks() {
        assert_eq!(tokenize("-").unwrap(), Vec::<String>::new());
        assert_eq!(
            tokenize(r#"a "b c"  "" d"e f"g"#).unwrap(),
            vec!["a", "b c", "", "de fg"]
        );
        assert_eq!(tokenize(r#"K="v w" E="#).unwrap(), vec!["K=v w", "E="]);
        assert!(tokenize(r#"a "b"#).is_err());
    }

    #[test]
    fn host_timing_stats_are_ignored() {
        let s = b"guest says hi\ninstructions: 5\nwall-seconds: 0.1\nmips: 50.0\n";
        assert_eq!(deterministic_stderr(s), b"guest says hi\ninstructions: 5\n");
        assert_eq!(instructions(s), Some(5));
    }

    #[test]
    fn parse_a_line() {
        let cases = parse_manifest(
            "# comment\n\nx | qemu | c-musl/ls | /data/t \"a b\" | K=V | t:/data/t:ro d:/d | in.txt\n",
        )
        .unwrap();
        assert_eq!(cases.len(), 1);
        let c = &cases[0];
        assert_eq!((c.name.as_str(), c.check, c.line), ("x", Check::Qemu, 3));
        assert_eq!(c.args, vec!["/data/t", "a b"]);
        assert_eq!(c.env, vec!["K=V"]);
        assert_eq!(
            c.mounts,
            vec![
                ("t".into(), "/data/t".into(), true),
                ("d".into(), "/d".into(), false)
            ]
        );
        assert_eq!(c.stdin.as_deref(), Some("in.txt"));
        assert!(parse_manifest("x | qemu | c-musl/ls | - | -\n").is_err());
        assert!(parse_manifest("x | maybe | c-musl/ls | - | - | - | -\n").is_err());
    }
}
