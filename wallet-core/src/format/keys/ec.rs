//! Public points of the two elliptic curves used with ECDSA-style signatures: P-256 (JWS
//! `ES256`, RFC 7518 §3.4) and SM2 (GM/T 0003). A point is validated once, when it is read
//! (coordinates below `p`, on the curve, not the identity), and kept beside the
//! coordinates exactly as received, which JWK output and RFC 7638 thumbprints need.

use super::algorithm::SM2_DISTINGUISHING_ID;
use super::error::KeyError;
use p256::elliptic_curve;

/// An ECDSA P-256 or SM2 public key: the validated point and its coordinates as received.
#[derive(Clone)]
pub(super) struct EcPublic<K> {
    pub(super) x: [u8; 32],
    pub(super) y: [u8; 32],
    pub(super) key: K,
}

/// The two 32-byte coordinates of an uncompressed SEC1 point.
pub(super) fn sec1_coordinates<C>(
    point: &elliptic_curve::sec1::EncodedPoint<C>,
) -> Result<([u8; 32], [u8; 32]), KeyError>
where
    C: elliptic_curve::Curve,
    elliptic_curve::FieldBytesSize<C>: elliptic_curve::sec1::ModulusSize,
{
    let x = point.x().ok_or(KeyError::InvalidPoint)?;
    let y = point.y().ok_or(KeyError::InvalidPoint)?;
    let x = <[u8; 32]>::try_from(x.as_slice()).map_err(|_| KeyError::InvalidPoint)?;
    let y = <[u8; 32]>::try_from(y.as_slice()).map_err(|_| KeyError::InvalidPoint)?;
    Ok((x, y))
}

pub(super) fn p256_public(
    x: &[u8; 32],
    y: &[u8; 32],
) -> Result<EcPublic<p256::ecdsa::VerifyingKey>, KeyError> {
    use elliptic_curve::sec1::FromEncodedPoint as _;
    let point = p256::EncodedPoint::from_affine_coordinates(&(*x).into(), &(*y).into(), false);
    // Decoding each coordinate refuses values >= p; the point must satisfy the curve equation;
    // an affine pair can never be the identity, which `PublicKey` refuses besides.
    let public = Option::<p256::PublicKey>::from(p256::PublicKey::from_encoded_point(&point))
        .ok_or(KeyError::InvalidPoint)?;
    Ok(EcPublic {
        x: *x,
        y: *y,
        key: p256::ecdsa::VerifyingKey::from(public),
    })
}

pub(super) fn sm2_public(
    x: &[u8; 32],
    y: &[u8; 32],
) -> Result<EcPublic<sm2::dsa::VerifyingKey>, KeyError> {
    use elliptic_curve::sec1::FromEncodedPoint as _;
    let point = sm2::EncodedPoint::from_affine_coordinates(&(*x).into(), &(*y).into(), false);
    let public = Option::<sm2::PublicKey>::from(sm2::PublicKey::from_encoded_point(&point))
        .ok_or(KeyError::InvalidPoint)?;
    let key = sm2::dsa::VerifyingKey::new(SM2_DISTINGUISHING_ID, public)
        .map_err(|_| KeyError::InvalidPoint)?;
    Ok(EcPublic { x: *x, y: *y, key })
}

/// ES256 (RFC 7518 §3.4) over `message` with the 64-byte r‖s `signature`; refuses r or s equal
/// to 0 or ≥ n; high S is accepted. Where `cfg(native_p256)` is set (build.rs: x86-64 and AArch64
/// servers and desktops) the check runs on `ring`'s P-256 assembly, elsewhere (phones, wasm32) on
/// `p256`'s portable code; `tests/format/algorithms.rs` runs both on the same cases (valid,
/// tampered, out-of-range scalars, Wycheproof) and requires the same decision.
pub(super) fn p256_verify(
    key: &EcPublic<p256::ecdsa::VerifyingKey>,
    message: &[u8],
    signature: &[u8; 64],
) -> bool {
    #[cfg(native_p256)]
    {
        use ring::signature::{ECDSA_P256_SHA256_FIXED, UnparsedPublicKey};
        // The uncompressed SEC1 point; ring validates it again (on the curve, below p), which
        // costs a few field operations next to the two scalar multiplications.
        let mut point = [4u8; 65];
        let (px, py) = point[1..].split_at_mut(32);
        px.copy_from_slice(&key.x);
        py.copy_from_slice(&key.y);
        UnparsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, &point[..])
            .verify(message, signature)
            .is_ok()
    }
    #[cfg(not(native_p256))]
    {
        // from_slice refuses r or s equal to 0 or >= n.
        p256::ecdsa::Signature::from_slice(signature).is_ok_and(|sig| {
            p256::ecdsa::signature::Verifier::verify(&key.key, message, &sig).is_ok()
        })
    }
}
