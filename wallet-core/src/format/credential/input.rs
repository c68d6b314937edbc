//! Claims as agencies actually hand them over: a JSON object in a file or on one line of a
//! batch export. Exports from Windows tools often start with a UTF-8 byte-order mark, which is
//! accepted; exports saved in GBK (the legacy Chinese Windows code page) are not UTF-8, and
//! the error says so and how to convert them, instead of a bare "not UTF-8".
//!
//! Messages never quote the input: claims are personal data.

use crate::error::{ErrorCode, ErrorInfo, codes};
use serde_json::{Map, Value};

/// The UTF-8 encoding of U+FEFF, which some editors write at the start of a UTF-8 file.
pub const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// Why a claims document could not be read. Codes: `claims.*`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ClaimsInputError {
    /// The bytes are not UTF-8 (and do not look like GBK either).
    #[error("the claims are not UTF-8 text")]
    NotUtf8,
    /// The bytes are not UTF-8 but form valid GBK / GB 18030 Chinese text.
    #[error(
        "the claims are not UTF-8 text: they look GBK-encoded (as saved by some Chinese Windows tools); convert them with `iconv -f GBK -t UTF-8 FILE > FILE.utf8`"
    )]
    LooksGbk,
    /// The text is not JSON.
    #[error("the claims are not valid JSON (line {line}, column {column})")]
    NotJson {
        /// 1-based line of the first syntax error.
        line: usize,
        /// 1-based column of the first syntax error.
        column: usize,
    },
    /// The JSON is not an object of claims.
    #[error("the claims are not a JSON object: write them as {{\"name\": …, …}}")]
    NotObject,
}

impl ClaimsInputError {
    /// This error's row of the error table ([`crate::error`]): its stable code, kind and class.
    pub fn info(&self) -> &'static ErrorInfo {
        match self {
            Self::NotUtf8 => &codes::CLAIMS_NOT_UTF8,
            Self::LooksGbk => &codes::CLAIMS_LOOKS_GBK,
            Self::NotJson { .. } => &codes::CLAIMS_NOT_JSON,
            Self::NotObject => &codes::CLAIMS_NOT_OBJECT,
        }
    }

    /// Stable machine-readable code (lower layers' codes pass through unchanged).
    pub fn code(&self) -> &'static str {
        self.info().code
    }

    /// The message without positions, for callers that keep a static reason.
    pub fn reason(&self) -> &'static str {
        match self {
            Self::NotUtf8 => "the text is not UTF-8",
            Self::LooksGbk => {
                "the text is not UTF-8: it looks GBK-encoded; convert the file with `iconv -f GBK -t UTF-8 FILE > FILE.utf8`"
            }
            Self::NotJson { .. } => "the claims are not valid JSON",
            Self::NotObject => "the claims are not a JSON object",
        }
    }
}

impl ErrorCode for ClaimsInputError {
    fn info(&self) -> &'static ErrorInfo {
        ClaimsInputError::info(self)
    }
}

/// Decodes text: UTF-8, with one leading byte-order mark removed. Not UTF-8 is
/// [`ClaimsInputError::LooksGbk`] when the bytes read as GBK / GB 18030, else
/// [`ClaimsInputError::NotUtf8`].
pub fn decode_text(mut bytes: Vec<u8>) -> Result<String, ClaimsInputError> {
    if bytes.starts_with(UTF8_BOM) {
        bytes.drain(..UTF8_BOM.len());
    }
    String::from_utf8(bytes).map_err(|e| {
        if looks_gbk(e.as_bytes()) {
            ClaimsInputError::LooksGbk
        } else {
            ClaimsInputError::NotUtf8
        }
    })
}

/// Reads a claims document: [`decode_text`], then a JSON object.
pub fn parse_claims(bytes: Vec<u8>) -> Result<Map<String, Value>, ClaimsInputError> {
    let text = decode_text(bytes)?;
    match serde_json::from_str::<Value>(&text) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(ClaimsInputError::NotObject),
        Err(e) => Err(ClaimsInputError::NotJson {
            line: e.line(),
            column: e.column(),
        }),
    }
}

/// Whether non-UTF-8 bytes are well-formed GBK / GB 18030 with at least one Chinese character:
/// every non-ASCII byte belongs to a two-byte pair (lead 0x81-0xFE, trail 0x40-0xFE except
/// 0x7F) or a GB 18030 four-byte sequence (lead, 0x30-0x39, lead, 0x30-0x39).
fn looks_gbk(bytes: &[u8]) -> bool {
    let lead = |b: u8| (0x81..=0xFE).contains(&b);
    let digit = |b: u8| b.is_ascii_digit();
    let mut multibyte = 0usize;
    let mut rest = bytes;
    loop {
        match rest {
            [] => return multibyte > 0,
            [b, tail @ ..] if b.is_ascii() => rest = tail,
            [a, b, c, d, tail @ ..] if lead(*a) && digit(*b) && lead(*c) && digit(*d) => {
                multibyte = multibyte.saturating_add(1);
                rest = tail;
            }
            [a, b, tail @ ..] if lead(*a) && (0x40..=0xFE).contains(b) && *b != 0x7F => {
                multibyte = multibyte.saturating_add(1);
                rest = tail;
            }
            _ => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `{"name":"张三"}` in GBK: 张 = D5 C5, 三 = C8 FD.
    const GBK_CLAIMS: &[u8] = b"{\"name\":\"\xD5\xC5\xC8\xFD\"}";

    #[test]
    fn bom_is_removed_once() {
        let mut bytes = UTF8_BOM.to_vec();
        bytes.extend_from_slice("{\"name\":\"张三\"}".as_bytes());
        let claims = parse_claims(bytes).unwrap();
        assert_eq!(claims["name"], "张三");
        // Only one leading mark is an encoding signature; a second one is content.
        let mut twice = UTF8_BOM.repeat(2);
        twice.extend_from_slice(b"{}");
        assert_eq!(
            parse_claims(twice).unwrap_err(),
            ClaimsInputError::NotJson { line: 1, column: 1 }
        );
    }

    #[test]
    fn gbk_is_recognised() {
        let e = parse_claims(GBK_CLAIMS.to_vec()).unwrap_err();
        assert_eq!(e, ClaimsInputError::LooksGbk);
        assert_eq!(e.code(), "claims.looks_gbk");
        assert!(e.to_string().contains("iconv -f GBK -t UTF-8"));
        // A GB 18030 four-byte sequence (U+20087 = 95 32 82 36) also reads as GBK.
        assert!(looks_gbk(b"\x95\x32\x82\x36"));
    }

    #[test]
    fn other_bytes_are_just_not_utf8() {
        for bad in [&b"\xFF\xFF"[..], b"{\"a\":\"\x80\"}", b"\xD5", b"\xD5\x7F"] {
            assert_eq!(
                parse_claims(bad.to_vec()).unwrap_err(),
                ClaimsInputError::NotUtf8,
                "{bad:?}"
            );
        }
    }

    #[test]
    fn json_and_object_errors() {
        let e = parse_claims(b"{\n  \"name\": }".to_vec()).unwrap_err();
        assert_eq!(e.code(), "claims.not_json");
        assert!(e.to_string().contains("line 2"), "{e}");
        assert_eq!(
            parse_claims(b"[1]".to_vec()).unwrap_err(),
            ClaimsInputError::NotObject
        );
    }
}
