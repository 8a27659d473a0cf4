//! Containment: hostile pointers and lengths reach nothing, sparse files and lazy mappings
//! cost host memory only for what the guest touches, and the memory cap (`--max-memory`)
//! meets the guest as ENOMEM and ENOSPC.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

fn rvrun() -> &'static str {
    env!("CARGO_BIN_EXE_rvrun")
}

fn guest(path: &str) -> PathBuf {
    common::guests_dir().join(path)
}

use common::Measured;

/// Runs rvrun with `args`, measuring its wall time and peak resident memory.
fn measure(args: &[&str], limit: Duration) -> Measured {
    let mut cmd = Command::new(rvrun());
    cmd.args(args);
    common::run_measured(cmd, limit.as_secs())
}

fn run_ok(args: &[&str]) -> Measured {
    let m = measure(args, Duration::from_secs(120));
    assert_eq!(m.status, 0, "rvrun {args:?}: {}{}", m.stdout, m.stderr);
    m
}

#[test]
fn hostile_calls_where_qemu_differs_from_linux_follow_linux() {
    for flavour in ["c-musl", "c-glibc"] {
        let g = guest(&format!("{flavour}/hostile"));
        let m = run_ok(&["run", g.to_str().unwrap(), "linux"]);
        for line in [
            // Linux checks every iovec with access_ok before any copy.
            "readv second iovec wraps           -1 errno 14",
            "readv zero-length iovec wild       -1 errno 14",
            // No mapping at the old address: EFAULT (vma_lookup fails).
            "mremap old wrapping                -1 errno 14",
            "page ok x",
        ] {
            assert!(
                m.stdout.lines().any(|l| l == line),
                "{flavour}: missing {line:?} in\n{}",
                m.stdout
            );
        }
    }
}

/// Size on disk of a host file, from st_blocks.
fn disk_bytes(p: &Path) -> u64 {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(p).unwrap().blocks() * 512
}

#[test]
fn sparse_files_and_mappings_cost_only_their_data() {
    let out = tempfile::tempdir().unwrap();
    let receipt = out.path().join("receipt.json");
    let g = guest("c-musl/sparse");
    let m = run_ok(&[
        "run",
        "--out-dir",
        out.path().to_str().unwrap(),
        "--receipt",
        receipt.to_str().unwrap(),
        g.to_str().unwrap(),
        "out",
        "/tmp",
    ]);
    // A 200 GiB file mapped whole, and a 1 TiB file exported and hashed: the guest touched a
    // few pages, and so does the host. (The page permission table costs one byte per
    // mapped page, 50 MiB for 200 GiB, the bulk of the RSS.)
    eprintln!(
        "sparse: {:.2} s, max RSS {} MiB",
        m.secs,
        m.max_rss_kib / 1024
    );
    assert!(m.secs < 20.0, "took {} s", m.secs);
    assert!(m.max_rss_kib < 200 * 1024, "max RSS {} KiB", m.max_rss_kib);
    let huge = out.path().join("tmp/huge");
    assert_eq!(std::fs::metadata(&huge).unwrap().len(), 1 << 40);
    assert!(
        disk_bytes(&huge) < 1 << 20,
        "{} bytes on disk",
        disk_bytes(&huge)
    );
    let r: serde_json::Value = serde_json::from_slice(&std::fs::read(&receipt).unwrap()).unwrap();
    let outputs = r["outcome"]["outputs"].as_array().unwrap();
    let huge_digest = outputs
        .iter()
        .find(|o| o["path"] == "/tmp/huge")
        .expect("/tmp/huge in outputs");
    assert_eq!(huge_digest["size"], 1u64 << 40);
    assert_eq!(huge_digest["sparse"], true);
    // The same run again hashes the same.
    let again = out.path().join("again.json");
    let out2 = tempfile::tempdir().unwrap();
    run_ok(&[
        "run",
        "--out-dir",
        out2.path().to_str().unwrap(),
        "--receipt",
        again.to_str().unwrap(),
        g.to_str().unwrap(),
        "out",
        "/tmp",
    ]);
    let r2: serde_json::Value = serde_json::from_slice(&std::fs::read(&again).unwrap()).unwrap();
    assert_eq!(r["outcome"], r2["outcome"]);
}

#[test]
fn the_memory_cap_meets_the_guest_as_enomem_and_enospc() {
    for flavour in ["c-musl", "c-glibc"] {
        let g = guest(&format!("{flavour}/memcap"));
        let m = run_ok(&["run", "--max-memory", "256M", g.to_str().unwrap()]);
        let lines: Vec<&str> = m.stdout.lines().collect();
        let chunks = |s: &str| -> u64 {
            s.strip_prefix("mmap stopped after ")
                .and_then(|r| r.split(' ').next())
                .and_then(|n| n.parse().ok())
                .unwrap_or_else(|| panic!("{flavour}: unexpected first line {s:?}"))
        };
        let n = chunks(lines[0]);
        // 256 MiB less the stack (8 MiB) and the image: 15 chunks of 16 MiB fit, the 16th not.
        assert_eq!(n, 15, "{flavour}:\n{}", m.stdout);
        assert!(lines[0].ends_with("errno 12"), "{}", lines[0]);
        assert_eq!(lines[1], "after munmap: ok");
        assert_eq!(lines[2], "read-only 32 MiB: ok");
        assert_eq!(lines[3], "mprotect to writable: -1 errno 12");
        assert!(lines[4].starts_with("brk grew by "), "{}", lines[4]);
        let last = lines.len() - 1;
        assert!(
            lines[last - 1].starts_with("write stopped after ")
                && lines[last - 1].ends_with("errno 28"),
            "{flavour}: {}",
            lines[last - 1]
        );
        assert_eq!(lines[last], "after unlink, 16 MiB mapping: ok");
        // A larger cap lets more through; the same cap gives the same run.
        let big = run_ok(&["run", "--max-memory", "1G", g.to_str().unwrap()]);
        assert!(chunks(big.stdout.lines().next().unwrap()) > n + 40);
        let again = run_ok(&["run", "--max-memory", "256M", g.to_str().unwrap()]);
        assert_eq!(again.stdout, m.stdout);
    }
}

#[test]
fn mappings_stop_at_max_map_count() {
    // qemu-riscv64 itself aborts on this guest (its allocator fails), so the oracle is
    // Linux's rule: mmap fails with ENOMEM past vm.max_map_count (65530), and so do munmap and
    // mprotect when they would split a mapping; unmapping a whole mapping still works.
    let g = guest("c-musl/mapcount");
    let m = run_ok(&["run", g.to_str().unwrap()]);
    assert_eq!(
        m.stdout,
        "mmap failed after more than 65000 mappings: errno 12\n\
         munmap splitting: -1 errno 12\n\
         mprotect splitting: -1 errno 12\n\
         munmap whole: 0\n"
    );
    // Placing 65530 mappings one after another stays fast (no walk over all of them each
    // time), and the host keeps little memory for them.
    assert!(m.secs < 10.0, "took {} s", m.secs);
    assert!(m.max_rss_kib < 100 * 1024, "max RSS {} KiB", m.max_rss_kib);
}

#[test]
fn mapping_work_follows_what_is_mapped_not_the_range() {
    // 2000 mmap/munmap calls over 200 GiB and 64 GiB ranges: when each walked every page of
    // its range this took about 45 s; now each costs what is mapped there.
    for flavour in ["c-musl", "c-glibc"] {
        let g = guest(&format!("{flavour}/mapchurn"));
        let m = run_ok(&["run", g.to_str().unwrap()]);
        assert_eq!(m.stdout, "1000 rounds\n");
        assert!(m.secs < 10.0, "{flavour}: took {} s", m.secs);
    }
}

#[test]
fn max_memory_is_recorded_in_receipts_and_checked_as_a_size() {
    let dir = tempfile::tempdir().unwrap();
    let receipt = dir.path().join("r.json");
    let g = guest("c-musl/hello");
    run_ok(&[
        "run",
        "--max-memory",
        "64M",
        "--receipt",
        receipt.to_str().unwrap(),
        g.to_str().unwrap(),
    ]);
    let r: serde_json::Value = serde_json::from_slice(&std::fs::read(&receipt).unwrap()).unwrap();
    assert_eq!(r["inputs"]["max_memory"], 64u64 << 20);
    // verify re-runs with the recorded cap and agrees.
    let v = measure(
        &["verify", receipt.to_str().unwrap()],
        Duration::from_secs(60),
    );
    assert_eq!(v.status, 0, "{}{}", v.stdout, v.stderr);
    let bad = measure(
        &["run", "--max-memory", "lots", g.to_str().unwrap()],
        Duration::from_secs(60),
    );
    assert_eq!(bad.status, 125, "usage error: {}", bad.stderr);
    assert!(bad.stderr.contains("--max-memory"), "{}", bad.stderr);
}
