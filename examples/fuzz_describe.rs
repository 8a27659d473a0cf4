//! Runs fuzz inputs through a fuzz target's body without libFuzzer and says how long each
//! took; for `elf` and `syscall` it also prints how the run ended:
//! `cargo run --release --example fuzz_describe -- TARGET FILE...`.

use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let name = args.get(1).expect("usage: fuzz_describe TARGET FILE...");
    let target = rvrun::fuzzing::TARGETS
        .iter()
        .find(|t| t.name == name)
        .expect("unknown target");
    for path in &args[2..] {
        let data = std::fs::read(path).expect("read input");
        match name.as_str() {
            "elf" => println!("{}", rvrun::fuzzing::elf::describe(&data)),
            "syscall" => println!("{}", rvrun::fuzzing::syscall::describe(&data)),
            _ => {}
        }
        let t = Instant::now();
        (target.run)(&data);
        println!("{path}: ok in {:?}", t.elapsed());
    }
}
