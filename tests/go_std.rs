//! Runs Go standard library tests (`go test -c` binaries) under rvrun and checks that every
//! test that passed under qemu-riscv64 passes under rvrun too.
//!
//! The packages are listed in tests/programs/go-std/packages.txt, the tests left out (with a
//! reason each) in skips.txt, and the QEMU results in expected/<flavour>/<pkg>.txt, written by
//! tests/programs/go-std/gen-expected.sh. Each binary runs with `-test.short -test.v` (and
//! `-test.skip` for its skipped tests) in its package's source directory, mounted read-only
//! at its host path, with an empty environment; the `--- PASS/FAIL/SKIP` lines (subtests
//! included) give the results. Output is not compared byte for byte: tests print timings.
//!
//! A run fails when a test that passed under QEMU does not pass under rvrun, when rvrun stops
//! the guest or the guest crashes (any exit status but 0 and 1, the test binary's own), or
//! when QEMU's run exited 0 and rvrun's did not. Each run prints one summary line: package,
//! flavour, QEMU's passed tests that pass under rvrun, instructions and seconds.
//!
//! Needs the binaries under `RVRUN_GUESTS` (built by `make programs`; `make test` does both)
//! and the Go sources in `RVRUN_GOROOT` (default /usr/lib/go-1.23). `RVRUN_GO_STD=go/time,math`
//! restricts the runs to those whose "flavour/import-path" contains one of the substrings;
//! `RVRUN_TEST_TIMEOUT` sets the per-run limit in seconds (default 1800).

mod common;

use common::guests_dir;
use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::thread;

const RVRUN: &str = env!("CARGO_BIN_EXE_rvrun");
const GO_STD_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/programs/go-std");
/// Build flavours (tests/programs/go-std.mk): default GORISCV64 and rva22u64.
const FLAVOURS: [&str; 2] = ["go", "go-rva22"];

#[derive(Debug, PartialEq)]
struct Package {
    /// import path, e.g. "math/big"
    path: String,
    /// further host paths mounted read-only at the same guest path (relative: to $GOROOT/src)
    extras: Vec<String>,
}

impl Package {
    /// The binary's file name stem: the import path with '/' as '-'.
    fn stem(&self) -> String {
        self.path.replace('/', "-")
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Outcome {
    Pass,
    Fail,
    Skip,
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

fn parse_packages(text: &str) -> Result<Vec<Package>, String> {
    let mut packages: Vec<Package> = Vec::new();
    for (line, l) in manifest_lines(text) {
        let mut words = l.split_whitespace().map(String::from);
        let path = words.next().unwrap();
        if packages.iter().any(|p| p.path == path) {
            return Err(format!("packages.txt line {line}: {path} listed twice"));
        }
        packages.push(Package {
            path,
            extras: words.collect(),
        });
    }
    Ok(packages)
}

/// skips.txt: IMPORT_PATH | TEST | reason. Returns import path -> test names.
fn parse_skips(text: &str) -> Result<BTreeMap<String, Vec<String>>, String> {
    let mut skips: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (line, l) in manifest_lines(text) {
        let fields: Vec<&str> = l.split('|').map(str::trim).collect();
        let err = |m: &str| format!("skips.txt line {line}: {m}");
        let [pkg, test, reason] = fields[..] else {
            return Err(err("want IMPORT_PATH | TEST | reason"));
        };
        if test.is_empty() || !test.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(err(&format!("{test:?} is not a top-level test name")));
        }
        if reason.is_empty() {
            return Err(err("every skipped test needs a reason"));
        }
        let tests = skips.entry(pkg.to_string()).or_default();
        if tests.iter().any(|t| t == test) {
            return Err(err(&format!("{pkg} {test} listed twice")));
        }
        tests.push(test.to_string());
    }
    Ok(skips)
}

/// The `-test.skip` pattern matching exactly the given top-level tests.
fn skip_pattern(tests: &[String]) -> Option<String> {
    (!tests.is_empty()).then(|| format!("^({})$", tests.join("|")))
}

/// Hexadecimal numbers in a test name (some subtests are named after pointers) become
/// 0xADDR: addresses differ between runs and emulators. gen-expected.sh does the same.
fn normalize_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut rest = name;
    while let Some(i) = rest.find("0x") {
        let digits = rest[i + 2..]
            .find(|c: char| !c.is_ascii_hexdigit())
            .unwrap_or(rest.len() - i - 2);
        out.push_str(&rest[..i]);
        if digits == 0 {
            out.push_str("0x");
        } else {
            out.push_str("0xADDR");
        }
        rest = &rest[i + 2 + digits..];
    }
    out.push_str(rest);
    out
}

/// The `--- PASS/FAIL/SKIP: Name (1.23s)` lines of `-test.v` output, subtests included. A name
/// reported more than once counts as passed only if it always passed.
fn parse_results(output: &str) -> BTreeMap<String, Outcome> {
    let mut results = BTreeMap::new();
    for line in output.lines() {
        let Some(rest) = line.trim_start().strip_prefix("--- ") else {
            continue;
        };
        let (outcome, rest) = if let Some(r) = rest.strip_prefix("PASS: ") {
            (Outcome::Pass, r)
        } else if let Some(r) = rest.strip_prefix("FAIL: ") {
            (Outcome::Fail, r)
        } else if let Some(r) = rest.strip_prefix("SKIP: ") {
            (Outcome::Skip, r)
        } else {
            continue;
        };
        // the duration in parentheses ends the line
        let Some(open) = rest.rfind(" (") else {
            continue;
        };
        if !rest.ends_with("s)") {
            continue;
        }
        let seen = results
            .entry(normalize_name(&rest[..open]))
            .or_insert(outcome);
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
            "SKIP" => Outcome::Skip,
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

fn load_packages() -> Vec<Package> {
    parse_packages(&read(&Path::new(GO_STD_DIR).join("packages.txt")))
        .unwrap_or_else(|e| panic!("{e}"))
}

fn load_skips() -> BTreeMap<String, Vec<String>> {
    parse_skips(&read(&Path::new(GO_STD_DIR).join("skips.txt"))).unwrap_or_else(|e| panic!("{e}"))
}

fn expected_path(flavour: &str, pkg: &Package) -> PathBuf {
    Path::new(GO_STD_DIR)
        .join("expected")
        .join(flavour)
        .join(format!("{}.txt", pkg.stem()))
}

fn load_expected(flavour: &str, pkg: &Package) -> Result<Expected, String> {
    let path = expected_path(flavour, pkg);
    let text = fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    parse_expected(&text).map_err(|e| format!("{}: {e}", path.display()))
}

fn goroot() -> PathBuf {
    PathBuf::from(std::env::var_os("RVRUN_GOROOT").unwrap_or_else(|| "/usr/lib/go-1.23".into()))
}

struct Run {
    status: i32,
    stdout: String,
    stderr: String,
    secs: f64,
}

/// Runs one test binary under rvrun, in its package directory, with a wall-clock limit.
fn run_rvrun(binary: &Path, pkg: &Package, skip: Option<&str>) -> Result<Run, String> {
    let src = goroot().join("src");
    let dir = src.join(&pkg.path);
    let mut cmd = Command::new(RVRUN);
    cmd.arg("run").arg("--stats").args(common::census_args());
    let mut mounts = vec![dir.clone()];
    mounts.extend(pkg.extras.iter().map(|e| src.join(e)));
    for m in &mounts {
        if !m.exists() {
            return Err(format!("{} does not exist", m.display()));
        }
        cmd.arg("--mount")
            .arg(format!("{}:{}:ro", m.display(), m.display()));
    }
    cmd.arg("--cwd").arg(&dir);
    cmd.arg("--").arg(binary).args(["-test.short", "-test.v"]);
    if let Some(s) = skip {
        cmd.arg(format!("-test.skip={s}"));
    }
    cmd.current_dir("/").stdin(Stdio::null());
    let done = common::run_limited(cmd, 1800)?;
    Ok(Run {
        status: done.status,
        stdout: String::from_utf8_lossy(&done.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&done.stderr).into_owned(),
        secs: done.secs,
    })
}

/// Prints a progress or summary line on stderr. Written to the stream directly, not through
/// `eprintln!`, which the test harness captures: CI logs show every run's counts.
fn report(line: std::fmt::Arguments) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr().lock(), "{line}");
}

/// The `instructions: N` line of rvrun's --stats.
fn instructions(stderr: &str) -> Option<u64> {
    stderr
        .lines()
        .find_map(|l| l.strip_prefix("instructions: "))
        .and_then(|n| n.trim().parse().ok())
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
                Some(Outcome::Fail) => "FAIL",
                Some(Outcome::Skip) => "SKIP",
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
    if status != 0 && status != 1 {
        problems.push(format!(
            "exit status {status}: rvrun stopped the run or the test binary crashed"
        ));
    } else if expected.status == 0 && status != 0 {
        problems.push(format!("exit status {status}, QEMU's was 0"));
    }
    problems
}

/// The `--- FAIL` lines of `-test.v` output, each with the log lines the test printed just
/// before it (at most 40 lines in all): what a failure report shows of the guest's stdout.
fn failure_logs(stdout: &str) -> String {
    let lines: Vec<&str> = stdout.lines().collect();
    let mut shown = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        if !line.trim_start().starts_with("--- FAIL: ") {
            continue;
        }
        let mut from = i;
        while from > 0 && i - from < 6 {
            let prev = lines[from - 1];
            let t = prev.trim_start();
            if prev.len() == t.len() || t.starts_with("---") || t.starts_with("===") {
                break;
            }
            from -= 1;
        }
        shown.extend_from_slice(&lines[from..=i]);
    }
    if shown.len() > 40 {
        let more = shown.len() - 40;
        shown.truncate(40);
        return format!("{}\n      ({more} more lines)", shown.join("\n      "));
    }
    shown.join("\n      ")
}

/// The last lines of a text, to make a report self-explanatory.
fn tail(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n      ")
}

/// The manifests parse and agree with the expected files: every package has results for both
/// flavours (and no other files exist), every skip names a listed package and a test QEMU
/// never reported. Needs neither rvrun nor the binaries.
#[test]
fn go_std_manifests_and_expected_files_agree() {
    let packages = load_packages();
    let skips = load_skips();
    assert!(!packages.is_empty(), "packages.txt lists no package");
    let mut problems = Vec::new();
    for pkg in skips.keys() {
        if !packages.iter().any(|p| &p.path == pkg) {
            problems.push(format!(
                "skips.txt names {pkg}, which packages.txt does not list"
            ));
        }
    }
    for flavour in FLAVOURS {
        let dir = Path::new(GO_STD_DIR).join("expected").join(flavour);
        let want: BTreeSet<String> = packages
            .iter()
            .map(|p| format!("{}.txt", p.stem()))
            .collect();
        let have: BTreeSet<String> = fs::read_dir(&dir)
            .map(|d| {
                d.filter_map(Result::ok)
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        for stray in have.difference(&want) {
            problems.push(format!(
                "expected/{flavour}/{stray} belongs to no listed package"
            ));
        }
        for pkg in &packages {
            let expected = match load_expected(flavour, pkg) {
                Ok(e) => e,
                Err(e) => {
                    problems.push(format!("{e} (run gen-expected.sh)"));
                    continue;
                }
            };
            if !expected.results.values().any(|o| *o == Outcome::Pass) {
                problems.push(format!("{flavour}/{}: no test passed under QEMU", pkg.path));
            }
            for test in skips.get(&pkg.path).into_iter().flatten() {
                if expected.results.contains_key(test) {
                    problems.push(format!(
                        "{flavour}/{}: skipped {test} ran under QEMU (regenerate expected/)",
                        pkg.path
                    ));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Every package of packages.txt, for both flavours, under rvrun; the runs share one worker
/// per core and every failure is reported.
#[test]
fn go_std() {
    let guests = guests_dir();
    let filter: Vec<String> = std::env::var("RVRUN_GO_STD")
        .map(|s| {
            s.split(',')
                .filter(|p| !p.is_empty())
                .map(String::from)
                .collect()
        })
        .unwrap_or_default();
    let packages = load_packages();
    let skips = load_skips();
    // package-major order: packages.txt lists the heaviest first, so both flavours of the
    // longest runs start early.
    let runs: Vec<(&str, &Package)> = packages
        .iter()
        .flat_map(|p| FLAVOURS.iter().map(move |f| (*f, p)))
        .filter(|(f, p)| {
            let id = format!("{f}/{}", p.path);
            filter.is_empty() || filter.iter().any(|s| id.contains(s.as_str()))
        })
        .collect();
    assert!(!runs.is_empty(), "no run matches RVRUN_GO_STD={filter:?}");
    // The results are those of one Go release: another one builds other binaries.
    let version_file = goroot().join("VERSION");
    let installed = read(&version_file).lines().next().unwrap_or("").to_string();
    let recorded = read(&Path::new(GO_STD_DIR).join("expected/GOVERSION"));
    assert_eq!(
        installed,
        recorded.trim(),
        "{} names another Go release than the one expected/ was recorded with \
         (rerun tests/programs/go-std/gen-expected.sh)",
        version_file.display()
    );
    let missing: Vec<String> = runs
        .iter()
        .map(|(f, p)| {
            guests
                .join("go-std")
                .join(f)
                .join(format!("{}.test", p.stem()))
        })
        .filter(|b| !b.is_file())
        .map(|b| b.display().to_string())
        .collect();
    assert!(
        missing.is_empty(),
        "test binaries missing (run `make programs`):\n  {}",
        missing.join("\n  ")
    );

    let next = Mutex::new(runs.iter());
    let failures = Mutex::new(Vec::new());
    let totals = Mutex::new((0usize, 0usize, 0u64));
    let threads = thread::available_parallelism().map_or(2, |n| n.get());
    thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                loop {
                    let Some(&(flavour, pkg)) = next.lock().unwrap().next() else {
                        break;
                    };
                    let id = format!("{flavour}/{}", pkg.path);
                    let binary = guests
                        .join("go-std")
                        .join(flavour)
                        .join(format!("{}.test", pkg.stem()));
                    let skip = skip_pattern(skips.get(&pkg.path).map_or(&[][..], |v| &v[..]));
                    let result = load_expected(flavour, pkg).and_then(|expected| {
                        run_rvrun(&binary, pkg, skip.as_deref()).map(|run| (expected, run))
                    });
                    let (expected, run) = match result {
                        Ok(r) => r,
                        Err(e) => {
                            report(format_args!("FAIL  {:<16} {flavour:<8} {e}", pkg.path));
                            failures.lock().unwrap().push(format!("{id}: {e}"));
                            continue;
                        }
                    };
                    let actual = parse_results(&run.stdout);
                    let qemu_passed: Vec<&String> = expected
                        .results
                        .iter()
                        .filter(|(_, o)| **o == Outcome::Pass)
                        .map(|(n, _)| n)
                        .collect();
                    let kept = qemu_passed
                        .iter()
                        .filter(|n| actual.get(**n) == Some(&Outcome::Pass))
                        .count();
                    let insns = instructions(&run.stderr);
                    let problems = compare(&expected, run.status, &actual);
                    report(format_args!(
                        "{}  {:<16} {flavour:<8} {kept:>4}/{:<4} of QEMU's passes  {:>12} insns  {:7.1} s",
                        if problems.is_empty() { "ok  " } else { "FAIL" },
                        pkg.path,
                        qemu_passed.len(),
                        insns.map_or("?".to_string(), |n| n.to_string()),
                        run.secs,
                    ));
                    {
                        let mut t = totals.lock().unwrap();
                        t.0 += kept;
                        t.1 += qemu_passed.len();
                        t.2 += insns.unwrap_or(0);
                    }
                    if !problems.is_empty() {
                        let logs = failure_logs(&run.stdout);
                        failures.lock().unwrap().push(format!(
                            "{id} ({}):\n  - {}\n  failed tests:\n      {}\n  rvrun stderr ends:\n      {}",
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
        "go-std: {} runs, {kept}/{total} of QEMU's passed tests pass under rvrun, {insns} instructions",
        runs.len()
    ));
    let failures = failures.into_inner().unwrap();
    assert!(
        failures.is_empty(),
        "{} of {} Go std test runs failed:\n\n{}\n",
        failures.len(),
        runs.len(),
        failures.join("\n\n")
    );
}

#[cfg(test)]
mod formats {
    use super::*;

    #[test]
    fn results_of_verbose_output() {
        let out = "=== RUN   TestA\n--- PASS: TestA (0.00s)\n=== RUN   TestB\n    \
                   --- FAIL: TestB/sub_1 (1.25s)\n    --- PASS: TestB/p(0xc000012345) (0.00s)\n\
                   --- FAIL: TestB (1.25s)\n--- SKIP: TestC (0.00s)\n    x_test.go:3: \
                   --- PASS: not a result\n--- PASS: TestD (0.00s)\n--- FAIL: TestD (0.00s)\n\
                   --- PASS: TestE (0.00s)\n--- PASS: TestE (0.00s)\nPASS\n";
        let r = parse_results(out);
        let want: Vec<(&str, Outcome)> = vec![
            ("TestA", Outcome::Pass),
            ("TestB", Outcome::Fail),
            ("TestB/p(0xADDR)", Outcome::Pass),
            ("TestB/sub_1", Outcome::Fail),
            ("TestC", Outcome::Skip),
            ("TestD", Outcome::Fail),
            ("TestE", Outcome::Pass),
        ];
        let got: Vec<(&str, Outcome)> = r.iter().map(|(n, o)| (n.as_str(), *o)).collect();
        assert_eq!(got, want);
    }

    #[test]
    fn failure_logs_show_what_the_test_printed() {
        let out = "=== RUN   TestA\n    a_test.go:5: want 1, got 2\n    a_test.go:6: again\n\
                   --- FAIL: TestA (0.00s)\n=== RUN   TestB\n--- PASS: TestB (0.00s)\nFAIL\n";
        assert_eq!(
            failure_logs(out),
            "    a_test.go:5: want 1, got 2\n          a_test.go:6: again\n      --- FAIL: TestA (0.00s)"
        );
        assert_eq!(failure_logs("--- PASS: TestB (0.00s)\n"), "");
    }

    #[test]
    fn addresses_in_names() {
        assert_eq!(normalize_name("a_0x1f,0xc0_b"), "a_0xADDR,0xADDR_b");
        assert_eq!(normalize_name("0x"), "0x");
        assert_eq!(normalize_name("x0xg"), "x0xg");
        assert_eq!(normalize_name("plain"), "plain");
    }

    #[test]
    fn manifests() {
        let p = parse_packages("# c\nsort\ncompress/flate  testdata compress/testdata\n").unwrap();
        assert_eq!(p[1].stem(), "compress-flate");
        assert_eq!(p[1].extras, vec!["testdata", "compress/testdata"]);
        assert!(parse_packages("sort\nsort\n").is_err());
        let s = parse_skips("a/b | TestX | why\na/b | TestY | why not\n").unwrap();
        assert_eq!(skip_pattern(&s["a/b"]).unwrap(), "^(TestX|TestY)$");
        assert!(parse_skips("a | TestX/sub | why\n").is_err());
        assert!(parse_skips("a | TestX | \n").is_err());
        assert!(parse_skips("a | TestX\n").is_err());
        assert_eq!(skip_pattern(&[]), None);
    }

    #[test]
    fn comparison_with_qemu() {
        let expected = parse_expected("# x\nstatus 0\nPASS A\nPASS B\nFAIL C\nFLAKY D\n").unwrap();
        let actual =
            parse_results("--- PASS: A (0.00s)\n--- FAIL: B (0.00s)\n--- PASS: C (0.0s)\n");
        let p = compare(&expected, 1, &actual);
        assert_eq!(p.len(), 2, "{p:?}");
        assert!(p[0].contains("B (FAIL)") && !p[0].contains("C") && !p[0].contains("D"));
        assert!(p[1].contains("QEMU's was 0"));
        let all = parse_results("--- PASS: A (0.00s)\n--- PASS: B (0.00s)\n");
        assert!(compare(&expected, 0, &all).is_empty());
        assert_eq!(compare(&expected, 125, &all).len(), 1);
        assert!(parse_expected("PASS A\n").is_err());
    }
}
