//! Which host pages of the guest reservation may hold data. A page of the anonymous
//! reservation that is neither present nor swapped out has never been written since it was
//! last discarded, so it reads as zero: digests and memory images skip it without reading
//! it. The answer comes from `/proc/self/pagemap`; without it every page counts as possibly
//! holding data (slower, same result).

use std::fs::File;
use std::os::unix::fs::FileExt;

/// pagemap entry bit: the page is present in RAM.
const PM_PRESENT: u64 = 1 << 63;
/// pagemap entry bit: the page is swapped out.
const PM_SWAPPED: u64 = 1 << 62;
/// Entries read per pagemap call.
const BATCH: usize = 4096;

/// A reader of the host's page table for this process.
pub struct Residency {
    pagemap: Option<File>,
}

impl Residency {
    /// Opens `/proc/self/pagemap` (absent on some hosts: then every page may hold data).
    pub fn open() -> Residency {
        Residency {
            pagemap: File::open("/proc/self/pagemap").ok(),
        }
    }

    /// Calls `f(i)` for every page index `i` in `0..pages` of the host range starting at the
    /// page-aligned host address `host` whose page may hold data.
    pub fn for_each_possibly_dirty(&self, host: usize, pages: u64, mut f: impl FnMut(u64)) {
        let Some(pm) = &self.pagemap else {
            (0..pages).for_each(f);
            return;
        };
        let first = (host / super::PAGE_SIZE as usize) as u64;
        let mut buf = vec![0u8; BATCH * 8];
        let mut done = 0u64;
        while done < pages {
            let n = (pages - done).min(BATCH as u64) as usize;
            let bytes = &mut buf[..n * 8];
            if pm.read_exact_at(bytes, (first + done) * 8).is_err() {
                // Unreadable: count the rest as possibly holding data.
                (done..pages).for_each(&mut f);
                return;
            }
            for (i, e) in bytes.chunks_exact(8).enumerate() {
                let e = u64::from_le_bytes(e.try_into().expect("8-byte chunk"));
                if e & (PM_PRESENT | PM_SWAPPED) != 0 {
                    f(done + i as u64);
                }
            }
            done += n as u64;
        }
    }
}
