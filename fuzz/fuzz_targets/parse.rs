//! Reads arbitrary bytes as an object file: must return, never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = shipcheck::binary::parse(data);
});
