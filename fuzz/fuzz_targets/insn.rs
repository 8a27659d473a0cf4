//! libFuzzer entry point of the `insn` target; the body is [`rvrun::fuzzing::insn::run`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| rvrun::fuzzing::insn::run(data));
