//! The riscv64 Linux ABI: errno values, flags, constants and guest struct layouts, one file
//! per uapi area (`asm-generic/*.h`, `linux/*.h`). Structs are written out field by field in
//! little-endian with [`Writer`], never by transmuting host structs.
//!
//! This module is a leaf: it imports nothing from the rest of rvrun, and the VFS, the memory
//! layer, the loader and the kernel all take their Linux numbers from here.

pub mod auxv;
pub mod errno;
pub mod eventpoll;
pub mod fcntl;
pub mod futex;
pub mod hwprobe;
pub mod ioctl;
pub mod limits;
pub mod membarrier;
pub mod mman;
pub mod poll;
pub mod prctl;
pub mod random;
pub mod resource;
pub mod signal;
pub mod socket;
pub mod stat;
pub mod time;
pub mod unistd;
pub mod utsname;
pub mod wait;

pub use errno::Errno;

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
    /// The bytes written so far.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}
