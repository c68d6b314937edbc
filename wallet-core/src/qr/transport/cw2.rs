//! What QR transport version 2 (`CW2:`, docs/qr-format.md §10) adds to version 1: the digest
//! algorithm taken from the issuer payload's `_sd_alg` (sha-256 or sm3, so that GM-profile
//! credentials keep their 2-byte digest references and 1-byte `sd_hash`), P-256 and SM2 public
//! keys carried as 33-byte SEC1 compressed points instead of two 32-byte coordinates, and a
//! dictionary that knows the ES256/SM2 headers and EC JWK members. Everything here is a pure
//! function of the presentation, so the decoder's canonical check (rebuild, re-encode, compare)
//! covers it: a frame that names the wrong digest algorithm or curve is refused as non-canonical.

use crate::encoding::{b64_decode, b64_encode};
use p256::elliptic_curve::sec1::{FromEncodedPoint as _, ToEncodedPoint as _};
use sha2::{Digest as _, Sha256};

/// The digest algorithm of disclosure digests and `sd_hash` (RFC 9901 §4.1.1: the `_sd_alg`
/// of the issuer payload, sha-256 when absent). In a `CW2` frame it is bits 1–2 of the flags
/// byte, so that a sha-256 frame's flags are version 1's (Ed25519 codes keep their size).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum DigestAlg {
    /// `sha-256` (or no `_sd_alg`).
    Sha256,
    /// `sm3` (GM/T 0004; the GM profile).
    Sm3,
    /// Any other `_sd_alg`, or a payload that is not a JSON object: no digest is recomputed,
    /// so digests travel as raw bytes (the verifier refuses such a credential anyway, but the
    /// transport stays lossless for it).
    Other,
}

impl DigestAlg {
    /// The value in bits 1–2 of the flags byte.
    pub(super) fn bits(self) -> u8 {
        match self {
            Self::Sha256 => 0,
            Self::Sm3 => 1,
            Self::Other => 2,
        }
    }

    pub(super) fn from_bits(b: u8) -> Option<Self> {
        match b {
            0 => Some(Self::Sha256),
            1 => Some(Self::Sm3),
            2 => Some(Self::Other),
            _ => None,
        }
    }

    /// The algorithm an issuer payload (JSON text) declares. Only the top-level member counts,
    /// as in RFC 9901. Read without building the JSON tree (every other member is skipped), since
    /// both the encoder and the decoder's canonical check do this once per scan. A payload that
    /// does not parse, repeats `_sd_alg`, or spells it with escapes gets [`DigestAlg::Other`]:
    /// only a smaller payload is lost, never data.
    pub(super) fn of_payload(payload_json: &[u8]) -> Self {
        #[derive(serde::Deserialize)]
        struct Top<'a> {
            #[serde(rename = "_sd_alg", borrow, default)]
            sd_alg: Option<&'a str>,
        }
        match serde_json::from_slice::<Top<'_>>(payload_json) {
            Ok(Top { sd_alg: None })
            | Ok(Top {
                sd_alg: Some("sha-256"),
            }) => Self::Sha256,
            Ok(Top {
                sd_alg: Some("sm3"),
            }) => Self::Sm3,
            _ => Self::Other,
        }
    }

    /// base64url(H(ascii)) — a disclosure's digest or `sd_hash` — or `None` for `Other`.
    pub(super) fn digest_b64(self, ascii: &[u8]) -> Option<String> {
        match self {
            Self::Sha256 => Some(b64_encode(Sha256::digest(ascii))),
            Self::Sm3 => Some(b64_encode(sm3::Sm3::digest(ascii))),
            Self::Other => None,
        }
    }
}

/// What follows an `x` coordinate literal in the JWK members we write (`"x":"…","y":"…"`,
/// RFC 7638 order): a point is compressed only when written exactly so.
const Y_MEMBER: &[u8] = b",\"y\":\"";

/// Characters of a 32-byte coordinate in unpadded base64url.
const COORD_CHARS: usize = 43;

/// Curve bytes after the point marker.
pub(super) const CURVE_P256: u8 = 0;
pub(super) const CURVE_SM2: u8 = 1;

/// Length of a SEC1 compressed point of a 256-bit curve.
pub(super) const COMPRESSED_LEN: usize = 33;

/// If `x_text` (a string literal's content) and the JSON text `rest` after its closing quote
/// are `X","y":"Y"` with X and Y canonical base64url of a point on P-256 or SM2 (tried in that
/// order), returns the curve byte, the compressed point and how many bytes of `rest` the point
/// consumed (through the closing quote of Y).
pub(super) fn compress_point(
    x_text: &[u8],
    rest: &[u8],
) -> Option<(u8, [u8; COMPRESSED_LEN], usize)> {
    if x_text.len() != COORD_CHARS || !rest.starts_with(Y_MEMBER) {
        return None;
    }
    let y_start = Y_MEMBER.len();
    let y_end = y_start.checked_add(COORD_CHARS)?;
    let y_text = rest.get(y_start..y_end)?;
    if rest.get(y_end) != Some(&b'"') {
        return None;
    }
    let x = coordinate(x_text)?;
    let y = coordinate(y_text)?;
    let (curve, sec1) = if let Some(p) = p256_compressed(&x, &y) {
        (CURVE_P256, p)
    } else {
        (CURVE_SM2, sm2_compressed(&x, &y)?)
    };
    Some((curve, sec1, y_end.checked_add(1)?))
}

/// A coordinate's 32 bytes, only if the text is their canonical unpadded base64url (so that
/// re-encoding on decode gives the same text).
fn coordinate(text: &[u8]) -> Option<[u8; 32]> {
    let text = std::str::from_utf8(text).ok()?;
    if !text
        .bytes()
        .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
    {
        return None;
    }
    let bytes = b64_decode(text).ok()?;
    (b64_encode(&bytes) == text)
        .then(|| <[u8; 32]>::try_from(bytes.as_slice()).ok())
        .flatten()
}

fn to_array(bytes: &[u8]) -> Option<[u8; COMPRESSED_LEN]> {
    <[u8; COMPRESSED_LEN]>::try_from(bytes).ok()
}

fn p256_compressed(x: &[u8; 32], y: &[u8; 32]) -> Option<[u8; COMPRESSED_LEN]> {
    let point = p256::EncodedPoint::from_affine_coordinates(&(*x).into(), &(*y).into(), false);
    // Refuses coordinates >= p and points off the curve.
    let key = Option::<p256::PublicKey>::from(p256::PublicKey::from_encoded_point(&point))?;
    to_array(key.to_encoded_point(true).as_bytes())
}

fn sm2_compressed(x: &[u8; 32], y: &[u8; 32]) -> Option<[u8; COMPRESSED_LEN]> {
    let point = sm2::EncodedPoint::from_affine_coordinates(&(*x).into(), &(*y).into(), false);
    let key = Option::<sm2::PublicKey>::from(sm2::PublicKey::from_encoded_point(&point))?;
    to_array(key.to_encoded_point(true).as_bytes())
}

/// The JSON text a point marker stands for: `"X","y":"Y"` (from after `"x":` through the
/// closing quote of Y), or `None` if the curve byte is unknown or the bytes are not a
/// compressed point on that curve.
pub(super) fn expand_point(curve: u8, sec1: &[u8]) -> Option<Vec<u8>> {
    if sec1.len() != COMPRESSED_LEN || !matches!(sec1.first(), Some(2 | 3)) {
        return None;
    }
    let uncompressed = match curve {
        CURVE_P256 => p256::PublicKey::from_sec1_bytes(sec1)
            .ok()?
            .to_encoded_point(false),
        CURVE_SM2 => {
            let key = sm2::PublicKey::from_sec1_bytes(sec1).ok()?;
            let point = key.to_encoded_point(false);
            // Same SEC1 layout for both 256-bit curves; rebuilt as P-256's type only to share
            // the coordinate accessors below.
            p256::EncodedPoint::from_bytes(point.as_bytes()).ok()?
        }
        _ => return None,
    };
    let (x, y) = (uncompressed.x()?, uncompressed.y()?);
    let mut out = Vec::with_capacity(2usize.saturating_mul(COORD_CHARS).saturating_add(10));
    out.push(b'"');
    out.extend_from_slice(b64_encode(x).as_bytes());
    out.push(b'"');
    out.extend_from_slice(Y_MEMBER);
    out.extend_from_slice(b64_encode(y).as_bytes());
    out.push(b'"');
    Some(out)
}

/// Fragments version 2 adds in front of version 1's dictionary: the ES256/SM2 JWS and KB-JWT
/// headers with their length bytes (40 `(` and 28 `\x1c` for SM2, as for EdDSA otherwise), the
/// EC `cnf.jwk` skeletons with their point markers, and `_sd_alg: sm3`.
macro_rules! dictionary_v2_head {
    () => {
        concat!(
            "\u{1c}{\"alg\":\"SM2\",\"typ\":\"kb+jwt\"}\u{1e}{\"alg\":\"ES256\",\"typ\":\"kb+jwt\"}",
            "\"_sd_alg\":\"sm3\",\"cnf\":{\"jwk\":{\"crv\":\"SM2\",\"kty\":\"EC\",\"x\":\u{4}\u{1}}},\"exp\":17",
            "\"cnf\":{\"jwk\":{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\u{4}\u{0}}},\"exp\":17",
            "({\"alg\":\"SM2\",\"kid\":\u{1}\u{20},\"typ\":\"dc+sd-jwt\"}",
            "*{\"alg\":\"ES256\",\"kid\":\u{1}\u{20},\"typ\":\"dc+sd-jwt\"}",
        )
    };
}

/// The version-2 preset dictionary: the EC and GM-profile fragments, then version 1's dictionary
/// unchanged. New fragments go first because DEFLATE reaches the end of the dictionary most
/// cheaply and Ed25519 with sha-256 stays the common case: its matches sit at the same distances
/// as in version 1. Frozen like version 1: a test pins its SHA-256.
pub const DICTIONARY_V2: &[u8] = concat!(dictionary_v2_head!(), dictionary_v1!()).as_bytes();
