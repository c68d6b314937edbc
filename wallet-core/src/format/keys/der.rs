//! ECDSA/SM2 signatures between DER (`ECDSA-Sig-Value`, SEC 1 §C.5 / RFC 3279 §2.2.3: what
//! OpenSSL, iOS and Android produce and read) and JOSE's fixed-size r‖s (RFC 7518 §3.4), which is
//! what JWS carries. Minimal DER only, so that one signature has one encoding.

use super::error::KeyError;

/// Converts an ECDSA/SM2 signature from DER (`ECDSA-Sig-Value`, SEQUENCE of two INTEGERs: what
/// OpenSSL, iOS and Android produce) to JOSE's r‖s. Only minimal DER is accepted, and r and s
/// must fit 32 bytes; their range is checked when the signature is verified.
pub fn signature_from_der(der: &[u8]) -> Result<[u8; 64], KeyError> {
    fn integer(input: &[u8]) -> Option<(&[u8], &[u8])> {
        let (&tag, rest) = input.split_first()?;
        let (&len, rest) = rest.split_first()?;
        let len = usize::from(len);
        if tag != 0x02 || len == 0 || len > 33 || rest.len() < len {
            return None;
        }
        let (value, rest) = rest.split_at(len);
        let first = *value.first()?;
        // Negative numbers, and a leading zero byte that is not needed, are not minimal DER.
        if first & 0x80 != 0 {
            return None;
        }
        let value = match value {
            [0, next, ..] if next & 0x80 == 0 => return None,
            [0, tail @ ..] if !tail.is_empty() => tail,
            _ => value,
        };
        (value.len() <= 32).then_some((value, rest))
    }
    let bad = KeyError::SignatureDer;
    let (&tag, rest) = der.split_first().ok_or(bad.clone())?;
    let (&len, body) = rest.split_first().ok_or(bad.clone())?;
    // Two INTEGERs of at most 33 content bytes: the length always fits the short form.
    if tag != 0x30 || len >= 0x80 || usize::from(len) != body.len() {
        return Err(bad);
    }
    let (r, rest) = integer(body).ok_or(bad.clone())?;
    let (s, rest) = integer(rest).ok_or(bad.clone())?;
    if !rest.is_empty() {
        return Err(bad);
    }
    let mut out = [0u8; 64];
    let (r_out, s_out) = out.split_at_mut(32);
    r_out
        .get_mut(32usize.saturating_sub(r.len())..)
        .ok_or(bad.clone())?
        .copy_from_slice(r);
    s_out
        .get_mut(32usize.saturating_sub(s.len())..)
        .ok_or(bad)?
        .copy_from_slice(s);
    Ok(out)
}

/// Converts a JOSE r‖s signature to minimal DER (`ECDSA-Sig-Value`), the form OpenSSL's
/// `pkeyutl -verify` reads for ECDSA and SM2.
pub fn signature_to_der(raw: &[u8; 64]) -> Vec<u8> {
    fn integer(out: &mut Vec<u8>, value: &[u8]) {
        let trimmed: &[u8] = match value.iter().position(|&b| b != 0) {
            Some(i) => value.get(i..).unwrap_or_default(),
            None => &[0],
        };
        let pad = trimmed.first().is_some_and(|&b| b & 0x80 != 0);
        out.push(0x02);
        // At most 33 content bytes.
        out.push(u8::try_from(trimmed.len().saturating_add(usize::from(pad))).unwrap_or(0));
        if pad {
            out.push(0);
        }
        out.extend_from_slice(trimmed);
    }
    let (r, s) = raw.split_at(32);
    let mut body = Vec::with_capacity(70);
    integer(&mut body, r);
    integer(&mut body, s);
    let mut out = Vec::with_capacity(72);
    out.push(0x30);
    out.push(u8::try_from(body.len()).unwrap_or(0));
    out.extend_from_slice(&body);
    out
}

#[cfg(test)]
// clippy.toml exempts tests from the panic lints; these have no test setting.
#[allow(clippy::arithmetic_side_effects, clippy::cast_possible_truncation)]
mod tests {
    use super::*;
    #[test]
    fn der_signatures_are_strict() {
        let mut raw = [0u8; 64];
        raw[0] = 0x80; // r needs a leading zero byte
        raw[63] = 1; // s = 1
        let der = signature_to_der(&raw);
        assert_eq!(der[..5], [0x30, 0x26, 0x02, 0x21, 0x00]);
        assert_eq!(&der[der.len() - 3..], &[0x02, 0x01, 0x01]);
        assert_eq!(signature_from_der(&der).unwrap(), raw);
        let refused = |bytes: &[u8]| {
            assert_eq!(
                signature_from_der(bytes).unwrap_err().code(),
                "key.signature_der",
                "{bytes:?}"
            )
        };
        refused(&[]);
        refused(&der[..der.len() - 1]);
        refused(&[der.as_slice(), &[0]].concat());
        // A superfluous leading zero, a negative integer, an empty integer.
        refused(&[0x30, 0x07, 0x02, 0x02, 0x00, 0x01, 0x02, 0x01, 0x01]);
        refused(&[0x30, 0x06, 0x02, 0x01, 0x81, 0x02, 0x01, 0x01]);
        refused(&[0x30, 0x05, 0x02, 0x00, 0x02, 0x01, 0x01]);
        // An integer of 33 significant bytes.
        let mut long = vec![0x30, 0x26, 0x02, 0x21, 0x01];
        long.extend_from_slice(&[0u8; 32]);
        long.extend_from_slice(&[0x02, 0x01, 0x01]);
        refused(&long);
    }
}
