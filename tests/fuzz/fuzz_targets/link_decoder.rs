#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| logplay_tests::fuzz::link_decoder(data));
