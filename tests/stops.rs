//! How rvrun stops: unsupported syscalls (and --allow-unsupported), dynamically linked
//! programs, the instruction limit. Uses guests built by `make programs` (RVRUN_GUESTS).

use std::path::PathBuf;
use std::process::{Command, Output};

fn guest(name: &str) -> PathBuf {
    let dir = std::env::var("RVRUN_GUESTS")
        .expect("RVRUN_GUESTS must name the built guests (run `make test`)");
    let p = PathBuf::from(dir).join(name);
    assert!(
        p.exists(),
        "{} is missing: run `make programs`",
        p.display()
    );
    p
}

fn rvrun(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_rvrun"))
        .args(args)
        .output()
        .expect("run rvrun")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn unsupported_syscall_stops_the_run_naming_it() {
    let prog = guest("c-musl/unsupported");
    let o = rvrun(&["run", prog.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(125));
    assert_eq!(
        text(&o.stdout),
        "before\n",
        "the guest must not continue past the call"
    );
    let err = text(&o.stderr);
    assert!(
        err.starts_with("rvrun: unsupported syscall acct (89) at pc 0x")
            && err.contains(" args 0x0 "),
        "stderr: {err}"
    );
}

#[test]
fn allow_unsupported_answers_enosys() {
    let prog = guest("c-musl/unsupported");
    let o = rvrun(&["run", "--allow-unsupported", prog.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "stderr: {}", text(&o.stderr));
    assert_eq!(text(&o.stdout), "before\nacct: -1 ENOSYS\n");
    assert!(
        text(&o.stderr).contains("acct (89)"),
        "a warning names the call: {}",
        text(&o.stderr)
    );
}

#[test]
fn dynamically_linked_program_is_refused() {
    let prog = guest("c-glibc-dynamic/hello");
    let o = rvrun(&["run", prog.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(125));
    let err = text(&o.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("dynamically linked") && err.contains("static"),
        "{err}"
    );
    assert!(err.contains("/lib/ld-linux-riscv64-lp64d.so.1"), "{err}");
}

#[test]
fn instruction_limit_stops_exactly() {
    let prog = guest("c-musl/bench");
    let o = rvrun(&[
        "run",
        "--max-insns",
        "123457",
        "--stats",
        prog.to_str().unwrap(),
        "1000",
    ]);
    assert_eq!(o.status.code(), Some(125));
    let err = text(&o.stderr);
    assert!(err.contains("instruction limit reached"), "{err}");
    assert!(err.lines().any(|l| l == "instructions: 123457"), "{err}");
}

#[test]
fn strace_names_calls_and_errors() {
    let prog = guest("c-musl/hello");
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("trace");
    let o = rvrun(&[
        "run",
        "--strace-file",
        log.to_str().unwrap(),
        prog.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0));
    let trace = std::fs::read_to_string(&log).unwrap();
    assert!(
        trace
            .lines()
            .any(|l| l.starts_with("1000 writev(1,") && l.ends_with(") = 14")),
        "{trace}"
    );
    assert!(
        trace
            .lines()
            .last()
            .unwrap()
            .starts_with("1000 exit_group(0"),
        "{trace}"
    );
}

#[test]
fn deadlock_is_reported_with_every_thread() {
    let prog = guest("c-glibc/deadlock");
    let o = rvrun(&["run", prog.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(125));
    assert_eq!(text(&o.stdout), "both locks taken\n");
    let err = text(&o.stderr);
    assert!(
        err.starts_with("rvrun: deadlock: every guest thread is blocked"),
        "{err}"
    );
    assert!(err.contains("thread 1000: futex wait on 0x"), "{err}");
    assert!(err.contains("thread 1001: futex wait on 0x"), "{err}");
}
