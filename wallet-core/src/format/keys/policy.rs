//! The verifier's accepted-algorithm policy (issue 17, "No algorithm confusion"; docs/format.md,
//! "Algorithms"): which [`Algorithm`]s a verifier accepts, per role — the issuer key, the holder
//! key (`cnf.jwk`, checked when a KB-JWT is), the pinned trust-list root and the keys that sign
//! Status List Tokens. A deployment may, say, accept only SM2 issuers while its visitors' phones
//! hold P-256 keys.
//!
//! The policy restricts; it never selects. The algorithm of every check still comes from the key
//! (trust-list entry, `cnf.jwk`, pinned root), and a refused algorithm fails before any signature
//! is computed, with its own stable code per role (`vc.algorithm_not_accepted`,
//! `vc.holder_algorithm_not_accepted`, `trust.algorithm_not_accepted`,
//! `status.algorithm_not_accepted`). It lives beside [`Algorithm`] rather than in the verifier so
//! that the trust-list and status layers below the verifier can take the same value.

use super::algorithm::Algorithm;
use std::fmt;

/// A set of [`Algorithm`]s. [`Default`] is every algorithm: a verifier that says nothing accepts
/// all three, as before policies existed.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct AlgSet(u8);

impl AlgSet {
    /// Every supported algorithm.
    pub const ALL: AlgSet = AlgSet(0b111);
    /// No algorithm: nothing of this role is accepted.
    pub const NONE: AlgSet = AlgSet(0);

    fn bit(algorithm: Algorithm) -> u8 {
        match algorithm {
            Algorithm::EdDsa => 0b001,
            Algorithm::Es256 => 0b010,
            Algorithm::Sm2 => 0b100,
        }
    }

    /// The set holding only `algorithm`.
    pub fn only(algorithm: Algorithm) -> Self {
        Self(Self::bit(algorithm))
    }

    /// Whether `algorithm` is in the set.
    pub fn contains(self, algorithm: Algorithm) -> bool {
        self.0 & Self::bit(algorithm) != 0
    }

    /// The set with `algorithm` added.
    #[must_use]
    pub fn with(self, algorithm: Algorithm) -> Self {
        Self(self.0 | Self::bit(algorithm))
    }

    /// Whether the set is empty.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The algorithms in the set, in [`Algorithm::ALL`] order.
    pub fn iter(self) -> impl Iterator<Item = Algorithm> {
        Algorithm::ALL
            .into_iter()
            .filter(move |a| self.contains(*a))
    }

    /// The set of the JWS `alg` names in `names` (`EdDSA` or `Ed25519`, `ES256`, `SM2`;
    /// case-sensitive as in JOSE). `Err` carries the first name that is not one of ours.
    pub fn from_names<'a>(names: impl IntoIterator<Item = &'a str>) -> Result<Self, &'a str> {
        names.into_iter().try_fold(Self::NONE, |set, name| {
            Algorithm::from_jws_name(name)
                .map(|a| set.with(a))
                .ok_or(name)
        })
    }
}

impl Default for AlgSet {
    fn default() -> Self {
        Self::ALL
    }
}

impl FromIterator<Algorithm> for AlgSet {
    fn from_iter<I: IntoIterator<Item = Algorithm>>(iter: I) -> Self {
        iter.into_iter().fold(Self::NONE, Self::with)
    }
}

/// The JWS names, comma-separated (`EdDSA,ES256,SM2`): the form `wallet verify --algs` takes.
impl fmt::Display for AlgSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, a) in self.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            f.write_str(a.jws_name())?;
        }
        Ok(())
    }
}

impl fmt::Debug for AlgSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

/// Which algorithms a verifier accepts for each role. [`Default`] accepts every algorithm for
/// every role; [`AlgorithmPolicy::uniform`] applies one set to all (what `wallet verify --algs`
/// does).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct AlgorithmPolicy {
    /// Keys that sign credentials (the trust list's issuer keys).
    pub issuer: AlgSet,
    /// Holder keys (`cnf.jwk`), checked whenever a KB-JWT is verified.
    pub holder: AlgSet,
    /// The pinned root key that signs the trust list.
    pub trust_list: AlgSet,
    /// Keys that sign Status List Tokens (issuer keys from the trust list).
    pub status_list: AlgSet,
}

impl AlgorithmPolicy {
    /// The same set for every role.
    pub fn uniform(set: AlgSet) -> Self {
        Self {
            issuer: set,
            holder: set,
            trust_list: set,
            status_list: set,
        }
    }
}
