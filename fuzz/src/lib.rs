//! Shared fixtures of the fuzz targets: the keys, audience, nonce and clock of one committed
//! test vector, a trust list and a status list signed with fixed keys, and helpers that sign
//! fuzzed bytes so that a target can reach the code behind a signature check (a fuzzer never
//! forges an Ed25519 signature, so without this everything after `verify_strict` would stay
//! unexplored).
//!
//! Targets take a first "mode" byte that picks what the rest of the input is (text, packed
//! bytes, a payload to sign…); the seed builder (`src/bin/seeds.rs`) writes seeds for each mode.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
// Fixtures are built from committed, known-good data: a failure there is a broken build of the
// fuzz harness, reported by panicking once at start-up, not a finding.

use serde_json::{Map, Value};
use std::sync::OnceLock;
use wallet_core::b64_encode;
use wallet_core::keys::{KeySigner, PrivateKey, Signer as _, SigningKey, VerifyingKey};
use wallet_core::qr::transport::Version;
use wallet_core::sdjwt::KbExpectation;
use wallet_core::status::{Bits, StatusList, StatusListClaims, StatusValue};
use wallet_core::trust::{StaticIssuers, TrustListBuilder};
use wallet_core::verifier::{KeyBindingPolicy, VerifyPolicy};

/// The vector every SD-JWT / KB-JWT target verifies against.
pub const VECTOR: &str = include_str!("../../test-vectors/credentials/valid-resident-id.json");

/// The P-256 and SM2 vectors whose issuer and holder keys the fixture also holds (same issuer
/// `iss`, audience, nonce and clock as [`VECTOR`]), so that signing modes can use EC keys too.
pub const EC_VECTORS: [&str; 2] = [
    include_str!("../../test-vectors/algorithms/valid-es256-issuer-es256-holder.json"),
    include_str!("../../test-vectors/algorithms/valid-sm2-issuer-sm2-holder.json"),
];

/// Issuer URI of the fixture trust list and status list.
pub const TRUST_ISSUER: &str = "https://ga.sh.gov.cn";
/// Status list URI of the fixture status list.
pub const STATUS_URI: &str = "https://ga.sh.gov.cn/status/1";
/// `list_id` of the fixture trust list.
pub const LIST_ID: &str = "cn-sh-trust-list";

/// Everything a target needs, built once per process.
pub struct Fixture {
    /// The vector's issuer `iss`.
    pub iss: String,
    /// The vector's issuer key.
    pub issuer: SigningKey,
    /// The vector's holder key.
    pub holder: SigningKey,
    /// Issuer and holder keys of [`EC_VECTORS`] (P-256, then SM2); their issuer keys are
    /// trusted by `issuers` beside the Ed25519 one.
    pub ec: Vec<(PrivateKey, PrivateKey)>,
    /// Expected audience.
    pub aud: String,
    /// Expected nonce.
    pub nonce: String,
    /// The verifier's clock of the vector.
    pub now: i64,
    /// The KB-JWT `iat` of the vector.
    pub kb_iat: i64,
    /// The vector's presentation.
    pub presentation: String,
    /// Resolver trusting the vector's issuer.
    pub issuers: StaticIssuers,
    /// Policy with key binding required, matching the vector.
    pub policy: VerifyPolicy,
    /// Trust-list root key.
    pub root: SigningKey,
    /// A trust list signed by `root`, issued at `now`.
    pub trust_list: String,
    /// Status-list signing key (listed in the trust list for `TRUST_ISSUER`).
    pub status_key: SigningKey,
    /// A Status List Token signed by `status_key`.
    pub status_token: String,
}

fn key(label: &str) -> SigningKey {
    use sha2::Digest as _;
    SigningKey::from_seed(&sha2::Sha256::digest(label.as_bytes()).into())
}

/// The process-wide fixture.
pub fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(build)
}

fn build() -> Fixture {
    let v: Value = serde_json::from_str(VECTOR).unwrap();
    let text = |k: &str| v[k].as_str().unwrap().to_owned();
    let issuer = SigningKey::from_jwk(&v["issuer_key"]).unwrap();
    let holder = SigningKey::from_jwk(&v["holder_key"]).unwrap();
    let now = v["now"].as_i64().unwrap();
    let mut issuers = StaticIssuers::new();
    issuers.add(&text("issuer_iss"), issuer.verifying_key());
    let ec: Vec<(PrivateKey, PrivateKey)> = EC_VECTORS
        .iter()
        .map(|t| {
            let e: Value = serde_json::from_str(t).unwrap();
            assert_eq!(e["issuer_iss"], v["issuer_iss"]);
            let issuer = PrivateKey::from_jwk(&e["issuer_key"]).unwrap();
            issuers.add(&text("issuer_iss"), issuer.public_key());
            (issuer, PrivateKey::from_jwk(&e["holder_key"]).unwrap())
        })
        .collect();
    let policy = VerifyPolicy {
        now,
        clock_skew: 60,
        key_binding: KeyBindingPolicy::Required(KbExpectation {
            audience: text("aud"),
            nonce: Some(text("nonce")),
            max_age: 300,
        }),
    };
    let root = key("fuzz trust root");
    let status_key = key("fuzz status key");
    let mut b = TrustListBuilder::new(LIST_ID, 7);
    b.add_issuer(
        TRUST_ISSUER,
        "上海市公安局",
        "Shanghai Public Security Bureau",
        &["urn:cn-wallet:resident-id:1"],
    )
    .unwrap()
    .add_key(
        TRUST_ISSUER,
        &status_key.verifying_key(),
        now - 86_400,
        None,
    )
    .unwrap();
    b.add_issuer(
        &text("issuer_iss"),
        "上海市公安局交通警察总队",
        "Shanghai Traffic Police",
        &[
            "urn:cn-wallet:resident-id:1",
            "urn:cn-wallet:driving-licence:1",
        ],
    )
    .unwrap()
    .add_key(
        &text("issuer_iss"),
        &issuer.verifying_key(),
        now - 86_400,
        Some(now + 86_400),
    )
    .unwrap();
    let trust_list = b.sign(now, now + 7 * 86_400, &root).unwrap();
    let mut list = StatusList::new(Bits::Two, 64).unwrap();
    list.set(3, StatusValue(1)).unwrap();
    list.set(5, StatusValue(2)).unwrap();
    let status_token = wallet_core::status::sign_status_list_token(
        &StatusListClaims {
            uri: STATUS_URI.into(),
            iss: Some(TRUST_ISSUER.into()),
            iat: now,
            exp: Some(now + 86_400),
            ttl: Some(3600),
            aggregation_uri: None,
        },
        &list,
        &status_key,
    )
    .unwrap();
    Fixture {
        iss: text("issuer_iss"),
        issuer,
        holder,
        ec,
        aud: text("aud"),
        nonce: text("nonce"),
        now,
        kb_iat: v["kb_iat"].as_i64().unwrap(),
        presentation: text("presentation"),
        issuers,
        policy,
        root,
        trust_list,
        status_key,
        status_token,
    }
}

/// A compact JWS over exactly these header and payload bytes (no re-serialisation), so that the
/// fuzzer's bytes reach the JSON parser behind a valid signature.
pub fn sign_raw(header: &[u8], payload: &[u8], key: &SigningKey) -> String {
    let mut token = b64_encode(header);
    token.push('.');
    token.push_str(&b64_encode(payload));
    let signature = key.sign(token.as_bytes()).unwrap();
    token.push('.');
    token.push_str(&b64_encode(signature));
    token
}

/// [`sign_raw`] with a key of any algorithm (P-256, SM2, Ed25519).
pub fn sign_raw_any(header: &[u8], payload: &[u8], key: &dyn KeySigner) -> String {
    let mut token = b64_encode(header);
    token.push('.');
    token.push_str(&b64_encode(payload));
    let signature = key.sign_message(token.as_bytes()).unwrap();
    token.push('.');
    token.push_str(&b64_encode(signature));
    token
}

/// The JSON text of a header object with this `typ`, the key's `alg` and its thumbprint as
/// `kid`.
pub fn header_any(typ: &str, key: &dyn KeySigner) -> Vec<u8> {
    let mut h = Map::new();
    h.insert("alg".into(), key.key_algorithm().jws_name().into());
    h.insert("kid".into(), key.public().thumbprint().into());
    h.insert("typ".into(), typ.into());
    serde_json::to_vec(&h).unwrap()
}

/// The JSON text of a header object with these members and `alg: EdDSA`.
pub fn header(typ: &str, kid: Option<&VerifyingKey>) -> Vec<u8> {
    let mut h = Map::new();
    h.insert("alg".into(), "EdDSA".into());
    if let Some(k) = kid {
        h.insert("kid".into(), k.thumbprint().into());
    }
    h.insert("typ".into(), typ.into());
    serde_json::to_vec(&h).unwrap()
}

/// Splits `data` at `sep` bytes (at most `max` pieces; the last keeps the rest).
pub fn split_bytes(data: &[u8], sep: u8, max: usize) -> Vec<&[u8]> {
    data.splitn(max, |b| *b == sep).collect()
}

/// Raw DEFLATE with the QR transport's settings and version-1 dictionary (the canonical
/// compressor of `CW1:`).
pub fn qr_deflate(bytes: &[u8]) -> Vec<u8> {
    qr_deflate_version(bytes, wallet_core::qr::transport::DICTIONARY_V1)
}

/// Raw DEFLATE with the QR transport's settings and the given version's dictionary.
pub fn qr_deflate_version(bytes: &[u8], dictionary: &[u8]) -> Vec<u8> {
    use flate2::{Compress, Compression, FlushCompress};
    let mut c = Compress::new(Compression::best(), false);
    c.set_dictionary(dictionary).unwrap();
    let mut out = Vec::with_capacity(bytes.len() + 64);
    c.compress_vec(bytes, &mut out, FlushCompress::Finish)
        .unwrap();
    out
}

/// The transport's length prefix (LEB128, at most three bytes).
pub fn push_varint(out: &mut Vec<u8>, mut v: usize) {
    loop {
        let byte = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

/// A complete `CW1:` payload from a frame's structure (compressed here) and raw streams.
pub fn qr_payload_from_frame(structure: &[u8], raw: &[u8]) -> String {
    qr_payload_from_frame_version(structure, raw, Version::V1)
}

/// A complete payload of the given transport version from a frame's structure (compressed here
/// with that version's dictionary) and raw streams.
pub fn qr_payload_from_frame_version(structure: &[u8], raw: &[u8], version: Version) -> String {
    use wallet_core::qr::transport::{DICTIONARY_V1, DICTIONARY_V2};
    let dictionary = if version == Version::V1 {
        DICTIONARY_V1
    } else {
        DICTIONARY_V2
    };
    let compressed = qr_deflate_version(structure, dictionary);
    let mut packed = Vec::with_capacity(compressed.len() + raw.len() + 3);
    push_varint(&mut packed, compressed.len());
    packed.extend_from_slice(&compressed);
    packed.extend_from_slice(raw);
    format!("{}{}", version.prefix(), base45::encode(&packed))
}

/// The store fixture: a raw key, and a file sealed around any plaintext body with it, using the
/// container layout of docs/store.md (so the fuzzer's bytes reach the body decoder).
pub mod store {
    use chacha20poly1305::aead::AeadInPlace as _;
    use chacha20poly1305::{KeyInit as _, XChaCha20Poly1305, XNonce};
    use hkdf::Hkdf;
    use sha2::Sha256;

    /// The raw app key of every sealed fixture.
    pub const RAW_KEY: [u8; 32] = [7u8; 32];
    const SALT: [u8; 16] = [9u8; 16];
    const NONCE: [u8; 24] = [5u8; 24];

    fn schedule(salt: &[u8]) -> ([u8; 32], [u8; 32]) {
        let hkdf = Hkdf::<Sha256>::new(Some(salt), &RAW_KEY);
        let mut enc = [0u8; 32];
        let mut check = [0u8; 32];
        hkdf.expand(b"cert-wallet store v1 encryption key", &mut enc)
            .unwrap();
        hkdf.expand(b"cert-wallet store v1 key check", &mut check)
            .unwrap();
        (enc, check)
    }

    /// The plaintext body of a raw-key store file sealed under [`RAW_KEY`] (for seeds).
    pub fn unseal(file: &[u8]) -> Vec<u8> {
        let (header, ct) = file.split_at(99);
        let (enc, _) = schedule(&header[23..39]);
        let mut buf = ct.to_vec();
        XChaCha20Poly1305::new((&enc).into())
            .decrypt_in_place(XNonce::from_slice(&header[71..95]), header, &mut buf)
            .unwrap();
        buf
    }

    /// A store file whose body is `plaintext`, sealed under [`RAW_KEY`].
    pub fn seal(plaintext: &[u8]) -> Vec<u8> {
        let (enc, check) = schedule(&SALT);
        let mut header = Vec::with_capacity(99);
        header.extend_from_slice(b"CWSTORE\0");
        header.extend_from_slice(&1u16.to_be_bytes());
        header.push(2); // raw key
        header.extend_from_slice(&[0u8; 12]); // no Argon2 parameters
        header.extend_from_slice(&SALT);
        header.extend_from_slice(&check);
        header.extend_from_slice(&NONCE);
        header.extend_from_slice(&((plaintext.len() + 16) as u32).to_be_bytes());
        let mut buf = plaintext.to_vec();
        XChaCha20Poly1305::new((&enc).into())
            .encrypt_in_place(XNonce::from_slice(&NONCE), &header, &mut buf)
            .unwrap();
        header.extend_from_slice(&buf);
        header
    }
}
