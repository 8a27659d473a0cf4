//! Hash maps keyed by integers (pcs, encodings, thread ids) with a cheap hasher: reading a
//! trace looks one up per instruction, where the default SipHash would dominate.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// A `HashMap` with [`IntHasher`].
pub type IntMap<K, V> = HashMap<K, V, BuildHasherDefault<IntHasher>>;

/// Multiply-xorshift hashing of integer keys (not for untrusted keys: no DoS resistance).
#[derive(Clone, Copy, Debug, Default)]
pub struct IntHasher(u64);

const K: u64 = 0x9e37_79b9_7f4a_7c15;

impl Hasher for IntHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }

    #[inline]
    fn write_u64(&mut self, v: u64) {
        self.0 = (self.0.rotate_left(5) ^ v).wrapping_mul(K);
    }

    #[inline]
    fn write_u32(&mut self, v: u32) {
        self.write_u64(u64::from(v));
    }

    #[inline]
    fn finish(&self) -> u64 {
        // Mix the high bits down: the table indexes by the low bits, and pcs are even.
        self.0 ^ (self.0 >> 32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_work_and_spread_even_keys() {
        let mut m: IntMap<u64, u32> = IntMap::default();
        for pc in (0x1000u64..0x9000).step_by(2) {
            m.insert(pc, pc as u32);
        }
        assert_eq!(m.len(), 0x4000);
        assert_eq!(m.get(&0x1002), Some(&0x1002));
        assert_eq!(m.get(&0x1001), None);
        let low_bits: std::collections::HashSet<u64> = (0x1000u64..0x1100)
            .step_by(2)
            .map(|pc| {
                let mut h = IntHasher::default();
                h.write_u64(pc);
                h.finish() & 0xff
            })
            .collect();
        assert!(low_bits.len() > 64, "{} distinct low bytes", low_bits.len());
    }
}
