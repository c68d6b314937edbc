//! Credential-type documents (SD-JWT VC Type Metadata, docs/credential-types.md): the reader an
//! agency's file and a trust list's carried documents go through. Mode 0: the input is a
//! document. Mode 1: the input is the claims of an issuance against the built-in resident ID
//! type's document with the input appended as one more claim entry, so the claim reader is
//! explored behind a valid envelope. Oracles: an accepted document keeps its exact octets and
//! their integrity, adding it to a type set twice is a no-op, and issuance-time validation of
//! its own example-less claims never panics.

#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::{Map, Value};
use wallet_core::credential::catalogue::{self, TypeSet};

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let document: Vec<u8> = if mode % 2 == 0 {
        rest.to_vec()
    } else {
        let Ok(claim) = serde_json::from_slice::<Value>(rest) else {
            return;
        };
        let Some(base) = catalogue::all().first() else {
            return;
        };
        let Ok(mut doc) = serde_json::from_str::<Value>(base.document()) else {
            return;
        };
        if let Some(claims) = doc.get_mut("claims").and_then(Value::as_array_mut) {
            claims.push(claim);
        }
        serde_json::to_vec(&doc).unwrap_or_default()
    };
    let Ok(ty) = catalogue::parse_document(&document, false) else {
        return;
    };
    assert_eq!(ty.document().as_bytes(), document.as_slice());
    assert_eq!(ty.integrity(), catalogue::integrity_of(&document));
    assert!(catalogue::integrity_matches(ty.integrity(), &document));
    let mut set = TypeSet::new();
    if set.add_document(&document).is_ok() {
        let before = set.added().len();
        assert!(set.add_document(&document).is_ok());
        assert_eq!(set.added().len(), before);
    }
    // Validation of claims named after the type's own claims, with arbitrary string values.
    let mut claims = Map::new();
    for c in &ty.claims {
        claims.insert(c.name.clone(), Value::from("x"));
    }
    let _ = ty.prepare_claims(&claims, 1_767_225_600);
});
