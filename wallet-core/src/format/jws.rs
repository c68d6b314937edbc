//! JSON Web Signature in compact serialization (RFC 7515 §7.1) with the three key algorithms of
//! [`crate::format::keys::Algorithm`]: EdDSA over Ed25519 (RFC 8037 §3.1; the fully-specified `Ed25519`
//! name of RFC 9864 is accepted on verify), ES256 (RFC 7518 §3.4) and SM2 with SM3.
//! The algorithm comes from the key: signing writes the signer's `alg`, and verification refuses
//! a header `alg` that is not the verifying key's (`jws.alg_mismatch`) rather than letting the
//! token choose how it is checked. `none` is refused, `crit` is refused because no extension is
//! understood (RFC 7515 §4.1.11), and every part must be canonical base64url.

use crate::encoding::borrowed::{self, JsonRef};
use crate::encoding::{JsonIssue, b64_decode, b64_decode_array, parse_json_object};
use crate::error::{ErrorCode, ErrorInfo, codes};
use crate::format::keys::{Algorithm, KeyError, KeySigner, KeyVerifier};
use serde_json::{Map, Value};
use std::borrow::Cow;

/// Errors of the JWS layer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum JwsError {
    /// Not three dot-separated parts.
    #[error("malformed JWS: expected three dot-separated parts")]
    Malformed,
    /// A part is not canonical unpadded base64url.
    #[error("JWS {0} is not canonical base64url")]
    Base64(&'static str),
    /// The protected header is not a JSON object, or has duplicate members.
    #[error("JWS header is not a valid JSON object: {0}")]
    HeaderJson(String),
    /// The payload is not a JSON object, or has duplicate members or excessive nesting.
    #[error("JWS payload is not a valid JSON object: {0}")]
    PayloadJson(String),
    /// `alg` is `none`: unsigned tokens are never accepted.
    #[error("unsigned JWS (alg \"none\") refused")]
    AlgNone,
    /// `alg` is missing or names none of EdDSA/Ed25519, ES256, SM2.
    #[error("unsupported JWS algorithm: only EdDSA (Ed25519), ES256 and SM2 are accepted")]
    UnsupportedAlg,
    /// The header's `alg` is a supported algorithm but not the verifying key's: the key decides
    /// the algorithm, so the token is refused before any signature check.
    #[error("JWS alg {header} does not match the key's algorithm {key}")]
    AlgMismatch {
        /// The algorithm the header names.
        header: Algorithm,
        /// The verifying key's algorithm.
        key: Algorithm,
    },
    /// The header lists critical extensions (`crit`), none of which are understood.
    #[error("JWS header has critical extensions (crit), which are not supported")]
    CritUnsupported,
    /// The header's `typ` is not the one the caller expects.
    #[error("JWS typ is not {expected:?}")]
    WrongTyp {
        /// The media type the caller required.
        expected: &'static str,
    },
    /// The signature is not 64 bytes or does not verify under the key (`verify_strict`).
    #[error("JWS signature does not verify")]
    BadSignature,
    /// The signer could not sign.
    #[error(transparent)]
    Signer(#[from] KeyError),
}

impl JwsError {
    /// This error's row of the error table ([`crate::error`]): its stable code, kind and class.
    pub fn info(&self) -> &'static ErrorInfo {
        match self {
            Self::Malformed => &codes::JWS_MALFORMED,
            Self::Base64(_) => &codes::JWS_BASE64,
            Self::HeaderJson(_) => &codes::JWS_HEADER_JSON,
            Self::PayloadJson(_) => &codes::JWS_PAYLOAD_JSON,
            Self::AlgNone => &codes::JWS_ALG_NONE,
            Self::UnsupportedAlg => &codes::JWS_UNSUPPORTED_ALG,
            Self::AlgMismatch { .. } => &codes::JWS_ALG_MISMATCH,
            Self::CritUnsupported => &codes::JWS_CRIT_UNSUPPORTED,
            Self::WrongTyp { .. } => &codes::JWS_WRONG_TYP,
            Self::BadSignature => &codes::JWS_BAD_SIGNATURE,
            Self::Signer(e) => e.info(),
        }
    }

    /// Stable machine-readable code (lower layers' codes pass through unchanged).
    pub fn code(&self) -> &'static str {
        self.info().code
    }
}

impl ErrorCode for JwsError {
    fn info(&self) -> &'static ErrorInfo {
        JwsError::info(self)
    }
}

/// The `alg` value written on every Ed25519 signature (the other algorithms write
/// [`Algorithm::jws_name`]).
pub const ALG: &str = "EdDSA";

/// Signs `payload` with the given protected header members (`alg` is set here from the signer's
/// algorithm; callers supply `typ`, `kid`, …). Returns the compact serialization.
pub fn sign<S: KeySigner + ?Sized>(
    mut header: Map<String, Value>,
    payload: &Value,
    signer: &S,
) -> Result<String, JwsError> {
    header.insert("alg".into(), Value::from(signer.key_algorithm().jws_name()));
    let header_json =
        serde_json::to_vec(&header).map_err(|e| JwsError::HeaderJson(e.to_string()))?;
    let payload_json =
        serde_json::to_vec(payload).map_err(|e| JwsError::PayloadJson(e.to_string()))?;
    sign_serialized(&header_json, &payload_json, signer)
}

/// Signs an already serialized header (which must carry the signer's `alg`) and payload, and
/// returns the compact serialization, built in one buffer sized up front.
pub(crate) fn sign_serialized<S: KeySigner + ?Sized>(
    header_json: &[u8],
    payload_json: &[u8],
    signer: &S,
) -> Result<String, JwsError> {
    use base64::Engine as _;
    let b64_len = |n: usize| n.saturating_mul(4).div_ceil(3);
    let mut token = String::with_capacity(
        b64_len(header_json.len())
            .saturating_add(b64_len(payload_json.len()))
            .saturating_add(88),
    );
    let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    engine.encode_string(header_json, &mut token);
    token.push('.');
    engine.encode_string(payload_json, &mut token);
    let signature = signer.sign_message(token.as_bytes())?;
    token.push('.');
    engine.encode_string(signature, &mut token);
    Ok(token)
}

/// A compact JWS whose structure and header have been checked but whose signature has not yet
/// been verified (the key to verify with is often named by the payload, e.g. `iss`).
#[derive(Debug, Clone)]
pub struct Jws<'a> {
    /// The protected header's JSON, as decoded (read again by [`Jws::header`] only).
    header_json: Vec<u8>,
    typ: Option<String>,
    kid: Option<String>,
    alg: Algorithm,
    signing_input: &'a str,
    payload_b64: &'a str,
    signature: [u8; 64],
}

impl<'a> Jws<'a> {
    /// Splits and checks a compact JWS: canonical base64url parts, a JSON-object header with a
    /// pinned `alg` and no `crit`, and a 64-byte signature.
    pub fn parse(token: &'a str) -> Result<Self, JwsError> {
        let mut parts = token.split('.');
        let (Some(h), Some(p), Some(s), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(JwsError::Malformed);
        };
        let header_json = b64_decode(h).map_err(|_| JwsError::Base64("header"))?;
        // Read with the borrowing reader: the header is checked, never kept as a tree.
        let header = borrowed::parse_object(&header_json)
            .map_err(|e| JwsError::HeaderJson(e.to_string()))?;
        // The name is only recognised here; which algorithm is used to verify is the key's
        // (`verify` refuses a mismatch).
        let alg = match header.get("alg").and_then(JsonRef::as_str) {
            Some(alg) if alg.eq_ignore_ascii_case("none") => return Err(JwsError::AlgNone),
            Some(alg) => Algorithm::from_jws_name(&alg).ok_or(JwsError::UnsupportedAlg)?,
            None => return Err(JwsError::UnsupportedAlg),
        };
        if header.contains_key("crit") {
            return Err(JwsError::CritUnsupported);
        }
        let text = |name| {
            header
                .get(name)
                .and_then(JsonRef::as_str)
                .map(Cow::into_owned)
        };
        let (typ, kid) = (text("typ"), text("kid"));
        let signature = b64_decode_array::<64>(s).map_err(|_| JwsError::Base64("signature"))?;
        let signing_input = token
            .get(..h.len().saturating_add(1).saturating_add(p.len()))
            .ok_or(JwsError::Malformed)?;
        Ok(Self {
            header_json,
            typ,
            kid,
            alg,
            signing_input,
            payload_b64: p,
            signature,
        })
    }

    /// The protected header (read again from its JSON: for tools and tests, not the verifier).
    pub fn header(&self) -> Map<String, Value> {
        parse_json_object(&self.header_json).unwrap_or_default()
    }

    /// The header's `typ`, if any.
    pub fn typ(&self) -> Option<&str> {
        self.typ.as_deref()
    }

    /// The header's `kid`, if any.
    pub fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    /// Requires `typ` to equal `expected` exactly (RFC 7515 §4.1.9 allows an `application/`
    /// prefix; it is accepted, nothing else is).
    pub fn expect_typ(&self, expected: &'static str) -> Result<(), JwsError> {
        let typ = self.typ().unwrap_or_default();
        let bare = typ.strip_prefix("application/").unwrap_or(typ);
        if bare == expected {
            Ok(())
        } else {
            Err(JwsError::WrongTyp { expected })
        }
    }

    /// Decodes the payload as a strict JSON object (does not verify the signature).
    pub fn payload(&self) -> Result<Map<String, Value>, JwsError> {
        parse_json_object(&self.payload_json()?)
            .map_err(|e: JsonIssue| JwsError::PayloadJson(e.to_string()))
    }

    /// The payload's JSON bytes, for a caller that reads them with the borrowing reader
    /// ([`Jws::payload`] for the checked object).
    pub(crate) fn payload_json(&self) -> Result<Vec<u8>, JwsError> {
        b64_decode(self.payload_b64).map_err(|_| JwsError::Base64("payload"))
    }

    /// The algorithm the header's `alg` names (`EdDSA` and `Ed25519` both give
    /// [`Algorithm::EdDsa`]). Informative only: verification uses the key's algorithm.
    pub fn algorithm(&self) -> Algorithm {
        self.alg
    }

    /// Refuses the token unless its header `alg` names `key`'s algorithm. [`Jws::verify`] does
    /// this first; callers that check the signature elsewhere (batch verification) call it
    /// themselves.
    pub fn check_algorithm<K: KeyVerifier + ?Sized>(&self, key: &K) -> Result<(), JwsError> {
        let key = key.key_algorithm();
        if self.alg == key {
            Ok(())
        } else {
            Err(JwsError::AlgMismatch {
                header: self.alg,
                key,
            })
        }
    }

    /// Verifies the signature under `key` with the key's algorithm (Ed25519 with
    /// `verify_strict`), after refusing a header `alg` that is not the key's.
    pub fn verify<K: KeyVerifier + ?Sized>(&self, key: &K) -> Result<(), JwsError> {
        self.check_algorithm(key)?;
        if key.verify_signature(self.signing_input.as_bytes(), &self.signature) {
            Ok(())
        } else {
            Err(JwsError::BadSignature)
        }
    }

    /// The `header.payload` bytes the signature covers.
    pub fn signing_input(&self) -> &'a str {
        self.signing_input
    }

    /// The raw signature.
    pub fn signature(&self) -> &[u8; 64] {
        &self.signature
    }
}

#[cfg(test)]
// clippy.toml exempts tests from the panic lints; this lint has no test setting.
#[allow(clippy::arithmetic_side_effects)]
mod tests {
    use super::*;
    use crate::encoding::b64_encode;
    use crate::format::keys::{PrivateKey, PublicKey, Signer, SigningKey};
    use serde_json::json;

    fn rfc_key() -> SigningKey {
        SigningKey::from_jwk(&json!({"kty":"OKP","crv":"Ed25519",
            "d":"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A",
            "x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}))
        .unwrap()
    }

    /// RFC 8037 Appendix A.4: the signature over "Example of Ed25519 signing" with header
    /// {"alg":"EdDSA"} (the payload there is not JSON, so the signing input is built directly).
    #[test]
    fn rfc8037_appendix_a4_signature() {
        let input = format!(
            "{}.{}",
            b64_encode(br#"{"alg":"EdDSA"}"#),
            b64_encode(b"Example of Ed25519 signing")
        );
        assert_eq!(
            input,
            "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc"
        );
        let sig = Signer::sign(&rfc_key(), input.as_bytes()).unwrap();
        assert_eq!(
            b64_encode(sig),
            "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg"
        );
        let token = format!("{input}.{}", b64_encode(sig));
        let jws = Jws::parse(&token).unwrap();
        jws.verify(&rfc_key().verifying_key()).unwrap();
    }

    #[test]
    fn sign_parse_verify_and_rejections() {
        let key = rfc_key();
        let mut header = Map::new();
        header.insert("typ".into(), json!("example+jwt"));
        let token = sign(header, &json!({"msg":"你好 😀"}), &key).unwrap();
        let jws = Jws::parse(&token).unwrap();
        jws.expect_typ("example+jwt").unwrap();
        assert_eq!(
            jws.expect_typ("kb+jwt").unwrap_err().code(),
            "jws.wrong_typ"
        );
        jws.verify(&key.verifying_key()).unwrap();
        assert_eq!(jws.payload().unwrap()["msg"], "你好 😀");

        let other = SigningKey::from_seed(&[7; 32]).verifying_key();
        assert_eq!(jws.verify(&other).unwrap_err().code(), "jws.bad_signature");

        let none = format!(
            "{}.{}.",
            b64_encode(br#"{"alg":"none"}"#),
            b64_encode(b"{}")
        );
        assert_eq!(Jws::parse(&none).unwrap_err().code(), "jws.alg_none");
        let hs = format!(
            "{}.{}.{}",
            b64_encode(br#"{"alg":"HS256"}"#),
            b64_encode(b"{}"),
            b64_encode([0u8; 64])
        );
        assert_eq!(Jws::parse(&hs).unwrap_err().code(), "jws.unsupported_alg");
        let crit = format!(
            "{}.{}.{}",
            b64_encode(br#"{"alg":"EdDSA","crit":["x"],"x":1}"#),
            b64_encode(b"{}"),
            b64_encode([0u8; 64])
        );
        assert_eq!(
            Jws::parse(&crit).unwrap_err().code(),
            "jws.crit_unsupported"
        );
        assert_eq!(Jws::parse("a.b").unwrap_err().code(), "jws.malformed");
        assert_eq!(
            Jws::parse(&format!("{token}=")).unwrap_err().code(),
            "jws.base64"
        );
    }
    fn key(alg: Algorithm) -> PrivateKey {
        use rand_core::SeedableRng as _;
        PrivateKey::generate(alg, &mut rand_chacha::ChaCha20Rng::seed_from_u64(77)).unwrap()
    }

    /// A token over the same payload whose header names `alg`, signed (validly, over that exact
    /// signing input) by `signer`.
    fn token_with_header_alg(signer: &PrivateKey, alg: &str) -> String {
        let input = format!(
            "{}.{}",
            b64_encode(format!(r#"{{"alg":"{alg}","typ":"JWT"}}"#)),
            b64_encode(br#"{"sub":"confusion"}"#)
        );
        let sig = signer.sign(input.as_bytes()).unwrap();
        format!("{input}.{}", b64_encode(sig))
    }

    #[test]
    fn every_algorithm_signs_with_its_own_alg_and_verifies() {
        for alg in Algorithm::ALL {
            let signer = key(alg);
            let token = sign(Map::new(), &json!({"n":1}), &signer).unwrap();
            let jws = Jws::parse(&token).unwrap();
            assert_eq!(jws.header()["alg"], json!(alg.jws_name()));
            assert_eq!(jws.algorithm(), alg);
            jws.verify(&signer.public_key()).unwrap();
            for other in Algorithm::ALL.into_iter().filter(|&o| o != alg) {
                assert_eq!(
                    jws.verify(&key(other).public_key()).unwrap_err().code(),
                    "jws.alg_mismatch"
                );
            }
        }
        // The Ed25519 path writes exactly what it wrote before: `EdDSA`, same bytes.
        let ed = rfc_key();
        assert_eq!(
            sign(Map::new(), &json!({"n":1}), &ed).unwrap(),
            sign(Map::new(), &json!({"n":1}), &PrivateKey::from(ed.clone())).unwrap()
        );
    }

    /// A token's header never chooses the algorithm: for each confusion case the specific error,
    /// beside the positive control (the same payload, signed by the same key, with the key's own
    /// header `alg`, verifies).
    #[test]
    fn algorithm_confusion_is_refused_with_its_code() {
        let cases = [
            // (the key the verifier holds, the header alg an attacker writes)
            (Algorithm::Sm2, "ES256"),
            (Algorithm::Es256, "EdDSA"),
            (Algorithm::EdDsa, "ES256"),
            (Algorithm::Es256, "SM2"),
            (Algorithm::Sm2, "EdDSA"),
            (Algorithm::EdDsa, "SM2"),
            (Algorithm::Es256, "Ed25519"),
            (Algorithm::Sm2, "Ed25519"),
        ];
        for (key_alg, header_alg) in cases {
            let signer = key(key_alg);
            let public: PublicKey = signer.public_key();
            let confused = token_with_header_alg(&signer, header_alg);
            let err = Jws::parse(&confused).unwrap().verify(&public).unwrap_err();
            assert_eq!(err.code(), "jws.alg_mismatch", "{key_alg} / {header_alg}");
            assert_eq!(
                err,
                JwsError::AlgMismatch {
                    header: Algorithm::from_jws_name(header_alg).unwrap(),
                    key: key_alg
                }
            );
            let control = token_with_header_alg(&signer, key_alg.jws_name());
            Jws::parse(&control).unwrap().verify(&public).unwrap();
            // The Ed25519-only key type takes the same route.
            if let Some(ed) = public.as_ed25519() {
                assert_eq!(
                    Jws::parse(&confused)
                        .unwrap()
                        .verify(ed)
                        .unwrap_err()
                        .code(),
                    "jws.alg_mismatch"
                );
                Jws::parse(&control).unwrap().verify(ed).unwrap();
            }
        }
        // `Ed25519` (RFC 9864) is EdDSA under its fully specified name.
        let ed = key(Algorithm::EdDsa);
        let fully = token_with_header_alg(&ed, "Ed25519");
        Jws::parse(&fully)
            .unwrap()
            .verify(&ed.public_key())
            .unwrap();
        // `none`, HS256 and lower-case spellings stay refused at parse time, for every key.
        for alg in ["none", "NONE", "HS256", "es256", "sm2", "ES384", "SM2-SM3"] {
            let token = token_with_header_alg(&key(Algorithm::Es256), alg);
            let expected = if alg.eq_ignore_ascii_case("none") {
                "jws.alg_none"
            } else {
                "jws.unsupported_alg"
            };
            assert_eq!(Jws::parse(&token).unwrap_err().code(), expected, "{alg}");
        }
    }
}
