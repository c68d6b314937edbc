//! Base45 decoding (RFC 9285) that accepts the canonical text only, in one pass: the QR
//! transport's inner encoding is read once per scan, and re-encoding the result to compare it
//! with the input (the check this replaces) cost as much as the decoding itself.
//!
//! RFC 9285 §4: every two bytes become three characters `c d e` with `n = c + 45·d + 45²·e`, a
//! trailing byte two characters `c d` with `n = c + 45·d`; §6 requires refusing a triple above
//! 65535 (and a pair above 255 cannot come from one byte). With those refused, every accepted
//! text is the encoding of its bytes — exactly one spelling per byte string — so no
//! re-encoding is needed to pin it. Encoding stays with the `base45` crate.

/// Why a text is not canonical base45.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct NotBase45;

/// The value of each alphabet character (RFC 9285 §4, table 1), 0xFF for others. Built at
/// compile time: the indices are a byte and a position below 45, so neither can be out of range.
#[allow(
    clippy::indexing_slicing,
    clippy::cast_possible_truncation,
    clippy::arithmetic_side_effects
)]
const VALUES: [u8; 256] = {
    let alphabet = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
    let mut table = [0xFFu8; 256];
    let mut i = 0;
    while i < alphabet.len() {
        table[alphabet[i] as usize] = i as u8;
        i += 1;
    }
    table
};

fn value(c: u8) -> Result<u32, NotBase45> {
    match VALUES.get(usize::from(c)) {
        Some(&v) if v != 0xFF => Ok(u32::from(v)),
        _ => Err(NotBase45),
    }
}

/// Decodes `text`, refusing characters outside the alphabet, a length of 3k+1, a triple above
/// 65535 and a final pair above 255.
// Character values are below 45, so a triple is below 45³ = 91,125: no sum can overflow.
#[allow(clippy::arithmetic_side_effects)]
pub(crate) fn decode(text: &str) -> Result<Vec<u8>, NotBase45> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity((bytes.len() / 3).saturating_mul(2).saturating_add(1));
    let mut chunks = bytes.chunks_exact(3);
    for chunk in &mut chunks {
        let [c, d, e] = chunk else {
            return Err(NotBase45);
        };
        let n = value(*c)? + 45 * value(*d)? + 2025 * value(*e)?;
        let pair = u16::try_from(n).map_err(|_| NotBase45)?;
        out.extend_from_slice(&pair.to_be_bytes());
    }
    match chunks.remainder() {
        [] => {}
        [c, d] => out.push(u8::try_from(value(*c)? + 45 * value(*d)?).map_err(|_| NotBase45)?),
        _ => return Err(NotBase45),
    }
    Ok(out)
}

#[cfg(test)]
#[allow(clippy::arithmetic_side_effects, clippy::cast_possible_truncation)]
mod tests {
    use super::*;

    #[test]
    fn rfc9285_examples() {
        // §4.3 and §4.4.
        for (bytes, text) in [
            (&b"AB"[..], "BB8"),
            (b"Hello!!", "%69 VD92EX0"),
            (b"base-45", "UJCLQE7W581"),
            (b"ietf!", "QED8WEX0"),
            (b"", ""),
        ] {
            assert_eq!(decode(text).unwrap(), bytes, "{text}");
        }
        // §6: "GGW" is 65536, beyond two bytes; a pair above 255; 3k+1 characters; lower case.
        for bad in ["GGW", "ZZZ", "::", "A", "ABCD", "bb8", "BB8\n"] {
            assert_eq!(decode(bad), Err(NotBase45), "{bad}");
        }
    }

    /// The same answers as the `base45` crate's decoder followed by the re-encoding check it
    /// replaces, over every 1- and 2-character text and random longer ones.
    #[test]
    fn agrees_with_decode_then_reencode() {
        let alphabet = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:a";
        let reference = |t: &str| -> Option<Vec<u8>> {
            let bytes = base45::decode(t).ok()?;
            (base45::encode(&bytes) == t).then_some(bytes)
        };
        let mut texts: Vec<String> = Vec::new();
        for &a in alphabet {
            texts.push((a as char).to_string());
            for &b in alphabet {
                texts.push(format!("{}{}", a as char, b as char));
                texts.push(format!("{}{}Z", a as char, b as char));
            }
        }
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        for _ in 0..20_000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let len = (state % 40) as usize;
            let text: String = (0..len)
                .map(|i| alphabet[((state >> (i % 50)) as usize + i * 7) % alphabet.len()] as char)
                .collect();
            texts.push(text);
        }
        for t in &texts {
            assert_eq!(decode(t).ok(), reference(t), "{t:?}");
        }
    }
}
