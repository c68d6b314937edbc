//! One shard of an issuance too large for one machine (docs/scale.md): a national registry
//! export is cut into partitions, and each partition is issued as its own batch with its own
//! status list, issuance log and output, on whichever executor runs it.
//!
//! A shard is only a name; what makes a re-run task issue nothing twice and skip nothing is the
//! batch machinery it names — the shard's durable output, job file and issuance log, continued
//! with `--resume` ([`super::batch`]). In particular nothing is derived from the shard or from
//! line numbers: salts stay CSPRNG-random (a salt derived from public data would let anyone
//! brute-force an undisclosed claim from its digest) and status indices stay randomly allocated
//! from the shard's own registry (the status-list draft's advice against linkable indices).
//!
//! What this module enforces is that the pieces of one shard stay together: the id is a safe
//! path segment, and the registry a shard issues from holds the list `…/<shard>`, so a task
//! given shard 3's name cannot spend shard 4's indices or publish into its list.

use super::IssuerError;

/// Longest shard id.
pub const MAX_SHARD_ID: usize = 64;

/// A validated shard id: 1–64 of `A–Z a–z 0–9 . _ -`, not `.` or `..` — a name that is the same
/// as a URI path segment, a file name and a Spark partition label.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Shard(String);

impl Shard {
    /// Checks `id` ([`IssuerError::ShardInvalid`] says why not; the id itself is not echoed,
    /// as it may be anything a script passed).
    pub fn new(id: &str) -> Result<Self, IssuerError> {
        let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-');
        if id.is_empty() || id.len() > MAX_SHARD_ID {
            return Err(IssuerError::ShardInvalid {
                reason: "it must be 1 to 64 characters long",
            });
        }
        if !id.chars().all(allowed) {
            return Err(IssuerError::ShardInvalid {
                reason: "it may hold only letters A-Z and a-z, digits, '.', '_' and '-'",
            });
        }
        if id == "." || id == ".." {
            return Err(IssuerError::ShardInvalid {
                reason: "'.' and '..' are not names",
            });
        }
        Ok(Self(id.to_owned()))
    }

    /// The id.
    pub fn id(&self) -> &str {
        &self.0
    }

    /// The status list URI of this shard under `base` (`https://…/status` → `…/status/<id>`).
    pub fn list_uri(&self, base: &str) -> String {
        format!("{}/{}", base.trim_end_matches('/'), self.0)
    }

    /// Refuses a registry whose list URI is not this shard's: its last path segment (before any
    /// query or fragment) must be the shard id.
    pub fn check_list_uri(&self, uri: &str) -> Result<(), IssuerError> {
        let path = uri.split(['?', '#']).next().unwrap_or_default();
        let last = path.rsplit('/').next().unwrap_or_default();
        if last == self.0 {
            Ok(())
        } else {
            Err(IssuerError::ShardMismatch {
                shard: self.0.clone(),
                uri: uri.to_owned(),
            })
        }
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_path_segments() {
        for ok in ["0", "0003", "sh-31.2026_a", &"a".repeat(64)] {
            assert_eq!(Shard::new(ok).unwrap().id(), ok);
        }
        for bad in ["", ".", "..", "a/b", "a b", "分片", "a?x", &"a".repeat(65)] {
            assert_eq!(
                Shard::new(bad).map_err(|e| e.code()).err(),
                Some("issuer.shard_invalid"),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn a_shard_issues_only_from_its_own_list() {
        let s = Shard::new("0003").unwrap();
        assert_eq!(
            s.list_uri("https://ga.gov.cn/status/"),
            "https://ga.gov.cn/status/0003"
        );
        assert!(s.check_list_uri("https://ga.gov.cn/status/0003").is_ok());
        assert!(
            s.check_list_uri("https://ga.gov.cn/status/0003?v=2")
                .is_ok()
        );
        for other in [
            "https://ga.gov.cn/status/0004",
            "https://ga.gov.cn/status/00031",
            "https://ga.gov.cn/status/0003/",
            "https://ga.gov.cn/status",
        ] {
            assert_eq!(
                s.check_list_uri(other).map_err(|e| e.code()).err(),
                Some("issuer.shard_mismatch"),
                "{other}"
            );
        }
    }
}
