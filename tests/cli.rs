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
    let table = rvrun::syscalls::markdown_table();
    assert_eq!(
        &readme[start..stop],
        table,
        "README's syscall table is out of date: run `make readme` (rvrun syscalls --markdown)"
    );
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
