//! The verifier's offline store of Status List Tokens (draft-ietf-oauth-status-list-20 §8,
//! §13.7 caching), so a verifier that downloaded the lists earlier can check statuses with no
//! network: one file per list URI in a directory (the CLI, which runs once per scan), or a map
//! in memory (an app that keeps a verifier open and hands it the tokens it fetched, e.g. through
//! the C FFI, where the app decides where bytes are kept).

use super::{MAX_TOKEN_BYTES, StatusError, StatusKeyResolver, StatusListJwt};
use crate::encoding::b64_encode;
use sha2::{Digest as _, Sha256};
use std::collections::HashMap;
use std::fs;
use std::io::{ErrorKind, Read as _};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

/// Status List Tokens keyed by their URI, in a directory or in memory. Tokens are verified when
/// stored (so a forged token cannot displace a real one) and again when used (the files may have
/// been changed on disk since). Clones share the same tokens.
#[derive(Debug, Clone)]
pub struct StatusCache {
    backend: Backend,
}

#[derive(Debug, Clone)]
enum Backend {
    Dir(PathBuf),
    // A mutex because `store` takes `&self` (as the directory backend does, where the file
    // system serialises writers) and a verifier may be shared between threads.
    Memory(Arc<Mutex<HashMap<String, String>>>),
}

impl StatusCache {
    /// Opens (creating if needed) the cache directory.
    pub fn open(dir: impl AsRef<Path>) -> Result<Self, StatusError> {
        let dir = dir.as_ref().to_path_buf();
        fs::create_dir_all(&dir).map_err(|e| StatusError::io(&e))?;
        Ok(Self {
            backend: Backend::Dir(dir),
        })
    }

    /// An empty cache kept in memory only, gone when the last clone is dropped.
    pub fn in_memory() -> Self {
        Self {
            backend: Backend::Memory(Arc::default()),
        }
    }

    /// The file holding the token for `uri`: the SHA-256 of the URI in base64url, so any URI
    /// maps to a safe, fixed-length file name (no path traversal through a crafted URI).
    fn path_for(dir: &Path, uri: &str) -> PathBuf {
        dir.join(format!(
            "{}.jwt",
            b64_encode(Sha256::digest(uri.as_bytes()))
        ))
    }

    /// Verifies `token` with a key from `keys` (the trust list) and stores it under its `sub`.
    /// A token issued before the one already cached is refused ([`StatusError::Rollback`]) so
    /// that a replayed old list cannot hide a later revocation. Returns the list URI.
    pub fn store(&self, token: &str, keys: &dyn StatusKeyResolver) -> Result<String, StatusError> {
        let token = token.trim();
        let jwt = StatusListJwt::parse(token)?;
        let key = keys.status_key(jwt.claims().iss.as_deref(), jwt.kid(), jwt.claims().iat)?;
        let verified = jwt.verify(&key)?;
        let uri = verified.claims.uri;
        if let Some(existing) = self.get(&uri)? {
            // The cached copy was verified when stored; its iat is only compared here.
            if let Ok(old) = StatusListJwt::parse(&existing) {
                if old.claims().iat > verified.claims.iat {
                    return Err(StatusError::Rollback);
                }
            }
        }
        match &self.backend {
            Backend::Dir(dir) => {
                crate::fsutil::write_atomic(&Self::path_for(dir, &uri), token.as_bytes(), 0o644)
                    .map_err(|e| StatusError::io(&e))?;
            }
            Backend::Memory(map) => {
                // A poisoned lock only means another thread panicked mid-insert of a whole
                // String; the map itself is still consistent.
                map.lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .insert(uri.clone(), token.to_owned());
            }
        }
        Ok(uri)
    }

    /// The cached token for `uri`, if any (not verified: [`super::check_status`] does that).
    /// Files larger than [`MAX_TOKEN_BYTES`] are refused before being read.
    pub fn get(&self, uri: &str) -> Result<Option<String>, StatusError> {
        let dir = match &self.backend {
            Backend::Dir(dir) => dir,
            Backend::Memory(map) => {
                let map = map.lock().unwrap_or_else(PoisonError::into_inner);
                return Ok(map.get(uri).cloned());
            }
        };
        let file = match fs::File::open(Self::path_for(dir, uri)) {
            Ok(f) => f,
            Err(e) if e.kind() == ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(StatusError::io(&e)),
        };
        let limit = u64::try_from(MAX_TOKEN_BYTES).unwrap_or(u64::MAX);
        let mut text = String::new();
        file.take(limit.saturating_add(1))
            .read_to_string(&mut text)
            .map_err(|e| StatusError::io(&e))?;
        if text.len() > MAX_TOKEN_BYTES {
            return Err(StatusError::TooLarge);
        }
        Ok(Some(text))
    }

    /// Removes the cached token for `uri` (no error if there was none).
    pub fn remove(&self, uri: &str) -> Result<(), StatusError> {
        let dir = match &self.backend {
            Backend::Dir(dir) => dir,
            Backend::Memory(map) => {
                map.lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .remove(uri);
                return Ok(());
            }
        };
        match fs::remove_file(Self::path_for(dir, uri)) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(()),
            Err(e) => Err(StatusError::io(&e)),
        }
    }
}
