#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| shanzhi_fuzz::run_target("labelled_csv", data));
