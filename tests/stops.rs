//! How rvrun stops: unsupported syscalls (and --allow-unsupported), dynamically linked
//! programs, the instruction limit. Uses guests built by `make programs` (RVRUN_GUESTS).

mod common;

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
fn allow_unsupported_also_answers_unsupported_cases_of_known_calls() {
    let prog = guest("c-musl/unsupported");
    let o = rvrun(&["run", prog.to_str().unwrap(), "fork"]);
    assert_eq!(o.status.code(), Some(125));
    assert_eq!(text(&o.stdout), "before\n");
    assert!(text(&o.stderr).contains("clone"), "{}", text(&o.stderr));
    let o = rvrun(&["run", "--allow-unsupported", prog.to_str().unwrap(), "fork"]);
    assert_eq!(o.status.code(), Some(0), "stderr: {}", text(&o.stderr));
    assert_eq!(text(&o.stdout), "before\nfork: -1 ENOSYS\n");
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

#[test]
fn a_huge_bss_costs_neither_time_nor_host_memory() {
    for flavour in ["c-musl", "c-glibc"] {
        let prog = guest(&format!("{flavour}/bigbss"));
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_rvrun"));
        cmd.args(["run", prog.to_str().unwrap()]);
        let o = common::run_measured(cmd, 60);
        let (rss_kib, wall) = (o.max_rss_kib, o.secs);
        assert_eq!(o.status, 0, "{}", o.stderr);
        assert_eq!(o.stdout, "bss: 1536 MiB, checksum 775\n");
        eprintln!("{flavour}/bigbss: max RSS {rss_kib} KiB, {wall:.3} s");
        assert!(rss_kib < 100 * 1024, "{flavour}: max RSS {rss_kib} KiB");
        assert!(wall < 2.0, "{flavour}: {wall:.3} s");
    }
}

#[test]
fn riscv_flush_icache_refuses_unknown_flags() {
    // Linux answers EINVAL; QEMU does not check, so this is not a QEMU-recorded case.
    let prog = guest("c-musl/jit");
    let o = rvrun(&["run", prog.to_str().unwrap(), "flags"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(
        text(&o.stdout).contains("run 3: 301\n")
            && text(&o.stdout).contains("flush flags 2: -1 EINVAL\n"),
        "{}",
        text(&o.stdout)
    );
}

/// The end of the last byte the program headers load from the file.
fn loaded_extent(elf: &[u8]) -> usize {
    let u16_at = |o: usize| u16::from_le_bytes([elf[o], elf[o + 1]]) as usize;
    let u64_at = |o: usize| u64::from_le_bytes(elf[o..o + 8].try_into().unwrap()) as usize;
    let (phoff, phnum) = (u64_at(32), u16_at(56));
    (0..phnum)
        .map(|i| phoff + i * 56)
        .filter(|&ph| u32::from_le_bytes(elf[ph..ph + 4].try_into().unwrap()) == 1)
        .map(|ph| u64_at(ph + 8) + u64_at(ph + 32))
        .max()
        .unwrap()
}

#[test]
fn corrupt_section_headers_do_not_stop_a_program() {
    let dir = tempfile::tempdir().unwrap();
    for flavour in ["c-musl", "c-glibc"] {
        let mut elf = std::fs::read(guest(&format!("{flavour}/hello"))).unwrap();
        // Everything past the loaded bytes (symbol and string tables, section headers)
        // becomes garbage, and so do e_shoff, e_shentsize, e_shnum and e_shstrndx.
        let from = loaded_extent(&elf);
        assert!(from < elf.len(), "{flavour}: nothing past the segments");
        for (i, b) in elf[from..].iter_mut().enumerate() {
            *b = (i as u8).wrapping_mul(167).wrapping_add(13);
        }
        elf[40..48].copy_from_slice(&0x7fff_ffff_fff0u64.to_le_bytes());
        elf[58..64].copy_from_slice(&[0x41, 0x00, 0xff, 0xff, 0xfe, 0xff]);
        let f = dir.path().join(format!("hello-{flavour}"));
        std::fs::write(&f, &elf).unwrap();
        let profile = dir.path().join(format!("profile-{flavour}"));
        let o = rvrun(&[
            "run",
            "--profile",
            profile.to_str().unwrap(),
            f.to_str().unwrap(),
        ]);
        assert_eq!(o.status.code(), Some(0), "{flavour}: {}", text(&o.stderr));
        assert_eq!(text(&o.stdout), "Hello, world!\n", "{flavour}");
        // No symbols: the profile still has every instruction, under raw addresses.
        let folded = std::fs::read_to_string(&profile).unwrap();
        assert!(!folded.is_empty() && !folded.contains("main;"), "{folded}");
    }
}

#[test]
fn a_bad_program_header_entry_size_is_refused_like_linux() {
    let dir = tempfile::tempdir().unwrap();
    let mut elf = std::fs::read(guest("c-musl/hello")).unwrap();
    elf[54..56].copy_from_slice(&64u16.to_le_bytes());
    let f = dir.path().join("hello");
    std::fs::write(&f, &elf).unwrap();
    let o = rvrun(&["run", f.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(125));
    let err = text(&o.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("e_phentsize 64 is not 56") && err.contains("ENOEXEC"),
        "{err}"
    );
}

#[test]
fn guest_writes_to_a_full_stdout_get_enospc() {
    // Linux (and QEMU) give the guest's write ENOSPC; cat reports it and exits 1.
    let prog = guest("c-musl/cat");
    let mut child = Command::new(env!("CARGO_BIN_EXE_rvrun"))
        .args(["run", prog.to_str().unwrap()])
        .stdin(std::process::Stdio::piped())
        .stdout(
            std::fs::File::options()
                .write(true)
                .open("/dev/full")
                .unwrap(),
        )
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child.stdin.take().unwrap().write_all(b"hi\n").unwrap();
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    assert_eq!(text(&o.stderr), "write: No space left on device\n");
}

#[test]
fn cwd_must_exist_in_the_guest() {
    let prog = guest("c-musl/hello");
    let o = rvrun(&["run", "--cwd", "/no/such/dir", prog.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(125));
    let err = text(&o.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("--cwd /no/such/dir: no such directory"),
        "{err}"
    );
    let o = rvrun(&["run", "--cwd", "/tmp", prog.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
}

#[test]
fn endless_stdin_is_bounded() {
    // stdin is read in full for a receipt (and --trace): /dev/zero stops at the limit.
    let prog = guest("c-musl/hello");
    let dir = tempfile::tempdir().unwrap();
    let r = dir.path().join("r.json");
    let o = Command::new(env!("CARGO_BIN_EXE_rvrun"))
        .args([
            "run",
            "--receipt",
            r.to_str().unwrap(),
            prog.to_str().unwrap(),
        ])
        .stdin(std::fs::File::open("/dev/zero").unwrap())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(125));
    let err = text(&o.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("cannot read stdin: has more than the 268435456 bytes"),
        "{err}"
    );
}

/// Runs rvrun with a time limit (a guest that keeps rvrun busy must not hang the test).
fn rvrun_limited(args: &[&str]) -> common::Finished {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_rvrun"));
    cmd.args(args);
    common::run_limited(cmd, 60).unwrap_or_else(|e| panic!("rvrun {args:?}: {e}"))
}

/// Guests that wait forever on nothing but an interval timer whose signal no thread takes
/// (ignored, or blocked): Linux would sleep forever; rvrun reports a deadlock at once
/// instead of stepping virtual time through the timer's expirations without end.
#[test]
fn waiting_on_an_ignored_timer_is_a_deadlock() {
    for flavour in ["c-musl", "c-glibc"] {
        for mode in ["timer-ignored", "timer-blocked"] {
            let prog = guest(&format!("{flavour}/busy"));
            let o = rvrun_limited(&["run", prog.to_str().unwrap(), mode]);
            assert_eq!(o.status, 125, "{flavour} {mode}: {}", text(&o.stderr));
            assert_eq!(text(&o.stdout), format!("{mode}\n"));
            let err = text(&o.stderr);
            assert!(
                err.starts_with("rvrun: deadlock: every guest thread is blocked")
                    && err.contains("ITIMER_REAL"),
                "{flavour} {mode}: {err}"
            );
        }
        // A sleep that ends still ends, past the timer's expirations.
        let prog = guest(&format!("{flavour}/busy"));
        let o = rvrun_limited(&["run", prog.to_str().unwrap(), "timer-sleep"]);
        assert_eq!(o.status, 0, "{flavour}: {}", text(&o.stderr));
        assert_eq!(text(&o.stdout), "timer-sleep\nslept\n");
    }
}

/// Loops that retire instructions only a few at a time between kernel work (a fault handler
/// returning to the faulting store, 100-year sleeps, sched_yield) end exactly at
/// --max-insns.
#[test]
fn instruction_limit_stops_guests_that_keep_the_kernel_busy() {
    for mode in ["segv-loop", "sleep-years", "yield-loop"] {
        let prog = guest("c-musl/busy");
        let o = rvrun_limited(&[
            "run",
            "--max-insns",
            "2000000",
            "--stats",
            prog.to_str().unwrap(),
            mode,
        ]);
        assert_eq!(o.status, 125, "{mode}: {}", text(&o.stderr));
        let err = text(&o.stderr);
        assert!(err.contains("instruction limit reached"), "{mode}: {err}");
        assert!(
            err.lines().any(|l| l == "instructions: 2000000"),
            "{mode}: {err}"
        );
    }
}

/// A signal handler that faults before its first instruction (SA_NODEFER, on the stack or
/// on an alternate stack) ends with SIGSEGV once frames no longer fit, as under Linux.
#[test]
fn faulting_handler_ends_with_sigsegv() {
    for mode in ["handler-fault", "altstack-fault"] {
        let prog = guest("c-musl/busy");
        let o = rvrun_limited(&["run", prog.to_str().unwrap(), mode]);
        assert_eq!(o.status, 128 + 11, "{mode}: {}", text(&o.stderr));
    }
}
