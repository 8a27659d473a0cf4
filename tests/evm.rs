//! Runs go-ethereum's `evm` tool (`t8n`, `t9n`, `b11r`, `run` and `statetest`) under rvrun on
//! the test vectors of its cmd/evm/testdata and checks the output against qemu-riscv64's and
//! against the expected files there.
//!
//! The cases are tests/programs/evm/cases.json, transcribed from go-ethereum's
//! cmd/evm/t8n_test.go (TestT8n, TestT9n, TestB11r, TestEvmRun, TestEVMTracing): each has the
//! arguments, the exit status the Go test wants, the testdata paths it reads (mounted
//! read-only at their host paths) and what the Go test compares:
//!
//! - `json`: stdout and the file hold equal JSON values (the Go test's `cmpJson`);
//! - `stdout`, `stderr`: the stream equals the file byte for byte;
//! - `traces`: the files the tool writes under `--output.basedir` (`{OUT}` in the arguments:
//!   /tmp in the guest) equal, line by line, those of the same name in `dir`.
//!
//! On top, stdout must equal QEMU's byte for byte and stderr QEMU's once the log lines' time
//! stamps and `elapsed=` durations are masked (expected/<case>.stdout, .stderr, written by
//! `tests/programs/evm/gen-expected.sh`, which runs the ignored test `record_qemu` below).
//! The binary and its testdata are $RVRUN_GUESTS/evm/{evm,testdata} (tests/programs/evm.mk).
//! Each case prints its instructions and wall time, with QEMU's recorded time.

mod common;

use common::{guests_dir, instructions, report};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const RVRUN: &str = env!("CARGO_BIN_EXE_rvrun");
const EVM_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/programs/evm");
/// The guest directory `{OUT}` stands for.
const GUEST_OUT: &str = "/tmp";
/// Seconds one case may run (rvrun or QEMU).
const RUN_LIMIT_SECS: u64 = 300;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Traces {
    dir: String,
    files: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    name: String,
    /// paths (relative to the evm directory) the case reads
    mounts: Vec<String>,
    args: Vec<String>,
    exit: i32,
    json: Option<String>,
    stdout: Option<String>,
    stderr: Option<String>,
    traces: Option<Traces>,
}

fn load_cases() -> Vec<Case> {
    let path = Path::new(EVM_DIR).join("cases.json");
    let text = fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let cases: Vec<Case> =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut names: Vec<&str> = cases.iter().map(|c| c.name.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), cases.len(), "cases.json: duplicate case names");
    cases
}

/// Where the evm binary and its testdata are.
fn evm_dir() -> PathBuf {
    let dir = guests_dir().join("evm");
    assert!(
        dir.join("evm").is_file() && dir.join("testdata").is_dir(),
        "{}/evm or testdata missing (run `make programs`)",
        dir.display()
    );
    dir
}

/// Masks what differs between two runs of the same log: `[MM-DD|HH:MM:SS.mmm]` time stamps,
/// `elapsed=DURATION` fields, and the host's temporary output directory of a QEMU run.
fn mask_log(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let mut rest = line;
        while !rest.is_empty() {
            let b = rest.as_bytes();
            let stamp = b.len() >= 20
                && b[0] == b'['
                && b[19] == b']'
                && b[1..19].iter().enumerate().all(|(i, c)| match i {
                    2 => *c == b'-',
                    5 => *c == b'|',
                    8 | 11 => *c == b':',
                    14 => *c == b'.',
                    _ => c.is_ascii_digit(),
                });
            if stamp {
                out.push_str("[TIME]");
                rest = &rest[20..];
            } else if let Some(r) = rest
                .strip_prefix("/tmp/.tmp")
                .filter(|r| r.len() > 6 && r.as_bytes()[..6].iter().all(u8::is_ascii_alphanumeric))
                .and_then(|r| r[6..].strip_prefix('/'))
            {
                // QEMU's runs write to a fresh host directory (tempfile's /tmp/.tmpXXXXXX)
                // where rvrun's write to the guest's /tmp
                out.push_str("/tmp/");
                rest = r;
            } else if let Some(r) = rest.strip_prefix("elapsed=") {
                out.push_str("elapsed=X");
                let end = r.find(|c: char| c.is_whitespace()).unwrap_or(r.len());
                rest = &r[end..];
            } else {
                let c = rest.chars().next().unwrap();
                out.push(c);
                rest = &rest[c.len_utf8()..];
            }
        }
    }
    out
}

/// The arguments with `{OUT}` replaced.
fn args(case: &Case, out: &str) -> Vec<String> {
    case.args.iter().map(|a| a.replace("{OUT}", out)).collect()
}

struct Outcome {
    status: i32,
    stdout: Vec<u8>,
    /// the guest's stderr (without rvrun's --stats lines)
    stderr: String,
    /// rvrun's --stats and stop message
    stats: String,
    /// the directory the trace files went to (host)
    out_dir: PathBuf,
    secs: f64,
}

fn run_rvrun(dir: &Path, case: &Case, tmp: &Path) -> Result<Outcome, String> {
    let mut cmd = Command::new(RVRUN);
    cmd.args(["run", "--stats"]).args(common::census_args());
    for m in &case.mounts {
        let p = dir.join(m);
        cmd.arg("--mount")
            .arg(format!("{}:{}:ro", p.display(), p.display()));
    }
    cmd.arg("--cwd").arg(dir).arg("--out-dir").arg(tmp);
    cmd.arg("--")
        .arg(dir.join("evm"))
        .args(args(case, GUEST_OUT));
    cmd.current_dir("/").stdin(Stdio::null());
    let done = common::run_limited(cmd, RUN_LIMIT_SECS)?;
    let stderr = String::from_utf8_lossy(&done.stderr);
    let (guest, stats) = split_stats(&stderr);
    Ok(Outcome {
        status: done.status,
        stdout: done.stdout,
        stderr: guest.to_string(),
        stats: stats.to_string(),
        out_dir: tmp.join(GUEST_OUT.trim_start_matches('/')),
        secs: done.secs,
    })
}

fn run_qemu(dir: &Path, case: &Case, tmp: &Path) -> Result<Outcome, String> {
    let mut cmd = Command::new("qemu-riscv64");
    cmd.arg(dir.join("evm"))
        .args(args(case, tmp.to_str().unwrap()));
    cmd.env_clear().current_dir(dir).stdin(Stdio::null());
    let done = common::run_limited(cmd, RUN_LIMIT_SECS)?;
    Ok(Outcome {
        status: done.status,
        stdout: done.stdout,
        stderr: String::from_utf8_lossy(&done.stderr).into_owned(),
        stats: String::new(),
        out_dir: tmp.to_path_buf(),
        secs: done.secs,
    })
}

/// The checks go-ethereum's own test makes; returns the problems found.
fn check_like_go_test(dir: &Path, case: &Case, got: &Outcome) -> Vec<String> {
    let mut problems = Vec::new();
    if got.status != case.exit {
        problems.push(format!("exit status {}, want {}", got.status, case.exit));
    }
    let read = |f: &str| fs::read(dir.join(f)).map_err(|e| format!("{f}: {e}"));
    if let Some(f) = &case.json {
        let have: Result<serde_json::Value, _> = serde_json::from_slice(&got.stdout);
        match (
            have,
            read(f).and_then(|w| {
                serde_json::from_slice::<serde_json::Value>(&w).map_err(|e| e.to_string())
            }),
        ) {
            (Ok(h), Ok(w)) if h == w => {}
            (Ok(_), Ok(_)) => problems.push(format!("stdout is other JSON than {f}")),
            (Err(e), _) => problems.push(format!("stdout is no JSON: {e}")),
            (_, Err(e)) => problems.push(e),
        }
    }
    for (stream, file, have) in [
        ("stdout", &case.stdout, got.stdout.as_slice()),
        ("stderr", &case.stderr, got.stderr.as_bytes()),
    ] {
        if let Some(f) = file {
            match read(f) {
                Ok(w) if w == have => {}
                Ok(_) => problems.push(format!("{stream} differs from {f}")),
                Err(e) => problems.push(e),
            }
        }
    }
    if let Some(t) = &case.traces {
        for f in &t.files {
            let want = read(&format!("{}/{f}", t.dir));
            let have = fs::read(got.out_dir.join(f)).map_err(|e| format!("trace {f}: {e}"));
            match (have, want) {
                (Ok(h), Ok(w)) => {
                    let (h, w) = (String::from_utf8_lossy(&h), String::from_utf8_lossy(&w));
                    if !h.lines().eq(w.lines()) {
                        problems.push(format!("trace {f} differs from {}/{f}", t.dir));
                    }
                }
                (Err(e), _) | (_, Err(e)) => problems.push(e),
            }
        }
    }
    problems
}

fn expected_file(case: &Case, ext: &str) -> PathBuf {
    Path::new(EVM_DIR)
        .join("expected")
        .join(format!("{}.{ext}", case.name))
}

/// QEMU's seconds per case (expected/qemu-seconds.txt: `NAME SECONDS` lines).
fn qemu_seconds() -> BTreeMap<String, f64> {
    let text = fs::read_to_string(Path::new(EVM_DIR).join("expected/qemu-seconds.txt"))
        .unwrap_or_default();
    text.lines()
        .filter_map(|l| {
            let (n, s) = l.split_once(' ')?;
            Some((n.to_string(), s.trim().parse().ok()?))
        })
        .collect()
}

/// Splits rvrun's stderr into the guest's and rvrun's own: the --stats lines at the end and
/// the message of a stopped run before them.
fn split_stats(stderr: &str) -> (&str, &str) {
    let at = |pat: &str| {
        stderr
            .match_indices(pat)
            .map(|(i, _)| i)
            .find(|&i| i == 0 || stderr.as_bytes()[i - 1] == b'\n')
    };
    let i = at("rvrun: ")
        .into_iter()
        .chain(at("instructions: "))
        .min()
        .unwrap_or(stderr.len());
    stderr.split_at(i)
}

/// Every case under rvrun: go-ethereum's checks, then QEMU's recorded output.
#[test]
fn evm() {
    let dir = evm_dir();
    let qemu_secs = qemu_seconds();
    let mut failures = Vec::new();
    let (mut insns_total, mut secs_total, mut qemu_total) = (0u64, 0.0, 0.0);
    for case in load_cases() {
        let tmp = tempfile::tempdir().unwrap();
        let got = match run_rvrun(&dir, &case, tmp.path()) {
            Ok(o) => o,
            Err(e) => {
                failures.push(format!("{}: {e}", case.name));
                continue;
            }
        };
        let mut problems = check_like_go_test(&dir, &case, &got);
        let guest_stderr = got.stderr.as_str();
        match fs::read(expected_file(&case, "stdout")) {
            Ok(w) if w == got.stdout => {}
            Ok(_) => problems.push("stdout differs from QEMU's".into()),
            Err(e) => problems.push(format!("QEMU's stdout: {e} (run gen-expected.sh)")),
        }
        match fs::read_to_string(expected_file(&case, "stderr")).map(|w| mask_log(&w)) {
            Ok(w) if w == mask_log(guest_stderr) => {}
            Ok(w) => problems.push(format!(
                "stderr (masked) differs from QEMU's:\n{}",
                similar::TextDiff::from_lines(&w, mask_log(guest_stderr))
                    .unified_diff()
                    .context_radius(2)
            )),
            Err(e) => problems.push(format!("QEMU's stderr: {e} (run gen-expected.sh)")),
        }
        let insns = instructions(&got.stats);
        let qemu = qemu_secs.get(&case.name).copied().unwrap_or(0.0);
        insns_total += insns.unwrap_or(0);
        secs_total += got.secs;
        qemu_total += qemu;
        report(format_args!(
            "{}  {:<28} {:>12} insns  {:6.2} s  (QEMU {:.2} s)",
            if problems.is_empty() { "ok  " } else { "FAIL" },
            case.name,
            insns.map_or("?".into(), |n| n.to_string()),
            got.secs,
            qemu
        ));
        if !problems.is_empty() {
            let stop = got.stats.lines().find(|l| l.starts_with("rvrun: "));
            failures.push(format!(
                "{}: {}{}",
                case.name,
                problems.join("; "),
                stop.map_or(String::new(), |s| format!(" [{s}]"))
            ));
        }
    }
    report(format_args!(
        "evm: {insns_total} instructions, {secs_total:.1} s under rvrun, {qemu_total:.1} s under QEMU (ratio {:.2})",
        if qemu_total > 0.0 {
            secs_total / qemu_total
        } else {
            0.0
        }
    ));
    assert!(
        failures.is_empty(),
        "{} evm case(s) failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Records QEMU's output of every case into expected/ (after checking it the way go-ethereum's
/// test does). Run by gen-expected.sh; needs qemu-riscv64.
#[test]
#[ignore = "records expected outputs under qemu-riscv64 (tests/programs/evm/gen-expected.sh)"]
fn record_qemu() {
    let dir = evm_dir();
    let exp = Path::new(EVM_DIR).join("expected");
    let _ = fs::remove_dir_all(&exp);
    fs::create_dir_all(&exp).unwrap();
    let mut times = String::new();
    let mut failures = Vec::new();
    for case in load_cases() {
        let tmp = tempfile::tempdir().unwrap();
        let got =
            run_qemu(&dir, &case, tmp.path()).unwrap_or_else(|e| panic!("{}: {e}", case.name));
        let problems = check_like_go_test(&dir, &case, &got);
        if !problems.is_empty() {
            failures.push(format!("{}: {}", case.name, problems.join("; ")));
        }
        fs::write(expected_file(&case, "stdout"), &got.stdout).unwrap();
        fs::write(expected_file(&case, "stderr"), mask_log(&got.stderr)).unwrap();
        times.push_str(&format!("{} {:.3}\n", case.name, got.secs));
        report(format_args!(
            "{:<28} exit {}  {:.2} s",
            case.name, got.status, got.secs
        ));
    }
    fs::write(exp.join("qemu-seconds.txt"), times).unwrap();
    assert!(
        failures.is_empty(),
        "QEMU's output fails go-ethereum's checks:\n{}",
        failures.join("\n")
    );
}

#[test]
fn log_masking() {
    assert_eq!(
        mask_log(
            "INFO [12-07|17:52:44.496] Trie dumping complete  accounts=3 elapsed=18.921ms\n[x]\n"
        ),
        "INFO [TIME] Trie dumping complete  accounts=3 elapsed=X\n[x]\n"
    );
    assert_eq!(mask_log("[12-07|17:52:44.49x]"), "[12-07|17:52:44.49x]");
    assert_eq!(mask_log("elapsed="), "elapsed=X");
    assert_eq!(
        mask_log("file=/tmp/.tmpGYIpVg/alloc.json /tmp/.tmpGY/x /tmp/.tmpGYIpVgz"),
        "file=/tmp/alloc.json /tmp/.tmpGY/x /tmp/.tmpGYIpVgz"
    );
}

#[test]
fn stats_split_off() {
    let (g, s) = split_stats("log\nrvrun: unsupported\ninstructions: 5\n");
    assert_eq!((g, s), ("log\n", "rvrun: unsupported\ninstructions: 5\n"));
    assert_eq!(split_stats("a rvrun: b\n"), ("a rvrun: b\n", ""));
}

#[test]
fn cases_parse() {
    let cases = load_cases();
    assert!(cases.len() >= 40, "{} cases", cases.len());
    for c in &cases {
        for m in &c.mounts {
            assert!(
                m.starts_with("testdata/") && !m.contains(".."),
                "{}: {m}",
                c.name
            );
        }
    }
}
