//! membarrier commands (linux/membarrier.h).
//!
//! The constants carry their Linux names; the header documents them.
#![allow(missing_docs)]

pub const QUERY: u64 = 0;
pub const GLOBAL: u64 = 1;
pub const GLOBAL_EXPEDITED: u64 = 2;
pub const REGISTER_GLOBAL_EXPEDITED: u64 = 4;
pub const PRIVATE_EXPEDITED: u64 = 8;
pub const REGISTER_PRIVATE_EXPEDITED: u64 = 16;
pub const PRIVATE_EXPEDITED_SYNC_CORE: u64 = 32;
pub const REGISTER_PRIVATE_EXPEDITED_SYNC_CORE: u64 = 64;
pub const SUPPORTED: u64 = GLOBAL
    | GLOBAL_EXPEDITED
    | REGISTER_GLOBAL_EXPEDITED
    | PRIVATE_EXPEDITED
    | REGISTER_PRIVATE_EXPEDITED
    | PRIVATE_EXPEDITED_SYNC_CORE
    | REGISTER_PRIVATE_EXPEDITED_SYNC_CORE;
