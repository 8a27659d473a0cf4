//! ABI names of the integer registers (the RISC-V psABI), for code outside the interpreter
//! that reads or writes a hart's registers by role: `ecall` arguments, the stack pointer,
//! the thread pointer.

/// x1, the return address.
pub const RA: usize = 1;
/// x2, the stack pointer.
pub const SP: usize = 2;
/// x3, the global pointer.
pub const GP: usize = 3;
/// x4, the thread pointer.
pub const TP: usize = 4;
/// x10: first argument and return value.
pub const A0: usize = 10;
/// x11: second argument.
pub const A1: usize = 11;
/// x12: third argument.
pub const A2: usize = 12;
/// x13: fourth argument.
pub const A3: usize = 13;
/// x14: fifth argument.
pub const A4: usize = 14;
/// x15: sixth argument.
pub const A5: usize = 15;
/// x16: seventh argument.
pub const A6: usize = 16;
/// x17: eighth argument; the syscall number at `ecall`.
pub const A7: usize = 17;
