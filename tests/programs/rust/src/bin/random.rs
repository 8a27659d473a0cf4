//! Entropy sources from Rust: the getrandom(2) libc call, /dev/urandom, and std's
//! HashMap RandomState (seeded from getrandom) observed through iteration order. Under rvrun
//! everything derives from --seed; under QEMU it is truly random (determinism-only case).
use std::collections::HashMap;
use std::io::Read;

unsafe extern "C" {
    // musl's wrapper for the getrandom syscall
    fn getrandom(buf: *mut u8, len: usize, flags: u32) -> isize;
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn main() {
    let mut b = [0u8; 16];
    let n = unsafe { getrandom(b.as_mut_ptr(), b.len(), 0) };
    if n == 16 {
        println!("getrandom: {}", hex(&b));
    } else {
        println!("getrandom failed");
    }
    let mut f = std::fs::File::open("/dev/urandom").expect("open /dev/urandom");
    f.read_exact(&mut b).expect("read /dev/urandom");
    println!("/dev/urandom: {}", hex(&b));
    let map: HashMap<u32, ()> = (0..16).map(|i| (i, ())).collect();
    let order: Vec<String> = map.keys().map(|k| k.to_string()).collect();
    println!("HashMap order: {}", order.join(","));
}
