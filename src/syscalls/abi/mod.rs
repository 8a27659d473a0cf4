//! Guest-visible structs and constants of the riscv64 Linux ABI, written out field by field in
//! little-endian (never by transmuting host structs). Layouts are from the uapi headers
//! (`asm-generic/*.h`, `linux/*.h`) for riscv64.

pub mod stat;

use crate::mem::{GuestMemory, MemFault};

/// Little-endian byte builder for guest structs.
#[derive(Default)]
pub struct Writer(pub Vec<u8>);

impl Writer {
    /// An empty struct image.
    pub fn new() -> Writer {
        Writer(Vec::new())
    }
    /// Appends a u8.
    pub fn u8(&mut self, v: u8) -> &mut Self {
        self.0.push(v);
        self
    }
    /// Appends a little-endian u16.
    pub fn u16(&mut self, v: u16) -> &mut Self {
        self.0.extend_from_slice(&v.to_le_bytes());
        self
    }
    /// Appends a little-endian u32.
    pub fn u32(&mut self, v: u32) -> &mut Self {
        self.0.extend_from_slice(&v.to_le_bytes());
        self
    }
    /// Appends a little-endian u64.
    pub fn u64(&mut self, v: u64) -> &mut Self {
        self.0.extend_from_slice(&v.to_le_bytes());
        self
    }
    /// Appends a little-endian i64.
    pub fn i64(&mut self, v: i64) -> &mut Self {
        self.u64(v as u64)
    }
    /// Appends raw bytes.
    pub fn bytes(&mut self, b: &[u8]) -> &mut Self {
        self.0.extend_from_slice(b);
        self
    }
    /// Appends `n` zero bytes.
    pub fn zeros(&mut self, n: usize) -> &mut Self {
        self.0.resize(self.0.len() + n, 0);
        self
    }
    /// Pads with zeros to a multiple of `align`.
    pub fn align(&mut self, align: usize) -> &mut Self {
        let n = self.0.len().next_multiple_of(align) - self.0.len();
        self.zeros(n)
    }
    /// Writes the image to guest memory at `addr`.
    pub fn store(&self, mem: &mut GuestMemory, addr: u64) -> Result<(), MemFault> {
        mem.write_bytes(addr, &self.0)
    }
}

/// `struct timespec` (16 bytes: tv_sec, tv_nsec).
pub fn timespec(ns: u128) -> Writer {
    let mut w = Writer::new();
    w.i64((ns / 1_000_000_000) as i64)
        .i64((ns % 1_000_000_000) as i64);
    w
}

/// Reads a `struct timespec` as nanoseconds; EINVAL for a negative or out-of-range field.
pub fn read_timespec(
    mem: &GuestMemory,
    addr: u64,
) -> Result<Result<u128, crate::syscalls::Errno>, MemFault> {
    let sec = mem.read_u64(addr)? as i64;
    let nsec = mem.read_u64(addr + 8)? as i64;
    if sec < 0 || !(0..1_000_000_000).contains(&nsec) {
        return Ok(Err(crate::syscalls::Errno::EINVAL));
    }
    Ok(Ok(sec as u128 * 1_000_000_000 + nsec as u128))
}
