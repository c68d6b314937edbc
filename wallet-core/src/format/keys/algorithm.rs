//! The signature algorithms a key can be for (docs/format.md, "Algorithms") and their JWS `alg`
//! names (RFC 7518 §3.1, RFC 8037, RFC 9864), and SM2's fixed distinguishing identifier
//! (GM/T 0003.2 §5.5). Algorithm agility here means: the algorithm is a property of the key, and a
//! token header is only ever checked against it (crate::format::jws), never used to choose how to verify.

use std::fmt;

/// The signature algorithms a key can be for, with their JWS `alg` names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Algorithm {
    /// Ed25519 (RFC 8032), written `EdDSA` (RFC 8037); `Ed25519` (RFC 9864) is accepted on read.
    EdDsa,
    /// ECDSA on P-256 with SHA-256 (RFC 7518 §3.4), signature r‖s.
    Es256,
    /// SM2 with SM3 (GM/T 0003.2, GB/T 32918.2), distinguishing identifier
    /// [`SM2_DISTINGUISHING_ID`], signature r‖s. `SM2` is not an IANA-registered JWS name
    /// (docs/format.md says why it was chosen).
    Sm2,
}

impl Algorithm {
    /// Every algorithm, in the order they were added.
    pub const ALL: [Algorithm; 3] = [Algorithm::EdDsa, Algorithm::Es256, Algorithm::Sm2];

    /// The JWS `alg` value written for this algorithm.
    pub fn jws_name(self) -> &'static str {
        match self {
            Self::EdDsa => "EdDSA",
            Self::Es256 => "ES256",
            Self::Sm2 => "SM2",
        }
    }

    /// The algorithm a JWS `alg` value names, if it is one of ours. Both `EdDSA` and the fully
    /// specified `Ed25519` (RFC 9864) name Ed25519; names are case-sensitive (RFC 7515 §4.1.1).
    pub fn from_jws_name(name: &str) -> Option<Self> {
        match name {
            "EdDSA" | "Ed25519" => Some(Self::EdDsa),
            "ES256" => Some(Self::Es256),
            "SM2" => Some(Self::Sm2),
            _ => None,
        }
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.jws_name())
    }
}

/// The SM2 distinguishing identifier hashed into `Z_A` (GM/T 0003.2 §5.5): GM/T 0009's default,
/// which OpenSSL uses with `-pkeyopt distid:1234567812345678`. Verifiers and signers must agree on
/// it, so it is fixed rather than configurable.
pub const SM2_DISTINGUISHING_ID: &str = "1234567812345678";
