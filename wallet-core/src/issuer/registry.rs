//! The issuer's status registry (draft-ietf-oauth-status-list-20 §4.1, §12.2, §13.2, §13.3):
//! allocates each new credential a free index chosen at random — so an index does not reveal
//! the order (or date) of issuance and neighbouring indices do not link credentials —, records
//! status changes, and publishes the signed Status List Token. It persists to one JSON file
//! replaced atomically, so a crash never leaves a half-written registry (which could re-issue
//! an index and make two credentials share one status, §13.3 "double allocation").
//!
//! Atomic replacement alone does not stop two processes from double-allocating: both load the
//! same state, both allocate, and the second save drops the first one's allocations. Every
//! process that changes a registry file therefore does its load → change → save under
//! [`StatusRegistry::lock`], an exclusive advisory lock on `<file>.lock` (the holder store's
//! mechanism, [`crate::fsutil::FileLock`]).

use crate::encoding::{b64_decode, b64_encode, parse_json_object};
use crate::format::keys::KeySigner;
use crate::fsutil::{FileLock, LockError};
use crate::status::{
    Bits, MAX_LIST_BYTES, StatusError, StatusList, StatusListClaims, StatusValue,
    sign_status_list_token_with_level, zlib_compress, zlib_decompress,
};
use rand_core::CryptoRngCore;
use serde_json::{Map, Value};
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// File format marker of a saved registry.
const FORMAT: &str = "wallet-status-registry";
/// Version of the saved registry format.
const VERSION: u64 = 1;
/// Random probes before falling back to a scan from a random start (only a nearly full list
/// needs the scan: at 90 % occupancy 64 probes all hit taken slots with probability 0.1 %).
const PROBES: u32 = 64;

/// How long a registry command waits by default for another process to release the registry
/// before failing with [`StatusError::RegistryLocked`]: several single issues or status changes
/// queue behind each other well within it, while a batch run (which holds the registry for its
/// whole duration) makes others fail with a clear error instead of hanging.
pub const REGISTRY_LOCK_TIMEOUT: Duration = Duration::from_secs(5);

/// The status of every credential an issuer put in one list, with the allocation state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusRegistry {
    uri: String,
    capacity: u64,
    list: StatusList,
    /// One bit per index: allocated or not (same LSB-first packing as a 1-bit status list).
    allocated: StatusList,
    allocated_count: u64,
}

/// A uniform random number below `bound` (> 0), by rejection sampling (no modulo bias).
fn uniform(rng: &mut dyn CryptoRngCore, bound: u64) -> u64 {
    // The largest multiple of `bound` that fits: values at or above it would bias the result.
    let zone = u64::MAX.wrapping_sub(u64::MAX.checked_rem(bound).unwrap_or(0));
    loop {
        let r = rng.next_u64();
        if r < zone {
            return r.checked_rem(bound).unwrap_or(0);
        }
    }
}

impl StatusRegistry {
    /// A new registry for the list at `uri` with `capacity` indices of `bits` bits each.
    pub fn new(uri: &str, bits: Bits, capacity: u64) -> Result<Self, StatusError> {
        if uri.is_empty() {
            return Err(StatusError::Malformed("uri is empty"));
        }
        if capacity == 0 {
            return Err(StatusError::Malformed("capacity is zero"));
        }
        Ok(Self {
            uri: uri.to_owned(),
            capacity,
            list: StatusList::new(bits, capacity)?,
            allocated: StatusList::new(Bits::One, capacity)?,
            allocated_count: 0,
        })
    }

    /// The list URI (`sub` of the token, `status.status_list.uri` of the credentials).
    pub fn uri(&self) -> &str {
        &self.uri
    }

    /// Number of indices this registry can allocate.
    pub fn capacity(&self) -> u64 {
        self.capacity
    }

    /// Number of indices allocated so far.
    pub fn allocated_count(&self) -> u64 {
        self.allocated_count
    }

    /// The status list as it would be published.
    pub fn list(&self) -> &StatusList {
        &self.list
    }

    fn is_allocated(&self, idx: u64) -> bool {
        self.allocated.get(idx) == Ok(StatusValue::INVALID)
    }

    fn mark(&mut self, idx: u64) -> Result<u64, StatusError> {
        self.allocated.set(idx, StatusValue(1))?;
        self.allocated_count = self.allocated_count.saturating_add(1);
        Ok(idx)
    }

    /// Allocates a free index at random (uniform among the free ones while the list is not
    /// nearly full). [`StatusError::RegistryFull`] when none is left.
    pub fn allocate(&mut self, rng: &mut dyn CryptoRngCore) -> Result<u64, StatusError> {
        if self.allocated_count >= self.capacity {
            return Err(StatusError::RegistryFull);
        }
        for _ in 0..PROBES {
            let idx = uniform(rng, self.capacity);
            if !self.is_allocated(idx) {
                return self.mark(idx);
            }
        }
        let start = uniform(rng, self.capacity);
        let mut idx = start;
        loop {
            if !self.is_allocated(idx) {
                return self.mark(idx);
            }
            idx = idx.saturating_add(1);
            if idx >= self.capacity {
                idx = 0;
            }
            if idx == start {
                return Err(StatusError::RegistryFull);
            }
        }
    }

    /// The status of an allocated index.
    pub fn status(&self, idx: u64) -> Result<StatusValue, StatusError> {
        self.check_allocated(idx)?;
        self.list.get(idx)
    }

    fn check_allocated(&self, idx: u64) -> Result<(), StatusError> {
        if idx >= self.capacity {
            return Err(StatusError::IndexOutOfRange);
        }
        if !self.is_allocated(idx) {
            return Err(StatusError::NotAllocated);
        }
        Ok(())
    }

    /// Sets the status of an allocated index: VALID (reinstate), INVALID (revoke), SUSPENDED,
    /// or an application value that fits the bits. Revocation is final: a revoked index cannot
    /// change again ([`StatusError::RevocationIsFinal`]).
    pub fn set_status(&mut self, idx: u64, value: StatusValue) -> Result<(), StatusError> {
        self.check_allocated(idx)?;
        let current = self.list.get(idx)?;
        if current == StatusValue::INVALID && value != StatusValue::INVALID {
            return Err(StatusError::RevocationIsFinal);
        }
        self.list.set(idx, value)
    }

    /// Signs the current list as a Status List Token with `iat = now`, `exp = now + validity`,
    /// `ttl`, `iss` = `issuer`, compressed at [`crate::status::COMPRESSION_LEVEL`].
    pub fn publish<S: KeySigner + ?Sized>(
        &self,
        issuer: &str,
        now: i64,
        validity: u64,
        ttl: Option<u64>,
        signer: &S,
    ) -> Result<String, StatusError> {
        self.publish_with_level(
            issuer,
            now,
            validity,
            ttl,
            crate::status::COMPRESSION_LEVEL,
            signer,
        )
    }

    /// [`Self::publish`] with an explicit zlib level (0–9).
    pub fn publish_with_level<S: KeySigner + ?Sized>(
        &self,
        issuer: &str,
        now: i64,
        validity: u64,
        ttl: Option<u64>,
        level: u32,
        signer: &S,
    ) -> Result<String, StatusError> {
        let claims = StatusListClaims {
            uri: self.uri.clone(),
            iss: Some(issuer.to_owned()),
            iat: now,
            exp: Some(now.saturating_add(i64::try_from(validity).unwrap_or(i64::MAX))),
            ttl,
            aggregation_uri: None,
        };
        sign_status_list_token_with_level(&claims, &self.list, level, signer)
    }

    /// The registry file: a JSON object with `format`, `version`, `uri`, `bits`, `capacity`,
    /// `allocated_count`, `statuses` and `allocated` (both base64url of zlib byte arrays).
    pub fn to_json(&self) -> Value {
        // The file is the agency's working copy, rewritten at every block of reserved indices
        // during batch issuance, not the published token: the fastest zlib level keeps those
        // saves off the critical path (level 6 took ~12% of a batch run in a profile).
        const FILE_LEVEL: u32 = 1;
        let mut map = Map::new();
        map.insert("format".into(), Value::from(FORMAT));
        map.insert("version".into(), Value::from(VERSION));
        map.insert("uri".into(), Value::from(self.uri.as_str()));
        map.insert("bits".into(), Value::from(self.list.bits().get()));
        map.insert("capacity".into(), Value::from(self.capacity));
        map.insert("allocated_count".into(), Value::from(self.allocated_count));
        map.insert(
            "statuses".into(),
            Value::from(b64_encode(zlib_compress(self.list.as_bytes(), FILE_LEVEL))),
        );
        map.insert(
            "allocated".into(),
            Value::from(b64_encode(zlib_compress(
                self.allocated.as_bytes(),
                FILE_LEVEL,
            ))),
        );
        Value::Object(map)
    }

    /// Reads a registry file's JSON, checking every invariant: sizes match the capacity, the
    /// allocation count matches the bitmap, and no unallocated index has a status.
    pub fn from_json_bytes(bytes: &[u8]) -> Result<Self, StatusError> {
        let obj = parse_json_object(bytes)
            .map_err(|_| StatusError::Malformed("registry is not a JSON object"))?;
        if obj.get("format").and_then(Value::as_str) != Some(FORMAT)
            || obj.get("version").and_then(Value::as_u64) != Some(VERSION)
        {
            return Err(StatusError::Malformed("not a version 1 status registry"));
        }
        let uri = obj
            .get("uri")
            .and_then(Value::as_str)
            .ok_or(StatusError::Malformed("uri is not a string"))?;
        let bits = obj
            .get("bits")
            .and_then(Value::as_u64)
            .ok_or(StatusError::Malformed("bits is not an integer"))
            .and_then(Bits::from_u64)?;
        let capacity = obj
            .get("capacity")
            .and_then(Value::as_u64)
            .ok_or(StatusError::Malformed("capacity is not an integer"))?;
        let count = obj
            .get("allocated_count")
            .and_then(Value::as_u64)
            .ok_or(StatusError::Malformed("allocated_count is not an integer"))?;
        let mut registry = Self::new(uri, bits, capacity)?;
        let array = |name: &'static str, expected: usize| -> Result<Vec<u8>, StatusError> {
            let text = obj
                .get(name)
                .and_then(Value::as_str)
                .ok_or(StatusError::Malformed("a byte array is not a string"))?;
            let compressed =
                b64_decode(text).map_err(|_| StatusError::Malformed("not base64url"))?;
            let bytes = zlib_decompress(&compressed, expected)?;
            if bytes.len() != expected {
                return Err(StatusError::Malformed(
                    "byte array length does not match capacity",
                ));
            }
            Ok(bytes)
        };
        let statuses = array("statuses", registry.list.as_bytes().len())?;
        let allocated = array("allocated", registry.allocated.as_bytes().len())?;
        registry.list = StatusList::from_bytes(bits, statuses)?;
        registry.allocated = StatusList::from_bytes(Bits::One, allocated)?;
        let popcount: u64 = registry
            .allocated
            .as_bytes()
            .iter()
            .map(|b| u64::from(b.count_ones()))
            .sum();
        if popcount != count {
            return Err(StatusError::Malformed(
                "allocated_count does not match the bitmap",
            ));
        }
        registry.allocated_count = count;
        // Padding entries past the capacity and unallocated entries must be VALID. Only the
        // non-zero status bytes need a closer look, which keeps this fast on large lists.
        let per_byte = u64::from(8u8.checked_div(bits.get()).unwrap_or(1));
        for (byte, value) in registry.list.as_bytes().iter().enumerate() {
            if *value == 0 {
                continue;
            }
            let first = u64::try_from(byte)
                .unwrap_or(u64::MAX)
                .saturating_mul(per_byte);
            for idx in first..first.saturating_add(per_byte) {
                if (idx >= capacity || !registry.is_allocated(idx))
                    && registry.list.get(idx)? != StatusValue::VALID
                {
                    return Err(StatusError::Malformed("an unallocated index has a status"));
                }
            }
        }
        Ok(registry)
    }

    /// Saves the registry atomically (temporary file, fsync, rename; mode 0600 because the
    /// allocation state is the issuer's private bookkeeping). A file other processes may change
    /// too is saved through [`RegistryLock::save`] instead, after loading under the same lock.
    pub fn save(&self, path: &Path) -> Result<(), StatusError> {
        let bytes = serde_json::to_vec(&self.to_json())
            .map_err(|_| StatusError::Malformed("registry could not be serialised"))?;
        crate::fsutil::write_atomic(path, &bytes, 0o600).map_err(|e| StatusError::io(&e))
    }

    /// Loads a registry saved by [`Self::save`], refusing files larger than the largest
    /// possible registry before reading them.
    pub fn load(path: &Path) -> Result<Self, StatusError> {
        let file = std::fs::File::open(path).map_err(|e| StatusError::io(&e))?;
        // Two compressed arrays of at most MAX_LIST_BYTES each, in base64: a generous bound.
        let limit = u64::try_from(MAX_LIST_BYTES)
            .unwrap_or(u64::MAX)
            .saturating_mul(4);
        let mut bytes = Vec::new();
        file.take(limit.saturating_add(1))
            .read_to_end(&mut bytes)
            .map_err(|e| StatusError::io(&e))?;
        if u64::try_from(bytes.len()).unwrap_or(u64::MAX) > limit {
            return Err(StatusError::TooLarge);
        }
        Self::from_json_bytes(&bytes)
    }

    /// Takes the exclusive lock on the registry file at `path` (the lock file `<path>.lock`,
    /// created if missing, never deleted), waiting up to `timeout` (zero: one attempt) for
    /// another process to release it; [`StatusError::RegistryLocked`] if it is still held then.
    /// Then deletes the temporary files a writer killed before its rename left beside the file.
    ///
    /// Hold the returned lock from before [`RegistryLock::load`] until after the last
    /// [`RegistryLock::save`] of a change (and whatever must be ordered with it, such as the
    /// issuance log): that is what keeps two processes from handing out one index twice or
    /// losing a revocation. Released on drop, or by the kernel when the process dies.
    pub fn lock(path: &Path, timeout: Duration) -> Result<RegistryLock, StatusError> {
        let lock = FileLock::acquire(&FileLock::path_for(path), timeout).map_err(|e| match e {
            LockError::Busy => StatusError::RegistryLocked,
            LockError::Io(e) => StatusError::io(&e),
        })?;
        // Every writer of the registry file holds this lock, so no temporary file of it is in
        // use now: any left is an orphan.
        crate::fsutil::remove_orphaned_temp_files(path);
        Ok(RegistryLock {
            path: path.to_owned(),
            _lock: lock,
        })
    }
}

/// Exclusive hold on one registry file, from [`StatusRegistry::lock`]; dropping it releases the
/// registry to other processes. It can be sent to another thread (batch issuance allocates on
/// its reader thread).
#[derive(Debug)]
pub struct RegistryLock {
    path: PathBuf,
    _lock: FileLock,
}

impl RegistryLock {
    /// The registry file this lock guards.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Loads the registry file ([`StatusRegistry::load`]); under the lock it is the latest
    /// state and stays so until this lock saves.
    pub fn load(&self) -> Result<StatusRegistry, StatusError> {
        StatusRegistry::load(&self.path)
    }

    /// Saves `registry` atomically as the registry file ([`StatusRegistry::save`]).
    pub fn save(&self, registry: &StatusRegistry) -> Result<(), StatusError> {
        registry.save(&self.path)
    }
}
