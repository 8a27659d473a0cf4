//! Command-line behaviour: usage errors, unloadable programs, and the README's syscall table.

use std::process::{Command, Output};

fn rvrun(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_rvrun"))
        .args(args)
        .output()
        .expect("run rvrun")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// One clear line on stderr, status 125, no backtrace.
fn assert_one_line_error(o: &Output, needle: &str) {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(125), "stderr: {err}");
    assert_eq!(err.lines().count(), 1, "expected one line, got: {err}");
    assert!(err.starts_with("rvrun: "), "{err}");
    assert!(err.contains(needle), "expected '{needle}' in: {err}");
    assert!(
        !err.contains("panicked") && !err.contains("backtrace"),
        "{err}"
    );
}

#[test]
fn missing_program() {
    let o = rvrun(&["run", "/nonexistent/prog"]);
    assert_one_line_error(&o, "cannot read /nonexistent/prog");
}

#[test]
fn non_elf_file() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("script.sh");
    std::fs::write(&f, "#!/bin/sh\necho hi\n").unwrap();
    let o = rvrun(&["run", f.to_str().unwrap()]);
    assert_one_line_error(&o, "not an ELF file");
}

#[test]
fn empty_file() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("empty");
    std::fs::write(&f, "").unwrap();
    let o = rvrun(&["run", f.to_str().unwrap()]);
    assert_one_line_error(&o, "not an ELF file");
}

#[test]
fn host_elf_is_not_riscv64() {
    // rvrun's own binary is an x86-64 (host) ELF.
    let o = rvrun(&["run", env!("CARGO_BIN_EXE_rvrun")]);
    assert_one_line_error(&o, "not a riscv64 program");
}

#[test]
fn truncated_elf_header() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("trunc");
    let mut hdr = std::fs::read(env!("CARGO_BIN_EXE_rvrun")).unwrap();
    hdr.truncate(40);
    hdr[18] = 243; // e_machine = EM_RISCV
    hdr[19] = 0;
    std::fs::write(&f, hdr).unwrap();
    let o = rvrun(&["run", f.to_str().unwrap()]);
    assert_one_line_error(&o, "malformed ELF file");
}

#[test]
fn usage_errors_are_one_clear_line() {
    let o = rvrun(&["run"]);
    assert_one_line_error(&o, "PROGRAM");
    let o = rvrun(&["run", "--seed", "notanumber", "x"]);
    assert_one_line_error(&o, "--seed");
    let o = rvrun(&["run", "--mount", "nocolon", "x"]);
    assert_one_line_error(&o, "HOST_PATH:GUEST_PATH");
    let o = rvrun(&["frobnicate"]);
    assert_one_line_error(&o, "frobnicate");
    let o = rvrun(&["run", "-E", "NOEQUALS", "x"]);
    assert_one_line_error(&o, "KEY=VALUE");
    // --help is not an error.
    let o = rvrun(&["run", "--help"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&o.stdout).contains("--max-insns"));
}

#[test]
fn readme_syscall_table_matches_the_code() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let begin = "<!-- syscall-table:begin -->\n";
    let end = "<!-- syscall-table:end -->";
    let start = readme.find(begin).expect("README has the table markers") + begin.len();
    let stop = readme.find(end).expect("README has the end marker");
    let table = rvrun::kernel::syscalls::markdown_table();
    assert_eq!(
        &readme[start..stop],
        table,
        "README's syscall table is out of date: run `make readme` (rvrun syscalls --markdown)"
    );
}

/// rvrun with stdout (or stderr) going to `/dev/full`, or to a pipe whose reader is gone.
fn rvrun_to(args: &[&str], stdout: std::process::Stdio, stderr_full: bool) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_rvrun"));
    cmd.args(args).stdout(stdout);
    if stderr_full {
        cmd.stderr(
            std::fs::File::options()
                .write(true)
                .open("/dev/full")
                .unwrap(),
        );
    }
    cmd.output().expect("run rvrun")
}

fn dev_full() -> std::process::Stdio {
    std::fs::File::options()
        .write(true)
        .open("/dev/full")
        .unwrap()
        .into()
}

/// The write end of a pipe whose read end is already closed: every write gets EPIPE.
fn closed_pipe() -> std::process::Stdio {
    use std::os::fd::{FromRawFd, OwnedFd};
    let mut fds = [0; 2];
    // SAFETY: fds has room for the two descriptors pipe writes.
    assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
    // SAFETY: both descriptors were just created and are owned by nothing else.
    let (r, w) = unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
    drop(r);
    w.into()
}

#[test]
fn failing_stdout_is_one_line_and_a_closed_pipe_is_quiet() {
    for args in [&["syscalls"][..], &["syscalls", "--markdown"], &["--help"]] {
        let o = rvrun_to(args, dev_full(), false);
        assert_one_line_error(&o, "cannot write to stdout: No space left on device");
        let o = rvrun_to(args, closed_pipe(), false);
        assert_eq!(o.status.code(), Some(0), "{args:?}: {}", stderr(&o));
        assert_eq!(stderr(&o), "", "{args:?}");
    }
    // Messages on a failing stderr: no panic, the status stays.
    let o = rvrun_to(&["run", "/nonexistent"], dev_full(), true);
    assert_eq!(o.status.code(), Some(125));
    let o = rvrun_to(&["frobnicate"], dev_full(), true);
    assert_eq!(o.status.code(), Some(125));
}

#[test]
fn the_program_must_be_a_regular_file_of_sane_size() {
    let dir = tempfile::tempdir().unwrap();
    let o = rvrun(&["run", "/dev/zero"]);
    assert_one_line_error(&o, "is a character device, not a regular file");
    let o = rvrun(&["run", dir.path().to_str().unwrap()]);
    assert_one_line_error(&o, "is a directory");
    let fifo = dir.path().join("fifo");
    let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    // SAFETY: c is a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    let o = rvrun(&["run", fifo.to_str().unwrap()]);
    assert_one_line_error(&o, "is a FIFO");
    let big = dir.path().join("big");
    std::fs::File::create(&big)
        .unwrap()
        .set_len(10 << 30)
        .unwrap();
    let o = rvrun(&["run", big.to_str().unwrap()]);
    assert_one_line_error(&o, "is 10737418240 bytes");
}

#[test]
fn epoch_must_fit_linux_time() {
    let o = rvrun(&["run", "--epoch", "8277292037", "x"]);
    assert_one_line_error(&o, "--epoch");
    let o = rvrun(&["run", "--epoch", "18446744073709551615", "x"]);
    assert_one_line_error(&o, "--epoch");
    let o = rvrun(&["compare", "--epoch", "9223372036854775807", "x"]);
    assert_one_line_error(&o, "--epoch");
    // The largest accepted value gets past option parsing (to the missing program).
    let o = rvrun(&["run", "--epoch", "8277292036", "/nonexistent/prog"]);
    assert_one_line_error(&o, "cannot read /nonexistent/prog");
}

#[test]
fn elf_errors_show_file_bytes_escaped() {
    let dir = tempfile::tempdir().unwrap();
    // A riscv64 ET_EXEC whose only program header is a PT_INTERP naming a terminal escape.
    let mut f = vec![0u8; 64 + 56];
    f[..4].copy_from_slice(b"\x7fELF");
    f[4] = 2;
    f[5] = 1;
    f[16] = 2;
    f[18] = 243;
    f[32] = 64;
    f[54] = 56;
    f[56] = 1;
    let name = b"/lib/\x1b]0;pwned\x07ld.so\0";
    f[64] = 3;
    let at = f.len() as u64;
    f[72..80].copy_from_slice(&at.to_le_bytes());
    f[96..104].copy_from_slice(&(name.len() as u64).to_le_bytes());
    f.extend_from_slice(name);
    let p = dir.path().join("interp");
    std::fs::write(&p, &f).unwrap();
    let o = rvrun(&["run", p.to_str().unwrap()]);
    assert_one_line_error(&o, r"/lib/\x1b]0;pwned\x07ld.so");
    assert!(!stderr(&o).contains('\x1b'));
}
