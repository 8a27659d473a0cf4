//! The emulated process: its address space, its thread, its files and the kernel state the
//! syscalls keep, plus the loop that runs guest code and handles what it traps for.

use crate::abi::signal::*;
use crate::clock::Clock;
use crate::config::RunConfig;
use crate::cpu::regs::SP;
use crate::cpu::{self, Cpu, DecodeCache, Exit, Unobserved};
use crate::kernel::sched::{Scheduler, ThreadCtx};
use crate::kernel::signal::{SIGBUS, SIGILL, SIGSEGV, SIGTRAP, SigInfo, SignalState};
use crate::kernel::syscalls::cpu::all_cpus;
use crate::kernel::syscalls::prctl::{ProcessAttrs, TaskAttrs};
use crate::kernel::syscalls::{self, Args, Syscall};
use crate::kernel::timers::ITimer;
use crate::loader::{self, LoadedImage};
use crate::mem::{CommitLimit, GuestMemory};
use crate::observe::{NotedEvent, RunObserver};
use crate::rng::GuestRng;
use crate::vfs::Vfs;
use std::io::Write;
use std::sync::Arc;

/// Fixed guest identity: pid, tid, and the ids the guest sees for the user.
pub const GUEST_PID: u64 = 1000;
/// Parent pid the guest sees.
pub const GUEST_PPID: u64 = 999;
/// uid, euid, gid and egid.
pub const GUEST_UID: u64 = 1000;

/// Instructions a slice may overrun to finish an LR/SC sequence (the ISA's constrained
/// loops are at most 16 instructions).
const LR_SC_GRACE: u64 = 32;

/// How the process ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExitReason {
    /// exit/exit_group with this status (low 8 bits are what a parent sees).
    Exited(i32),
    /// Killed by a signal whose default action terminates.
    Signaled(u32),
    /// rvrun stopped the run (unsupported syscall or instruction, fault with no handler,
    /// instruction limit): the message says why.
    Stopped(String),
}

impl ExitReason {
    /// The host exit status rvrun returns: the guest's, 128+signal, or 125 for a stop.
    pub fn status(&self) -> i32 {
        match self {
            ExitReason::Exited(s) => s & 0xff,
            ExitReason::Signaled(sig) => 128 + *sig as i32,
            ExitReason::Stopped(_) => 125,
        }
    }
}

/// Counters reported by `--stats`.
#[derive(Clone, Debug, Default)]
pub struct Stats {
    /// Syscalls made.
    pub syscalls: u64,
    /// Signal handlers entered.
    pub signals: u64,
}

/// The memory-management state the brk/mmap syscalls keep.
#[derive(Clone, Debug)]
pub struct MmState {
    /// Start of the heap (page aligned end of the image).
    pub brk_start: u64,
    /// Current program break.
    pub brk: u64,
}

/// One emulated Linux process.
pub struct Process {
    /// The address space.
    pub mem: GuestMemory,
    /// The prctl state of the process as a whole (dumpable, THP disable, subreaper).
    pub attrs: ProcessAttrs,
    /// CPUs the machine has (`--cpus`).
    pub cpus: u32,
    /// The (single) guest thread.
    pub cpu: Cpu,
    /// Decoded instructions, shared by all threads.
    pub cache: DecodeCache,
    /// Files, fds, cwd.
    pub vfs: Vfs,
    /// The seeded random stream.
    pub rng: GuestRng,
    /// Virtual time.
    pub clock: Clock,
    /// brk state.
    pub mm: MmState,
    /// Signal dispositions, mask and alternate stack.
    pub sig: SignalState,
    /// The running thread's kernel state.
    pub thread: ThreadCtx,
    /// The other threads and the scheduling state.
    pub sched: Scheduler,
    /// Instructions retired by all threads.
    pub insns: u64,
    /// Set when the process has ended.
    pub exit: Option<ExitReason>,
    /// Answer unknown syscalls with ENOSYS.
    pub allow_unsupported: bool,
    /// Where strace lines go, when tracing syscalls.
    pub strace: Option<Box<dyn Write>>,
    /// The syscall census being collected (`--census`).
    pub census: Option<crate::kernel::census::Census>,
    /// Counters.
    pub stats: Stats,
    /// What was loaded (for /proc/self/exe and auxv).
    pub image: LoadedImage,
    /// Instruction limit (`--max-insns`).
    pub max_insns: Option<u64>,
    /// Resource limits (soft, hard), by resource number.
    pub rlimits: [(u64, u64); crate::abi::resource::RLIM_NLIMITS],
    /// membarrier registrations (command bits).
    pub membarrier_registered: u64,
    /// ITIMER_REAL, ITIMER_VIRTUAL, ITIMER_PROF.
    pub itimers: [ITimer; 3],
    /// Events for the run's observer, while one watches (see [`crate::observe`]).
    pub events: Option<Vec<NotedEvent>>,
}

impl Process {
    /// Builds the process for `program` (the ELF file's bytes, named `exe_path`): loads it,
    /// lays out the initial stack and fills the filesystem.
    pub fn new(config: &RunConfig, exe_path: &str, program: &[u8]) -> Result<Process, String> {
        let commit = Arc::new(CommitLimit::new(config.max_memory));
        let mut mem = GuestMemory::with_limit(commit.clone())
            .map_err(|e| format!("cannot reserve guest memory: {e}"))?;
        let mut rng = GuestRng::new(config.seed);
        let image = loader::load(
            &mut mem,
            program,
            exe_path,
            &config.argv,
            &config.env,
            &mut rng,
        )
        .map_err(|e| format!("{exe_path}: {e}"))?;
        let mut vfs = Vfs::with_commit_limit(config, &image.exe_path, program, commit)?;
        vfs.proc_add_task(GUEST_PID);
        vfs.set_thread_self(GUEST_PID);
        let rlimits = crate::kernel::syscalls::DEFAULT_RLIMITS;
        vfs.set_fd_limit(rlimits[crate::abi::resource::RLIMIT_NOFILE].0);
        vfs.set_socket_cred(crate::vfs::socket::Ucred {
            pid: GUEST_PID as u32,
            uid: GUEST_UID as u32,
            gid: GUEST_UID as u32,
        });
        let mut cpu = Cpu::new(image.entry);
        cpu.set_reg(SP, image.initial_sp);
        Ok(Process {
            cpu,
            cache: DecodeCache::new(),
            mm: MmState {
                brk_start: image.brk_start,
                brk: image.brk_start,
            },
            vfs,
            rng,
            clock: Clock::new(config.epoch, config.clock_hz),
            sig: SignalState::default(),
            thread: ThreadCtx::new(
                GUEST_PID,
                TaskAttrs::initial(image.exe_path.as_bytes()),
                all_cpus(config.cpus),
            ),
            attrs: ProcessAttrs::default(),
            cpus: config.cpus,
            sched: Scheduler::new(GUEST_PID + 1, config.quantum),
            insns: 0,
            exit: None,
            allow_unsupported: config.allow_unsupported,
            strace: None,
            census: None,
            stats: Stats::default(),
            max_insns: config.max_insns,
            rlimits,
            membarrier_registered: 0,
            events: None,
            itimers: Default::default(),
            image,
            mem,
        })
    }

    /// The calling thread's id (the main thread's tid is the pid).
    pub fn tid(&self) -> u64 {
        self.thread.tid
    }

    /// CLOCK_MONOTONIC now, in nanoseconds.
    pub fn monotonic_ns(&self) -> u128 {
        self.clock.monotonic_ns(self.insns)
    }

    /// The virtual clock rate (instructions per second).
    pub fn clock_hz(&self) -> u64 {
        self.clock.hz()
    }

    /// Retired instructions so far (all threads).
    pub fn instret(&self) -> u64 {
        self.insns
    }

    /// Runs the guest until it exits or rvrun stops it.
    pub fn run(&mut self) -> ExitReason {
        self.run_observed(&mut Unobserved)
    }

    /// [`Process::run`], showing every instruction and event to `observer`.
    pub fn run_observed<O: RunObserver>(&mut self, observer: &mut O) -> ExitReason {
        if O::ACTIVE {
            self.events = Some(Vec::new());
            self.mem.log_writes(O::WANTS_WRITES);
        }
        while self.exit.is_none() {
            let mut budget = self.sched.slice_left;
            if let Some(max) = self.max_insns {
                if self.insns >= max {
                    self.stop(format!(
                        "instruction limit reached ({max} instructions, --max-insns)"
                    ));
                    break;
                }
                budget = budget.min(max - self.insns);
            }
            // Stop exactly where an interval timer fires.
            if let Some(n) = self.insns_until_timer() {
                if n == 0 {
                    self.fire_due_timers();
                    continue;
                }
                budget = budget.min(n);
            }
            let before = self.cpu.instret;
            let exit = cpu::run_observed(
                &mut self.cpu,
                &mut self.mem,
                &mut self.cache,
                budget,
                observer,
            );
            let retired = self.cpu.instret - before;
            self.insns += retired;
            self.sched.slice_left -= retired.min(self.sched.slice_left);
            match exit {
                Exit::Ecall => syscalls::dispatch(self),
                Exit::BudgetExhausted => {
                    if self.sched.slice_left == 0 {
                        if self.cpu.reservation.is_some() && !self.sched.lr_extension {
                            // A switch drops the LR reservation: preempting between lr and
                            // sc every time (a tiny --quantum) would starve the loop, so
                            // the slice stretches once to let a constrained LR/SC sequence
                            // finish, as hardware guarantees it can.
                            self.sched.lr_extension = true;
                            self.sched.slice_left = LR_SC_GRACE;
                        } else {
                            self.yield_slice();
                        }
                    }
                }
                Exit::Ebreak => self.raise_fault(
                    SigInfo::fault(SIGTRAP, TRAP_BRKPT, self.cpu.pc),
                    &format!("breakpoint (ebreak) at pc 0x{:x}", self.cpu.pc),
                ),
                Exit::Illegal { pc, raw } => self.raise_fault(
                    SigInfo::fault(SIGILL, ILL_ILLOPC, pc),
                    &format!("{} at pc 0x{pc:x}", cpu::describe_illegal(raw)),
                ),
                Exit::Fault { pc, fault }
                    if fault.mapped && self.mem.take_bus_fault(fault.addr) =>
                {
                    // A shared mapping's page past the end of its file.
                    self.raise_fault(
                        SigInfo::fault(SIGBUS, BUS_ADRERR, fault.addr),
                        &format!(
                            "bus error: access at 0x{:x} past the end of a shared mapping's file \
                             (pc 0x{pc:x})",
                            fault.addr
                        ),
                    )
                }
                Exit::Fault { pc, fault } => {
                    let code = if fault.mapped {
                        SEGV_ACCERR
                    } else {
                        SEGV_MAPERR
                    };
                    self.raise_fault(
                        SigInfo::fault(SIGSEGV, code, fault.addr),
                        &format!("segmentation fault: {fault} (pc 0x{pc:x})"),
                    )
                }
                Exit::MisalignedAtomic { pc, addr } => self.raise_fault(
                    SigInfo::fault(SIGBUS, BUS_ADRALN, addr),
                    &format!("misaligned atomic access at 0x{addr:x} (pc 0x{pc:x})"),
                ),
            }
            if O::ACTIVE {
                self.report_events(observer);
            }
        }
        if let Some(out) = self.strace.as_mut() {
            let _ = out.flush();
        }
        self.exit.clone().expect("loop ends only on exit")
    }

    /// Hands the events collected since the last call to `observer`, each followed by the
    /// memory writes the kernel made for it.
    fn report_events<O: RunObserver>(&mut self, observer: &mut O) {
        let events = self.events.replace(Vec::new()).unwrap_or_default();
        let writes = self.mem.take_logged_writes();
        // Writes made before any event began (none are expected) go first.
        let first = events.first().map_or(writes.len(), |e| e.writes_from);
        if O::WANTS_WRITES && first > 0 {
            observer.kernel_writes(self, &writes[..first]);
        }
        for (i, noted) in events.iter().enumerate() {
            observer.event(self, &noted.event);
            let end = events.get(i + 1).map_or(writes.len(), |e| e.writes_from);
            let start = noted.writes_from.min(end);
            if O::WANTS_WRITES && start < end {
                observer.kernel_writes(self, &writes[start..end]);
            }
        }
    }

    /// Ends the run with rvrun's own error status.
    pub fn stop(&mut self, msg: String) {
        self.exit = Some(ExitReason::Stopped(msg));
    }

    /// Writes one strace line for a completed syscall.
    /// `ret` is `None` when the call blocked or switched threads (its result comes later).
    pub fn strace_line(
        &mut self,
        tid: u64,
        nr: u64,
        row: Option<&Syscall>,
        args: &Args,
        ret: Option<u64>,
    ) {
        let name = row
            .map(|r| r.name)
            .or_else(|| crate::abi::unistd::syscall_name(nr))
            .unwrap_or("unknown");
        let fmt = row.map(|r| r.args).unwrap_or("xxxxxx");
        let mut line = format!("{tid} {name}(");
        for (i, f) in fmt.chars().enumerate() {
            if i > 0 {
                line.push(',');
            }
            let a = args.raw(i);
            match f {
                'd' | 'f' => line.push_str(&(a as i64 as i32).to_string()),
                'u' => line.push_str(&a.to_string()),
                'F' | 'T' | 'A' => match syscalls::net::strace_arg(&self.mem, f, args, i) {
                    Some(s) => line.push_str(&s),
                    None => line.push_str(&format!("0x{a:x}")),
                },
                's' => match self.mem.read_cstr(a, 4096) {
                    Ok(Some(s)) => line.push_str(&format!("{:?}", String::from_utf8_lossy(&s))),
                    _ => line.push_str(&format!("0x{a:x}")),
                },
                _ => line.push_str(&format!("0x{a:x}")),
            }
        }
        let r = ret.unwrap_or(0) as i64;
        if ret.is_none() || self.exit.is_some() {
            line.push_str(") = ?\n");
        } else if (-4095..0).contains(&r) {
            let e = syscalls::Errno(-r as u16);
            line.push_str(&format!(") = -1 errno={} ({e})\n", -r));
        } else {
            line.push_str(&format!(") = {r}\n"));
        }
        if let Some(out) = self.strace.as_mut() {
            let _ = out.write_all(line.as_bytes());
        }
    }
}
