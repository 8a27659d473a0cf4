//! Heap through Rust's global allocator (musl's malloc): many small boxes and strings,
//! a Vec grown by doubling to 64 MiB (realloc, which musl serves with mremap), a 48 MiB
//! zeroed allocation (calloc: fresh mmap pages), shrink_to_fit, and collections churn.
//! Only contents and checksums are printed, never addresses.
use std::collections::{BTreeMap, VecDeque};

fn fnv(h: u64, data: &[u8]) -> u64 {
    data.iter()
        .fold(h, |h, &b| (h ^ b as u64).wrapping_mul(0x100000001b3))
}

fn pattern(i: usize, seed: usize) -> u8 {
    (i.wrapping_mul(7) + seed + (i >> 12)) as u8
}

fn main() {
    // many small allocations
    let mut boxes: Vec<Box<[u8]>> = (0..50_000)
        .map(|i| (0..1 + (i * 37) % 200).map(|j| pattern(j, i)).collect())
        .collect();
    let first_round: usize = boxes.iter().map(|b| b.len()).sum();
    for i in (0..boxes.len()).step_by(2) {
        boxes[i] = (0..1 + (i * 13) % 300).map(|j| pattern(j, i + 1)).collect();
    }
    let h = boxes.iter().fold(0xcbf29ce484222325, |h, b| fnv(h, b));
    println!(
        "small: {} boxes, {first_round} bytes first round, hash={h:016x}",
        boxes.len()
    );
    drop(boxes);

    let mut strings = Vec::new();
    for i in 0..20_000 {
        strings.push(format!("string number {i} {}", "x".repeat(i % 50)));
    }
    let total: usize = strings.iter().map(|s| s.len()).sum();
    strings.retain(|s| s.len() % 3 == 0);
    println!("strings: total {total} bytes, {} kept", strings.len());
    drop(strings);

    // growth by doubling: every step a realloc, the later ones mremap. The contents are
    // written and checked sparsely (every 251st byte) to keep the run short.
    let mut v: Vec<u8> = Vec::with_capacity(1 << 20);
    let mut ok = true;
    let mut cap_steps = 0;
    let mut last_cap = v.capacity();
    while v.len() < 64 << 20 {
        let start = v.len();
        v.resize(start + (256 << 10), 0);
        for k in (start.next_multiple_of(251)..v.len()).step_by(251) {
            v[k] = pattern(k, 2);
        }
        if v.capacity() != last_cap {
            cap_steps += 1;
            last_cap = v.capacity();
            ok &= (0..start).step_by(251).all(|k| v[k] == pattern(k, 2));
        }
    }
    println!(
        "vec grown to {} MiB in {cap_steps} reallocations, intact={ok}",
        v.len() >> 20
    );
    v.truncate(4096);
    v.shrink_to_fit();
    println!(
        "shrunk: len {} intact={}",
        v.len(),
        (0..4096).step_by(251).all(|k| v[k] == pattern(k, 2))
    );
    drop(v);

    let z = vec![0u64; 6 << 20]; // 48 MiB, zeroed
    println!("zeroed 48MiB: {}", z.iter().step_by(4093).all(|&x| x == 0));
    let mut z = z;
    for i in (0..z.len()).step_by(511) {
        z[i] = i as u64;
    }
    let s: u64 = z.iter().step_by(511).sum();
    println!("sparse sum {s}");
    drop(z);

    // mid-size churn: blocks from 37 KiB to 1.4 MiB, some above musl's mmap threshold
    let mut h = 0xcbf29ce484222325;
    for round in 0..3 {
        let blocks: Vec<Vec<u8>> = (0..40)
            .map(|i| {
                let mut b = vec![(i + round) as u8; (i + 1) * 37 * 1024];
                for k in (0..b.len()).step_by(251) {
                    b[k] = pattern(k, i + round);
                }
                b
            })
            .collect();
        for b in blocks.iter().rev() {
            h = fnv(h, &b.iter().step_by(127).copied().collect::<Vec<u8>>());
        }
    }
    println!("mid-size rounds hash={h:016x}");

    let mut map = BTreeMap::new();
    let mut queue = VecDeque::new();
    for i in 0u64..100_000 {
        map.insert(i.wrapping_mul(0x9e3779b97f4a7c15) >> 40, i);
        queue.push_back(i);
        if queue.len() > 1000 {
            let old = queue.pop_front().unwrap();
            map.remove(&(old.wrapping_mul(0x9e3779b97f4a7c15) >> 40));
        }
    }
    println!(
        "btree {} entries, first {:?}, last {:?}",
        map.len(),
        map.iter().next(),
        map.iter().next_back()
    );
    println!("done");
}
