//! libFuzzer entry point of the `syscall` target; the body is [`rvrun::fuzzing::syscall::run`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| rvrun::fuzzing::syscall::run(data));
