//! The synthetic files of the guest's machine, all in one place: what `/etc`, `/proc` and
//! `/sys` hold, derived only from the run's inputs (`--cpus`, `--epoch`, the program) and
//! the guest's virtual state, never from the host. A `--mount` at any of these paths
//! replaces the file.
//!
//! Fixed files (contents set at start-up):
//!
//! | path | contents |
//! |---|---|
//! | `/etc/passwd` | `root` (uid 0), `nobody` (65534) and `user` (uid 1000, the guest's), home `/tmp` |
//! | `/etc/group` | `root` (gid 0), `nogroup` (65534) and `user` (gid 1000) |
//! | `/etc/hosts` | `localhost` as 127.0.0.1 and ::1 |
//! | `/etc/localtime` | the UTC zone (TZif) |
//! | `/proc/version` | the `uname` release and version |
//! | `/proc/cpuinfo` | one riscv64 hart per CPU, as Linux's `c_show` prints it |
//! | `/sys/devices/system/cpu/{online,possible,present}` | `0-N-1` for `--cpus N` |
//! | `/sys/devices/system/cpu/cpuK/` | one empty directory per CPU |
//! | `/proc/self/cgroup`, `/proc/self/mountinfo` | the guest in the root of a cgroup v2 hierarchy mounted at `/sys/fs/cgroup` |
//! | `/sys/fs/cgroup/cpu.max` | `max 100000`: no CPU quota |
//! | `/sys/fs/cgroup/cgroup.controllers` | `cpu` |
//!
//! Files generated from the live state each time they are opened (see [`ProcKind`]; the
//! kernel renders them): `/proc/self/{maps,status,stat,statm,cmdline,environ,comm}`,
//! `/proc/self/task/TID/{comm,stat,status}`, `/proc/{meminfo,stat,uptime}`.

/// A file whose contents the kernel generates from the process state when it is opened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProcKind {
    /// `/proc/self/maps`.
    Maps,
    /// `/proc/self/status` (tid: `None` for the process, else one thread's).
    Status(Option<u64>),
    /// `/proc/self/stat` or a thread's `stat`.
    Stat(Option<u64>),
    /// `/proc/self/statm`.
    Statm,
    /// `/proc/self/cmdline`.
    Cmdline,
    /// `/proc/self/environ`.
    Environ,
    /// `/proc/self/comm` (the main thread's name) or a thread's `comm`.
    Comm(Option<u64>),
    /// `/proc/meminfo`.
    Meminfo,
    /// `/proc/stat`.
    SysStat,
    /// `/proc/uptime`.
    Uptime,
}

impl ProcKind {
    /// Permission bits (`comm` is writable by its owner, as under Linux).
    pub fn perm(self) -> u32 {
        match self {
            ProcKind::Comm(_) => 0o644,
            ProcKind::Environ => 0o400,
            _ => 0o444,
        }
    }
}

/// The guest's user name (uid and gid 1000).
pub const USER_NAME: &str = "user";
/// The guest user's home directory, as `/etc/passwd` gives it.
pub const USER_HOME: &str = "/tmp";

/// `/etc/passwd`.
pub fn etc_passwd() -> String {
    format!(
        "root:x:0:0:root:/root:/bin/sh\n\
         nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n\
         {USER_NAME}:x:1000:1000:{USER_NAME}:{USER_HOME}:/bin/sh\n"
    )
}

/// `/etc/group`.
pub fn etc_group() -> String {
    format!("root:x:0:\nnogroup:x:65534:\n{USER_NAME}:x:1000:\n")
}

/// `/etc/hosts`.
pub fn etc_hosts() -> &'static str {
    "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"
}

/// `/etc/localtime`: the UTC zone as a version 2 TZif file (one type, UTC, offset 0, no
/// transitions, no leap seconds; footer `UTC0`).
pub fn utc_tzif() -> Vec<u8> {
    let header = |v: &mut Vec<u8>| {
        v.extend_from_slice(b"TZif2");
        v.extend_from_slice(&[0; 15]);
        // isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt
        for n in [0u32, 0, 0, 0, 1, 4] {
            v.extend_from_slice(&n.to_be_bytes());
        }
        // one ttinfo: utoff 0, isdst 0, desigidx 0; then the designation
        v.extend_from_slice(&[0, 0, 0, 0, 0, 0]);
        v.extend_from_slice(b"UTC\0");
    };
    let mut v = Vec::with_capacity(114);
    header(&mut v);
    header(&mut v);
    v.extend_from_slice(b"\nUTC0\n");
    v
}

/// `/proc/version`, matching `uname` (release, version).
pub fn proc_version(release: &str, version: &str) -> String {
    format!("Linux version {release} (rvrun@rvrun) (rvrun) {version}\n")
}

/// The ISA string `/proc/cpuinfo` shows: the base letters, then the extensions rvrun
/// implements in the order Linux's `riscv_isa_ext` table lists them.
pub const CPUINFO_ISA: &str = "rv64imafdc_zicntr_zicond_zicsr_zifencei_zihintpause_zba_zbb_zbs";

/// `/proc/cpuinfo` for `cpus` harts (arch/riscv/kernel/cpu.c `c_show`).
pub fn proc_cpuinfo(cpus: u32) -> String {
    let mut s = String::new();
    for cpu in 0..cpus {
        s.push_str(&format!(
            "processor\t: {cpu}\nhart\t\t: {cpu}\nisa\t\t: {CPUINFO_ISA}\nmmu\t\t: sv39\n\
             mvendorid\t: 0x0\nmarchid\t\t: 0x0\nmimpid\t\t: 0x0\nhart isa\t: {CPUINFO_ISA}\n\n"
        ));
    }
    s
}

/// A CPU list as sysfs prints one (`cpumap_print_list_to_buf`): `0` or `0-N-1`.
pub fn cpu_list(cpus: u32) -> String {
    if cpus <= 1 {
        "0\n".to_string()
    } else {
        format!("0-{}\n", cpus - 1)
    }
}

/// `/proc/self/cgroup`: the root of the unified hierarchy.
pub fn proc_self_cgroup() -> &'static str {
    "0::/\n"
}

/// `/proc/self/mountinfo`: the guest's mounts (the root file system, /proc, /sys and the
/// cgroup2 hierarchy under it, /dev, /tmp).
pub fn proc_self_mountinfo() -> &'static str {
    "1 0 0:1 / / rw,relatime - rvrun rvrun rw\n\
     2 1 0:2 / /proc rw,nosuid,nodev,noexec,relatime - proc proc rw\n\
     3 1 0:3 / /sys ro,nosuid,nodev,noexec,relatime - sysfs sysfs ro\n\
     4 3 0:4 / /sys/fs/cgroup ro,nosuid,nodev,noexec,relatime - cgroup2 cgroup2 ro,nsdelegate\n"
}

/// `/sys/fs/cgroup/cpu.max`: no quota (`max`), the default period.
pub fn cgroup_cpu_max() -> &'static str {
    "max 100000\n"
}

/// One `/proc/meminfo` line: the label padded to 16 columns, the value in kB in 8
/// (`show_val_kb`).
fn meminfo_line(s: &mut String, label: &str, bytes: u64) {
    s.push_str(&format!(
        "{:<16}{:>8} kB\n",
        format!("{label}:"),
        bytes >> 10
    ));
}

/// `/proc/meminfo` for a machine of `total` bytes with `free` bytes free (no swap, no
/// page cache: the guest's files live in its memory and count as used).
pub fn proc_meminfo(total: u64, free: u64) -> String {
    let mut s = String::new();
    for (label, v) in [
        ("MemTotal", total),
        ("MemFree", free),
        ("MemAvailable", free),
        ("Buffers", 0),
        ("Cached", 0),
        ("SwapCached", 0),
        ("Active", total - free),
        ("Inactive", 0),
        ("SwapTotal", 0),
        ("SwapFree", 0),
        ("Dirty", 0),
        ("Writeback", 0),
        ("AnonPages", total - free),
        ("Mapped", 0),
        ("Shmem", 0),
        ("CommitLimit", total),
        ("Committed_AS", total - free),
        ("HugePages_Total", 0),
    ] {
        if label == "HugePages_Total" {
            // The huge page counts are plain numbers.
            s.push_str(
                "HugePages_Total:       0\nHugePages_Free:        0\nHugepagesize:       2048 kB\n",
            );
        } else {
            meminfo_line(&mut s, label, v);
        }
    }
    s
}

/// `/proc/uptime`: seconds since boot and idle seconds summed over the CPUs, both with two
/// decimals (`uptime_proc_show`).
pub fn proc_uptime(uptime_ns: u128, idle_ns: u128) -> String {
    let split = |ns: u128| (ns / 1_000_000_000, (ns % 1_000_000_000) / 10_000_000);
    let (us, uc) = split(uptime_ns);
    let (is, ic) = split(idle_ns);
    format!("{us}.{uc:02} {is}.{ic:02}\n")
}

/// Clock ticks per second of `/proc/stat` and `/proc/self/stat` times (`USER_HZ`).
pub const USER_HZ: u128 = 100;

/// `/proc/stat` (`show_stat`): per CPU the user and idle time in ticks (the guest's work
/// runs on CPU 0), then the counters.
pub fn proc_stat(
    cpus: u32,
    busy_ns: u128,
    uptime_ns: u128,
    btime: u64,
    ctxt: u64,
    threads: u64,
) -> String {
    let ticks = |ns: u128| ns * USER_HZ / 1_000_000_000;
    let busy = ticks(busy_ns);
    let up = ticks(uptime_ns);
    let idle0 = up.saturating_sub(busy);
    let idle_all = up * cpus as u128 - busy.min(up);
    let line =
        |name: &str, user: u128, idle: u128| format!("{name} {user} 0 0 {idle} 0 0 0 0 0 0\n");
    let mut s = line("cpu ", busy.min(up), idle_all);
    for c in 0..cpus {
        s.push_str(&if c == 0 {
            line("cpu0", busy.min(up), idle0)
        } else {
            line(&format!("cpu{c}"), 0, up)
        });
    }
    s.push_str(&format!(
        "intr 0\nctxt {ctxt}\nbtime {btime}\nprocesses {threads}\nprocs_running 1\nprocs_blocked 0\nsoftirq 0 0 0 0 0 0 0 0 0 0 0\n"
    ));
    s
}

/// One `/proc/self/maps` line (`show_map_vma`): the range, permissions, offset, device,
/// inode, and the name padded to column 73 when there is one.
#[allow(clippy::too_many_arguments)]
pub fn maps_line(
    s: &mut String,
    start: u64,
    end: u64,
    perms: [bool; 4],
    offset: u64,
    dev: (u32, u32),
    ino: u64,
    name: Option<&str>,
) {
    let [r, w, x, shared] = perms;
    let line_start = s.len();
    s.push_str(&format!(
        "{start:08x}-{end:08x} {}{}{}{} {offset:08x} {:02x}:{:02x} {ino} ",
        if r { 'r' } else { '-' },
        if w { 'w' } else { '-' },
        if x { 'x' } else { '-' },
        if shared { 's' } else { 'p' },
        dev.0,
        dev.1,
    ));
    if let Some(name) = name {
        // seq_setwidth(25 + 6 * sizeof(void *) - 1), seq_pad(' ').
        let width = s.len() - line_start;
        if width < 72 {
            s.push_str(&" ".repeat(72 - width));
        }
        s.push(' ');
        s.push_str(name);
    }
    s.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tzif_is_the_utc_zone_file() {
        let z = utc_tzif();
        assert_eq!(z.len(), 114);
        assert_eq!(&z[..5], b"TZif2");
        assert_eq!(&z[z.len() - 6..], b"\nUTC0\n");
        assert_eq!(&z[44..50], &[0u8; 6]);
    }

    #[test]
    fn maps_lines_pad_names_to_column_73() {
        let mut s = String::new();
        maps_line(
            &mut s,
            0x1000,
            0x2000,
            [true, true, false, false],
            0,
            (0, 0),
            0,
            Some("[heap]"),
        );
        assert_eq!(s.find('[').unwrap(), 73);
        let mut t = String::new();
        maps_line(
            &mut t,
            0x1000,
            0x2000,
            [true, false, false, false],
            0,
            (0, 0),
            0,
            None,
        );
        assert_eq!(t, "00001000-00002000 r--p 00000000 00:00 0 \n");
    }

    #[test]
    fn cpu_lists_and_meminfo_format() {
        assert_eq!(cpu_list(1), "0\n");
        assert_eq!(cpu_list(4), "0-3\n");
        let m = proc_meminfo(16 << 30, 15 << 30);
        assert!(m.starts_with("MemTotal:       16777216 kB\nMemFree:        15728640 kB\n"));
        assert_eq!(proc_uptime(1_234_567_890, 0), "1.23 0.00\n");
    }
}
