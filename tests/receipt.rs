//! Run receipts (`rvrun run --receipt`) and `rvrun verify`, on real guest programs.
//!
//! Needs the guest binaries: `RVRUN_GUESTS=/abs/path/build/guests` (`make test` sets it).
//! Fails, rather than skips, when they are missing.

mod common;

use common::guest;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/programs/data")
        .join(name)
}

/// Runs rvrun with `args`, stdin from `stdin` (a file) or empty.
fn rvrun(args: &[&str], stdin: Option<&Path>) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_rvrun"));
    c.args(args);
    c.stdin(match stdin {
        Some(p) => Stdio::from(std::fs::File::open(p).unwrap()),
        None => Stdio::null(),
    });
    c.output().expect("run rvrun")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Runs `args` (after `run --receipt FILE`) and returns the receipt's text.
fn receipt_of(dir: &Path, tag: &str, args: &[&str], stdin: Option<&Path>) -> String {
    let r = dir.join(format!("{tag}.json"));
    let mut a = vec!["run", "--receipt", r.to_str().unwrap()];
    a.extend_from_slice(args);
    let o = rvrun(&a, stdin);
    assert!(o.status.success(), "rvrun failed: {}", text(&o.stderr));
    std::fs::read_to_string(&r).unwrap()
}

#[test]
fn receipt_is_identical_across_runs() {
    let dir = tempfile::tempdir().unwrap();
    let hello = guest("c-musl/hello");
    let a = receipt_of(dir.path(), "a", &[&hello], None);
    let b = receipt_of(dir.path(), "b", &[&hello], None);
    assert_eq!(a, b);
    let v: serde_json::Value = serde_json::from_str(&a).unwrap();
    assert_eq!(v["format"], "rvrun-receipt/1");
    assert_eq!(v["outcome"]["status"], 0);
    assert_eq!(v["outcome"]["exit"]["kind"], "exited");
    assert_eq!(v["outcome"]["stdout"]["size"], 14);
    assert_eq!(
        v["outcome"]["stdout"]["sha256"],
        // sha256("Hello, world!\n")
        "d9014c4624844aa5bac314773d6b689ad467fa4e1d1a50a1b8a99d5a95f72ff5"
    );
    assert!(v["outcome"]["instructions"].as_u64().unwrap() > 100);
    assert_eq!(v["outcome"]["state"]["sha256"].as_str().unwrap().len(), 64);
    assert!(v["outcome"]["state"]["regions"].as_u64().unwrap() > 2);

    // With a mount and stdin too, byte for byte.
    let cat = guest("c-musl/cat");
    let input = data("cat-input.bin");
    let a = receipt_of(dir.path(), "c", &[&cat], Some(&input));
    let b = receipt_of(dir.path(), "d", &[&cat], Some(&input));
    assert_eq!(a, b);
    let v: serde_json::Value = serde_json::from_str(&a).unwrap();
    let bytes = std::fs::read(&input).unwrap();
    assert_eq!(v["inputs"]["stdin"]["size"], bytes.len() as u64);
    assert_eq!(
        v["inputs"]["stdin"]["sha256"],
        hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&bytes))
    );
}

#[test]
fn recorded_stdout_is_still_passed_through() {
    let dir = tempfile::tempdir().unwrap();
    let r = dir.path().join("r.json");
    let o = rvrun(
        &[
            "run",
            "--receipt",
            r.to_str().unwrap(),
            &guest("c-musl/hello"),
        ],
        None,
    );
    assert_eq!(text(&o.stdout), "Hello, world!\n");
}

/// The same inputs at different host paths give the same inputs and outcome: host paths
/// appear only in the informational `host` section.
#[test]
fn no_host_paths_outside_the_host_section() {
    let validator = guest("c-musl/validator");
    let mut receipts = Vec::new();
    let mut dirs = Vec::new();
    for tag in ["one", "two"] {
        let dir = tempfile::Builder::new().prefix(tag).tempdir().unwrap();
        let host = dir.path().join("in-block.json");
        std::fs::copy(data("block.json"), &host).unwrap();
        let m = format!("{}:/data/block.json:ro", host.display());
        let text = receipt_of(
            dir.path(),
            "r",
            &["--mount", &m, &validator, "/data/block.json"],
            None,
        );
        let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["host"]["mounts"][0], host.to_str().unwrap());
        v.as_object_mut().unwrap().remove("host");
        let rest = v.to_string();
        assert!(!rest.contains(dir.path().to_str().unwrap()), "{rest}");
        assert!(!rest.contains("wall"), "{rest}");
        receipts.push(v);
        dirs.push(dir);
    }
    assert_eq!(receipts[0], receipts[1]);
}

#[test]
fn verify_passes_for_the_same_inputs_and_names_a_changed_input() {
    let dir = tempfile::tempdir().unwrap();
    let host = dir.path().join("block.json");
    std::fs::copy(data("block.json"), &host).unwrap();
    let m = format!("{}:/data/block.json:ro", host.display());
    receipt_of(
        dir.path(),
        "r",
        &[
            "--mount",
            &m,
            &guest("c-musl/validator"),
            "/data/block.json",
        ],
        None,
    );
    let r = dir.path().join("r.json");
    let o = rvrun(&["verify", r.to_str().unwrap()], None);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}{}",
        text(&o.stdout),
        text(&o.stderr)
    );
    assert!(
        text(&o.stdout).contains("verify: OK"),
        "{}",
        text(&o.stdout)
    );

    // Change one byte of the input (same size): the mismatch names it.
    let mut bytes = std::fs::read(&host).unwrap();
    let i = bytes.iter().position(|&b| b == b'1').unwrap();
    bytes[i] = b'2';
    std::fs::write(&host, &bytes).unwrap();
    let o = rvrun(&["verify", r.to_str().unwrap()], None);
    let out = text(&o.stdout);
    assert_eq!(o.status.code(), Some(1), "{out}{}", text(&o.stderr));
    assert!(out.contains("verify: MISMATCH"), "{out}");
    assert!(out.contains("input /data/block.json"), "{out}");

    // --mount points verify at the original file again: all match.
    let m = format!("{}:/data/block.json", data("block.json").display());
    let o = rvrun(&["verify", "--mount", &m, r.to_str().unwrap()], None);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stdout));
}

#[test]
fn verify_detects_changed_stdin_and_program() {
    let dir = tempfile::tempdir().unwrap();
    let cat = guest("c-musl/cat");
    let input = data("cat-input.bin");
    receipt_of(dir.path(), "r", &[&cat], Some(&input));
    let r = dir.path().join("r.json");
    let rs = r.to_str().unwrap();

    let o = rvrun(&["verify", rs], Some(&input));
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stdout));
    let o = rvrun(&["verify", "--stdin", input.to_str().unwrap(), rs], None);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stdout));

    let other = dir.path().join("other.bin");
    std::fs::write(&other, b"something else\n").unwrap();
    let o = rvrun(&["verify", "--stdin", other.to_str().unwrap(), rs], None);
    let out = text(&o.stdout);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.contains("input stdin"), "{out}");
    assert!(out.contains("stdout"), "{out}");

    // A different program file (same argv[0]).
    let o = rvrun(
        &["verify", "--program", &guest("c-musl/hello"), rs],
        Some(&input),
    );
    let out = text(&o.stdout);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.contains("input program"), "{out}");
}

/// The files guest writes, by guest path: stopped part way (--max-insns), c-musl/files has
/// created a file in /tmp and not yet removed it. The stop is part of the outcome.
#[test]
fn outputs_are_recorded_and_match_out_dir() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let r = dir.path().join("r.json");
    let o = rvrun(
        &[
            "run",
            "--receipt",
            r.to_str().unwrap(),
            "--max-insns",
            "100000",
            "--out-dir",
            out.to_str().unwrap(),
            &guest("c-musl/files"),
            "/tmp",
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(125), "{}", text(&o.stderr));
    let v = json(&r);
    assert_eq!(v["outcome"]["exit"]["kind"], "stopped");
    assert!(
        v["outcome"]["exit"]["message"]
            .as_str()
            .unwrap()
            .contains("instruction limit")
    );
    assert_eq!(v["inputs"]["max_insns"], 100000);
    let outputs = v["outcome"]["outputs"].as_array().unwrap();
    assert!(!outputs.is_empty(), "{v}");
    for o in outputs {
        let path = o["path"].as_str().unwrap();
        let host = out.join(&path[1..]);
        let bytes = std::fs::read(&host).unwrap_or_else(|e| panic!("{}: {e}", host.display()));
        assert_eq!(o["size"], bytes.len() as u64, "{path}");
        assert_eq!(
            o["sha256"],
            hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&bytes)),
            "{path}"
        );
    }
    let o = rvrun(&["verify", r.to_str().unwrap()], None);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stdout));

    // The re-run uses the edited limit: its outcome differs.
    let edited = std::fs::read_to_string(&r)
        .unwrap()
        .replace("\"max_insns\": 100000", "\"max_insns\": 100001");
    std::fs::write(&r, edited).unwrap();
    let o = rvrun(&["verify", r.to_str().unwrap()], None);
    let out = text(&o.stdout);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.contains("instructions"), "{out}");
}

#[test]
fn seed_and_epoch_are_inputs() {
    let dir = tempfile::tempdir().unwrap();
    let time = guest("c-musl/time");
    receipt_of(dir.path(), "r", &["--epoch", "1000000000", &time], None);
    let r = dir.path().join("r.json");
    let v = json(&r);
    assert_eq!(v["inputs"]["epoch"], 1_000_000_000u64);
    let o = rvrun(&["verify", r.to_str().unwrap()], None);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stdout));

    // Edit the recorded epoch: the input and the (time-dependent) stdout both differ.
    let edited = std::fs::read_to_string(&r)
        .unwrap()
        .replace("\"epoch\": 1000000000", "\"epoch\": 1000000001");
    std::fs::write(&r, edited).unwrap();
    let o = rvrun(&["verify", r.to_str().unwrap()], None);
    let out = text(&o.stdout);
    // The re-run uses the receipt's (edited) epoch, so only the outcome can differ.
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.contains("stdout"), "{out}");
}

#[test]
fn verify_errors_are_one_line_status_125() {
    let dir = tempfile::tempdir().unwrap();
    let o = rvrun(&["verify", "/nonexistent/receipt.json"], None);
    assert_eq!(o.status.code(), Some(125));
    let err = text(&o.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with("rvrun: verify: cannot read receipt"),
        "{err}"
    );

    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, "{\"format\": 1}").unwrap();
    let o = rvrun(&["verify", bad.to_str().unwrap()], None);
    assert_eq!(o.status.code(), Some(125));
    let err = text(&o.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("not a valid receipt"), "{err}");

    // A receipt whose program cannot be found.
    receipt_of(dir.path(), "r", &[&guest("c-musl/hello")], None);
    let r = dir.path().join("r.json");
    let o = rvrun(
        &[
            "verify",
            "--program",
            "/nonexistent/prog",
            r.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(125));
    assert!(
        text(&o.stderr).contains("cannot read program"),
        "{}",
        text(&o.stderr)
    );
}

#[test]
fn hostile_receipt_strings_are_shown_escaped_and_never_panic() {
    let dir = tempfile::tempdir().unwrap();
    receipt_of(dir.path(), "r", &[&guest("c-musl/hello")], None);
    let r = dir.path().join("r.json");
    let mut v = json(&r);
    // A digest of multi-byte characters (cut at 16 characters, not bytes), an output that
    // is not there, a version with a terminal escape.
    v["outcome"]["stdout"]["sha256"] = "€".repeat(20).into();
    v["outcome"]["outputs"] = serde_json::json!([{
        "path": "/tmp/\u{1b}[31mred",
        "sha256": "00",
        "size": 1
    }]);
    v["rvrun_version"] = "0.0\u{1b}]0;x\u{7}".into();
    std::fs::write(&r, serde_json::to_string(&v).unwrap()).unwrap();
    let o = rvrun(&["verify", r.to_str().unwrap()], None);
    let out = text(&o.stdout);
    assert_eq!(o.status.code(), Some(1), "{out}{}", text(&o.stderr));
    assert!(out.contains(&"€".repeat(16)), "{out}");
    assert!(out.contains(r"output /tmp/\u{1b}[31mred: missing"), "{out}");
    assert!(
        out.contains(r"recorded by rvrun 0.0\u{1b}]0;x\u{7}"),
        "{out}"
    );
    assert!(!out.contains('\x1b') && !out.contains('\x07'), "{out}");
}

#[test]
fn receipt_inputs_the_command_line_refuses_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    receipt_of(dir.path(), "r", &[&guest("c-musl/hello")], None);
    let r = dir.path().join("r.json");
    for (field, value) in [
        ("epoch", serde_json::json!(8_277_292_037u64)),
        ("clock_hz", serde_json::json!(0)),
        ("quantum", serde_json::json!(0)),
    ] {
        let mut v = json(&r);
        v["inputs"][field] = value;
        let bad = dir.path().join(format!("{field}.json"));
        std::fs::write(&bad, serde_json::to_string(&v).unwrap()).unwrap();
        let o = rvrun(&["verify", bad.to_str().unwrap()], None);
        assert_eq!(o.status.code(), Some(125), "{field}: {}", text(&o.stdout));
        let err = text(&o.stderr);
        assert!(
            err.contains("receipt:") && err.lines().count() == 1,
            "{err}"
        );
    }
}
