//! The verifier's JSON reader: RFC 8259 read strictly into a tree that borrows from the input,
//! for the parts of a presentation that are only checked, never reported — the JWS and KB-JWT
//! headers, the KB-JWT claims and the `[salt, name, value]` arrays of disclosures. It accepts and
//! refuses exactly what [`super::parse_json`] does (duplicate member names and nesting beyond
//! [`super::limits::MAX_JSON_DEPTH`] are errors, numbers outside `f64` are refused as serde_json
//! refuses them), so the two can be swapped without changing a decision: a differential test
//! and the `json_differential` fuzz target run both on the same bytes ([`check_agreement`]).
//!
//! Strings are slices of the input; only one that contains an escape is decoded, when read.
//! Containers are vectors of their members (a header has three, a KB-JWT four): looking a
//! member up is a scan, and there is no map to build or drop.

use super::{JsonIssue, limits};
use serde_json::{Map, Value};
use std::borrow::Cow;

/// A JSON value borrowed from the text it was read from.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum JsonRef<'a> {
    Null,
    Bool(bool),
    /// The number as written (RFC 8259 §6 syntax, within `f64`'s range).
    Number(&'a str),
    String(JsonStr<'a>),
    Array(Vec<JsonRef<'a>>),
    /// Members in document order; names are unique.
    Object(Vec<(JsonStr<'a>, JsonRef<'a>)>),
}

/// A string's contents between its quotes, as written: valid UTF-8 with valid escapes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct JsonStr<'a> {
    raw: &'a str,
    escaped: bool,
}

impl<'a> JsonStr<'a> {
    /// The string's value: the input slice itself unless it contains escapes.
    pub(crate) fn value(&self) -> Cow<'a, str> {
        if self.escaped {
            Cow::Owned(unescape(self.raw))
        } else {
            Cow::Borrowed(self.raw)
        }
    }

    /// Whether the string's value is `text`, without decoding when it has no escapes.
    pub(crate) fn is(&self, text: &str) -> bool {
        if self.escaped {
            unescape(self.raw) == text
        } else {
            self.raw == text
        }
    }
}

impl<'a> JsonRef<'a> {
    /// The member `name` of an object (`None` for other values or a missing member).
    pub(crate) fn get(&self, name: &str) -> Option<&JsonRef<'a>> {
        match self {
            Self::Object(members) => members.iter().find(|(n, _)| n.is(name)).map(|(_, v)| v),
            _ => None,
        }
    }

    /// Whether this is an object with a member `name`.
    pub(crate) fn contains_key(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// A string's value.
    pub(crate) fn as_str(&self) -> Option<Cow<'a, str>> {
        match self {
            Self::String(s) => Some(s.value()),
            _ => None,
        }
    }

    /// An integer that fits `i64`, as serde_json's `Value::as_i64` answers: numbers written with
    /// a fraction or an exponent are not integers, even when whole.
    pub(crate) fn as_i64(&self) -> Option<i64> {
        match self {
            Self::Number(raw) if is_integer(raw) => raw.parse().ok(),
            _ => None,
        }
    }

    /// The same value as a serde_json tree: what [`super::parse_json`] returns for the text.
    pub(crate) fn to_value(&self) -> Value {
        match self {
            Self::Null => Value::Null,
            Self::Bool(b) => Value::Bool(*b),
            Self::Number(raw) => number_value(raw),
            Self::String(s) => Value::String(s.value().into_owned()),
            Self::Array(items) => Value::Array(items.iter().map(JsonRef::to_value).collect()),
            Self::Object(members) => Value::Object(
                members
                    .iter()
                    .map(|(name, value)| (name.value().into_owned(), value.to_value()))
                    .collect::<Map<String, Value>>(),
            ),
        }
    }
}

/// Reads `bytes` as one JSON value with nothing but whitespace after it.
pub(crate) fn parse(bytes: &[u8]) -> Result<JsonRef<'_>, JsonIssue> {
    let mut reader = Reader { bytes, pos: 0 };
    reader.skip_ws();
    let value = reader.value(0)?;
    reader.skip_ws();
    match reader.peek() {
        None => Ok(value),
        Some(_) => Err(reader.syntax("trailing characters")),
    }
}

/// Reads `bytes` as a JSON object.
pub(crate) fn parse_object(bytes: &[u8]) -> Result<JsonRef<'_>, JsonIssue> {
    match parse(bytes)? {
        value @ JsonRef::Object(_) => Ok(value),
        _ => Err(JsonIssue::Syntax("expected a JSON object".into())),
    }
}

/// Runs this reader and [`super::parse_json`] on the same bytes and says how they differ, if
/// they do: one accepts what the other refuses, they refuse for different reasons (a duplicate
/// member, too deep, malformed), or they read different values. The differential test and fuzz
/// target call it.
pub fn check_agreement(bytes: &[u8]) -> Result<(), String> {
    let reference = super::parse_json(bytes);
    let ours = parse(bytes).map(|v| v.to_value());
    match (reference, ours) {
        (Ok(a), Ok(b)) if a == b => Ok(()),
        (Ok(a), Ok(b)) => Err(format!("values differ: serde_json {a} / borrowed {b}")),
        (Err(a), Err(b)) if std::mem::discriminant(&a) == std::mem::discriminant(&b) => Ok(()),
        (a, b) => Err(format!(
            "decisions differ: serde_json {:?} / borrowed {:?}",
            a.map(|_| "accepted"),
            b.map(|_| "accepted")
        )),
    }
}

/// Whether a number (already checked against RFC 8259's grammar) has neither a fraction nor an
/// exponent.
fn is_integer(raw: &str) -> bool {
    // serde_json reads `-0` as the float −0.0, not as the integer 0.
    raw != "-0" && !raw.bytes().any(|b| matches!(b, b'.' | b'e' | b'E'))
}

/// serde_json's value for a number: `i64` or `u64` when it is an integer that fits, otherwise
/// the `f64` its own parser computes (called on the number alone, which it reads exactly as
/// inside a document).
fn number_value(raw: &str) -> Value {
    if is_integer(raw) {
        if let Ok(i) = raw.parse::<i64>() {
            return Value::from(i);
        }
        if let Ok(u) = raw.parse::<u64>() {
            return Value::from(u);
        }
    }
    serde_json::from_str::<Value>(raw).unwrap_or(Value::Null)
}

/// Decodes the escapes of a string already checked by [`Reader::string`].
fn unescape(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    let hex4 = |chars: &mut std::str::Chars<'_>| -> u32 {
        (0..4).fold(0u32, |n, _| {
            let digit = chars.next().and_then(|c| c.to_digit(16)).unwrap_or(0);
            (n << 4) | digit
        })
    };
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let decoded = match chars.next() {
            Some('b') => '\u{8}',
            Some('f') => '\u{c}',
            Some('n') => '\n',
            Some('r') => '\r',
            Some('t') => '\t',
            Some('u') => {
                let first = hex4(&mut chars);
                let code = if (0xD800..0xDC00).contains(&first) {
                    // Checked: a low surrogate escape follows.
                    chars.next();
                    chars.next();
                    let low = hex4(&mut chars);
                    // In range: `first` is a high and `low` a low surrogate (checked).
                    0x10000u32
                        .wrapping_add(first.wrapping_sub(0xD800) << 10)
                        .wrapping_add(low.wrapping_sub(0xDC00))
                } else {
                    first
                };
                char::from_u32(code).unwrap_or(char::REPLACEMENT_CHARACTER)
            }
            Some(other) => other,
            None => break,
        };
        out.push(decoded);
    }
    out
}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn bump(&mut self) {
        self.pos = self.pos.saturating_add(1);
    }

    fn next(&mut self) -> Option<u8> {
        let b = self.peek();
        self.bump();
        b
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.bump();
        }
    }

    /// A syntax error at the current position (never quoting the input).
    fn syntax(&self, what: &str) -> JsonIssue {
        JsonIssue::Syntax(format!("{what} at byte {}", self.pos))
    }

    fn expect(&mut self, b: u8, what: &str) -> Result<(), JsonIssue> {
        if self.next() == Some(b) {
            Ok(())
        } else {
            Err(self.syntax(what))
        }
    }

    fn literal(&mut self, word: &[u8]) -> Result<(), JsonIssue> {
        let end = self.pos.saturating_add(word.len());
        if self.bytes.get(self.pos..end) == Some(word) {
            self.pos = end;
            Ok(())
        } else {
            Err(self.syntax("invalid literal"))
        }
    }

    /// One value; `depth` containers enclose it.
    fn value(&mut self, depth: usize) -> Result<JsonRef<'a>, JsonIssue> {
        match self.peek() {
            Some(b'n') => self.literal(b"null").map(|()| JsonRef::Null),
            Some(b't') => self.literal(b"true").map(|()| JsonRef::Bool(true)),
            Some(b'f') => self.literal(b"false").map(|()| JsonRef::Bool(false)),
            Some(b'"') => self.string().map(JsonRef::String),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(b'[') => self.array(depth),
            Some(b'{') => self.object(depth),
            Some(_) => Err(self.syntax("expected a value")),
            None => Err(self.syntax("EOF while parsing a value")),
        }
    }

    /// Entering a container nested `depth` deep: the limit counts objects and arrays alike.
    fn enter(&mut self, depth: usize) -> Result<usize, JsonIssue> {
        if depth >= limits::MAX_JSON_DEPTH {
            return Err(JsonIssue::TooDeep);
        }
        self.bump();
        Ok(depth.saturating_add(1))
    }

    fn array(&mut self, depth: usize) -> Result<JsonRef<'a>, JsonIssue> {
        let depth = self.enter(depth)?;
        let mut items = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b']') {
            self.bump();
            return Ok(JsonRef::Array(items));
        }
        loop {
            self.skip_ws();
            items.push(self.value(depth)?);
            self.skip_ws();
            match self.next() {
                Some(b',') => {}
                Some(b']') => return Ok(JsonRef::Array(items)),
                _ => return Err(self.syntax("expected ',' or ']'")),
            }
        }
    }

    fn object(&mut self, depth: usize) -> Result<JsonRef<'a>, JsonIssue> {
        let depth = self.enter(depth)?;
        let mut members: Vec<(JsonStr<'a>, JsonRef<'a>)> = Vec::new();
        // Past a handful of members, names are checked for repeats in a set, so that a hostile
        // object of thousands of members costs linear time.
        let mut seen: Option<std::collections::HashSet<Cow<'a, str>>> = None;
        self.skip_ws();
        if self.peek() == Some(b'}') {
            self.bump();
            return Ok(JsonRef::Object(members));
        }
        loop {
            self.skip_ws();
            if self.peek() != Some(b'"') {
                return Err(self.syntax("expected a member name"));
            }
            let name = self.string()?;
            // Refused as soon as the name repeats, before its value: where serde_json stops.
            let repeated = match &mut seen {
                Some(set) => !set.insert(name.value()),
                None => {
                    let repeated = members.iter().any(|(n, _)| same_name(n, &name));
                    if members.len() >= 16 {
                        let mut set: std::collections::HashSet<Cow<'a, str>> =
                            members.iter().map(|(n, _)| n.value()).collect();
                        set.insert(name.value());
                        seen = Some(set);
                    }
                    repeated
                }
            };
            if repeated {
                return Err(JsonIssue::DuplicateMember);
            }
            self.skip_ws();
            self.expect(b':', "expected ':'")?;
            self.skip_ws();
            let value = self.value(depth)?;
            members.push((name, value));
            self.skip_ws();
            match self.next() {
                Some(b',') => {}
                Some(b'}') => return Ok(JsonRef::Object(members)),
                _ => return Err(self.syntax("expected ',' or '}'")),
            }
        }
    }

    /// A string at the current `"`: control characters refused, escapes checked (a `\u`
    /// surrogate must be a high one followed by a low one), UTF-8 checked.
    fn string(&mut self) -> Result<JsonStr<'a>, JsonIssue> {
        self.bump();
        let start = self.pos;
        let mut escaped = false;
        loop {
            match self.next() {
                None => return Err(self.syntax("EOF while parsing a string")),
                Some(b'"') => break,
                Some(b'\\') => {
                    escaped = true;
                    match self.next() {
                        Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => {}
                        Some(b'u') => {
                            let first = self.hex4()?;
                            if (0xDC00..0xE000).contains(&first) {
                                return Err(self.syntax("lone low surrogate in a \\u escape"));
                            }
                            if (0xD800..0xDC00).contains(&first) {
                                if self.next() != Some(b'\\') || self.next() != Some(b'u') {
                                    return Err(self.syntax("unpaired surrogate in a \\u escape"));
                                }
                                let low = self.hex4()?;
                                if !(0xDC00..0xE000).contains(&low) {
                                    return Err(self.syntax("unpaired surrogate in a \\u escape"));
                                }
                            }
                        }
                        _ => return Err(self.syntax("invalid escape")),
                    }
                }
                Some(0..=0x1f) => return Err(self.syntax("control character in a string")),
                Some(_) => {}
            }
        }
        let end = self.pos.saturating_sub(1);
        let raw = self
            .bytes
            .get(start..end)
            .and_then(|b| std::str::from_utf8(b).ok())
            .ok_or_else(|| self.syntax("invalid UTF-8 in a string"))?;
        Ok(JsonStr { raw, escaped })
    }

    fn hex4(&mut self) -> Result<u32, JsonIssue> {
        let mut n = 0u32;
        for _ in 0..4 {
            let digit = self
                .next()
                .and_then(|b| char::from(b).to_digit(16))
                .ok_or_else(|| self.syntax("invalid \\u escape"))?;
            n = (n << 4) | digit;
        }
        Ok(n)
    }

    fn digits(&mut self) -> usize {
        let start = self.pos;
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.bump();
        }
        self.pos.saturating_sub(start)
    }

    /// A number: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`, no leading zeros,
    /// and — beyond `i64`/`u64` — one serde_json can hold (it refuses what overflows `f64`).
    fn number(&mut self) -> Result<JsonRef<'a>, JsonIssue> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.bump();
        }
        match self.peek() {
            Some(b'0') => {
                self.bump();
                if matches!(self.peek(), Some(b'0'..=b'9')) {
                    return Err(self.syntax("invalid number"));
                }
            }
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return Err(self.syntax("invalid number")),
        }
        if self.peek() == Some(b'.') {
            self.bump();
            if self.digits() == 0 {
                return Err(self.syntax("invalid number"));
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.bump();
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.bump();
            }
            if self.digits() == 0 {
                return Err(self.syntax("invalid number"));
            }
        }
        // Only ASCII was consumed.
        let raw = self
            .bytes
            .get(start..self.pos)
            .and_then(|b| std::str::from_utf8(b).ok())
            .ok_or_else(|| self.syntax("invalid number"))?;
        let fits = is_integer(raw) && (raw.parse::<i64>().is_ok() || raw.parse::<u64>().is_ok());
        if !fits && serde_json::from_str::<Value>(raw).is_err() {
            return Err(self.syntax("number out of range"));
        }
        Ok(JsonRef::Number(raw))
    }
}

/// Whether two member names are equal once unescaped.
fn same_name(a: &JsonStr<'_>, b: &JsonStr<'_>) -> bool {
    match (a.escaped, b.escaped) {
        (false, false) => a.raw == b.raw,
        _ => a.value() == b.value(),
    }
}

#[cfg(test)]
// clippy.toml exempts tests from the panic lints; this lint has no test setting.
#[allow(clippy::arithmetic_side_effects, clippy::cast_possible_truncation)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_serde_json_reads() {
        let text = r#" {"a":[1,-0,2.50,1e3,-1E-2,18446744073709551615,-9223372036854775808,
            123456789012345678901234567890],"b":{"c":null,"d":true,"e":false},
            "s":"x\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00\u0000","":"张"} "#
            .as_bytes();
        let value = parse(text).unwrap();
        assert_eq!(value.to_value(), super::super::parse_json(text).unwrap());
        assert_eq!(value.get("a").map(|a| a.to_value()).unwrap()[0], 1);
        assert_eq!(
            value.get("s").unwrap().as_str().unwrap(),
            "x\"\\/\u{8}\u{c}\n\r\t\u{e9}😀\u{0}"
        );
        assert!(value.get("b").unwrap().contains_key("d"));
        assert_eq!(JsonRef::Number("5").as_i64(), Some(5));
        assert_eq!(JsonRef::Number("5.0").as_i64(), None);
        assert_eq!(JsonRef::Number("9223372036854775808").as_i64(), None);
        assert_eq!(JsonRef::Number("-0").as_i64(), None);
        check_agreement(b"[-0,-0.0,0]").unwrap();
    }

    #[test]
    fn refuses_what_serde_json_refuses() {
        for bad in [
            &b""[..],
            b" ",
            b"{",
            b"[1,]",
            b"{\"a\":1,}",
            b"01",
            b"1.",
            b"1e",
            b"-",
            b"+1",
            b".5",
            b"1e400",
            b"-1e400",
            b"nul",
            b"truex",
            b"\"\x01\"",
            b"\"\\x\"",
            b"\"\\ud800\"",
            b"\"\\udc00\"",
            b"\"\\ud800\\u0041\"",
            b"\"\xff\"",
            b"{1:2}",
            b"{} {}",
            b"[1 2]",
            b"NaN",
        ] {
            assert!(parse(bad).is_err(), "{bad:?}");
            check_agreement(bad).unwrap();
        }
        assert_eq!(
            parse(br#"{"a":1,"\u0061":2}"#),
            Err(JsonIssue::DuplicateMember)
        );
        // The repeat is found before the malformed value that follows it, as serde_json does.
        assert_eq!(parse(br#"{"a":1,"a":}"#), Err(JsonIssue::DuplicateMember));
        let deep = "[".repeat(33) + &"]".repeat(33);
        assert_eq!(parse(deep.as_bytes()), Err(JsonIssue::TooDeep));
        let ok = "[".repeat(32) + &"]".repeat(32);
        assert!(parse(ok.as_bytes()).is_ok());
        check_agreement(deep.as_bytes()).unwrap();
        check_agreement(ok.as_bytes()).unwrap();
        // Many members: the set takes over from the scan, and still finds the repeat.
        let many: String = (0..200).map(|i| format!("\"k{i}\":{i},")).collect();
        let repeated = format!("{{{many}\"k7\":0}}");
        assert_eq!(parse(repeated.as_bytes()), Err(JsonIssue::DuplicateMember));
        let distinct = format!("{{{many}\"z\":0}}");
        check_agreement(distinct.as_bytes()).unwrap();
    }

    /// A small deterministic generator of JSON texts and their mutations: the differential test
    /// that runs in `cargo test` (the fuzz target `json_differential` explores further).
    struct Gen(u64);

    impl Gen {
        fn next(&mut self) -> u64 {
            // xorshift64*
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
        }
        fn below(&mut self, n: u64) -> u64 {
            self.next() % n
        }
        fn pick<'s>(&mut self, options: &[&'s str]) -> &'s str {
            options[self.below(options.len() as u64) as usize]
        }
        fn value(&mut self, out: &mut String, depth: usize) {
            match self.below(if depth > 34 { 5 } else { 9 }) {
                0 => out.push_str(self.pick(&["null", "true", "false"])),
                1 => out.push_str(self.pick(&[
                    "0",
                    "-0",
                    "7",
                    "-12",
                    "3.25",
                    "1e3",
                    "1E-7",
                    "2.5e+10",
                    "-0.0",
                    "9223372036854775807",
                    "9223372036854775808",
                    "-9223372036854775809",
                    "18446744073709551616",
                    "1e308",
                    "1e309",
                    "4.9e-324",
                    "1e-400",
                    "123456789012345678901234567890",
                ])),
                2..=4 => {
                    out.push('"');
                    out.push_str(self.pick(&[
                        "",
                        "a",
                        "name",
                        "\\u00e9",
                        "\\ud83d\\ude00",
                        "\\n\\t",
                        "张三",
                        "\\\"",
                        "\\/",
                        "\\u0061",
                        "😀",
                        "a b",
                    ]));
                    out.push('"');
                }
                5 | 6 => {
                    out.push('[');
                    for i in 0..self.below(4) {
                        if i > 0 {
                            out.push(',');
                        }
                        self.value(out, depth + 1);
                    }
                    out.push(']');
                }
                _ => {
                    out.push('{');
                    for i in 0..self.below(5) {
                        if i > 0 {
                            out.push_str(self.pick(&[",", " , ", ",\n"]));
                        }
                        out.push('"');
                        out.push_str(self.pick(&["a", "b", "c", "\\u0061", "_sd", "", "é"]));
                        out.push_str("\":");
                        self.value(out, depth + 1);
                    }
                    out.push('}');
                }
            }
        }
        fn mutate(&mut self, text: &mut Vec<u8>) {
            for _ in 0..=self.below(3) {
                let at = self.below(text.len() as u64 + 1) as usize;
                match self.below(4) {
                    0 if at < text.len() => {
                        text.remove(at);
                    }
                    1 => text.insert(at, self.below(256) as u8),
                    2 => {
                        let piece = self.pick(&[
                            "[", "]", "{", "}", ",", ":", "\"", "\\", "0", "-", "e", " ", "\\u",
                            "\\ud800",
                        ]);
                        for (i, b) in piece.bytes().enumerate() {
                            text.insert(at + i, b);
                        }
                    }
                    _ if at < text.len() => text[at] = self.below(128) as u8,
                    _ => {}
                }
            }
        }
    }

    /// The two readers on 40,000 generated texts, half of them mutated into near-misses: the
    /// same decision for each, the same reason when refused, the same value when accepted.
    #[test]
    fn differential_against_the_serde_json_reader() {
        let mut generator = Gen(0x9E37_79B9_7F4A_7C15);
        let (mut accepted, mut refused) = (0, 0);
        for i in 0..40_000 {
            let mut text = String::new();
            // Now and then one past the depth limit.
            let depth = if i % 97 == 0 { 30 } else { 0 };
            generator.value(&mut text, depth);
            let mut bytes = text.into_bytes();
            if i % 2 == 1 {
                generator.mutate(&mut bytes);
            }
            if let Err(e) = check_agreement(&bytes) {
                panic!("{e} on {:?}", String::from_utf8_lossy(&bytes));
            }
            if parse(&bytes).is_ok() {
                accepted += 1;
            } else {
                refused += 1;
            }
        }
        // Both kinds of input were exercised.
        assert!(
            accepted > 10_000 && refused > 5_000,
            "{accepted} / {refused}"
        );
    }
}
