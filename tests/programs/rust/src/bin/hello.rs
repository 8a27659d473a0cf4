//! The smallest Rust guest: one line through std's stdout.
fn main() {
    println!("Hello, world!");
}
