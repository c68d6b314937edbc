//! QR transport (docs/qr-format.md): a lossless compact form of a standard SD-JWT /
//! SD-JWT+KB string for "show certificate" QR codes. Every base64url part is carried as raw
//! bytes inside a binary frame; long base64url strings inside the JSON become raw bytes; digests
//! of carried disclosures and the KB-JWT's `sd_hash` are left out (the decoder recomputes them);
//! the frame is compressed with raw DEFLATE (RFC 1951) primed with a preset dictionary of the
//! JSON vocabulary, then base45-encoded (RFC 9285) behind the prefix `CW2:` (`CW1:` before
//! issue 17), all in the QR alphanumeric character set. Decoding rebuilds the exact original
//! string, which the verifier then checks like any other presentation.
//!
//! Version 2 (§10, `transport/cw2.rs`) differs from version 1 only where algorithm agility
//! made version 1 too long: digest references follow the payload's `_sd_alg` (sha-256 or sm3)
//! instead of assuming SHA-256, P-256/SM2 points travel compressed, and the dictionary knows the
//! EC skeletons. Encoders write version 2; decoders read both, so codes from older wallets and the
//! version-1 vectors keep working. One frame builder serves both versions (a [`Version`]
//! switches the three differences), so the canonical check is the same code for both.

use crate::encoding::{b64_decode, b64_encode, limits};
use crate::error::{ErrorCode, ErrorInfo, codes};
use crate::format::sdjwt::{Disclosure, SdJwtParts};
use flate2::{Compress, Compression, Decompress, FlushCompress, FlushDecompress, Status};

/// The text of [`DICTIONARY_V1`], as a macro so that version 2's dictionary (`cw2.rs`) can
/// contain it verbatim in one `concat!`.
macro_rules! dictionary_v1 {
    () => {
        concat!(
            "北京市天津市重庆市广东省江苏省浙江省有限公司公安局交通警察总队车辆管理所不动产登记中心人力资源和社会保障局市场监督管理局出入境管理局",
            "黄浦区徐汇区长宁区静安区普陀区虹口区杨浦区闵行区宝山区嘉定区金山区松江区青浦区奉贤区崇明区路号弄室",
            "\"legal_representative\",\"\"registered_capital\",\"\"establishment_date\",\"\"business_term_until\",\"\"business_scope\",\"\"entity_type\",\"",
            "\"certificate_number\",\"\"right_holder\",\"\"co_ownership\",\"\"location\",\"\"right_type\",\"\"right_nature\",\"\"usage\",\"\"unit_number\",\"\"floor_area\",\"\"land_use_until\",\"\"registration_date\",\"",
            "\"plate_number\",\"\"vin\",\"\"vehicle_type\",\"\"owner\",\"\"use_character\",\"\"model\",\"\"engine_number\",\"\"issue_date\",\"\"approved_passengers\",\"\"inspection_valid_until\",\"",
            "\"household_number\",\"\"household_type\",\"\"relationship_to_head\",\"\"birthplace\",\"\"passport_number\",\"\"surname_latin\",\"\"given_names_latin\",\"\"place_of_issue\",\"\"expiry_date\",\"",
            "\"social_security_number\",\"\"card_number\",\"\"photo_digest\",\"\"ethnicity\",\"汉\"]\"id_number\",\"310",
            "\"age_over_60\",false]\"age_over_60\",true]\"age_over_18\",false]\"age_over_18\",true]",
            "\"nationality\",\"CHN\"]\"first_issue_date\",\"20\"licence_class\",\"C1\"]\"licence_number\",\"310",
            "\"valid_from\",\"20\"valid_until\",\"长期\"]\"valid_until\",\"20\"birth_date\",\"19\"sex\",\"男\"]\"sex\",\"女\"]\"name\",\"",
            "[\u{1}\u{10},\"address\",\"上海市浦东新区",
            "\"},\"nbf\":17,\"status\":{\"status_list\":{\"idx\":,\"uri\":\"https://\"}},\"vct\":\"urn:cn-wallet:business-licence:1\"}",
            "\",\"vct\":\"urn:cn-wallet:real-estate-title:1\"}\",\"vct\":\"urn:cn-wallet:household-register:1\"}",
            "\",\"vct\":\"urn:cn-wallet:passport:1\"}\",\"vct\":\"urn:cn-wallet:social-security-card:1\"}",
            "\",\"vct\":\"urn:cn-wallet:vehicle-licence:1\"}\",\"vct\":\"urn:cn-wallet:resident-id:1\"}",
            "*{\"alg\":\"EdDSA\",\"kid\":\u{1}\u{20},\"typ\":\"dc+sd-jwt\"}",
            "{\"_sd\":[\u{1}\u{20},\u{1}\u{20},\u{1}\u{20},\u{1}\u{20},\u{2}\u{0},\u{2}\u{1},\u{2}\u{2},\u{2}\u{3},\u{1}\u{20}],",
            "\"_sd_alg\":\"sha-256\",\"cnf\":{\"jwk\":{\"crv\":\"Ed25519\",\"kty\":\"OKP\",\"x\":\u{1}\u{20}}},\"exp\":17",
            ",\"iat\":17,\"iss\":\"https://.sh.gov.cn/issuer",
            "\",\"vct\":\"urn:cn-wallet:driving-licence:1\"}@",
            "\u{1e}{\"alg\":\"EdDSA\",\"typ\":\"kb+jwt\"}G{\"aud\":\"urn:wallet:qr:offline\",\"iat\":17",
            ",\"nonce\":\u{1}\u{10},\"sd_hash\":\u{3}}@"
        )
    };
}

mod cw2;
pub use cw2::DICTIONARY_V2;
use cw2::DigestAlg;

/// The prefix of a version-1 payload. The digit is the dictionary and frame version.
pub const PREFIX_V1: &str = "CW1:";

/// The prefix of a version-2 payload, the one [`encode`] writes.
pub const PREFIX_V2: &str = "CW2:";

/// A transport version: frame layout and dictionary together.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Version {
    /// `CW1:` (docs/qr-format.md §1–§9): SHA-256 digest references, no point compression.
    V1,
    /// `CW2:` (docs/qr-format.md §10): digest references by `_sd_alg`, compressed EC points.
    V2,
}

impl Version {
    /// The payload prefix.
    pub fn prefix(self) -> &'static str {
        match self {
            Self::V1 => PREFIX_V1,
            Self::V2 => PREFIX_V2,
        }
    }

    fn dictionary(self) -> &'static [u8] {
        match self {
            Self::V1 => DICTIONARY_V1,
            Self::V2 => DICTIONARY_V2,
        }
    }
}

/// Longest QR payload accepted (characters). A version-40 QR code holds at most 4296
/// alphanumeric characters; anything longer did not come from a QR code.
pub const MAX_PAYLOAD_CHARS: usize = 4296;

/// Largest decompressed frame (bytes): a frame is never larger than the SD-JWT it encodes.
pub const MAX_FRAME_BYTES: usize = limits::MAX_TOKEN_LEN;

/// Errors of the QR transport.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TransportError {
    /// The text does not start with a known `CW<digit>:` prefix (and is not an SD-JWT either).
    #[error("not a certificate QR payload: expected the prefix CW1:")]
    NotAPayload,
    /// The prefix names a version this build does not know (e.g. `CW3:` from a newer wallet).
    #[error("unsupported QR payload version {0:?}: update the verifier app")]
    UnknownVersion(String),
    /// The payload is (decoding) or would be (encoding) longer than any QR code can hold.
    #[error("QR payload longer than {MAX_PAYLOAD_CHARS} characters")]
    PayloadTooLong,
    /// The base45 text is invalid or not in its canonical form.
    #[error("QR payload is not valid canonical base45")]
    Base45,
    /// The DEFLATE stream is corrupt, truncated, or followed by extra bytes.
    #[error("QR payload does not decompress: {0}")]
    Deflate(&'static str),
    /// The decompressed frame would exceed [`MAX_FRAME_BYTES`] (a decompression bomb).
    #[error("QR payload decompresses to more than {MAX_FRAME_BYTES} bytes")]
    TooLarge,
    /// The frame does not follow the layout of docs/qr-format.md.
    #[error("malformed QR frame: {0}")]
    MalformedFrame(&'static str),
    /// The frame decodes, but is not the one canonical encoding of its presentation.
    #[error("QR payload is not in canonical form")]
    NonCanonical,
    /// The DEFLATE stream inflates to the canonical frame but is not the stream the canonical
    /// compressor makes of it (other block types or Huffman codes, set padding bits, an empty
    /// block, a different match choice): a second spelling of the same presentation.
    #[error("QR payload is not in canonical form: its compressed stream was re-encoded")]
    NonCanonicalDeflate,
    /// The presentation cannot be carried (not a canonical SD-JWT, or control bytes in its JSON).
    #[error("presentation cannot be encoded for QR: {0}")]
    NotEncodable(&'static str),
}

impl TransportError {
    /// This error's row of the error table ([`crate::error`]): its stable code, kind and class.
    pub fn info(&self) -> &'static ErrorInfo {
        match self {
            Self::NotAPayload => &codes::QR_NOT_A_PAYLOAD,
            Self::UnknownVersion(_) => &codes::QR_UNKNOWN_VERSION,
            Self::PayloadTooLong => &codes::QR_PAYLOAD_TOO_LONG,
            Self::Base45 => &codes::QR_BASE45,
            Self::Deflate(_) => &codes::QR_DEFLATE,
            Self::TooLarge => &codes::QR_TOO_LARGE,
            Self::MalformedFrame(_) => &codes::QR_MALFORMED_FRAME,
            Self::NonCanonical => &codes::QR_NON_CANONICAL,
            Self::NonCanonicalDeflate => &codes::QR_NON_CANONICAL_DEFLATE,
            Self::NotEncodable(_) => &codes::QR_NOT_ENCODABLE,
        }
    }

    /// Stable machine-readable code (lower layers' codes pass through unchanged).
    pub fn code(&self) -> &'static str {
        self.info().code
    }
}

impl ErrorCode for TransportError {
    fn info(&self) -> &'static ErrorInfo {
        TransportError::info(self)
    }
}

/// Marker bytes inside transformed JSON. JSON text never contains raw bytes below 0x20 other than
/// whitespace (RFC 8259 §7), so these cannot collide with content.
const RAW: u8 = 0x01; // RAW len bytes…  ==  "base64url(bytes)"
const DIGEST: u8 = 0x02; // DIGEST k      ==  "digest of the k-th carried disclosure (emission order)"
const SD_HASH: u8 = 0x03; // SD_HASH       ==  "sd_hash of the rebuilt presentation"
const EC_POINT: u8 = 0x04; // EC_POINT c (33 raw bytes) == "x","y":"y" (version 2 only)

/// Lengths of string content turned into raw bytes: 22 characters (16 bytes: salts, nonces) and
/// 43 characters (32 bytes: digests, keys, thumbprints). Other lengths stay text, so that claim
/// names and values keep matching the dictionary.
const RAW_CHARS: [usize; 2] = [22, 43];

/// The version-1 preset dictionary: fragments of the transformed JSON every certificate shares,
/// least common first (DEFLATE reaches the end of the window most cheaply). Frozen: changing one
/// byte changes every payload, so a change needs a new version prefix. A test pins its SHA-256.
pub const DICTIONARY_V1: &[u8] = dictionary_v1!().as_bytes();

/// Encodes a presentation (`<jwt>~<d>~…~[<kb-jwt>]`) as a QR payload of the current version
/// (`CW2:`). A payload longer than [`MAX_PAYLOAD_CHARS`] is refused
/// ([`TransportError::PayloadTooLong`]): no QR code holds it, and [`decode`] would refuse it, so
/// whatever `encode` returns decodes.
pub fn encode(presentation: &str) -> Result<String, TransportError> {
    encode_version(presentation, Version::V2)
}

/// Encodes a presentation in the given transport version: [`encode`] for version 2; version 1
/// for test corpora and for showing a code to a verifier that predates version 2.
pub fn encode_version(presentation: &str, version: Version) -> Result<String, TransportError> {
    let packed = pack(&build_frame(presentation, version)?, version)?;
    let prefix = version.prefix();
    let mut out =
        String::with_capacity(prefix.len().saturating_add(packed.len().saturating_mul(2)));
    out.push_str(prefix);
    out.push_str(&base45::encode(&packed));
    if out.len() > MAX_PAYLOAD_CHARS {
        return Err(TransportError::PayloadTooLong);
    }
    Ok(out)
}

/// Decodes a version-1 or version-2 QR payload back to the exact presentation string it was made
/// from.
/// Refuses unknown versions, non-canonical base45, corrupt or oversized DEFLATE streams, frames
/// that do not follow the layout, any frame other than the canonical one, and any DEFLATE
/// stream other than the canonical compressor's: a decoded payload always equals
/// `encode(decoded)`.
pub fn decode(payload: &str) -> Result<String, TransportError> {
    if payload.len() > MAX_PAYLOAD_CHARS {
        return Err(TransportError::PayloadTooLong);
    }
    let (version, body) = if let Some(body) = payload.strip_prefix(PREFIX_V2) {
        (Version::V2, body)
    } else if let Some(body) = payload.strip_prefix(PREFIX_V1) {
        (Version::V1, body)
    } else {
        return Err(version_error(payload));
    };
    // Canonical base45 only (no lenient alternative spellings): the decoder refuses every
    // text that is not the encoding of its bytes.
    let packed = crate::encoding::base45::decode(body).map_err(|_| TransportError::Base45)?;
    let mut r = Reader {
        bytes: &packed,
        pos: 0,
    };
    let compressed_len = r.varint()?;
    let compressed = r.take(compressed_len)?;
    let frame = Frame {
        structure: inflate(compressed, version)?,
        raw: packed.get(r.pos..).unwrap_or_default().to_vec(),
    };
    let (presentation, collected) = read_frame(&frame, version)?;
    // Exactly one spelling: the frame must be the one the encoder builds, the length prefix
    // minimal, and the DEFLATE stream the one our (deterministic) compressor makes of the
    // structure. DEFLATE alone admits many streams for one input (stored or fixed-Huffman
    // blocks, other matches, ignored padding bits after the last block), so without the last
    // check one presentation would have many payloads, and a replay cache or a log keyed on the
    // payload text could be sidestepped by re-spelling it. Together with the base45 check
    // above, this makes the payload equal to `encode(presentation)`.
    let mut prefix = Vec::with_capacity(3);
    push_varint(&mut prefix, compressed_len);
    if rebuild_frame(&presentation, collected, version)? != frame
        || packed.get(..prefix.len()) != Some(prefix.as_slice())
    {
        return Err(TransportError::NonCanonical);
    }
    if deflate(&frame.structure, version).map_err(|_| TransportError::NonCanonicalDeflate)?
        != compressed
    {
        return Err(TransportError::NonCanonicalDeflate);
    }
    Ok(presentation)
}

/// Whether `text` looks like a QR transport payload (any version), as opposed to a plain SD-JWT.
pub fn is_payload(text: &str) -> bool {
    let b = text.as_bytes();
    matches!(b, [b'C', b'W', d, b':', ..] if d.is_ascii_digit())
}

/// Longest text [`clean_pasted`] looks at: twice the longest payload or token, so that pasting
/// noise (a line break every few characters) still fits, while anything longer is refused
/// before a single copy is made.
pub const MAX_PASTED_CHARS: usize = 2 * limits::MAX_TOKEN_LEN;

/// Characters that chat apps, mail clients and word processors put into copied text and that
/// never belong to a payload or an SD-JWT: line breaks and other white space (tab, the no-break
/// spaces U+00A0 and U+202F…) and the zero-width U+200B, U+200C, U+200D, U+2060 and U+FEFF.
fn is_paste_noise(c: char) -> bool {
    c.is_whitespace() || matches!(c, '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}')
}

/// Whether `text` is exactly what a verifier can take: a `CW1:` or `CW2:` payload that decodes
/// (and so is the canonical encoding of its presentation), or text in the SD-JWT alphabet that
/// splits into an SD-JWT's parts.
fn is_canonical_input(text: &str) -> bool {
    if is_payload(text) {
        return decode(text).is_ok();
    }
    !text.is_empty()
        && text.contains('~')
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~'))
        && SdJwtParts::split(text).is_ok()
}

/// Undoes what pasting through a chat app does to a `CW1:` payload or an SD-JWT string: line
/// breaks, surrounding white space, no-break and zero-width characters around or inside it.
/// Returns the text a verifier should take — `text` itself when it is already canonical, else
/// the first cleaned variant that is a canonical payload or a well-formed SD-JWT — or `None`
/// when no variant is, so that the caller reports the error of the text as given. A cleaned
/// variant is only ever accepted when it decodes canonically: cleaning never makes a
/// non-canonical payload acceptable, it only removes characters that cannot be part of one.
///
/// Base45 has an ordinary space in its alphabet, so inside a `CW1:` payload ASCII spaces are
/// kept in the first variants tried (no-break spaces are tried as spaces, then as noise); an
/// SD-JWT has no space in its alphabet, so every white-space or zero-width character goes.
pub fn clean_pasted(text: &str) -> Option<String> {
    if text.len() > MAX_PASTED_CHARS {
        return None;
    }
    if is_canonical_input(text) {
        return Some(text.to_owned());
    }
    let trimmed = text.trim_matches(is_paste_noise);
    let line_noise = |c: char| {
        matches!(c, '\r' | '\n' | '\u{2028}' | '\u{2029}')
            || (is_paste_noise(c) && !c.is_whitespace())
    };
    let no_breaks: String = trimmed.chars().filter(|c| !line_noise(*c)).collect();
    let nbsp_as_space: String = no_breaks
        .chars()
        .map(|c| {
            if matches!(c, '\u{00A0}' | '\u{202F}') {
                ' '
            } else {
                c
            }
        })
        .collect();
    let no_nbsp: String = no_breaks
        .chars()
        .filter(|c| !matches!(c, '\u{00A0}' | '\u{202F}'))
        .collect();
    let bare: String = trimmed.chars().filter(|c| !is_paste_noise(*c)).collect();
    [trimmed.to_owned(), no_breaks, nbsp_as_space, no_nbsp, bare]
        .into_iter()
        .find(|candidate| is_canonical_input(candidate))
}

/// The text to verify from what was scanned or pasted: [`clean_pasted`]'s result, or the text
/// with surrounding white space trimmed when nothing cleaner is canonical (its own error is
/// then reported).
pub fn normalize_input(text: &str) -> String {
    clean_pasted(text).unwrap_or_else(|| text.trim().to_owned())
}

fn version_error(payload: &str) -> TransportError {
    if is_payload(payload) {
        TransportError::UnknownVersion(payload.chars().take(4).collect())
    } else {
        TransportError::NotAPayload
    }
}

// One compressor and one decompressor per thread, reset for each frame: setting up a zlib
// stream allocates and clears some 300 KB of window and hash tables, which cost more than
// compressing a kilobyte-sized frame (a verifier decodes every scan, and re-compresses it to
// check the stream is canonical). A reset stream with the dictionary set again is in the state
// of a new one, so the bytes are the same (the transport vectors pin them).
thread_local! {
    static COMPRESSOR: std::cell::RefCell<Option<Compress>> = const { std::cell::RefCell::new(None) };
    static DECOMPRESSOR: std::cell::RefCell<Option<Decompress>> = const { std::cell::RefCell::new(None) };
}

/// Runs `f` on this thread's stream in `key` — made by `fresh` the first time, `reset` after —
/// or on a stream of its own when the thread's is in use (a re-entrant call; none exists) or
/// already destroyed (a call from a thread-local destructor of the host). A stream that `f`
/// failed with is dropped, never reused half-way through a frame.
fn with_stream<S: 'static, T>(
    key: &'static std::thread::LocalKey<std::cell::RefCell<Option<S>>>,
    fresh: impl FnOnce() -> S,
    reset: impl FnOnce(&mut S),
    f: impl FnOnce(&mut S) -> Result<T, TransportError>,
) -> Result<T, TransportError> {
    let run = |slot: &mut Option<S>| {
        let stream = match slot {
            Some(stream) => {
                reset(stream);
                stream
            }
            None => slot.insert(fresh()),
        };
        let result = f(stream);
        if result.is_err() {
            *slot = None;
        }
        result
    };
    let mut run = Some(run);
    let kept = key.try_with(|cell| {
        let mut borrowed = cell.try_borrow_mut().ok()?;
        run.take().map(|run| run(&mut borrowed))
    });
    match (kept, run) {
        (Ok(Some(result)), _) => result,
        (_, Some(run)) => run(&mut None),
        // `run` was taken only where its result is returned above.
        (_, None) => Err(TransportError::NotEncodable(
            "compression stream unavailable",
        )),
    }
}

fn deflate(frame: &[u8], version: Version) -> Result<Vec<u8>, TransportError> {
    with_stream(
        &COMPRESSOR,
        || Compress::new(Compression::best(), false),
        Compress::reset,
        |c| {
            c.set_dictionary(version.dictionary())
                .map_err(|_| TransportError::NotEncodable("compressor rejected the dictionary"))?;
            let mut out = Vec::with_capacity(frame.len().saturating_add(64));
            match c.compress_vec(frame, &mut out, FlushCompress::Finish) {
                Ok(Status::StreamEnd) => Ok(out),
                _ => Err(TransportError::NotEncodable("compression did not finish")),
            }
        },
    )
}

fn inflate(compressed: &[u8], version: Version) -> Result<Vec<u8>, TransportError> {
    with_stream(
        &DECOMPRESSOR,
        || Decompress::new(false),
        |d| d.reset(false),
        |d| inflate_with(d, compressed, version),
    )
}

fn inflate_with(
    d: &mut Decompress,
    compressed: &[u8],
    version: Version,
) -> Result<Vec<u8>, TransportError> {
    d.set_dictionary(version.dictionary())
        .map_err(|_| TransportError::Deflate("dictionary rejected"))?;
    // A fixed buffer one byte larger than the cap: inflating never allocates beyond it, and a
    // full buffer means the stream wanted more than the cap (a bomb).
    let mut out = Vec::with_capacity(MAX_FRAME_BYTES.saturating_add(1));
    let status = d
        .decompress_vec(compressed, &mut out, FlushDecompress::Finish)
        .map_err(|_| TransportError::Deflate("corrupt stream"))?;
    if out.len() > MAX_FRAME_BYTES {
        return Err(TransportError::TooLarge);
    }
    if status != Status::StreamEnd {
        return Err(TransportError::Deflate("truncated stream"));
    }
    if usize::try_from(d.total_in()).ok() != Some(compressed.len()) {
        return Err(TransportError::Deflate("bytes after the end of the stream"));
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// Frame building (encoder side; also used by the decoder for the canonical check)

/// A frame in its two streams: the structure (JSON skeleton, markers, lengths), which DEFLATE
/// compresses well, and the raw bytes (signatures, keys, salts, digests, nonces), which are
/// random and would only be made larger by Huffman codes shared with text.
#[derive(Debug, Default, PartialEq, Eq)]
struct Frame {
    structure: Vec<u8>,
    raw: Vec<u8>,
}

fn push_varint(out: &mut Vec<u8>, mut v: usize) {
    loop {
        let byte = u8::try_from(v & 0x7f).unwrap_or_default();
        v >>= 7;
        if v == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

fn decode_b64(part: &str) -> Result<Vec<u8>, TransportError> {
    b64_decode(part).map_err(|_| TransportError::NotEncodable("a part is not canonical base64url"))
}

/// Context for transforming one JSON text.
struct Known<'a, D> {
    /// Digests of disclosures already emitted, in emission order.
    digests: &'a [D],
    /// The presentation's `sd_hash`, when transforming the KB-JWT payload.
    sd_hash: Option<&'a str>,
    /// Whether EC points are compressed (version 2).
    ec_points: bool,
}

impl Frame {
    /// A JSON text: its length in the structure, then the text with eligible string literals
    /// replaced by markers (docs/qr-format.md §3).
    fn push_json<D: AsRef<str>>(
        &mut self,
        json: &[u8],
        known: &Known<'_, D>,
    ) -> Result<(), TransportError> {
        if json
            .iter()
            .any(|&b| b == RAW || b == DIGEST || b == SD_HASH || (known.ec_points && b == EC_POINT))
        {
            return Err(TransportError::NotEncodable("control bytes in JSON text"));
        }
        let mut text = Vec::with_capacity(json.len());
        let mut i = 0usize;
        while let Some(&b) = json.get(i) {
            if b != b'"' {
                text.push(b);
                i = i.saturating_add(1);
                continue;
            }
            // Find the closing quote, honouring backslash escapes.
            let start = i.saturating_add(1);
            let mut j = start;
            let mut escaped = false;
            loop {
                match json.get(j) {
                    None => return Err(TransportError::NotEncodable("unterminated JSON string")),
                    Some(b'\\') if !escaped => escaped = true,
                    Some(b'"') if !escaped => break,
                    Some(_) => escaped = false,
                }
                j = j.saturating_add(1);
            }
            let content = json.get(start..j).unwrap_or_default();
            i = j.saturating_add(1);
            if known.ec_points
                && let Some((curve, sec1, consumed)) =
                    cw2::compress_point(content, json.get(i..).unwrap_or_default())
            {
                text.push(EC_POINT);
                text.push(curve);
                self.raw.extend_from_slice(&sec1);
                i = i.saturating_add(consumed);
                continue;
            }
            self.emit_string(&mut text, content, known);
        }
        push_varint(&mut self.structure, text.len());
        self.structure.extend_from_slice(&text);
        Ok(())
    }

    fn emit_string<D: AsRef<str>>(
        &mut self,
        text: &mut Vec<u8>,
        content: &[u8],
        known: &Known<'_, D>,
    ) {
        let is_b64 = RAW_CHARS.contains(&content.len())
            && content
                .iter()
                .all(|c| c.is_ascii_alphanumeric() || *c == b'-' || *c == b'_');
        if is_b64 {
            let s = std::str::from_utf8(content).unwrap_or_default();
            if known.sd_hash == Some(s) {
                text.push(SD_HASH);
                return;
            }
            if let Some(k) = known.digests.iter().position(|d| d.as_ref() == s)
                && let Ok(k) = u8::try_from(k)
            {
                text.push(DIGEST);
                text.push(k);
                return;
            }
            if let Ok(raw) = b64_decode(s)
                && let Ok(len) = u8::try_from(raw.len())
            {
                text.push(RAW);
                text.push(len);
                self.raw.extend_from_slice(&raw);
                return;
            }
        }
        text.push(b'"');
        text.extend_from_slice(content);
        text.push(b'"');
    }

    /// Opaque bytes (a signature): length in the structure, bytes in the raw stream.
    fn push_bytes(&mut self, bytes: &[u8]) {
        push_varint(&mut self.structure, bytes.len());
        self.raw.extend_from_slice(bytes);
    }
}

/// What a frame is built from: a presentation's parts, decoded. [`collect`] gathers them from a
/// presentation string; the decoder gathers the same from the frame it has just read
/// ([`read_frame`]), so that its canonical check does not decode and hash again what it has
/// just encoded and hashed. Each later part keeps its own result, so that [`emit`] reports the
/// first problem in the order the frame is written, whichever way the parts were gathered.
struct Collected {
    /// The digest algorithm of the frame's flags.
    alg: DigestAlg,
    /// Each disclosure's decoded JSON and its digest under `alg` (empty when `alg` has none),
    /// in presentation order.
    disclosures: Vec<(Vec<u8>, String)>,
    header: Result<Vec<u8>, TransportError>,
    payload: Vec<u8>,
    signature: Result<Vec<u8>, TransportError>,
    kb: Option<Result<CollectedKb, TransportError>>,
}

/// The KB-JWT's parts, decoded, and the presentation's `sd_hash`.
struct CollectedKb {
    header: Result<Vec<u8>, TransportError>,
    payload: Result<Vec<u8>, TransportError>,
    signature: Result<Vec<u8>, TransportError>,
    sd_hash: Option<String>,
}

/// The canonical frame of a presentation in the given version.
fn build_frame(presentation: &str, version: Version) -> Result<Frame, TransportError> {
    emit(collect(presentation, version)?, version)
}

/// A presentation's parts, decoded and checked as far as the frame needs them.
fn collect(presentation: &str, version: Version) -> Result<Collected, TransportError> {
    let parts = SdJwtParts::split(presentation)
        .map_err(|_| TransportError::NotEncodable("not an SD-JWT"))?;
    let mut jwt = parts.jwt.split('.');
    let (Some(h), Some(p), Some(s), None) = (jwt.next(), jwt.next(), jwt.next(), jwt.next()) else {
        return Err(TransportError::NotEncodable(
            "issuer JWT is not a compact JWS",
        ));
    };
    let payload = decode_b64(p)?;
    // Version 1 assumed SHA-256 whatever `_sd_alg` said; version 2 follows it.
    let alg = match version {
        Version::V1 => DigestAlg::Sha256,
        Version::V2 => DigestAlg::of_payload(&payload),
    };
    let mut disclosures = Vec::with_capacity(parts.disclosures.len());
    for d in &parts.disclosures {
        // `Disclosure::parse`'s decision, without building the disclosure.
        let json = b64_decode(d)
            .ok()
            .filter(|json| Disclosure::check_json(json).is_ok())
            .ok_or(TransportError::NotEncodable("malformed disclosure"))?;
        // With no digest algorithm no digest is referenced: the empty string matches no literal
        // that `emit_string` would replace (22 or 43 characters).
        let digest = alg.digest_b64(d.as_bytes()).unwrap_or_default();
        disclosures.push((json, digest));
    }
    let kb = parts.kb_jwt.map(|kb| {
        let mut kb_parts = kb.split('.');
        let (Some(kh), Some(kp), Some(ks), None) = (
            kb_parts.next(),
            kb_parts.next(),
            kb_parts.next(),
            kb_parts.next(),
        ) else {
            return Err(TransportError::NotEncodable("KB-JWT is not a compact JWS"));
        };
        Ok(CollectedKb {
            header: decode_b64(kh),
            payload: decode_b64(kp),
            signature: decode_b64(ks),
            sd_hash: alg.digest_b64(parts.without_kb.as_bytes()),
        })
    });
    Ok(Collected {
        alg,
        disclosures,
        header: decode_b64(h),
        payload,
        signature: decode_b64(s),
        kb,
    })
}

/// The frame of collected parts (docs/qr-format.md §2–§4).
fn emit(collected: Collected, version: Version) -> Result<Frame, TransportError> {
    let Collected {
        alg,
        disclosures,
        header,
        payload,
        signature,
        kb,
    } = collected;
    // Which carried disclosures each disclosure references (nested claims): found by looking up
    // every 43-character string literal among the digests, linear in the input size.
    let index: std::collections::HashMap<&str, usize> = disclosures
        .iter()
        .enumerate()
        .filter(|(_, (_, digest))| !digest.is_empty())
        .map(|(i, (_, digest))| (digest.as_str(), i))
        .collect();
    let deps: Vec<Vec<usize>> = disclosures
        .iter()
        .map(|(json, _)| {
            json.split(|&b| b == b'"')
                .filter(|piece| piece.len() == 43)
                .filter_map(|piece| {
                    std::str::from_utf8(piece)
                        .ok()
                        .and_then(|t| index.get(t).copied())
                })
                .collect()
        })
        .collect();
    let mut frame = Frame::default();
    // Version 2 keeps the digest algorithm in bits 1–2 of the flags (0 for sha-256, so an
    // Ed25519/sha-256 frame starts as in version 1).
    frame
        .structure
        .push(u8::from(kb.is_some()) | alg.bits() << 1);
    let ec_points = version == Version::V2;
    push_varint(&mut frame.structure, disclosures.len());
    // Emission order: repeatedly the lowest original index whose referenced disclosures are all
    // emitted, so the decoder can always expand DIGEST markers from what it already has.
    let mut done = vec![false; disclosures.len()];
    let mut emitted: Vec<&str> = Vec::with_capacity(disclosures.len());
    while emitted.len() < disclosures.len() {
        let ready = |i: usize| {
            !done.get(i).copied().unwrap_or(true)
                && deps.get(i).is_some_and(|d| {
                    d.iter()
                        .all(|&j| j == i || done.get(j).copied().unwrap_or(false))
                })
        };
        let Some(i) = (0..disclosures.len()).find(|&i| ready(i)) else {
            return Err(TransportError::NotEncodable(
                "disclosures reference each other in a cycle",
            ));
        };
        let (json, digest) = disclosures
            .get(i)
            .ok_or(TransportError::NotEncodable("disclosure index"))?;
        push_varint(&mut frame.structure, i);
        frame.push_json(
            json,
            &Known {
                digests: &emitted,
                sd_hash: None,
                ec_points,
            },
        )?;
        if let Some(flag) = done.get_mut(i) {
            *flag = true;
        }
        emitted.push(digest);
    }
    let known = Known {
        digests: &emitted,
        sd_hash: None,
        ec_points,
    };
    frame.push_json(&header?, &known)?;
    frame.push_json(&payload, &known)?;
    frame.push_bytes(&signature?);
    if let Some(kb) = kb {
        let kb = kb?;
        let kb_known: Known<'_, &str> = Known {
            digests: &[],
            sd_hash: kb.sd_hash.as_deref(),
            ec_points,
        };
        frame.push_json(&kb.header?, &kb_known)?;
        frame.push_json(&kb.payload?, &kb_known)?;
        frame.push_bytes(&kb.signature?);
    }
    Ok(frame)
}

/// The bytes under base45: varint(length of the compressed structure) ‖ DEFLATE(structure) ‖ raw.
fn pack(frame: &Frame, version: Version) -> Result<Vec<u8>, TransportError> {
    let compressed = deflate(&frame.structure, version)?;
    let mut out = Vec::with_capacity(
        compressed
            .len()
            .saturating_add(frame.raw.len())
            .saturating_add(3),
    );
    push_varint(&mut out, compressed.len());
    out.extend_from_slice(&compressed);
    out.extend_from_slice(&frame.raw);
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// Frame reading (decoder side)

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn byte(&mut self) -> Result<u8, TransportError> {
        let b = *self
            .bytes
            .get(self.pos)
            .ok_or(TransportError::MalformedFrame("truncated"))?;
        self.pos = self.pos.saturating_add(1);
        Ok(b)
    }
    fn take(&mut self, len: usize) -> Result<&'a [u8], TransportError> {
        let end = self
            .pos
            .checked_add(len)
            .ok_or(TransportError::MalformedFrame("length overflow"))?;
        let slice = self
            .bytes
            .get(self.pos..end)
            .ok_or(TransportError::MalformedFrame("truncated part"))?;
        self.pos = end;
        Ok(slice)
    }
    fn varint(&mut self) -> Result<usize, TransportError> {
        let mut value = 0usize;
        for shift in [0u32, 7, 14] {
            let b = self.byte()?;
            value |= usize::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(TransportError::MalformedFrame("length too large"))
    }
    fn done(&self) -> bool {
        self.pos >= self.bytes.len()
    }
}

/// Reads one JSON text from the structure, expanding markers (RAW bytes come from `raw`).
fn read_json(
    s: &mut Reader<'_>,
    raw: &mut Reader<'_>,
    known: &Known<'_, String>,
) -> Result<Vec<u8>, TransportError> {
    let (digests, sd_hash) = (known.digests, known.sd_hash);
    let len = s.varint()?;
    let text = s.take(len)?;
    let mut t = Reader {
        bytes: text,
        pos: 0,
    };
    let mut out = Vec::with_capacity(len.saturating_mul(2));
    while !t.done() {
        match t.byte()? {
            RAW => {
                let n = usize::from(t.byte()?);
                out.push(b'"');
                out.extend_from_slice(b64_encode(raw.take(n)?).as_bytes());
                out.push(b'"');
            }
            DIGEST => {
                let k = usize::from(t.byte()?);
                let digest = digests.get(k).ok_or(TransportError::MalformedFrame(
                    "digest reference out of range",
                ))?;
                out.push(b'"');
                out.extend_from_slice(digest.as_bytes());
                out.push(b'"');
            }
            SD_HASH => {
                let hash = sd_hash.ok_or(TransportError::MalformedFrame(
                    "sd_hash marker outside the KB-JWT",
                ))?;
                out.push(b'"');
                out.extend_from_slice(hash.as_bytes());
                out.push(b'"');
            }
            EC_POINT if known.ec_points => {
                let curve = t.byte()?;
                let text = cw2::expand_point(curve, raw.take(cw2::COMPRESSED_LEN)?).ok_or(
                    TransportError::MalformedFrame("invalid compressed EC point"),
                )?;
                out.extend_from_slice(&text);
            }
            other => out.push(other),
        }
    }
    Ok(out)
}

fn read_bytes<'a>(s: &mut Reader<'_>, raw: &mut Reader<'a>) -> Result<&'a [u8], TransportError> {
    let len = s.varint()?;
    raw.take(len)
}

/// The presentation a frame encodes, and its parts as [`collect`] would gather them from it.
fn read_frame(frame: &Frame, version: Version) -> Result<(String, Collected), TransportError> {
    let mut s = Reader {
        bytes: &frame.structure,
        pos: 0,
    };
    let mut raw = Reader {
        bytes: &frame.raw,
        pos: 0,
    };
    let flags = s.byte()?;
    let ec_points = version == Version::V2;
    let alg = match version {
        Version::V1 => (flags >> 1 == 0).then_some(DigestAlg::Sha256),
        Version::V2 => DigestAlg::from_bits(flags >> 1),
    }
    .ok_or(TransportError::MalformedFrame("unknown flags"))?;
    let n = s.varint()?;
    if n > limits::MAX_DISCLOSURES {
        return Err(TransportError::MalformedFrame("too many disclosures"));
    }
    // Per position: the encoded disclosure, its JSON and its digest.
    let mut by_position: Vec<Option<(String, Vec<u8>, String)>> = vec![None; n];
    let mut digests: Vec<String> = Vec::with_capacity(n);
    for _ in 0..n {
        let position = s.varint()?;
        let known = Known {
            digests: &digests,
            sd_hash: None,
            ec_points,
        };
        let json = read_json(&mut s, &mut raw, &known)?;
        let encoded = b64_encode(&json);
        let digest = alg.digest_b64(encoded.as_bytes());
        if let Some(digest) = &digest {
            digests.push(digest.clone());
        }
        let slot = by_position
            .get_mut(position)
            .ok_or(TransportError::MalformedFrame(
                "disclosure position out of range",
            ))?;
        if slot
            .replace((encoded, json, digest.unwrap_or_default()))
            .is_some()
        {
            return Err(TransportError::MalformedFrame(
                "disclosure position repeated",
            ));
        }
    }
    let known = Known {
        digests: &digests,
        sd_hash: None,
        ec_points,
    };
    let header = read_json(&mut s, &mut raw, &known)?;
    let payload = read_json(&mut s, &mut raw, &known)?;
    let signature = read_bytes(&mut s, &mut raw)?;
    let mut out = b64_encode(&header);
    out.push('.');
    out.push_str(&b64_encode(&payload));
    out.push('.');
    out.push_str(&b64_encode(signature));
    out.push('~');
    let mut disclosures = Vec::with_capacity(n);
    for d in by_position {
        let (encoded, json, digest) = d.ok_or(TransportError::MalformedFrame(
            "missing disclosure position",
        ))?;
        out.push_str(&encoded);
        out.push('~');
        disclosures.push((json, digest));
    }
    let mut kb = None;
    if flags & 1 == 1 {
        let sd_hash = alg.digest_b64(out.as_bytes());
        let kb_known = Known {
            digests: &[],
            sd_hash: sd_hash.as_deref(),
            ec_points,
        };
        let kb_header = read_json(&mut s, &mut raw, &kb_known)?;
        let kb_payload = read_json(&mut s, &mut raw, &kb_known)?;
        let kb_sig = read_bytes(&mut s, &mut raw)?;
        out.push_str(&b64_encode(&kb_header));
        out.push('.');
        out.push_str(&b64_encode(&kb_payload));
        out.push('.');
        out.push_str(&b64_encode(kb_sig));
        kb = Some(Ok(CollectedKb {
            header: Ok(kb_header),
            payload: Ok(kb_payload),
            signature: Ok(kb_sig.to_vec()),
            sd_hash,
        }));
    }
    if !s.done() || !raw.done() {
        return Err(TransportError::MalformedFrame("trailing bytes"));
    }
    if out.len() > limits::MAX_TOKEN_LEN {
        return Err(TransportError::TooLarge);
    }
    let collected = Collected {
        alg,
        disclosures,
        header: Ok(header),
        payload,
        signature: Ok(signature.to_vec()),
        kb,
    };
    Ok((out, collected))
}

/// `build_frame(presentation)` for a presentation [`read_frame`] has just read, from the parts it
/// gathered: the same checks in the same order, without decoding and hashing its parts again.
/// Where the parts could differ from what [`collect`] would gather (the payload names another
/// digest algorithm than the frame's flags, say), the frame is built from the string instead.
fn rebuild_frame(
    presentation: &str,
    collected: Collected,
    version: Version,
) -> Result<Frame, TransportError> {
    let parts = SdJwtParts::split(presentation)
        .map_err(|_| TransportError::NotEncodable("not an SD-JWT"))?;
    let alg = match version {
        Version::V1 => DigestAlg::Sha256,
        Version::V2 => DigestAlg::of_payload(&collected.payload),
    };
    if alg != collected.alg
        || parts.disclosures.len() != collected.disclosures.len()
        || parts.kb_jwt.is_some() != collected.kb.is_some()
    {
        return build_frame(presentation, version);
    }
    for (json, _) in &collected.disclosures {
        Disclosure::check_json(json)
            .map_err(|_| TransportError::NotEncodable("malformed disclosure"))?;
    }
    emit(collected, version)
}

/// The two frame streams (structure before compression, raw bytes) of a presentation in
/// version 1, for the version-1 test vectors and for implementers comparing their frame builder
/// with ours; [`frame_streams_version`] for another version.
pub fn frame_streams(presentation: &str) -> Result<(Vec<u8>, Vec<u8>), TransportError> {
    frame_streams_version(presentation, Version::V1)
}

/// The two frame streams of a presentation in the given version.
pub fn frame_streams_version(
    presentation: &str,
    version: Version,
) -> Result<(Vec<u8>, Vec<u8>), TransportError> {
    build_frame(presentation, version).map(|f| (f.structure, f.raw))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Presentations of the vectors: the version-1 QR payload vectors' and the algorithm
    /// vectors' (P-256 and SM2 points, `sm3` digests).
    fn presentations() -> Vec<String> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../test-vectors");
        let read = |path: std::path::PathBuf| -> serde_json::Value {
            serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
        };
        let mut out: Vec<String> = read(root.join("qr/payloads.json"))["cases"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["presentation"].as_str().unwrap().to_owned())
            .collect();
        for entry in std::fs::read_dir(root.join("algorithms")).unwrap() {
            let path = entry.unwrap().path();
            if path
                .file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("valid-")
            {
                out.push(read(path)["presentation"].as_str().unwrap().to_owned());
            }
        }
        assert!(out.len() > 20, "{} presentations", out.len());
        out
    }

    /// Each presentation, the same without its KB-JWT, and with its payload's `_sd_alg` set to
    /// `sm3`, to `sha-512` (no digest algorithm of the transport) and removed: frames whose
    /// flags and payload disagree on the digest algorithm, and frames with no KB-JWT.
    fn variants(presentation: &str) -> Vec<String> {
        let without_kb = presentation
            .get(..=presentation.rfind('~').unwrap())
            .unwrap()
            .to_owned();
        let mut out = vec![presentation.to_owned(), without_kb];
        let (jwt, rest) = presentation.split_once('~').unwrap();
        let mut parts = jwt.split('.');
        let (h, p, sig) = (
            parts.next().unwrap(),
            parts.next().unwrap(),
            parts.next().unwrap(),
        );
        let payload: serde_json::Value = serde_json::from_slice(&b64_decode(p).unwrap()).unwrap();
        for alg in [Some("sm3"), Some("sha-512"), None] {
            let mut changed = payload.clone();
            let object = changed.as_object_mut().unwrap();
            match alg {
                Some(alg) => object.insert("_sd_alg".into(), alg.into()),
                None => object.remove("_sd_alg"),
            };
            let p = b64_encode(serde_json::to_vec(&changed).unwrap());
            out.push(format!("{h}.{p}.{sig}~{rest}"));
        }
        out
    }

    /// The decoder's canonical check rebuilds the frame from the parts it has just read
    /// (`rebuild_frame`) instead of from the presentation string (`build_frame`): both must give
    /// the same result — the same frame or the same error — for every frame the reader accepts.
    /// Frames here are built from the vectors' presentations and their `variants` (no KB-JWT,
    /// another `_sd_alg`), then given every digest algorithm in the flags (the fallback to
    /// building from the string) or mutated: bytes of the structure replaced by markers, quotes,
    /// digits or random values, and raw bytes flipped.
    #[test]
    fn rebuilding_from_the_read_parts_equals_building_from_the_string() {
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let (mut read, mut equal_frames, mut other_alg, mut without_kb) = (0, 0, 0, 0);
        for presentation in presentations().iter().flat_map(|p| variants(p)) {
            for version in [Version::V1, Version::V2] {
                let Ok(frame) = build_frame(&presentation, version) else {
                    continue;
                };
                for round in 0..250 {
                    let mut mutated = Frame {
                        structure: frame.structure.clone(),
                        raw: frame.raw.clone(),
                    };
                    if (1..4).contains(&round) {
                        // The other digest algorithms in the flags, the KB-JWT bit kept.
                        if let Some(flags) = mutated.structure.first_mut() {
                            let shift = u8::try_from(round).unwrap();
                            *flags = (*flags & 1) | (((*flags >> 1) + shift) % 4) << 1;
                        }
                    } else if round > 0 {
                        for _ in 0..=(next() % 3) {
                            let choice = next();
                            let len = mutated.structure.len().max(1);
                            let at = usize::try_from(next()).unwrap() % len;
                            let byte = match choice % 8 {
                                0 => RAW,
                                1 => DIGEST,
                                2 => SD_HASH,
                                3 => EC_POINT,
                                4 => b'"',
                                5 => b'0' + u8::try_from(choice % 10).unwrap(),
                                6 => {
                                    let at =
                                        usize::try_from(next()).unwrap() % mutated.raw.len().max(1);
                                    if let Some(b) = mutated.raw.get_mut(at) {
                                        *b ^= 1;
                                    }
                                    continue;
                                }
                                _ => u8::try_from(choice >> 56).unwrap(),
                            };
                            if let Some(b) = mutated.structure.get_mut(at) {
                                *b = byte;
                            }
                        }
                    }
                    let Ok((text, collected)) = read_frame(&mutated, version) else {
                        continue;
                    };
                    read += 1;
                    let payload_alg = match version {
                        Version::V1 => DigestAlg::Sha256,
                        Version::V2 => DigestAlg::of_payload(&collected.payload),
                    };
                    other_alg += usize::from(payload_alg != collected.alg);
                    without_kb += usize::from(collected.kb.is_none());
                    let fast = rebuild_frame(&text, collected, version);
                    let slow = build_frame(&text, version);
                    assert_eq!(fast, slow, "round {round} of {presentation}");
                    if fast.as_ref() == Ok(&mutated) {
                        equal_frames += 1;
                    }
                }
            }
        }
        // Most mutations are refused by the reader; enough must be read, and the unmutated
        // frames must be canonical.
        assert!(read > 2_000, "{read} frames read");
        assert!(equal_frames >= 40, "{equal_frames} canonical frames");
        // The fallback (flags and payload disagree) and frames without a KB-JWT were reached.
        assert!(
            other_alg > 100,
            "{other_alg} frames with another digest algorithm"
        );
        assert!(without_kb > 1_000, "{without_kb} frames without a KB-JWT");
    }
}
