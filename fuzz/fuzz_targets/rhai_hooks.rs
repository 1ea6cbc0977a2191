//! libFuzzer entry of `berth_fuzz::rhai_hooks` (see that module for what it checks).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| berth_fuzz::rhai_hooks::run(data));
