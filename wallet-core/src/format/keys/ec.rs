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
