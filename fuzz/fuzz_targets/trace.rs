//! libFuzzer entry point of the `trace` target; the body is [`rvrun::fuzzing::trace::run`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| rvrun::fuzzing::trace::run(data));
