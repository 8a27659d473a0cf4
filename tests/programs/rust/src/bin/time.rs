//! Clocks from Rust: SystemTime, Instant, thread::sleep. Under rvrun time is virtual, so
//! the output is reproducible; under QEMU it is the host's clock (determinism-only case).
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

fn main() {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock before 1970");
    println!(
        "SystemTime since epoch: {}.{:09}",
        now.as_secs(),
        now.subsec_nanos()
    );
    let days = now.as_secs() / 86400;
    println!(
        "days since epoch: {days}, seconds today: {}",
        now.as_secs() % 86400
    );
    let start = Instant::now();
    std::thread::sleep(Duration::from_millis(3));
    let slept = start.elapsed();
    println!(
        "sleep(3ms): elapsed {slept:?}, at least 3ms: {}",
        slept >= Duration::from_millis(3)
    );
    let t0 = Instant::now();
    let mut x = 0u64;
    for i in 0..100_000u64 {
        x = x.wrapping_mul(31).wrapping_add(i);
    }
    println!("busy loop result {x}, took {:?}", t0.elapsed());
}
