//! wallet-core: issue, present and verify electronic certificates (resident ID, driving licence,
//! …) as SD-JWT VCs, and show them as QR codes that a verifier checks offline.
//!
//! The modules follow the product's flow, on top of the format layers:
//!
//! ```text
//!   issuer ──credential──▶ holder ──presentation──▶ qr ──scan──▶ verifier
//!   (issue, status         (present, encrypted      (CW1 codec,  (verify, session and
//!    registry)              store)                   render,      replay, bulk, report,
//!                                                    scan)        status cache, device)
//!        │                     │                      │              │
//!        └───────────── trust (trust list) · status (Token Status List) ─┘
//!        └───────────── format: keys → jws → sdjwt (RFC 9901) → credential (SD-JWT VC, types)
//! ```
//!
//! Arrows between modules only point down this picture or left to right along the flow
//! (`scripts/module-graph.sh` checks that the module graph has no cycle); docs/architecture.md
//! says where each protocol step lives and why.
//!
//! The public interface is:
//! - [`keys`], [`jws`], [`sdjwt`], [`credential`]: the formats (Ed25519, P-256 and SM2 keys;
//!   compact JWS; RFC 9901; SD-JWT VC and the credential-type catalogue);
//! - [`issuer`]: protocol step 1, issuing a credential and keeping its status registry;
//! - [`holder`]: steps 2–3, the encrypted store and presentations;
//! - [`qr`]: the show-certificate QR code (transport, rendering, scanning, freshness protocol);
//! - [`verifier`]: step 4, verification offline, one code or many, and a verifier device's state;
//! - [`trust`], [`status`]: the trust list and Token Status Lists, shared by issuers and
//!   verifiers;
//! - [`hazmat`]: primitives that skip product rules, for tests and interop tools only;
//! - [`error`]: the one table of error codes, with each code's [`ErrorKind`] and
//!   [`ErrorClass`], from which front ends derive exit statuses and result codes;
//! - [`fsutil`]: atomic, permission-checked file writes (keys and credentials are never torn);
//! - [`b64_encode`] and [`limits`], the input bounds every parser enforces.

#![warn(unreachable_pub)]

mod encoding;
pub mod error;
mod format;
pub mod fsutil;
pub mod hazmat;
pub mod holder;
pub mod issuer;
pub mod qr;
pub mod status;
pub mod trust;
pub mod verifier;

pub use encoding::{b64_encode, limits};
pub use error::{ErrorClass, ErrorCode, ErrorInfo, ErrorKind};

/// Keys and signatures: Ed25519 (`EdDSA`), P-256 (`ES256`) and SM2 with SM3 (`SM2`); JWK
/// (RFC 7517/8037), RFC 7638 thumbprints, PKCS#8 PEM. The algorithm is a property of the key.
pub mod keys {
    pub use crate::format::keys::{
        AlgSet, Algorithm, AlgorithmPolicy, KeyError, KeySigner, KeyVerifier, PrivateKey,
        PublicKey, SM2_DISTINGUISHING_ID, Signer, SigningKey, VerifyingKey, signature_from_der,
        signature_to_der, verify_strict_both,
    };
}

/// Compact JWS (RFC 7515) as the product uses it: the algorithm comes from the key.
pub mod jws {
    pub use crate::format::jws::{ALG, Jws, JwsError};
}

/// Selective Disclosure for JWTs (RFC 9901): parsing, disclosures, claim paths, key binding.
/// Raw issuance, which does not apply the SD-JWT VC rules, is in [`crate::hazmat`].
pub mod sdjwt {
    pub use crate::format::sdjwt::{
        ClaimPath, DecoyPolicy, DisclosedClaim, Disclosure, KbClaims, KbExpectation,
        KeyBindingRequest, PathSegment, Processed, SD_ALG, SdAlg, SdJwtError, SdJwtParts,
        create_kb_jwt, create_kb_jwt_with, process, sd_hash, select_disclosures, verify_kb_jwt,
        verify_kb_jwt_with,
    };
}

/// SD-JWT VC (draft-ietf-oauth-sd-jwt-vc): registered claims, the rules every credential
/// follows, the catalogue of credential types and the reading of claims documents.
pub mod credential {
    pub use crate::format::credential::{
        NEVER_DISCLOSABLE, RegisteredClaims, StatusRef, VC_TYP, VcError, credential_id,
    };
    /// The credential types this product issues: their claims, value formats, labels.
    pub mod catalogue {
        pub use crate::format::credential::catalogue::*;
    }
    /// Claims documents as agencies export them (UTF-8, BOM, GBK detection).
    pub mod input {
        pub use crate::format::credential::input::{
            ClaimsInputError, UTF8_BOM, decode_text, parse_claims,
        };
    }
}
