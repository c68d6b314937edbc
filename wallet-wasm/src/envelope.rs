//! What every call of the package answers: JSON bytes, `{"ok": true, …}` or
//! `{"ok": false, "code", "message"}` with a stable code — wallet-core's code for a refusal of
//! the engine (`trust.bad_signature`, `qr.not_found`, …), or one of this crate's `wasm.*` codes
//! for a malformed call. Bytes rather than strings or thrown exceptions: the JS side needs no
//! `TextDecoder` from the module (WeChat's mini-program runtime does not always have one), and a
//! refusal is data, never a trap.

use serde_json::{Map, Value};
use std::borrow::Cow;
use std::fmt::Display;
use wallet_core::ErrorCode;

/// The argument is not UTF-8.
pub const INVALID_UTF8: &str = "wasm.invalid_utf8";
/// A request is not a JSON object of the documented shape.
pub const INVALID_JSON: &str = "wasm.invalid_json";
/// An argument is out of range (a language, a time, a frame size).
pub const INVALID_ARGUMENT: &str = "wasm.invalid_argument";
/// Randomness was needed before the page called `seed_random`.
pub const NOT_SEEDED: &str = "wasm.not_seeded";
/// A verifier was used before a trust list was loaded into it.
pub const NO_TRUST_LIST: &str = "wasm.no_trust_list";

/// A refused call: its stable code and a message that never echoes the caller's bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// Stable machine-readable code.
    pub code: Cow<'static, str>,
    /// What is wrong and what to do.
    pub message: String,
}

impl ApiError {
    /// An error of this crate's own.
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            code: Cow::Borrowed(code),
            message: message.into(),
        }
    }

    /// A request that is not the JSON expected.
    pub fn json(what: &str, detail: impl Display) -> Self {
        Self::new(INVALID_JSON, format!("{what} is not valid: {detail}"))
    }

    /// An error of wallet-core, under its own code.
    pub fn core(error: &(impl ErrorCode + Display)) -> Self {
        Self {
            code: Cow::Borrowed(error.code()),
            message: error.to_string(),
        }
    }
}

/// Answer of a call: the members of a success, or the error.
pub type Answer = Result<Map<String, Value>, ApiError>;

/// The JSON bytes of an answer.
pub fn encode(answer: Answer) -> Vec<u8> {
    let object = match answer {
        Ok(mut members) => {
            members.insert("ok".into(), Value::Bool(true));
            members
        }
        Err(e) => {
            let mut members = Map::new();
            members.insert("ok".into(), Value::Bool(false));
            members.insert("code".into(), Value::String(e.code.into_owned()));
            members.insert("message".into(), Value::String(e.message));
            members
        }
    };
    // Serialising a map of JSON values cannot fail; an empty answer would still parse as JSON
    // on the JS side and be reported there.
    serde_json::to_vec(&Value::Object(object)).unwrap_or_default()
}

/// One member, for building answers.
pub fn member(name: &str, value: impl Into<Value>) -> Map<String, Value> {
    let mut map = Map::new();
    map.insert(name.into(), value.into());
    map
}

/// Text argument: UTF-8 or refused.
pub fn text<'a>(bytes: &'a [u8], what: &str) -> Result<&'a str, ApiError> {
    std::str::from_utf8(bytes)
        .map_err(|_| ApiError::new(INVALID_UTF8, format!("{what} is not UTF-8 text")))
}

/// A request: a JSON object.
pub fn request(bytes: &[u8], what: &str) -> Result<Map<String, Value>, ApiError> {
    let text = text(bytes, what)?;
    serde_json::from_str::<Map<String, Value>>(text).map_err(|e| {
        ApiError::json(
            what,
            format!(
                "a JSON object was expected (line {}, column {})",
                e.line(),
                e.column()
            ),
        )
    })
}

/// A required string member.
pub fn str_member<'a>(map: &'a Map<String, Value>, name: &str) -> Result<&'a str, ApiError> {
    map.get(name)
        .and_then(Value::as_str)
        .ok_or_else(|| ApiError::json("request", format!("{name} must be a string")))
}

/// An optional string member (absent or null: `None`).
pub fn opt_str_member<'a>(
    map: &'a Map<String, Value>,
    name: &str,
) -> Result<Option<&'a str>, ApiError> {
    match map.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v
            .as_str()
            .map(Some)
            .ok_or_else(|| ApiError::json("request", format!("{name} must be a string"))),
    }
}

/// A required integer member (unix seconds and the like).
pub fn int_member(map: &Map<String, Value>, name: &str) -> Result<i64, ApiError> {
    map.get(name)
        .and_then(Value::as_i64)
        .ok_or_else(|| ApiError::json("request", format!("{name} must be an integer")))
}

/// A JWK member: a JSON object, or its text.
pub fn jwk_member(map: &Map<String, Value>, name: &str) -> Result<Value, ApiError> {
    match map.get(name) {
        Some(Value::Object(o)) => Ok(Value::Object(o.clone())),
        Some(Value::String(s)) => serde_json::from_str::<Map<String, Value>>(s)
            .map(Value::Object)
            .map_err(|_| ApiError::json("request", format!("{name} must be a JWK object"))),
        _ => Err(ApiError::json(
            "request",
            format!("{name} must be a JWK object"),
        )),
    }
}

/// A time given by JS as a number of seconds: integral and within ±2^53 (what a JS number holds
/// exactly).
pub fn seconds(value: f64, what: &str) -> Result<i64, ApiError> {
    const LIMIT: f64 = 9_007_199_254_740_992.0;
    if !value.is_finite() || value.fract() != 0.0 || value.abs() > LIMIT {
        return Err(ApiError::new(
            INVALID_ARGUMENT,
            format!("{what} must be a whole number of unix seconds"),
        ));
    }
    // In range and integral, checked above.
    #[allow(clippy::cast_possible_truncation)]
    Ok(value as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(bytes: &[u8]) -> Value {
        serde_json::from_slice(bytes).unwrap()
    }

    #[test]
    fn answers_are_json_with_ok() {
        let ok = parse(&encode(Ok(member("uri", "https://x"))));
        assert_eq!(ok, serde_json::json!({"ok": true, "uri": "https://x"}));
        let err = parse(&encode(Err(ApiError::new(INVALID_ARGUMENT, "no"))));
        assert_eq!(
            err,
            serde_json::json!({"ok": false, "code": "wasm.invalid_argument", "message": "no"})
        );
    }

    #[test]
    fn arguments_are_checked_without_echoing_them() {
        assert_eq!(text(b"\xff\xfe", "payload").unwrap_err().code, INVALID_UTF8);
        let e = request(b"[\"secret\"]", "request").unwrap_err();
        assert_eq!(e.code, INVALID_JSON);
        assert!(!e.message.contains("secret"));
        let map = request(br#"{"n": 1.5, "s": "x", "k": "{\"kty\":\"OKP\"}"}"#, "r").unwrap();
        assert!(int_member(&map, "n").is_err());
        assert_eq!(str_member(&map, "s").unwrap(), "x");
        assert_eq!(opt_str_member(&map, "missing").unwrap(), None);
        assert_eq!(jwk_member(&map, "k").unwrap()["kty"], "OKP");
        assert!(jwk_member(&map, "s").is_err());
        assert_eq!(seconds(1_767_225_600.0, "now").unwrap(), 1_767_225_600);
        for bad in [f64::NAN, f64::INFINITY, 1.5, 1e300] {
            assert_eq!(seconds(bad, "now").unwrap_err().code, INVALID_ARGUMENT);
        }
    }
}
