//! Moving ABI structs between the kernel and guest memory (Linux's uaccess helpers).

use crate::abi::time::timespec_ns;
use crate::abi::{Errno, Writer};
use crate::mem::{GuestMemory, MemFault};

/// A guest access that faults is EFAULT to the caller.
impl From<MemFault> for Errno {
    fn from(_: MemFault) -> Errno {
        Errno::EFAULT
    }
}

/// Stores an ABI struct image in guest memory.
pub trait Store {
    /// Writes the image to guest memory at `addr`.
    fn store(&self, mem: &mut GuestMemory, addr: u64) -> Result<(), MemFault>;
}

impl Store for Writer {
    fn store(&self, mem: &mut GuestMemory, addr: u64) -> Result<(), MemFault> {
        mem.write_bytes(addr, self.as_bytes())
    }
}

/// Reads a `struct timespec` as nanoseconds; EINVAL for a negative or out-of-range field.
pub fn read_timespec(mem: &GuestMemory, addr: u64) -> Result<Result<u128, Errno>, MemFault> {
    let sec = mem.read_u64(addr)? as i64;
    let nsec = mem.read_u64(addr.wrapping_add(8))? as i64;
    Ok(timespec_ns(sec, nsec))
}
