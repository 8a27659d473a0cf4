//! Profiles (`rvrun run --profile`): instruction counts per call stack, on real guests.
//!
//! Needs the guest binaries: `RVRUN_GUESTS=/abs/path/build/guests` (`make test` sets it).
//! Fails, rather than skips, when they are missing.

mod common;

use common::guest;
use flate2::read::GzDecoder;
use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;
use std::process::{Command, Output, Stdio};

fn rvrun(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_rvrun"))
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("run rvrun")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Runs `program` with `--stats --profile` in `format`; returns the profile's bytes and
/// the instruction count `--stats` printed. The guest may end any way but by an rvrun error.
fn profile_bytes(dir: &Path, program: &str, format: &str) -> (Vec<u8>, u64) {
    let out = dir.join(format!("profile.{format}"));
    let o = rvrun(&[
        "run",
        "--stats",
        "--profile",
        out.to_str().unwrap(),
        "--profile-format",
        format,
        program,
    ]);
    assert_ne!(o.status.code(), Some(125), "{program}: {}", text(&o.stderr));
    let stderr = text(&o.stderr);
    let insns = stderr
        .lines()
        .find_map(|l| l.strip_prefix("instructions: "))
        .unwrap_or_else(|| panic!("no instruction count in: {stderr}"))
        .parse()
        .unwrap();
    (std::fs::read(&out).unwrap(), insns)
}

/// The folded profile of `program` as stack -> count, checked to hold every instruction
/// `--stats` counted and to be well formed.
fn folded(program: &str) -> BTreeMap<String, u64> {
    let dir = tempfile::tempdir().unwrap();
    let (bytes, insns) = profile_bytes(dir.path(), program, "folded");
    let stacks = parse_folded(&text(&bytes));
    assert_eq!(
        stacks.values().sum::<u64>(),
        insns,
        "{program}: the profile must count every retired instruction"
    );
    stacks
}

fn parse_folded(text: &str) -> BTreeMap<String, u64> {
    let mut stacks = BTreeMap::new();
    let mut previous = None;
    for line in text.lines() {
        let (stack, count) = line.rsplit_once(' ').expect("`stack count` lines");
        assert!(
            previous.is_none_or(|p: &str| p < stack),
            "lines sorted, each stack once"
        );
        assert!(
            stack.split(';').all(|f| !f.is_empty()),
            "empty frame: {line}"
        );
        let count: u64 = count.parse().expect("a count");
        assert!(count > 0, "{line}");
        stacks.insert(stack.to_string(), count);
        previous = Some(stack);
    }
    stacks
}

/// Instructions per innermost function (pprof's "flat").
fn flat(stacks: &BTreeMap<String, u64>) -> BTreeMap<&str, u64> {
    let mut f = BTreeMap::new();
    for (stack, count) in stacks {
        *f.entry(stack.rsplit(';').next().unwrap()).or_default() += count;
    }
    f
}

fn frames(stack: &str) -> Vec<&str> {
    stack.split(';').collect()
}

#[test]
fn asm_profile_is_exact() {
    // tests/programs/asm/profile.S gives each function's own instruction count.
    let stacks = folded(&guest("asm/profile"));
    let expected: BTreeMap<String, u64> = [
        ("_start", 5),
        ("_start;work", 13 + 6 * 100),
        ("_start;work;hot", 66 * 100),
        ("_start;work;cold", 22 * 100),
        ("_start;work;rec", 9),
        ("_start;work;rec;rec", 9),
        ("_start;work;rec;rec;rec", 9),
        ("_start;work;rec;rec;rec;rec", 9),
        ("_start;work;rec;rec;rec;rec;rec", 7),
        ("_start;work;via_tail", 5),
        // Tail-called: in via_tail's place, directly under work.
        ("_start;work;callee", 10),
    ]
    .into_iter()
    .map(|(s, n)| (s.to_string(), n))
    .collect();
    assert_eq!(stacks, expected);
    let f = flat(&stacks);
    assert_eq!(f["hot"], 3 * f["cold"]);
}

#[test]
fn c_hot_function_has_its_share() {
    // tests/programs/c/profile.c: hot() runs cold()'s loop three times as often.
    for flavour in ["c-musl", "c-glibc"] {
        let stacks = folded(&guest(&format!("{flavour}/profile")));
        let f = flat(&stacks);
        let (hot, cold) = (f["hot"] as f64, f["cold"] as f64);
        let ratio = hot / cold;
        assert!(
            (ratio - 3.0).abs() < 0.001,
            "{flavour}: hot {hot} cold {cold} ratio {ratio}"
        );
        // Both are called from main, and call nothing.
        for name in ["hot", "cold"] {
            let stacks: Vec<_> = stacks
                .keys()
                .filter(|s| frames(s).contains(&name))
                .collect();
            assert_eq!(stacks.len(), 1, "{flavour}: {stacks:?}");
            assert!(stacks[0].ends_with(&format!(";main;{name}")), "{stacks:?}");
        }
    }
}

#[test]
fn recursion_nests_frames() {
    // fib(20) recurses 20 calls deep: fib(20) -> fib(19) -> ... -> fib(1).
    for flavour in ["c-musl", "c-glibc"] {
        let stacks = folded(&guest(&format!("{flavour}/profile")));
        let mut deepest = 0;
        for stack in stacks.keys().filter(|s| s.contains("fib")) {
            let f = frames(stack);
            let first = f.iter().position(|&x| x == "fib").unwrap();
            assert_eq!(f[first - 1], "main", "{stack}");
            assert!(f[first..].iter().all(|&x| x == "fib"), "{stack}");
            deepest = deepest.max(f.len() - first);
        }
        assert_eq!(deepest, 20, "{flavour}");
    }
}

#[test]
fn threads_have_their_own_stacks() {
    // Each thread's stack starts where the thread started: clone's child side.
    let stacks = folded(&guest("c-musl/threads"));
    let workers: Vec<_> = stacks.keys().filter(|s| s.contains("worker")).collect();
    assert!(!workers.is_empty());
    for s in &workers {
        assert!(s.starts_with("__clone;start;worker"), "{s}");
    }
    for s in stacks.keys().filter(|s| frames(s).contains(&"main")) {
        assert!(!s.starts_with("__clone") && !s.contains("worker"), "{s}");
    }
    // The workers do nearly all the work.
    let in_workers: u64 = workers.iter().map(|s| stacks[*s]).sum();
    assert!(in_workers * 10 > stacks.values().sum::<u64>() * 9);

    // Rust's thread entry runs the spawned closures, only ever on the spawned threads.
    let stacks = folded(&guest("rust-static/threads"));
    let entry = "<std::sys::thread::unix::Thread>::new::thread_start";
    let spawned: Vec<_> = stacks
        .keys()
        .filter(|s| frames(s).contains(&entry))
        .collect();
    assert!(
        spawned
            .iter()
            .any(|s| s.contains("threads::main::{closure"))
    );
    for s in spawned {
        assert!(s.starts_with(&format!("__clone;start;{entry}")), "{s}");
    }
}

#[test]
fn signal_handlers_run_on_a_signal_frame() {
    let stacks = folded(&guest("c-musl/signals"));
    let handled = |handler: &str, sig: &str| {
        stacks
            .keys()
            .filter(|s| s.ends_with(&format!(";[signal {sig}];{handler}")))
            .count()
    };
    assert!(handled("on_usr1", "SIGUSR1") >= 2, "{stacks:#?}");
    assert_eq!(handled("on_segv", "SIGSEGV"), 1, "{stacks:#?}");
    // The handler returns through the trampoline; rt_sigreturn goes back to the frames the
    // signal interrupted, so nothing runs above [sigreturn].
    for (s, &n) in &stacks {
        if let Some(i) = s.find("[sigreturn]") {
            assert_eq!(&s[i..], "[sigreturn]", "{s}");
            assert!(s[..i].ends_with("];"), "{s}");
            assert_eq!(n % 2, 0, "li a7 and ecall, per delivery: {s}");
        }
    }
    // A signal taken by the second thread is on that thread's stack.
    assert!(
        stacks
            .keys()
            .any(|s| s.starts_with("__clone;start;waiter;") && s.ends_with("on_thread_sig")),
        "{stacks:#?}"
    );
}

/// True when `frame` is a mangled symbol or carries a Rust hash (`::h0123456789abcdef`).
fn looks_mangled(frame: &str) -> bool {
    let hash = frame
        .rsplit_once("::h")
        .is_some_and(|(_, h)| h.len() == 16 && h.bytes().all(|b| b.is_ascii_hexdigit()));
    hash || frame.starts_with("_ZN") || frame.starts_with("_R")
}

#[test]
fn rust_and_go_names_are_readable() {
    for flavour in ["rust-pie", "rust-static"] {
        let stacks = folded(&guest(&format!("{flavour}/hello")));
        assert!(
            stacks
                .keys()
                .any(|s| s.contains(";std::rt::lang_start_internal;") && s.contains("hello::main")),
            "{flavour}: {stacks:#?}"
        );
        for s in stacks.keys() {
            assert!(!frames(s).into_iter().any(looks_mangled), "{flavour}: {s}");
        }
    }
    let stacks = folded(&guest("go/hello"));
    assert!(
        stacks
            .keys()
            .any(|s| s.starts_with("runtime.main;main.main;fmt.Fprintln")),
        "{stacks:#?}"
    );
}

#[test]
fn go_goroutines_keep_their_stacks() {
    let stacks = folded(&guest("go/goroutines"));
    // The main goroutine keeps runtime.main above main.main through every park and resume,
    // and each goroutine's stack starts at its function.
    let roots: BTreeMap<&str, u64> = stacks.iter().fold(BTreeMap::new(), |mut m, (s, n)| {
        *m.entry(frames(s)[0]).or_default() += n;
        m
    });
    assert!(!roots.contains_key("main.main"), "{roots:#?}");
    for root in [
        "main.pipeline.func1",
        "main.pipeline.func2",
        "main.workers.func1",
    ] {
        assert!(roots.contains_key(root), "{root} in {roots:#?}");
    }
    for s in stacks.keys() {
        let f = frames(s);
        assert!(f.len() < 64, "runaway stack: {s}");
        if let Some(i) = f.iter().position(|&x| x == "main.main") {
            assert_eq!(&f[..i], ["runtime.main"], "{s}");
        }
    }
}

#[test]
fn profiles_are_deterministic() {
    let program = guest("go/goroutines");
    for format in ["folded", "pprof"] {
        let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let (first, _) = profile_bytes(a.path(), &program, format);
        let (second, _) = profile_bytes(b.path(), &program, format);
        assert!(first == second, "{format} profiles differ between runs");
    }
}

#[test]
fn pprof_holds_the_same_stacks() {
    for program in ["asm/profile", "go/goroutines"] {
        let program = guest(program);
        let dir = tempfile::tempdir().unwrap();
        let (bytes, insns) = profile_bytes(dir.path(), &program, "pprof");
        let mut proto = Vec::new();
        GzDecoder::new(&bytes[..]).read_to_end(&mut proto).unwrap();
        let p = pprof::Profile::decode(&proto);
        assert_eq!(p.sample_types, [("instructions".into(), "count".into())]);
        let stacks = p.folded();
        assert_eq!(stacks.values().sum::<u64>(), insns);
        assert_eq!(stacks, folded(&program), "{program}");
    }
}

#[test]
fn profile_format_needs_profile() {
    let o = rvrun(&["run", "--profile-format", "pprof", &guest("asm/profile")]);
    assert_eq!(o.status.code(), Some(125), "{}", text(&o.stderr));
    let o = rvrun(&[
        "run",
        "--profile",
        "/dev/null",
        "--profile-format",
        "svg",
        "x",
    ]);
    assert_eq!(o.status.code(), Some(125));
    assert!(
        text(&o.stderr).contains("folded or pprof"),
        "{}",
        text(&o.stderr)
    );
}

/// Just enough of a profile.proto reader to check what rvrun writes.
mod pprof {
    use std::collections::{BTreeMap, HashMap};

    enum Value<'a> {
        Int(u64),
        Bytes(&'a [u8]),
    }

    fn varint(b: &[u8], at: &mut usize) -> u64 {
        let mut v = 0;
        for shift in (0..64).step_by(7) {
            let byte = b[*at];
            *at += 1;
            v |= u64::from(byte & 0x7f) << shift;
            if byte < 0x80 {
                break;
            }
        }
        v
    }

    fn fields(b: &[u8]) -> Vec<(u64, Value<'_>)> {
        let mut at = 0;
        let mut out = Vec::new();
        while at < b.len() {
            let key = varint(b, &mut at);
            let value = match key & 7 {
                0 => Value::Int(varint(b, &mut at)),
                2 => {
                    let len = varint(b, &mut at) as usize;
                    at += len;
                    Value::Bytes(&b[at - len..at])
                }
                w => panic!("unexpected wire type {w}"),
            };
            out.push((key >> 3, value));
        }
        out
    }

    fn int(v: &Value) -> u64 {
        match v {
            Value::Int(i) => *i,
            Value::Bytes(_) => panic!("expected an integer"),
        }
    }

    fn bytes<'a>(v: &Value<'a>) -> &'a [u8] {
        match v {
            Value::Bytes(b) => b,
            Value::Int(_) => panic!("expected bytes"),
        }
    }

    fn packed(v: &Value) -> Vec<u64> {
        let b = bytes(v);
        let mut at = 0;
        let mut out = Vec::new();
        while at < b.len() {
            out.push(varint(b, &mut at));
        }
        out
    }

    pub struct Profile {
        pub sample_types: Vec<(String, String)>,
        /// Location ids (innermost first) and values.
        samples: Vec<(Vec<u64>, Vec<u64>)>,
        /// Location id -> function id.
        locations: HashMap<u64, u64>,
        /// Function id -> name (string index).
        functions: HashMap<u64, u64>,
        strings: Vec<String>,
    }

    impl Profile {
        pub fn decode(b: &[u8]) -> Profile {
            let mut p = Profile {
                sample_types: Vec::new(),
                samples: Vec::new(),
                locations: HashMap::new(),
                functions: HashMap::new(),
                strings: Vec::new(),
            };
            let mut types = Vec::new();
            for (field, v) in fields(b) {
                match field {
                    1 => {
                        let f = fields(bytes(&v));
                        types.push((int(&f[0].1), int(&f[1].1)));
                    }
                    2 => {
                        let (mut locs, mut values) = (Vec::new(), Vec::new());
                        for (k, v) in fields(bytes(&v)) {
                            match k {
                                1 => locs = packed(&v),
                                2 => values = packed(&v),
                                _ => {}
                            }
                        }
                        p.samples.push((locs, values));
                    }
                    4 => {
                        let (mut id, mut func) = (0, 0);
                        for (k, v) in fields(bytes(&v)) {
                            match k {
                                1 => id = int(&v),
                                4 => func = int(&fields(bytes(&v))[0].1),
                                _ => {}
                            }
                        }
                        p.locations.insert(id, func);
                    }
                    5 => {
                        let (mut id, mut name) = (0, 0);
                        for (k, v) in fields(bytes(&v)) {
                            match k {
                                1 => id = int(&v),
                                2 => name = int(&v),
                                _ => {}
                            }
                        }
                        p.functions.insert(id, name);
                    }
                    6 => p
                        .strings
                        .push(String::from_utf8(bytes(&v).to_vec()).unwrap()),
                    _ => {}
                }
            }
            assert_eq!(p.strings[0], "", "string 0 is empty");
            p.sample_types = types
                .iter()
                .map(|&(t, u)| (p.strings[t as usize].clone(), p.strings[u as usize].clone()))
                .collect();
            p
        }

        /// The samples as folded stacks (names outermost first, `;` as written by rvrun).
        pub fn folded(&self) -> BTreeMap<String, u64> {
            let mut out = BTreeMap::new();
            for (locs, values) in &self.samples {
                assert_eq!(values.len(), 1);
                let names: Vec<String> = locs
                    .iter()
                    .rev()
                    .map(|l| {
                        let name = self.functions[&self.locations[l]];
                        self.strings[name as usize].replace(';', ":")
                    })
                    .collect();
                *out.entry(names.join(";")).or_default() += values[0];
            }
            out
        }
    }
}
