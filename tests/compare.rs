//! `rvrun compare` against qemu-riscv64, on real guest programs.
//!
//! Needs the guest binaries (`RVRUN_GUESTS=/abs/path/build/guests`) and `qemu-riscv64` on
//! `PATH` (toolchain/setup.sh installs it). Fails, rather than skips, when they are missing.

mod common;

use common::guest;
use std::path::Path;
use std::process::{Command, Output};

fn data(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/programs/data")
        .join(name)
        .to_str()
        .unwrap()
        .to_string()
}

fn compare(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_rvrun"))
        .arg("compare")
        .args(args)
        .output()
        .expect("run rvrun")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn assert_status(o: &Output, code: i32) -> String {
    let out = stdout(o);
    assert_eq!(
        o.status.code(),
        Some(code),
        "stdout:\n{out}\nstderr:\n{}",
        String::from_utf8_lossy(&o.stderr)
    );
    out
}

#[test]
fn deterministic_program_agrees() {
    let out = assert_status(&compare(&[&guest("c-musl/hello")]), 0);
    assert!(out.contains("exit status: same (0)"), "{out}");
    assert!(out.contains("stdout: same (14 bytes)"), "{out}");
    assert!(out.contains("result: AGREE"), "{out}");
    assert!(!out.contains("likely time"), "{out}");
}

#[test]
fn mounted_file_argument_is_staged_for_qemu() {
    let m = format!("{}:/data/block.json:ro", data("block.json"));
    let out = assert_status(
        &compare(&[
            "--mount",
            &m,
            &guest("c-musl/validator"),
            "/data/block.json",
        ]),
        0,
    );
    assert!(out.contains("result: AGREE"), "{out}");
}

#[test]
fn stdin_goes_to_both() {
    let out = assert_status(
        &compare(&["--stdin", &data("cat-input.bin"), &guest("c-musl/cat")]),
        0,
    );
    assert!(out.contains("result: AGREE"), "{out}");
    // Without the input both runs see empty stdin, and still agree with each other.
    let out = assert_status(&compare(&[&guest("c-musl/cat")]), 0);
    assert!(out.contains("result: AGREE"), "{out}");
}

#[test]
fn args_and_env_reach_both() {
    let out = assert_status(
        &compare(&[
            "-E",
            "GREETING=hello world",
            "-E",
            "EMPTY=",
            &guest("c-musl/args"),
            "one",
            "two words",
            "--flag",
        ]),
        0,
    );
    assert!(out.contains("result: AGREE"), "{out}");
}

#[test]
fn time_dependent_program_differs_with_hint() {
    let out = assert_status(&compare(&[&guest("c-musl/time")]), 1);
    assert!(out.contains("stdout: DIFFERENT"), "{out}");
    assert!(out.contains("--- qemu stdout"), "{out}");
    assert!(out.contains("+++ rvrun stdout"), "{out}");
    assert!(
        out.contains("+CLOCK_REALTIME             1704067200."),
        "{out}"
    );
    assert!(
        out.contains("likely time- or randomness-dependent"),
        "{out}"
    );
    assert!(out.contains("clock_gettime"), "{out}");
    assert!(out.contains("result: DIFFER"), "{out}");
}

#[test]
fn syscall_sequences_are_aligned() {
    let out = assert_status(&compare(&["--syscalls", &guest("c-musl/hello")]), 0);
    assert!(out.contains("same sequence"), "{out}");
    assert!(out.contains("exit_group = ?"), "{out}");

    let out = assert_status(&compare(&["--syscalls", &guest("c-musl/time")]), 1);
    assert!(out.contains("first divergence at row"), "{out}");
    assert!(out.contains(">>"), "{out}");
    assert!(
        out.lines()
            .any(|l| l.matches("clock_gettime = 0").count() == 2 && l.contains(" | ")),
        "{out}"
    );
}

#[test]
fn exit_statuses_are_compared() {
    let out = assert_status(&compare(&[&guest("c-musl/exit"), "exit", "3"]), 0);
    assert!(out.contains("exit status: same (3)"), "{out}");
}

#[test]
fn missing_qemu_is_a_clear_error() {
    let o = compare(&["--qemu", "/nonexistent", &guest("c-musl/hello")]);
    assert_eq!(o.status.code(), Some(125));
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with("rvrun: compare: QEMU not found at /nonexistent"),
        "{err}"
    );

    let o = Command::new(env!("CARGO_BIN_EXE_rvrun"))
        .env("PATH", "/nonexistent")
        .args(["compare", &guest("c-musl/hello")])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(125));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("qemu-riscv64 not found on PATH"), "{err}");
}

#[test]
fn rvrun_stop_is_reported() {
    let out = assert_status(&compare(&[&guest("c-musl/unsupported")]), 1);
    assert!(
        out.contains("exit status: DIFFERENT (qemu 0, rvrun 125)"),
        "{out}"
    );
    assert!(
        out.contains("rvrun stopped the run: unsupported syscall acct"),
        "{out}"
    );
    assert!(!out.contains("likely time"), "{out}");
}

#[test]
fn cwd_in_a_mount_is_staged_for_qemu() {
    // `ls .` lists the mounted tree in both runs only if QEMU starts in the staged copy.
    let mount = format!("{}:/data:ro", data("tree"));
    let out = assert_status(
        &compare(&[
            "--mount",
            &mount,
            "--cwd",
            "/data",
            &guest("c-musl/ls"),
            ".",
        ]),
        0,
    );
    assert!(out.contains("result: AGREE"), "{out}");
    assert!(!out.contains("stdout: same (0 bytes)"), "{out}");
}

#[test]
fn quantum_reaches_rvrun() {
    // A slice of one instruction makes rvrun switch threads after every instruction (its
    // mutexes' LR/SC loops must still make progress); a deterministic threaded program
    // still agrees with QEMU, and a zero quantum is refused.
    let out = assert_status(&compare(&["--quantum", "1", &guest("c-musl/threads")]), 0);
    assert!(out.contains("result: AGREE"), "{out}");
    let o = compare(&["--quantum", "0", &guest("c-musl/threads")]);
    assert_eq!(o.status.code(), Some(125));
}

#[test]
fn qemu_start_failure_names_the_cwd() {
    // The guest has /rvrun-no-such-dir (the parent of a mounted file); the host does not, so
    // QEMU cannot be started there: the error says so rather than blaming QEMU.
    let mount = format!("{}:/rvrun-no-such-dir/block.json", data("block.json"));
    let o = compare(&[
        "--mount",
        &mount,
        "--cwd",
        "/rvrun-no-such-dir",
        &guest("c-musl/hello"),
    ]);
    assert_eq!(o.status.code(), Some(125));
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("QEMU cannot start in the guest's cwd /rvrun-no-such-dir"),
        "{err}"
    );
}

#[test]
fn syscalls_agree_at_a_call_that_blocked_in_rvrun() {
    // nanosleep blocks in rvrun (logged without a result) and returns 0 under QEMU; `time`
    // is single-threaded, so QEMU's log is not interleaved.
    let out = compare(&["--syscalls", &guest("c-musl/time")]);
    let out = stdout(&out);
    let row = out
        .lines()
        .find(|l| l.contains("nanosleep = 0") && l.contains("nanosleep = ?"))
        .unwrap_or_else(|| panic!("no nanosleep row: {out}"));
    assert!(row.contains(" | ") && !row.contains('≠'), "{row}");
}

#[test]
fn a_fifo_in_a_mounted_directory_is_skipped_for_qemu_too() {
    // rvrun's --mount skips it; copying it for QEMU must not wait for a writer.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.txt"), "a").unwrap();
    let c = std::ffi::CString::new(dir.path().join("fifo").to_str().unwrap()).unwrap();
    // SAFETY: c is a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    let mount = format!("{}:/d", dir.path().display());
    let out = assert_status(&compare(&["--mount", &mount, &guest("c-musl/ls"), "/d"]), 0);
    assert!(out.contains("result: AGREE"), "{out}");
}
