//! Runs Go standard library tests (`go test -c` binaries) under rvrun and checks that every
//! test that passed under qemu-riscv64 passes under rvrun too.
//!
//! The configurations (Go release and GORISCV64) are listed in
//! tests/programs/go-std/toolchains.txt, each release's packages in packages/<version>.txt, the
//! packages `make test` runs for the configurations marked `quick` in quick.txt, the host
//! paths some packages read in mounts.txt, the tests left out (with a reason each) in
//! skips.txt, and the QEMU results in expected/<config>/<pkg>.txt, written by
//! tests/programs/go-std/gen-expected.sh. Each binary runs with `-test.short -test.v` (and
//! `-test.skip` for its skipped tests) in its package's source directory, mounted read-only
//! at its host path, with an empty environment; the `--- PASS/FAIL/SKIP` lines (subtests
//! included) give the results. Output is not compared byte for byte: tests print timings.
//!
//! rvrun runs one process: a test binary that starts a child (os/exec, or re-executing
//! itself) would stop the run at its first `pidfd_open` or fork-style `clone`. The binaries
//! therefore run with `--allow-unsupported`, which answers those calls ENOSYS, as a kernel
//! without them would, and the run fails if any other call was answered that way
//! ([`PROCESS_CREATION`]). A test that passes under QEMU because it started a child is in
//! skips.txt with that reason.
//!
//! A run fails when a test that passed under QEMU does not pass under rvrun, when rvrun stops
//! the guest or the guest crashes (any exit status but 0 and 1, the test binary's own), or
//! when QEMU's run exited 0 and rvrun's did not. Each run prints one summary line: package,
//! configuration, QEMU's passed tests that pass under rvrun, instructions and seconds; a run
//! rvrun stopped also prints rvrun's message.
//!
//! Needs the binaries under `RVRUN_GUESTS` (built by `make programs`, or `make -C
//! tests/programs go-std-full` for all) and the Go sources in each configuration's GOROOT.
//! `RVRUN_GO_STD_FULL=1` runs every package of every configuration (`make test-full`), else
//! the quick selection; `RVRUN_GO_STD=go1.23/time,math` restricts the runs to those whose
//! "config/import-path" contains one of the substrings; `RVRUN_TEST_TIMEOUT` sets the per-run
//! limit in seconds (default 1200); `RVRUN_GO_STD_ARGS` adds rvrun options to every run (for
//! exploring, e.g. `--allow-unsupported` to see what a package reaches past a stop).

mod common;

use common::{guests_dir, instructions, report};
use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::thread;

const RVRUN: &str = env!("CARGO_BIN_EXE_rvrun");
const REPO: &str = env!("CARGO_MANIFEST_DIR");
const GO_STD_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/programs/go-std");
/// The CPUs the guest sees (`--cpus`): as many as the machine the QEMU results were recorded
/// on (this project's 2-core machine). Go's tests take other paths with one CPU: some skip
/// themselves, others run only with GOMAXPROCS > 1.
const GUEST_CPUS: &str = "2";
/// Seconds one test binary may run under rvrun unless `RVRUN_TEST_TIMEOUT` says otherwise.
const RUN_LIMIT_SECS: u64 = 1200;

/// A line of toolchains.txt: one Go release built for one GORISCV64 value.
#[derive(Debug, PartialEq)]
struct Config {
    /// e.g. "go1.23-rva22": the build and expected/ directory
    name: String,
    /// e.g. "go1.23": names packages/<version>.txt
    version: String,
    /// the Go installation (absolute)
    goroot: PathBuf,
    /// `make test` runs all packages (else those of quick.txt)
    all_in_quick: bool,
}

fn parse_configs(text: &str) -> Result<Vec<Config>, String> {
    let mut configs: Vec<Config> = Vec::new();
    for (line, l) in manifest_lines(text) {
        let w: Vec<&str> = l.split_whitespace().collect();
        let err = |m: &str| format!("toolchains.txt line {line}: {m}");
        let [name, version, riscv, root, quick] = w[..] else {
            return Err(err("want NAME GO_VERSION GORISCV64 GOROOT QUICK"));
        };
        if !matches!(riscv, "rva20u64" | "rva22u64" | "rva23u64") {
            return Err(err(&format!("unknown GORISCV64 {riscv}")));
        }
        let all_in_quick = match quick {
            "all" => true,
            "quick" => false,
            _ => return Err(err("QUICK is `all` or `quick`")),
        };
        if configs.iter().any(|c| c.name == name) {
            return Err(err(&format!("{name} listed twice")));
        }
        configs.push(Config {
            name: name.to_string(),
            version: version.to_string(),
            goroot: Path::new(REPO).join(root),
            all_in_quick,
        });
    }
    Ok(configs)
}

#[derive(Debug, PartialEq)]
struct Package {
    /// import path, e.g. "math/big"
    path: String,
    /// further host paths mounted read-only at the same guest path (relative: to $GOROOT/src;
    /// "." is $GOROOT/src itself)
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
    /// QEMU's wall time for one run (0 when not recorded): orders the runs
    seconds: f64,
    results: BTreeMap<String, Outcome>,
}

/// Lines of a manifest file without comments and blank lines, with their line numbers.
fn manifest_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim()))
        .filter(|(_, l)| !l.is_empty() && !l.starts_with('#'))
}

/// A package list (packages/<version>.txt or quick.txt): one import path per line.
fn parse_list(text: &str, what: &str) -> Result<Vec<String>, String> {
    let mut list: Vec<String> = Vec::new();
    for (line, l) in manifest_lines(text) {
        if l.split_whitespace().count() != 1 {
            return Err(format!("{what} line {line}: want one import path"));
        }
        if list.iter().any(|p| p == l) {
            return Err(format!("{what} line {line}: {l} listed twice"));
        }
        list.push(l.to_string());
    }
    Ok(list)
}

/// mounts.txt: IMPORT_PATH EXTRA... Returns import path -> extra paths.
fn parse_mounts(text: &str) -> Result<BTreeMap<String, Vec<String>>, String> {
    let mut mounts = BTreeMap::new();
    for (line, l) in manifest_lines(text) {
        let mut words = l.split_whitespace().map(String::from);
        let path = words.next().unwrap();
        let extras: Vec<String> = words.collect();
        if extras.is_empty() {
            return Err(format!("mounts.txt line {line}: {path} names no path"));
        }
        if mounts.insert(path.clone(), extras).is_some() {
            return Err(format!("mounts.txt line {line}: {path} listed twice"));
        }
    }
    Ok(mounts)
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

/// QEMU's results without the skipped tests (and their subtests): a test added to skips.txt
/// after its package was recorded is not run under rvrun, so its recorded result does not count.
fn without_skipped(expected: &Expected, skipped: &[String]) -> Expected {
    let top = |name: &str| name.split('/').next().unwrap_or(name).to_string();
    Expected {
        status: expected.status,
        seconds: expected.seconds,
        results: expected
            .results
            .iter()
            .filter(|(n, _)| !skipped.contains(&top(n)))
            .map(|(n, o)| (n.clone(), *o))
            .collect(),
    }
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
    let mut seconds = 0.0;
    let mut results = BTreeMap::new();
    for (line, l) in manifest_lines(text) {
        let (word, rest) = l.split_once(' ').ok_or(format!("line {line}: {l:?}"))?;
        let outcome = match word {
            "status" => {
                status = Some(rest.parse().map_err(|e| format!("line {line}: {e}"))?);
                continue;
            }
            "seconds" => {
                seconds = rest.parse().map_err(|e| format!("line {line}: {e}"))?;
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
        seconds,
        results,
    })
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

fn load<T>(file: &str, parse: impl Fn(&str) -> Result<T, String>) -> T {
    parse(&read(&Path::new(GO_STD_DIR).join(file))).unwrap_or_else(|e| panic!("{e}"))
}

/// Everything the manifests say: configurations, their packages (with their mounts), the
/// quick selection and the skips.
struct Manifests {
    configs: Vec<Config>,
    /// version -> its packages
    packages: BTreeMap<String, Vec<Package>>,
    quick: Vec<String>,
    skips: BTreeMap<String, Vec<String>>,
}

fn load_manifests() -> Manifests {
    let configs = load("toolchains.txt", parse_configs);
    let mounts = load("mounts.txt", parse_mounts);
    let mut packages = BTreeMap::new();
    for c in &configs {
        if packages.contains_key(&c.version) {
            continue;
        }
        let file = format!("packages/{}.txt", c.version);
        let list = load(&file, |t| parse_list(t, &file));
        let pkgs = list
            .into_iter()
            .map(|path| Package {
                extras: mounts.get(&path).cloned().unwrap_or_default(),
                path,
            })
            .collect();
        packages.insert(c.version.clone(), pkgs);
    }
    Manifests {
        quick: load("quick.txt", |t| parse_list(t, "quick.txt")),
        skips: load("skips.txt", parse_skips),
        configs,
        packages,
    }
}

impl Manifests {
    fn packages(&self, c: &Config) -> &[Package] {
        &self.packages[&c.version]
    }

    /// The runs of `make test` (`full`: of `make test-full`), as (configuration, package).
    fn runs(&self, full: bool) -> Vec<(&Config, &Package)> {
        self.configs
            .iter()
            .flat_map(|c| self.packages(c).iter().map(move |p| (c, p)))
            .filter(|(c, p)| full || c.all_in_quick || self.quick.contains(&p.path))
            .collect()
    }
}

fn expected_path(config: &Config, pkg: &Package) -> PathBuf {
    Path::new(GO_STD_DIR)
        .join("expected")
        .join(&config.name)
        .join(format!("{}.txt", pkg.stem()))
}

fn load_expected(config: &Config, pkg: &Package) -> Result<Expected, String> {
    let path = expected_path(config, pkg);
    let text = fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    parse_expected(&text).map_err(|e| format!("{}: {e}", path.display()))
}

struct Run {
    status: i32,
    stdout: String,
    stderr: String,
    secs: f64,
}

/// Runs one test binary under rvrun, in its package directory, with a wall-clock limit.
fn run_rvrun(
    binary: &Path,
    config: &Config,
    pkg: &Package,
    skip: Option<&str>,
) -> Result<Run, String> {
    let src = config.goroot.join("src");
    let dir = src.join(&pkg.path);
    let mut cmd = Command::new(RVRUN);
    cmd.arg("run")
        .args(["--stats", "--allow-unsupported", "--cpus", GUEST_CPUS])
        .args(common::census_args());
    if let Ok(extra) = std::env::var("RVRUN_GO_STD_ARGS") {
        cmd.args(extra.split_whitespace());
    }
    let mut mounts = vec![dir.clone()];
    // an extra a release lacks is left out (mounts.txt applies to every release)
    mounts.extend(
        pkg.extras
            .iter()
            .map(|e| if e == "." { src.clone() } else { src.join(e) })
            .filter(|m| m.exists()),
    );
    if !dir.exists() {
        return Err(format!("{} does not exist", dir.display()));
    }
    for m in &mounts {
        cmd.arg("--mount")
            .arg(format!("{}:{}:ro", m.display(), m.display()));
    }
    cmd.arg("--cwd").arg(&dir);
    cmd.arg("--").arg(binary).args(["-test.short", "-test.v"]);
    if let Some(s) = skip {
        cmd.arg(format!("-test.skip={s}"));
    }
    cmd.current_dir("/").stdin(Stdio::null());
    let done = common::run_limited(cmd, RUN_LIMIT_SECS)?;
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

/// The first line of the message rvrun prints when it stops a run (e.g. "rvrun: unsupported
/// syscall ..."), if any.
fn stop_message(stderr: &str) -> Option<&str> {
    stderr.lines().find(|l| l.starts_with("rvrun: "))
}

/// What rvrun's warnings name for the calls that create a process, the only unsupported calls
/// a Go test binary may reach (answered ENOSYS through `--allow-unsupported`): Go's
/// `os.StartProcess` probes `pidfd_open` and then forks with `clone` (`clone3` is ENOSYS by
/// design, whatever the options).
const PROCESS_CREATION: [&str; 2] = ["unsupported syscall pidfd_open (434)", "clone with flags "];

/// The calls rvrun answered ENOSYS under `--allow-unsupported` that are not process creation:
/// rvrun's warning lines, deduplicated.
fn unexpected_enosys(stderr: &str) -> Vec<String> {
    let mut seen = BTreeSet::new();
    for line in stderr.lines() {
        let Some(at) = line.find("] ") else { continue };
        let Some(what) = line[at + 2..].strip_suffix(": answering ENOSYS (--allow-unsupported)")
        else {
            continue;
        };
        if !PROCESS_CREATION.iter().any(|p| what.starts_with(p)) {
            // the pc and arguments differ between calls of the same kind
            seen.insert(what.split(" at pc ").next().unwrap_or(what).to_string());
        }
    }
    seen.into_iter().collect()
}

/// The manifests parse and agree with the expected files: every run of `make test` has results
/// (and no file belongs to no package), every quick package and every skip
/// names a listed package. Needs neither rvrun nor the
/// binaries.
#[test]
fn go_std_manifests_and_expected_files_agree() {
    let m = load_manifests();
    assert!(
        !m.configs.is_empty(),
        "toolchains.txt lists no configuration"
    );
    let mut problems = Vec::new();
    let listed = |path: &str| m.packages.values().flatten().any(|p| p.path == path);
    for pkg in m.skips.keys() {
        if !listed(pkg) {
            problems.push(format!("skips.txt names {pkg}, which no package list has"));
        }
    }
    for pkg in &m.quick {
        if !listed(pkg) {
            problems.push(format!("quick.txt names {pkg}, which no package list has"));
        }
    }
    for config in &m.configs {
        let flavour = &config.name;
        let dir = Path::new(GO_STD_DIR).join("expected").join(flavour);
        let want: BTreeSet<String> = m
            .packages(config)
            .iter()
            .map(|p| format!("{}.txt", p.stem()))
            .chain(["GOVERSION".to_string()])
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
        match fs::read_to_string(dir.join("GOVERSION")) {
            Ok(v) if v.trim().starts_with(&config.version) => {}
            Ok(v) => problems.push(format!(
                "expected/{flavour}/GOVERSION says {}, toolchains.txt {}",
                v.trim(),
                config.version
            )),
            Err(e) => problems.push(format!("expected/{flavour}/GOVERSION: {e}")),
        }
        // `make test`'s runs need results; those only `make test-full` makes report a missing
        // file when they run.
        let quick = m.runs(false);
        for pkg in m.packages(config) {
            let needed = quick
                .iter()
                .any(|(c, p)| c.name == config.name && p.path == pkg.path);
            match load_expected(config, pkg) {
                Ok(_) => {}
                Err(_) if !needed && !expected_path(config, pkg).exists() => {}
                Err(e) => problems.push(format!("{e} (run gen-expected.sh)")),
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The packages of the quick selection (or of all configurations with `RVRUN_GO_STD_FULL=1`)
/// under rvrun; the runs share one worker per core and every failure is reported.
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
    let full = std::env::var("RVRUN_GO_STD_FULL").is_ok_and(|v| v == "1");
    let m = load_manifests();
    let mut runs: Vec<(&Config, &Package, Result<Expected, String>)> = m
        .runs(full)
        .into_iter()
        .filter(|(c, p)| {
            let id = format!("{}/{}", c.name, p.path);
            filter.is_empty() || filter.iter().any(|s| id.contains(s.as_str()))
        })
        .map(|(c, p)| (c, p, load_expected(c, p)))
        .collect();
    assert!(!runs.is_empty(), "no run matches RVRUN_GO_STD={filter:?}");
    // The longest runs (QEMU's seconds) first, so that they do not end the test alone.
    runs.sort_by(|a, b| {
        let secs = |r: &Result<Expected, String>| r.as_ref().map_or(f64::MAX, |e| e.seconds);
        secs(&b.2).total_cmp(&secs(&a.2))
    });
    // The results are those of one Go release: another one builds other binaries.
    for config in &m.configs {
        if !runs.iter().any(|(c, _, _)| c.name == config.name) {
            continue;
        }
        let version_file = config.goroot.join("VERSION");
        let installed = read(&version_file).lines().next().unwrap_or("").to_string();
        let recorded = read(
            &Path::new(GO_STD_DIR)
                .join("expected")
                .join(&config.name)
                .join("GOVERSION"),
        );
        assert_eq!(
            installed,
            recorded.trim(),
            "{} names another Go release than the one expected/{} was recorded with \
             (rerun tests/programs/go-std/gen-expected.sh)",
            version_file.display(),
            config.name
        );
    }
    let binary = |c: &Config, p: &Package| {
        guests
            .join("go-std")
            .join(&c.name)
            .join(format!("{}.test", p.stem()))
    };
    let missing: Vec<String> = runs
        .iter()
        .map(|(c, p, _)| binary(c, p))
        .filter(|b| !b.is_file())
        .map(|b| b.display().to_string())
        .collect();
    assert!(
        missing.is_empty(),
        "test binaries missing (run `make programs`, or `make -C tests/programs go-std-full`):\n  {}",
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
                    let Some((config, pkg, expected)) = next.lock().unwrap().next() else {
                        break;
                    };
                    let flavour = &config.name;
                    let id = format!("{flavour}/{}", pkg.path);
                    let binary = binary(config, pkg);
                    let skipped = m.skips.get(&pkg.path).map_or(&[][..], |v| &v[..]);
                    let skip = skip_pattern(skipped);
                    let result = expected.as_ref().map_err(Clone::clone).and_then(|expected| {
                        run_rvrun(&binary, config, pkg, skip.as_deref()).map(|run| (expected, run))
                    });
                    let (expected, run) = match result {
                        Ok((expected, run)) => (without_skipped(expected, skipped), run),
                        Err(e) => {
                            report(format_args!("FAIL  {:<28} {flavour:<12} {e}", pkg.path));
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
                    let mut problems = compare(&expected, run.status, &actual);
                    for what in unexpected_enosys(&run.stderr) {
                        problems.push(format!("rvrun answered ENOSYS: {what}"));
                    }
                    report(format_args!(
                        "{}  {:<28} {flavour:<12} {kept:>5}/{:<5} of QEMU's passes  {:>13} insns  {:7.1} s (QEMU {:.0} s){}",
                        if problems.is_empty() { "ok  " } else { "FAIL" },
                        pkg.path,
                        qemu_passed.len(),
                        insns.map_or("?".to_string(), |n| n.to_string()),
                        run.secs,
                        expected.seconds,
                        stop_message(&run.stderr).map_or(String::new(), |m| format!("  [{m}]")),
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
    fn only_process_creation_may_be_answered_enosys() {
        let stderr = "[2026-01-01T00:00:00Z WARN  rvrun::kernel::syscalls] unsupported syscall pidfd_open (434) at pc 0x84ed4 args 0x3e8 0x0 0x0 0x0 0x0 0x0: answering ENOSYS (--allow-unsupported)\n\
            [2026-01-01T00:00:00Z WARN  rvrun::kernel::syscalls] clone with flags 0x4111: only threads (CLONE_VM | CLONE_THREAD | CLONE_SIGHAND) are supported, not new processes: answering ENOSYS (--allow-unsupported)\n\
            [2026-01-01T00:00:00Z WARN  rvrun::kernel::syscalls] unsupported syscall acct (89) at pc 0x1000 args 0x0 0x0 0x0 0x0 0x0 0x0: answering ENOSYS (--allow-unsupported)\n\
            [2026-01-01T00:00:00Z WARN  rvrun::kernel::syscalls] unsupported syscall acct (89) at pc 0x2000 args 0x0 0x0 0x0 0x0 0x0 0x0: answering ENOSYS (--allow-unsupported)\n\
            guest output: answering ENOSYS (--allow-unsupported)\n";
        assert_eq!(unexpected_enosys(stderr), ["unsupported syscall acct (89)"]);
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
        let p = parse_list("# c\nsort\ncompress/flate\n", "x").unwrap();
        assert_eq!(p, vec!["sort", "compress/flate"]);
        assert!(parse_list("sort\nsort\n", "x").is_err());
        assert!(parse_list("sort extra\n", "x").is_err());
        let m = parse_mounts("compress/flate  testdata compress/testdata\n").unwrap();
        assert_eq!(m["compress/flate"], vec!["testdata", "compress/testdata"]);
        assert!(parse_mounts("time\n").is_err());
        let c = parse_configs("a go1.23 rva20u64 /usr/lib/go-1.23 all\nb go1.26.8 rva22u64 toolchain/go/go1.26.8 quick\n").unwrap();
        assert!(c[0].all_in_quick && !c[1].all_in_quick);
        assert_eq!(c[0].goroot, Path::new("/usr/lib/go-1.23"));
        assert_eq!(c[1].goroot, Path::new(REPO).join("toolchain/go/go1.26.8"));
        assert!(parse_configs("a go1.23 rva99 /x all\n").is_err());
        assert!(parse_configs("a go1.23 rva20u64 /x some\n").is_err());
        assert!(parse_configs("a go1.23 rva20u64 /x all\na go1.23 rva20u64 /x all\n").is_err());
        let pkg = |path: &str| Package {
            path: path.into(),
            extras: vec![],
        };
        let mut packages = BTreeMap::new();
        packages.insert("go1.23".to_string(), vec![pkg("sort"), pkg("time")]);
        let ms = Manifests {
            configs: c,
            packages,
            quick: vec!["time".into()],
            skips: BTreeMap::new(),
        };
        // b's version has no list: give it one
        let mut ms = ms;
        ms.packages
            .insert("go1.26.8".into(), vec![pkg("sort"), pkg("time")]);
        let quick: Vec<(String, String)> = ms
            .runs(false)
            .iter()
            .map(|(c, p)| (c.name.clone(), p.path.clone()))
            .collect();
        assert_eq!(
            quick,
            [("a", "sort"), ("a", "time"), ("b", "time")].map(|(a, b)| (a.into(), b.into()))
        );
        assert_eq!(ms.runs(true).len(), 4);
        let s = parse_skips("a/b | TestX | why\na/b | TestY | why not\n").unwrap();
        assert_eq!(skip_pattern(&s["a/b"]).unwrap(), "^(TestX|TestY)$");
        assert!(parse_skips("a | TestX/sub | why\n").is_err());
        assert!(parse_skips("a | TestX | \n").is_err());
        assert!(parse_skips("a | TestX\n").is_err());
        assert_eq!(skip_pattern(&[]), None);
    }

    #[test]
    fn comparison_with_qemu() {
        let expected =
            parse_expected("# x\nstatus 0\nseconds 12\nPASS A\nPASS B\nFAIL C\nFLAKY D\n").unwrap();
        let actual =
            parse_results("--- PASS: A (0.00s)\n--- FAIL: B (0.00s)\n--- PASS: C (0.0s)\n");
        assert_eq!(expected.seconds, 12.0);
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
