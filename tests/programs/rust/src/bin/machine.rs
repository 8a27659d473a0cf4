//! machine: what Rust's std learns about the machine: `available_parallelism` (affinity and
//! the cgroup CPU quota), and named threads as libtest names its test threads (prctl
//! PR_SET_NAME in the new thread), seen through `/proc/self/task/TID/comm`.

use std::thread;

fn comm(tid: i64) -> String {
    std::fs::read_to_string(format!("/proc/self/task/{tid}/comm"))
        .map(|s| s.trim_end().to_string())
        .unwrap_or_else(|e| format!("error: {e}"))
}

fn gettid() -> i64 {
    let tid: i64;
    // SAFETY: gettid (178) takes no arguments, touches no memory and cannot fail.
    unsafe {
        std::arch::asm!("ecall", in("a7") 178, lateout("a0") tid);
    }
    tid
}

fn main() {
    match thread::available_parallelism() {
        Ok(n) => println!("available_parallelism: {n}"),
        Err(e) => println!("available_parallelism: error {e}"),
    }
    let handles: Vec<_> = ["alpha", "a_test_name_longer_than_fifteen"]
        .iter()
        .map(|name| {
            thread::Builder::new()
                .name(name.to_string())
                .spawn(|| {
                    let tid = gettid();
                    (
                        thread::current().name().map(str::to_string),
                        comm(tid),
                    )
                })
                .unwrap()
        })
        .collect();
    for h in handles {
        let (name, comm) = h.join().unwrap();
        println!("thread {name:?}: comm {comm:?}");
    }
    println!("main comm: {:?}", comm(gettid()));
}
