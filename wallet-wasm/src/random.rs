//! Randomness without the host: the page hands the module random bytes (`seed_random`, from
//! `crypto.getRandomValues` in a browser or `wx.getRandomValues` in a WeChat mini-program),
//! which seed a ChaCha20 generator here. Everything random the module does — a challenge, the
//! nonce of an offline code — draws from it, and getrandom's `custom` backend is registered to
//! draw from it too, so no dependency can reach for a browser API the mini-program runtime lacks.
//! Before the first seed, randomness is refused (`wasm.not_seeded`), never made up.

use crate::envelope::{ApiError, INVALID_ARGUMENT, NOT_SEEDED};
use rand_chacha::ChaCha20Rng;
use rand_core::{RngCore as _, SeedableRng as _};
use sha2::{Digest as _, Sha256};
use std::sync::{Mutex, MutexGuard, PoisonError};
use zeroize::Zeroize as _;

/// Fewest bytes a seed may have: 256 bits.
pub const MIN_SEED: usize = 32;

static POOL: Mutex<Option<ChaCha20Rng>> = Mutex::new(None);

fn pool() -> MutexGuard<'static, Option<ChaCha20Rng>> {
    // The generator's state stays valid whatever a panicking holder was doing.
    POOL.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Mixes `bytes` into the generator (SHA-256 of the previous state's output and the new bytes),
/// so a later seed never weakens an earlier one.
pub fn seed(bytes: &[u8]) -> Result<(), ApiError> {
    if bytes.len() < MIN_SEED {
        return Err(ApiError::new(
            INVALID_ARGUMENT,
            format!("seed_random needs at least {MIN_SEED} random bytes"),
        ));
    }
    let mut pool = pool();
    let mut hash = Sha256::new();
    hash.update(b"wallet-wasm seed v1\0");
    if let Some(rng) = pool.as_mut() {
        let mut prior = [0u8; 32];
        rng.fill_bytes(&mut prior);
        hash.update(prior);
        prior.zeroize();
    }
    hash.update(bytes);
    *pool = Some(ChaCha20Rng::from_seed(hash.finalize().into()));
    Ok(())
}

/// Fills `dest` from the generator; refused before the first seed.
pub fn fill(dest: &mut [u8]) -> Result<(), ApiError> {
    match pool().as_mut() {
        Some(rng) => {
            rng.fill_bytes(dest);
            Ok(())
        }
        None => Err(ApiError::new(
            NOT_SEEDED,
            "no randomness yet: call seed_random with 32 bytes from crypto.getRandomValues (wx.getRandomValues in a mini-program) first",
        )),
    }
}

/// A generator of its own for one operation, seeded from the pool.
pub fn fork() -> Result<ChaCha20Rng, ApiError> {
    let mut seed = [0u8; 32];
    fill(&mut seed)?;
    let rng = ChaCha20Rng::from_seed(seed);
    seed.zeroize();
    Ok(rng)
}

#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
fn page_getrandom(dest: &mut [u8]) -> Result<(), getrandom::Error> {
    fill(dest).map_err(|_| getrandom::Error::UNSUPPORTED)
}

#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
getrandom::register_custom_getrandom!(page_getrandom);

#[cfg(test)]
mod tests {
    use super::*;

    // One test: the pool is process-wide state.
    #[test]
    fn refused_until_seeded_then_reseeding_changes_the_stream() {
        let mut out = [0u8; 16];
        *pool() = None;
        assert_eq!(fill(&mut out).unwrap_err().code, NOT_SEEDED);
        assert!(fork().is_err());
        assert_eq!(seed(&[7; 31]).unwrap_err().code, INVALID_ARGUMENT);
        seed(&[7; 32]).unwrap();
        let mut a = [0u8; 16];
        fill(&mut a).unwrap();
        *pool() = None;
        seed(&[7; 32]).unwrap();
        let mut b = [0u8; 16];
        fill(&mut b).unwrap();
        assert_eq!(a, b, "the same seed, the same stream");
        seed(&[7; 32]).unwrap();
        fill(&mut b).unwrap();
        assert_ne!(a, b, "a second seed is mixed with the state, not a reset");
    }
}
