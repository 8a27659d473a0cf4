//! Echoes args[1..] and the environment (sorted, since QEMU's -E does not keep the given
//! order). args[0] is never printed: it is host-specific.
fn main() {
    let args: Vec<String> = std::env::args().collect();
    println!("argc={}", args.len());
    for (i, a) in args.iter().enumerate().skip(1) {
        println!("argv[{i}]=[{a}] len={}", a.len());
    }
    let mut env: Vec<(String, String)> = std::env::vars().collect();
    env.sort();
    println!("envc={}", env.len());
    for (k, v) in &env {
        println!("env: {k}={v}");
    }
    for key in ["HOME", "GREETING"] {
        match std::env::var(key) {
            Ok(v) => println!("getenv({key})={v}"),
            Err(_) => println!("getenv({key})=(unset)"),
        }
    }
}
