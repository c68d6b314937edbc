//! Wire-level primitives shared by every format layer: canonical base64url (RFC 7515 §2,
//! RFC 4648 §5 without padding) and a strict JSON reader (RFC 8259 with duplicate member names
//! rejected, as RFC 7515 §5.2 allows and RFC 9901 §4 recommends for SD-JWT payloads), plus
//! the size limits that keep untrusted input bounded before anything is allocated. Also the
//! writer of the one-object JSON lines batch issuance emits per credential ([`JsonLine`]).

pub(crate) mod base45;
pub(crate) mod borrowed;

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

/// One JSON object written member by member into a line, without building a `Value` tree: the
/// output and issuance-log lines of batch issuance, written once per credential, where the tree
/// (a map, a copy of the 2 KB credential, then serialising it) cost ~5 % of a batch. Members come
/// out in the order they are added; callers add them sorted by name, the order serde_json's
/// default map writes, so the lines are byte-for-byte what a `json!` object gave. Strings are
/// escaped by serde_json's own string serializer.
#[derive(Debug)]
pub(crate) struct JsonLine {
    bytes: Vec<u8>,
}

impl JsonLine {
    /// An empty object with room for `capacity` bytes.
    pub(crate) fn with_capacity(capacity: usize) -> Self {
        let mut bytes = Vec::with_capacity(capacity);
        bytes.push(b'{');
        Self { bytes }
    }

    fn name(&mut self, name: &str) {
        if self.bytes.len() > 1 {
            self.bytes.push(b',');
        }
        self.string(name);
        self.bytes.push(b':');
    }

    fn string(&mut self, value: &str) {
        // Nothing to escape (a credential is base64url, `.` and `~`): copied as it is. The test
        // has no early exit, so it runs over 16 or 32 bytes at a time; serde_json's escaping
        // loop, a table lookup per byte, cost ~3 % of a batch on the 2 KB credentials.
        let plain = !value.bytes().fold(false, |seen, b| {
            seen | (b < 0x20) | (b == b'"') | (b == b'\\')
        });
        if plain {
            self.bytes.reserve(value.len().saturating_add(2));
            self.bytes.push(b'"');
            self.bytes.extend_from_slice(value.as_bytes());
            self.bytes.push(b'"');
            return;
        }
        // Writing to a Vec cannot fail, and a &str always serialises.
        if serde_json::to_writer(&mut self.bytes, value).is_err() {
            self.bytes.extend_from_slice(b"null");
        }
    }

    /// `"name":"value"`, escaped.
    pub(crate) fn str(mut self, name: &str, value: &str) -> Self {
        self.name(name);
        self.string(value);
        self
    }

    /// `"name":value` for an integer.
    pub(crate) fn int(mut self, name: &str, value: impl Into<i128>) -> Self {
        use std::io::Write as _;
        self.name(name);
        if write!(self.bytes, "{}", value.into()).is_err() {
            self.bytes.extend_from_slice(b"null");
        }
        self
    }

    /// `"name":value` for an optional integer (`null` when absent).
    pub(crate) fn opt_int(mut self, name: &str, value: Option<impl Into<i128>>) -> Self {
        if let Some(v) = value {
            return self.int(name, v);
        }
        self.name(name);
        self.bytes.extend_from_slice(b"null");
        self
    }

    /// The object closed, without a newline: JSON bytes (a JWS header or payload).
    pub(crate) fn finish_object(mut self) -> Vec<u8> {
        self.bytes.push(b'}');
        self.bytes
    }

    /// The object closed, with a newline.
    pub(crate) fn finish(mut self) -> String {
        self.bytes.extend_from_slice(b"}\n");
        // Only &str contents and ASCII were written.
        String::from_utf8(self.bytes)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
    }
}

#[cfg(test)]
// clippy.toml exempts tests from the panic lints; this lint has no test setting.
#[allow(clippy::arithmetic_side_effects)]
mod tests {
    use super::*;

    #[test]
    fn json_lines_are_what_serde_json_writes() {
        let credential = "eyJ.eyJ.sig~WyJz\"x\\y\u{1}~";
        let line = JsonLine::with_capacity(8)
            .str("credential", credential)
            .str("id", "Xc-_1")
            .int("line", 7u64)
            .str("shard", "0003")
            .opt_int("status_idx", None::<u64>)
            .finish();
        let expected = serde_json::json!({"line": 7, "id": "Xc-_1", "status_idx": null,
            "credential": credential, "shard": "0003"});
        assert_eq!(line, format!("{expected}\n"));
        let line = JsonLine::with_capacity(0)
            .int("iat", -5i64)
            .opt_int("idx", Some(u64::MAX))
            .finish();
        assert_eq!(
            line,
            format!("{}\n", serde_json::json!({"idx": u64::MAX, "iat": -5}))
        );
        assert_eq!(JsonLine::with_capacity(0).finish(), "{}\n");
        // Plain text (copied) and text with escapes (serde_json's), including U+2028 and
        // DEL, which JSON does not escape, and every control character, which it must.
        for text in [
            "上海市/浦东\u{2028}\u{7f}",
            "a\u{1f}b",
            "\t",
            "tab\"quote\\",
            "",
        ] {
            let line = JsonLine::with_capacity(0).str("v", text).finish();
            assert_eq!(
                line,
                format!("{}\n", serde_json::json!({ "v": text })),
                "{text:?}"
            );
        }
    }

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
