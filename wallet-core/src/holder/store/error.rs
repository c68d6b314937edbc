//! The one error type of the holder store. Messages never contain claim values, key material
//! or passphrases; each variant has a stable code for programs (CLI `--json`, FFI result codes).

use crate::error::{ErrorCode, ErrorInfo, codes};
use crate::format::credential::VcError;
use crate::format::keys::KeyError;
use std::io;

/// Errors of the holder store.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// No store file exists at the path.
    #[error("no store at this path: create one first")]
    NotFound,
    /// `create` or `restore_backup` found a file already at the path; it was left untouched.
    #[error("a store already exists at this path: open it, or choose another path")]
    AlreadyExists,
    /// The file does not start with the store's magic bytes.
    #[error("not a wallet store file")]
    NotAStore,
    /// A header field is invalid (unknown key kind, impossible length, non-zero reserved field).
    #[error("store header is malformed ({0}): restore the store from a backup")]
    Malformed(&'static str),
    /// The file is shorter or longer than its header says: a partial copy or a cut-off download.
    #[error("store file is truncated or has trailing data: restore it from a backup")]
    Truncated,
    /// The file is larger than any store this library writes; it is not read.
    #[error("store file is larger than {max} bytes: refusing to read it")]
    TooLarge {
        /// The size limit, bytes.
        max: u64,
    },
    /// The file was written by a newer version of this library (container format or body schema).
    #[error(
        "store {what} version {found} is newer than this app supports ({supported}): update the app"
    )]
    NewerVersion {
        /// `"format"` (the header) or `"schema"` (the encrypted contents).
        what: &'static str,
        /// The version found in the file.
        found: u32,
        /// The newest version this library reads.
        supported: u32,
    },
    /// The header asks for more key-derivation work than the open options allow. Checked before
    /// any Argon2 work, so a hostile file cannot make the app allocate gigabytes or spin for minutes.
    #[error(
        "the store's key-derivation parameters exceed this app's limits: the file may be corrupted or hostile; restore it from a backup"
    )]
    KdfLimitsExceeded,
    /// Key-derivation parameters passed to `create`, `change_key` or `export_backup` are invalid.
    #[error("invalid key-derivation parameters: {0}")]
    InvalidKdfParams(&'static str),
    /// An empty passphrase was offered for a new store or a new key.
    #[error("the passphrase is empty: choose a passphrase")]
    EmptyPassphrase,
    /// The passphrase or raw key does not unlock this store (or a passphrase was given for a store
    /// locked by an app key, or the other way round). The file was not changed.
    #[error("wrong passphrase or key: the store was not changed; try again")]
    WrongKey,
    /// The key is right but the encrypted contents do not authenticate: the file was altered or
    /// corrupted. The file was not changed.
    #[error(
        "store file failed its integrity check (tampered or corrupted): it was not changed; restore it from a backup"
    )]
    Tampered,
    /// The contents authenticated but are not a valid store body. Only a bug or someone holding
    /// the key can produce this.
    #[error("store contents are invalid ({0}): restore the store from a backup")]
    Corrupt(&'static str),
    /// Another process or handle holds the store's lock and did not release it within the
    /// configured wait.
    #[error("store is locked by another process: try again when it has finished")]
    Locked,
    /// Another handle changed the store's passphrase or key since this handle opened it.
    #[error("the store's passphrase or key was changed elsewhere: open the store again")]
    Rekeyed,
    /// The credential is already in the store.
    #[error("credential {id} is already in the store")]
    Duplicate {
        /// The stored credential's id.
        id: String,
    },
    /// A key with this id is already registered.
    #[error("holder key {id} is already in the store")]
    DuplicateKey {
        /// The key id (RFC 7638 thumbprint).
        id: String,
    },
    /// The credential's `cnf` key is not one of this store's holder keys, so the holder could
    /// never present it.
    #[error(
        "the credential is bound to a holder key this store does not hold: request it with a key from this store's new_holder_key"
    )]
    HolderKeyNotHeld,
    /// The credential failed verification on import (signature, issuer, validity, structure).
    /// The code is the verifier's own (`vc.*`, `sdjwt.*`, `jws.*`).
    #[error("credential rejected: {0}")]
    Credential(VcError),
    /// The credential is not in the form an issuer hands out (e.g. it carries a KB-JWT).
    #[error("credential is not in the issued form: {0}")]
    NotIssuedForm(&'static str),
    /// No credential with this id.
    #[error("no credential with this id in the store")]
    UnknownCredential,
    /// No holder key with this id.
    #[error("no holder key with this id in the store")]
    UnknownHolderKey,
    /// The holder key is still bound to a stored credential.
    #[error("the holder key is still used by a stored credential: remove the credential first")]
    HolderKeyInUse,
    /// The credential's holder key lives in secure hardware and no external signer was supplied.
    #[error(
        "the holder key is kept outside the store (secure hardware): supply the external signer"
    )]
    ExternalSignerRequired,
    /// Hardware-backed holder keys have no private part in the store to export.
    #[error("the holder key is kept outside the store (secure hardware) and cannot be exported")]
    KeyNotExportable,
    /// Signing with the holder key failed. The code is the key layer's.
    #[error("holder key signing failed: {0}")]
    Signer(KeyError),
    /// Building a presentation failed. The code is the presentation layer's.
    #[error("cannot build the presentation: {0}")]
    Present(VcError),
    /// The store holds as many items of this kind as it allows.
    #[error("store is full: at most {max} {what}; remove some first")]
    Full {
        /// `"credentials"` or `"holder keys"`.
        what: &'static str,
        /// The limit.
        max: usize,
    },
    /// An external key handle is empty or too long.
    #[error("invalid external key handle: {0}")]
    InvalidHandle(&'static str),
    /// Reading, writing or locking the file failed.
    #[error("cannot {op} the store: {error}")]
    Io {
        /// What was being done (`"read"`, `"write"`, `"lock"`).
        op: &'static str,
        /// The operating system's error.
        error: io::Error,
    },
}

impl StoreError {
    /// This error's row of the error table ([`crate::error`]): its stable code, kind and class.
    pub fn info(&self) -> &'static ErrorInfo {
        match self {
            Self::NotFound => &codes::STORE_NOT_FOUND,
            Self::AlreadyExists => &codes::STORE_EXISTS,
            Self::NotAStore => &codes::STORE_NOT_A_STORE,
            Self::Malformed(_) => &codes::STORE_MALFORMED,
            Self::Truncated => &codes::STORE_TRUNCATED,
            Self::TooLarge { .. } => &codes::STORE_TOO_LARGE,
            Self::NewerVersion { .. } => &codes::STORE_NEWER_VERSION,
            Self::KdfLimitsExceeded => &codes::STORE_KDF_LIMITS,
            Self::InvalidKdfParams(_) => &codes::STORE_INVALID_KDF_PARAMS,
            Self::EmptyPassphrase => &codes::STORE_EMPTY_PASSPHRASE,
            Self::WrongKey => &codes::STORE_WRONG_KEY,
            Self::Tampered => &codes::STORE_TAMPERED,
            Self::Corrupt(_) => &codes::STORE_CORRUPT,
            Self::Locked => &codes::STORE_LOCKED,
            Self::Rekeyed => &codes::STORE_REKEYED,
            Self::Duplicate { .. } => &codes::STORE_DUPLICATE,
            Self::DuplicateKey { .. } => &codes::STORE_DUPLICATE_KEY,
            Self::HolderKeyNotHeld => &codes::STORE_HOLDER_KEY_NOT_HELD,
            Self::Credential(e) => e.info(),
            Self::NotIssuedForm(_) => &codes::STORE_NOT_ISSUED_FORM,
            Self::UnknownCredential => &codes::STORE_UNKNOWN_CREDENTIAL,
            Self::UnknownHolderKey => &codes::STORE_UNKNOWN_HOLDER_KEY,
            Self::HolderKeyInUse => &codes::STORE_HOLDER_KEY_IN_USE,
            Self::ExternalSignerRequired => &codes::STORE_EXTERNAL_SIGNER_REQUIRED,
            Self::KeyNotExportable => &codes::STORE_KEY_NOT_EXPORTABLE,
            Self::Signer(e) => e.info(),
            Self::Present(e) => e.info(),
            Self::Full { .. } => &codes::STORE_FULL,
            Self::InvalidHandle(_) => &codes::STORE_INVALID_HANDLE,
            Self::Io { .. } => &codes::STORE_IO,
        }
    }

    /// Stable machine-readable code (lower layers' codes pass through unchanged).
    pub fn code(&self) -> &'static str {
        self.info().code
    }

    pub(crate) fn io(op: &'static str) -> impl FnOnce(io::Error) -> Self {
        move |error| Self::Io { op, error }
    }
}

impl ErrorCode for StoreError {
    fn info(&self) -> &'static ErrorInfo {
        StoreError::info(self)
    }
}
