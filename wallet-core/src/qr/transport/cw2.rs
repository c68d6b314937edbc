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
/// of the issuer payload, sha-256 when absent). Its byte follows the flags in a `CW2` frame.
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
    /// The frame byte.
    pub(super) fn byte(self) -> u8 {
        match self {
            Self::Sha256 => 0,
            Self::Sm3 => 1,
            Self::Other => 2,
        }
    }

    pub(super) fn from_byte(b: u8) -> Option<Self> {
        match b {
            0 => Some(Self::Sha256),
            1 => Some(Self::Sm3),
            2 => Some(Self::Other),
            _ => None,
        }
    }

    /// The algorithm an issuer payload (JSON text) declares. Only the top-level member counts,
    /// as in RFC 9901; a payload that does not parse gets [`DigestAlg::Other`].
    pub(super) fn of_payload(payload_json: &[u8]) -> Self {
        let Ok(serde_json::Value::Object(map)) = serde_json::from_slice(payload_json) else {
            return Self::Other;
        };
        match map.get("_sd_alg") {
            None => Self::Sha256,
            Some(v) if v == "sha-256" => Self::Sha256,
            Some(v) if v == "sm3" => Self::Sm3,
            Some(_) => Self::Other,
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

/// The version-2 preset dictionary: version 1's fragments, then the EC and GM-profile
/// skeletons (ES256/SM2 headers, EC `cnf.jwk` with its point marker, `_sd_alg: sm3`), then
/// version 1's most frequent skeletons again nearest the window's end, where DEFLATE reaches
/// them most cheaply. Frozen like version 1: a test pins its SHA-256.
pub const DICTIONARY_V2: &[u8] = concat!(
    "北京市天津市重庆市广东省江苏省浙江省有限公司公安局交通警察总队车辆管理所不动产登记中心人力资源和社会保障局市场监督管理局出入境管理局",
    "黄浦区徐汇区长宁区静安区普陀区虹口区杨浦区闵行区宝山区嘉定区金山区松江区青浦区奉贤区崇明区路号弄室",
    "\"legal_representative\",\"\"registered_capital\",\"\"establishment_date\",\"\"business_term_until\",\"\"business_scope\",\"\"entity_type\",\"",
    "\"certificate_number\",\"\"right_holder\",\"\"co_ownership\",\"\"location\",\"\"right_type\",\"\"right_nature\",\"\"usage\",\"\"unit_number\",\"\"floor_area\",\"\"land_use_until\",\"\"registration_date\",\"",
    "\"plate_number\",\"\"vin\",\"\"vehicle_type\",\"\"owner\",\"\"use_character\",\"\"model\",\"\"engine_number\",\"\"issue_date\",\"\"approved_passengers\",\"\"inspection_valid_until\",\"",
    "\"household_number\",\"\"household_type\",\"\"relationship_to_head\",\"\"birthplace\",\"\"passport_number\",\"\"surname_latin\",\"\"given_names_latin\",\"\"place_of_issue\",\"\"expiry_date\",\"",
    "\"social_security_number\",\"\"card_number\",\"\"photo_digest\",\"\"ethnicity\",\"汉\"]\"id_number\",\"310",
    "\"age_over_60\",false]\"age_over_60\",true]\"age_over_18\",false]\"age_over_18\",true]",
    "\"nationality\",\"CHN\"]\"first_issue_date\",\"20\"licence_class\",\"C1\"]\"licence_number\",\"310",
    "\"valid_from\",\"20\"valid_until\",\"长期\"]\"valid_until\",\"20\"birth_date\",\"19\"sex\",\"男\"]\"sex\",\"女\"]\"name\",\"",
    "[\u{1}\u{10},\"address\",\"上海市浦东新区",
    "\"},\"nbf\":17,\"status\":{\"status_list\":{\"idx\":,\"uri\":\"https://\"}},\"vct\":\"urn:cn-wallet:business-licence:1\"}",
    "\",\"vct\":\"urn:cn-wallet:real-estate-title:1\"}\",\"vct\":\"urn:cn-wallet:household-register:1\"}",
    "\",\"vct\":\"urn:cn-wallet:passport:1\"}\",\"vct\":\"urn:cn-wallet:social-security-card:1\"}",
    "\",\"vct\":\"urn:cn-wallet:vehicle-licence:1\"}\",\"vct\":\"urn:cn-wallet:resident-id:1\"}",
    // Version 2: the other algorithms' skeletons (header lengths 40 `(` and 28 `\x1c` for SM2).
    "\u{1c}{\"alg\":\"SM2\",\"typ\":\"kb+jwt\"}\u{1e}{\"alg\":\"ES256\",\"typ\":\"kb+jwt\"}",
    "\"_sd_alg\":\"sm3\",\"cnf\":{\"jwk\":{\"crv\":\"SM2\",\"kty\":\"EC\",\"x\":\u{4}\u{1}}},\"exp\":17",
    "\"cnf\":{\"jwk\":{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\u{4}\u{0}}},\"exp\":17",
    "({\"alg\":\"SM2\",\"kid\":\u{1}\u{20},\"typ\":\"dc+sd-jwt\"}",
    "*{\"alg\":\"ES256\",\"kid\":\u{1}\u{20},\"typ\":\"dc+sd-jwt\"}",
    // Version 1's skeletons, unchanged and last.
    "*{\"alg\":\"EdDSA\",\"kid\":\u{1}\u{20},\"typ\":\"dc+sd-jwt\"}",
    "{\"_sd\":[\u{1}\u{20},\u{1}\u{20},\u{1}\u{20},\u{1}\u{20},\u{2}\u{0},\u{2}\u{1},\u{2}\u{2},\u{2}\u{3},\u{1}\u{20}],",
    "\"_sd_alg\":\"sha-256\",\"cnf\":{\"jwk\":{\"crv\":\"Ed25519\",\"kty\":\"OKP\",\"x\":\u{1}\u{20}}},\"exp\":17",
    ",\"iat\":17,\"iss\":\"https://.sh.gov.cn/issuer",
    "\",\"vct\":\"urn:cn-wallet:driving-licence:1\"}@",
    "\u{1e}{\"alg\":\"EdDSA\",\"typ\":\"kb+jwt\"}G{\"aud\":\"urn:wallet:qr:offline\",\"iat\":17",
    ",\"nonce\":\u{1}\u{10},\"sd_hash\":\u{3}}@"
).as_bytes();
