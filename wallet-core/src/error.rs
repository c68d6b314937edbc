//! One table of every error code wallet-core returns: its stable code (`layer.reason`, listed
//! in docs/errors.md), its [`ErrorKind`] (bad input, a negative verification result, the
//! caller's own setup, I/O, a bug) and its [`ErrorClass`] (the group front ends report it under:
//! one C result code of the FFI per class). The CLI's exit status and hints and the FFI's result
//! are derived from here, by the constants of [`codes`], so no front end compares code strings
//! and a renamed code cannot silently fall into another group.
//!
//! Each layer's error enum maps its variants to these constants ([`ErrorCode::info`]); an error
//! that wraps a lower layer's passes the lower error's entry through, so a code always names the
//! layer that refused (an issuer signature failure inside a verification is
//! `jws.bad_signature`).

/// What kind of failure an error is, for a front end deciding how to report it (the `wallet`
/// CLI's exit status: 1 for a negative verification result, 2 for everything else).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The caller's input breaks a rule: malformed claims, a key file that is not a key, an
    /// argument out of range. Fixing the input fixes it.
    Input,
    /// A verification reached its verdict and it is negative: the credential or presentation is
    /// invalid, expired, untrusted, revoked or replayed. Nothing is wrong with the verifier.
    Rejected,
    /// The verifier's or issuer's own setup cannot be used: a stale or badly signed trust list, a
    /// damaged replay cache. The credential was not judged.
    Setup,
    /// Reading, writing or locking a file (or calling an external signer) failed.
    Io,
    /// A bug in this library or a dependency (caught, never a crash).
    Internal,
}

/// The group an error is reported under by front ends that have fewer, coarser outcomes than
/// codes: the C FFI has one `wallet_result` value per class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorClass {
    /// An argument the library cannot use (claims documents that are not JSON objects, …).
    Argument,
    /// A key is not usable (`key.*`).
    Key,
    /// An external signer failed (`key.signer_failed`).
    Signer,
    /// The credential or presentation is invalid (`jws.*`, `sdjwt.*`, `vc.*`).
    Credential,
    /// The credential has expired or is not yet valid.
    Expired,
    /// The issuer or its key is not trusted for the credential.
    Untrusted,
    /// Claims break the credential type's rules (`catalogue.*`).
    Claims,
    /// No credential type has this name.
    UnknownType,
    /// A claim path is not in the credential.
    UnknownClaimPath,
    /// The trust list is invalid (`trust.*`).
    TrustList,
    /// The trust list is not signed by the pinned root key.
    TrustListSignature,
    /// The trust list is out of date or dated in the future.
    TrustListStale,
    /// A Status List Token is invalid or untrusted, or a status check failed (`status.*`).
    StatusList,
    /// A newer Status List Token is already held.
    StatusListRollback,
    /// The issuer's status registry or issuance files cannot be used (`issuer.*`).
    Registry,
    /// Another process holds the status registry.
    RegistryLocked,
    /// The status registry has no free index.
    RegistryFull,
    /// No holder store at the path.
    StoreNotFound,
    /// A store already exists at the path.
    StoreExists,
    /// The passphrase or key does not unlock the store.
    StoreWrongKey,
    /// The store file is damaged or tampered with.
    StoreDamaged,
    /// The store was written by a newer version.
    StoreNewerVersion,
    /// Another process holds the store's lock.
    StoreLocked,
    /// The store's key was changed through another handle.
    StoreRekeyed,
    /// No credential or holder key with this id.
    StoreUnknownId,
    /// The credential or key is already stored.
    StoreDuplicate,
    /// The credential is bound to a key the store does not hold.
    StoreHolderKeyNotHeld,
    /// The holder key is external and no signer is set.
    StoreExternalSignerRequired,
    /// The store is full.
    StoreFull,
    /// Reading or writing the store failed.
    StoreIo,
    /// The store refused the operation for its arguments.
    StoreRefused,
    /// Not a valid QR payload.
    QrPayload,
    /// Too long for a QR code.
    QrTooLong,
    /// No QR code in the image.
    QrNotFound,
    /// The image cannot be read.
    QrImage,
    /// The QR code cannot be drawn.
    QrRender,
    /// A verifier's challenge is invalid, expired, unknown or used.
    Challenge,
    /// The replay cache file is damaged.
    ReplayCacheDamaged,
    /// The replay cache file cannot be used.
    ReplayCacheUnavailable,
}

/// One row of the table: a stable code, its kind and its class.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct ErrorInfo {
    /// The stable code, `layer.reason`.
    pub code: &'static str,
    /// What kind of failure it is.
    pub kind: ErrorKind,
    /// The group front ends report it under.
    pub class: ErrorClass,
}

/// Every error of this crate: its stable code and, through it, its kind and class.
pub trait ErrorCode {
    /// The error's row of the table.
    fn info(&self) -> &'static ErrorInfo;
    /// The stable code.
    fn code(&self) -> &'static str {
        self.info().code
    }
    /// What kind of failure it is.
    fn kind(&self) -> ErrorKind {
        self.info().kind
    }
    /// The group front ends report it under.
    fn class(&self) -> ErrorClass {
        self.info().class
    }
}

macro_rules! error_table {
    ($($name:ident = $code:literal, $kind:ident, $class:ident;)*) => {
        /// One constant per error code. Front ends match on these (a constant pattern), never on
        /// the code's text.
        pub mod codes {
            use super::{ErrorClass, ErrorInfo, ErrorKind};
            $(
                #[doc = concat!("`", $code, "`")]
                pub const $name: ErrorInfo = ErrorInfo {
                    code: $code,
                    kind: ErrorKind::$kind,
                    class: ErrorClass::$class,
                };
            )*
        }

        /// The whole table, in the order of docs/errors.md.
        pub static ERRORS: &[ErrorInfo] = &[$(codes::$name),*];
    };
}

error_table! {
    KEY_INVALID_JWK = "key.invalid_jwk", Input, Key;
    KEY_UNSUPPORTED_KEY_TYPE = "key.unsupported_key_type", Input, Key;
    KEY_ALGORITHM_MISMATCH = "key.algorithm_mismatch", Input, Key;
    KEY_ENCODING = "key.encoding", Input, Key;
    KEY_WEAK_KEY = "key.weak_key", Input, Key;
    KEY_INVALID_POINT = "key.invalid_point", Input, Key;
    KEY_SIGNATURE_DER = "key.signature_der", Input, Key;
    KEY_PRIVATE_IN_PUBLIC = "key.private_in_public", Input, Key;
    KEY_MISMATCH = "key.mismatch", Input, Key;
    KEY_INVALID_PEM = "key.invalid_pem", Input, Key;
    KEY_SIGNER_FAILED = "key.signer_failed", Io, Signer;
    JWS_MALFORMED = "jws.malformed", Rejected, Credential;
    JWS_BASE64 = "jws.base64", Rejected, Credential;
    JWS_HEADER_JSON = "jws.header_json", Rejected, Credential;
    JWS_PAYLOAD_JSON = "jws.payload_json", Rejected, Credential;
    JWS_ALG_NONE = "jws.alg_none", Rejected, Credential;
    JWS_UNSUPPORTED_ALG = "jws.unsupported_alg", Rejected, Credential;
    JWS_ALG_MISMATCH = "jws.alg_mismatch", Rejected, Credential;
    JWS_CRIT_UNSUPPORTED = "jws.crit_unsupported", Rejected, Credential;
    JWS_WRONG_TYP = "jws.wrong_typ", Rejected, Credential;
    JWS_BAD_SIGNATURE = "jws.bad_signature", Rejected, Credential;
    SDJWT_MALFORMED = "sdjwt.malformed", Rejected, Credential;
    SDJWT_TOO_LARGE = "sdjwt.too_large", Rejected, Credential;
    SDJWT_TOO_MANY_DISCLOSURES = "sdjwt.too_many_disclosures", Rejected, Credential;
    SDJWT_MALFORMED_DISCLOSURE = "sdjwt.malformed_disclosure", Rejected, Credential;
    SDJWT_RESERVED_CLAIM_NAME = "sdjwt.reserved_claim_name", Rejected, Credential;
    SDJWT_UNSUPPORTED_SD_ALG = "sdjwt.unsupported_sd_alg", Rejected, Credential;
    SDJWT_INVALID_DIGESTS = "sdjwt.invalid_digests", Rejected, Credential;
    SDJWT_DUPLICATE_DIGEST = "sdjwt.duplicate_digest", Rejected, Credential;
    SDJWT_DUPLICATE_DISCLOSURE = "sdjwt.duplicate_disclosure", Rejected, Credential;
    SDJWT_UNREFERENCED_DISCLOSURE = "sdjwt.unreferenced_disclosure", Rejected, Credential;
    SDJWT_DISCLOSURE_KIND_MISMATCH = "sdjwt.disclosure_kind_mismatch", Rejected, Credential;
    SDJWT_CLAIM_COLLISION = "sdjwt.claim_collision", Rejected, Credential;
    SDJWT_UNKNOWN_CLAIM_PATH = "sdjwt.unknown_claim_path", Rejected, UnknownClaimPath;
    SDJWT_KB_MISSING = "sdjwt.kb_missing", Rejected, Credential;
    SDJWT_KB_MALFORMED = "sdjwt.kb_malformed", Rejected, Credential;
    SDJWT_KB_WRONG_TYP = "sdjwt.kb_wrong_typ", Rejected, Credential;
    SDJWT_KB_BAD_SIGNATURE = "sdjwt.kb_bad_signature", Rejected, Credential;
    SDJWT_KB_SD_HASH_MISMATCH = "sdjwt.kb_sd_hash_mismatch", Rejected, Credential;
    SDJWT_KB_WRONG_NONCE = "sdjwt.kb_wrong_nonce", Rejected, Credential;
    SDJWT_KB_WRONG_AUD = "sdjwt.kb_wrong_aud", Rejected, Credential;
    SDJWT_KB_STALE = "sdjwt.kb_stale", Rejected, Credential;
    SDJWT_KB_IAT_IN_FUTURE = "sdjwt.kb_iat_in_future", Rejected, Credential;
    VC_WRONG_TYP = "vc.wrong_typ", Rejected, Credential;
    VC_MISSING_CLAIM = "vc.missing_claim", Rejected, Credential;
    VC_INVALID_CLAIM = "vc.invalid_claim", Rejected, Credential;
    VC_RESERVED_CLAIM_DISCLOSABLE = "vc.reserved_claim_disclosable", Rejected, Credential;
    VC_RESERVED_CLAIM_SUPPLIED = "vc.reserved_claim_supplied", Input, Credential;
    VC_INVALID_VALIDITY = "vc.invalid_validity", Rejected, Credential;
    VC_EXPIRED = "vc.expired", Rejected, Expired;
    VC_DOCUMENT_EXPIRED = "vc.document_expired", Rejected, Expired;
    VC_EXPIRY_AFTER_DOCUMENT = "vc.expiry_after_document", Input, Credential;
    VC_STATUS_REQUIRED = "vc.status_required", Input, Credential;
    VC_NOT_YET_VALID = "vc.not_yet_valid", Rejected, Expired;
    VC_ISSUED_IN_FUTURE = "vc.issued_in_future", Rejected, Expired;
    VC_INVALID_HOLDER_KEY = "vc.invalid_holder_key", Rejected, Credential;
    VC_HOLDER_KEY_MISMATCH = "vc.holder_key_mismatch", Input, Credential;
    VC_UNKNOWN_ISSUER = "vc.unknown_issuer", Rejected, Untrusted;
    VC_UNKNOWN_KEY = "vc.unknown_key", Rejected, Untrusted;
    VC_ISSUER_NOT_AUTHORISED = "vc.issuer_not_authorised", Rejected, Untrusted;
    VC_KEY_NOT_VALID = "vc.key_not_valid", Rejected, Untrusted;
    VC_ALGORITHM_NOT_ACCEPTED = "vc.algorithm_not_accepted", Rejected, Untrusted;
    VC_HOLDER_ALGORITHM_NOT_ACCEPTED = "vc.holder_algorithm_not_accepted", Rejected, Credential;
    VC_UNKNOWN_TYPE = "vc.unknown_type", Rejected, Untrusted;
    VC_TYPE_INTEGRITY_MISMATCH = "vc.type_integrity_mismatch", Rejected, Untrusted;
    VC_CLAIM_MUST_BE_DISCLOSABLE = "vc.claim_must_be_disclosable", Rejected, Credential;
    VC_CLAIM_MUST_NOT_BE_DISCLOSABLE = "vc.claim_must_not_be_disclosable", Rejected, Credential;
    VC_MANDATORY_CLAIM_MISSING = "vc.mandatory_claim_missing", Rejected, Credential;
    CATALOGUE_UNKNOWN_TYPE = "catalogue.unknown_type", Input, UnknownType;
    CATALOGUE_MISSING_CLAIM = "catalogue.missing_claim", Input, Claims;
    CATALOGUE_UNKNOWN_CLAIM = "catalogue.unknown_claim", Input, Claims;
    CATALOGUE_WRONG_TYPE = "catalogue.wrong_type", Input, Claims;
    CATALOGUE_INVALID_CLAIM = "catalogue.invalid_claim", Input, Claims;
    CATALOGUE_DERIVED_CLAIM_SUPPLIED = "catalogue.derived_claim_supplied", Input, Claims;
    CATALOGUE_RESERVED_CLAIM = "catalogue.reserved_claim", Input, Claims;
    CATALOGUE_DOCUMENT_EXPIRED = "catalogue.document_expired", Input, Claims;
    CATALOGUE_SEVERAL_ERRORS = "catalogue.several_errors", Input, Claims;
    CATALOGUE_INVALID_DOCUMENT = "catalogue.invalid_document", Input, Argument;
    CATALOGUE_TYPE_CONFLICT = "catalogue.type_conflict", Input, Argument;
    CATALOGUE_IO = "catalogue.io", Io, Argument;
    HSM_URI = "hsm.uri", Input, Signer;
    HSM_MODULE = "hsm.module", Setup, Signer;
    HSM_TOKEN_NOT_FOUND = "hsm.token_not_found", Setup, Signer;
    HSM_OBJECT_NOT_FOUND = "hsm.object_not_found", Setup, Signer;
    HSM_WRONG_PIN = "hsm.wrong_pin", Input, Signer;
    HSM_PIN_LOCKED = "hsm.pin_locked", Setup, Signer;
    HSM_MECHANISM_NOT_SUPPORTED = "hsm.mechanism_not_supported", Setup, Signer;
    HSM_TOKEN_REMOVED = "hsm.token_removed", Io, Signer;
    HSM_KEY_EXISTS = "hsm.key_exists", Input, Signer;
    HSM_FAILED = "hsm.failed", Io, Signer;
    CLAIMS_NOT_UTF8 = "claims.not_utf8", Input, Argument;
    CLAIMS_LOOKS_GBK = "claims.looks_gbk", Input, Argument;
    CLAIMS_NOT_JSON = "claims.not_json", Input, Argument;
    CLAIMS_NOT_OBJECT = "claims.not_object", Input, Argument;
    TRUST_BAD_SIGNATURE = "trust.bad_signature", Setup, TrustListSignature;
    TRUST_TOO_LARGE = "trust.too_large", Setup, TrustList;
    TRUST_MALFORMED = "trust.malformed", Setup, TrustList;
    TRUST_STALE = "trust.stale", Setup, TrustListStale;
    TRUST_ISSUED_IN_FUTURE = "trust.issued_in_future", Setup, TrustListStale;
    TRUST_ROLLBACK = "trust.rollback", Setup, TrustList;
    TRUST_SEQUENCE_REUSED = "trust.sequence_reused", Setup, TrustList;
    TRUST_WRONG_LIST_ID = "trust.wrong_list_id", Setup, TrustList;
    TRUST_UNLISTED_ISSUER = "trust.unlisted_issuer", Setup, TrustList;
    TRUST_DUPLICATE_ISSUER = "trust.duplicate_issuer", Setup, TrustList;
    TRUST_UNKNOWN_KEY = "trust.unknown_key", Setup, TrustList;
    TRUST_DUPLICATE_KEY = "trust.duplicate_key", Setup, TrustList;
    TRUST_INVALID_VALIDITY = "trust.invalid_validity", Setup, TrustList;
    TRUST_IO = "trust.io", Io, TrustList;
    TRUST_ALGORITHM_NOT_ACCEPTED = "trust.algorithm_not_accepted", Setup, TrustList;
    TRUST_KEY_ALGORITHM_MISMATCH = "trust.key_algorithm_mismatch", Setup, TrustList;
    TRUST_NOT_A_DRAFT = "trust.not_a_draft", Setup, TrustList;
    TRUST_TYPE_DOCUMENT = "trust.type_document", Setup, TrustList;
    STATUS_INVALID_BITS = "status.invalid_bits", Rejected, StatusList;
    STATUS_VALUE_TOO_WIDE = "status.value_too_wide", Input, StatusList;
    STATUS_INDEX_OUT_OF_RANGE = "status.index_out_of_range", Rejected, StatusList;
    STATUS_TOO_LARGE = "status.too_large", Rejected, StatusList;
    STATUS_COMPRESSION = "status.compression", Rejected, StatusList;
    STATUS_MALFORMED = "status.malformed", Rejected, StatusList;
    STATUS_URI_MISMATCH = "status.uri_mismatch", Rejected, StatusList;
    STATUS_NOT_IN_AGGREGATION = "status.not_in_aggregation", Input, StatusList;
    STATUS_ISSUER_MISMATCH = "status.issuer_mismatch", Rejected, StatusList;
    STATUS_UNTRUSTED_SIGNER = "status.untrusted_signer", Rejected, StatusList;
    STATUS_ALGORITHM_NOT_ACCEPTED = "status.algorithm_not_accepted", Rejected, StatusList;
    STATUS_UNKNOWN_LIST = "status.unknown_list", Rejected, StatusList;
    STATUS_EXPIRED_LIST = "status.expired_list", Rejected, StatusList;
    STATUS_ISSUED_IN_FUTURE = "status.issued_in_future", Rejected, StatusList;
    STATUS_MISSING = "status.missing", Rejected, StatusList;
    STATUS_REVOKED = "status.revoked", Rejected, StatusList;
    STATUS_SUSPENDED = "status.suspended", Rejected, StatusList;
    STATUS_UNRECOGNISED = "status.unrecognised", Rejected, StatusList;
    STATUS_REGISTRY_FULL = "status.registry_full", Input, RegistryFull;
    STATUS_NOT_ALLOCATED = "status.not_allocated", Input, StatusList;
    STATUS_REVOCATION_IS_FINAL = "status.revocation_is_final", Input, StatusList;
    STATUS_REGISTRY_LOCKED = "status.registry_locked", Io, RegistryLocked;
    STATUS_ROLLBACK = "status.rollback", Input, StatusListRollback;
    STATUS_IO = "status.io", Io, StatusList;
    ISSUER_IO = "issuer.io", Io, Registry;
    ISSUER_REGISTRY_REPLACED = "issuer.registry_replaced", Input, Registry;
    ISSUER_JOB_UNKNOWN = "issuer.job_unknown", Input, Registry;
    ISSUER_JOB_MISMATCH = "issuer.job_mismatch", Input, Registry;
    ISSUER_LOG_TRUNCATED = "issuer.log_truncated", Input, Registry;
    ISSUER_LOG_MISMATCH = "issuer.log_mismatch", Input, Registry;
    ISSUER_OUTPUT_DAMAGED = "issuer.output_damaged", Input, Registry;
    ISSUER_SHARD_INVALID = "issuer.shard_invalid", Input, Registry;
    ISSUER_SHARD_MISMATCH = "issuer.shard_mismatch", Input, Registry;
    STORE_NOT_FOUND = "store.not_found", Input, StoreNotFound;
    STORE_EXISTS = "store.exists", Input, StoreExists;
    STORE_NOT_A_STORE = "store.not_a_store", Input, StoreDamaged;
    STORE_MALFORMED = "store.malformed", Input, StoreDamaged;
    STORE_TRUNCATED = "store.truncated", Input, StoreDamaged;
    STORE_TOO_LARGE = "store.too_large", Input, StoreDamaged;
    STORE_NEWER_VERSION = "store.newer_version", Input, StoreNewerVersion;
    STORE_KDF_LIMITS = "store.kdf_limits", Input, StoreDamaged;
    STORE_INVALID_KDF_PARAMS = "store.invalid_kdf_params", Input, StoreRefused;
    STORE_EMPTY_PASSPHRASE = "store.empty_passphrase", Input, StoreRefused;
    STORE_WRONG_KEY = "store.wrong_key", Input, StoreWrongKey;
    STORE_TAMPERED = "store.tampered", Input, StoreDamaged;
    STORE_CORRUPT = "store.corrupt", Input, StoreDamaged;
    STORE_LOCKED = "store.locked", Io, StoreLocked;
    STORE_REKEYED = "store.rekeyed", Input, StoreRekeyed;
    STORE_DUPLICATE = "store.duplicate", Input, StoreDuplicate;
    STORE_DUPLICATE_KEY = "store.duplicate_key", Input, StoreDuplicate;
    STORE_HOLDER_KEY_NOT_HELD = "store.holder_key_not_held", Input, StoreHolderKeyNotHeld;
    STORE_NOT_ISSUED_FORM = "store.not_issued_form", Input, StoreRefused;
    STORE_UNKNOWN_CREDENTIAL = "store.unknown_credential", Input, StoreUnknownId;
    STORE_UNKNOWN_HOLDER_KEY = "store.unknown_holder_key", Input, StoreUnknownId;
    STORE_HOLDER_KEY_IN_USE = "store.holder_key_in_use", Input, StoreRefused;
    STORE_EXTERNAL_SIGNER_REQUIRED = "store.external_signer_required", Input, StoreExternalSignerRequired;
    STORE_KEY_NOT_EXPORTABLE = "store.key_not_exportable", Input, StoreRefused;
    STORE_FULL = "store.full", Input, StoreFull;
    STORE_INVALID_HANDLE = "store.invalid_handle", Input, StoreRefused;
    STORE_IO = "store.io", Io, StoreIo;
    QR_BASE45 = "qr.base45", Rejected, QrPayload;
    QR_CHALLENGE_EXPIRED = "qr.challenge_expired", Rejected, Challenge;
    QR_CHALLENGE_MALFORMED = "qr.challenge_malformed", Rejected, Challenge;
    QR_CHALLENGE_UNKNOWN = "qr.challenge_unknown", Rejected, Challenge;
    QR_CHALLENGE_USED = "qr.challenge_used", Rejected, Challenge;
    QR_DECODER_PANIC = "qr.decoder_panic", Internal, QrImage;
    QR_DEFLATE = "qr.deflate", Rejected, QrPayload;
    QR_EMPTY_PAYLOAD = "qr.empty_payload", Input, QrRender;
    QR_ENCODER_FAILED = "qr.encoder_failed", Internal, QrRender;
    QR_IMAGE_TOO_LARGE = "qr.image_too_large", Input, QrImage;
    QR_INPUT_TOO_LARGE = "qr.input_too_large", Input, QrImage;
    QR_INVALID_FRAME = "qr.invalid_frame", Input, QrImage;
    QR_INVALID_RENDER_OPTIONS = "qr.invalid_render_options", Input, QrRender;
    QR_MALFORMED_FRAME = "qr.malformed_frame", Rejected, QrPayload;
    QR_NOT_ALPHANUMERIC = "qr.not_alphanumeric", Input, QrRender;
    QR_NO_CODE_FOUND = "qr.no_code_found", Input, QrNotFound;
    QR_NON_CANONICAL = "qr.non_canonical", Rejected, QrPayload;
    QR_NON_CANONICAL_DEFLATE = "qr.non_canonical_deflate", Rejected, QrPayload;
    QR_NOT_A_PAYLOAD = "qr.not_a_payload", Rejected, QrPayload;
    QR_NOT_ENCODABLE = "qr.not_encodable", Input, QrTooLong;
    QR_PAYLOAD_TOO_LONG = "qr.payload_too_long", Input, QrTooLong;
    QR_REPLAY = "qr.replay", Rejected, QrPayload;
    QR_REPLAY_CACHE_FULL = "qr.replay_cache_full", Rejected, QrPayload;
    QR_REPLAY_CACHE_CORRUPT = "qr.replay_cache_corrupt", Setup, ReplayCacheDamaged;
    QR_REPLAY_CACHE_IO = "qr.replay_cache_io", Io, ReplayCacheUnavailable;
    QR_REPLAY_CACHE_LOCKED = "qr.replay_cache_locked", Io, ReplayCacheUnavailable;
    QR_REPLAY_CACHE_TOO_LARGE = "qr.replay_cache_too_large", Setup, ReplayCacheDamaged;
    QR_TOO_LARGE = "qr.too_large", Rejected, QrPayload;
    QR_UNKNOWN_VERSION = "qr.unknown_version", Rejected, QrPayload;
    QR_UNSUPPORTED_IMAGE = "qr.unsupported_image", Input, QrImage;
    QR_WRONG_AUDIENCE = "qr.wrong_audience", Rejected, QrPayload;
}

/// The table's row for a code, if the code is one of this crate's.
pub fn error_info(code: &str) -> Option<&'static ErrorInfo> {
    ERRORS.iter().find(|info| info.code == code)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn codes_are_unique_and_well_formed() {
        let mut seen = HashSet::new();
        for info in ERRORS {
            assert!(seen.insert(info.code), "{} twice", info.code);
            let (layer, reason) = info.code.split_once('.').unwrap_or_default();
            assert!(!layer.is_empty() && !reason.is_empty(), "{}", info.code);
            assert!(
                info.code
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '.'),
                "{}",
                info.code
            );
        }
        assert_eq!(error_info("vc.expired"), Some(&codes::VC_EXPIRED));
        assert_eq!(error_info("vc.nonexistent"), None);
    }
}
