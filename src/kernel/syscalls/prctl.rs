//! prctl: per-thread attributes (name, parent-death signal, keepcaps, no_new_privs, timer
//! slack), per-process flags (dumpable, THP disable, child subreaper), the capability
//! bounding set and anonymous mapping names.
//!
//! The checks and their order follow Linux's `prctl` (kernel/sys.c), with the capability
//! options answered first as `cap_task_prctl` (security/commoncap.c) does. The guest is an
//! ordinary process of uid 1000: no capabilities in its effective set, a full bounding set.

use super::{Args, Errno, SysError, SysResult, Syscall, partial};
use crate::abi::prctl::*;
use crate::kernel::process::Process;
use crate::mem::AnonNameError;

/// Rows of the dispatch table for this family.
pub const TABLE: &[Syscall] = &[partial(
    167,
    "prctl",
    "dxxxx",
    sys_prctl,
    "names, pdeathsig, dumpable, keepcaps, no_new_privs, capbset, timer slack, THP disable, \
     subreaper, PR_SET_VMA anon names; options Linux lacks give EINVAL, the other options \
     Linux has stop the run",
)];

/// The prctl state each thread has (Linux keeps these in the task and its credentials).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaskAttrs {
    /// The thread's name (`comm`), NUL padded; at most 15 bytes are used.
    pub comm: [u8; TASK_COMM_LEN],
    /// Signal sent when the parent dies (0: none).
    pub pdeathsig: u32,
    /// SECURE_KEEP_CAPS.
    pub keepcaps: bool,
    /// no_new_privs (never cleared once set).
    pub no_new_privs: bool,
    /// Timer slack in ns.
    pub timer_slack: u64,
    /// What PR_SET_TIMERSLACK 0 restores: the slack the creating thread had.
    pub default_timer_slack: u64,
}

impl TaskAttrs {
    /// The first thread's attributes: named after the program file (its last path
    /// component, at most 15 bytes, as `begin_new_exec` names a process).
    pub fn initial(exe_path: &[u8]) -> TaskAttrs {
        let base = exe_path.rsplit(|&b| b == b'/').next().unwrap_or(exe_path);
        TaskAttrs {
            comm: comm_from(base),
            pdeathsig: 0,
            keepcaps: false,
            no_new_privs: false,
            timer_slack: DEFAULT_TIMER_SLACK_NS,
            default_timer_slack: DEFAULT_TIMER_SLACK_NS,
        }
    }

    /// The attributes of a thread this one creates (`copy_process`): the same name, flags
    /// and slack, no parent-death signal, and the creator's current slack as its default.
    pub fn for_child(&self) -> TaskAttrs {
        TaskAttrs {
            pdeathsig: 0,
            default_timer_slack: self.timer_slack,
            ..self.clone()
        }
    }

    /// The name without its NUL padding.
    pub fn name(&self) -> &[u8] {
        let n = self
            .comm
            .iter()
            .position(|&b| b == 0)
            .unwrap_or(TASK_COMM_LEN);
        &self.comm[..n]
    }

    /// Sets the name from up to 15 bytes (`__set_task_comm`: the rest is NUL padded).
    pub fn set_name(&mut self, name: &[u8]) {
        self.comm = comm_from(name);
    }
}

/// A NUL-padded comm holding the first 15 bytes of `name` up to its first NUL.
fn comm_from(name: &[u8]) -> [u8; TASK_COMM_LEN] {
    let mut comm = [0u8; TASK_COMM_LEN];
    for (d, &s) in comm[..TASK_COMM_LEN - 1].iter_mut().zip(name) {
        if s == 0 {
            break;
        }
        *d = s;
    }
    comm
}

/// The prctl state of the process as a whole (Linux keeps these in the mm and the signal
/// struct).
#[derive(Clone, Debug)]
pub struct ProcessAttrs {
    /// SUID_DUMP_USER (true) or SUID_DUMP_DISABLE.
    pub dumpable: bool,
    /// MMF_DISABLE_THP.
    pub thp_disable: bool,
    /// is_child_subreaper.
    pub child_subreaper: bool,
}

impl Default for ProcessAttrs {
    fn default() -> ProcessAttrs {
        ProcessAttrs {
            dumpable: true,
            thp_disable: false,
            child_subreaper: false,
        }
    }
}

/// Options Linux 6.8 knows on riscv64 whose behaviour rvrun does not provide: the run stops
/// on them rather than pretending.
const UNSUPPORTED: &[(u64, &str)] = &[
    (5, "PR_SET_UNALIGN"),
    (6, "PR_GET_UNALIGN"),
    (22, "PR_SET_SECCOMP"),
    (28, "PR_SET_SECUREBITS"),
    (31, "PR_TASK_PERF_EVENTS_DISABLE"),
    (32, "PR_TASK_PERF_EVENTS_ENABLE"),
    (33, "PR_MCE_KILL"),
    (35, "PR_SET_MM"),
    (40, "PR_GET_TID_ADDRESS"),
    (47, "PR_CAP_AMBIENT"),
    (57, "PR_SET_IO_FLUSHER"),
    (58, "PR_GET_IO_FLUSHER"),
    (59, "PR_SET_SYSCALL_USER_DISPATCH"),
    (62, "PR_SCHED_CORE"),
    (65, "PR_SET_MDWE"),
    (66, "PR_GET_MDWE"),
    (67, "PR_SET_MEMORY_MERGE"),
    (68, "PR_GET_MEMORY_MERGE"),
    (0x4155_5856, "PR_GET_AUXV"),
    (0x5961_6d61, "PR_SET_PTRACER"),
];

/// Options whose riscv64 implementation in Linux is "not this architecture": EINVAL
/// (FPEMU, FPEXC, ENDIAN, TSC, MPX, FP_MODE, SVE, speculation control, PAC, tagged
/// addresses, SME, and the vector controls on a hart without V).
const ARCH_EINVAL: &[u64] = &[
    9, 10, 11, 12, 19, 20, 25, 26, 43, 44, 45, 46, 50, 51, 52, 53, 54, 55, 56, 60, 61, 63, 64, 69,
    70,
];

/// Reads a thread name as `strncpy_from_user(comm, addr, 15)`: bytes up to the first NUL or
/// 15 bytes, EFAULT when one of them cannot be read.
fn read_name(p: &Process, addr: u64) -> Result<Vec<u8>, Errno> {
    let mut name = Vec::with_capacity(TASK_COMM_LEN);
    for i in 0..(TASK_COMM_LEN - 1) as u64 {
        let b = p
            .mem
            .read_u8(addr.checked_add(i).ok_or(Errno::EFAULT)?)
            .map_err(|_| Errno::EFAULT)?;
        if b == 0 {
            break;
        }
        name.push(b);
    }
    Ok(name)
}

/// Reads an anonymous mapping name as `strndup_user(uname, 80)` followed by the name
/// check: EFAULT when unreadable, EINVAL when 80 bytes hold no NUL or a byte is not allowed.
fn read_anon_name(p: &Process, addr: u64) -> Result<Vec<u8>, Errno> {
    let mut name = Vec::new();
    for i in 0..ANON_VMA_NAME_MAX_LEN as u64 {
        let b = p
            .mem
            .read_u8(addr.checked_add(i).ok_or(Errno::EFAULT)?)
            .map_err(|_| Errno::EFAULT)?;
        if b == 0 {
            if name.iter().any(|&c| !valid_anon_name_byte(c)) {
                return Err(Errno::EINVAL);
            }
            return Ok(name);
        }
        name.push(b);
    }
    Err(Errno::EINVAL)
}

fn sys_prctl(p: &mut Process, a: &Args) -> SysResult {
    // The option is an int: the upper half of the register is ignored.
    let option = a.uint(0) as u64;
    let (arg2, arg3, arg4, arg5) = (a.raw(1), a.raw(2), a.raw(3), a.raw(4));
    // cap_task_prctl runs first and owns these.
    match option {
        PR_CAPBSET_READ => {
            return if arg2 <= CAP_LAST_CAP {
                Ok(1)
            } else {
                Err(Errno::EINVAL.into())
            };
        }
        PR_CAPBSET_DROP => {
            // cap_prctl_drop: the capability number first, then CAP_SETPCAP (not held).
            return Err(if arg2 <= CAP_LAST_CAP {
                Errno::EPERM
            } else {
                Errno::EINVAL
            }
            .into());
        }
        PR_GET_SECUREBITS => return Ok(0),
        PR_GET_KEEPCAPS => return Ok(p.thread.attrs.keepcaps as u64),
        PR_SET_KEEPCAPS => {
            if arg2 > 1 {
                return Err(Errno::EINVAL.into());
            }
            p.thread.attrs.keepcaps = arg2 == 1;
            return Ok(0);
        }
        _ => {}
    }
    let t = &mut p.thread.attrs;
    match option {
        PR_SET_PDEATHSIG => {
            if arg2 > NSIG {
                return Err(Errno::EINVAL.into());
            }
            t.pdeathsig = arg2 as u32;
            Ok(0)
        }
        PR_GET_PDEATHSIG => {
            let sig = t.pdeathsig;
            p.mem.write_bytes(arg2, &sig.to_le_bytes())?;
            Ok(0)
        }
        PR_GET_DUMPABLE => Ok(p.attrs.dumpable as u64),
        PR_SET_DUMPABLE => {
            if arg2 > 1 {
                return Err(Errno::EINVAL.into());
            }
            p.attrs.dumpable = arg2 == 1;
            Ok(0)
        }
        PR_GET_TIMING => Ok(PR_TIMING_STATISTICAL),
        PR_SET_TIMING => {
            if arg2 != PR_TIMING_STATISTICAL {
                return Err(Errno::EINVAL.into());
            }
            Ok(0)
        }
        PR_SET_NAME => {
            let name = read_name(p, arg2)?;
            p.thread.attrs.set_name(&name);
            Ok(0)
        }
        PR_GET_NAME => {
            let comm = t.comm;
            p.mem.write_bytes(arg2, &comm)?;
            Ok(0)
        }
        // prctl_get_seccomp: the seccomp mode (disabled).
        21 => Ok(0),
        PR_GET_TIMERSLACK => Ok(t.timer_slack),
        PR_SET_TIMERSLACK => {
            t.timer_slack = if arg2 == 0 {
                t.default_timer_slack
            } else {
                arg2
            };
            Ok(0)
        }
        PR_MCE_KILL_GET => {
            if arg2 | arg3 | arg4 | arg5 != 0 {
                return Err(Errno::EINVAL.into());
            }
            // PR_MCE_KILL_DEFAULT: no policy was set.
            Ok(2)
        }
        PR_SET_CHILD_SUBREAPER => {
            p.attrs.child_subreaper = arg2 != 0;
            Ok(0)
        }
        PR_GET_CHILD_SUBREAPER => {
            let v = p.attrs.child_subreaper as u32;
            p.mem.write_bytes(arg2, &v.to_le_bytes())?;
            Ok(0)
        }
        PR_SET_NO_NEW_PRIVS => {
            if arg2 != 1 || arg3 | arg4 | arg5 != 0 {
                return Err(Errno::EINVAL.into());
            }
            t.no_new_privs = true;
            Ok(0)
        }
        PR_GET_NO_NEW_PRIVS => {
            if arg2 | arg3 | arg4 | arg5 != 0 {
                return Err(Errno::EINVAL.into());
            }
            Ok(t.no_new_privs as u64)
        }
        PR_GET_THP_DISABLE => {
            if arg2 | arg3 | arg4 | arg5 != 0 {
                return Err(Errno::EINVAL.into());
            }
            Ok(p.attrs.thp_disable as u64)
        }
        PR_SET_THP_DISABLE => {
            if arg3 | arg4 | arg5 != 0 {
                return Err(Errno::EINVAL.into());
            }
            p.attrs.thp_disable = arg2 != 0;
            Ok(0)
        }
        PR_SET_VMA => set_vma(p, arg2, arg3, arg4, arg5),
        _ if ARCH_EINVAL.contains(&option) => Err(Errno::EINVAL.into()),
        _ => match UNSUPPORTED.iter().find(|(o, _)| *o == option) {
            Some((_, name)) => Err(SysError::Unsupported(format!(
                "prctl option {name} ({option}) is not implemented"
            ))),
            None => Err(Errno::EINVAL.into()),
        },
    }
}

/// PR_SET_VMA (`prctl_set_vma`, `set_anon_vma_name`, `madvise_set_anon_name`): the name
/// is read and checked first, then the range (EINVAL unaligned or wrapping, nothing to do
/// when empty); every mapping in the range gets the name, EBADF at the first file mapping
/// (earlier ones keep theirs) and ENOMEM when part of the range is unmapped.
fn set_vma(p: &mut Process, opt: u64, start: u64, len_in: u64, uname: u64) -> SysResult {
    if opt != PR_SET_VMA_ANON_NAME {
        return Err(Errno::EINVAL.into());
    }
    let name = if uname == 0 {
        None
    } else {
        Some(read_anon_name(p, uname)?)
    };
    let page = crate::mem::PAGE_SIZE;
    if start & (page - 1) != 0 {
        return Err(Errno::EINVAL.into());
    }
    let len = len_in.wrapping_add(page - 1) & !(page - 1);
    if len_in != 0 && len == 0 {
        return Err(Errno::EINVAL.into());
    }
    let Some(end) = start.checked_add(len) else {
        return Err(Errno::EINVAL.into());
    };
    if end == start {
        return Ok(0);
    }
    let name = name.map(|n| String::from_utf8_lossy(&n).into_owned().into());
    match p.mem.set_anon_name(start, end, name) {
        Ok(()) => Ok(0),
        Err(AnonNameError::FileMapping) => Err(Errno::EBADF.into()),
        Err(AnonNameError::Unmapped) => Err(Errno::ENOMEM.into()),
    }
}
