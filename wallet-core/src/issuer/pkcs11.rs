//! Issuer keys in hardware: a [`KeySigner`] whose private key stays inside a PKCS#11 token (an
//! HSM in production, SoftHSM2 in tests), named by an RFC 7512 PKCS#11 URI
//! (`pkcs11:token=…;object=…`). Credentials, Status List Tokens and trust lists are signed through
//! it exactly as with a key file; the private key never leaves the token.
//!
//! Mechanisms (PKCS#11 3.0): Ed25519 with `CKM_EDDSA` over the JWS signing input; P-256 with
//! `CKM_ECDSA` over our SHA-256 digest of it (the token returns r‖s, the JWS form). SM2 is
//! refused with [`HsmError::MechanismNotSupported`]: PKCS#11 defines no SM2 mechanism, only
//! vendors do; a Chinese cryptographic module is reached through GM/T 0018 (SDF) instead, a
//! second implementation of [`KeySigner`] beside this one (docs/keys.md).
//!
//! The module is loaded with `cryptoki` (a maintained binding of the PKCS#11 C API; the module
//! itself is the vendor's shared library). Sessions are pooled: signing takes a free session or
//! opens one, so several threads sign at once (one PKCS#11 session serves one operation at a
//! time). The PIN is taken as an argument of [`Pkcs11Signer::open`], never from a URI
//! (`pin-value` is refused) and never logged.

use std::path::Path;
use std::sync::{Arc, Condvar, Mutex};

use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::error::{Error as CkError, RvError};
use cryptoki::mechanism::Mechanism;
use cryptoki::mechanism::eddsa::{EddsaParams, EddsaSignatureScheme};
use cryptoki::object::{Attribute, AttributeType, KeyType, ObjectClass, ObjectHandle};
use cryptoki::session::{Session, UserType};
use cryptoki::slot::Slot;
use cryptoki::types::AuthPin;
use sha2::{Digest as _, Sha256};

use crate::error::{ErrorCode, ErrorInfo, codes};
use crate::format::keys::{Algorithm, KeyError, KeySigner, PublicKey};

/// DER of the P-256 curve OID (1.2.840.10045.3.1.7), `CKA_EC_PARAMS` of a P-256 key.
const P256_PARAMS: &[u8] = &[0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
/// DER of the Ed25519 OID (1.3.101.112, RFC 8410), `CKA_EC_PARAMS` of an Ed25519 key.
const ED25519_PARAMS: &[u8] = &[0x06, 0x03, 0x2b, 0x65, 0x70];
/// DER PrintableString "edwards25519", the other `CKA_EC_PARAMS` PKCS#11 3.0 allows for it.
const ED25519_NAME_PARAMS: &[u8] = b"\x13\x0cedwards25519";

/// Errors of the PKCS#11 signer, each with a stable `hsm.*` code. Messages name the token or
/// object as the URI gave them and say what to do; they never hold the PIN.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum HsmError {
    /// The PKCS#11 URI is malformed or asks for something this signer does not do.
    #[error("PKCS#11 URI: {0}")]
    Uri(String),
    /// The PKCS#11 module (shared library) cannot be loaded or initialised.
    #[error("cannot load the PKCS#11 module: {0}")]
    Module(String),
    /// No slot holds a token matching the URI.
    #[error(
        "no PKCS#11 token matches {0}: check the token label (softhsm2-util --show-slots, or the HSM's tool)"
    )]
    TokenNotFound(String),
    /// The token holds no private key matching the URI, or more than one.
    #[error("{0}")]
    ObjectNotFound(String),
    /// The PIN was refused.
    #[error(
        "the token refused the PIN: check WALLET_PKCS11_PIN (the token locks after repeated failures)"
    )]
    WrongPin,
    /// The PIN is locked after too many failures.
    #[error("the token's user PIN is locked: the security officer must unlock or reset it")]
    PinLocked,
    /// The token cannot sign with the key's algorithm (or the key's type is not Ed25519/P-256).
    #[error("mechanism not supported: {0}")]
    MechanismNotSupported(String),
    /// The token was removed or the device stopped answering.
    #[error(
        "the PKCS#11 token was removed or stopped answering: reconnect it and run the command again (a batch resumes)"
    )]
    TokenRemoved,
    /// A key with this label or id already exists: generation never overwrites one.
    #[error(
        "the token already holds a key named {0}: choose another object name (keys are never overwritten)"
    )]
    KeyExists(String),
    /// Any other PKCS#11 failure (the return value's name).
    #[error("PKCS#11 call {function} failed: {rv}")]
    Failed {
        /// The PKCS#11 function.
        function: String,
        /// The return value's name.
        rv: String,
    },
}

impl HsmError {
    /// This error's row of the error table ([`crate::error`]).
    pub fn info(&self) -> &'static ErrorInfo {
        match self {
            Self::Uri(_) => &codes::HSM_URI,
            Self::Module(_) => &codes::HSM_MODULE,
            Self::TokenNotFound(_) => &codes::HSM_TOKEN_NOT_FOUND,
            Self::ObjectNotFound(_) => &codes::HSM_OBJECT_NOT_FOUND,
            Self::WrongPin => &codes::HSM_WRONG_PIN,
            Self::PinLocked => &codes::HSM_PIN_LOCKED,
            Self::MechanismNotSupported(_) => &codes::HSM_MECHANISM_NOT_SUPPORTED,
            Self::TokenRemoved => &codes::HSM_TOKEN_REMOVED,
            Self::KeyExists(_) => &codes::HSM_KEY_EXISTS,
            Self::Failed { .. } => &codes::HSM_FAILED,
        }
    }

    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        self.info().code
    }
}

impl ErrorCode for HsmError {
    fn info(&self) -> &'static ErrorInfo {
        HsmError::info(self)
    }
}

fn ck(e: CkError) -> HsmError {
    match e {
        CkError::Pkcs11(rv, function) => match rv {
            RvError::PinIncorrect | RvError::PinInvalid | RvError::PinLenRange => HsmError::WrongPin,
            RvError::PinLocked => HsmError::PinLocked,
            RvError::DeviceRemoved
            | RvError::TokenNotPresent
            | RvError::DeviceError
            | RvError::SessionClosed
            | RvError::SessionHandleInvalid
            | RvError::TokenNotRecognized
            // The key's handle stopped being valid: its token (or the key) went away.
            | RvError::ObjectHandleInvalid
            | RvError::KeyHandleInvalid => HsmError::TokenRemoved,
            RvError::MechanismInvalid | RvError::MechanismParamInvalid | RvError::KeyTypeInconsistent => {
                HsmError::MechanismNotSupported(format!("{function:?}: {rv:?}"))
            }
            rv => HsmError::Failed {
                function: format!("{function:?}"),
                rv: format!("{rv:?}"),
            },
        },
        CkError::LibraryLoading(e) => HsmError::Module(e.to_string()),
        other => HsmError::Failed {
            function: "cryptoki".into(),
            rv: other.to_string(),
        },
    }
}

/// An RFC 7512 PKCS#11 URI, as far as a signer needs it: which token, which key.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Pkcs11Uri {
    /// `token`: the token label.
    pub token: Option<String>,
    /// `serial`: the token serial number.
    pub serial: Option<String>,
    /// `object`: the key label (`CKA_LABEL`).
    pub object: Option<String>,
    /// `id`: the key id (`CKA_ID`), raw bytes.
    pub id: Option<Vec<u8>>,
}

impl Pkcs11Uri {
    /// Parses `pkcs11:` URIs (RFC 7512 §2.3): path attributes separated by `;`, values
    /// percent-decoded. `type` must be `private` if given; `pin-value` and `pin-source` are
    /// refused (the PIN is never part of an argument); other query attributes are ignored.
    ///
    /// # Errors
    ///
    /// [`HsmError::Uri`] naming the attribute.
    pub fn parse(text: &str) -> Result<Self, HsmError> {
        let rest = text
            .strip_prefix("pkcs11:")
            .ok_or_else(|| HsmError::Uri("it does not start with pkcs11:".into()))?;
        let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
        let mut uri = Self::default();
        for part in path.split(';').filter(|p| !p.is_empty()) {
            let (name, value) = part
                .split_once('=')
                .ok_or_else(|| HsmError::Uri("a path attribute has no '='".into()))?;
            let value = percent_decode(value)?;
            let text = || {
                String::from_utf8(value.clone())
                    .map_err(|_| HsmError::Uri(format!("{name} is not UTF-8")))
            };
            match name {
                "token" => uri.token = Some(text()?),
                "serial" => uri.serial = Some(text()?),
                "object" => uri.object = Some(text()?),
                "id" => uri.id = Some(value),
                "type" if value == b"private" => {}
                "type" => {
                    return Err(HsmError::Uri(
                        "type must be private (the signing key)".into(),
                    ));
                }
                "manufacturer"
                | "model"
                | "library-manufacturer"
                | "library-description"
                | "library-version"
                | "slot-description"
                | "slot-manufacturer"
                | "slot-id" => {
                    return Err(HsmError::Uri(format!(
                        "the attribute {name} is not supported: name the token by token= (and serial=)"
                    )));
                }
                _ => return Err(HsmError::Uri("an unknown path attribute".into())),
            }
        }
        for part in query.split('&').filter(|p| !p.is_empty()) {
            let name = part.split_once('=').map_or(part, |(n, _)| n);
            if name == "pin-value" || name == "pin-source" {
                return Err(HsmError::Uri(
                    "the PIN is never part of the URI: set WALLET_PKCS11_PIN or answer the prompt"
                        .into(),
                ));
            }
        }
        if uri.token.is_none() {
            return Err(HsmError::Uri("token= is required".into()));
        }
        if uri.object.is_none() && uri.id.is_none() {
            return Err(HsmError::Uri("object= or id= is required".into()));
        }
        Ok(uri)
    }

    fn describe(&self) -> String {
        let mut s = String::from("pkcs11:");
        if let Some(t) = &self.token {
            s.push_str(&format!("token={}", t.escape_debug()));
        }
        if let Some(o) = &self.object {
            s.push_str(&format!(";object={}", o.escape_debug()));
        }
        if let Some(id) = &self.id {
            s.push_str(";id=");
            for b in id {
                s.push_str(&format!("%{b:02x}"));
            }
        }
        s
    }

    fn key_template(&self, class: ObjectClass) -> Vec<Attribute> {
        let mut t = vec![Attribute::Class(class)];
        if let Some(o) = &self.object {
            t.push(Attribute::Label(o.as_bytes().to_vec()));
        }
        if let Some(id) = &self.id {
            t.push(Attribute::Id(id.clone()));
        }
        t
    }
}

fn percent_decode(s: &str) -> Result<Vec<u8>, HsmError> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let hex = bytes
                .get(i.saturating_add(1)..i.saturating_add(3))
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or_else(|| HsmError::Uri("a bad %-escape".into()))?;
            out.push(hex);
            i = i.saturating_add(3);
        } else {
            out.push(b);
            i = i.saturating_add(1);
        }
    }
    Ok(out)
}

/// A loaded, initialised PKCS#11 module (one per process and library).
#[derive(Clone)]
pub struct Pkcs11Module {
    ctx: Arc<Pkcs11>,
}

impl std::fmt::Debug for Pkcs11Module {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pkcs11Module").finish_non_exhaustive()
    }
}

impl Pkcs11Module {
    /// Loads the module's shared library and initialises it for use from several threads.
    ///
    /// # Errors
    ///
    /// [`HsmError::Module`].
    pub fn load(path: &Path) -> Result<Self, HsmError> {
        let ctx = Pkcs11::new(path).map_err(|e| HsmError::Module(e.to_string()))?;
        ctx.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK))
            .map_err(|e| HsmError::Module(e.to_string()))?;
        Ok(Self { ctx: Arc::new(ctx) })
    }

    fn slot(&self, uri: &Pkcs11Uri) -> Result<Slot, HsmError> {
        for slot in self.ctx.get_slots_with_token().map_err(ck)? {
            let info = self.ctx.get_token_info(slot).map_err(ck)?;
            let label_ok = uri
                .token
                .as_deref()
                .is_none_or(|t| info.label().trim_end() == t);
            let serial_ok = uri
                .serial
                .as_deref()
                .is_none_or(|s| info.serial_number().trim_end() == s);
            if label_ok && serial_ok {
                return Ok(slot);
            }
        }
        Err(HsmError::TokenNotFound(uri.describe()))
    }

    fn logged_in(&self, slot: Slot, pin: &str, rw: bool) -> Result<Session, HsmError> {
        let session = if rw {
            self.ctx.open_rw_session(slot)
        } else {
            self.ctx.open_ro_session(slot)
        }
        .map_err(ck)?;
        match session.login(UserType::User, Some(&AuthPin::from(pin.to_owned()))) {
            Ok(()) | Err(CkError::Pkcs11(RvError::UserAlreadyLoggedIn, _)) => Ok(session),
            Err(e) => Err(ck(e)),
        }
    }
}

/// What the token says about a private key's custody (RFC-independent PKCS#11 attributes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Custody {
    /// `CKA_EXTRACTABLE`: whether the key may leave the token (wrapped).
    pub extractable: bool,
    /// `CKA_SENSITIVE`: whether its value is ever revealed in plaintext.
    pub sensitive: bool,
    /// `CKA_NEVER_EXTRACTABLE`: whether it has never been extractable.
    pub never_extractable: bool,
    /// Whether asking the token for the private value (`CKA_VALUE`) returned it.
    pub value_readable: bool,
}

/// Most sessions one signer opens: a token's session limit must not turn into a signing
/// failure (which stops a batch); more threads than this wait for a free session.
const MAX_SESSIONS: usize = 16;

/// The signer's sessions: idle ones, and how many are open (idle or signing).
struct Pool {
    idle: Vec<Session>,
    open: usize,
}

/// A signer whose private key is in a PKCS#11 token.
pub struct Pkcs11Signer {
    module: Pkcs11Module,
    slot: Slot,
    key: ObjectHandle,
    public: PublicKey,
    algorithm: Algorithm,
    /// The session that logged in, kept open and unused for the signer's life: PKCS#11 logs
    /// the application out when its last session closes, and a signing session that failed is
    /// closed.
    _login: Mutex<Session>,
    pool: Mutex<Pool>,
    freed: Condvar,
}

impl std::fmt::Debug for Pkcs11Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pkcs11Signer")
            .field("algorithm", &self.algorithm)
            .field("kid", &self.public.thumbprint())
            .finish_non_exhaustive()
    }
}

/// The algorithm of a key with `CKA_KEY_TYPE` and `CKA_EC_PARAMS`.
fn algorithm_of(key_type: KeyType, params: &[u8]) -> Result<Algorithm, HsmError> {
    if key_type == KeyType::EC_EDWARDS
        && (params == ED25519_PARAMS || params == ED25519_NAME_PARAMS)
    {
        Ok(Algorithm::EdDsa)
    } else if key_type == KeyType::EC && params == P256_PARAMS {
        Ok(Algorithm::Es256)
    } else {
        Err(HsmError::MechanismNotSupported(
            "the key is neither Ed25519 nor P-256 (SM2 keys in PKCS#11 tokens use vendor mechanisms; see docs/keys.md)"
                .into(),
        ))
    }
}

/// The public key from `CKA_EC_POINT`: a DER OCTET STRING of the point (PKCS#11 3.0; some
/// tokens give the bare point): 32 bytes for Ed25519, `04‖x‖y` for P-256.
fn public_from_point(algorithm: Algorithm, point: &[u8]) -> Result<PublicKey, HsmError> {
    let raw = match (algorithm, point) {
        (Algorithm::EdDsa, [0x04, 0x20, rest @ ..]) if rest.len() == 32 => rest,
        (Algorithm::EdDsa, bare) if bare.len() == 32 => bare,
        (_, [0x04, 0x41, 0x04, rest @ ..]) if rest.len() == 64 => rest,
        (_, [0x04, rest @ ..]) if rest.len() == 64 => rest,
        _ => {
            return Err(HsmError::MechanismNotSupported(
                "the token's public key point has an unexpected form".into(),
            ));
        }
    };
    PublicKey::from_raw(algorithm, raw).map_err(|_| {
        HsmError::MechanismNotSupported("the token's public key is not a valid point".into())
    })
}

impl Pkcs11Signer {
    /// Opens the key the URI names in `module`, logging in with `pin`.
    ///
    /// # Errors
    ///
    /// [`HsmError`]: the token or key is missing (or the URI names several keys), the PIN is
    /// wrong or locked, the key is neither Ed25519 nor P-256.
    pub fn open(module: &Pkcs11Module, uri: &Pkcs11Uri, pin: &str) -> Result<Self, HsmError> {
        let slot = module.slot(uri)?;
        let session = module.logged_in(slot, pin, false)?;
        let found = session
            .find_objects(&uri.key_template(ObjectClass::PRIVATE_KEY))
            .map_err(ck)?;
        let key = match found.as_slice() {
            [one] => *one,
            [] => {
                return Err(HsmError::ObjectNotFound(format!(
                    "the token holds no private key matching {}: create it with `wallet key generate --pkcs11 URI`",
                    uri.describe()
                )));
            }
            _ => {
                return Err(HsmError::ObjectNotFound(format!(
                    "{} names {} private keys: add id= to name one",
                    uri.describe(),
                    found.len()
                )));
            }
        };
        let attrs = session
            .get_attributes(key, &[AttributeType::KeyType, AttributeType::EcParams])
            .map_err(ck)?;
        let mut key_type = None;
        let mut params = Vec::new();
        for a in attrs {
            match a {
                Attribute::KeyType(t) => key_type = Some(t),
                Attribute::EcParams(p) => params = p,
                _ => {}
            }
        }
        let key_type = key_type
            .ok_or_else(|| HsmError::MechanismNotSupported("the key has no key type".into()))?;
        let algorithm = algorithm_of(key_type, &params)?;
        let public_keys = session
            .find_objects(&uri.key_template(ObjectClass::PUBLIC_KEY))
            .map_err(ck)?;
        let public_handle = public_keys.first().copied().ok_or_else(|| {
            HsmError::ObjectNotFound(format!(
                "the token holds the private key of {} but not its public key",
                uri.describe()
            ))
        })?;
        let point = session
            .get_attributes(public_handle, &[AttributeType::EcPoint])
            .map_err(ck)?
            .into_iter()
            .find_map(|a| match a {
                Attribute::EcPoint(p) => Some(p),
                _ => None,
            })
            .ok_or_else(|| HsmError::ObjectNotFound("the public key has no EC point".into()))?;
        let public = public_from_point(algorithm, &point)?;
        let signer = Self {
            module: module.clone(),
            slot,
            key,
            public,
            algorithm,
            _login: Mutex::new(session),
            pool: Mutex::new(Pool {
                idle: Vec::new(),
                open: 0,
            }),
            freed: Condvar::new(),
        };
        // One signature now: a token that cannot do the mechanism fails here, not mid-batch,
        // and a key pair whose halves do not match is caught.
        let probe = b"cn-wallet pkcs11 probe";
        let signature = signer.sign_raw(probe)?;
        if !signer.public.verify(probe, &signature) {
            return Err(HsmError::ObjectNotFound(format!(
                "the public key found for {} does not verify its private key's signature",
                uri.describe()
            )));
        }
        Ok(signer)
    }

    /// Generates a new key pair of `algorithm` inside the token: the private key sensitive and
    /// not extractable, both halves labelled and identified as the URI says. Never overwrites:
    /// a key already matching the URI is [`HsmError::KeyExists`].
    ///
    /// # Errors
    ///
    /// [`HsmError`], including [`HsmError::MechanismNotSupported`] for SM2.
    pub fn generate(
        module: &Pkcs11Module,
        uri: &Pkcs11Uri,
        pin: &str,
        algorithm: Algorithm,
    ) -> Result<PublicKey, HsmError> {
        let (mechanism, params) = match algorithm {
            Algorithm::EdDsa => (Mechanism::EccEdwardsKeyPairGen, ED25519_PARAMS),
            Algorithm::Es256 => (Mechanism::EccKeyPairGen, P256_PARAMS),
            _ => {
                return Err(HsmError::MechanismNotSupported(
                    "PKCS#11 defines no SM2 key generation (vendor mechanisms only; docs/keys.md)"
                        .into(),
                ));
            }
        };
        let slot = module.slot(uri)?;
        let session = module.logged_in(slot, pin, true)?;
        let exists = !session
            .find_objects(&uri.key_template(ObjectClass::PRIVATE_KEY))
            .map_err(ck)?
            .is_empty();
        if exists {
            return Err(HsmError::KeyExists(uri.describe()));
        }
        let mut public_template = vec![
            Attribute::Token(true),
            Attribute::Private(false),
            Attribute::Verify(true),
            Attribute::EcParams(params.to_vec()),
        ];
        let mut private_template = vec![
            Attribute::Token(true),
            Attribute::Private(true),
            Attribute::Sensitive(true),
            Attribute::Extractable(false),
            Attribute::Sign(true),
        ];
        for template in [&mut public_template, &mut private_template] {
            if let Some(o) = &uri.object {
                template.push(Attribute::Label(o.as_bytes().to_vec()));
            }
            if let Some(id) = &uri.id {
                template.push(Attribute::Id(id.clone()));
            }
        }
        session
            .generate_key_pair(&mechanism, &public_template, &private_template)
            .map_err(ck)?;
        drop(session);
        Ok(Self::open(module, uri, pin)?.public)
    }

    /// The private key's custody attributes, and whether the token hands out its value.
    ///
    /// # Errors
    ///
    /// [`HsmError`] when the token cannot be asked.
    pub fn custody(&self) -> Result<Custody, HsmError> {
        let session = self.session()?;
        let attrs = session
            .get_attributes(
                self.key,
                &[
                    AttributeType::Extractable,
                    AttributeType::Sensitive,
                    AttributeType::NeverExtractable,
                ],
            )
            .map_err(ck)?;
        let mut custody = Custody {
            extractable: true,
            sensitive: false,
            never_extractable: false,
            value_readable: false,
        };
        for a in attrs {
            match a {
                Attribute::Extractable(v) => custody.extractable = v,
                Attribute::Sensitive(v) => custody.sensitive = v,
                Attribute::NeverExtractable(v) => custody.never_extractable = v,
                _ => {}
            }
        }
        custody.value_readable = session
            .get_attributes(self.key, &[AttributeType::Value])
            .is_ok_and(|values| {
                values
                    .iter()
                    .any(|a| matches!(a, Attribute::Value(v) if !v.is_empty()))
            });
        self.give_back(session);
        Ok(custody)
    }

    /// An idle session, or a new one while fewer than [`MAX_SESSIONS`] are open, or the next
    /// one freed.
    fn session(&self) -> Result<Session, HsmError> {
        let poisoned = || HsmError::Failed {
            function: "session pool".into(),
            rv: "a signing thread panicked".into(),
        };
        let mut pool = self.pool.lock().map_err(|_| poisoned())?;
        loop {
            if let Some(s) = pool.idle.pop() {
                return Ok(s);
            }
            if pool.open < MAX_SESSIONS {
                pool.open = pool.open.saturating_add(1);
                drop(pool);
                // The user is logged in for the whole application: a new session needs no PIN.
                return self.module.ctx.open_ro_session(self.slot).map_err(|e| {
                    self.discard();
                    ck(e)
                });
            }
            pool = self.freed.wait(pool).map_err(|_| poisoned())?;
        }
    }

    fn give_back(&self, session: Session) {
        if let Ok(mut pool) = self.pool.lock() {
            pool.idle.push(session);
        }
        self.freed.notify_one();
    }

    /// Forgets a session that was closed (failed) or never opened.
    fn discard(&self) {
        if let Ok(mut pool) = self.pool.lock() {
            pool.open = pool.open.saturating_sub(1);
        }
        self.freed.notify_one();
    }

    fn sign_raw(&self, message: &[u8]) -> Result<[u8; 64], HsmError> {
        let session = self.session()?;
        let result = match self.algorithm {
            Algorithm::EdDsa => session.sign(
                &Mechanism::Eddsa(EddsaParams::new(EddsaSignatureScheme::Pure)),
                self.key,
                message,
            ),
            _ => session.sign(&Mechanism::Ecdsa, self.key, &Sha256::digest(message)),
        };
        match result {
            Ok(signature) => {
                self.give_back(session);
                signature
                    .as_slice()
                    .try_into()
                    .map_err(|_| HsmError::Failed {
                        function: "C_Sign".into(),
                        rv: "the signature is not 64 bytes".into(),
                    })
            }
            Err(e) => {
                // A session whose operation failed is closed, not pooled.
                drop(session);
                self.discard();
                Err(ck(e))
            }
        }
    }
}

impl KeySigner for Pkcs11Signer {
    fn key_algorithm(&self) -> Algorithm {
        self.algorithm
    }

    fn public(&self) -> PublicKey {
        self.public.clone()
    }

    fn sign_message(&self, message: &[u8]) -> Result<[u8; 64], KeyError> {
        self.sign_raw(message)
            .map_err(|e| KeyError::SignerFailed(format!("{e} ({})", e.code())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_read_as_rfc_7512_says() {
        let uri =
            Pkcs11Uri::parse("pkcs11:token=Agency%20HSM;object=issuer-2026;id=%01%ff;type=private")
                .unwrap();
        assert_eq!(uri.token.as_deref(), Some("Agency HSM"));
        assert_eq!(uri.object.as_deref(), Some("issuer-2026"));
        assert_eq!(uri.id.as_deref(), Some(&[0x01, 0xff][..]));
        for (bad, why) in [
            ("file:key.pem", "pkcs11:"),
            ("pkcs11:object=x", "token="),
            ("pkcs11:token=t", "object= or id="),
            (
                "pkcs11:token=t;object=x?pin-value=1234",
                "never part of the URI",
            ),
            (
                "pkcs11:token=t;object=x;type=public",
                "type must be private",
            ),
            ("pkcs11:token=t;object=x%2", "%-escape"),
            ("pkcs11:token=t;objekt=x", "unknown"),
        ] {
            let e = Pkcs11Uri::parse(bad).unwrap_err();
            assert_eq!(e.code(), "hsm.uri");
            assert!(e.to_string().contains(why), "{bad}: {e}");
        }
    }
}
