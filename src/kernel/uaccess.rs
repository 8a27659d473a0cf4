//! Moving ABI structs between the kernel and guest memory (Linux's uaccess helpers).

use crate::abi::limits::{MAX_RW_COUNT, UIO_MAXIOV};
use crate::abi::time::timespec_ns;
use crate::abi::{Errno, Writer};
use crate::mem::{Access, GuestMemory, MemFault, perm};

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

/// EFAULT unless `[addr, addr+len)` passes `access_ok` and is mapped with the `need`
/// permission bits (`perm::W` for a buffer the kernel writes).
pub fn check_user_buf(mem: &GuestMemory, addr: u64, len: u64, need: u8) -> Result<(), Errno> {
    if !GuestMemory::access_ok(addr, len) {
        return Err(Errno::EFAULT);
    }
    let access = if need & perm::W != 0 {
        Access::Write
    } else {
        Access::Read
    };
    mem.check_range(addr, len, need, access)?;
    Ok(())
}

/// Reads and checks an iovec array (`import_iovec`): `too_many` for more than
/// [`UIO_MAXIOV`] entries (EINVAL for readv/writev, EMSGSIZE for messages), EINVAL for a
/// negative length, EFAULT for an unreadable array or (with `need`) an inaccessible buffer.
/// The lengths are cut so that their sum stays within [`MAX_RW_COUNT`].
pub fn read_iovecs(
    mem: &GuestMemory,
    addr: u64,
    count: u64,
    need: u8,
    too_many: Errno,
) -> Result<Vec<(u64, usize)>, Errno> {
    if count > UIO_MAXIOV {
        return Err(too_many);
    }
    let raw = mem.read_vec(addr, count as usize * 16)?;
    let mut out = Vec::with_capacity(count as usize);
    let mut total = 0usize;
    for c in raw.chunks_exact(16) {
        let (base, len) = c.split_at(8);
        let base = u64::from_le_bytes(base.try_into().expect("8 bytes"));
        let len = u64::from_le_bytes(len.try_into().expect("8 bytes"));
        if (len as i64) < 0 {
            return Err(Errno::EINVAL);
        }
        check_user_buf(mem, base, len, need)?;
        let len = (len as usize).min(MAX_RW_COUNT - total);
        total += len;
        out.push((base, len));
    }
    Ok(out)
}
