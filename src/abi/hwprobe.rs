//! riscv_hwprobe keys and values (asm/hwprobe.h).
//!
//! The constants carry their Linux names; the header documents them.
#![allow(missing_docs)]

/// riscv_hwprobe keys (asm/hwprobe.h).
pub mod key {
    pub const MVENDORID: i64 = 0;
    pub const MARCHID: i64 = 1;
    pub const MIMPID: i64 = 2;
    pub const BASE_BEHAVIOR: i64 = 3;
    pub const IMA_EXT_0: i64 = 4;
    pub const CPUPERF_0: i64 = 5;
    pub const ZICBOZ_BLOCK_SIZE: i64 = 6;
    pub const HIGHEST_VIRT_ADDRESS: i64 = 7;
    pub const TIME_CSR_FREQ: i64 = 8;
    pub const MISALIGNED_SCALAR_PERF: i64 = 9;
    pub const MISALIGNED_VECTOR_PERF: i64 = 10;
    pub const ZICBOM_BLOCK_SIZE: i64 = 12;
    pub const ZICBOP_BLOCK_SIZE: i64 = 15;
    pub const IMA_EXT_1: i64 = 16;
}
