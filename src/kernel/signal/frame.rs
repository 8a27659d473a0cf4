//! The riscv64 Linux signal frame (arch/riscv/kernel/signal.c): `struct rt_sigframe` is a
//! 128-byte `siginfo_t` followed by a 960-byte `struct ucontext`, 16-byte aligned below the
//! interrupted sp (or at the top of the alternate stack). The handler returns through
//! rvrun's trampoline page, which calls rt_sigreturn.

use super::{
    AltStack, SA_NODEFER, SA_ONSTACK, SA_RESETHAND, SS_AUTODISARM, SS_DISABLE, SS_ONSTACK,
    signal_name,
};
use crate::abi::Writer;
use crate::abi::signal::*;
use crate::cpu::Cpu;
use crate::cpu::regs::{A0, A1, A2, RA, SP};
use crate::kernel::process::{ExitReason, GUEST_PID, GUEST_UID, Process};
use crate::kernel::uaccess::Store;
use crate::loader::layout::SIGRETURN_TRAMPOLINE;
use crate::mem::MemFault;
use crate::observe::RunEvent;

/// Who sent a signal (for si_code).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SigSource {
    /// kill(): SI_USER.
    Process,
    /// tkill()/tgkill(): SI_TKILL.
    Thread,
}

/// The `siginfo_t` of a delivery.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SigInfo {
    /// Signal number.
    pub signo: u32,
    /// si_code.
    pub code: i32,
    /// si_addr for faults; `None` for signals sent by a process (then si_pid/si_uid are set).
    pub addr: Option<u64>,
}

impl SigInfo {
    /// A signal sent with kill (SI_USER) or tkill/tgkill (SI_TKILL).
    pub fn sent(sig: u32, source: SigSource) -> SigInfo {
        let code = match source {
            SigSource::Process => 0,
            SigSource::Thread => -6,
        };
        SigInfo {
            signo: sig,
            code,
            addr: None,
        }
    }

    /// A fault at `addr` with code `code` (SEGV_MAPERR = 1, SEGV_ACCERR = 2, BUS_ADRALN = 1,
    /// ILL_ILLOPC = 1, TRAP_BRKPT = 1).
    pub fn fault(sig: u32, code: i32, addr: u64) -> SigInfo {
        SigInfo {
            signo: sig,
            code,
            addr: Some(addr),
        }
    }

    fn bytes(&self) -> Writer {
        let mut w = Writer::new();
        w.u32(self.signo).u32(0).u32(self.code as u32).u32(0);
        match self.addr {
            Some(addr) => w.u64(addr),
            None => w.u32(GUEST_PID as u32).u32(GUEST_UID as u32),
        };
        w.zeros((SIGINFO_SIZE as usize) - w.0.len());
        w
    }
}

fn on_stack(alt: &AltStack, sp: u64) -> bool {
    alt.size != 0 && sp > alt.sp && sp - alt.sp <= alt.size
}

/// `stack_t` as the kernel reports it for the thread whose sp is `sp`.
fn stack_bytes(alt: &AltStack, sp: u64) -> Writer {
    let flags = if alt.flags & SS_DISABLE != 0 || alt.size == 0 {
        SS_DISABLE
    } else if on_stack(alt, sp) {
        SS_ONSTACK
    } else {
        alt.flags & SS_AUTODISARM
    };
    let mut w = Writer::new();
    w.u64(alt.sp).u32(flags).u32(0).u64(alt.size);
    w
}

fn mcontext_bytes(cpu: &Cpu) -> Writer {
    let mut w = Writer::new();
    w.u64(cpu.pc);
    for r in 1..32 {
        w.u64(cpu.reg(r));
    }
    for f in cpu.f {
        w.u64(f);
    }
    w.u32(cpu.fcsr());
    w.zeros((UCONTEXT_SIZE - UC_MCONTEXT - MC_FCSR - 4) as usize);
    w
}

impl Process {
    /// Enters the handler for `sig` on the running thread: writes the frame, blocks the
    /// handler's mask, and points pc at the handler with ra at the sigreturn trampoline.
    pub(crate) fn enter_handler(&mut self, sig: u32, info: SigInfo) {
        let mark = self.event_mark();
        let act = self.sig.action(sig);
        let sp = self.cpu.reg(SP);
        let alt = self.thread.altstack;
        let use_alt = act.flags & SA_ONSTACK != 0
            && alt.flags & SS_DISABLE == 0
            && alt.size != 0
            && !on_stack(&alt, sp);
        let top = if use_alt {
            alt.sp.wrapping_add(alt.size)
        } else {
            sp
        };
        let frame = top.wrapping_sub(FRAME_SIZE) & !0xf;

        let mut uc = Writer::new();
        uc.u64(0).u64(0); // uc_flags, uc_link
        uc.bytes(&stack_bytes(&alt, sp).0);
        // A mask set for the duration of a ppoll/pselect6/epoll_pwait is undone by sigreturn.
        let saved = self.thread.saved_sigmask.take();
        uc.u64(saved.unwrap_or(self.thread.sigmask));
        uc.zeros((UC_MCONTEXT - UC_SIGMASK - 8) as usize);
        uc.bytes(&mcontext_bytes(&self.cpu).0);
        debug_assert_eq!(uc.0.len() as u64, UCONTEXT_SIZE);
        debug_assert_eq!(UC_STACK, 16);

        let written = info
            .bytes()
            .store(&mut self.mem, frame)
            .and_then(|_| uc.store(&mut self.mem, frame + SIGINFO_SIZE));
        if written.is_err() {
            // Linux's force_sigsegv: a frame that cannot be written kills the process.
            crate::output::message(&format!(
                "rvrun: cannot write the {} frame at 0x{frame:x}: guest killed by SIGSEGV",
                signal_name(sig)
            ));
            self.exit = Some(ExitReason::Signaled(super::SIGSEGV));
            return;
        }
        if use_alt && alt.flags & SS_AUTODISARM != 0 {
            self.thread.altstack = AltStack::default();
        }
        let mut mask = self.thread.sigmask | act.mask;
        if act.flags & SA_NODEFER == 0 {
            mask |= 1 << (sig - 1);
        }
        self.thread.sigmask = mask & !super::UNBLOCKABLE;
        if act.flags & SA_RESETHAND != 0 {
            self.sig.actions[sig as usize - 1] = super::SigAction::default();
        }
        self.cpu.reservation = None;
        self.cpu.pc = act.handler;
        self.cpu.set_reg(RA, SIGRETURN_TRAMPOLINE);
        self.cpu.set_reg(SP, frame);
        self.cpu.set_reg(A0, sig as u64);
        self.cpu.set_reg(A1, frame);
        self.cpu.set_reg(A2, frame + SIGINFO_SIZE);
        self.stats.signals += 1;
        let tid = self.thread.tid;
        self.note_event_at(mark, || RunEvent::Signal {
            tid,
            sig,
            handler: act.handler,
            frame,
        });
    }

    /// rt_sigreturn: restores the context saved in the frame at sp. Returns the restored a0
    /// (the dispatcher writes it back, so the interrupted code sees its own a0), or the fault
    /// when the frame cannot be read (nothing is changed then).
    pub fn sigreturn(&mut self) -> Result<u64, MemFault> {
        let uc = self.cpu.reg(SP).wrapping_add(SIGINFO_SIZE);
        let mc = self
            .mem
            .read_vec(uc.wrapping_add(UC_MCONTEXT), (MC_FCSR + 4) as usize)?;
        let word = |i: usize| u64::from_le_bytes(mc[i * 8..i * 8 + 8].try_into().expect("8 bytes"));
        let mask = self.mem.read_u64(uc.wrapping_add(UC_SIGMASK))?;
        let ss = self.mem.read_vec(uc.wrapping_add(UC_STACK), 24)?;
        self.cpu.pc = word(0);
        for r in 1..32 {
            self.cpu.set_reg(r, word(r));
        }
        for i in 0..32 {
            self.cpu.f[i] = word(32 + i);
        }
        let fcsr = u32::from_le_bytes(
            mc[MC_FCSR as usize..MC_FCSR as usize + 4]
                .try_into()
                .expect("4 bytes"),
        );
        self.cpu.set_fcsr(fcsr);
        self.cpu.reservation = None;
        self.thread.sigmask = mask & !super::UNBLOCKABLE;
        // restore_altstack: the saved stack_t becomes the thread's alternate stack again
        // (this is how SS_AUTODISARM re-arms it).
        let alt_sp = u64::from_le_bytes(ss[0..8].try_into().expect("8 bytes"));
        let alt_flags = u32::from_le_bytes(ss[8..12].try_into().expect("4 bytes"));
        let alt_size = u64::from_le_bytes(ss[16..24].try_into().expect("8 bytes"));
        if alt_flags & SS_DISABLE != 0 {
            self.thread.altstack = AltStack::default();
        } else {
            self.thread.altstack = AltStack {
                sp: alt_sp,
                flags: alt_flags & SS_AUTODISARM,
                size: alt_size,
            };
        }
        Ok(self.cpu.reg(A0))
    }
}
