//! draft-ietf-oauth-status-list-20 Appendix C test vectors (test-vectors/status-list/): for
//! 1, 2, 4 and 8 bits, the byte array built from the listed statuses must equal the draft's
//! `lst` DECOMPRESSED (compressed bytes legitimately differ between zlib implementations), and
//! our own compressed form must inflate back to the same bytes.

use serde_json::Value;
use sha2::{Digest as _, Sha256};
use std::path::PathBuf;
use wallet_core::status::{Bits, MAX_LIST_BYTES, StatusList, StatusValue};

fn vectors() -> Vec<(String, Value)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../test-vectors/status-list");
    let mut out: Vec<(String, Value)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap();
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                serde_json::from_str(&text).unwrap(),
            )
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

#[test]
fn draft_appendix_c_vectors_decompress_to_the_listed_statuses() {
    let all = vectors();
    let mut bits_seen: Vec<u64> = all
        .iter()
        .map(|(_, v)| v["bits"].as_u64().unwrap())
        .collect();
    bits_seen.sort_unstable();
    assert_eq!(bits_seen, vec![1, 2, 4, 8], "one vector per bit size");
    for (name, v) in &all {
        let bits = Bits::from_u64(v["bits"].as_u64().unwrap()).unwrap();
        let size = v["size"].as_u64().unwrap();
        let mut built = StatusList::new(bits, size).unwrap();
        for entry in v["status"].as_array().unwrap() {
            let idx = entry[0].as_u64().unwrap();
            let value = u8::try_from(entry[1].as_u64().unwrap()).unwrap();
            built.set(idx, StatusValue(value)).unwrap();
        }
        let theirs = StatusList::from_json(&v["status_list"], MAX_LIST_BYTES).unwrap();
        assert_eq!(theirs.bits(), bits, "{name}");
        assert_eq!(theirs.len(), size, "{name}");
        assert!(
            theirs.as_bytes() == built.as_bytes(),
            "{name}: decompressed draft lst differs from the statuses"
        );
        assert_eq!(
            hex(&Sha256::digest(theirs.as_bytes())),
            v["decompressed_sha256"].as_str().unwrap(),
            "{name}"
        );
        // Reading back every listed entry (the last write wins for a repeated index).
        for entry in v["status"].as_array().unwrap() {
            let idx = entry[0].as_u64().unwrap();
            let last = v["status"]
                .as_array()
                .unwrap()
                .iter()
                .rev()
                .find(|e| e[0].as_u64() == Some(idx))
                .unwrap();
            assert_eq!(
                u64::from(theirs.get(idx).unwrap().0),
                last[1].as_u64().unwrap(),
                "{name} idx {idx}"
            );
        }
        // Our compression round-trips to the same bytes.
        let ours = StatusList::from_json(&built.to_json(9), MAX_LIST_BYTES).unwrap();
        assert!(
            ours.as_bytes() == built.as_bytes(),
            "{name}: our round trip"
        );
        // And the list is exactly 2^20 entries: one past the end is out of range.
        assert!(theirs.get(size).is_err(), "{name}");
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
