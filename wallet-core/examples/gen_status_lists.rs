//! Writes Status List Tokens for the TypeScript interop check (interop/ts/status_list.mjs):
//! for 1, 2, 4 and 8 bits, a registry of 100,000 entries with random allocations and status
//! changes, published as `DIR/status-list-<bits>bit.jwt`, plus `DIR/expected.json` listing, per
//! file, the expected status at a sample of indices (changed ones, neighbours, both ends).
//! Run: `cargo run -p wallet-core --example gen_status_lists -- DIR`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use rand_chacha::ChaCha20Rng;
use rand_core::{RngCore as _, SeedableRng as _};
use serde_json::{Map, Value};
use std::path::PathBuf;
use wallet_core::issuer::StatusRegistry;
use wallet_core::keys::SigningKey;
use wallet_core::status::{Bits, StatusValue};

const CAPACITY: u64 = 100_000;
const IAT: i64 = 1_767_225_600;

fn main() {
    let dir = PathBuf::from(
        std::env::args()
            .nth(1)
            .expect("usage: gen_status_lists DIR"),
    );
    std::fs::create_dir_all(&dir).unwrap();
    let key = SigningKey::from_seed(&[5; 32]);
    let mut rng = ChaCha20Rng::seed_from_u64(2026);
    let mut files = Map::new();
    for bits in [Bits::One, Bits::Two, Bits::Four, Bits::Eight] {
        let uri = format!("https://ga.sh.gov.cn/status/{}bit", bits.get());
        let mut reg = StatusRegistry::new(&uri, bits, CAPACITY).unwrap();
        let max = u64::from(u8::MAX >> (8 - bits.get()));
        let mut sample = vec![0, CAPACITY - 1];
        for n in 0..2_000u64 {
            let idx = reg.allocate(&mut rng).unwrap();
            // Every other allocated index gets a non-VALID value that fits the bits.
            if n % 2 == 0 {
                let value = 1 + rng.next_u64() % max;
                reg.set_status(idx, StatusValue(u8::try_from(value).unwrap()))
                    .unwrap();
            }
            if n % 10 == 0 {
                sample.extend([idx, idx.saturating_sub(1), (idx + 1).min(CAPACITY - 1)]);
            }
        }
        sample.sort_unstable();
        sample.dedup();
        let token = reg
            .publish("https://ga.sh.gov.cn", IAT, 86_400, Some(3_600), &key)
            .unwrap();
        let name = format!("status-list-{}bit.jwt", bits.get());
        std::fs::write(dir.join(&name), &token).unwrap();
        let expected: Vec<Value> = sample
            .iter()
            .map(|&i| Value::from(vec![i, u64::from(reg.list().get(i).unwrap().0)]))
            .collect();
        let mut entry = Map::new();
        entry.insert("bits".into(), Value::from(bits.get()));
        entry.insert("uri".into(), Value::from(uri));
        entry.insert("size".into(), Value::from(reg.list().len()));
        entry.insert("statuses".into(), Value::from(expected));
        files.insert(name, Value::Object(entry));
    }
    let mut doc = Map::new();
    doc.insert("issuer_jwk".into(), key.verifying_key().to_jwk());
    doc.insert("files".into(), Value::Object(files));
    std::fs::write(
        dir.join("expected.json"),
        serde_json::to_string_pretty(&Value::Object(doc)).unwrap(),
    )
    .unwrap();
    println!(
        "wrote 4 status list tokens and expected.json to {}",
        dir.display()
    );
}
