//! The Linux syscall ABI for riscv64: one dispatch table from number to named handler.
//!
//! Each family file (`fs`, `poll`, `mm`, `process`, `signal`, `time`, `misc`) exports a `TABLE` of
//! [`Syscall`] rows; [`table`] merges them into one array indexed by number. The README's
//! syscall table is generated from the same rows (`rvrun syscalls --markdown`), so the docs
//! and the code cannot disagree. Guest structs are written out explicitly in [`abi`].

mod args;
pub mod cpu;
mod fs;
mod fsmeta;
mod misc;
mod mm;
pub mod net;
mod poll;
pub mod prctl;
mod process;
mod shm;
mod signal;
mod thread;
mod time;

pub use crate::abi::Errno;
use crate::cpu::regs::{A0, A7};
use crate::kernel::census::Outcome;
use crate::kernel::process::Process;
use crate::mem::MemFault;
use crate::observe::RunEvent;
pub use process::{DEFAULT_RLIMITS, MAX_THREADS, memory_totals};
use std::sync::OnceLock;

pub use args::Args;

/// Why a handler did not return a value.
#[derive(Debug)]
pub enum SysError {
    /// Returned to the guest as `-errno`.
    Errno(Errno),
    /// A case rvrun does not implement: the run stops with this message (never fake success).
    Unsupported(String),
    /// The handler blocked or ended the calling thread, or wrote its result itself: the
    /// dispatcher must not touch the registers (they may now be another thread's).
    Switched,
    /// The call cannot complete yet (nothing to read, no fd ready): the thread blocks and
    /// runs the same call again when file state changes, or once `deadline` (monotonic ns)
    /// has passed; the handler then reads the deadline from `p.thread.retry_deadline`.
    WouldBlock {
        /// When to give up waiting (the handler decides what timing out returns).
        deadline: Option<u128>,
    },
}

impl From<Errno> for SysError {
    fn from(e: Errno) -> SysError {
        SysError::Errno(e)
    }
}

impl From<MemFault> for SysError {
    fn from(_: MemFault) -> SysError {
        SysError::Errno(Errno::EFAULT)
    }
}

/// What a handler returns: the value for a0, or an error.
pub type SysResult = Result<u64, SysError>;

/// A syscall handler. `pc` has already been advanced past the `ecall` when it runs; a handler
/// that ends the process sets `p.exit` and its return value is ignored.
pub type Handler = fn(&mut Process, &Args) -> SysResult;

/// How rvrun answers a syscall.
#[derive(Clone, Copy)]
pub enum Action {
    /// Runs the handler.
    Handle(Handler),
    /// Answered with this error by design (the row's note says why).
    Fail(Errno),
}

/// One row of the dispatch table.
pub struct Syscall {
    /// The riscv64 syscall number.
    pub nr: u32,
    /// Its Linux name.
    pub name: &'static str,
    /// Argument formats for strace, one letter per argument: `d` signed decimal, `u` unsigned
    /// decimal, `x` hex, `s` NUL-terminated string (a path), `f` fd (signed decimal), `F` a
    /// socket family, `T` a socket type, `A` a socket address (its length is the next
    /// argument).
    pub args: &'static str,
    /// What rvrun does.
    pub action: Action,
    /// For partial support or errors by design: what is left out, or why. Empty for full support.
    pub note: &'static str,
}

/// Convenience constructor for a supported row.
pub const fn handle(nr: u32, name: &'static str, args: &'static str, h: Handler) -> Syscall {
    Syscall {
        nr,
        name,
        args,
        action: Action::Handle(h),
        note: "",
    }
}

/// Convenience constructor for a partially supported row.
pub const fn partial(
    nr: u32,
    name: &'static str,
    args: &'static str,
    h: Handler,
    note: &'static str,
) -> Syscall {
    Syscall {
        nr,
        name,
        args,
        action: Action::Handle(h),
        note,
    }
}

/// Convenience constructor for a row answered with an error by design.
pub const fn fail(
    nr: u32,
    name: &'static str,
    args: &'static str,
    e: Errno,
    note: &'static str,
) -> Syscall {
    Syscall {
        nr,
        name,
        args,
        action: Action::Fail(e),
        note,
    }
}

/// Highest syscall number rvrun's table can hold.
const MAX_NR: usize = 512;

/// The merged dispatch table, indexed by syscall number.
pub fn table() -> &'static [Option<&'static Syscall>] {
    static TABLE: OnceLock<Vec<Option<&'static Syscall>>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut t: Vec<Option<&'static Syscall>> = vec![None; MAX_NR];
        for family in [
            fs::TABLE,
            fsmeta::TABLE,
            poll::TABLE,
            mm::TABLE,
            shm::TABLE,
            process::TABLE,
            thread::TABLE,
            signal::TABLE,
            time::TABLE,
            misc::TABLE,
            prctl::TABLE,
            cpu::TABLE,
            net::TABLE,
        ] {
            for row in family {
                let slot = &mut t[row.nr as usize];
                assert!(
                    slot.is_none(),
                    "syscall {} ({}) is in the table twice",
                    row.nr,
                    row.name
                );
                *slot = Some(row);
            }
        }
        t
    })
}

/// The row for `nr`, if rvrun knows it.
pub fn lookup(nr: u64) -> Option<&'static Syscall> {
    table().get(nr as usize).copied().flatten()
}

/// Handles the `ecall` at `p.cpu.pc`: runs the handler for a7 and writes a0, or stops the run
/// when the call is not supported.
pub fn dispatch(p: &mut Process) {
    let nr = p.cpu.reg(A7);
    let args = Args::from_cpu(&p.cpu);
    let pc = p.cpu.pc;
    let tid = p.tid();
    // The call's event goes before any switch or signal its handler causes.
    let mark = p.event_mark();
    p.cpu.pc = pc.wrapping_add(4);
    p.stats.syscalls += 1;
    let row = lookup(nr);
    let result = match row.map(|r| r.action) {
        Some(Action::Handle(h)) => h(p, &args),
        Some(Action::Fail(e)) => Err(SysError::Errno(e)),
        None => {
            let name = crate::abi::unistd::syscall_name(nr).unwrap_or("unknown");
            let what = format!(
                "unsupported syscall {name} ({nr}) at pc 0x{pc:x} args 0x{:x} 0x{:x} 0x{:x} 0x{:x} 0x{:x} 0x{:x}",
                args.0[0], args.0[1], args.0[2], args.0[3], args.0[4], args.0[5]
            );
            if p.allow_unsupported {
                log::warn!("{what}: answering ENOSYS (--allow-unsupported)");
                Err(SysError::Errno(Errno::ENOSYS))
            } else {
                Err(SysError::Unsupported(what))
            }
        }
    };
    // Shared mappings re-read what the call changed in their files before the guest runs.
    p.mem.sync_shared();
    // A completed call ends its retry state. (After `Switched`, `p.thread` may be another
    // thread's, possibly one in the middle of a retried call: leave it alone.)
    let completed = matches!(result, Ok(_) | Err(SysError::Errno(_)));
    let interrupted = matches!(result, Err(SysError::Errno(Errno::EINTR)));
    if completed {
        p.thread.retry_deadline = None;
        p.thread.retry_done = 0;
        p.thread.retry_eintr = false;
    }
    let ret = match result {
        Ok(v) => Some(v),
        Err(SysError::Errno(e)) => Some((-(e.0 as i64)) as u64),
        Err(SysError::Switched) => None,
        Err(SysError::WouldBlock { deadline }) => {
            // Back to the ecall, arguments untouched: the call runs again when woken.
            p.cpu.pc = pc;
            p.thread.retry_deadline = deadline;
            p.block_current(crate::kernel::sched::Wait::Retry { deadline });
            None
        }
        Err(SysError::Unsupported(msg)) => {
            count_call(p, nr, row, &args, Outcome::Unsupported);
            p.cpu.pc = pc;
            p.stop(msg);
            return;
        }
    };
    if p.strace.is_some() {
        p.strace_line(tid, nr, row, &args, ret);
    }
    if p.census.is_some() {
        let outcome = match ret {
            _ if row.is_none() => Outcome::Unsupported,
            Some(r) if (-4095..0).contains(&(r as i64)) => Outcome::Err(Errno(-(r as i64) as u16)),
            _ => Outcome::Ok,
        };
        count_call(p, nr, row, &args, outcome);
    }
    let result = if p.exit.is_some() { None } else { ret };
    p.note_event_at(mark, || RunEvent::Syscall {
        tid,
        nr,
        args: args.0,
        result,
    });
    if let (None, Some(ret)) = (&p.exit, ret) {
        p.cpu.set_reg(A0, ret);
    }
    // A call that set a temporary signal mask (ppoll...) restores the caller's before
    // signals are taken, unless a signal interrupted it: then the handler runs under the
    // temporary mask and its frame holds the caller's (Linux's restore_saved_sigmask_unless).
    if completed && !interrupted {
        p.restore_saved_sigmask();
    }
    // Signals are taken on the way back to the guest, after the result is in a0.
    if p.has_deliverable_signal() {
        p.act_on_pending_signals();
    }
    if completed {
        p.restore_saved_sigmask();
    }
}

/// Adds a call to the census, when one is being collected.
fn count_call(p: &mut Process, nr: u64, row: Option<&Syscall>, args: &Args, outcome: Outcome) {
    if let Some(census) = p.census.as_mut() {
        let name = row
            .map(|r| r.name)
            .or_else(|| crate::abi::unistd::syscall_name(nr))
            .unwrap_or("unknown");
        census.record(name, args, outcome);
    }
}

/// Renders the syscall table as Markdown (the README embeds this output).
pub fn markdown_table() -> String {
    let mut out = String::from("| nr | syscall | status | notes |\n|---:|---|---|---|\n");
    for row in table().iter().flatten() {
        let status = match row.action {
            Action::Handle(_) if row.note.is_empty() => "implemented".to_string(),
            Action::Handle(_) => "partial".to_string(),
            Action::Fail(e) => format!("error by design ({e})"),
        };
        // A `|` inside a note would end the table cell.
        let note = row.note.replace('|', "\\|");
        out.push_str(&format!(
            "| {} | `{}` | {} | {} |\n",
            row.nr, row.name, status, note
        ));
    }
    out.push_str("\nEvery other syscall number stops the run with exit status 125 (`--allow-unsupported`: ENOSYS).\n");
    out
}
