//! Claim paths: which claim of a (possibly nested) credential a disclosure policy or a holder's
//! selection talks about. Written `address.street`, `nationalities[0]`, `nationalities[*]`
//! (every element), matching the claims-path idea of SD-JWT VC type metadata.

use std::fmt;
use std::str::FromStr;

/// One step in a claim path.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PathSegment {
    /// An object member.
    Key(String),
    /// An array element by position (in the issuer's original array).
    Index(usize),
    /// Every element of an array.
    AnyIndex,
}

/// A path from the top of the claims to one claim.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct ClaimPath(pub Vec<PathSegment>);

impl ClaimPath {
    /// A top-level claim.
    pub fn top(name: &str) -> Self {
        Self(vec![PathSegment::Key(name.to_owned())])
    }

    /// This path extended by one segment.
    pub fn child(&self, segment: PathSegment) -> Self {
        let mut v = self.0.clone();
        v.push(segment);
        Self(v)
    }

    /// Whether this pattern (which may contain `[*]`) matches a concrete path.
    pub fn matches(&self, concrete: &ClaimPath) -> bool {
        self.0.len() == concrete.0.len()
            && self.0.iter().zip(&concrete.0).all(|(p, c)| match (p, c) {
                (PathSegment::AnyIndex, PathSegment::Index(_)) => true,
                (a, b) => a == b,
            })
    }

    /// Whether this pattern matches `concrete` or one of its ancestors' paths extended to it,
    /// i.e. `concrete` starts with something this pattern matches.
    pub fn is_prefix_of(&self, concrete: &ClaimPath) -> bool {
        self.0.len() <= concrete.0.len()
            && self.0.iter().zip(&concrete.0).all(|(p, c)| match (p, c) {
                (PathSegment::AnyIndex, PathSegment::Index(_)) => true,
                (a, b) => a == b,
            })
    }

    /// Number of segments.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether this is the empty (root) path.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Why a claim path string could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid claim path {0:?}: use names separated by '.', with [N] or [*] for array elements")]
pub struct ClaimPathParseError(pub String);

impl FromStr for ClaimPath {
    type Err = ClaimPathParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || ClaimPathParseError(s.to_owned());
        let mut segments = Vec::new();
        for part in s.split('.') {
            let (name, mut rest) = match part.find('[') {
                Some(i) => (
                    part.get(..i).ok_or_else(bad)?,
                    part.get(i..).ok_or_else(bad)?,
                ),
                None => (part, ""),
            };
            if name.is_empty() || name.contains(']') {
                return Err(bad());
            }
            segments.push(PathSegment::Key(name.to_owned()));
            while !rest.is_empty() {
                let close = rest.find(']').ok_or_else(bad)?;
                let inner = rest.get(1..close).ok_or_else(bad)?;
                if !rest.starts_with('[') {
                    return Err(bad());
                }
                segments.push(if inner == "*" {
                    PathSegment::AnyIndex
                } else {
                    PathSegment::Index(inner.parse().map_err(|_| bad())?)
                });
                rest = rest.get(close.saturating_add(1)..).ok_or_else(bad)?;
            }
        }
        Ok(Self(segments))
    }
}

impl fmt::Display for ClaimPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for seg in &self.0 {
            match seg {
                PathSegment::Key(k) => {
                    if !first {
                        f.write_str(".")?;
                    }
                    f.write_str(k)?;
                }
                PathSegment::Index(i) => write!(f, "[{i}]")?,
                PathSegment::AnyIndex => f.write_str("[*]")?,
            }
            first = false;
        }
        Ok(())
    }
}

#[cfg(test)]
// clippy.toml exempts tests from the panic lints; this lint has no test setting.
#[allow(clippy::arithmetic_side_effects)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_display() {
        for s in [
            "name",
            "address.street",
            "nationalities[1]",
            "a[*].b",
            "m[0][2]",
        ] {
            let p: ClaimPath = s.parse().unwrap();
            assert_eq!(p.to_string(), s);
        }
        for s in ["", "a..b", "a[", "a[x]", "[0]", "a]"] {
            assert!(s.parse::<ClaimPath>().is_err(), "{s}");
        }
        let pat: ClaimPath = "a[*]".parse().unwrap();
        assert!(pat.matches(&"a[3]".parse().unwrap()));
        assert!(!pat.matches(&"a".parse().unwrap()));
        assert!(
            "a".parse::<ClaimPath>()
                .unwrap()
                .is_prefix_of(&"a.b".parse().unwrap())
        );
    }
}
