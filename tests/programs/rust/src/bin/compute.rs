//! Integer compute in Rust: sorting, collections, FNV-1a, SHA-256, CRC-32, a prime sieve,
//! arbitrary-precision factorial and Fibonacci, u128/i128 arithmetic, and overflow-checked
//! operations. A final checksum folds everything together.
use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasherDefault, Hasher};

struct Fold(u64);

impl Fold {
    fn add(&mut self, v: u64) {
        for b in v.to_le_bytes() {
            self.0 = (self.0 ^ b as u64).wrapping_mul(0x100000001b3);
        }
    }
}

fn fnv1a(data: &[u8]) -> u64 {
    data.iter().fold(0xcbf29ce484222325, |h, &b| {
        (h ^ b as u64).wrapping_mul(0x100000001b3)
    })
}

/// A fixed-key hasher: std's default RandomState is seeded from getrandom, and nothing
/// printed here may depend on it.
#[derive(Default)]
struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        if self.0 == 0 {
            self.0 = 0xcbf29ce484222325;
        }
        for &b in bytes {
            self.0 = (self.0 ^ b as u64).wrapping_mul(0x100000001b3);
        }
    }
}

struct Lcg(u32);

impl Lcg {
    fn next(&mut self) -> u32 {
        self.0 = self.0.wrapping_mul(1103515245).wrapping_add(12345);
        self.0
    }
}

fn test_sort(f: &mut Fold) {
    let mut rng = Lcg(12345);
    let mut u: Vec<u32> = (0..100_000).map(|_| rng.next()).collect();
    let mut s: Vec<i64> = (0..100_000)
        .map(|_| (((rng.next() as u64) << 32) | rng.next() as u64) as i64)
        .collect();
    u.sort_unstable();
    s.sort();
    let sorted = u.windows(2).all(|w| w[0] <= w[1]) && s.windows(2).all(|w| w[0] <= w[1]);
    let bytes: Vec<u8> = u.iter().flat_map(|x| x.to_le_bytes()).collect();
    let hu = fnv1a(&bytes);
    println!(
        "sort: sorted={sorted} min={} max={} median={} fnv={hu:016x}",
        u[0],
        u[u.len() - 1],
        u[u.len() / 2]
    );
    println!("sort i64: min={} max={}", s[0], s[s.len() - 1]);
    f.add(hu);

    let mut words: Vec<String> = (0..2000)
        .map(|i| format!("w{:x}", (i * 7919) % 3001))
        .collect();
    words.sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
    words.dedup();
    println!(
        "words: {} unique, first {} last {}",
        words.len(),
        words[0],
        words[words.len() - 1]
    );

    let mut counts: HashMap<u32, u32, BuildHasherDefault<Fnv>> = HashMap::default();
    let mut tree = BTreeMap::new();
    for x in &u {
        *counts.entry(x % 1000).or_default() += 1;
        *tree.entry(x % 997).or_insert(0u64) += *x as u64;
    }
    let (most, n) = counts
        .iter()
        .max_by_key(|(k, v)| (**v, std::cmp::Reverse(**k)))
        .unwrap();
    let first: Vec<_> = tree.iter().take(3).collect();
    println!(
        "hashmap: {} keys, most common residue {most} x{n}; btree first {first:?}",
        counts.len()
    );
    f.add(tree.values().sum());
}

const K: [u32; 64] = [
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
];

fn sha256(data: &[u8]) -> [u8; 32] {
    let mut h: [u32; 8] = [
        0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab,
        0x5be0cd19,
    ];
    let mut msg = data.to_vec();
    msg.push(0x80);
    while msg.len() % 64 != 56 {
        msg.push(0);
    }
    msg.extend_from_slice(&((data.len() as u64) * 8).to_be_bytes());
    for block in msg.chunks_exact(64) {
        let mut w = [0u32; 64];
        for i in 0..16 {
            w[i] = u32::from_be_bytes(block[4 * i..4 * i + 4].try_into().unwrap());
        }
        for i in 16..64 {
            let s0 = w[i - 15].rotate_right(7) ^ w[i - 15].rotate_right(18) ^ (w[i - 15] >> 3);
            let s1 = w[i - 2].rotate_right(17) ^ w[i - 2].rotate_right(19) ^ (w[i - 2] >> 10);
            w[i] = w[i - 16]
                .wrapping_add(s0)
                .wrapping_add(w[i - 7])
                .wrapping_add(s1);
        }
        let [mut a, mut b, mut c, mut d, mut e, mut f, mut g, mut hh] = h;
        for i in 0..64 {
            let t1 = hh
                .wrapping_add(e.rotate_right(6) ^ e.rotate_right(11) ^ e.rotate_right(25))
                .wrapping_add((e & f) ^ (!e & g))
                .wrapping_add(K[i])
                .wrapping_add(w[i]);
            let t2 = (a.rotate_right(2) ^ a.rotate_right(13) ^ a.rotate_right(22))
                .wrapping_add((a & b) ^ (a & c) ^ (b & c));
            hh = g;
            g = f;
            f = e;
            e = d.wrapping_add(t1);
            d = c;
            c = b;
            b = a;
            a = t1.wrapping_add(t2);
        }
        for (x, y) in h.iter_mut().zip([a, b, c, d, e, f, g, hh]) {
            *x = x.wrapping_add(y);
        }
    }
    let mut out = [0u8; 32];
    for (i, x) in h.iter().enumerate() {
        out[4 * i..4 * i + 4].copy_from_slice(&x.to_be_bytes());
    }
    out
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn test_hashes(f: &mut Fold) {
    println!("sha256(abc)={}", hex(&sha256(b"abc")));
    println!("sha256()={}", hex(&sha256(b"")));
    let buf: Vec<u8> = (0..1usize << 20)
        .map(|i| (i * 31 + (i >> 8)) as u8)
        .collect();
    let d = sha256(&buf);
    println!("sha256(1MiB)={}", hex(&d));
    f.add(fnv1a(&d));
    let mut table = [0u32; 256];
    for (i, t) in table.iter_mut().enumerate() {
        let mut c = i as u32;
        for _ in 0..8 {
            c = if c & 1 != 0 {
                0xEDB88320 ^ (c >> 1)
            } else {
                c >> 1
            };
        }
        *t = c;
    }
    let crc = |data: &[u8]| {
        !data.iter().fold(!0u32, |c, &b| {
            table[((c ^ b as u32) & 0xff) as usize] ^ (c >> 8)
        })
    };
    println!(
        "crc32(123456789)={:08x} crc32(1MiB)={:08x}",
        crc(b"123456789"),
        crc(&buf)
    );
    f.add(crc(&buf) as u64);
}

/// Little-endian base-1e9 limbs.
#[derive(Clone)]
struct Big(Vec<u32>);

impl Big {
    fn mul_small(&mut self, m: u32) {
        let mut carry = 0u64;
        for d in self.0.iter_mut() {
            let v = *d as u64 * m as u64 + carry;
            *d = (v % 1_000_000_000) as u32;
            carry = v / 1_000_000_000;
        }
        while carry > 0 {
            self.0.push((carry % 1_000_000_000) as u32);
            carry /= 1_000_000_000;
        }
    }
    fn add(&self, o: &Big) -> Big {
        let mut r = Vec::with_capacity(self.0.len().max(o.0.len()) + 1);
        let mut carry = 0;
        for i in 0..self.0.len().max(o.0.len()) {
            let v = carry + self.0.get(i).copied().unwrap_or(0) + o.0.get(i).copied().unwrap_or(0);
            carry = (v >= 1_000_000_000) as u32;
            r.push(v - carry * 1_000_000_000);
        }
        if carry > 0 {
            r.push(carry);
        }
        Big(r)
    }
}

impl std::fmt::Display for Big {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        let mut it = self.0.iter().rev();
        write!(f, "{}", it.next().unwrap_or(&0))?;
        for d in it {
            write!(f, "{d:09}")?;
        }
        Ok(())
    }
}

fn test_bignum(f: &mut Fold) {
    let mut fact = Big(vec![1]);
    for i in 2..=500 {
        fact.mul_small(i);
    }
    let s = fact.to_string();
    let digit_sum: u32 = s.bytes().map(|b| (b - b'0') as u32).sum();
    println!(
        "500! has {} digits, digit sum {digit_sum}\n500! = {s}",
        s.len()
    );
    f.add(fnv1a(s.as_bytes()));
    let (mut a, mut b) = (Big(vec![0]), Big(vec![1]));
    for _ in 2..=1000 {
        let c = a.add(&b);
        a = std::mem::replace(&mut b, c);
    }
    let s = b.to_string();
    println!("fib(1000) = {s}");
    f.add(fnv1a(s.as_bytes()));
}

fn test_sieve(f: &mut Fold) {
    const N: usize = 2_000_000;
    let mut composite = vec![false; N + 1];
    let (mut count, mut sum) = (0u32, 0u64);
    for i in 2..=N {
        if composite[i] {
            continue;
        }
        count += 1;
        sum += i as u64;
        let mut j = i * i;
        while j <= N {
            composite[j] = true;
            j += i;
        }
    }
    println!("primes <= {N}: {count}, sum {sum}");
    f.add(count as u64);
    f.add(sum);
}

fn test_arith(f: &mut Fold) {
    let x = std::hint::black_box(0xfedcba9876543210u64);
    let y = std::hint::black_box(0x0123456789abcdefu64);
    let p = x as u128 * y as u128;
    let sp = (x as i64) as i128 * (y as i64) as i128;
    println!("u128 mul: {p:032x}");
    println!("i128 mul: {sp:032x} = {sp}");
    println!(
        "u128 div: {:032x} rem {}",
        p / 1_000_000_007,
        p % 1_000_000_007
    );
    f.add(p as u64 ^ (p >> 64) as u64);
    let min = std::hint::black_box(i64::MIN);
    let m1 = std::hint::black_box(-1i64);
    println!(
        "checked_div(MIN,-1)={:?} wrapping_div={} overflowing_mul={:?} saturating_add={} checked_rem(7,0)={:?}",
        min.checked_div(m1),
        min.wrapping_div(m1),
        min.overflowing_mul(m1),
        (i64::MAX - 5).saturating_add(std::hint::black_box(10)),
        7i64.checked_rem(std::hint::black_box(0))
    );
    let bits = std::hint::black_box(0x00f0000000001000u64);
    println!(
        "popcount={} clz={} ctz={} swap={:016x} rev={:016x} rotl={:016x}",
        bits.count_ones(),
        bits.leading_zeros(),
        bits.trailing_zeros(),
        bits.swap_bytes(),
        bits.reverse_bits(),
        bits.rotate_left(13)
    );
    let sh = std::hint::black_box(-12345i32);
    println!(
        "sra={} srl={} sll={} isqrt={} pow={}",
        sh >> 3,
        (sh as u32) >> 3,
        sh << 7,
        1_000_000_007u64.isqrt(),
        3u64.pow(40)
    );
    println!(
        "i32 div rem: {} {} {} {}",
        -7 / std::hint::black_box(2),
        -7 % std::hint::black_box(2),
        (-7i32).rem_euclid(2),
        (-7i32).div_euclid(2)
    );
    f.add(bits.reverse_bits());
}

fn main() {
    let mut f = Fold(0xcbf29ce484222325);
    test_sort(&mut f);
    test_hashes(&mut f);
    test_bignum(&mut f);
    test_sieve(&mut f);
    test_arith(&mut f);
    let s = "grüße, 世界 🦀";
    println!(
        "utf8: {} bytes, {} chars, upper {}, rev {}",
        s.len(),
        s.chars().count(),
        s.to_uppercase(),
        s.chars().rev().collect::<String>()
    );
    println!("checksum {:016x}", f.0);
}
