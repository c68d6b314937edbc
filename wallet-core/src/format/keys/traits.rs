//! The algorithm-aware interface the JWS layer (crate::format::jws, RFC 7515) signs and verifies
//! through: [`KeyVerifier`] and [`KeySigner`] carry the key's [`Algorithm`] with the operation,
//! so that a header's `alg` is written from the key and compared with it, never used to pick how
//! to verify (RFC 8725 §3.1). Implemented for the Ed25519 types, every Ed25519 [`Signer`]
//! (secure-hardware callbacks included), and the any-algorithm keys.

use super::algorithm::Algorithm;
use super::ed25519::{Signer, VerifyingKey};
use super::error::KeyError;
use super::private::PrivateKey;
use super::public::PublicKey;

/// A signature check that knows its algorithm: what [`crate::format::jws::Jws::verify`] takes, so that a
/// header's `alg` is compared with the key's and never selects the algorithm.
pub trait KeyVerifier {
    /// The algorithm of the key.
    fn key_algorithm(&self) -> Algorithm;
    /// `true` iff `signature` is valid over `message` under the key.
    fn verify_signature(&self, message: &[u8], signature: &[u8; 64]) -> bool;
    /// The key's RFC 7638 thumbprint.
    fn key_thumbprint(&self) -> String;
}

impl KeyVerifier for VerifyingKey {
    fn key_algorithm(&self) -> Algorithm {
        Algorithm::EdDsa
    }
    fn verify_signature(&self, message: &[u8], signature: &[u8; 64]) -> bool {
        self.verify_strict(message, signature)
    }
    fn key_thumbprint(&self) -> String {
        self.thumbprint()
    }
}

impl KeyVerifier for PublicKey {
    fn key_algorithm(&self) -> Algorithm {
        self.algorithm()
    }
    fn verify_signature(&self, message: &[u8], signature: &[u8; 64]) -> bool {
        self.verify(message, signature)
    }
    fn key_thumbprint(&self) -> String {
        self.thumbprint()
    }
}

/// A signer that knows its algorithm: what [`crate::format::jws::sign`] takes. Every Ed25519
/// [`Signer`] (software key, secure-hardware callback) is one, and so is [`PrivateKey`].
pub trait KeySigner {
    /// The algorithm the signatures are made with (the JWS `alg` written).
    fn key_algorithm(&self) -> Algorithm;
    /// The public key the signatures verify under.
    fn public(&self) -> PublicKey;
    /// Signs `message` (the JWS signing input); 64 bytes for every supported algorithm (r‖s for
    /// the EC ones).
    fn sign_message(&self, message: &[u8]) -> Result<[u8; 64], KeyError>;
}

impl<T: Signer + ?Sized> KeySigner for T {
    fn key_algorithm(&self) -> Algorithm {
        Algorithm::EdDsa
    }
    fn public(&self) -> PublicKey {
        PublicKey::from(self.public_key())
    }
    fn sign_message(&self, message: &[u8]) -> Result<[u8; 64], KeyError> {
        self.sign(message)
    }
}

impl KeySigner for PrivateKey {
    fn key_algorithm(&self) -> Algorithm {
        self.algorithm()
    }
    fn public(&self) -> PublicKey {
        self.public_key()
    }
    fn sign_message(&self, message: &[u8]) -> Result<[u8; 64], KeyError> {
        self.sign(message)
    }
}
