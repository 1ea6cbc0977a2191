//! libFuzzer entry of `berth_fuzz::image_upload` (see that module for what it checks).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| berth_fuzz::image_upload::run(data));
