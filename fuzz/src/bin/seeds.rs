//! Builds the seed corpora of every fuzz target from the committed test vectors:
//! `cargo run --manifest-path fuzz/Cargo.toml --features seeds --bin seeds -- fuzz/corpus`.
//! Each seed starts with the target's mode byte (see the target's module docs). Seeds are
//! rebuilt from test-vectors/ on demand and never committed.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use rand_core::SeedableRng as _;
use serde_json::Value;
use std::path::{Path, PathBuf};
use wallet_core::holder::{KdfParams, Store, StoreOptions, StoreSecret};
use wallet_core::keys::SigningKey;
use wallet_core::qr::render::{EccLevel, RenderOptions, encode_matrix, render_png};
use wallet_core::qr::transport;
use wallet_core::sdjwt::SdJwtParts;
use wallet_fuzz::fixture;

struct Out {
    dir: PathBuf,
    count: usize,
}

impl Out {
    fn new(root: &Path, target: &str) -> Self {
        let dir = root.join(target);
        std::fs::create_dir_all(&dir).unwrap();
        Self { dir, count: 0 }
    }
    fn put_raw(&mut self, bytes: &[u8]) {
        std::fs::write(self.dir.join(format!("seed-{:04}", self.count)), bytes).unwrap();
        self.count += 1;
    }
    fn put(&mut self, mode: u8, bytes: &[u8]) {
        let mut data = Vec::with_capacity(bytes.len() + 1);
        data.push(mode);
        data.extend_from_slice(bytes);
        std::fs::write(self.dir.join(format!("seed-{:04}", self.count)), data).unwrap();
        self.count += 1;
    }
}

/// Minimal unpadded base64url decoding for the seed builder (vectors are canonical).
fn b64d(s: &str) -> Vec<u8> {
    let val = |c: u8| -> u32 {
        match c {
            b'A'..=b'Z' => u32::from(c - b'A'),
            b'a'..=b'z' => u32::from(c - b'a') + 26,
            b'0'..=b'9' => u32::from(c - b'0') + 52,
            b'-' => 62,
            _ => 63,
        }
    };
    let mut out = Vec::new();
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in s.bytes() {
        acc = (acc << 6) | val(c);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    out
}

fn jws_parts(token: &str) -> (Vec<u8>, Vec<u8>) {
    let mut it = token.split('.');
    (b64d(it.next().unwrap()), b64d(it.next().unwrap()))
}

fn main() {
    let root = PathBuf::from(
        std::env::args()
            .nth(1)
            .unwrap_or_else(|| "fuzz/corpus".into()),
    );
    let vectors = Path::new(env!("CARGO_MANIFEST_DIR")).join("../test-vectors");
    let f = fixture();

    // Presentations of every credential vector, Ed25519 (credentials/) and P-256 / SM2
    // (algorithms/), each with the signing mode of sdjwt_verify that matches its issuer key.
    let mut presentations = Vec::new();
    let mut ec_vectors = Vec::new();
    for folder in ["credentials", "algorithms"] {
        let mut entries: Vec<_> = std::fs::read_dir(vectors.join(folder))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        for path in &entries {
            let v: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
            let sign_mode = match v["issuer_jwk"]["crv"].as_str() {
                Some("P-256") => 3,
                Some("SM2") => 5,
                _ => 1,
            };
            if let Some(p) = v["presentation"].as_str() {
                presentations.push((p.to_owned(), sign_mode));
            }
            if folder == "algorithms" && v["expected"]["valid"] == true {
                ec_vectors.push(v);
            }
        }
    }

    // The JSON the verifier reads: every JWS header and payload and every disclosure.
    let mut json = Out::new(&root, "json_differential");
    let mut sd = Out::new(&root, "sdjwt_verify");
    let mut kb = Out::new(&root, "kb_jwt");
    let mut qr = Out::new(&root, "qr_transport");
    for (p, sign_mode) in &presentations {
        sd.put(0, p.as_bytes());
        qr.put(3, p.as_bytes());
        let Ok(parts) = SdJwtParts::split(p) else {
            continue;
        };
        // Mode 1: issuer payload, then each disclosure's JSON, NUL-separated.
        for d in &parts.disclosures {
            json.put_raw(&b64d(d));
        }
        for token in [Some(parts.jwt), parts.kb_jwt].into_iter().flatten() {
            if token.split('.').count() == 3 {
                let (h, pl) = jws_parts(token);
                json.put_raw(&h);
                json.put_raw(&pl);
            }
        }
        if parts.jwt.split('.').count() == 3 {
            let (_, payload) = jws_parts(parts.jwt);
            let mut data = payload;
            for d in &parts.disclosures {
                data.push(0);
                data.extend_from_slice(&b64d(d));
            }
            sd.put(*sign_mode, &data);
        }
        if let Some(k) = parts.kb_jwt {
            kb.put(0, k.as_bytes());
            if k.split('.').count() == 3 {
                let (h, pl) = jws_parts(k);
                kb.put(1, &pl);
                kb.put(2, &h);
            }
        }
        // Both versions; bit 2 of the mode byte selects version 2 (fuzz_targets/qr_transport.rs).
        for (version, flag) in [(transport::Version::V1, 0u8), (transport::Version::V2, 4)] {
            if let Ok(payload) = transport::encode_version(p, version) {
                qr.put(0, payload.as_bytes());
                let packed = base45::decode(&payload[4..]).unwrap();
                qr.put(1 | flag, &packed);
                let (structure, raw) = transport::frame_streams_version(p, version).unwrap();
                let mut data = (structure.len() as u16).to_le_bytes().to_vec();
                data.extend_from_slice(&structure);
                data.extend_from_slice(&raw);
                qr.put(2 | flag, &data);
            }
        }
    }
    let qr_vectors: Value =
        serde_json::from_str(&std::fs::read_to_string(vectors.join("qr/payloads.json")).unwrap())
            .unwrap();
    let mut stack = vec![&qr_vectors];
    while let Some(v) = stack.pop() {
        match v {
            Value::String(s) if s.starts_with("CW") => qr.put(0, s.as_bytes()),
            Value::Array(a) => stack.extend(a.iter()),
            Value::Object(o) => stack.extend(o.values()),
            _ => {}
        }
    }

    let mut trust = Out::new(&root, "trust_list");
    trust.put(0, f.trust_list.as_bytes());
    let (_, payload) = jws_parts(&f.trust_list);
    trust.put(1, &payload);

    let mut status = Out::new(&root, "status_list");
    status.put(0, f.status_token.as_bytes());
    let (_, payload) = jws_parts(&f.status_token);
    status.put(1, &payload);
    let claims: Value = serde_json::from_slice(&payload).unwrap();
    let lst = b64d(claims["status_list"]["lst"].as_str().unwrap());
    let mut data = vec![claims["status_list"]["bits"].as_u64().unwrap() as u8];
    data.extend_from_slice(&lst);
    status.put(2, &data);
    for entry in std::fs::read_dir(vectors.join("status-list")).unwrap() {
        let v: Value =
            serde_json::from_str(&std::fs::read_to_string(entry.unwrap().path()).unwrap()).unwrap();
        let mut stack = vec![&v];
        while let Some(x) = stack.pop() {
            match x {
                Value::Object(o) => {
                    if let (Some(bits), Some(lst)) = (
                        o.get("bits").and_then(Value::as_u64),
                        o.get("lst").and_then(Value::as_str),
                    ) {
                        let mut data = vec![bits as u8];
                        data.extend_from_slice(&b64d(lst));
                        status.put(2, &data);
                    }
                    stack.extend(o.values());
                }
                Value::Array(a) => stack.extend(a.iter()),
                _ => {}
            }
        }
    }

    let mut keys = Out::new(&root, "keys_import");
    let vector: Value = serde_json::from_str(wallet_fuzz::VECTOR).unwrap();
    keys.put(0, vector["issuer_jwk"].to_string().as_bytes());
    keys.put(0, vector["issuer_key"].to_string().as_bytes());
    keys.put(0, f.issuer.to_pkcs8_pem().as_bytes());
    keys.put(1, f.holder.verifying_key().as_bytes());
    // P-256 and SM2: public and private JWKs, PKCS#8 PEM, and x ‖ y for modes 2 (P-256) and 3
    // (SM2).
    for v in &ec_vectors {
        for role in ["issuer", "holder"] {
            let public = &v[format!("{role}_jwk")];
            keys.put(0, public.to_string().as_bytes());
            let private = &v[format!("{role}_key")];
            keys.put(0, private.to_string().as_bytes());
            if let Ok(key) = wallet_core::keys::PrivateKey::from_jwk(private) {
                keys.put(0, key.to_pkcs8_pem().unwrap().as_bytes());
            }
            if public["kty"] == "EC" {
                let mut xy = b64d(public["x"].as_str().unwrap());
                xy.extend_from_slice(&b64d(public["y"].as_str().unwrap()));
                keys.put(if public["crv"] == "P-256" { 2 } else { 3 }, &xy);
            }
        }
    }

    let mut store = Out::new(&root, "store_open");
    let dir = tempfile::tempdir().unwrap();
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(3);
    let raw = wallet_fuzz::store::RAW_KEY;
    let path = dir.path().join("raw.cws");
    let s = Store::create(
        &path,
        StoreSecret::RawKey(&raw),
        &KdfParams::RECOMMENDED,
        &StoreOptions::default(),
        &mut rng,
    )
    .unwrap();
    s.new_holder_key(&mut rng).unwrap();
    // The vector's credential, bound to its holder key registered as an external key, so the
    // body has every record kind.
    let holder = SigningKey::from_jwk(&vector["holder_key"]).unwrap();
    s.register_external_key("keystore:holder-1", &holder.verifying_key(), &mut rng)
        .unwrap();
    s.import(
        vector["issuance"].as_str().unwrap(),
        &f.issuers,
        vector["now"].as_i64().unwrap(),
        &mut rng,
    )
    .unwrap();
    let file = std::fs::read(&path).unwrap();
    store.put(0, &file);
    store.put(1, &wallet_fuzz::store::unseal(&file));
    let path = dir.path().join("pass.cws");
    Store::create(
        &path,
        StoreSecret::Passphrase("correct horse"),
        &KdfParams::new(8, 1, 1).unwrap(),
        &StoreOptions::default(),
        &mut rng,
    )
    .unwrap();
    store.put(0, &std::fs::read(&path).unwrap());

    let mut scan = Out::new(&root, "qr_scan");
    let opts = RenderOptions {
        module_px: 2,
        quiet_zone: 4,
        ..RenderOptions::default()
    };
    if let Some((p, _)) = presentations.first() {
        let payload = transport::encode(p).unwrap();
        scan.put(0, &render_png(&payload, &opts).unwrap());
    }
    for text in ["CW1:ABC", "CW1:0123456789"] {
        scan.put(0, &render_png(text, &opts).unwrap());
        // A luma frame at 2 px per module with a 4-module quiet zone.
        let m = encode_matrix(text, EccLevel::M).unwrap();
        let side = (m.size() + 8) * 2;
        let mut frame = vec![side as u8, side as u8, 0];
        for y in 0..side {
            for x in 0..side {
                let (mx, my) = ((x / 2).wrapping_sub(4), (y / 2).wrapping_sub(4));
                let dark = mx < m.size() && my < m.size() && m.is_dark(mx, my);
                frame.push(if dark { 0 } else { 255 });
            }
        }
        scan.put(1, &frame);
    }

    // Type documents: the built-in ones, the 结婚证 example, and one claim entry of each.
    let mut types = Out::new(&root, "type_document");
    for t in wallet_core::credential::catalogue::all() {
        types.put(0, t.document().as_bytes());
    }
    let example = std::fs::read(vectors.join("../docs/types/marriage-certificate.json")).unwrap();
    types.put(0, &example);
    let doc: Value = serde_json::from_slice(&example).unwrap();
    for claim in doc["claims"].as_array().unwrap() {
        types.put(1, claim.to_string().as_bytes());
    }

    for out in [&sd, &kb, &qr, &trust, &status, &keys, &store, &scan, &types] {
        println!("{}: {} seeds", out.dir.display(), out.count);
    }
}
