//! Token Status List, draft-ietf-oauth-status-list-20: the status byte array (§4.1: 1, 2, 4 or
//! 8 bits per credential, packed from the least significant bit up, DEFLATE in the ZLIB format
//! of RFC 1950), its JSON form (§4.2: `{bits, lst}` with `lst` in base64url), the Status List
//! Token in JWT form (§5.1: `typ: statuslist+jwt`, `sub` = the list URI, `iat`, `exp`, `ttl`),
//! the status types of §7.1, the verifier's validation rules of §8.3 and the Status List
//! Aggregation of §9 (`aggregation_uri`, `{"status_lists": […]}`).
//!
//! This module is the format and its validation rules only, shared by both sides: issuers keep a
//! `StatusRegistry` (index allocation, status changes, publishing: `crate::issuer::registry`);
//! verifiers keep a `StatusCache` of downloaded tokens and check offline
//! (`crate::verifier::status_cache`).

use crate::encoding::{b64_decode, b64_encode};
use crate::error::{ErrorClass, ErrorCode, ErrorInfo, codes};
use crate::format::credential::StatusRef;
use crate::format::jws::{Jws, JwsError};
use crate::format::keys::{Algorithm, KeySigner, KeyVerifier, PublicKey};
use flate2::Compression;
use serde::Serialize;
use serde_json::{Map, Value};
use std::io::{Read as _, Write as _};

/// The JOSE `typ` of a Status List Token (§5.1).
pub const STATUS_LIST_TYP: &str = "statuslist+jwt";

/// Largest decompressed status byte array accepted or built: 32 MiB, room for 268 million
/// 1-bit or 33 million 8-bit statuses. Decompression stops at this size, so a "zip bomb" costs
/// at most this much memory (twice, transiently, while the buffer grows).
pub const MAX_LIST_BYTES: usize = 32 * 1024 * 1024;

/// The zlib level tokens are published at. §4.1 recommends the highest level, but on a
/// 24-million-entry list level 9 takes 1.2–3 s (zlib-rs, 1 %–10 % revoked) for at most 12 %
/// fewer bytes — and more bytes at 10 % — while level 6 stays within 0.35 s: a revocation must
/// be publishable within a second (measurements in docs/trust-and-status.md).
pub const COMPRESSION_LEVEL: u32 = 6;

/// Most status lists a `StatusCache` keeps verified and decompressed for `check_status`
/// ([`crate::verifier::StatusListMemo`]); the least recently used is dropped first. A verifier meets few lists
/// (one or a few per issuer), so 16 covers a counter's day; more only costs reloads.
pub const MEMO_MAX_LISTS: usize = 16;

/// Most bytes (decompressed lists plus the tokens they were read from) a
/// [`crate::verifier::StatusListMemo`] holds: 64 MiB, room for one list at [`MAX_LIST_BYTES`]
/// with its token at [`MAX_TOKEN_BYTES`], or twenty 24-million-entry 1-bit lists (3 MiB each).
pub const MEMO_MAX_BYTES: usize = 64 * 1024 * 1024;

/// Longest Status List Token accepted (bytes of compact JWS). A 24-million-entry list with 10 %
/// of its entries revoked at random compresses to about 2 MiB; 16 MiB leaves ample headroom.
pub const MAX_TOKEN_BYTES: usize = 16 * 1024 * 1024;

/// Errors of the status layer: list encoding, Status List Tokens, the issuer's registry, the
/// verifier's cache and the status check itself.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StatusError {
    /// `bits` is not 1, 2, 4 or 8 (§4.1 step 1).
    #[error("status list bits must be 1, 2, 4 or 8")]
    InvalidBits,
    /// A status value does not fit in the list's `bits`.
    #[error("status value does not fit in the list's bits per entry")]
    ValueTooWide,
    /// The index is outside the list (§8.3 step 6: the credential must be rejected).
    #[error("status index is out of range of the status list")]
    IndexOutOfRange,
    /// The list, its compressed form or the token exceeds the size limit; decompression was
    /// stopped before allocating more.
    #[error("status list exceeds the size limit")]
    TooLarge,
    /// `lst` is not a valid ZLIB (RFC 1950) stream.
    #[error("status list is not a valid zlib stream")]
    Compression,
    /// A required claim of the Status List Token or of the registry file is missing or has the
    /// wrong type.
    #[error("malformed status list: {0}")]
    Malformed(&'static str),
    /// The Status List Token failed a JWS check (signature, `typ`, algorithm, encoding).
    #[error("status list token: {0}")]
    Jws(JwsError),
    /// The token's `sub` is not the URI the credential references (§8.3 step 4a).
    #[error("status list token subject does not match the credential's status uri")]
    UriMismatch,
    /// The token's `sub` is not among the Status List Aggregation's `status_lists` (§9).
    #[error("the status list token's list is not named in the status list aggregation")]
    NotInAggregation,
    /// The token names another issuer than the credential's.
    #[error("status list token was issued by another issuer than the credential")]
    IssuerMismatch,
    /// No key of the credential's issuer in the trust list may sign this token.
    #[error("status list token is not signed by a trusted key of the credential's issuer")]
    UntrustedSigner,
    /// The trust list's key for the token is of an algorithm the verifier's
    /// [`AlgorithmPolicy`](crate::format::keys::AlgorithmPolicy) does not accept for status lists.
    #[error("status list token signer's algorithm {0} is not accepted by this verifier")]
    AlgorithmNotAccepted(Algorithm),
    /// No Status List Token for the credential's status URI is cached: the status is unknown.
    #[error("no status list is cached for the credential's status uri; download it first")]
    UnknownList,
    /// The cached Status List Token has expired (`exp`, §8.3 step 4c): the status is unknown.
    #[error("the cached status list has expired; download a fresh one")]
    ExpiredList,
    /// The Status List Token's `iat` is in the future (beyond the clock skew).
    #[error("status list token was issued in the future")]
    IssuedInFuture,
    /// The verifier's policy requires a revocable credential and this one has no `status`
    /// claim: nobody could ever revoke it.
    #[error("credential has no status list entry and cannot be revoked; the verifier requires one")]
    Missing,
    /// The credential has been revoked (status 0x01 INVALID).
    #[error("credential has been revoked")]
    Revoked,
    /// The credential is suspended (status 0x02 SUSPENDED).
    #[error("credential is suspended")]
    Suspended,
    /// The credential has an application-specific or unregistered status value.
    #[error("credential has a status value this verifier does not understand")]
    Unrecognised(u8),
    /// The registry has no free index left.
    #[error("status registry is full: start a new status list")]
    RegistryFull,
    /// The index was never allocated by this registry.
    #[error("status index was not allocated by this registry")]
    NotAllocated,
    /// A revoked credential cannot be reinstated or suspended: revocation is final.
    #[error("a revoked credential cannot change status")]
    RevocationIsFinal,
    /// Another process held the registry's lock ([`crate::issuer::StatusRegistry::lock`]) for
    /// longer than the wait: it is issuing or changing statuses (a batch holds it for its whole
    /// run). Nothing was changed; try again when it has finished.
    #[error("another process is using the status registry")]
    RegistryLocked,
    /// A cached token would be replaced by one issued earlier.
    #[error("refusing to replace a status list with an older one")]
    Rollback,
    /// A file could not be read or written.
    #[error("status file i/o failed: {0}")]
    Io(String),
}

impl StatusError {
    /// This error's row of the error table ([`crate::error`]): its stable code, kind and class.
    pub fn info(&self) -> &'static ErrorInfo {
        match self {
            Self::InvalidBits => &codes::STATUS_INVALID_BITS,
            Self::ValueTooWide => &codes::STATUS_VALUE_TOO_WIDE,
            Self::IndexOutOfRange => &codes::STATUS_INDEX_OUT_OF_RANGE,
            Self::TooLarge => &codes::STATUS_TOO_LARGE,
            Self::Compression => &codes::STATUS_COMPRESSION,
            Self::Malformed(_) => &codes::STATUS_MALFORMED,
            Self::Jws(e) => e.info(),
            Self::UriMismatch => &codes::STATUS_URI_MISMATCH,
            Self::NotInAggregation => &codes::STATUS_NOT_IN_AGGREGATION,
            Self::IssuerMismatch => &codes::STATUS_ISSUER_MISMATCH,
            Self::UntrustedSigner => &codes::STATUS_UNTRUSTED_SIGNER,
            Self::AlgorithmNotAccepted(_) => &codes::STATUS_ALGORITHM_NOT_ACCEPTED,
            Self::UnknownList => &codes::STATUS_UNKNOWN_LIST,
            Self::ExpiredList => &codes::STATUS_EXPIRED_LIST,
            Self::IssuedInFuture => &codes::STATUS_ISSUED_IN_FUTURE,
            Self::Missing => &codes::STATUS_MISSING,
            Self::Revoked => &codes::STATUS_REVOKED,
            Self::Suspended => &codes::STATUS_SUSPENDED,
            Self::Unrecognised(_) => &codes::STATUS_UNRECOGNISED,
            Self::RegistryFull => &codes::STATUS_REGISTRY_FULL,
            Self::NotAllocated => &codes::STATUS_NOT_ALLOCATED,
            Self::RevocationIsFinal => &codes::STATUS_REVOCATION_IS_FINAL,
            Self::RegistryLocked => &codes::STATUS_REGISTRY_LOCKED,
            Self::Rollback => &codes::STATUS_ROLLBACK,
            Self::Io(_) => &codes::STATUS_IO,
        }
    }

    /// Stable machine-readable code (lower layers' codes pass through unchanged).
    pub fn code(&self) -> &'static str {
        self.info().code
    }

    pub(crate) fn io(e: &std::io::Error) -> Self {
        // The kind only: an OS message may carry a path, which is not ours to echo.
        Self::Io(e.kind().to_string())
    }
}

impl ErrorCode for StatusError {
    fn info(&self) -> &'static ErrorInfo {
        StatusError::info(self)
    }
    /// A Status List Token whose JWS fails keeps the `jws.*` code, but it is the list that is
    /// invalid, not a credential.
    fn class(&self) -> ErrorClass {
        match self {
            Self::Jws(_) => ErrorClass::StatusList,
            _ => self.info().class,
        }
    }
}

impl From<JwsError> for StatusError {
    fn from(e: JwsError) -> Self {
        Self::Jws(e)
    }
}

/// Bits per status entry (§4.1 step 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Bits {
    /// 1 bit: VALID / INVALID.
    One,
    /// 2 bits: adds SUSPENDED and one application-specific value.
    Two,
    /// 4 bits.
    Four,
    /// 8 bits.
    Eight,
}

impl Bits {
    /// Reads the `bits` member value.
    pub fn from_u64(bits: u64) -> Result<Self, StatusError> {
        match bits {
            1 => Ok(Self::One),
            2 => Ok(Self::Two),
            4 => Ok(Self::Four),
            8 => Ok(Self::Eight),
            _ => Err(StatusError::InvalidBits),
        }
    }

    /// The number of bits.
    pub fn get(self) -> u8 {
        match self {
            Self::One => 1,
            Self::Two => 2,
            Self::Four => 4,
            Self::Eight => 8,
        }
    }

    /// Entries per byte (8 / bits).
    fn per_byte(self) -> u8 {
        match self {
            Self::One => 8,
            Self::Two => 4,
            Self::Four => 2,
            Self::Eight => 1,
        }
    }

    /// The mask of one entry in the low bits.
    fn mask(self) -> u8 {
        match self {
            Self::One => 0x01,
            Self::Two => 0x03,
            Self::Four => 0x0f,
            Self::Eight => 0xff,
        }
    }

    /// Bytes needed for `entries` statuses (rounded up to whole bytes).
    pub fn bytes_for(self, entries: u64) -> u64 {
        entries.div_ceil(u64::from(self.per_byte()))
    }
}

/// A status value (§7: one value per credential, 0–255). The registered values are constants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct StatusValue(pub u8);

impl StatusValue {
    /// 0x00 VALID.
    pub const VALID: Self = Self(0x00);
    /// 0x01 INVALID: revoked, final.
    pub const INVALID: Self = Self(0x01);
    /// 0x02 SUSPENDED: temporarily invalid.
    pub const SUSPENDED: Self = Self(0x02);

    /// The registered name (`VALID`, `INVALID`, `SUSPENDED`), if any.
    pub fn name(self) -> Option<&'static str> {
        match self.0 {
            0x00 => Some("VALID"),
            0x01 => Some("INVALID"),
            0x02 => Some("SUSPENDED"),
            _ => None,
        }
    }
}

/// A decompressed status list: the byte array of §4.1 with its `bits`.
#[derive(Clone, PartialEq, Eq)]
pub struct StatusList {
    bits: Bits,
    bytes: Vec<u8>,
}

impl std::fmt::Debug for StatusList {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StatusList")
            .field("bits", &self.bits.get())
            .field("bytes", &self.bytes.len())
            .finish()
    }
}

/// Where an entry lives: byte offset, and the shift of its lowest bit inside the byte.
fn locate(bits: Bits, idx: u64) -> Option<(usize, u32)> {
    let per_byte = u64::from(bits.per_byte());
    let byte = usize::try_from(idx.checked_div(per_byte)?).ok()?;
    let slot = u32::try_from(idx.checked_rem(per_byte)?).ok()?;
    Some((byte, slot.checked_mul(u32::from(bits.get()))?))
}

impl StatusList {
    /// An all-VALID list with room for at least `entries` statuses (rounded up to whole bytes).
    pub fn new(bits: Bits, entries: u64) -> Result<Self, StatusError> {
        let len = usize::try_from(bits.bytes_for(entries))
            .ok()
            .filter(|n| *n <= MAX_LIST_BYTES)
            .ok_or(StatusError::TooLarge)?;
        Ok(Self {
            bits,
            bytes: vec![0; len],
        })
    }

    /// A list over an existing byte array.
    pub fn from_bytes(bits: Bits, bytes: Vec<u8>) -> Result<Self, StatusError> {
        if bytes.len() > MAX_LIST_BYTES {
            return Err(StatusError::TooLarge);
        }
        Ok(Self { bits, bytes })
    }

    /// Bits per entry.
    pub fn bits(&self) -> Bits {
        self.bits
    }

    /// Number of entries (byte length × 8 / bits).
    pub fn len(&self) -> u64 {
        u64::try_from(self.bytes.len())
            .unwrap_or(u64::MAX)
            .saturating_mul(u64::from(self.bits.per_byte()))
    }

    /// Whether the list has no entries.
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// The uncompressed byte array.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The status at `idx`; [`StatusError::IndexOutOfRange`] past the end.
    pub fn get(&self, idx: u64) -> Result<StatusValue, StatusError> {
        let (byte, shift) = locate(self.bits, idx).ok_or(StatusError::IndexOutOfRange)?;
        let b = *self.bytes.get(byte).ok_or(StatusError::IndexOutOfRange)?;
        Ok(StatusValue(
            b.checked_shr(shift).unwrap_or(0) & self.bits.mask(),
        ))
    }

    /// Sets the status at `idx`.
    pub fn set(&mut self, idx: u64, value: StatusValue) -> Result<(), StatusError> {
        if value.0 & !self.bits.mask() != 0 {
            return Err(StatusError::ValueTooWide);
        }
        let (byte, shift) = locate(self.bits, idx).ok_or(StatusError::IndexOutOfRange)?;
        let b = self
            .bytes
            .get_mut(byte)
            .ok_or(StatusError::IndexOutOfRange)?;
        let mask = self.bits.mask().checked_shl(shift).unwrap_or(0);
        *b = (*b & !mask) | (value.0.checked_shl(shift).unwrap_or(0) & mask);
        Ok(())
    }

    /// The ZLIB (RFC 1950) compressed byte array at `level` (0–9; §4.1 step 4 recommends 9).
    pub fn compress(&self, level: u32) -> Vec<u8> {
        zlib_compress(&self.bytes, level)
    }

    /// The §4.2 JSON object `{"bits": …, "lst": …}` at compression `level`.
    pub fn to_json(&self, level: u32) -> Value {
        let mut map = Map::new();
        map.insert("bits".into(), Value::from(self.bits.get()));
        map.insert("lst".into(), Value::from(b64_encode(self.compress(level))));
        Value::Object(map)
    }

    /// Reads a §4.2 JSON object: `bits` in {1, 2, 4, 8}, `lst` canonical base64url of a ZLIB
    /// stream that inflates to at most `max_bytes` (capped at [`MAX_LIST_BYTES`]).
    pub fn from_json(value: &Value, max_bytes: usize) -> Result<Self, StatusError> {
        let obj = value
            .as_object()
            .ok_or(StatusError::Malformed("status_list is not an object"))?;
        let bits = obj
            .get("bits")
            .and_then(Value::as_u64)
            .ok_or(StatusError::Malformed("bits is not an integer"))
            .and_then(Bits::from_u64)?;
        let lst = obj
            .get("lst")
            .and_then(Value::as_str)
            .ok_or(StatusError::Malformed("lst is not a string"))?;
        let compressed =
            b64_decode(lst).map_err(|_| StatusError::Malformed("lst is not base64url"))?;
        let bytes = zlib_decompress(&compressed, max_bytes.min(MAX_LIST_BYTES))?;
        Ok(Self { bits, bytes })
    }
}

/// ZLIB-compresses `bytes` at `level` (clamped to 0–9).
pub(crate) fn zlib_compress(bytes: &[u8], level: u32) -> Vec<u8> {
    let mut encoder = flate2::write::ZlibEncoder::new(
        Vec::with_capacity(bytes.len().checked_div(64).unwrap_or(0)),
        Compression::new(level.min(9)),
    );
    // Writing into a Vec cannot fail; should it ever, the empty output fails to decode later
    // rather than panicking here.
    if encoder.write_all(bytes).is_err() {
        return Vec::new();
    }
    encoder.finish().unwrap_or_default()
}

/// Inflates a ZLIB stream, refusing (before allocating more) any output beyond `max_bytes`.
pub(crate) fn zlib_decompress(compressed: &[u8], max_bytes: usize) -> Result<Vec<u8>, StatusError> {
    let limit = u64::try_from(max_bytes)
        .unwrap_or(u64::MAX)
        .saturating_add(1);
    let mut out = Vec::new();
    flate2::read::ZlibDecoder::new(compressed)
        .take(limit)
        .read_to_end(&mut out)
        .map_err(|_| StatusError::Compression)?;
    if out.len() > max_bytes {
        return Err(StatusError::TooLarge);
    }
    Ok(out)
}

/// What the Status List Token says about itself (§5.1), apart from the list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatusListClaims {
    /// `sub`: the list URI, equal to the credentials' `status.status_list.uri`.
    pub uri: String,
    /// `iss`: the issuer whose key signs the token (the credentials' `iss`), if written.
    pub iss: Option<String>,
    /// `iat`, unix seconds.
    pub iat: i64,
    /// `exp`, unix seconds (RECOMMENDED; a verifier treats the list as unknown after it).
    pub exp: Option<i64>,
    /// `ttl`, seconds a copy may be cached before a fresh one should be fetched.
    pub ttl: Option<u64>,
    /// `status_list.aggregation_uri` (§4.2, §9): where the Status List Aggregation of this
    /// issuer's lists is published — how a verifier finds every shard's list at once.
    pub aggregation_uri: Option<String>,
}

/// Signs a Status List Token: header `typ: statuslist+jwt`, `alg` the signer's (`EdDSA` for
/// Ed25519), `kid` = RFC 7638
/// thumbprint; payload `sub`, `iss`, `iat`, `exp`, `ttl`, `status_list` (compressed at
/// [`COMPRESSION_LEVEL`]).
pub fn sign_status_list_token<S: KeySigner + ?Sized>(
    claims: &StatusListClaims,
    list: &StatusList,
    signer: &S,
) -> Result<String, StatusError> {
    sign_status_list_token_with_level(claims, list, COMPRESSION_LEVEL, signer)
}

/// [`sign_status_list_token`] with an explicit compression level (0–9).
pub fn sign_status_list_token_with_level<S: KeySigner + ?Sized>(
    claims: &StatusListClaims,
    list: &StatusList,
    level: u32,
    signer: &S,
) -> Result<String, StatusError> {
    if claims.ttl == Some(0) {
        // §5.1: ttl MUST be a positive number.
        return Err(StatusError::Malformed("ttl must be positive"));
    }
    let mut header = Map::new();
    header.insert("typ".into(), Value::from(STATUS_LIST_TYP));
    header.insert("kid".into(), Value::from(signer.public().thumbprint()));
    let mut payload = Map::new();
    payload.insert("sub".into(), Value::from(claims.uri.as_str()));
    if let Some(iss) = &claims.iss {
        payload.insert("iss".into(), Value::from(iss.as_str()));
    }
    payload.insert("iat".into(), Value::from(claims.iat));
    if let Some(exp) = claims.exp {
        payload.insert("exp".into(), Value::from(exp));
    }
    if let Some(ttl) = claims.ttl {
        payload.insert("ttl".into(), Value::from(ttl));
    }
    let mut status_list = list.to_json(level);
    if let (Some(uri), Value::Object(map)) = (&claims.aggregation_uri, &mut status_list) {
        map.insert("aggregation_uri".into(), Value::from(uri.as_str()));
    }
    payload.insert("status_list".into(), status_list);
    Ok(crate::format::jws::sign(
        header,
        &Value::Object(payload),
        signer,
    )?)
}

/// Longest Status List Aggregation document accepted (bytes): 4 MiB, room for tens of thousands
/// of list URIs — 1.4 billion credentials in lists of 16,777,216 need 84.
pub const MAX_AGGREGATION_BYTES: usize = 4 * 1024 * 1024;

/// The Status List Aggregation document of §9: `{"status_lists": [URI, …]}`, every Status List
/// Token URI of one issuer (or one type), so that a verifier preparing to work offline fetches
/// them all — at national scale, one list per issuance shard.
pub fn aggregation_json(uris: &[String]) -> Value {
    let mut map = Map::new();
    map.insert(
        "status_lists".into(),
        Value::Array(uris.iter().map(|u| Value::from(u.as_str())).collect()),
    );
    Value::Object(map)
}

/// Reads a Status List Aggregation (§9): a JSON object (strict: no repeated member, at most
/// [`MAX_AGGREGATION_BYTES`]) whose `status_lists` is an array of non-empty strings. A URI
/// listed twice is refused too: an aggregation is a set, and a repeat is a publishing error.
pub fn parse_aggregation(bytes: &[u8]) -> Result<Vec<String>, StatusError> {
    if bytes.len() > MAX_AGGREGATION_BYTES {
        return Err(StatusError::TooLarge);
    }
    let map = crate::encoding::parse_json_object(bytes)
        .map_err(|_| StatusError::Malformed("the aggregation is not a strict JSON object"))?;
    let lists = map
        .get("status_lists")
        .and_then(Value::as_array)
        .ok_or(StatusError::Malformed("status_lists is not an array"))?;
    let mut uris: Vec<String> = Vec::with_capacity(lists.len());
    let mut seen = std::collections::HashSet::with_capacity(lists.len());
    for v in lists {
        let uri = v
            .as_str()
            .filter(|s| !s.is_empty())
            .ok_or(StatusError::Malformed(
                "a status_lists entry is not a non-empty string",
            ))?;
        if !seen.insert(uri) {
            return Err(StatusError::Malformed("status_lists names a URI twice"));
        }
        uris.push(uri.to_owned());
    }
    Ok(uris)
}

/// A Status List Token whose structure has been checked but whose signature has not been
/// verified yet (the key depends on who it claims to come from).
#[derive(Debug, Clone)]
pub struct StatusListJwt<'a> {
    jws: Jws<'a>,
    payload: Map<String, Value>,
    claims: StatusListClaims,
}

fn opt_i64(payload: &Map<String, Value>, name: &'static str) -> Result<Option<i64>, StatusError> {
    match payload.get(name) {
        None => Ok(None),
        Some(v) => v
            .as_i64()
            .map(Some)
            .ok_or(StatusError::Malformed("a time claim is not an integer")),
    }
}

impl<'a> StatusListJwt<'a> {
    /// Parses a compact Status List Token: size bound, JWS checks, `typ: statuslist+jwt`, and
    /// the required claims `sub` (non-empty string), `iat`, optional `exp`, positive `ttl`.
    pub fn parse(token: &'a str) -> Result<Self, StatusError> {
        if token.len() > MAX_TOKEN_BYTES {
            return Err(StatusError::TooLarge);
        }
        let jws = Jws::parse(token.trim_end())?;
        jws.expect_typ(STATUS_LIST_TYP)?;
        let payload = jws.payload()?;
        let uri = payload
            .get("sub")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .ok_or(StatusError::Malformed("sub is not a non-empty string"))?
            .to_owned();
        let iss = match payload.get("iss") {
            None => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(_) => return Err(StatusError::Malformed("iss is not a string")),
        };
        let iat = opt_i64(&payload, "iat")?.ok_or(StatusError::Malformed("iat is missing"))?;
        let exp = opt_i64(&payload, "exp")?;
        let ttl = match payload.get("ttl") {
            None => None,
            Some(v) => Some(
                v.as_u64()
                    .filter(|t| *t > 0)
                    .ok_or(StatusError::Malformed("ttl is not a positive integer"))?,
            ),
        };
        let aggregation_uri = match payload.get("status_list") {
            None => return Err(StatusError::Malformed("status_list is missing")),
            Some(list) => match list.get("aggregation_uri") {
                None => None,
                Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
                Some(_) => {
                    return Err(StatusError::Malformed(
                        "aggregation_uri is not a non-empty string",
                    ));
                }
            },
        };
        Ok(Self {
            jws,
            payload,
            claims: StatusListClaims {
                uri,
                iss,
                iat,
                exp,
                ttl,
                aggregation_uri,
            },
        })
    }

    /// The unverified claims (to find the key; trust nothing else before [`Self::verify`]).
    pub fn claims(&self) -> &StatusListClaims {
        &self.claims
    }

    /// The header `kid`, if any.
    pub fn kid(&self) -> Option<&str> {
        self.jws.kid()
    }

    /// Verifies the signature with the key's algorithm (Ed25519: `verify_strict`; a header `alg`
    /// that is not the key's is refused), then — only then — inflates the list, so an
    /// unauthenticated token never costs a decompression.
    pub fn verify<K: KeyVerifier + ?Sized>(self, key: &K) -> Result<StatusListToken, StatusError> {
        self.jws.verify(key)?;
        let value = self
            .payload
            .get("status_list")
            .ok_or(StatusError::Malformed("status_list is missing"))?;
        let list = StatusList::from_json(value, MAX_LIST_BYTES)?;
        Ok(StatusListToken {
            claims: self.claims,
            kid: key.key_thumbprint(),
            list,
        })
    }
}

/// A verified Status List Token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusListToken {
    /// Its claims.
    pub claims: StatusListClaims,
    /// Thumbprint of the key that verified it.
    pub kid: String,
    /// The decompressed list.
    pub list: StatusList,
}

/// How fresh a verified Status List Token is at the verifier's `now`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ListFreshness {
    /// `iat`.
    pub issued_at: i64,
    /// `exp`, if any.
    pub expires_at: Option<i64>,
    /// `ttl`, if any.
    pub ttl: Option<u64>,
    /// Whether `iat + ttl` has passed: a fresh copy should be fetched when online. Offline,
    /// `iat` stands in for the unknown download time, which can only make this earlier.
    pub refresh_due: bool,
}

impl StatusListToken {
    /// §8.3 step 4: rejects a token issued in the future and reports an expired one as
    /// [`StatusError::ExpiredList`]; otherwise tells whether a refresh is due.
    pub fn freshness(&self, now: i64, skew: u64) -> Result<ListFreshness, StatusError> {
        let skew = i64::try_from(skew).unwrap_or(i64::MAX);
        let c = &self.claims;
        if c.iat > now.saturating_add(skew) {
            return Err(StatusError::IssuedInFuture);
        }
        if c.exp.is_some_and(|exp| now.saturating_sub(skew) >= exp) {
            return Err(StatusError::ExpiredList);
        }
        let ttl = c.ttl.map(|t| i64::try_from(t).unwrap_or(i64::MAX));
        Ok(ListFreshness {
            issued_at: c.iat,
            expires_at: c.exp,
            ttl: c.ttl,
            refresh_due: ttl.is_some_and(|t| c.iat.saturating_add(t) < now),
        })
    }
}

/// Which keys may sign a Status List Token: those of the credential's issuer in the trust list.
pub trait StatusKeyResolver {
    /// The key with thumbprint `kid` of issuer `iss` (any issuer when `None`), valid at `at`.
    fn status_key(
        &self,
        iss: Option<&str>,
        kid: Option<&str>,
        at: i64,
    ) -> Result<PublicKey, StatusError>;
}

/// What to do when a credential's status cannot be determined offline (no cached list, or the
/// cached list has expired).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub enum UnknownStatusPolicy {
    /// Reject the credential (default: fail closed — an unknown status might be a revocation).
    #[default]
    Reject,
    /// Accept it, reporting the status as unknown (for a verifier that shows an amber result).
    Accept,
}

/// The outcome of a status check that did not reject the credential.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatusReport {
    /// The list URI.
    pub uri: String,
    /// The credential's index.
    pub idx: u64,
    /// The status value read (`Some(VALID)`), or `None` when unknown and the policy accepted it.
    pub value: Option<StatusValue>,
    /// Why the status is unknown (an error code such as `status.unknown_list`), if it is.
    pub unknown_reason: Option<&'static str>,
    /// Thumbprint of the key that signed the list, when one was used.
    pub list_kid: Option<String>,
    /// Freshness of the list used, when one was used.
    pub list: Option<ListFreshness>,
}

/// A token verified by [`verify_cached_token`], with what a memo needs to know that a later
/// verification of the same token would succeed the same way.
pub(crate) struct VerifiedList {
    /// The verified token and its inflated list.
    pub(crate) token: StatusListToken,
    /// The key that verified it, as the resolver returned it.
    pub(crate) key: PublicKey,
    /// The header `kid` the resolver was asked for.
    pub(crate) header_kid: Option<String>,
}

/// `load_status_list` on a token already read from the cache: parse, `sub` = `uri`, `iss`
/// (when written) = `issuer`, key from `keys`, signature, then inflate.
pub(crate) fn verify_cached_token(
    token: &str,
    uri: &str,
    issuer: &str,
    keys: &dyn StatusKeyResolver,
) -> Result<VerifiedList, StatusError> {
    let jwt = StatusListJwt::parse(token)?;
    if jwt.claims().uri != uri {
        return Err(StatusError::UriMismatch);
    }
    if jwt.claims().iss.as_deref().is_some_and(|i| i != issuer) {
        return Err(StatusError::IssuerMismatch);
    }
    let header_kid = jwt.kid().map(str::to_owned);
    let key = keys.status_key(Some(issuer), header_kid.as_deref(), jwt.claims().iat)?;
    let token = jwt.verify(&key)?;
    Ok(VerifiedList {
        token,
        key,
        header_kid,
    })
}

/// The second half of `check_status`: the status of `status.idx` in a list loaded by
/// `load_status_list` (`None`: no list), at `now`.
pub fn status_in(
    status: &StatusRef,
    token: Option<&StatusListToken>,
    now: i64,
    skew: u64,
    policy: UnknownStatusPolicy,
) -> Result<StatusReport, StatusError> {
    let unknown = |reason: StatusError| match policy {
        UnknownStatusPolicy::Reject => Err(reason),
        UnknownStatusPolicy::Accept => Ok(StatusReport {
            uri: status.uri.clone(),
            idx: status.idx,
            value: None,
            unknown_reason: Some(reason.code()),
            list_kid: None,
            list: None,
        }),
    };
    let Some(verified) = token else {
        return unknown(StatusError::UnknownList);
    };
    let freshness = match verified.freshness(now, skew) {
        Ok(f) => f,
        Err(StatusError::ExpiredList) => return unknown(StatusError::ExpiredList),
        Err(e) => return Err(e),
    };
    match verified.list.get(status.idx)? {
        StatusValue::VALID => Ok(StatusReport {
            uri: status.uri.clone(),
            idx: status.idx,
            value: Some(StatusValue::VALID),
            unknown_reason: None,
            list_kid: Some(verified.kid.clone()),
            list: Some(freshness),
        }),
        StatusValue::INVALID => Err(StatusError::Revoked),
        StatusValue::SUSPENDED => Err(StatusError::Suspended),
        StatusValue(other) => Err(StatusError::Unrecognised(other)),
    }
}

#[cfg(test)]
// clippy.toml exempts tests from the panic lints; this lint has no test setting.
#[allow(clippy::arithmetic_side_effects)]
mod tests {
    use super::*;

    /// §4.1's two worked examples: the byte arrays and their ZLIB forms.
    #[test]
    fn draft_section_4_1_examples() {
        let mut one = StatusList::new(Bits::One, 16).unwrap();
        for (i, v) in [1, 0, 0, 1, 1, 1, 0, 1, 1, 1, 0, 0, 0, 1, 0, 1]
            .iter()
            .enumerate()
        {
            one.set(i as u64, StatusValue(*v)).unwrap();
        }
        assert_eq!(one.as_bytes(), &[0xb9, 0xa3]);
        let decoded = StatusList::from_json(
            &serde_json::json!({"bits": 1, "lst": "eNrbuRgAAhcBXQ"}),
            MAX_LIST_BYTES,
        )
        .unwrap();
        assert_eq!(decoded, one);

        let mut two = StatusList::new(Bits::Two, 12).unwrap();
        for (i, v) in [1, 2, 0, 3, 0, 1, 0, 1, 1, 2, 3, 3].iter().enumerate() {
            two.set(i as u64, StatusValue(*v)).unwrap();
        }
        assert_eq!(two.as_bytes(), &[0xc9, 0x44, 0xf9]);
        assert_eq!(two.get(1).unwrap(), StatusValue::SUSPENDED);
        assert_eq!(two.get(12).unwrap_err(), StatusError::IndexOutOfRange);
        assert_eq!(
            two.set(0, StatusValue(4)).unwrap_err(),
            StatusError::ValueTooWide
        );
        let back = StatusList::from_json(&two.to_json(9), MAX_LIST_BYTES).unwrap();
        assert_eq!(back, two);
    }

    /// §9: the aggregation document round-trips, and what is not one is refused.
    #[test]
    fn aggregation_documents() {
        let uris = vec![
            "https://a/status/0".to_owned(),
            "https://a/status/1".to_owned(),
        ];
        let text = aggregation_json(&uris).to_string();
        assert_eq!(
            text,
            r#"{"status_lists":["https://a/status/0","https://a/status/1"]}"#
        );
        assert_eq!(parse_aggregation(text.as_bytes()).unwrap(), uris);
        assert_eq!(
            parse_aggregation(br#"{"status_lists":[]}"#).unwrap().len(),
            0
        );
        for bad in [
            &br#"{"status_lists":["x","x"]}"#[..],
            br#"{"status_lists":[""]}"#,
            br#"{"status_lists":[1]}"#,
            br#"{"status_lists":{}}"#,
            br#"{"lists":[]}"#,
            br#"{"status_lists":[],"status_lists":[]}"#,
            br#"["x"]"#,
            b"\xff",
        ] {
            assert_eq!(
                parse_aggregation(bad).unwrap_err().code(),
                "status.malformed"
            );
        }
        let big = vec![b' '; MAX_AGGREGATION_BYTES + 1];
        assert_eq!(parse_aggregation(&big).unwrap_err(), StatusError::TooLarge);
    }

    #[test]
    fn decompression_is_capped() {
        let zeros = vec![0u8; 1 << 20];
        let compressed = zlib_compress(&zeros, 9);
        assert!(compressed.len() < 2048);
        assert_eq!(
            zlib_decompress(&compressed, (1 << 20) - 1).unwrap_err(),
            StatusError::TooLarge
        );
        assert_eq!(
            zlib_decompress(&compressed, 1 << 20).unwrap().len(),
            1 << 20
        );
        assert_eq!(
            zlib_decompress(b"not zlib", 100).unwrap_err(),
            StatusError::Compression
        );
    }
}
