//! Runs the test suites of crates.io crates (their `cargo test` binaries) under rvrun and checks
//! that every test that passed under qemu-riscv64 passes under rvrun too; runs revm's `revme`
//! on its built-in benchmarks' bytecode (`revme evm`: `revme bench` needs process creation)
//! and on state tests and compares its output with QEMU's.
//!
//! The crates are listed in tests/programs/crates/crates.txt, the tests left out (with a
//! reason each) in skips.txt, and the QEMU results in expected/<crate>/<binary>.txt, written
//! by tests/programs/crates/gen-expected.sh. Each binary runs with `--test-threads=1` (and
//! `--exact --skip NAME` for its skipped tests) in the crate's unpacked source directory,
//! mounted at its host path, with an empty environment; libtest's `test NAME ... ok|FAILED|
//! ignored` lines give the results. Output is not compared byte for byte: tests print
//! timings.
//!
//! A run fails when a test that passed under QEMU does not pass under rvrun, when rvrun stops
//! the guest or the guest crashes (any exit status but 0 and 101, libtest's own), or when
//! QEMU's run exited 0 and rvrun's did not. Each run prints one summary line: crate, binary,
//! QEMU's passed tests that pass under rvrun, instructions and seconds.
//!
//! Needs the binaries under `RVRUN_GUESTS` (built by `make programs`; `make test` does both),
//! next to the unpacked sources (`$RVRUN_GUESTS/../crates/src`). By default the crates of set
//! `test` run (of a crate with the option `select`, the binaries listed in select/NAME.txt);
//! `RVRUN_CRATES_FULL=1` runs every binary of every crate of crates.txt (`make test-crates-full`).
//! `RVRUN_CRATES=tokio/,regex/lib` restricts the runs to those whose "crate/binary" contains
//! one of the substrings; `RVRUN_TEST_TIMEOUT` sets the per-run limit in seconds (default
//! 1800).

mod common;

use common::{guests_dir, instructions, report};
use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::thread;

const RVRUN: &str = env!("CARGO_BIN_EXE_rvrun");
const CRATES_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/programs/crates");
/// libtest's exit status when a test failed.
const LIBTEST_FAILED: i32 = 101;

#[derive(Debug, PartialEq)]
struct Crate {
    name: String,
    version: String,
    /// in `make test` (set `test`) or only in the full run (set `full`)
    in_test_set: bool,
    /// `make test` builds and runs only the binaries listed in select/NAME.txt (option
    /// `select`)
    selected: bool,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Outcome {
    Pass,
    Fail,
    Ignored,
    /// passed in only one of gen-expected.sh's two QEMU runs
    Flaky,
}

#[derive(Debug)]
struct Expected {
    status: i32,
    results: BTreeMap<String, Outcome>,
}

/// Lines of a manifest file without comments and blank lines, with their line numbers.
fn manifest_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim()))
        .filter(|(_, l)| !l.is_empty() && !l.starts_with('#'))
}

/// crates.txt: NAME VERSION SET [OPTION...] (the options are build-crate.sh's).
fn parse_crates(text: &str) -> Result<Vec<Crate>, String> {
    let mut crates: Vec<Crate> = Vec::new();
    for (line, l) in manifest_lines(text) {
        let words: Vec<&str> = l.split_whitespace().collect();
        let err = |m: &str| format!("crates.txt line {line}: {m}");
        let (name, version, set) = match words[..] {
            [n, v, s, ..] => (n, v, s),
            _ => return Err(err("want NAME VERSION SET [OPTION...]")),
        };
        if !version.split('.').all(|p| p.parse::<u64>().is_ok()) || version.split('.').count() != 3
        {
            return Err(err(&format!("{version:?} is not an exact version")));
        }
        let in_test_set = match set {
            "test" => true,
            "full" => false,
            _ => return Err(err(&format!("set {set:?} is neither test nor full"))),
        };
        if crates.iter().any(|c| c.name == name) {
            return Err(err(&format!("{name} listed twice")));
        }
        crates.push(Crate {
            name: name.to_string(),
            version: version.to_string(),
            in_test_set,
            selected: words[3..].contains(&"select"),
        });
    }
    Ok(crates)
}

/// skips.txt: CRATE | BINARY | TEST | reason. Returns (crate, binary) -> test names.
fn parse_skips(text: &str) -> Result<BTreeMap<(String, String), Vec<String>>, String> {
    let mut skips: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    for (line, l) in manifest_lines(text) {
        let fields: Vec<&str> = l.split('|').map(str::trim).collect();
        let err = |m: &str| format!("skips.txt line {line}: {m}");
        let [krate, binary, test, reason] = fields[..] else {
            return Err(err("want CRATE | BINARY | TEST | reason"));
        };
        if test.is_empty() || test.contains(char::is_whitespace) {
            return Err(err(&format!("{test:?} is not a test name")));
        }
        if reason.is_empty() {
            return Err(err("every skipped test needs a reason"));
        }
        let tests = skips
            .entry((krate.to_string(), binary.to_string()))
            .or_default();
        if tests.iter().any(|t| t == test) {
            return Err(err(&format!("{krate} {binary} {test} listed twice")));
        }
        tests.push(test.to_string());
    }
    Ok(skips)
}

/// libtest's arguments: one thread, and the skipped tests matched exactly.
fn libtest_args(skips: &[String]) -> Vec<String> {
    let mut args = vec!["--test-threads=1".to_string()];
    if !skips.is_empty() {
        args.push("--exact".into());
        for s in skips {
            args.push("--skip".into());
            args.push(s.clone());
        }
    }
    args
}

/// The `test NAME ... ok|FAILED|ignored[, reason]` lines of libtest's pretty output
/// (` - should panic` dropped from names). A name reported more than once counts as passed
/// only if it always passed. gen-expected.sh parses QEMU's output the same way.
fn parse_results(output: &str) -> BTreeMap<String, Outcome> {
    let mut results = BTreeMap::new();
    for line in output.lines() {
        let Some(rest) = line.strip_prefix("test ") else {
            continue;
        };
        let Some((name, result)) = rest.rsplit_once(" ... ") else {
            continue;
        };
        let outcome = match result {
            "ok" => Outcome::Pass,
            "FAILED" => Outcome::Fail,
            r if r == "ignored" || r.starts_with("ignored, ") => Outcome::Ignored,
            _ => continue,
        };
        let name = name.strip_suffix(" - should panic").unwrap_or(name);
        let seen = results.entry(name.to_string()).or_insert(outcome);
        if *seen == Outcome::Pass {
            *seen = outcome;
        }
    }
    results
}

fn parse_expected(text: &str) -> Result<Expected, String> {
    let mut status = None;
    let mut results = BTreeMap::new();
    for (line, l) in manifest_lines(text) {
        let (word, rest) = l.split_once(' ').ok_or(format!("line {line}: {l:?}"))?;
        let outcome = match word {
            "status" => {
                status = Some(rest.parse().map_err(|e| format!("line {line}: {e}"))?);
                continue;
            }
            "PASS" => Outcome::Pass,
            "FAIL" => Outcome::Fail,
            "IGNORED" => Outcome::Ignored,
            "FLAKY" => Outcome::Flaky,
            _ => return Err(format!("line {line}: unknown result {word:?}")),
        };
        results.insert(rest.to_string(), outcome);
    }
    Ok(Expected {
        status: status.ok_or("no status line")?,
        results,
    })
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

fn load_crates() -> Vec<Crate> {
    parse_crates(&read(&Path::new(CRATES_DIR).join("crates.txt"))).unwrap_or_else(|e| panic!("{e}"))
}

fn load_skips() -> BTreeMap<(String, String), Vec<String>> {
    parse_skips(&read(&Path::new(CRATES_DIR).join("skips.txt"))).unwrap_or_else(|e| panic!("{e}"))
}

fn expected_dir(krate: &str) -> PathBuf {
    Path::new(CRATES_DIR).join("expected").join(krate)
}

fn load_expected(krate: &str, binary: &str) -> Result<Expected, String> {
    let path = expected_dir(krate).join(format!("{binary}.txt"));
    let text = fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    parse_expected(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// The names of the non-hidden files of a directory, sorted (empty if it does not exist).
fn file_names(dir: &Path) -> BTreeSet<String> {
    fs::read_dir(dir)
        .map(|d| {
            d.filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| !n.starts_with('.'))
                .collect()
        })
        .unwrap_or_default()
}

/// The binaries recorded for a crate: expected/<crate>/<binary>.txt.
fn recorded_binaries(krate: &str) -> BTreeSet<String> {
    file_names(&expected_dir(krate))
        .into_iter()
        .filter_map(|n| n.strip_suffix(".txt").map(String::from))
        .collect()
}

/// select/NAME.txt: the test binaries `make test` builds and runs for a crate with the
/// option `select`, one a line.
fn load_selection(krate: &str) -> BTreeSet<String> {
    let path = Path::new(CRATES_DIR)
        .join("select")
        .join(format!("{krate}.txt"));
    manifest_lines(&read(&path))
        .map(|(_, l)| l.to_string())
        .collect()
}

/// The unpacked source of a crate, where its tests run (build/crates/src/NAME-VERSION).
fn source_dir(guests: &Path, c: &Crate) -> PathBuf {
    guests
        .parent()
        .unwrap_or(Path::new("/"))
        .join("crates/src")
        .join(format!("{}-{}", c.name, c.version))
}

struct Run {
    status: i32,
    stdout: String,
    stderr: String,
    secs: f64,
}

/// Runs a command under rvrun with `--stats`, the given directory mounted (writable: the guest
/// writes to its own copy) and the working directory, with a wall-clock limit.
fn run_rvrun(binary: &Path, dir: &Path, args: &[String]) -> Result<Run, String> {
    if !dir.is_dir() {
        return Err(format!(
            "{} does not exist (run `make programs`)",
            dir.display()
        ));
    }
    let mut cmd = Command::new(RVRUN);
    cmd.arg("run").arg("--stats").args(common::census_args());
    cmd.arg("--mount")
        .arg(format!("{}:{}", dir.display(), dir.display()));
    cmd.arg("--cwd").arg(dir);
    cmd.arg("--").arg(binary).args(args);
    cmd.current_dir("/").stdin(Stdio::null());
    let done = common::run_limited(cmd, 1800)?;
    Ok(Run {
        status: done.status,
        stdout: String::from_utf8_lossy(&done.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&done.stderr).into_owned(),
        secs: done.secs,
    })
}

/// Compares an rvrun run with QEMU's recorded results; returns the problems found.
fn compare(expected: &Expected, status: i32, actual: &BTreeMap<String, Outcome>) -> Vec<String> {
    let mut problems = Vec::new();
    let lost: Vec<String> = expected
        .results
        .iter()
        .filter(|(_, o)| **o == Outcome::Pass)
        .filter(|(n, _)| actual.get(*n) != Some(&Outcome::Pass))
        .map(|(n, _)| {
            let how = match actual.get(n) {
                Some(Outcome::Fail) => "FAILED",
                Some(Outcome::Ignored) => "ignored",
                Some(_) => "?",
                None => "not run",
            };
            format!("{n} ({how})")
        })
        .collect();
    if !lost.is_empty() {
        problems.push(format!(
            "{} test(s) passed under QEMU but not under rvrun:\n      {}",
            lost.len(),
            lost.join("\n      ")
        ));
    }
    if status != 0 && status != LIBTEST_FAILED {
        problems.push(format!(
            "exit status {status}: rvrun stopped the run or the test binary crashed"
        ));
    } else if expected.status == 0 && status != 0 {
        problems.push(format!("exit status {status}, QEMU's was 0"));
    }
    problems
}

/// libtest's report of the failed tests: from the first `---- NAME stdout ----` block to the
/// `failures:` list (at most 40 lines).
fn failure_logs(stdout: &str) -> String {
    let lines: Vec<&str> = stdout.lines().collect();
    let Some(from) = lines
        .iter()
        .position(|l| l.starts_with("---- ") && l.ends_with(" stdout ----"))
    else {
        return String::new();
    };
    let shown = &lines[from..lines.len().min(from + 40)];
    let more = lines.len() - from - shown.len();
    let mut text = shown.join("\n      ");
    if more > 0 {
        text.push_str(&format!("\n      ({more} more lines)"));
    }
    text
}

/// The last lines of a text, to make a report self-explanatory.
fn tail(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n      ")
}

/// The manifests parse and agree with the expected files: every crate has recorded results
/// (and no other crate does), every skip names a listed crate, a recorded binary and a test
/// QEMU never reported. Needs neither rvrun nor the binaries.
#[test]
fn crates_manifests_and_expected_files_agree() {
    let crates = load_crates();
    let skips = load_skips();
    let mut problems = Vec::new();
    let names: BTreeSet<&str> = crates.iter().map(|c| c.name.as_str()).collect();
    if names.len() < 15 {
        problems.push(format!("crates.txt lists {} crates", names.len()));
    }
    for stray in file_names(&Path::new(CRATES_DIR).join("expected")) {
        if !names.contains(stray.as_str()) {
            problems.push(format!("expected/{stray} belongs to no listed crate"));
        }
    }
    for c in &crates {
        let binaries = recorded_binaries(&c.name);
        if binaries.is_empty() {
            problems.push(format!(
                "{}: no results in expected/{} (run gen-expected.sh)",
                c.name, c.name
            ));
        }
        let mut passed = 0;
        for b in &binaries {
            match load_expected(&c.name, b) {
                Ok(e) => passed += e.results.values().filter(|o| **o == Outcome::Pass).count(),
                Err(e) => problems.push(e),
            }
        }
        if !binaries.is_empty() && passed == 0 {
            problems.push(format!("{}: no test passed under QEMU", c.name));
        }
        if c.selected {
            let selection = load_selection(&c.name);
            if selection.is_empty() {
                problems.push(format!("select/{}.txt selects nothing", c.name));
            }
            for b in selection.difference(&binaries) {
                problems.push(format!("select/{}.txt: {b} has no QEMU results", c.name));
            }
        }
    }
    for ((krate, binary), tests) in &skips {
        if !names.contains(krate.as_str()) {
            problems.push(format!(
                "skips.txt names {krate}, which crates.txt does not list"
            ));
            continue;
        }
        let expected = match load_expected(krate, binary) {
            Ok(e) => e,
            Err(e) => {
                problems.push(format!("skips.txt names {krate} {binary}: {e}"));
                continue;
            }
        };
        for t in tests {
            if expected.results.contains_key(t) {
                problems.push(format!(
                    "{krate}/{binary}: skipped {t} ran under QEMU (regenerate expected/)"
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Every test binary of the selected crates under rvrun; the runs share one worker per core
/// and every failure is reported.
#[test]
fn crates() {
    let guests = guests_dir();
    let filter: Vec<String> = std::env::var("RVRUN_CRATES")
        .map(|s| {
            s.split(',')
                .filter(|p| !p.is_empty())
                .map(String::from)
                .collect()
        })
        .unwrap_or_default();
    let full = std::env::var_os("RVRUN_CRATES_FULL").is_some_and(|v| v == "1");
    let crates = load_crates();
    let skips = load_skips();
    let mut problems = Vec::new();
    let mut runs: Vec<(&Crate, String)> = Vec::new();
    for c in crates.iter().filter(|c| full || c.in_test_set) {
        let built = file_names(&guests.join("crates").join(&c.name));
        let recorded = recorded_binaries(&c.name);
        // `make test` builds a selected crate's listed binaries only.
        let wanted = if c.selected && !full {
            load_selection(&c.name)
        } else {
            recorded.clone()
        };
        for b in built.difference(&recorded) {
            problems.push(format!(
                "{}/{b}: built but not recorded (run tests/programs/crates/gen-expected.sh)",
                c.name
            ));
        }
        for b in wanted.difference(&built) {
            problems.push(format!(
                "{}/{b}: recorded but not built (run `make programs`, or `make -C tests/programs crates-full` for the full run)",
                c.name
            ));
        }
        runs.extend(
            built
                .intersection(&wanted)
                .filter(|b| {
                    let id = format!("{}/{b}", c.name);
                    filter.is_empty() || filter.iter().any(|s| id.contains(s.as_str()))
                })
                .map(|b| (c, b.clone())),
        );
    }
    if filter.is_empty() {
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }
    assert!(!runs.is_empty(), "no run matches RVRUN_CRATES={filter:?}");

    let next = Mutex::new(runs.iter());
    let failures = Mutex::new(Vec::new());
    let totals = Mutex::new((0usize, 0usize, 0u64));
    let threads = thread::available_parallelism().map_or(2, |n| n.get());
    thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                loop {
                    let Some((c, bin)) = next.lock().unwrap().next() else {
                        break;
                    };
                    let id = format!("{}/{bin}", c.name);
                    let binary = guests.join("crates").join(&c.name).join(bin);
                    let skipped = skips
                        .get(&(c.name.clone(), bin.clone()))
                        .map_or(&[][..], |v| &v[..]);
                    let args = libtest_args(skipped);
                    let result = load_expected(&c.name, bin).and_then(|expected| {
                        run_rvrun(&binary, &source_dir(&guests, c), &args)
                            .map(|run| (expected, run))
                    });
                    let (expected, run) = match result {
                        Ok(r) => r,
                        Err(e) => {
                            report(format_args!("FAIL  {id:<36} {e}"));
                            failures.lock().unwrap().push(format!("{id}: {e}"));
                            continue;
                        }
                    };
                    let actual = parse_results(&run.stdout);
                    let qemu_passed = expected
                        .results
                        .values()
                        .filter(|o| **o == Outcome::Pass)
                        .count();
                    let kept = expected
                        .results
                        .iter()
                        .filter(|(n, o)| {
                            **o == Outcome::Pass && actual.get(*n) == Some(&Outcome::Pass)
                        })
                        .count();
                    let insns = instructions(&run.stderr);
                    let problems = compare(&expected, run.status, &actual);
                    report(format_args!(
                        "{}  {id:<36} {kept:>4}/{qemu_passed:<4} of QEMU's passes  {:>12} insns  {:7.1} s",
                        if problems.is_empty() { "ok  " } else { "FAIL" },
                        insns.map_or("?".to_string(), |n| n.to_string()),
                        run.secs,
                    ));
                    {
                        let mut t = totals.lock().unwrap();
                        t.0 += kept;
                        t.1 += qemu_passed;
                        t.2 += insns.unwrap_or(0);
                    }
                    if !problems.is_empty() {
                        let logs = failure_logs(&run.stdout);
                        failures.lock().unwrap().push(format!(
                            "{id} ({}):\n  - {}\n  failures:\n      {}\n  rvrun stderr ends:\n      {}",
                            binary.display(),
                            problems.join("\n  - "),
                            if logs.is_empty() { "(none)" } else { &logs },
                            tail(&run.stderr, 20)
                        ));
                    }
                }
            });
        }
    });
    let (kept, total, insns) = totals.into_inner().unwrap();
    report(format_args!(
        "crates: {} runs, {kept}/{total} of QEMU's passed tests pass under rvrun, {insns} instructions",
        runs.len()
    ));
    let failures = failures.into_inner().unwrap();
    assert!(
        failures.is_empty(),
        "{} of {} crate test runs failed:\n\n{}\n",
        failures.len(),
        runs.len(),
        failures.join("\n\n")
    );
}

/// revme's expected outputs: tests/programs/crates/revme/expected.
fn revme_dir() -> PathBuf {
    Path::new(CRATES_DIR).join("revme")
}

/// The revme binary (`make programs` builds it).
fn revme_binary(guests: &Path) -> PathBuf {
    let p = guests.join("crates/revme/revme");
    assert!(p.is_file(), "{} missing (run `make programs`)", p.display());
    p
}

/// statetest's summary line with the host CPU time it measured replaced, as gen-expected.sh
/// does for QEMU's output.
fn normalize_statetest_stdout(stdout: &str) -> String {
    let mut out = String::with_capacity(stdout.len());
    for line in stdout.split_inclusive('\n') {
        if line.starts_with("Finished execution. Total CPU time: ") {
            out.push_str("Finished execution. Total CPU time: (normalised)");
            out.push_str(&line[line.trim_end_matches('\n').len()..]);
        } else {
            out.push_str(line);
        }
    }
    out
}

/// `revme statetest --json-outcome` on the state tests of revme/statetests (run in that
/// directory, mounted read-only at /statetests): stdout (CPU time normalised), stderr (one JSON
/// outcome per test: state root, logs hash, gas used, pass) and exit status equal QEMU's.
#[test]
fn revme_statetest() {
    let revme = revme_binary(&guests_dir());
    let dir = revme_dir().join("statetests");
    let mut files: Vec<String> = file_names(&dir)
        .into_iter()
        .filter(|n| n.ends_with(".json"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no state tests in {}", dir.display());
    let mut cmd = Command::new(RVRUN);
    cmd.arg("run").arg("--stats").args(common::census_args());
    cmd.arg("--mount")
        .arg(format!("{}:/statetests:ro", dir.display()));
    cmd.args(["--cwd", "/statetests", "--"]).arg(&revme);
    cmd.args(["statetest", "--json-outcome", "--omit-progress"]);
    cmd.args(&files);
    cmd.current_dir("/").stdin(Stdio::null());
    let run = common::run_limited(cmd, 1800).unwrap_or_else(|e| panic!("revme statetest: {e}"));
    let stdout = String::from_utf8_lossy(&run.stdout);
    let stderr = String::from_utf8_lossy(&run.stderr);
    let expected = revme_dir().join("expected");
    let want_status: i32 = read(&expected.join("statetest.status"))
        .trim()
        .parse()
        .expect("statetest.status");
    let want_stdout = read(&expected.join("statetest.stdout"));
    let want_stderr = read(&expected.join("statetest.stderr"));
    let guest_stderr = guest_stderr(&stderr);
    let passed = want_stderr.matches("\"pass\":true").count();
    report(format_args!(
        "{}  revme statetest {} files, {passed} passing state tests under QEMU  {:>12} insns  {:7.1} s",
        if run.status == want_status {
            "ok  "
        } else {
            "FAIL"
        },
        files.len(),
        instructions(&stderr).map_or("?".to_string(), |n| n.to_string()),
        run.secs
    ));
    assert_eq!(
        run.status,
        want_status,
        "revme statetest exit status; stdout:\n{stdout}\nstderr:\n{}",
        tail(&stderr, 20)
    );
    assert_eq!(
        normalize_statetest_stdout(&stdout),
        want_stdout,
        "revme statetest stdout"
    );
    assert_eq!(
        guest_stderr.trim_end(),
        want_stderr.trim_end(),
        "revme statetest outcomes (stderr)"
    );
}

/// A run's stderr without the lines rvrun's --stats appended (from `instructions: N` on).
fn guest_stderr(stderr: &str) -> &str {
    let mut end = stderr.len();
    let mut at = 0;
    for line in stderr.split_inclusive('\n') {
        if line.starts_with("instructions: ") {
            end = at;
        }
        at += line.len();
    }
    &stderr[..end]
}

/// revme's version (crates.mk's REVME_VERSION): its unpacked source holds the benchmarks'
/// bytecode.
fn revme_version() -> String {
    let mk = read(&Path::new(CRATES_DIR).join("../crates.mk"));
    mk.lines()
        .find_map(|l| l.strip_prefix("REVME_VERSION := "))
        .expect("crates.mk sets REVME_VERSION")
        .trim()
        .to_string()
}

/// `revme evm`'s output with the host time of its `Elapsed:` line normalised, as
/// gen-expected.sh does for QEMU's.
fn normalize_evm_stdout(stdout: &str) -> String {
    stdout
        .lines()
        .map(|l| {
            if l.starts_with("Elapsed: ") {
                "Elapsed: (normalised)"
            } else {
                l
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// revme's built-in benchmarks (revme/benches.txt) through `revme evm`: each benchmark's
/// bytecode called once with its input (`revme bench` itself runs `gnuplot --version`, and
/// process creation is not provided). Exit status and stdout (the result, and the EIP-3155
/// trace where listed) equal QEMU's (expected/evm-NAME.txt).
#[test]
fn revme_evm() {
    let guests = guests_dir();
    let revme = revme_binary(&guests);
    let bench_src = guests.parent().unwrap_or(Path::new("/")).join(format!(
        "crates/src/revme-{}/src/cmd/bench",
        revme_version()
    ));
    let benches: Vec<Vec<String>> = manifest_lines(&read(&revme_dir().join("benches.txt")))
        .map(|(_, l)| l.split_whitespace().map(String::from).collect())
        .collect();
    assert!(!benches.is_empty(), "benches.txt lists no benchmark");
    let mut failures = Vec::new();
    for words in &benches {
        let [name, input, rest @ ..] = &words[..] else {
            panic!("benches.txt: want NAME INPUT [trace], got {words:?}");
        };
        let want = read(&revme_dir().join("expected").join(format!("evm-{name}.txt")));
        let mut cmd = Command::new(RVRUN);
        cmd.arg("run").arg("--stats").args(common::census_args());
        cmd.arg("--mount")
            .arg(format!("{}:/bench:ro", bench_src.display()));
        cmd.arg("--").arg(&revme);
        cmd.args([
            "evm",
            "--path",
            &format!("/bench/{name}.hex"),
            "--input",
            input,
        ]);
        if rest.iter().any(|w| w == "trace") {
            cmd.arg("--trace");
        }
        cmd.current_dir("/").stdin(Stdio::null());
        let run = match common::run_limited(cmd, 1800) {
            Ok(r) => r,
            Err(e) => {
                failures.push(format!("revme evm {name}: {e}"));
                continue;
            }
        };
        let stdout = String::from_utf8_lossy(&run.stdout);
        let stderr = String::from_utf8_lossy(&run.stderr);
        let got = format!("status {}\n{}", run.status, normalize_evm_stdout(&stdout));
        let ok = got.trim_end() == want.trim_end();
        report(format_args!(
            "{}  revme evm {name:<20} {:>5} lines  {:>12} insns  {:7.1} s",
            if ok { "ok  " } else { "FAIL" },
            want.lines().count(),
            instructions(&stderr).map_or("?".to_string(), |n| n.to_string()),
            run.secs
        ));
        if !ok {
            let first = got
                .lines()
                .zip(want.lines())
                .position(|(a, b)| a != b)
                .unwrap_or(got.lines().count().min(want.lines().count()));
            failures.push(format!(
                "revme evm {name}: output differs from QEMU's from line {} on\n  rvrun: {:?}\n  QEMU:  {:?}\n  stderr ends:\n      {}",
                first + 1,
                got.lines().nth(first),
                want.lines().nth(first),
                tail(&stderr, 20)
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[cfg(test)]
mod formats {
    use super::*;

    #[test]
    fn results_of_libtest_output() {
        let out = "\nrunning 6 tests\ntest a::b ... ok\ntest c ... FAILED\n\
                   test d - should panic ... ok\ntest e ... ignored\n\
                   test f ... ignored, needs network\ntest g ... ok\ntest g ... FAILED\n\
                   test h ... bench:  12 ns/iter\nhello test x ... ok\n\n\
                   test result: FAILED. 2 passed; 1 failed; 2 ignored\n";
        let r = parse_results(out);
        let want: Vec<(&str, Outcome)> = vec![
            ("a::b", Outcome::Pass),
            ("c", Outcome::Fail),
            ("d", Outcome::Pass),
            ("e", Outcome::Ignored),
            ("f", Outcome::Ignored),
            ("g", Outcome::Fail),
        ];
        let got: Vec<(&str, Outcome)> = r.iter().map(|(n, o)| (n.as_str(), *o)).collect();
        assert_eq!(got, want);
    }

    #[test]
    fn failure_logs_show_libtest_report() {
        let out = "test a ... FAILED\n\nfailures:\n\n---- a stdout ----\n\
                   thread 'a' panicked at src/lib.rs:3:5\n\nfailures:\n    a\n";
        assert_eq!(
            failure_logs(out),
            "---- a stdout ----\n      thread 'a' panicked at src/lib.rs:3:5\n      \n      \
             failures:\n          a"
        );
        assert_eq!(failure_logs("test a ... ok\n"), "");
    }

    #[test]
    fn manifests() {
        let c = parse_crates(
            "# c\nitoa 1.0.19 test\ntokio 1.54.1 full features=full,test-util patch-self select\n",
        )
        .unwrap();
        assert_eq!(c.len(), 2);
        assert!(c[0].in_test_set && !c[1].in_test_set);
        assert!(!c[0].selected && c[1].selected);
        assert!(parse_crates("itoa 1 test\n").is_err());
        assert!(parse_crates("itoa 1.0.19 some\n").is_err());
        assert!(parse_crates("itoa 1.0.19 test\nitoa 1.0.19 test\n").is_err());
        let s = parse_skips("a | lib | x::y | why\na | lib | z | why not\n").unwrap();
        let key = ("a".to_string(), "lib".to_string());
        assert_eq!(
            libtest_args(&s[&key]),
            [
                "--test-threads=1",
                "--exact",
                "--skip",
                "x::y",
                "--skip",
                "z"
            ]
        );
        assert!(parse_skips("a | lib | x y | why\n").is_err());
        assert!(parse_skips("a | lib | x | \n").is_err());
        assert!(parse_skips("a | lib | x\n").is_err());
        assert_eq!(libtest_args(&[]), ["--test-threads=1"]);
    }

    #[test]
    fn comparison_with_qemu() {
        let expected =
            parse_expected("# x\nstatus 0\nPASS a\nPASS b\nFAIL c::x\nFLAKY d::x\n").unwrap();
        let actual = parse_results("test a ... ok\ntest b ... FAILED\ntest c::x ... ok\n");
        let p = compare(&expected, LIBTEST_FAILED, &actual);
        assert_eq!(p.len(), 2, "{p:?}");
        assert!(p[0].contains("b (FAILED)") && !p[0].contains("c::x") && !p[0].contains("d::x"));
        assert!(p[1].contains("QEMU's was 0"));
        let all = parse_results("test a ... ok\ntest b ... ok\n");
        assert!(compare(&expected, 0, &all).is_empty());
        assert_eq!(compare(&expected, 125, &all).len(), 1);
        assert!(parse_expected("PASS A\n").is_err());
    }

    #[test]
    fn revme_outputs() {
        assert_eq!(guest_stderr("a\ninstructions: 5\nmips: 1\n"), "a\n");
        assert_eq!(guest_stderr("instructions: 5\n"), "");
        assert_eq!(guest_stderr("a\n"), "a\n");
        assert_eq!(
            normalize_statetest_stdout("x\nFinished execution. Total CPU time: 0.012345s\nAll\n"),
            "x\nFinished execution. Total CPU time: (normalised)\nAll\n"
        );
        assert_eq!(
            normalize_evm_stdout("Result: x\nElapsed: 6.3ms\n"),
            "Result: x\nElapsed: (normalised)"
        );
        assert!(revme_version().split('.').count() == 3);
    }
}
