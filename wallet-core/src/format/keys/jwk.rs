//! Reading the key members of a JWK (RFC 7517 §4): `kty`/`crv`, an optional `alg` restriction,
//! and the coordinates — OKP/Ed25519 per RFC 8037 §2, EC per RFC 7518 §6.2.1 (P-256, and SM2 with
//! the same members). The Ed25519-only types and the any-algorithm [`super::PublicKey`] /
//! [`super::PrivateKey`] share these readers so that both refuse the same malformed keys with the
//! same codes. Writing JWKs and RFC 7638 thumbprints stays with each key type, which knows its
//! members.

use super::algorithm::Algorithm;
use super::error::KeyError;
use crate::encoding::b64_decode_array;
use serde_json::{Map, Value};

/// The `kty` and `crv` members of a JWK, both required.
fn kty_crv(obj: &Map<String, Value>) -> Result<(&str, &str), KeyError> {
    let kty = obj
        .get("kty")
        .and_then(Value::as_str)
        .ok_or(KeyError::InvalidJwk("missing kty"))?;
    let crv = obj
        .get("crv")
        .and_then(Value::as_str)
        .ok_or(KeyError::InvalidJwk("missing crv"))?;
    Ok((kty, crv))
}

pub(super) fn okp_x(obj: &Map<String, Value>) -> Result<[u8; 32], KeyError> {
    let (kty, crv) = kty_crv(obj)?;
    if kty != "OKP" || crv != "Ed25519" {
        return Err(KeyError::UnsupportedKeyType);
    }
    if let Some(alg) = obj.get("alg")
        && alg != "EdDSA"
        && alg != "Ed25519"
    {
        return Err(KeyError::AlgorithmMismatch);
    }
    let x = obj
        .get("x")
        .and_then(Value::as_str)
        .ok_or(KeyError::InvalidJwk("missing x"))?;
    b64_decode_array::<32>(x).map_err(|_| KeyError::Encoding("x"))
}

/// The curve of an EC JWK, after the `kty`/`crv`/`alg` checks.
pub(super) fn ec_curve(obj: &Map<String, Value>) -> Result<Algorithm, KeyError> {
    let (kty, crv) = kty_crv(obj)?;
    let algorithm = match (kty, crv) {
        ("OKP", "Ed25519") => Algorithm::EdDsa,
        ("EC", "P-256") => Algorithm::Es256,
        ("EC", "SM2") => Algorithm::Sm2,
        _ => return Err(KeyError::UnsupportedKeyType),
    };
    // A JWK may restrict its key to one algorithm (RFC 7517 §4.4); it must be the key's own.
    if let Some(alg) = obj.get("alg")
        && alg.as_str().and_then(Algorithm::from_jws_name) != Some(algorithm)
    {
        return Err(KeyError::AlgorithmMismatch);
    }
    Ok(algorithm)
}

pub(super) fn ec_xy(obj: &Map<String, Value>) -> Result<([u8; 32], [u8; 32]), KeyError> {
    let member = |name: &'static str| {
        let text = obj
            .get(name)
            .and_then(Value::as_str)
            .ok_or(KeyError::InvalidJwk(if name == "x" {
                "missing x"
            } else {
                "missing y"
            }))?;
        // RFC 7518 §6.2.1.2: exactly the field's 32 bytes, leading zeros kept.
        b64_decode_array::<32>(text).map_err(|_| KeyError::Encoding(name))
    };
    Ok((member("x")?, member("y")?))
}
