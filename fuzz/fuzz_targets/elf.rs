//! libFuzzer entry point of the `elf` target; the body is [`rvrun::fuzzing::elf::run`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| rvrun::fuzzing::elf::run(data));
