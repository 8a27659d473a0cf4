//! Guest threads and the deterministic scheduler.
//!
//! One guest thread runs at a time. The running thread's registers live in `Process::cpu` and
//! its per-thread kernel state in `Process::thread`; every other thread is parked here. A
//! switch happens only at a blocking syscall, at thread exit, at `sched_yield`, or when the
//! running thread has retired `--quantum` instructions; the next thread is the runnable one
//! with the next higher tid, wrapping around. When no thread can run, virtual time jumps to
//! the earliest deadline; when there is none, the run stops with a deadlock report.

use crate::abi::Errno;
use crate::cpu::Cpu;
use crate::cpu::regs::A0;
use crate::kernel::process::{ExitReason, Process};
use crate::kernel::signal::{
    AltStack, DefaultAction, SA_RESTART, SIG_DFL, SIG_IGN, default_action,
};
use crate::kernel::syscalls::cpu::CpuMask;
use crate::kernel::syscalls::prctl::TaskAttrs;
use crate::mem::GuestMemory;
use crate::observe::RunEvent;
use std::collections::{BTreeMap, BTreeSet};

/// Default scheduling quantum in retired instructions.
pub const DEFAULT_QUANTUM: u64 = 1_000_000;

/// Per-thread kernel state (besides registers).
#[derive(Clone, Debug)]
pub struct ThreadCtx {
    /// Thread id (the main thread's is the pid).
    pub tid: u64,
    /// Blocked signals, bit `sig - 1`.
    pub sigmask: u64,
    /// Signals sent to this thread and not yet acted on.
    pub pending: u64,
    /// The alternate signal stack.
    pub altstack: AltStack,
    /// CLONE_CHILD_CLEARTID / set_tid_address: zeroed and futex-woken at thread exit.
    pub clear_child_tid: u64,
    /// set_robust_list head and length.
    pub robust_list: (u64, u64),
    /// Deadline of a syscall being retried (see [`Wait::Retry`]); cleared when it completes.
    pub retry_deadline: Option<u128>,
    /// Bytes a blocking write being retried has already transferred (it resumes after
    /// them); cleared with `retry_deadline`.
    pub retry_done: usize,
    /// The call being retried fails with EINTR when a signal with a handler arrives (the
    /// poll family) instead of starting again after the handler; cleared with
    /// `retry_deadline`.
    pub retry_eintr: bool,
    /// The mask a ppoll/pselect6/epoll_pwait signal mask argument replaced for the call:
    /// restored when the call returns, or saved in the frame of the signal handler that
    /// interrupted it (so that `rt_sigreturn` restores it), as Linux's `saved_sigmask`.
    pub saved_sigmask: Option<u64>,
    /// The prctl state of the thread (name, pdeathsig, keepcaps, no_new_privs, timer slack).
    pub attrs: TaskAttrs,
    /// The CPUs the thread may run on (`sched_setaffinity`).
    pub affinity: CpuMask,
    /// A blocking open of a FIFO waiting for the other end: the fd already made (it counts
    /// as a reader or writer meanwhile, as under Linux) and the other end's open count
    /// when the wait began.
    pub fifo_open: Option<(i32, u64)>,
}

impl ThreadCtx {
    /// State of a new thread with id `tid`, its prctl attributes and its CPU affinity.
    pub fn new(tid: u64, attrs: TaskAttrs, affinity: CpuMask) -> ThreadCtx {
        ThreadCtx {
            tid,
            sigmask: 0,
            pending: 0,
            altstack: AltStack::default(),
            clear_child_tid: 0,
            robust_list: (0, 0),
            retry_deadline: None,
            retry_done: 0,
            retry_eintr: false,
            saved_sigmask: None,
            attrs,
            affinity,
            fifo_open: None,
        }
    }
}

/// What a blocked thread waits for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Wait {
    /// A futex wake on `uaddr` matching `bitset`; `seq` orders waiters (FIFO wake-up).
    Futex {
        /// The futex word's guest address.
        uaddr: u64,
        /// FUTEX_WAIT_BITSET mask (all ones for FUTEX_WAIT).
        bitset: u32,
        /// Monotonic deadline in ns, if the wait has a timeout.
        deadline: Option<u128>,
        /// Arrival order.
        seq: u64,
    },
    /// A sleep until the monotonic deadline (ns).
    Sleep {
        /// Monotonic deadline in ns.
        deadline: u128,
        /// Guest `struct timespec *` that receives the time left when a signal handler
        /// interrupts the sleep (0: none).
        rem: u64,
    },
    /// A syscall that could not complete yet (empty pipe, no ready fd): the thread sits at
    /// its `ecall` and runs it again when file state changes or the deadline passes; the
    /// handler finds the deadline in [`ThreadCtx::retry_deadline`].
    Retry {
        /// Monotonic deadline in ns, if the call has a timeout.
        deadline: Option<u128>,
    },
}

impl Wait {
    fn deadline(&self) -> Option<u128> {
        match self {
            Wait::Futex { deadline, .. } => *deadline,
            Wait::Sleep { deadline, .. } => Some(*deadline),
            Wait::Retry { deadline } => *deadline,
        }
    }

    /// The syscall result a thread gets when its deadline passes (`None`: it re-runs the call).
    fn timeout_result(&self) -> Option<u64> {
        match self {
            Wait::Futex { .. } => Some((-(Errno::ETIMEDOUT.0 as i64)) as u64),
            Wait::Sleep { .. } => Some(0),
            Wait::Retry { .. } => None,
        }
    }
}

/// A thread that is not running.
pub struct Parked {
    /// Its registers.
    pub cpu: Cpu,
    /// Its kernel state.
    pub ctx: ThreadCtx,
    /// What it waits for; `None` when it is runnable. Changed only through the
    /// [`Scheduler`], which indexes it.
    wait: Option<Wait>,
}

impl Parked {
    /// A parked thread with registers `cpu` and state `ctx`, waiting for `wait` (`None`:
    /// runnable).
    pub fn new(cpu: Cpu, ctx: ThreadCtx, wait: Option<Wait>) -> Parked {
        Parked { cpu, ctx, wait }
    }

    /// What it waits for; `None` when it is runnable.
    pub fn wait(&self) -> Option<&Wait> {
        self.wait.as_ref()
    }
}

/// The threads that are not running, and the scheduling counters.
///
/// Parked threads are kept by tid, with indexes that make every scheduling step cost
/// O(log n) in the number of threads: the runnable ones, the timed waits by deadline, the
/// threads retrying a syscall, and the futex waiters of each address in arrival order.
#[derive(Default)]
pub struct Scheduler {
    /// Parked threads by tid.
    parked: BTreeMap<u64, Parked>,
    /// Tids of the parked threads that can run.
    runnable: BTreeSet<u64>,
    /// (deadline, tid) of the parked threads whose wait has a deadline.
    timed: BTreeSet<(u128, u64)>,
    /// Tids of the parked threads retrying a syscall ([`Wait::Retry`]).
    retrying: BTreeSet<u64>,
    /// Futex waiters: by futex address, (arrival seq → tid).
    futexes: BTreeMap<u64, BTreeMap<u64, u64>>,
    /// The next tid to hand out.
    next_tid: u64,
    /// Instructions per time slice.
    pub quantum: u64,
    /// Instructions left in the running thread's slice.
    pub slice_left: u64,
    /// Futex wait arrival counter.
    wait_seq: u64,
    /// Thread switches so far (for --stats).
    pub switches: u64,
    /// The running thread's slice was stretched to finish an LR/SC sequence.
    pub lr_extension: bool,
    /// The VFS change counter when retrying waiters were last woken.
    seen_vfs_generation: u64,
}

impl Scheduler {
    /// A scheduler whose first new thread gets `first_tid`.
    pub fn new(first_tid: u64, quantum: u64) -> Scheduler {
        let quantum = quantum.max(1);
        Scheduler {
            next_tid: first_tid,
            quantum,
            slice_left: quantum,
            ..Default::default()
        }
    }

    /// Hands out a new tid.
    pub fn alloc_tid(&mut self) -> u64 {
        let t = self.next_tid;
        self.next_tid += 1;
        t
    }

    /// The next futex-wait sequence number.
    pub fn next_seq(&mut self) -> u64 {
        self.wait_seq += 1;
        self.wait_seq
    }

    /// Adds a parked thread.
    pub fn park(&mut self, t: Parked) {
        let tid = t.ctx.tid;
        self.index(tid, t.wait.as_ref());
        if let Some(old) = self.parked.insert(tid, t) {
            // Tids are unique: never reached, but keep the indexes true if it were.
            self.unindex(tid, old.wait.as_ref());
        }
    }

    /// Removes parked thread `tid` (to run it).
    fn unpark(&mut self, tid: u64) -> Option<Parked> {
        let t = self.parked.remove(&tid)?;
        self.unindex(tid, t.wait.as_ref());
        Some(t)
    }

    /// Parked thread `tid`.
    pub fn get(&self, tid: u64) -> Option<&Parked> {
        self.parked.get(&tid)
    }

    /// Registers and kernel state of parked thread `tid` (its wait stays as it is).
    pub fn get_mut(&mut self, tid: u64) -> Option<(&mut Cpu, &mut ThreadCtx)> {
        self.parked.get_mut(&tid).map(|t| (&mut t.cpu, &mut t.ctx))
    }

    /// The parked threads in tid order.
    pub fn parked(&self) -> impl Iterator<Item = &Parked> {
        self.parked.values()
    }

    /// Replaces what parked thread `tid` waits for; returns the old wait.
    fn set_wait(&mut self, tid: u64, wait: Option<Wait>) -> Option<Wait> {
        let t = self.parked.get_mut(&tid)?;
        let old = std::mem::replace(&mut t.wait, wait);
        self.unindex(tid, old.as_ref());
        let new = self.parked[&tid].wait.clone();
        self.index(tid, new.as_ref());
        old
    }

    fn index(&mut self, tid: u64, wait: Option<&Wait>) {
        let Some(w) = wait else {
            self.runnable.insert(tid);
            return;
        };
        if let Some(d) = w.deadline() {
            self.timed.insert((d, tid));
        }
        match *w {
            Wait::Retry { .. } => {
                self.retrying.insert(tid);
            }
            Wait::Futex { uaddr, seq, .. } => {
                self.futexes.entry(uaddr).or_default().insert(seq, tid);
            }
            Wait::Sleep { .. } => {}
        }
    }

    fn unindex(&mut self, tid: u64, wait: Option<&Wait>) {
        let Some(w) = wait else {
            self.runnable.remove(&tid);
            return;
        };
        if let Some(d) = w.deadline() {
            self.timed.remove(&(d, tid));
        }
        match *w {
            Wait::Retry { .. } => {
                self.retrying.remove(&tid);
            }
            Wait::Futex { uaddr, seq, .. } => {
                if let Some(q) = self.futexes.get_mut(&uaddr) {
                    q.remove(&seq);
                    if q.is_empty() {
                        self.futexes.remove(&uaddr);
                    }
                }
            }
            Wait::Sleep { .. } => {}
        }
    }

    /// Makes parked thread `tid` runnable; `a0`, when given, becomes its syscall result.
    fn wake(&mut self, tid: u64, a0: Option<u64>) {
        self.set_wait(tid, None);
        if let (Some(r), Some(t)) = (a0, self.parked.get_mut(&tid)) {
            t.cpu.set_reg(A0, r);
        }
    }

    /// Number of threads, including the running one.
    pub fn thread_count(&self) -> usize {
        self.parked.len() + 1
    }

    /// The earliest deadline of a parked thread's wait.
    fn earliest_deadline(&self) -> Option<u128> {
        self.timed.first().map(|&(d, _)| d)
    }
}

impl Process {
    /// The runnable parked thread with the next higher tid than `tid`, wrapping around.
    fn pick_runnable_after(&self, tid: u64) -> Option<u64> {
        let r = &self.sched.runnable;
        r.range(tid.saturating_add(1)..)
            .next()
            .or_else(|| r.first())
            .copied()
    }

    /// Swaps parked thread `tid` in as the running thread; the old running thread is parked
    /// with `wait` (or dropped when `exiting`).
    fn switch_to(&mut self, tid: u64, wait: Option<Wait>, exiting: bool) {
        let next = self.sched.unpark(tid).expect("picked thread is parked");
        let old_cpu = std::mem::replace(&mut self.cpu, next.cpu);
        let old_ctx = std::mem::replace(&mut self.thread, next.ctx);
        let (from, to) = (old_ctx.tid, self.thread.tid);
        self.vfs.set_thread_self(to);
        if exiting {
            self.vfs.proc_remove_task(from);
        }
        self.note_event(|| RunEvent::Switch {
            from,
            to,
            exited: exiting,
        });
        // An LR reservation does not survive a context switch.
        self.cpu.reservation = None;
        if !exiting {
            self.sched.park(Parked {
                cpu: old_cpu,
                ctx: old_ctx,
                wait,
            });
        }
        self.sched.slice_left = self.sched.quantum;
        self.sched.lr_extension = false;
        self.sched.switches += 1;
        if self.has_deliverable_signal() {
            self.act_on_pending_signals();
        }
    }

    /// Ends the running thread's slice: switches to the next runnable thread, if any.
    pub fn yield_slice(&mut self) {
        self.wake_expired();
        if let Some(tid) = self.pick_runnable_after(self.thread.tid) {
            self.switch_to(tid, None, false);
        } else {
            self.sched.slice_left = self.sched.quantum;
            self.sched.lr_extension = false;
        }
    }

    /// Blocks the running thread on `wait` and runs another, advancing virtual time to the
    /// earliest deadline when every thread is blocked. Stops the run on deadlock.
    pub fn block_current(&mut self, wait: Wait) {
        self.leave_current(Some(wait), false);
    }

    /// Ends the running thread (not the last one) and runs another.
    pub fn exit_current_thread(&mut self) {
        self.leave_current(None, true);
    }

    fn leave_current(&mut self, mut wait: Option<Wait>, exiting: bool) {
        // Set once the interval timer fired and no thread could run after it: with every
        // thread still waiting, its later expirations change nothing either (its signal is
        // ignored, or blocked and already pending), so time jumps past them instead of
        // stepping through them one interval at a time, forever.
        let mut timer_idle = false;
        loop {
            self.wake_expired();
            if let Some(tid) = self.pick_runnable_after(self.thread.tid) {
                self.switch_to(tid, wait, exiting);
                return;
            }
            // Nothing else can run: jump to the earliest deadline, ours included.
            let own = if exiting {
                None
            } else {
                wait.as_ref().and_then(Wait::deadline)
            };
            let earliest = self
                .sched
                .earliest_deadline()
                .into_iter()
                .chain(own)
                .chain(self.real_timer_deadline().filter(|_| !timer_idle))
                .min();
            let Some(deadline) = earliest else {
                let mut report = self.deadlock_report(wait.as_ref());
                if timer_idle {
                    report = report.replacen(
                        "and no timer is pending",
                        "and the only timer left (ITIMER_REAL) sends a signal that is ignored or blocked",
                        1,
                    );
                }
                self.exit = Some(ExitReason::Stopped(report));
                return;
            };
            let now = self.monotonic_ns();
            if deadline > now {
                self.clock.advance(deadline - now);
            }
            if own.is_some_and(|d| d <= deadline) {
                // Our own wait timed out first: keep running with the timeout result.
                let w = wait.expect("own deadline implies a wait");
                if let Some(r) = w.timeout_result() {
                    self.cpu.set_reg(A0, r);
                }
                return;
            }
            if self.real_timer_deadline().is_some_and(|d| d <= deadline) {
                if self.timers_fired_while_blocked(&mut wait, exiting) {
                    return;
                }
                timer_idle = true;
            }
        }
    }

    /// Wakes parked thread `tid` (blocked, with a signal pending that it will run a handler
    /// for); see [`end_wait_for_handler`].
    pub(crate) fn interrupt_wait(&mut self, tid: u64, sa_restart: bool) {
        let now = self.monotonic_ns();
        if let Some(wait) = self.sched.set_wait(tid, None) {
            let t = self.sched.parked.get_mut(&tid).expect("parked thread");
            let abandoned =
                end_wait_for_handler(&mut t.cpu, &mut t.ctx, wait, sa_restart, now, &mut self.mem);
            if let Some(fd) = abandoned {
                let _ = self.vfs.close(fd);
            }
        }
    }

    /// The interval timers fired while every thread waits and the running thread is about to
    /// block on `wait` (or exit): raises their signals. Returns true when the running thread
    /// takes one and so keeps running (its call interrupted, or the process ended).
    fn timers_fired_while_blocked(&mut self, wait: &mut Option<Wait>, exiting: bool) -> bool {
        let mut resumes = false;
        for sig in self.take_due_timers() {
            let bit = 1u64 << (sig - 1);
            self.sig.pending |= bit;
            if exiting || self.thread.sigmask & bit != 0 {
                self.signal_sent_to_others(sig, None);
                continue;
            }
            let act = self.sig.action(sig);
            match act.handler {
                SIG_IGN => {}
                SIG_DFL => {
                    if matches!(
                        default_action(sig),
                        DefaultAction::Terminate | DefaultAction::Core
                    ) {
                        self.default_action(sig, None);
                        return true;
                    }
                }
                _ => {
                    if let Some(w) = wait.take() {
                        let now = self.monotonic_ns();
                        let sa_restart = act.flags & SA_RESTART != 0;
                        let abandoned = end_wait_for_handler(
                            &mut self.cpu,
                            &mut self.thread,
                            w,
                            sa_restart,
                            now,
                            &mut self.mem,
                        );
                        if let Some(fd) = abandoned {
                            let _ = self.vfs.close(fd);
                        }
                    }
                    resumes = true;
                }
            }
        }
        resumes
    }

    /// Wakes parked threads whose deadline has passed (with their timeout result), and, when
    /// file state changed since the last look, every thread retrying a syscall.
    fn wake_expired(&mut self) {
        let now = self.monotonic_ns();
        while let Some(&(deadline, tid)) = self.sched.timed.first() {
            if deadline > now {
                break;
            }
            let r = self.sched.parked[&tid]
                .wait
                .as_ref()
                .and_then(Wait::timeout_result);
            self.sched.wake(tid, r);
        }
        let generation = self.vfs.generation();
        if generation != self.sched.seen_vfs_generation {
            self.sched.seen_vfs_generation = generation;
            for tid in std::mem::take(&mut self.sched.retrying) {
                self.sched.wake(tid, None);
            }
        }
    }

    /// Tids of the parked threads waiting on futex `uaddr` with a bitset overlapping
    /// `bitset`, in arrival order, at most `n`.
    fn futex_waiters(&self, uaddr: u64, bitset: u32, n: u64) -> Vec<u64> {
        let Some(queue) = self.sched.futexes.get(&uaddr) else {
            return Vec::new();
        };
        queue
            .values()
            .filter(|&tid| {
                matches!(self.sched.parked[tid].wait, Some(Wait::Futex { bitset: b, .. }) if b & bitset != 0)
            })
            .take(n.min(usize::MAX as u64) as usize)
            .copied()
            .collect()
    }

    /// Wakes up to `n` threads waiting on futex `uaddr` with a bitset overlapping `bitset`, in
    /// arrival order; returns how many. Woken waits return 0.
    pub fn futex_wake(&mut self, uaddr: u64, bitset: u32, n: u64) -> u64 {
        let woken = self.futex_waiters(uaddr, bitset, n);
        for &tid in &woken {
            self.sched.wake(tid, Some(0));
        }
        woken.len() as u64
    }

    /// Moves up to `n` waiters of futex `from` to wait on `to` instead; returns how many.
    pub fn futex_requeue(&mut self, from: u64, to: u64, n: u64) -> u64 {
        let moved = self.futex_waiters(from, u32::MAX, n);
        for &tid in &moved {
            if let Some(Wait::Futex {
                bitset,
                deadline,
                seq,
                ..
            }) = self.sched.parked[&tid].wait.clone()
            {
                let w = Wait::Futex {
                    uaddr: to,
                    bitset,
                    deadline,
                    seq,
                };
                self.sched.set_wait(tid, Some(w));
            }
        }
        moved.len() as u64
    }

    /// True when some thread (running or parked) has id `tid`.
    pub fn has_thread(&self, tid: u64) -> bool {
        self.thread.tid == tid || self.sched.parked.contains_key(&tid)
    }

    fn deadlock_report(&self, current: Option<&Wait>) -> String {
        let mut s = String::from("deadlock: every guest thread is blocked and no timer is pending");
        let describe = |tid: u64, pc: u64, w: Option<&Wait>| match w {
            Some(Wait::Futex { uaddr, bitset, .. }) => {
                format!(
                    "\n  thread {tid}: futex wait on 0x{uaddr:x} (bitset 0x{bitset:x}), pc 0x{pc:x}"
                )
            }
            Some(Wait::Sleep { .. }) => format!("\n  thread {tid}: sleeping, pc 0x{pc:x}"),
            Some(Wait::Retry { .. }) => {
                format!(
                    "\n  thread {tid}: waiting for file state to change (blocked syscall), pc 0x{pc:x}"
                )
            }
            None => format!("\n  thread {tid}: runnable, pc 0x{pc:x}"),
        };
        s.push_str(&describe(self.thread.tid, self.cpu.pc, current));
        for t in self.sched.parked.values() {
            s.push_str(&describe(t.ctx.tid, t.cpu.pc, t.wait.as_ref()));
        }
        s
    }
}

/// Ends `wait` for a signal handler the thread is about to run, the way Linux ends a blocked
/// syscall (riscv64 `handle_signal`): calls that restart with SA_RESTART (-ERESTARTSYS:
/// untimed futex waits, reads and writes) go back to their `ecall` when the handler has
/// `sa_restart`; the others (sleeps, timed futex waits, the poll family) fail with EINTR, a
/// relative sleep writing the time left; a write that moved some bytes returns their count.
/// Returns the fd of a FIFO open that ends here with EINTR (the caller closes it).
fn end_wait_for_handler(
    cpu: &mut Cpu,
    ctx: &mut ThreadCtx,
    wait: Wait,
    sa_restart: bool,
    now: u128,
    mem: &mut GuestMemory,
) -> Option<i32> {
    let eintr = (-(Errno::EINTR.0 as i64)) as u64;
    match wait {
        Wait::Futex { deadline: None, .. } if sa_restart => {
            // Still at the instruction after the ecall, arguments untouched.
            cpu.pc = cpu.pc.wrapping_sub(4);
        }
        Wait::Futex { .. } => cpu.set_reg(A0, eintr),
        Wait::Sleep { deadline, rem } => {
            cpu.set_reg(A0, eintr);
            if rem != 0 {
                let left = deadline.saturating_sub(now);
                let mut ts = Vec::with_capacity(16);
                ts.extend_from_slice(&((left / 1_000_000_000) as u64).to_le_bytes());
                ts.extend_from_slice(&((left % 1_000_000_000) as u64).to_le_bytes());
                // Linux ignores a failed copy-out here (the result stays EINTR).
                let _ = mem.write_bytes(rem, &ts);
            }
        }
        Wait::Retry { .. } => {
            // The thread sits at its ecall: staying there restarts the call.
            if ctx.retry_done > 0 {
                cpu.pc = cpu.pc.wrapping_add(4);
                cpu.set_reg(A0, ctx.retry_done as u64);
            } else if ctx.retry_eintr || !sa_restart {
                cpu.pc = cpu.pc.wrapping_add(4);
                cpu.set_reg(A0, eintr);
                ctx.retry_deadline = None;
                ctx.retry_eintr = false;
                return ctx.fifo_open.take().map(|(fd, _)| fd);
            }
            ctx.retry_deadline = None;
            ctx.retry_done = 0;
            ctx.retry_eintr = false;
        }
    }
    None
}
