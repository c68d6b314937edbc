//! Disclosures (RFC 9901 §4.2): `base64url(JSON([salt, name, value]))` for object properties
//! and `base64url(JSON([salt, value]))` for array elements, and their digests (§4.2.3), which are
//! computed over the encoded ASCII form exactly as presented, with the credential's `_sd_alg`
//! ([`SdAlg`]): a disclosure remembers the algorithm its digest was computed with.

use super::alg::{DIGEST_LEN, SdAlg};
use super::error::SdJwtError;
use crate::encoding::b64_decode;
#[cfg(test)]
use crate::encoding::b64_encode;
use crate::encoding::borrowed::{self, JsonRef};
use serde_json::Value;
use std::borrow::Cow;

/// One decoded disclosure.
#[derive(Debug, Clone, PartialEq)]
pub struct Disclosure {
    encoded: String,
    salt: String,
    name: Option<String>,
    value: Value,
    /// base64url of the `sd_alg` digest: always 43 ASCII characters, kept inline so that
    /// parsing a presentation's disclosures does not allocate for it.
    digest: [u8; DIGEST_LEN],
    /// The hash `digest` was computed with.
    sd_alg: SdAlg,
}

impl Disclosure {
    /// Creates a disclosure with a fresh salt (base64url of 16 CSPRNG bytes, RFC 9901 §4.2.1's
    /// recommended 128 bits). `name` is `None` for an array element.
    /// Issuance writes its disclosures straight to their encoded form (`issue`); this builds
    /// one for the tests of parsing.
    #[cfg(test)]
    pub(crate) fn new(salt: String, name: Option<&str>, value: Value, sd_alg: SdAlg) -> Self {
        // A tuple serializes as a JSON array, so the disclosure array is written without
        // copying the value; serializing strings and a `Value` cannot fail.
        let json = match name {
            Some(n) => serde_json::to_vec(&(salt.as_str(), n, &value)),
            None => serde_json::to_vec(&(salt.as_str(), &value)),
        };
        let encoded = b64_encode(json.unwrap_or_default());
        let digest = sd_alg.digest_array(&encoded);
        Self {
            encoded,
            salt,
            name: name.map(str::to_owned),
            value,
            digest,
            sd_alg,
        }
    }

    /// A disclosure issuance just wrote: its encoded form, what it holds and its digest under
    /// `sd_alg` (the issuer keeps them, rather than parsing its own output back).
    pub(crate) fn from_parts(
        encoded: String,
        salt: String,
        name: Option<String>,
        value: Value,
        digest: [u8; DIGEST_LEN],
        sd_alg: SdAlg,
    ) -> Self {
        Self {
            encoded,
            salt,
            name,
            value,
            digest,
            sd_alg,
        }
    }

    /// Decodes and checks one presented disclosure of a `sha-256` credential: canonical
    /// base64url, a JSON array of two or three elements, a string salt, a string name that is
    /// not `_sd` or `...`. [`Disclosure::parse_with`] for a credential's own `_sd_alg`.
    pub fn parse(encoded: &str) -> Result<Self, SdJwtError> {
        Self::parse_with(encoded, SdAlg::Sha256)
    }

    /// [`Disclosure::parse`], digesting with `sd_alg` (the credential's `_sd_alg`,
    /// [`SdAlg::from_payload`]).
    pub fn parse_with(encoded: &str, sd_alg: SdAlg) -> Result<Self, SdJwtError> {
        let bytes = b64_decode(encoded)
            .map_err(|_| SdJwtError::MalformedDisclosure("not canonical base64url"))?;
        // The array is read with the borrowing reader; only the value becomes a tree.
        let (salt, name, value) = read_array(&bytes)?;
        Ok(Self {
            encoded: encoded.to_owned(),
            salt: salt.into_owned(),
            name: name.map(Cow::into_owned),
            digest: sd_alg.digest_array(encoded),
            value: value.to_value(),
            sd_alg,
        })
    }

    /// Whether decoded disclosure JSON passes [`Disclosure::parse`]'s checks, without building
    /// the disclosure: the QR transport's canonical check needs the decision only.
    pub(crate) fn check_json(json: &[u8]) -> Result<(), SdJwtError> {
        read_array(json).map(|_| ())
    }

    /// The same disclosure with its digest recomputed under `sd_alg`.
    pub(crate) fn rehashed(&self, sd_alg: SdAlg) -> Self {
        Self {
            digest: sd_alg.digest_array(&self.encoded),
            sd_alg,
            ..self.clone()
        }
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
    /// Moves the value out, leaving `null` (for a verifier done with the disclosure).
    pub(crate) fn take_value(&mut self) -> Value {
        std::mem::take(&mut self.value)
    }

    /// The claim value (may itself contain `_sd` digests).
    pub fn value(&self) -> &Value {
        &self.value
    }
    /// The digest (base64url, under [`Disclosure::sd_alg`]) that references this disclosure.
    pub fn digest(&self) -> &str {
        // Always ASCII (base64url alphabet), so the conversion cannot fail.
        std::str::from_utf8(&self.digest).unwrap_or_default()
    }
    /// The hash [`Disclosure::digest`] was computed with.
    pub fn sd_alg(&self) -> SdAlg {
        self.sd_alg
    }
}

/// A disclosure's parts, read: salt, name (`None` for an array element) and value.
type DisclosureParts<'a> = (Cow<'a, str>, Option<Cow<'a, str>>, JsonRef<'a>);

/// A disclosure's decoded JSON read and checked: a JSON array of two or three elements, a
/// string salt, a string name that is not `_sd` or `...`. Returns the salt, the name and the
/// value, borrowed from `bytes` where they need no unescaping.
fn read_array(bytes: &[u8]) -> Result<DisclosureParts<'_>, SdJwtError> {
    let json =
        borrowed::parse(bytes).map_err(|_| SdJwtError::MalformedDisclosure("not valid JSON"))?;
    let JsonRef::Array(items) = json else {
        return Err(SdJwtError::MalformedDisclosure("not a JSON array"));
    };
    let mut items = items.into_iter();
    let (salt, name, value) = match (items.next(), items.next(), items.next(), items.next()) {
        (Some(JsonRef::String(salt)), Some(value), None, None) => (salt, None, value),
        (Some(JsonRef::String(salt)), Some(JsonRef::String(name)), Some(value), None) => {
            (salt, Some(name), value)
        }
        (Some(JsonRef::String(_)), Some(_), Some(_), None) => {
            return Err(SdJwtError::MalformedDisclosure(
                "claim name is not a string",
            ));
        }
        _ => {
            return Err(SdJwtError::MalformedDisclosure(
                "expected [salt, name, value] or [salt, value] with a string salt",
            ));
        }
    };
    let name = name.map(|n| n.value());
    if matches!(name.as_deref(), Some("_sd" | "...")) {
        return Err(SdJwtError::ReservedClaimName);
    }
    Ok((salt.value(), name, value))
}

#[cfg(test)]
// clippy.toml exempts tests from the panic lints; this lint has no test setting.
#[allow(clippy::arithmetic_side_effects)]
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
        let d = Disclosure::new(
            "c2FsdA".into(),
            Some("名字"),
            json!("张三 😀"),
            SdAlg::Sha256,
        );
        let back = Disclosure::parse(d.encoded()).unwrap();
        assert_eq!(back, d);
        let gm = Disclosure::new("c2FsdA".into(), Some("名字"), json!("张三 😀"), SdAlg::Sm3);
        assert_eq!(gm.encoded(), d.encoded());
        assert_ne!(gm.digest(), d.digest());
        assert_eq!(Disclosure::parse_with(d.encoded(), SdAlg::Sm3).unwrap(), gm);
        assert_eq!(d.rehashed(SdAlg::Sm3), gm);
        let arr = Disclosure::new("c2FsdA".into(), None, json!("DE"), SdAlg::Sha256);
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
