//! std::thread with Mutex, Condvar, mpsc and Barrier. Prints only interleaving-independent
//! results.

use std::sync::mpsc;
use std::sync::{Arc, Barrier, Condvar, Mutex};
use std::thread;

fn main() {
    const N: usize = 4;
    let counter = Arc::new(Mutex::new(0u64));
    let barrier = Arc::new(Barrier::new(N));
    let (tx, rx) = mpsc::channel();
    let handles: Vec<_> = (0..N)
        .map(|id| {
            let (counter, barrier, tx) = (Arc::clone(&counter), Arc::clone(&barrier), tx.clone());
            thread::spawn(move || {
                barrier.wait();
                let mut local = 0u64;
                for i in 0..10_000u64 {
                    local = local.wrapping_add(i * (id as u64 + 1));
                    *counter.lock().unwrap() += 1;
                }
                tx.send((id, local)).unwrap();
                id * 100
            })
        })
        .collect();
    drop(tx);
    let mut results: Vec<(usize, u64)> = rx.iter().collect();
    results.sort();
    for (id, local) in &results {
        println!("worker {id} sum {local}");
    }
    let joined: Vec<usize> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    println!("joined {joined:?}");
    println!("counter {}", *counter.lock().unwrap());

    // Condvar hand-off: a producer flips a flag the consumer waits for.
    let pair = Arc::new((Mutex::new(false), Condvar::new()));
    let p2 = Arc::clone(&pair);
    let producer = thread::spawn(move || {
        let (lock, cv) = &*p2;
        *lock.lock().unwrap() = true;
        cv.notify_one();
    });
    let (lock, cv) = &*pair;
    let mut ready = lock.lock().unwrap();
    while !*ready {
        ready = cv.wait(ready).unwrap();
    }
    producer.join().unwrap();
    println!("condvar handoff ok");

    let scoped_total: u64 = thread::scope(|s| {
        let hs: Vec<_> = (0..3u64).map(|k| s.spawn(move || (0..1000u64).map(|x| x * k).sum::<u64>())).collect();
        hs.into_iter().map(|h| h.join().unwrap()).sum()
    });
    println!("scoped total {scoped_total}");
}
