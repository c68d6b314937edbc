//! Status List Token decode. Mode 0: the input is a token, parsed and verified with the fixture
//! status key. Mode 1: the input is a token payload, signed here, so `status_list` parsing and
//! zlib inflation behind the signature are explored. Mode 2: the input is a bit width selector
//! and a compressed list (the `lst` bytes), read directly. Oracle: every index below `len()`
//! reads a value that fits the bit width, and every index from `len()` on is refused.

#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::json;
use wallet_core::b64_encode;
use wallet_core::status::{StatusList, StatusListJwt};
use wallet_fuzz::{fixture, header, sign_raw};

fn probe(list: &StatusList) {
    let len = list.len();
    let max = (1u16 << list.bits().get()) - 1;
    for idx in [0, 1, len / 2, len.saturating_sub(1)] {
        if idx < len {
            let v = list.get(idx).expect("index below len reads");
            assert!(u16::from(v.0) <= max);
        }
    }
    assert!(list.get(len).is_err());
    assert!(list.get(u64::MAX).is_err());
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let f = fixture();
    let key = f.status_key.verifying_key();
    let token = match mode % 3 {
        0 => match std::str::from_utf8(rest) {
            Ok(t) => t.to_owned(),
            Err(_) => return,
        },
        1 => sign_raw(&header("statuslist+jwt", Some(&key)), rest, &f.status_key),
        _ => {
            let Some((&bits, lst)) = rest.split_first() else {
                return;
            };
            let value = json!({"bits": bits, "lst": b64_encode(lst)});
            if let Ok(list) = StatusList::from_json(&value, 1 << 20) {
                probe(&list);
            }
            return;
        }
    };
    let Ok(parsed) = StatusListJwt::parse(&token) else {
        return;
    };
    let _ = parsed.claims();
    let Ok(verified) = parsed.verify(&key) else {
        return;
    };
    let _ = verified.freshness(f.now, 60);
    probe(&verified.list);
});
