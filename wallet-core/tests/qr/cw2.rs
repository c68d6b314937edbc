//! QR transport version 2 (`CW2:`, docs/qr-format.md §10): the size budget for every issuer ×
//! holder algorithm pair and both digest algorithms (a driving licence showing any 4 of its 10
//! claims fits version 20 at ECC M), exact round trips, compressed EC points, digest references
//! chosen by `_sd_alg`, version-1 payloads still decoding, and the typed refusals of malformed
//! version-2 frames.

use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use sha2::{Digest as _, Sha256};
use wallet_core::b64_encode;
use wallet_core::credential::catalogue;
use wallet_core::holder::present;
use wallet_core::issuer::{CredentialRequest, issue_credential};
use wallet_core::keys::{Algorithm, KeySigner, PrivateKey};
use wallet_core::qr::freshness::offline_key_binding;
use wallet_core::qr::render::{EccLevel, version_for_len};
use wallet_core::qr::transport::{self, DICTIONARY_V2, Version};
use wallet_core::sdjwt::ClaimPath;

const IAT: i64 = 1_767_225_600;
const ISS: &str = "https://jtgl.sh.gov.cn/issuer";
/// Alphanumeric capacity of a version-20 QR code at ECC level M.
const V20_M: usize = 970;

fn key(alg: Algorithm, seed: u64) -> PrivateKey {
    PrivateKey::generate(alg, &mut ChaCha20Rng::seed_from_u64(seed)).unwrap()
}

fn b64d(s: &str) -> Vec<u8> {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(s)
        .unwrap()
}

fn sign(key: &PrivateKey, header_b64: &str, payload_json: &str) -> String {
    let input = format!("{header_b64}.{}", b64_encode(payload_json));
    let sig = key.sign_message(input.as_bytes()).unwrap();
    format!("{input}.{}", b64_encode(sig))
}

/// The driving licence issued by `issuer` to `holder`.
fn licence(issuer: &PrivateKey, holder: &PrivateKey, seed: u64) -> String {
    issue_licence(issuer, holder, seed, false)
}

/// The same licence in the GM profile's digests (`_sd_alg: "sm3"`, also `sd_hash`).
fn licence_sm3(issuer: &PrivateKey, holder: &PrivateKey, seed: u64) -> String {
    issue_licence(issuer, holder, seed, true)
}

fn issue_licence(issuer: &PrivateKey, holder: &PrivateKey, seed: u64, sm3: bool) -> String {
    let ty = catalogue::by_name("driving-licence").unwrap();
    let mut request =
        CredentialRequest::for_type(ty, ISS, &ty.example_claims(), holder.public_key(), IAT)
            .unwrap()
            .without_status();
    if sm3 {
        request = request.gm_profile();
    }
    issue_credential(&request, issuer, &mut ChaCha20Rng::seed_from_u64(seed)).unwrap()
}

fn shown(credential: &str, holder: &PrivateKey, claims: &[&str], seed: u64) -> String {
    let paths: Vec<ClaimPath> = claims.iter().map(|p| p.parse().unwrap()).collect();
    let kb = offline_key_binding(IAT + 100, &mut ChaCha20Rng::seed_from_u64(seed));
    present(credential, &paths, Some(&kb), holder).unwrap()
}

fn four_of_ten() -> Vec<Vec<&'static str>> {
    let names: Vec<&str> = catalogue::by_name("driving-licence")
        .unwrap()
        .claims
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(names.len(), 10);
    (0u32..1024)
        .filter(|m| m.count_ones() == 4)
        .map(|m| {
            (0..10)
                .filter(|i| m >> i & 1 == 1)
                .map(|i| names[i])
                .collect()
        })
        .collect()
}

fn is_alphanumeric(payload: &str) -> bool {
    payload
        .bytes()
        .all(|b| b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:".contains(&b))
}

/// The budget of issue 17: all 210 ways to show 4 of the driving licence's 10 claims, for each
/// of the 9 issuer × holder algorithm pairs and both digest algorithms (3,780 codes), each
/// round-trips exactly and fits version 20-M. Prints the size table of docs/qr-format.md §10.
/// Run: `cargo test --release -p wallet-core --test qr -- --nocapture cw2::budget`.
#[test]
fn budget_every_algorithm_pair_and_digest_fits_v20_m() {
    let sets = four_of_ten();
    assert_eq!(sets.len(), 210);
    let mut rows = Vec::new();
    let mut worst = 0;
    for (i, issuer_alg) in Algorithm::ALL.into_iter().enumerate() {
        let issuer = key(issuer_alg, 10 + i as u64);
        for (j, holder_alg) in Algorithm::ALL.into_iter().enumerate() {
            let holder = key(holder_alg, 20 + j as u64);
            for sd_alg in ["sha-256", "sm3"] {
                let seed = (i * 3 + j) as u64;
                let credential = if sd_alg == "sm3" {
                    licence_sm3(&issuer, &holder, seed)
                } else {
                    licence(&issuer, &holder, seed)
                };
                let mut sizes = Vec::with_capacity(sets.len());
                let mut v1_max = 0;
                for (k, set) in sets.iter().enumerate() {
                    let p = shown(&credential, &holder, set, k as u64);
                    let payload = transport::encode(&p).unwrap();
                    assert!(payload.starts_with("CW2:") && is_alphanumeric(&payload));
                    assert_eq!(transport::decode(&payload).unwrap(), p, "lossless");
                    sizes.push(payload.len());
                    // The same code in version 1, for the comparison column.
                    let v1 = transport::encode_version(&p, Version::V1).unwrap();
                    v1_max = v1_max.max(v1.len());
                }
                sizes.sort_unstable();
                let (min, median, max) = (sizes[0], sizes[sizes.len() / 2], sizes[sizes.len() - 1]);
                worst = worst.max(max);
                rows.push(format!(
                    "| {} | {} | {sd_alg} | {min} | {median} | {max} | {}-M | {v1_max} ({}-M) |",
                    issuer_alg.jws_name(),
                    holder_alg.jws_name(),
                    version_for_len(max, EccLevel::M).unwrap(),
                    version_for_len(v1_max, EccLevel::M).unwrap()
                ));
            }
        }
    }
    println!(
        "| issuer | holder | `_sd_alg` | min chars | median chars | max chars | QR version of max | `CW1:` max chars (version) |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    for row in &rows {
        println!("{row}");
    }
    assert!(
        worst <= V20_M && version_for_len(worst, EccLevel::M).unwrap() <= 20,
        "largest CW2 payload is {worst} characters, over version 20-M ({V20_M})"
    );
}

#[test]
fn dictionary_v2_is_frozen() {
    let digest = b64_encode(Sha256::digest(DICTIONARY_V2));
    // Changing the dictionary changes every payload: it needs a new version prefix, not an edit.
    assert_eq!(
        digest,
        include_str!("../../../test-vectors/qr/dictionary-v2.sha256").trim(),
        "DICTIONARY_V2 changed"
    );
    // Version 1's dictionary is its tail, so Ed25519/sha-256 matches keep their distances.
    assert!(DICTIONARY_V2.ends_with(transport::DICTIONARY_V1));
}

/// Version-1 payloads (the committed vectors, made before version 2) still decode exactly, and
/// version 1 can still be written for them.
#[test]
fn cw1_corpus_still_decodes() {
    let vectors: serde_json::Value =
        serde_json::from_str(include_str!("../../../test-vectors/qr/payloads.json")).unwrap();
    let list = vectors["cases"].as_array().unwrap();
    assert!(!list.is_empty());
    for v in list {
        let (presentation, payload) = (
            v["presentation"].as_str().unwrap(),
            v["payload"].as_str().unwrap(),
        );
        assert!(payload.starts_with("CW1:"));
        assert_eq!(transport::decode(payload).unwrap(), presentation);
        assert_eq!(
            transport::encode_version(presentation, Version::V1).unwrap(),
            payload
        );
        let v2 = transport::encode(presentation).unwrap();
        assert!(v2.starts_with("CW2:"));
        assert_eq!(transport::decode(&v2).unwrap(), presentation);
    }
    // A CW1 payload of an EC-holder, SM3 presentation also still round-trips (just longer).
    let (issuer, holder) = (key(Algorithm::Sm2, 1), key(Algorithm::Es256, 2));
    let p = shown(
        &licence_sm3(&issuer, &holder, 1),
        &holder,
        &["name", "sex"],
        1,
    );
    let v1 = transport::encode_version(&p, Version::V1).unwrap();
    let v2 = transport::encode(&p).unwrap();
    assert_eq!(transport::decode(&v1).unwrap(), p);
    assert_eq!(transport::decode(&v2).unwrap(), p);
    assert!(v2.len() < v1.len(), "CW2 {} vs CW1 {}", v2.len(), v1.len());
}

/// EC holder keys travel as 33-byte compressed points (the raw stream loses 31 bytes against
/// version 1); Ed25519 keys are untouched. SM3 digests are referenced, not carried.
#[test]
fn ec_points_are_compressed_and_sm3_digests_referenced() {
    let issuer = key(Algorithm::EdDsa, 1);
    for holder_alg in Algorithm::ALL {
        let holder = key(holder_alg, 2);
        let p = shown(&licence(&issuer, &holder, 1), &holder, &["name", "sex"], 1);
        let (_, raw1) = transport::frame_streams_version(&p, Version::V1).unwrap();
        let (s2, raw2) = transport::frame_streams_version(&p, Version::V2).unwrap();
        let saved = if holder_alg == Algorithm::EdDsa {
            0
        } else {
            31
        };
        assert_eq!(raw1.len() - raw2.len(), saved, "{holder_alg:?}");
        assert_eq!(
            s2[0], 1,
            "flags: KB-JWT, digest algorithm sha-256 (as in version 1)"
        );
        let sm3 = shown(
            &licence_sm3(&issuer, &holder, 1),
            &holder,
            &["name", "sex"],
            1,
        );
        let (s3, raw3) = transport::frame_streams_version(&sm3, Version::V2).unwrap();
        assert_eq!(s3[0] >> 1, 1, "digest algorithm bits: sm3");
        assert_eq!(
            raw3.len(),
            raw2.len(),
            "sm3 digests and sd_hash are references too"
        );
        // Version 1 does not know SM3: the two shown digests and sd_hash travel as raw bytes.
        let (_, raw1_sm3) = transport::frame_streams_version(&sm3, Version::V1).unwrap();
        assert_eq!(raw1_sm3.len(), raw1.len() + 3 * 32);
    }
}

/// An `_sd_alg` the transport does not know: nothing is recomputed, still lossless.
#[test]
fn unknown_sd_alg_is_carried_without_references() {
    let (issuer, holder) = (key(Algorithm::Es256, 1), key(Algorithm::Es256, 2));
    let p = shown(&licence(&issuer, &holder, 1), &holder, &["name", "sex"], 1);
    let jwt: Vec<&str> = p.split('~').next().unwrap().split('.').collect();
    let payload = String::from_utf8(b64d(jwt[1]))
        .unwrap()
        .replace("\"_sd_alg\":\"sha-256\"", "\"_sd_alg\":\"sha-384\"");
    let rest = &p[p.find('~').unwrap()..];
    let odd = format!("{}{rest}", sign(&issuer, jwt[0], &payload));
    let payload = transport::encode(&odd).unwrap();
    assert_eq!(transport::decode(&payload).unwrap(), odd);
    let (s, _) = transport::frame_streams_version(&odd, Version::V2).unwrap();
    assert_eq!(s[0] >> 1, 2, "digest algorithm bits: other");
}

// ---------------------------------------------------------------------------------------------
// Hand-made version-2 frames

fn varint(mut v: usize) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let byte = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(byte);
            return out;
        }
        out.push(byte | 0x80);
    }
}

fn repack_v2(structure: &[u8], raw: &[u8]) -> String {
    use flate2::{Compress, Compression, FlushCompress};
    let mut c = Compress::new(Compression::best(), false);
    c.set_dictionary(DICTIONARY_V2).unwrap();
    let mut z = Vec::with_capacity(structure.len() + 1024);
    c.compress_vec(structure, &mut z, FlushCompress::Finish)
        .unwrap();
    let mut packed = varint(z.len());
    packed.extend_from_slice(&z);
    packed.extend_from_slice(raw);
    format!("CW2:{}", base45::encode(&packed))
}

fn code(payload: &str) -> &'static str {
    transport::decode(payload).unwrap_err().code()
}

#[test]
fn malformed_cw2_frames_are_refused_with_typed_codes() {
    let (issuer, holder) = (key(Algorithm::Sm2, 1), key(Algorithm::Es256, 2));
    let p = shown(&licence(&issuer, &holder, 1), &holder, &["name", "sex"], 1);
    let (s, raw) = transport::frame_streams_version(&p, Version::V2).unwrap();
    // The streams repack to exactly what encode writes.
    assert_eq!(repack_v2(&s, &raw), transport::encode(&p).unwrap());

    // Unknown digest algorithm bits in the flags (bit 0: KB-JWT present).
    assert_eq!(s[0], 1);
    let mut bad = s.clone();
    bad[0] = 1 | 3 << 1;
    assert_eq!(code(&repack_v2(&bad, &raw)), "qr.malformed_frame");
    // A frame naming sm3 for a sha-256 credential rebuilds a presentation whose canonical frame
    // differs: refused, never silently re-spelled (with sm3 the digest references expand to
    // other digests, so the signature would not verify either).
    let mut lie = s.clone();
    lie[0] = 1 | 1 << 1;
    assert_eq!(code(&repack_v2(&lie, &raw)), "qr.non_canonical");
    // "Other" for a sha-256 credential: digest references now point nowhere.
    lie[0] = 1 | 2 << 1;
    assert_eq!(code(&repack_v2(&lie, &raw)), "qr.malformed_frame");

    // The point marker: 0x04 then the curve byte. P-256 holder: curve 0.
    let at = s
        .windows(2)
        .position(|w| w == [4, 0])
        .expect("point marker");
    let point_raw = {
        // The point's 33 bytes sit in RAW after everything the markers before it consumed: find
        // them as the compressed SEC1 encoding (prefix 02/03) of the holder's key.
        let jwk = holder.public_key().to_jwk();
        let x = b64d(jwk["x"].as_str().unwrap());
        raw.windows(32).position(|w| w == x.as_slice()).unwrap() - 1
    };
    assert!(matches!(raw[point_raw], 2 | 3));
    // Unknown curve byte.
    let mut bad = s.clone();
    bad[at + 1] = 7;
    assert_eq!(code(&repack_v2(&bad, &raw)), "qr.malformed_frame");
    // The SM2 curve for a P-256 point: x is (almost surely) not an SM2 x-coordinate, or it
    // expands to another key; either way refused.
    bad[at + 1] = 1;
    match transport::decode(&repack_v2(&bad, &raw)) {
        Err(e) => assert_eq!(e.code(), "qr.malformed_frame"),
        // x happens to be an SM2 x-coordinate too: another key, which the signature refuses.
        Ok(other) => assert_ne!(other, p),
    }
    // A bad SEC1 prefix, and an x with no point on the curve.
    let mut bad_raw = raw.clone();
    bad_raw[point_raw] = 4;
    assert_eq!(code(&repack_v2(&s, &bad_raw)), "qr.malformed_frame");
    let mut found_off_curve = false;
    for delta in 1..=16u8 {
        let mut bad_raw = raw.clone();
        bad_raw[point_raw + 32] ^= delta;
        match transport::decode(&repack_v2(&s, &bad_raw)) {
            Err(e) if e.code() == "qr.malformed_frame" => found_off_curve = true,
            Err(e) => panic!("unexpected {}", e.code()),
            // Another valid point: a different key, which the KB-JWT signature then refuses.
            Ok(other) => assert_ne!(other, p),
        }
    }
    assert!(found_off_curve, "some x has no point on P-256");
    // The other parity decodes to the other (valid) point: a different key, not this one.
    let mut flipped = raw.clone();
    flipped[point_raw] ^= 1;
    assert_ne!(transport::decode(&repack_v2(&s, &flipped)).unwrap(), p);
    // A version-1 payload relabelled as version 2 inflates with the wrong dictionary: refused
    // with a typed transport error, never decoded into something else.
    let relabelled = transport::encode_version(&p, Version::V1)
        .unwrap()
        .replacen("CW1:", "CW2:", 1);
    assert!(code(&relabelled).starts_with("qr."));
    // Unknown versions.
    let payload = transport::encode(&p).unwrap();
    assert_eq!(
        code(&payload.replacen("CW2:", "CW3:", 1)),
        "qr.unknown_version"
    );
}

/// Every one-bit change of a version-2 payload's packed bytes (an SM2 issuer, a P-256 holder
/// and SM3 digests, so the digest-algorithm byte, the point marker and the compressed point are
/// all in play) either is refused with a `qr.*` code or decodes to a different presentation
/// whose encoding is exactly the changed payload: there is no second spelling.
#[test]
fn one_bit_variants_of_a_cw2_payload_are_refused_or_canonical() {
    let (issuer, holder) = (key(Algorithm::Sm2, 1), key(Algorithm::Es256, 2));
    let p = shown(
        &licence_sm3(&issuer, &holder, 1),
        &holder,
        &["name", "sex", "birth_date"],
        1,
    );
    let payload = transport::encode(&p).unwrap();
    let packed = base45::decode(&payload[4..]).unwrap();
    let (mut refused, mut other) = (0, 0);
    for i in 0..packed.len() * 8 {
        let mut bits = packed.clone();
        bits[i / 8] ^= 1 << (i % 8);
        let variant = format!("CW2:{}", base45::encode(&bits));
        match transport::decode(&variant) {
            Ok(text) => {
                assert_ne!(text, p);
                assert_eq!(transport::encode(&text).unwrap(), variant);
                other += 1;
            }
            Err(e) => {
                assert!(e.code().starts_with("qr."), "{}", e.code());
                refused += 1;
            }
        }
    }
    println!("{refused} one-bit variants refused, {other} decode to another presentation");
    assert!(refused > 0);
}
