//! The single random stream: getrandom, /dev/urandom, /dev/random and AT_RANDOM all draw
//! from it, in the order the guest asks, so a run depends only on `--seed`.

use rand_chacha::ChaCha20Rng;
use rand_core::{Rng, SeedableRng};

/// Seeded ChaCha20 stream.
pub struct GuestRng(ChaCha20Rng);

impl GuestRng {
    /// The stream for `seed`.
    pub fn new(seed: u64) -> GuestRng {
        GuestRng(ChaCha20Rng::seed_from_u64(seed))
    }

    /// Fills `buf` with the next bytes of the stream.
    pub fn fill(&mut self, buf: &mut [u8]) {
        self.0.fill_bytes(buf);
    }
}
