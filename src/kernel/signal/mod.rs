//! Signal numbers, names, dispositions, and acting on pending signals: the default action,
//! or a guest handler entered through a signal frame laid out as riscv64 Linux does
//! ([`frame`]).

pub mod frame;

pub use crate::abi::signal::*;
pub use frame::{SigInfo, SigSource};

const NAMES: [&str; 32] = [
    "0",
    "SIGHUP",
    "SIGINT",
    "SIGQUIT",
    "SIGILL",
    "SIGTRAP",
    "SIGABRT",
    "SIGBUS",
    "SIGFPE",
    "SIGKILL",
    "SIGUSR1",
    "SIGSEGV",
    "SIGUSR2",
    "SIGPIPE",
    "SIGALRM",
    "SIGTERM",
    "SIGSTKFLT",
    "SIGCHLD",
    "SIGCONT",
    "SIGSTOP",
    "SIGTSTP",
    "SIGTTIN",
    "SIGTTOU",
    "SIGURG",
    "SIGXCPU",
    "SIGXFSZ",
    "SIGVTALRM",
    "SIGPROF",
    "SIGWINCH",
    "SIGIO",
    "SIGPWR",
    "SIGSYS",
];

/// The conventional name of `sig` ("SIGSEGV", "SIGRT5"...).
pub fn signal_name(sig: u32) -> String {
    match sig {
        1..=31 => NAMES[sig as usize].to_string(),
        32..=64 => format!("SIGRT{}", sig - 32),
        _ => format!("signal {sig}"),
    }
}

/// What happens to a signal whose disposition is SIG_DFL.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DefaultAction {
    /// Terminate the process.
    Terminate,
    /// Terminate with a core dump (status is still 128+sig).
    Core,
    /// Nothing.
    Ignore,
    /// Stop / continue (job control).
    Stop,
    /// Continue.
    Continue,
}

/// The default action of `sig` (signal(7)).
pub fn default_action(sig: u32) -> DefaultAction {
    match sig {
        3 | 4 | 5 | 6 | 7 | 8 | 11 | 24 | 25 | 31 => DefaultAction::Core,
        17 | 23 | 28 => DefaultAction::Ignore,
        19..=22 => DefaultAction::Stop,
        18 => DefaultAction::Continue,
        _ => DefaultAction::Terminate,
    }
}

/// A `struct sigaction` as riscv64 Linux keeps it (no sa_restorer on riscv64).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SigAction {
    /// Handler address, SIG_DFL or SIG_IGN.
    pub handler: u64,
    /// SA_* flags.
    pub flags: u64,
    /// Signals blocked while the handler runs.
    pub mask: u64,
}

/// `stack_t` of sigaltstack.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AltStack {
    /// Base address.
    pub sp: u64,
    /// SS_DISABLE / SS_ONSTACK flags.
    pub flags: u32,
    /// Size in bytes.
    pub size: u64,
}

impl Default for AltStack {
    fn default() -> Self {
        AltStack {
            sp: 0,
            flags: SS_DISABLE,
            size: 0,
        }
    }
}

/// Signal dispositions and process-directed pending signals (per process; the blocked mask,
/// thread-directed pending signals and the alternate stack are per thread, in
/// [`crate::kernel::sched::ThreadCtx`]).
#[derive(Clone, Debug)]
pub struct SignalState {
    /// Index `sig - 1`.
    pub actions: [SigAction; NSIG],
    /// Signals sent to the process (kill) and not yet acted on, bit `sig - 1`.
    pub pending: u64,
}

impl Default for SignalState {
    fn default() -> Self {
        SignalState {
            actions: [SigAction::default(); NSIG],
            pending: 0,
        }
    }
}

impl SignalState {
    /// The disposition of `sig` (1..=64).
    pub fn action(&self, sig: u32) -> SigAction {
        self.actions[sig as usize - 1]
    }
}

impl crate::kernel::process::Process {
    /// True when the running thread has a pending signal it does not block.
    #[inline]
    pub fn has_deliverable_signal(&self) -> bool {
        (self.sig.pending | self.thread.pending) & !self.thread.sigmask != 0
    }

    /// Acts on the signals pending for the running thread that it does not block: the
    /// default action (end the process, or nothing), or entering the guest handler through a
    /// signal frame. One handler is entered at a time; further signals are taken at the next
    /// entry into the kernel.
    pub fn act_on_pending_signals(&mut self) {
        while self.exit.is_none() && self.has_deliverable_signal() {
            let ready = (self.sig.pending | self.thread.pending) & !self.thread.sigmask;
            let sig = ready.trailing_zeros() + 1;
            let bit = 1u64 << (sig - 1);
            let source = if self.thread.pending & bit != 0 {
                self.thread.pending &= !bit;
                SigSource::Thread
            } else {
                self.sig.pending &= !bit;
                SigSource::Process
            };
            let act = self.sig.action(sig);
            match act.handler {
                SIG_IGN => {}
                SIG_DFL => self.default_action(sig, None),
                _ => {
                    self.enter_handler(sig, SigInfo::sent(sig, source));
                    return;
                }
            }
        }
    }

    /// Follows up a signal just made pending, for the process (`thread` None) or one thread:
    /// a fatal default action ends the process at once when a thread that does not block
    /// the signal can take it (Linux kills every thread, blocked in a call or not); a
    /// handler wakes the thread that will run it when that thread is blocked in a call.
    /// A process-directed signal goes to the running thread when it does not block it (it
    /// takes it on its way out of the kernel), else to the first thread in tid order that
    /// does not.
    pub(crate) fn signal_sent(&mut self, sig: u32, thread: Option<u64>) {
        let bit = 1u64 << (sig - 1);
        let running_takes = match thread {
            None => self.thread.sigmask & bit == 0,
            Some(tid) => tid == self.thread.tid,
        };
        self.follow_up_signal(sig, thread, running_takes);
    }

    /// [`Process::signal_sent`] when the running thread cannot take the signal (it is
    /// leaving the CPU to block or exit).
    pub(crate) fn signal_sent_to_others(&mut self, sig: u32, thread: Option<u64>) {
        self.follow_up_signal(sig, thread, false);
    }

    fn follow_up_signal(&mut self, sig: u32, thread: Option<u64>, running_takes: bool) {
        let bit = 1u64 << (sig - 1);
        let parked = if running_takes {
            None
        } else {
            let takes = |t: &crate::kernel::sched::Parked| t.ctx.sigmask & bit == 0;
            match thread {
                Some(tid) => self.sched.get(tid).filter(|t| takes(t)).map(|_| tid),
                None => self.sched.parked().find(|t| takes(t)).map(|t| t.ctx.tid),
            }
        };
        let act = self.sig.action(sig);
        let takers = running_takes && self.thread.sigmask & bit == 0 || parked.is_some();
        match act.handler {
            SIG_IGN => {}
            SIG_DFL => {
                let fatal = matches!(
                    default_action(sig),
                    DefaultAction::Terminate | DefaultAction::Core
                );
                if fatal && takers && !running_takes {
                    // The running thread would take it on its way out anyway.
                    self.default_action(sig, None);
                }
            }
            _ => {
                if let Some(tid) =
                    parked.filter(|&tid| self.sched.get(tid).is_some_and(|t| t.wait().is_some()))
                {
                    self.interrupt_wait(tid, act.flags & SA_RESTART != 0);
                }
            }
        }
    }

    /// Ends a temporary signal mask (see `ThreadCtx::saved_sigmask`), if one is set.
    pub fn restore_saved_sigmask(&mut self) {
        if let Some(mask) = self.thread.saved_sigmask.take() {
            self.thread.sigmask = mask;
        }
    }

    /// Carries out the default action of `sig`; `why` describes a synchronous fault.
    pub fn default_action(&mut self, sig: u32, why: Option<&str>) {
        match default_action(sig) {
            action @ (DefaultAction::Terminate | DefaultAction::Core) => {
                // Where Linux would dump core, say so (as a shell does); rvrun writes no
                // core file. Plain terminations are silent, as under Linux.
                let core = if action == DefaultAction::Core {
                    " (Linux would dump core here; rvrun writes no core file)"
                } else {
                    ""
                };
                match why {
                    Some(why) => crate::output::message(&format!(
                        "rvrun: {why}: guest killed by {}{core}",
                        signal_name(sig)
                    )),
                    None if !core.is_empty() => crate::output::message(&format!(
                        "rvrun: guest killed by {}{core}",
                        signal_name(sig)
                    )),
                    None => {}
                }
                self.exit = Some(crate::kernel::process::ExitReason::Signaled(sig));
            }
            DefaultAction::Ignore | DefaultAction::Continue => {}
            DefaultAction::Stop => self.stop(format!(
                "{} would stop the process (job control is not emulated)",
                signal_name(sig)
            )),
        }
    }

    /// A synchronous fault (SIGSEGV, SIGBUS, SIGILL, SIGTRAP) raised by the instruction at
    /// `cpu.pc`: enters the guest's handler with the faulting context, or, when the signal
    /// is blocked, ignored or left at its default, ends the process as Linux's force_sig does.
    pub fn raise_fault(&mut self, info: SigInfo, why: &str) {
        let sig = info.signo;
        let act = self.sig.action(sig);
        let blocked = self.thread.sigmask & (1 << (sig - 1)) != 0;
        if act.handler == SIG_DFL || act.handler == SIG_IGN || blocked {
            self.sig.actions[sig as usize - 1].handler = SIG_DFL;
            self.default_action(sig, Some(why));
        } else {
            self.enter_handler(sig, info);
        }
    }
}
