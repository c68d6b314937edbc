//! Tamper sweep: every valid credential vector's presentation and its QR payload, changed at
//! every position, and every bit of the QR payload's binary forms flipped — every variant must
//! be refused (never accepted, never a panic). Verification uses the vector's own keys,
//! audience, nonce, policy and fixed `now`, so the unmodified inputs verify and any acceptance
//! is the tampering getting through.
//!
//! Substitutions (a few per position rather than all 256 bytes, to keep the sweep under a
//! minute in a debug build; they are chosen to cover each way a character can be wrong):
//! - presentation (base64url parts joined by `.` and `~`): the next character of the base64url
//!   alphabet (still decodes: the signature or a digest must catch it), the same letter in the
//!   other case (what a case-insensitive channel does), a character outside the alphabet taken
//!   in turn from `+ / = space` (standard base64 and padding confusions, parser strictness), and
//!   a separator (`~`, or `.` where the character is `~`: part boundaries moved);
//! - QR payload (`CW1:` + base45): the next base45 character, the one 22 places further on
//!   (a large change of the 16-bit group), and the lower-case letter or `=` (outside the
//!   alphabet);
//! - binary forms: every bit of the base45-decoded bytes; and every byte (one bit each, the bit
//!   rotating with the position) of the inflated STRUCTURE stream, recompressed canonically so
//!   the change reaches the frame reader and the verifier, and of the RAW stream (signatures,
//!   keys, salts, digests, nonces).

use crate::support::vectors::{Vector, load_dir};
use flate2::{Compress, Compression, Decompress, FlushCompress, FlushDecompress};
use wallet_core::keys::PublicKey;
use wallet_core::qr::transport;
use wallet_core::qr::transport::DICTIONARY_V1;
use wallet_core::sdjwt::KbExpectation;
use wallet_core::trust::StaticIssuers;
use wallet_core::verifier::{KeyBindingPolicy, VerifyPolicy, verify_presentation};

const B64URL: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const BASE45: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
const OUTSIDE_B64URL: &[u8] = b"+/= ";

/// The verifier of one vector, exactly as the vector test sets it up.
struct Verifier {
    issuers: StaticIssuers,
    policy: VerifyPolicy,
}

impl Verifier {
    fn of(v: &Vector) -> Self {
        let mut issuers = StaticIssuers::new();
        issuers.add(&v.issuer_iss, PublicKey::from_jwk(&v.issuer_jwk).unwrap());
        let key_binding = match v.policy.key_binding.as_str() {
            "if_present" => KeyBindingPolicy::IfPresent,
            _ => KeyBindingPolicy::Required(KbExpectation {
                audience: v.aud.clone().unwrap_or_default(),
                nonce: if v.policy.check_nonce {
                    v.nonce.clone()
                } else {
                    None
                },
                max_age: v.policy.max_age,
            }),
        };
        Self {
            issuers,
            policy: VerifyPolicy {
                now: v.now,
                clock_skew: v.policy.clock_skew,
                key_binding,
            },
        }
    }

    fn accepts(&self, presentation: &str) -> bool {
        verify_presentation(presentation, &self.issuers, &self.policy).is_ok()
    }

    /// A QR variant is accepted if it decodes and what it decodes to verifies. A decodable
    /// variant can never be another spelling of the original (the transport is canonical)
    /// within its version. The one other spelling that decodes is the original's canonical
    /// `CW2:` payload: version 2's dictionary ends with version 1's and its flags start as
    /// version 1's, so an Ed25519/sha-256 frame is the same bytes under either prefix (changing
    /// the prefix's `1` to `2` gives it).
    fn accepts_qr(&self, payload: &str, original: &str) -> bool {
        match transport::decode(payload) {
            Ok(p) => {
                if p == original {
                    assert_eq!(
                        transport::encode_version(original, transport::Version::V2).ok(),
                        Some(payload.to_owned()),
                        "a second spelling of the payload decoded"
                    );
                    // Not a forgery: the holder's own presentation, unchanged.
                    return false;
                }
                self.accepts(&p)
            }
            Err(_) => false,
        }
    }
}

fn next_in(alphabet: &[u8], c: u8, step: usize) -> Option<u8> {
    let i = alphabet.iter().position(|&a| a == c)?;
    Some(alphabet[(i + step) % alphabet.len()])
}

fn presentation_substitutes(c: u8, pos: usize) -> Vec<u8> {
    let mut out = vec![
        next_in(B64URL, c, 1).unwrap_or(b'A'),
        OUTSIDE_B64URL[pos % OUTSIDE_B64URL.len()],
        if c == b'~' { b'.' } else { b'~' },
    ];
    if c.is_ascii_alphabetic() {
        out.push(c ^ 0x20);
    }
    out.retain(|&s| s != c);
    out.dedup();
    out
}

fn qr_substitutes(c: u8) -> Vec<u8> {
    let mut out = vec![
        next_in(BASE45, c, 1).unwrap_or(b'0'),
        next_in(BASE45, c, 22).unwrap_or(b'Z'),
        if c.is_ascii_uppercase() {
            c.to_ascii_lowercase()
        } else {
            b'='
        },
    ];
    out.retain(|&s| s != c);
    out.dedup();
    out
}

fn with_byte(text: &str, pos: usize, b: u8) -> String {
    let mut bytes = text.as_bytes().to_vec();
    bytes[pos] = b;
    // Every substitute is ASCII and every original byte here is ASCII too.
    String::from_utf8(bytes).unwrap()
}

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

fn deflate(structure: &[u8]) -> Vec<u8> {
    let mut c = Compress::new(Compression::best(), false);
    c.set_dictionary(DICTIONARY_V1).unwrap();
    let mut out = Vec::with_capacity(structure.len() + 1024);
    c.compress_vec(structure, &mut out, FlushCompress::Finish)
        .unwrap();
    out
}

fn payload_of(compressed: &[u8], raw: &[u8]) -> String {
    let mut packed = varint(compressed.len());
    packed.extend_from_slice(compressed);
    packed.extend_from_slice(raw);
    format!("CW1:{}", base45::encode(&packed))
}

fn streams(packed: &[u8]) -> (Vec<u8>, Vec<u8>) {
    let (mut len, mut shift, mut pos) = (0usize, 0, 0);
    loop {
        let b = packed[pos];
        pos += 1;
        len |= usize::from(b & 0x7f) << shift;
        shift += 7;
        if b & 0x80 == 0 {
            break;
        }
    }
    let mut d = Decompress::new(false);
    d.set_dictionary(DICTIONARY_V1).unwrap();
    let mut structure = Vec::with_capacity(1 << 16);
    d.decompress_vec(
        &packed[pos..pos + len],
        &mut structure,
        FlushDecompress::Finish,
    )
    .unwrap();
    (structure, packed[pos + len..].to_vec())
}

#[derive(Default, Debug, Clone, Copy)]
struct Tally {
    qr_payloads: usize,
    presentation: usize,
    qr_text: usize,
    packed_bits: usize,
    frame_bits: usize,
    accepted: usize,
}

impl Tally {
    fn add(&mut self, o: &Tally) {
        self.qr_payloads += o.qr_payloads;
        self.presentation += o.presentation;
        self.qr_text += o.qr_text;
        self.packed_bits += o.packed_bits;
        self.frame_bits += o.frame_bits;
        self.accepted += o.accepted;
    }
    fn tried(&self) -> usize {
        self.presentation + self.qr_text + self.packed_bits + self.frame_bits
    }
}

fn sweep(name: &str, v: &Vector) -> (Tally, Vec<String>) {
    let verifier = Verifier::of(v);
    let original = v.presentation.as_str();
    assert!(
        verifier.accepts(original),
        "{name}: the vector itself must verify"
    );
    let mut t = Tally::default();
    let mut accepted = Vec::new();
    let mut note = |ok: bool, what: String, t: &mut Tally| {
        if ok {
            t.accepted += 1;
            accepted.push(format!("{name}: {what}"));
        }
    };

    for (pos, &c) in original.as_bytes().iter().enumerate() {
        for s in presentation_substitutes(c, pos) {
            t.presentation += 1;
            let ok = verifier.accepts(&with_byte(original, pos, s));
            note(
                ok,
                format!("presentation[{pos}] {:?}→{:?}", c as char, s as char),
                &mut t,
            );
        }
    }
    // The sweep's packed-bit unpacking uses version 1's dictionary (`CW1:`, still decoded).
    // CW1 carries every Ed25519 vector; it may refuse a presentation with EC keys (a typed
    // error), and then there is no CW1 payload to tamper with: the version-2 frame reader is
    // swept bit by bit in tests/qr/cw2.rs.
    let payload = match transport::encode_version(original, transport::Version::V1) {
        Ok(payload) => payload,
        Err(e) => {
            assert!(
                v.issuer_jwk["kty"] == "EC" || v.holder_jwk["kty"] == "EC",
                "{name}: {}",
                e.code()
            );
            return (t, accepted);
        }
    };
    assert_eq!(
        transport::decode(&payload).unwrap(),
        original,
        "{name}: QR round trip"
    );
    t.qr_payloads += 1;
    for (pos, &c) in payload.as_bytes().iter().enumerate() {
        for s in qr_substitutes(c) {
            t.qr_text += 1;
            let ok = verifier.accepts_qr(&with_byte(&payload, pos, s), original);
            note(
                ok,
                format!("qr[{pos}] {:?}→{:?}", c as char, s as char),
                &mut t,
            );
        }
    }
    let packed = base45::decode(&payload[4..]).unwrap();
    for bit in 0..packed.len() * 8 {
        let mut p = packed.clone();
        p[bit / 8] ^= 1 << (bit % 8);
        t.packed_bits += 1;
        let ok = verifier.accepts_qr(&format!("CW1:{}", base45::encode(&p)), original);
        note(ok, format!("packed bit {bit}"), &mut t);
    }
    let (structure, raw) = streams(&packed);
    let compressed = deflate(&structure);
    // One bit per byte of each frame stream, the bit rotating with the position: every byte
    // changed once, every bit position used, at an eighth of the cost of all bits (each variant
    // is recompressed and fully verified). The packed bytes above already get every bit.
    for pos in 0..raw.len() {
        let mut r = raw.clone();
        r[pos] ^= 1 << (pos % 8);
        t.frame_bits += 1;
        let ok = verifier.accepts_qr(&payload_of(&compressed, &r), original);
        note(ok, format!("raw byte {pos}"), &mut t);
    }
    for pos in 0..structure.len() {
        let mut s = structure.clone();
        s[pos] ^= 1 << (pos % 8);
        t.frame_bits += 1;
        let ok = verifier.accepts_qr(&payload_of(&deflate(&s), &raw), original);
        note(ok, format!("structure byte {pos}"), &mut t);
    }
    (t, accepted)
}

#[test]
fn every_tampered_variant_of_every_valid_vector_is_refused() {
    let vectors = sweep_folder("credentials");
    assert!(vectors >= 10, "only {vectors} valid vectors");
}

/// The same sweep over the P-256 and SM2 vectors (every issuer × holder pair with an EC key, and
/// the GM profile's SM3 digests): their r‖s signatures, EC `cnf.jwk` members and KB-JWTs get
/// every substitution too.
#[test]
fn every_tampered_variant_of_every_algorithm_vector_is_refused() {
    let vectors = sweep_folder("algorithms");
    assert_eq!(
        vectors, 9,
        "one valid vector per algorithm pair but Ed25519 × Ed25519, and the GM profile"
    );
}

/// Sweeps every valid case of `test-vectors/<folder>`; returns how many there were.
fn sweep_folder(folder: &str) -> usize {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../test-vectors")
        .join(folder);
    let cases: Vec<(String, Vector)> = load_dir(&dir)
        .unwrap()
        .into_iter()
        .filter(|(_, v)| v.expected.valid)
        .collect();
    let started = std::time::Instant::now();
    // Two workers: the sweep is embarrassingly parallel and CI machines have two cores.
    let (tally, accepted) = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..2)
            .map(|w| {
                let cases = &cases;
                scope.spawn(move || {
                    let mut tally = Tally::default();
                    let mut accepted = Vec::new();
                    for (name, v) in cases.iter().skip(w).step_by(2) {
                        let (t, a) = sweep(name, v);
                        tally.add(&t);
                        accepted.extend(a);
                    }
                    (tally, accepted)
                })
            })
            .collect();
        let mut tally = Tally::default();
        let mut accepted = Vec::new();
        for w in workers {
            let (t, a) = w.join().unwrap();
            tally.add(&t);
            accepted.extend(a);
        }
        (tally, accepted)
    });
    println!(
        "tamper sweep of {folder}: {} vectors ({} as CW1 QR payloads), {} variants tried ({} presentation substitutions, {} QR \
         text substitutions, {} packed-byte bit flips, {} frame-stream bit flips), {} accepted, in {:.1} s",
        cases.len(),
        tally.qr_payloads,
        tally.tried(),
        tally.presentation,
        tally.qr_text,
        tally.packed_bits,
        tally.frame_bits,
        tally.accepted,
        started.elapsed().as_secs_f64()
    );
    assert!(
        accepted.is_empty(),
        "accepted variants:\n{}",
        accepted.join("\n")
    );
    cases.len()
}
