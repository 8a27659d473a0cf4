//! Contents of the generated `/proc` files ([`ProcKind`]), rendered from the process state
//! when the guest opens one, in the formats of Linux's fs/proc (array.c, task_mmu.c,
//! base.c, meminfo.c, stat.c, uptime.c). Which files exist and what the fixed ones hold is
//! in [`crate::vfs::synthetic`].

use crate::kernel::process::{GUEST_PID, GUEST_PPID, GUEST_UID, Process};
use crate::kernel::signal::{SIG_DFL, SIG_IGN};
use crate::mem::{PAGE_SIZE, RegionKind, perm};
use crate::vfs::synthetic::{self, ProcKind, USER_HZ};

/// The bytes of `kind` now.
pub fn render(p: &Process, kind: ProcKind) -> Vec<u8> {
    match kind {
        ProcKind::Maps => maps(p).into_bytes(),
        ProcKind::Status(tid) => status(p, tid.unwrap_or(GUEST_PID)).into_bytes(),
        ProcKind::Stat(tid) => stat(p, tid.unwrap_or(GUEST_PID)).into_bytes(),
        ProcKind::Statm => statm(p).into_bytes(),
        ProcKind::Cmdline => {
            let (start, end) = (p.image.arg_start, p.image.arg_end);
            p.mem
                .read_vec(start, (end - start) as usize)
                .unwrap_or_default()
        }
        ProcKind::Environ => {
            let (start, end) = (p.image.env_start, p.image.env_end);
            p.mem
                .read_vec(start, (end - start) as usize)
                .unwrap_or_default()
        }
        ProcKind::Comm(tid) => {
            let mut v = thread_name(p, tid.unwrap_or(GUEST_PID)).to_vec();
            v.push(b'\n');
            v
        }
        ProcKind::Meminfo => {
            let (total, free) = crate::kernel::syscalls::memory_totals(p);
            synthetic::proc_meminfo(total, free).into_bytes()
        }
        ProcKind::SysStat => {
            let up = p.monotonic_ns();
            synthetic::proc_stat(
                p.cpus,
                busy_ns(p),
                up,
                p.clock.epoch_secs(),
                p.sched.switches,
                thread_count(p),
            )
            .into_bytes()
        }
        ProcKind::Uptime => {
            let up = p.monotonic_ns();
            let idle = (up * p.cpus as u128).saturating_sub(busy_ns(p).min(up));
            synthetic::proc_uptime(up, idle).into_bytes()
        }
    }
}

/// Time the guest's instructions took on the virtual clock (sleeps are idle time).
fn busy_ns(p: &Process) -> u128 {
    p.insns as u128 * 1_000_000_000 / p.clock_hz().max(1) as u128
}

/// Threads alive now.
fn thread_count(p: &Process) -> u64 {
    1 + p.sched.parked().count() as u64
}

/// The thread `tid`'s name, the running thread's when it is `tid`.
fn thread_name(p: &Process, tid: u64) -> &[u8] {
    if p.thread.tid == tid {
        return p.thread.attrs.name();
    }
    match p.sched.get(tid) {
        Some(t) => t.ctx.attrs.name(),
        None => b"",
    }
}

/// `/proc/self/maps`: one line per mapping, names as Linux gives them.
fn maps(p: &Process) -> String {
    let mut s = String::new();
    for r in p.mem.regions() {
        let (offset, dev, ino, name) = match &r.kind {
            RegionKind::Image | RegionKind::File(_) => {
                let path = match &r.kind {
                    RegionKind::File(path) => path.as_str(),
                    _ => p.image.exe_path.as_str(),
                };
                let (dev, ino) = p
                    .vfs
                    .stat_path(path.as_bytes())
                    .map(|st| (st.dev, st.ino))
                    .unwrap_or(((0, 0), 0));
                let off = match (&r.backing, &r.shared) {
                    (_, Some(m)) if !m.anonymous => m.page_offset * PAGE_SIZE,
                    (Some(b), _) => b.page_offset * PAGE_SIZE,
                    _ => 0,
                };
                let name = match (&r.shared, &r.anon_name) {
                    (Some(m), Some(n)) if m.anonymous => format!("[anon_shmem:{n}]"),
                    _ => path.to_string(),
                };
                (off, dev, ino, Some(name))
            }
            RegionKind::Heap => (0, (0, 0), 0, Some("[heap]".to_string())),
            RegionKind::Stack => (0, (0, 0), 0, Some("[stack]".to_string())),
            RegionKind::Special(name) => (0, (0, 0), 0, Some(name.to_string())),
            RegionKind::Anon => (
                0,
                (0, 0),
                0,
                r.anon_name.as_ref().map(|n| format!("[anon:{n}]")),
            ),
        };
        synthetic::maps_line(
            &mut s,
            r.start,
            r.end,
            [
                r.prot & perm::R != 0,
                r.prot & perm::W != 0,
                r.prot & perm::X != 0,
                r.shared.is_some(),
            ],
            offset,
            dev,
            ino,
            name.as_deref(),
        );
    }
    s
}

/// The program's code and data ranges (its executable and its writable image regions).
fn image_ranges(p: &Process) -> (u64, u64, u64, u64) {
    let image = || p.mem.regions().filter(|r| r.kind == RegionKind::Image);
    let code = image().find(|r| r.prot & perm::X != 0);
    let data = image().find(|r| r.prot & perm::W != 0);
    (
        code.map_or(0, |r| r.start),
        code.map_or(0, |r| r.end),
        data.map_or(0, |r| r.start),
        data.map_or(0, |r| r.end),
    )
}

/// Sizes in pages: (total mapped, data (writable private), stack, exe text).
fn vm_pages(p: &Process) -> (u64, u64, u64, u64) {
    let (mut total, mut data, mut stack, mut text) = (0, 0, 0, 0);
    for r in p.mem.regions() {
        let n = (r.end - r.start) / PAGE_SIZE;
        total += n;
        match r.kind {
            RegionKind::Stack => stack += n,
            RegionKind::Image if r.prot & perm::X != 0 => text += n,
            _ if r.prot & perm::W != 0 => data += n,
            _ => {}
        }
    }
    (total, data, stack, text)
}

/// Resident pages as the guest sees them: what it has committed (its writable memory).
fn rss_pages(p: &Process) -> u64 {
    p.mem.committed() / PAGE_SIZE
}

/// `/proc/self/statm` (`proc_pid_statm`): size resident shared text lib data dt, in pages.
fn statm(p: &Process) -> String {
    let (total, data, stack, text) = vm_pages(p);
    format!("{total} {} 0 {text} 0 {} 0\n", rss_pages(p), data + stack)
}

/// A signal set as `/proc` prints it: 16 hex digits.
fn sigset(v: u64) -> String {
    format!("{v:016x}")
}

/// The CPU mask as `%*pb` prints it: hex, a comma between 32-bit groups.
fn cpumask_hex(cpus: u32, mask: &[u64]) -> String {
    let groups = cpus.div_ceil(32) as usize;
    let mut parts = Vec::with_capacity(groups);
    for g in (0..groups).rev() {
        let word = mask.get(g / 2).copied().unwrap_or(0);
        let mut v = (word >> ((g % 2) * 32)) as u32;
        let bits_here = (cpus as usize - g * 32).min(32);
        if bits_here < 32 {
            v &= (1u32 << bits_here) - 1;
        }
        if g == groups - 1 {
            let digits = bits_here.div_ceil(4);
            parts.push(format!("{v:0digits$x}"));
        } else {
            parts.push(format!("{v:08x}"));
        }
    }
    parts.join(",")
}

/// The CPU mask as `%*pbl` prints it: ranges `a-b` separated by commas.
fn cpumask_list(cpus: u32, mask: &[u64]) -> String {
    let set = |c: u32| {
        mask.get(c as usize / 64)
            .is_some_and(|w| w >> (c % 64) & 1 != 0)
    };
    let mut out = Vec::new();
    let mut c = 0;
    while c < cpus {
        if set(c) {
            let start = c;
            while c + 1 < cpus && set(c + 1) {
                c += 1;
            }
            out.push(if start == c {
                format!("{c}")
            } else {
                format!("{start}-{c}")
            });
        }
        c += 1;
    }
    out.join(",")
}

/// `/proc/self/status` or a thread's (`proc_pid_status`).
fn status(p: &Process, tid: u64) -> String {
    let (attrs, sigmask, pending, affinity, running) = if p.thread.tid == tid {
        (
            &p.thread.attrs,
            p.thread.sigmask,
            p.thread.pending,
            &p.thread.affinity,
            true,
        )
    } else {
        match p.sched.get(tid) {
            Some(t) => (
                &t.ctx.attrs,
                t.ctx.sigmask,
                t.ctx.pending,
                &t.ctx.affinity,
                false,
            ),
            None => return String::new(),
        }
    };
    let mut ign = 0u64;
    let mut cgt = 0u64;
    for (i, a) in p.sig.actions.iter().enumerate() {
        match a.handler {
            SIG_IGN => ign |= 1 << i,
            SIG_DFL => {}
            _ => cgt |= 1 << i,
        }
    }
    let (total, data, stack, text) = vm_pages(p);
    let kb = |pages: u64| format!("{:>8} kB", pages * (PAGE_SIZE >> 10));
    let rss = rss_pages(p);
    let name = String::from_utf8_lossy(attrs.name()).into_owned();
    let mut s = String::new();
    s.push_str(&format!("Name:\t{name}\nUmask:\t{:04o}\n", p.vfs.umask()));
    s.push_str(if running {
        "State:\tR (running)\n"
    } else {
        "State:\tS (sleeping)\n"
    });
    s.push_str(&format!(
        "Tgid:\t{GUEST_PID}\nNgid:\t0\nPid:\t{tid}\nPPid:\t{GUEST_PPID}\nTracerPid:\t0\n\
         Uid:\t{u}\t{u}\t{u}\t{u}\nGid:\t{u}\t{u}\t{u}\t{u}\nFDSize:\t{}\nGroups:\t\n\
         NStgid:\t{GUEST_PID}\nNSpid:\t{tid}\nNSpgid:\t{GUEST_PID}\nNSsid:\t{GUEST_PID}\n",
        p.vfs.fd_table_size(),
        u = GUEST_UID,
    ));
    for (label, v) in [
        ("VmPeak", total),
        ("VmSize", total),
        ("VmLck", p.mem.locked_pages()),
        ("VmPin", 0),
        ("VmHWM", rss),
        ("VmRSS", rss),
        ("RssAnon", rss),
        ("RssFile", 0),
        ("RssShmem", 0),
        ("VmData", data),
        ("VmStk", stack),
        ("VmExe", text),
        ("VmLib", 0),
        ("VmPTE", 0),
        ("VmSwap", 0),
    ] {
        s.push_str(&format!("{label}:\t{}\n", kb(v)));
    }
    s.push_str(&format!(
        "HugetlbPages:\t{}\nCoreDumping:\t0\nTHP_enabled:\t{}\nThreads:\t{}\nSigQ:\t0/{}\n",
        kb(0),
        !p.attrs.thp_disable as u8,
        thread_count(p),
        p.rlimits[crate::abi::resource::RLIMIT_SIGPENDING].0 as i64,
    ));
    s.push_str(&format!(
        "SigPnd:\t{}\nShdPnd:\t{}\nSigBlk:\t{}\nSigIgn:\t{}\nSigCgt:\t{}\n",
        sigset(pending),
        sigset(p.sig.pending),
        sigset(sigmask),
        sigset(ign),
        sigset(cgt)
    ));
    s.push_str(&format!(
        "CapInh:\t{z}\nCapPrm:\t{z}\nCapEff:\t{z}\nCapBnd:\t{:016x}\nCapAmb:\t{z}\n\
         NoNewPrivs:\t{}\nSeccomp:\t0\nSeccomp_filters:\t0\n\
         Speculation_Store_Bypass:\tunknown\nSpeculationIndirectBranch:\tunknown\n",
        (1u64 << (crate::abi::prctl::CAP_LAST_CAP + 1)) - 1,
        attrs.no_new_privs as u8,
        z = sigset(0),
    ));
    s.push_str(&format!(
        "Cpus_allowed:\t{}\nCpus_allowed_list:\t{}\nMems_allowed:\t1\nMems_allowed_list:\t0\n\
         voluntary_ctxt_switches:\t0\nnonvoluntary_ctxt_switches:\t0\n",
        cpumask_hex(p.cpus, affinity),
        cpumask_list(p.cpus, affinity),
    ));
    s
}

/// `/proc/self/stat` or a thread's (`do_task_stat`): 52 fields.
fn stat(p: &Process, tid: u64) -> String {
    let (attrs, sigmask, pending, running) = if p.thread.tid == tid {
        (&p.thread.attrs, p.thread.sigmask, p.thread.pending, true)
    } else {
        match p.sched.get(tid) {
            Some(t) => (&t.ctx.attrs, t.ctx.sigmask, t.ctx.pending, false),
            None => return String::new(),
        }
    };
    let mut ign = 0u64;
    let mut cgt = 0u64;
    for (i, a) in p.sig.actions.iter().enumerate() {
        match a.handler {
            SIG_IGN => ign |= 1 << i,
            SIG_DFL => {}
            _ => cgt |= 1 << i,
        }
    }
    let utime = busy_ns(p) * USER_HZ / 1_000_000_000;
    let (total, ..) = vm_pages(p);
    let img = &p.image;
    let (start_code, end_code, start_data, end_data) = image_ranges(p);
    let name = String::from_utf8_lossy(attrs.name()).into_owned();
    let fields: Vec<String> = vec![
        format!("{tid}"),
        format!("({name})"),
        (if running { "R" } else { "S" }).to_string(),
        format!("{GUEST_PPID}"),
        format!("{GUEST_PID}"), // pgrp
        format!("{GUEST_PID}"), // session
        "0".into(),             // tty_nr
        "-1".into(),            // tpgid
        "4194304".into(),       // flags (PF_RANDOMIZE off; PF_... as a user task)
        "0".into(),             // minflt
        "0".into(),             // cminflt
        "0".into(),             // majflt
        "0".into(),             // cmajflt
        format!("{utime}"),     // utime
        "0".into(),             // stime
        "0".into(),             // cutime
        "0".into(),             // cstime
        "20".into(),            // priority
        "0".into(),             // nice
        format!("{}", thread_count(p)),
        "0".into(), // itrealvalue
        "0".into(), // starttime
        format!("{}", total * PAGE_SIZE),
        format!("{}", rss_pages(p)),
        format!("{}", p.rlimits[crate::abi::resource::RLIMIT_RSS].0),
        format!("{start_code}"),
        format!("{end_code}"),
        format!("{}", img.initial_sp),
        "0".into(), // kstkesp
        "0".into(), // kstkeip
        format!("{}", pending & 0x7fff_ffff),
        format!("{}", sigmask & 0x7fff_ffff),
        format!("{}", ign & 0x7fff_ffff),
        format!("{}", cgt & 0x7fff_ffff),
        "0".into(),  // wchan
        "0".into(),  // nswap
        "0".into(),  // cnswap
        "17".into(), // exit_signal (SIGCHLD)
        "0".into(),  // processor
        "0".into(),  // rt_priority
        "0".into(),  // policy
        "0".into(),  // delayacct_blkio_ticks
        "0".into(),  // guest_time
        "0".into(),  // cguest_time
        format!("{start_data}"),
        format!("{end_data}"),
        format!("{}", img.brk_start),
        format!("{}", img.arg_start),
        format!("{}", img.arg_end),
        format!("{}", img.env_start),
        format!("{}", img.env_end),
        "0".into(), // exit_code
    ];
    let mut s = fields.join(" ");
    s.push('\n');
    s
}
