//! Key Binding JWT (RFC 9901 §4.3 creation, §7.3 verification): proves that the presenter holds
//! the private key of the credential's `cnf.jwk`, for this audience and nonce, now. `sd_hash`
//! binds it to exactly the presented `<jwt>~<d1>~…~<dn>~` string (trailing `~` included), hashed
//! with the credential's `_sd_alg` (RFC 9901 §4.3.1: "the same hash algorithm as used for the
//! disclosures"); the `_with` forms take that algorithm, the others are `sha-256`.

use super::alg::SdAlg;
use super::error::SdJwtError;
use crate::encoding::JsonLine;
use crate::encoding::borrowed::{self, JsonRef};
use crate::format::jws::{self, Jws, JwsError};
use crate::format::keys::{KeySigner, KeyVerifier};
use std::borrow::Cow;

/// The key-binding parameters of one presentation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyBindingRequest {
    /// `aud`: the verifier's identifier, or the fixed offline audience for refreshing QR codes.
    pub audience: String,
    /// `nonce`: the verifier's challenge, or a fresh random value for offline codes.
    pub nonce: String,
    /// `iat`: now, unix seconds.
    pub issued_at: i64,
}

/// The `typ` of a KB-JWT.
pub(super) const KB_TYP: &str = "kb+jwt";

/// What a verifier requires of a KB-JWT.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KbExpectation {
    /// The exact `aud` value (the verifier's identifier, or the offline QR audience).
    pub audience: String,
    /// The exact nonce the verifier issued (challenge mode), or `None` when freshness comes from
    /// `iat` alone and replays are caught by a replay cache (offline refreshing codes).
    pub nonce: Option<String>,
    /// Oldest acceptable `iat`, in seconds before `now` (clock skew is added on top).
    pub max_age: u64,
}

/// The claims of a verified KB-JWT.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KbClaims {
    /// When the holder signed it.
    pub iat: i64,
    /// The audience.
    pub aud: String,
    /// The nonce.
    pub nonce: String,
    /// The `sd_hash` (equal to the recomputed one).
    pub sd_hash: String,
}

/// `sd_hash` of a presentation without its KB-JWT: base64url(SHA-256(ascii)).
/// [`SdAlg::digest`] for another `_sd_alg`.
pub fn sd_hash(without_kb: &str) -> String {
    SdAlg::Sha256.digest(without_kb)
}

/// Signs a KB-JWT over `without_kb` (which must end in `~`) of a `sha-256` credential.
pub fn create_kb_jwt<S: KeySigner + ?Sized>(
    without_kb: &str,
    aud: &str,
    nonce: &str,
    iat: i64,
    signer: &S,
) -> Result<String, SdJwtError> {
    create_kb_jwt_with(SdAlg::Sha256, without_kb, aud, nonce, iat, signer)
}

/// [`create_kb_jwt`] with `sd_hash` under `sd_alg`, the credential's `_sd_alg`.
pub fn create_kb_jwt_with<S: KeySigner + ?Sized>(
    sd_alg: SdAlg,
    without_kb: &str,
    aud: &str,
    nonce: &str,
    iat: i64,
    signer: &S,
) -> Result<String, SdJwtError> {
    // Written member by member in serde_json's sorted order: the bytes `jws::sign` wrote from
    // `Map`s (a unit test compares them), without the maps.
    let header = JsonLine::with_capacity(48)
        .str("alg", signer.key_algorithm().jws_name())
        .str("typ", KB_TYP)
        .finish_object();
    let digest = sd_alg.digest_array(without_kb);
    let payload =
        JsonLine::with_capacity(aud.len().saturating_add(nonce.len()).saturating_add(112))
            .str("aud", aud)
            .int("iat", iat)
            .str("nonce", nonce)
            .str("sd_hash", std::str::from_utf8(&digest).unwrap_or_default())
            .finish_object();
    jws::sign_serialized(&header, &payload, signer).map_err(SdJwtError::KbSigning)
}

/// Verifies a KB-JWT: `typ`, signature under the holder key, `sd_hash`, `iat` not in the future
/// (beyond `skew`), and — when `expect` is given — `aud`, `nonce` and age. For a `sha-256`
/// credential; [`verify_kb_jwt_with`] for another `_sd_alg`.
pub fn verify_kb_jwt<K: KeyVerifier + ?Sized>(
    kb_jwt: &str,
    without_kb: &str,
    holder: &K,
    expect: Option<&KbExpectation>,
    now: i64,
    skew: u64,
) -> Result<KbClaims, SdJwtError> {
    verify_kb_jwt_with(SdAlg::Sha256, kb_jwt, without_kb, holder, expect, now, skew)
}

/// [`verify_kb_jwt`] with `sd_hash` recomputed under `sd_alg`, the credential's `_sd_alg`.
pub fn verify_kb_jwt_with<K: KeyVerifier + ?Sized>(
    sd_alg: SdAlg,
    kb_jwt: &str,
    without_kb: &str,
    holder: &K,
    expect: Option<&KbExpectation>,
    now: i64,
    skew: u64,
) -> Result<KbClaims, SdJwtError> {
    let jws = parse_kb_jwt(kb_jwt)?;
    jws.verify(holder).map_err(|e| match e {
        JwsError::BadSignature => SdJwtError::KbBadSignature,
        e @ JwsError::AlgMismatch { .. } => SdJwtError::KbAlgorithm(e),
        other => SdJwtError::KbMalformed(other.to_string()),
    })?;
    check_kb_claims(&jws, sd_alg, without_kb, expect, now, skew)
}

/// Parses a KB-JWT and checks its `typ`; the signature is left to the caller.
pub(crate) fn parse_kb_jwt(kb_jwt: &str) -> Result<Jws<'_>, SdJwtError> {
    let jws = Jws::parse(kb_jwt).map_err(|e| SdJwtError::KbMalformed(e.to_string()))?;
    jws.expect_typ(KB_TYP).map_err(|_| SdJwtError::KbWrongTyp)?;
    Ok(jws)
}

/// Every check of [`verify_kb_jwt`] after the signature, for a bulk verifier that checks the
/// signatures of many presentations together.
pub(crate) fn check_kb_claims(
    jws: &Jws<'_>,
    sd_alg: SdAlg,
    without_kb: &str,
    expect: Option<&KbExpectation>,
    now: i64,
    skew: u64,
) -> Result<KbClaims, SdJwtError> {
    // Only checked, so read with the borrowing reader: no tree of the claims is built.
    let json = jws
        .payload_json()
        .map_err(|e| SdJwtError::KbMalformed(e.to_string()))?;
    let payload = borrowed::parse_object(&json)
        .map_err(|e| SdJwtError::KbMalformed(JwsError::PayloadJson(e.to_string()).to_string()))?;
    let text = |name: &'static str| {
        payload
            .get(name)
            .and_then(JsonRef::as_str)
            .map(Cow::into_owned)
            .ok_or_else(|| SdJwtError::KbMalformed(format!("{name} missing or not a string")))
    };
    let iat = payload
        .get("iat")
        .and_then(JsonRef::as_i64)
        .ok_or_else(|| SdJwtError::KbMalformed("iat missing or not an integer".into()))?;
    let claims = KbClaims {
        iat,
        aud: text("aud")?,
        nonce: text("nonce")?,
        sd_hash: text("sd_hash")?,
    };
    // Compared in the fixed buffer: no allocation for the recomputed hash.
    if claims.sd_hash.as_bytes() != sd_alg.digest_array(without_kb) {
        return Err(SdJwtError::KbSdHashMismatch);
    }
    let skew = i64::try_from(skew).unwrap_or(i64::MAX);
    if iat > now.saturating_add(skew) {
        return Err(SdJwtError::KbIatInFuture);
    }
    if let Some(expect) = expect {
        if claims.aud != expect.audience {
            return Err(SdJwtError::KbWrongAud);
        }
        if expect.nonce.as_ref().is_some_and(|n| *n != claims.nonce) {
            return Err(SdJwtError::KbWrongNonce);
        }
        let max_age = i64::try_from(expect.max_age).unwrap_or(i64::MAX);
        if now.saturating_sub(iat) > max_age.saturating_add(skew) {
            return Err(SdJwtError::KbStale {
                age: u64::try_from(now.saturating_sub(iat)).unwrap_or(u64::MAX),
                window: expect.max_age,
            });
        }
    }
    Ok(claims)
}
