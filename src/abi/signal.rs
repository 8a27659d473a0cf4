//! Signal numbers, dispositions, flags and the riscv64 signal frame layout
//! (asm-generic/signal.h, asm-generic/siginfo.h, asm/ucontext.h, asm/sigcontext.h).
//!
//! The constants carry their Linux names; the header documents them.
#![allow(missing_docs)]

/// Size of the kernel's sigset_t on riscv64.
pub const SIGSET_SIZE: u64 = 8;
pub const SIG_BLOCK: u64 = 0;
pub const SIG_UNBLOCK: u64 = 1;
pub const SIG_SETMASK: u64 = 2;
/// MINSIGSTKSZ on riscv64.
pub const MINSIGSTKSZ: u64 = 2048;

/// sizeof(siginfo_t).
pub const SIGINFO_SIZE: u64 = 128;
/// Offsets inside `struct ucontext`.
pub const UC_STACK: u64 = 16;
pub const UC_SIGMASK: u64 = 40;
pub const UC_MCONTEXT: u64 = 176;
/// sizeof(struct ucontext): the mcontext is 32 registers plus the 528-byte Q-sized FP state.
pub const UCONTEXT_SIZE: u64 = UC_MCONTEXT + 32 * 8 + 528;
/// Offset of the FP registers and fcsr inside the mcontext.
pub const MC_FPREGS: u64 = 32 * 8;
pub const MC_FCSR: u64 = MC_FPREGS + 32 * 8;
/// sizeof(struct rt_sigframe).
pub const FRAME_SIZE: u64 = SIGINFO_SIZE + UCONTEXT_SIZE;

/// Signal numbers (asm-generic/signal.h).
pub const SIGHUP: u32 = 1;
#[allow(missing_docs)]
pub const SIGINT: u32 = 2;
#[allow(missing_docs)]
pub const SIGQUIT: u32 = 3;
#[allow(missing_docs)]
pub const SIGILL: u32 = 4;
#[allow(missing_docs)]
pub const SIGTRAP: u32 = 5;
#[allow(missing_docs)]
pub const SIGABRT: u32 = 6;
#[allow(missing_docs)]
pub const SIGBUS: u32 = 7;
#[allow(missing_docs)]
pub const SIGFPE: u32 = 8;
#[allow(missing_docs)]
pub const SIGKILL: u32 = 9;
#[allow(missing_docs)]
pub const SIGSEGV: u32 = 11;
#[allow(missing_docs)]
pub const SIGPIPE: u32 = 13;
#[allow(missing_docs)]
pub const SIGCHLD: u32 = 17;
#[allow(missing_docs)]
pub const SIGSTOP: u32 = 19;
/// Signals that can never be blocked, caught or ignored (SIGKILL, SIGSTOP).
pub const UNBLOCKABLE: u64 = (1 << (SIGKILL - 1)) | (1 << (SIGSTOP - 1));
/// Number of signals (1..=64).
pub const NSIG: usize = 64;

/// SIG_DFL handler value.
pub const SIG_DFL: u64 = 0;
/// SIG_IGN handler value.
pub const SIG_IGN: u64 = 1;

/// sigaltstack flags: the thread is running on the stack, the stack is off, and the stack
/// is disabled while a handler runs on it.
pub const SS_ONSTACK: u32 = 1;
#[allow(missing_docs)]
pub const SS_DISABLE: u32 = 2;
#[allow(missing_docs)]
pub const SS_AUTODISARM: u32 = 1 << 31;
/// sigaction flags that change delivery.
pub const SA_ONSTACK: u64 = 0x0800_0000;
#[allow(missing_docs)]
pub const SA_RESTART: u64 = 0x1000_0000;
#[allow(missing_docs)]
pub const SA_NODEFER: u64 = 0x4000_0000;
#[allow(missing_docs)]
pub const SA_RESETHAND: u64 = 0x8000_0000;

/// si_code values of synchronous faults (asm-generic/siginfo.h).
pub const SEGV_MAPERR: i32 = 1;
pub const SEGV_ACCERR: i32 = 2;
pub const BUS_ADRALN: i32 = 1;
pub const BUS_ADRERR: i32 = 2;
pub const ILL_ILLOPC: i32 = 1;
pub const TRAP_BRKPT: i32 = 1;
