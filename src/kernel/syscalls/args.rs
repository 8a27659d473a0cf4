//! Typed access to a syscall's six argument registers (a0..a5).
//!
//! Each accessor reads one register as the C type the syscall declares for it, truncating
//! as the kernel's own syscall wrappers do: an `int` or `unsigned int` argument uses only the
//! low 32 bits of its register, whatever the guest left in the upper half.

use crate::cpu::Cpu;
use crate::cpu::regs::A0;

/// The six argument registers of one `ecall`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Args(pub [u64; 6]);

impl Args {
    /// The arguments of the `ecall` `cpu` stopped at.
    pub fn from_cpu(cpu: &Cpu) -> Args {
        Args(std::array::from_fn(|i| cpu.reg(A0 + i)))
    }
    /// Argument `i` as the raw 64-bit register value (`unsigned long`, or a value whose
    /// meaning depends on other arguments).
    pub fn raw(&self, i: usize) -> u64 {
        self.0[i]
    }
    /// Argument `i` as a file descriptor (`int fd`).
    pub fn fd(&self, i: usize) -> i32 {
        self.0[i] as i32
    }
    /// Argument `i` as a guest pointer (`void __user *`).
    pub fn ptr(&self, i: usize) -> u64 {
        self.0[i]
    }
    /// Argument `i` as a length or count (`size_t`).
    pub fn size(&self, i: usize) -> u64 {
        self.0[i]
    }
    /// Argument `i` as a C `int`.
    pub fn int(&self, i: usize) -> i32 {
        self.0[i] as i32
    }
    /// Argument `i` as a C `unsigned int`: flags, modes, small enumerations.
    pub fn uint(&self, i: usize) -> u32 {
        self.0[i] as u32
    }
    /// Argument `i` as a signed `long` (`off_t`, `loff_t`, `pid_t` widened).
    pub fn long(&self, i: usize) -> i64 {
        self.0[i] as i64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn int_arguments_use_the_low_half_only() {
        let a = Args([0xdead_beef_0000_0003, u64::MAX, 0x1_0000_0005, 7, 8, 9]);
        assert_eq!(a.fd(0), 3);
        assert_eq!(a.int(1), -1);
        assert_eq!(a.uint(2), 5);
        assert_eq!(a.long(1), -1);
        assert_eq!(a.ptr(0), 0xdead_beef_0000_0003);
        assert_eq!(a.size(2), 0x1_0000_0005);
        assert_eq!(a.raw(5), 9);
    }
}
