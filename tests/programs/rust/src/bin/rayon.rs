//! rayon: a parallel sort and a parallel map-reduce on a thread pool (RAYON_NUM_THREADS from
//! the environment). Prints only results that do not depend on the interleaving.

use rayon::prelude::*;

fn main() {
    let threads = rayon::current_num_threads();
    // A deterministic pseudo-random vector (xorshift).
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut v: Vec<u64> = (0..200_000)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        })
        .collect();
    v.par_sort_unstable();
    let sorted = v.windows(2).all(|w| w[0] <= w[1]);
    let checksum = v.par_iter().enumerate().map(|(i, &e)| e.wrapping_mul(i as u64 + 1)).reduce(|| 0, u64::wrapping_add);
    let primes = (2u32..200_000).into_par_iter().filter(|&n| (2..).take_while(|d| d * d <= n).all(|d| n % d != 0)).count();
    let words: Vec<String> = (0..10_000).map(|i| format!("w{}", i % 997)).collect();
    let longest = words.par_iter().map(|w| w.len()).max().unwrap_or(0);
    println!("pool threads {threads}");
    println!("sorted {sorted} min {} max {}", v[0], v[v.len() - 1]);
    println!("checksum {checksum:x}");
    println!("primes below 200000: {primes}");
    println!("longest word {longest}");
}
