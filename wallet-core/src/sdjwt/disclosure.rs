//! Disclosures (RFC 9901 §4.2): `base64url(JSON([salt, name, value]))` for object properties
//! and `base64url(JSON([salt, value]))` for array elements, and their digests (§4.2.3), which are
//! computed over the encoded ASCII form exactly as presented.

use super::SdJwtError;
use crate::encoding::{b64_decode, b64_encode, parse_json};
use serde_json::Value;
use sha2::{Digest as _, Sha256};

/// One decoded disclosure.
#[derive(Debug, Clone, PartialEq)]
pub struct Disclosure {
    encoded: String,
    salt: String,
    name: Option<String>,
    value: Value,
    digest: String,
}

impl Disclosure {
    /// Creates a disclosure with a fresh salt (base64url of 16 CSPRNG bytes, RFC 9901 §4.2.1's
    /// recommended 128 bits). `name` is `None` for an array element.
    pub(crate) fn new(salt: String, name: Option<&str>, value: Value) -> Self {
        let array = match name {
            Some(n) => Value::Array(vec![
                Value::from(salt.as_str()),
                Value::from(n),
                value.clone(),
            ]),
            None => Value::Array(vec![Value::from(salt.as_str()), value.clone()]),
        };
        // Serializing a Value built from valid strings cannot fail.
        let encoded = b64_encode(serde_json::to_vec(&array).unwrap_or_default());
        let digest = digest_of(&encoded);
        Self {
            encoded,
            salt,
            name: name.map(str::to_owned),
            value,
            digest,
        }
    }

    /// Decodes and checks one presented disclosure: canonical base64url, a JSON array of two or
    /// three elements, a string salt, a string name that is not `_sd` or `...`.
    pub fn parse(encoded: &str) -> Result<Self, SdJwtError> {
        let bytes = b64_decode(encoded)
            .map_err(|_| SdJwtError::MalformedDisclosure("not canonical base64url"))?;
        let json =
            parse_json(&bytes).map_err(|_| SdJwtError::MalformedDisclosure("not valid JSON"))?;
        let Value::Array(items) = json else {
            return Err(SdJwtError::MalformedDisclosure("not a JSON array"));
        };
        let mut items = items.into_iter();
        let (salt, name, value) = match (items.next(), items.next(), items.next(), items.next()) {
            (Some(Value::String(salt)), Some(value), None, None) => (salt, None, value),
            (Some(Value::String(salt)), Some(Value::String(name)), Some(value), None) => {
                (salt, Some(name), value)
            }
            (Some(Value::String(_)), Some(_), Some(_), None) => {
                return Err(SdJwtError::MalformedDisclosure(
                    "claim name is not a string",
                ));
            }
            (Some(_), _, _, _) | (None, _, _, _) => {
                return Err(SdJwtError::MalformedDisclosure(
                    "expected [salt, name, value] or [salt, value] with a string salt",
                ));
            }
        };
        if matches!(name.as_deref(), Some("_sd" | "...")) {
            return Err(SdJwtError::ReservedClaimName);
        }
        Ok(Self {
            encoded: encoded.to_owned(),
            salt,
            name,
            digest: digest_of(encoded),
            value,
        })
    }

    /// The base64url form as issued and presented.
    pub fn encoded(&self) -> &str {
        &self.encoded
    }
    /// The salt.
    pub fn salt(&self) -> &str {
        &self.salt
    }
    /// The claim name (`None` for an array element).
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }
    /// The claim value (may itself contain `_sd` digests).
    pub fn value(&self) -> &Value {
        &self.value
    }
    /// The sha-256 digest (base64url) that references this disclosure.
    pub fn digest(&self) -> &str {
        &self.digest
    }
}

/// base64url(SHA-256(ascii)), the `_sd_alg: sha-256` digest of RFC 9901 §4.2.3.
pub(crate) fn digest_of(ascii: &str) -> String {
    b64_encode(Sha256::digest(ascii.as_bytes()))
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]
mod tests {
    use super::*;
    use serde_json::json;

    /// RFC 9901 §4.2.1 / §4.2.3 example: the disclosure of `family_name: "Möbius"` and its digest.
    #[test]
    fn rfc9901_example_digest() {
        let d = Disclosure::parse(
            "WyJfMjZiYzRMVC1hYzZxMktJNmNCVzVlcyIsICJmYW1pbHlfbmFtZSIsICJNw7ZiaXVzIl0",
        )
        .unwrap();
        assert_eq!(d.name(), Some("family_name"));
        assert_eq!(d.value(), &json!("Möbius"));
        assert_eq!(d.salt(), "_26bc4LT-ac6q2KI6cBW5es");
        assert_eq!(d.digest(), "X9yH0Ajrdm1Oij4tWso9UzzKJvPoDxwmuEcO3XAdRC0");
    }

    #[test]
    fn roundtrip_and_rejections() {
        let d = Disclosure::new("c2FsdA".into(), Some("名字"), json!("张三 😀"));
        let back = Disclosure::parse(d.encoded()).unwrap();
        assert_eq!(back, d);
        let arr = Disclosure::new("c2FsdA".into(), None, json!("DE"));
        assert_eq!(Disclosure::parse(arr.encoded()).unwrap().name(), None);
        let enc = |v: Value| b64_encode(serde_json::to_vec(&v).unwrap());
        for bad in [
            json!(["s"]),
            json!(["s", "n", 1, 2]),
            json!([1, "n", 1]),
            json!({"a": 1}),
            json!(["s", 5, 1]),
        ] {
            assert_eq!(
                Disclosure::parse(&enc(bad)).unwrap_err().code(),
                "sdjwt.malformed_disclosure"
            );
        }
        assert_eq!(
            Disclosure::parse(&enc(json!(["s", "_sd", 1])))
                .unwrap_err()
                .code(),
            "sdjwt.reserved_claim_name"
        );
        assert_eq!(
            Disclosure::parse(&enc(json!(["s", "...", 1])))
                .unwrap_err()
                .code(),
            "sdjwt.reserved_claim_name"
        );
        assert_eq!(
            Disclosure::parse("WyJz!").unwrap_err().code(),
            "sdjwt.malformed_disclosure"
        );
    }
}
