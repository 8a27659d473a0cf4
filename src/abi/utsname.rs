//! The `struct utsname` rvrun reports (linux/utsname.h: six fields of 65 bytes).

/// The fixed `struct utsname` the guest sees (six 65-byte fields).
pub const UTSNAME: [&str; 6] = [
    "Linux",
    "rvrun",
    "6.8.0-rvrun",
    "#1 SMP rvrun",
    "riscv64",
    "(none)",
];
