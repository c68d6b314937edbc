//! Keys for issuers, holders and trust-list roots. Ed25519 (RFC 8032) is the default and has its
//! own types ([`SigningKey`], [`VerifyingKey`], the [`Signer`] trait through which holder keys
//! kept in secure hardware sign key-binding JWTs): generation from a caller-supplied CSPRNG, JWK
//! import/export (RFC 8037 §2, `kty: OKP`, `crv: Ed25519`), PKCS#8 PEM (RFC 8410 / RFC 5958 v1,
//! the form OpenSSL 3.0 reads), RFC 7638 thumbprints (used as `kid`).
//!
//! [`PrivateKey`] and [`PublicKey`] hold a key of any supported [`Algorithm`] — Ed25519, P-256
//! ECDSA (JWS `ES256`, what phone secure hardware and the OpenID4VC high-assurance profile use) or
//! SM2 with SM3 (JWS `SM2`, what Chinese government systems are assessed against) — and each key
//! knows its algorithm, so that a verifier never takes it from a token (docs/format.md,
//! "Algorithms").
//!
//! The children are private and split by concern. Each imports only from children listed before
//! it, by their own paths (`super::error::KeyError`, never `super::KeyError`), so there is no
//! module cycle inside `keys`:
//!
//! - `error`: [`KeyError`] and its stable codes;
//! - `algorithm`: [`Algorithm`] and [`SM2_DISTINGUISHING_ID`];
//! - `jwk`: reading JWK members (`kty`, `crv`, `alg`, coordinates), shared by every key type;
//! - `ed25519`: [`VerifyingKey`] (strict and batch verification), [`SigningKey`], [`Signer`];
//! - `ec`: validated P-256 and SM2 public points;
//! - `modinv`: inversion modulo the curves' primes and orders (blinded safegcd), for signing;
//! - `jacobian`: Jacobian point arithmetic for the `a = −3` curves (P-256, SM2);
//! - `comb`: `[k]G` from a precomputed generator table, for the P-256 and SM2 signers;
//! - `p256_sign`: P-256 ECDSA signing with RFC 6979 nonces (FIPS 186-5 §6.4.1);
//! - `sm2_sign`: SM2/SM3 signing (GM/T 0003.2 §6.1) with precomputed secrets wiped on drop;
//! - `sm2_verify`: SM2/SM3 verification (§7.1), the two scalar multiplications interleaved;
//! - `public`: [`PublicKey`];
//! - `private`: [`PrivateKey`];
//! - `traits`: [`KeyVerifier`] and [`KeySigner`], what the JWS layer takes;
//! - `der`: DER ⇄ r‖s signature conversion;
//! - `policy`: [`AlgSet`] and [`AlgorithmPolicy`], the algorithms a verifier accepts per role.
//!
//! The public interface is the `pub use` list below: every item keeps its `keys::` path.

mod algorithm;
mod comb;
mod der;
mod ec;
mod ed25519;
mod error;
mod jacobian;
mod jwk;
mod modinv;
mod p256_sign;
mod policy;
mod private;
mod public;
mod sm2_sign;
mod sm2_verify;
mod traits;

pub use self::algorithm::{Algorithm, SM2_DISTINGUISHING_ID};
pub use self::der::{signature_from_der, signature_to_der};
pub use self::ed25519::{Signer, SigningKey, VerifyingKey, verify_batch, verify_strict_both};
pub use self::error::KeyError;
pub use self::policy::{AlgSet, AlgorithmPolicy};
pub use self::private::PrivateKey;
pub use self::public::PublicKey;
pub use self::traits::{KeySigner, KeyVerifier};

#[cfg(test)]
// clippy.toml exempts tests from the panic lints; these have no test setting.
#[allow(clippy::arithmetic_side_effects, clippy::cast_possible_truncation)]
mod tests;
