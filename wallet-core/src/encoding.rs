//! Wire-level primitives shared by every format layer: canonical base64url (RFC 7515 §2,
//! RFC 4648 §5 without padding) and a strict JSON reader (RFC 8259 with duplicate member names
//! rejected, as RFC 7515 §5.2 allows and RFC 9901 §4 recommends for SD-JWT payloads), plus
//! the size limits that keep untrusted input bounded before anything is allocated.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::de::{DeserializeSeed, Deserializer, Error as _, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};
use std::fmt;

/// Hard limits applied to untrusted input before work is done on it.
pub mod limits {
    /// Longest SD-JWT / presentation string accepted (bytes). A large credential with a photo
    /// digest and 100 disclosures is well under 32 KiB.
    pub const MAX_TOKEN_LEN: usize = 64 * 1024;
    /// Most disclosures one SD-JWT may carry.
    pub const MAX_DISCLOSURES: usize = 256;
    /// Deepest JSON nesting accepted anywhere (objects and arrays count one level each).
    pub const MAX_JSON_DEPTH: usize = 32;
}

/// Encodes bytes as unpadded base64url.
pub fn b64_encode(bytes: impl AsRef<[u8]>) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Why a base64url string was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct NonCanonicalBase64;

/// Decodes unpadded base64url, accepting only the canonical spelling: no padding, no characters
/// outside the URL-safe alphabet, and zero trailing bits, so that every byte string has exactly
/// one accepted encoding (a re-spelled token must not verify as the same token).
pub(crate) fn b64_decode(text: &str) -> Result<Vec<u8>, NonCanonicalBase64> {
    // The engine already rejects padding and non-zero trailing bits; the length check catches
    // the impossible 4n+1 case early.
    if text.len() % 4 == 1 {
        return Err(NonCanonicalBase64);
    }
    URL_SAFE_NO_PAD.decode(text).map_err(|_| NonCanonicalBase64)
}

/// Decodes into a fixed-size array, refusing any other length.
pub(crate) fn b64_decode_array<const N: usize>(text: &str) -> Result<[u8; N], NonCanonicalBase64> {
    let bytes = b64_decode(text)?;
    <[u8; N]>::try_from(bytes.as_slice()).map_err(|_| NonCanonicalBase64)
}

/// Why a JSON text was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum JsonIssue {
    /// Not JSON, or trailing data; carries serde_json's position message (no content).
    Syntax(String),
    /// An object repeats a member name.
    DuplicateMember,
    /// Nesting exceeds [`limits::MAX_JSON_DEPTH`].
    TooDeep,
}

impl fmt::Display for JsonIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Syntax(m) => write!(f, "{m}"),
            Self::DuplicateMember => f.write_str("an object repeats a member name"),
            Self::TooDeep => write!(f, "nesting deeper than {} levels", limits::MAX_JSON_DEPTH),
        }
    }
}

const DUPLICATE: &str = "\u{0}duplicate";
const TOO_DEEP: &str = "\u{0}too-deep";

/// Parses JSON strictly: duplicate member names and excessive depth are errors, not silently
/// resolved (serde_json's `Value` keeps the last duplicate, which would let two parsers read
/// one signed payload differently).
pub(crate) fn parse_json(bytes: &[u8]) -> Result<Value, JsonIssue> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = StrictValue {
        depth: limits::MAX_JSON_DEPTH,
    }
    .deserialize(&mut de)
    .map_err(classify)?;
    de.end().map_err(classify)?;
    Ok(value)
}

/// Parses strictly and requires a JSON object at the top.
pub(crate) fn parse_json_object(bytes: &[u8]) -> Result<Map<String, Value>, JsonIssue> {
    match parse_json(bytes)? {
        Value::Object(map) => Ok(map),
        _ => Err(JsonIssue::Syntax("expected a JSON object".into())),
    }
}

fn classify(e: serde_json::Error) -> JsonIssue {
    let text = e.to_string();
    if text.starts_with(DUPLICATE) {
        JsonIssue::DuplicateMember
    } else if text.starts_with(TOO_DEEP) || text.starts_with("recursion limit exceeded") {
        JsonIssue::TooDeep
    } else {
        JsonIssue::Syntax(text)
    }
}

struct StrictValue {
    depth: usize,
}

impl<'de> DeserializeSeed<'de> for StrictValue {
    type Value = Value;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for StrictValue {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Value, E> {
        serde_json::Number::from_f64(v)
            .map(Value::Number)
            .ok_or_else(|| E::custom("number out of range"))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let depth = self
            .depth
            .checked_sub(1)
            .ok_or_else(|| A::Error::custom(TOO_DEEP))?;
        let mut out = Vec::new();
        while let Some(v) = seq.next_element_seed(StrictValue { depth })? {
            out.push(v);
        }
        Ok(Value::Array(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Value, A::Error> {
        let depth = self
            .depth
            .checked_sub(1)
            .ok_or_else(|| A::Error::custom(TOO_DEEP))?;
        let mut out = Map::new();
        while let Some(key) = access.next_key::<String>()? {
            if out.contains_key(&key) {
                return Err(A::Error::custom(DUPLICATE));
            }
            let value = access.next_value_seed(StrictValue { depth })?;
            out.insert(key, value);
        }
        Ok(Value::Object(out))
    }
}

#[cfg(test)]
// clippy.toml exempts tests from the panic lints; this lint has no test setting.
#[allow(clippy::arithmetic_side_effects)]
mod tests {
    use super::*;

    #[test]
    fn base64_is_canonical_only() {
        assert_eq!(b64_decode("AQ").unwrap(), vec![1]);
        assert!(b64_decode("AR").is_err(), "non-zero trailing bits");
        assert!(b64_decode("AQ==").is_err(), "padding");
        assert!(b64_decode("A+").is_err(), "standard alphabet");
        assert!(b64_decode("A").is_err());
        assert!(b64_decode("AQ\n").is_err());
    }

    #[test]
    fn json_rejects_duplicates_and_depth() {
        assert_eq!(
            parse_json(br#"{"a":1,"a":2}"#),
            Err(JsonIssue::DuplicateMember)
        );
        assert_eq!(
            parse_json(br#"{"x":{"a":1,"a":1}}"#),
            Err(JsonIssue::DuplicateMember)
        );
        let deep = "[".repeat(40) + &"]".repeat(40);
        assert_eq!(parse_json(deep.as_bytes()), Err(JsonIssue::TooDeep));
        let ok = "[".repeat(31) + &"]".repeat(31);
        assert!(parse_json(ok.as_bytes()).is_ok());
        assert!(matches!(parse_json(b"{} x"), Err(JsonIssue::Syntax(_))));
        assert_eq!(
            parse_json("\"😀 张\"".as_bytes()).unwrap(),
            Value::from("😀 张")
        );
    }
}
