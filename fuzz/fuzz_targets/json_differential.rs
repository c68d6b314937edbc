//! The verifier's borrowing JSON reader (`encoding::borrowed`) against the serde_json reader it
//! replaced, on the same bytes. Oracle: both accept with the same value, or both refuse for the
//! same reason (a repeated member name, nesting too deep, or malformed JSON).

#![no_main]

use libfuzzer_sys::fuzz_target;
use wallet_core::hazmat::json::check_agreement;

fuzz_target!(|data: &[u8]| {
    if let Err(difference) = check_agreement(data) {
        panic!("the JSON readers disagree: {difference}");
    }
});
