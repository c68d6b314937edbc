//! Trust-list parse + verify. Mode 0: the input is a trust-list token verified against the
//! fixture root. Mode 1: the input is a trust-list payload, signed here with the root key, so
//! the structure checks behind the signature are explored. Oracles: an accepted list
//! round-trips through its payload form; rollback and successor checks against the fixture
//! list never panic; resolving an issuer key from it agrees with the list's own entries.

#![no_main]

use libfuzzer_sys::fuzz_target;
use wallet_core::trust::IssuerKeyResolver as _;
use wallet_core::trust::{StalePolicy, TrustList, TrustListBuilder, VerifiedTrustList};
use wallet_fuzz::{fixture, header, sign_raw};

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let f = fixture();
    let root = f.root.verifying_key();
    let token = if mode % 2 == 0 {
        match std::str::from_utf8(rest) {
            Ok(t) => t.to_owned(),
            Err(_) => return,
        }
    } else {
        sign_raw(&header("trustlist+jwt", Some(&root)), rest, &f.root)
    };
    let Ok(list) = VerifiedTrustList::verify(&token, &root, f.now, 60, StalePolicy::Warn) else {
        return;
    };
    let payload = list.list().to_payload();
    let again = TrustList::from_payload(payload.as_object().expect("payload is an object"))
        .expect("an accepted list re-reads from its own payload");
    assert_eq!(&again, list.list());
    let known = VerifiedTrustList::verify(&f.trust_list, &root, f.now, 60, StalePolicy::Fail)
        .expect("fixture list verifies");
    let _ = known.check_successor(&list);
    let _ = list.check_successor(&known);
    let _ = list.freshness(f.now, 60, StalePolicy::Fail);
    let _ = TrustListBuilder::next_version(list.list());
    for entry in &list.list().issuers {
        for vct in &entry.vct {
            for key in &entry.keys {
                if let Ok(found) = list.resolve(&entry.iss, Some(&key.kid), vct, f.now) {
                    assert!(entry.keys.iter().any(|k| k.key == found));
                }
            }
        }
    }
});
