//! The machine the guest sees: `--cpus N` (affinity, sysconf, the CPU files), the synthetic
//! files of `/etc`, `/proc` and `/sys` (and `--mount` replacing them), prctl where QEMU
//! differs from Linux (initial name, PR_SET_VMA anon names in `/proc/self/maps`), and the
//! file metadata calls whose results depend on privileges.

mod common;

use std::process::Command;

fn rvrun() -> &'static str {
    env!("CARGO_BIN_EXE_rvrun")
}

/// Runs rvrun with `args` and returns its stdout; the run must end with status 0.
fn run_ok(args: &[&str]) -> String {
    let mut cmd = Command::new(rvrun());
    cmd.arg("run").args(args);
    let f = common::run_limited(cmd, 120).unwrap_or_else(|e| panic!("rvrun {args:?}: {e}"));
    let (out, err) = (
        String::from_utf8_lossy(&f.stdout).into_owned(),
        String::from_utf8_lossy(&f.stderr),
    );
    assert_eq!(f.status, 0, "rvrun {args:?}:\n{out}{err}");
    out
}

/// Asserts that every line of `want` is a line of `out`.
fn has_lines(out: &str, want: &[&str], what: &str) {
    for line in want {
        assert!(
            out.lines().any(|l| l == *line),
            "{what}: missing {line:?} in\n{out}"
        );
    }
}

#[test]
fn prctl_follows_linux_where_qemu_differs() {
    for flavour in ["c-musl", "c-glibc"] {
        let out = run_ok(&[&common::guest(&format!("{flavour}/prctl")), "linux"]);
        let pad = |n: usize| "\\x00".repeat(n);
        has_lines(
            &out,
            &[
                // Named after the program file.
                &format!("initial name: 0 \"prctl{}\\xee\\xee\\xee\\xee\"", pad(11)),
                "initial /proc/self/comm: 6 \"prctl\\n\"",
                // strncpy_from_user reads only up to the NUL, or 15 bytes.
                "set name ending at the last mapped byte: 0",
                "set name running into an unmapped page: -1 EFAULT",
                "set name of 15 bytes ending at the page end: 0",
                &format!(
                    "get name: 0 \"zzzzzzzzzzzzzzz{}\\xee\\xee\\xee\\xee\"",
                    pad(1)
                ),
                "get thp_disable: 0",
                "get thp_disable arg2=1: -1 EINVAL",
                "set thp_disable arg4=1: -1 EINVAL",
                "set thp_disable 5: 0",
                "get thp_disable: 1",
                "set pdeathsig 64: 0",
                "pdeathsig: 64",
                "name pages 1-2: 0",
                "name with '$': -1 EINVAL",
                "name with '\\n': -1 EINVAL",
                "name of 79 bytes: 0",
                "name of 80 bytes: -1 EINVAL",
                "name bad pointer: -1 EFAULT",
                "name unaligned start: -1 EINVAL",
                "name length 0: 0",
                "name wrapping range: -1 EINVAL",
                "name bad option: -1 EINVAL",
                "name NULL clears page 2: 0",
                "name a file mapping: -1 EBADF",
                // /proc/self/maps shows the names; page 2 was cleared again.
                "maps: +1 pages, 1 pages: [anon:my buffer]",
                &format!("maps: +3 pages, 1 pages: [anon:{}]", "n".repeat(79)),
                "named mappings: 2",
            ],
            flavour,
        );
        assert!(
            out.lines()
                .any(|l| l.starts_with("name unmapped range: -1 ") && !l.ends_with(": 0")),
            "{flavour}: an unmapped range is ENOMEM\n{out}"
        );
    }
}

#[test]
fn metadata_calls_follow_an_unprivileged_linux_user() {
    for flavour in ["c-musl", "c-glibc"] {
        let out = run_ok(&[
            &common::guest(&format!("{flavour}/fsmeta")),
            "/tmp",
            "linux",
        ]);
        has_lines(
            &out,
            &[
                "fchmodat2 via link 0604: 0",
                "p: mode 100604",
                "fchmodat2 NOFOLLOW on link: -1 EOPNOTSUPP",
                "fchmodat2 NOFOLLOW on file: 0",
                "p: mode 100640",
                "fchmodat2 AT_EMPTY_PATH fd: 0",
                "p: mode 100644",
                "fchmodat2 bad flags: -1 EINVAL",
                "fchmodat2 missing: -1 ENOENT",
                "fchown to another user: -1 EPERM",
                "fchown to another group: -1 EPERM",
                "fchown to root: -1 EPERM",
                "mknodat char device: -1 EPERM",
                "mknodat block device: -1 EPERM",
                "mknodat char device on an existing name: -1 EEXIST",
            ],
            flavour,
        );
    }
}

/// The lines the C `machine` guest prints about N CPUs that do not depend on the C library.
fn cpu_lines(n: u32) -> Vec<String> {
    let size = n.div_ceil(64) * 8;
    let list = if n == 1 {
        "0".to_string()
    } else {
        format!("0-{}", n - 1)
    };
    vec![
        format!("sysconf(_SC_NPROCESSORS_ONLN): {n}"),
        format!("sysconf(_SC_NPROCESSORS_CONF): {n}"),
        format!("getaffinity 128: {size}, {n} cpus"),
        format!("getaffinity 256: {size}, {n} cpus"),
        "getaffinity 12: -1 EINVAL".into(),
        "getaffinity 0: -1 EINVAL".into(),
        "getaffinity pid 12345: -1 ESRCH".into(),
        "getaffinity NULL: -1 EFAULT".into(),
        format!("getaffinity own pid: {size}"),
        "setaffinity {0}: 0".into(),
        format!("after setaffinity {{0}}: {size}, 1 cpus, mask[0]=0x1"),
        "setaffinity {}: -1 EINVAL".into(),
        "setaffinity {1023}: -1 EINVAL".into(),
        "setaffinity NULL: -1 EFAULT".into(),
        "setaffinity pid 12345: -1 ESRCH".into(),
        "setaffinity all (short length 8): 0".into(),
        format!("after setaffinity all: {size}, {} cpus", n.min(64)),
        "getcpu: 0".into(),
        "cpu 0 node 0".into(),
        format!("cpuinfo processors: {n}"),
        "/proc/cpuinfo: processor\t: 0".into(),
        "/proc/cpuinfo: hart\t\t: 0".into(),
        "/proc/cpuinfo: mmu\t\t: sv39".into(),
        format!("/sys/devices/system/cpu/online: {list}"),
        format!("/sys/devices/system/cpu/possible: {list}"),
        format!("/sys/devices/system/cpu/present: {list}"),
        format!("/proc/stat cpu lines: {}", n + 1),
    ]
}

#[test]
fn cpus_reach_affinity_sysconf_and_the_cpu_files() {
    for n in [1u32, 4, 100] {
        for flavour in ["c-musl", "c-glibc"] {
            let cpus = n.to_string();
            let out = run_ok(&[
                "--cpus",
                &cpus,
                &common::guest(&format!("{flavour}/machine")),
            ]);
            let want = cpu_lines(n);
            let want: Vec<&str> = want.iter().map(String::as_str).collect();
            has_lines(&out, &want, &format!("{flavour} --cpus {n}"));
            let size = n.div_ceil(64) * 8;
            // A short mask length: EINVAL once it cannot hold every CPU.
            let short = if n > 64 {
                "getaffinity 8: -1 EINVAL".to_string()
            } else {
                "getaffinity 8: 8".to_string()
            };
            has_lines(
                &out,
                &[&short, &format!("getaffinity 16: {}", size.min(16))],
                flavour,
            );
            // musl counts the affinity mask, glibc reads /sys/devices/system/cpu/online.
            let onln = if flavour == "c-musl" { 1 } else { n };
            has_lines(
                &out,
                &[&format!(
                    "sysconf(_SC_NPROCESSORS_ONLN) with affinity {{0}}: {onln}"
                )],
                flavour,
            );
        }
    }
    let out = run_ok(&["--cpus", "3", &common::guest("go/machine")]);
    has_lines(&out, &["NumCPU: 3", "GOMAXPROCS: 3"], "go --cpus 3");
    // Rust reads the cgroup v2 quota (none) and then the affinity mask.
    let mut cmd = Command::new(rvrun());
    cmd.args([
        "run",
        "--cpus",
        "4",
        "--strace",
        &common::guest("rust-pie/machine"),
    ]);
    let f = common::run_limited(cmd, 120).unwrap();
    let (out, err) = (
        String::from_utf8_lossy(&f.stdout),
        String::from_utf8_lossy(&f.stderr),
    );
    has_lines(&out, &["available_parallelism: 4"], "rust --cpus 4");
    assert!(err.contains("\"/sys/fs/cgroup/cpu.max\""), "{err}");
}

#[test]
fn cpus_outside_1_to_1024_are_refused() {
    for bad in ["0", "1025"] {
        let out = Command::new(rvrun())
            .args(["run", "--cpus", bad, &common::guest("c-musl/hello")])
            .output()
            .unwrap();
        assert_ne!(out.status.code(), Some(0), "--cpus {bad} accepted");
    }
}

#[test]
fn synthetic_files_describe_a_fixed_machine() {
    for flavour in ["c-musl", "c-glibc"] {
        let out = run_ok(&[&common::guest(&format!("{flavour}/machine"))]);
        has_lines(
            &out,
            &[
                "/proc/version: Linux version 6.8.0-rvrun (rvrun@rvrun) (rvrun) #1 SMP rvrun",
                "/etc/hosts: 127.0.0.1\tlocalhost",
                "/etc/hosts: ::1\tlocalhost ip6-localhost ip6-loopback",
                "/proc/self/cgroup: 0::/",
                "/sys/fs/cgroup/cpu.max: max 100000",
                "/proc/self/comm: machine",
                "meminfo MemTotal lines: 1",
                "status Name lines: 1",
            ],
            flavour,
        );
    }
    let out = run_ok(&[&common::guest("c-musl/machine"), "cat", "/etc/group"]);
    assert_eq!(out, "root:x:0:\nnogroup:x:65534:\nuser:x:1000:\n");
    let out = run_ok(&[&common::guest("c-musl/machine"), "cat", "/etc/passwd"]);
    has_lines(
        &out,
        &["nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin"],
        "passwd",
    );
    // (Both C libraries first ask nscd over a unix socket, which is not there.)
    for flavour in ["c-musl", "c-glibc"] {
        let out = run_ok(&[&common::guest(&format!("{flavour}/machine")), "users"]);
        has_lines(
            &out,
            &[
                "passwd: user uid 1000 gid 1000 home /tmp shell /bin/sh",
                "root: /root",
                "group: user",
                "localtime: UTC offset 0",
            ],
            flavour,
        );
    }
    let out = run_ok(&[&common::guest("go/machine")]);
    has_lines(
        &out,
        &[
            "user: user uid 1000 gid 1000 home /tmp",
            "group 1000: user",
            "root home: /root",
            "local zone: Local UTC 0",
        ],
        "go",
    );
    let out = run_ok(&[&common::guest("rust-pie/machine")]);
    has_lines(
        &out,
        &[
            "available_parallelism: 1",
            // libtest names its threads this way (prctl PR_SET_NAME from the new thread).
            "thread Some(\"alpha\"): comm \"alpha\"",
            "thread Some(\"a_test_name_longer_than_fifteen\"): comm \"a_test_name_lon\"",
            "main comm: \"machine\"",
        ],
        "rust",
    );
}

#[test]
fn the_guest_is_an_unprivileged_process_leading_its_group_and_session() {
    for flavour in ["c-musl", "c-glibc"] {
        let out = run_ok(&[&common::guest(&format!("{flavour}/machine")), "ids"]);
        has_lines(
            &out,
            &[
                "getgroups 0: 1",
                "getgroups 8: 1",
                "group[0] = 1000",
                "getgroups -1: -1 EINVAL",
                "setgroups: -1 EPERM",
                "getpgid 0: 1000",
                "getpgid self: 1000",
                "getpgid 12345: -1 ESRCH",
                "getsid 0: 1000",
                "capget v3: 0",
                "caps 0 0 0 0 0 0",
                "capget bad version: -1 EINVAL",
                "version now 0x20080522",
                "capget bad version NULL data: 0",
                "capget pid 12345: -1 ESRCH",
            ],
            flavour,
        );
    }
}

#[test]
fn a_mount_replaces_a_synthetic_file() {
    let dir = tempfile::tempdir().unwrap();
    let passwd = dir.path().join("passwd");
    std::fs::write(&passwd, "someone:x:1000:1000::/home/someone:/bin/sh\n").unwrap();
    let mount = format!("{}:/etc/passwd:ro", passwd.display());
    let mut cmd = Command::new(rvrun());
    cmd.args([
        "run",
        "--mount",
        &mount,
        &common::guest("c-musl/machine"),
        "users",
    ]);
    let f = common::run_limited(cmd, 120).unwrap();
    let out = String::from_utf8_lossy(&f.stdout);
    // (musl then asks nscd for the missing root entry over a socket.)
    has_lines(
        &out,
        &["passwd: someone uid 1000 gid 1000 home /home/someone shell /bin/sh"],
        "mounted passwd",
    );
}

#[test]
fn proc_self_files_follow_the_process() {
    let out = run_ok(&[
        "--cpus",
        "2",
        &common::guest("c-musl/machine"),
        "cat",
        "/proc/self/status",
    ]);
    for prefix in [
        "Name:\tmachine\n",
        "Pid:\t1000\n",
        "PPid:\t999\n",
        "Uid:\t1000\t1000\t1000\t1000\n",
        "Threads:\t1\n",
        "Cpus_allowed:\t3\n",
        "Cpus_allowed_list:\t0-1\n",
    ] {
        assert!(out.contains(prefix), "missing {prefix:?} in\n{out}");
    }
    let out = run_ok(&[&common::guest("c-musl/machine"), "cat", "/proc/self/stat"]);
    let fields: Vec<&str> = out.trim_end().split(' ').collect();
    assert_eq!(fields.len(), 52, "{out}");
    assert_eq!(&fields[..4], ["1000", "(machine)", "R", "999"]);
    let out = run_ok(&[
        &common::guest("c-musl/machine"),
        "cat",
        "/proc/self/cmdline",
    ]);
    assert!(
        out.ends_with("machine\0cat\0/proc/self/cmdline\0"),
        "{out:?}"
    );
    let out = run_ok(&[&common::guest("c-musl/machine"), "cat", "/proc/self/maps"]);
    assert!(out.lines().any(|l| l.ends_with("[stack]")), "{out}");
    assert!(
        out.lines()
            .any(|l| l.ends_with("[heap]") || l.contains("c-musl/machine")),
        "{out}"
    );
}
