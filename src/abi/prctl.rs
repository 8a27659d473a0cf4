//! prctl options and their values (linux/prctl.h, linux/capability.h, linux/sched.h).

/// Set the parent-death signal (arg2: a signal number, 0 clears).
pub const PR_SET_PDEATHSIG: u64 = 1;
/// Store the parent-death signal in the int at arg2.
pub const PR_GET_PDEATHSIG: u64 = 2;
/// Whether the process may dump core (the result).
pub const PR_GET_DUMPABLE: u64 = 3;
/// Set the dumpable flag (0 or 1).
pub const PR_SET_DUMPABLE: u64 = 4;
/// Whether capabilities survive a setuid from 0 (the result).
pub const PR_GET_KEEPCAPS: u64 = 7;
/// Set the keep-capabilities flag (0 or 1).
pub const PR_SET_KEEPCAPS: u64 = 8;
/// Get the timing method (always statistical).
pub const PR_GET_TIMING: u64 = 13;
/// Set the timing method (only PR_TIMING_STATISTICAL).
pub const PR_SET_TIMING: u64 = 14;
/// The only timing method Linux offers.
pub const PR_TIMING_STATISTICAL: u64 = 0;
/// Set the calling thread's name (at most 15 bytes are taken).
pub const PR_SET_NAME: u64 = 15;
/// Copy the calling thread's name (16 bytes, NUL padded) to arg2.
pub const PR_GET_NAME: u64 = 16;
/// Whether capability arg2 is in the bounding set (the result).
pub const PR_CAPBSET_READ: u64 = 23;
/// Drop capability arg2 from the bounding set (needs CAP_SETPCAP).
pub const PR_CAPBSET_DROP: u64 = 24;
/// Get the securebits (the result).
pub const PR_GET_SECUREBITS: u64 = 27;
/// The calling thread's timer slack in ns (the result).
pub const PR_GET_TIMERSLACK: u64 = 30;
/// Set the calling thread's timer slack (0: back to its default).
pub const PR_SET_TIMERSLACK: u64 = 29;
/// Machine-check kill policy query.
pub const PR_MCE_KILL_GET: u64 = 34;
/// Mark the process a child subreaper.
pub const PR_SET_CHILD_SUBREAPER: u64 = 36;
/// Store the child-subreaper flag in the int at arg2.
pub const PR_GET_CHILD_SUBREAPER: u64 = 37;
/// Set no_new_privs (arg2 must be 1, arg3..arg5 0; it cannot be cleared).
pub const PR_SET_NO_NEW_PRIVS: u64 = 38;
/// Whether no_new_privs is set (the result; arg2..arg5 must be 0).
pub const PR_GET_NO_NEW_PRIVS: u64 = 39;
/// Set or clear the THP-disable flag of the address space (arg3..arg5 must be 0).
pub const PR_SET_THP_DISABLE: u64 = 41;
/// Whether THP is disabled for the address space (the result; arg2..arg5 must be 0).
pub const PR_GET_THP_DISABLE: u64 = 42;
/// Ambient capability operations.
pub const PR_CAP_AMBIENT: u64 = 47;
/// Act on a range of the address space (arg2 is the sub-option).
pub const PR_SET_VMA: u64 = 0x5356_4d41;
/// PR_SET_VMA sub-option: name anonymous mappings (arg3 start, arg4 length, arg5 the name
/// or NULL to clear).
pub const PR_SET_VMA_ANON_NAME: u64 = 0;

/// Longest anonymous mapping name, NUL included (`ANON_VMA_NAME_MAX_LEN`).
pub const ANON_VMA_NAME_MAX_LEN: usize = 80;
/// Bytes of a thread name, NUL included (`TASK_COMM_LEN`).
pub const TASK_COMM_LEN: usize = 16;
/// The highest capability number of the kernel rvrun reports (`CAP_LAST_CAP`,
/// CAP_CHECKPOINT_RESTORE).
pub const CAP_LAST_CAP: u64 = 40;
/// Highest valid signal number (`_NSIG`).
pub const NSIG: u64 = 64;
/// The timer slack a process starts with, in ns (`init_task.timer_slack_ns`).
pub const DEFAULT_TIMER_SLACK_NS: u64 = 50_000;

/// True for the bytes an anonymous mapping name may hold: printable ASCII except
/// `\`, `` ` ``, `$`, `[` and `]` (`is_valid_name_char`).
pub fn valid_anon_name_byte(b: u8) -> bool {
    (0x20..0x7f).contains(&b) && !b"\\`$[]".contains(&b)
}
