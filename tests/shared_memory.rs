//! Shared mappings, memfd, mincore and the mlock family where qemu-riscv64 differs from
//! Linux: QEMU refuses mremap's old_len 0 (Linux duplicates a shared mapping), has no
//! mlock2 nor process_vm_readv/writev, and answers most madvise advice 0 without passing it
//! on. The shmap guest prints
//! these checks when given "linux"; each line here is what Linux answers (the rest of its
//! output is checked against QEMU by the guest_programs test).

mod common;

use std::process::Command;

#[test]
fn shared_mapping_calls_where_qemu_differs_from_linux_follow_linux() {
    for flavour in ["c-musl", "c-glibc"] {
        let g = common::guests_dir().join(format!("{flavour}/shmap"));
        let out = Command::new(env!("CARGO_BIN_EXE_rvrun"))
            .args(["run", g.to_str().unwrap(), "/tmp", "linux"])
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{flavour}: {stdout}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let lines: Vec<&str> = stdout.lines().collect();
        let mut at = 0;
        for want in [
            // old_len 0: a second mapping of the same shared pages.
            "mremap old_len 0 of shared file mapping: ok",
            "duplicate shares: \"DELPO!\"",
            "mremap old_len 0 duplicates: ok",
            "original sees duplicate's store: \"From thread\"",
            // DONTNEED keeps a shared mapping's data; REMOVE punches it out of the object.
            "after DONTNEED (shared: kept): \"From thread\"",
            "madvise REMOVE shared: 0",
            "after REMOVE (zeroed): \"....\"",
            "after REMOVE and store: \"r.\"",
            // A shared anonymous object keeps its size when its mapping grows.
            "read first page: 0x72",
            "read grown page: signal SIGBUS code 2 at the byte",
            "mremap old_len 0 of private: -1 EINVAL",
            "madvise REMOVE private: -1 EINVAL",
            "madvise POPULATE_WRITE pages 1-2: 0",
            "mincore after POPULATE_WRITE: 0 1 1 0",
            "mlock2 bad flags: -1 EINVAL",
            "mlock2 ONFAULT 2 pages: 0",
            "mincore after mlock2 ONFAULT: 0 0",
            "mincore after touching one: 0 1",
            "madvise DONTNEED of locked: -1 EINVAL",
            "madvise DONTNEED_LOCKED of locked: 0",
            "mincore after DONTNEED_LOCKED: 0 0",
            "mlock2 bad flags at limit 0: -1 EINVAL",
            "madvise 5: -1 EINVAL",
            "madvise 26: -1 EINVAL",
            "madvise 104: -1 EINVAL",
            "madvise -1: -1 EINVAL",
            "madvise 14: 0",
            "madvise 21: 0",
            "madvise 8: 0",
            "madvise HWPOISON unprivileged: -1 EPERM",
            // process_vm_readv/writev on the program itself.
            "process_vm_readv: 11",
            "local: \"remo----te data-\"",
            "process_vm_writev: 4",
            "remote: \"Remote data\"",
            "process_vm_readv into a fault: 11",
            "process_vm_readv from a fault: -1 EFAULT",
            "process_vm_readv flags 1: -1 EINVAL",
            "process_vm_readv other pid: -1 ESRCH",
            "process_vm_readv 1025 iovecs: -1 EINVAL",
            "process_vm_readv negative length: -1 EINVAL",
            "process_vm_writev nothing: 0",
            // /proc/self/maps shows shared mappings as such; VmLck counts locked pages.
            "mlock shared anonymous page: 0",
            "maps: r--s 00001000 /memfd:procfs (deleted)",
            "maps: rw-s 00000000 /dev/zero (deleted)",
            "VmLck:\t       4 kB",
        ] {
            match lines[at..].iter().position(|l| *l == want) {
                Some(i) => at += i + 1,
                None => panic!("{flavour}: missing (in order) {want:?} in\n{stdout}"),
            }
        }
    }
}
