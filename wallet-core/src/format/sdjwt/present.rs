//! Presentation (RFC 9901 §4.3, §6): the holder picks which disclosures to send. Selecting a
//! claim sends its own disclosure, every disclosure above it (a nested claim cannot be opened
//! without its parent, §4.2.6) and every disclosure inside it (selecting `address` reveals the
//! whole address).

use super::disclosure::Disclosure;
use super::error::SdJwtError;
use super::path::ClaimPath;
use super::process::{Processed, process};
use serde_json::{Map, Value};

/// Returns the indices (ascending, i.e. issuance order) of the disclosures to present so that
/// exactly the `selected` claims (and what they require) are revealed. `payload` is the
/// issuer-signed payload; `disclosures` all disclosures the holder received.
pub fn select_disclosures(
    payload: &Map<String, Value>,
    disclosures: &[Disclosure],
    selected: &[ClaimPath],
) -> Result<Vec<usize>, SdJwtError> {
    let processed = process(payload.clone(), disclosures)?;
    select_processed(&processed, disclosures.len(), selected)
}

/// [`select_disclosures`] over a payload already processed against all `count` disclosures (a
/// holder that keeps the processed form presents without processing again).
pub(crate) fn select_processed(
    processed: &Processed,
    count: usize,
    selected: &[ClaimPath],
) -> Result<Vec<usize>, SdJwtError> {
    let mut chosen = vec![false; count];
    for pattern in selected {
        let mut found = exists_plain(&processed.claims, pattern);
        for claim in &processed.disclosed {
            let hit = pattern.is_prefix_of(&claim.path);
            if hit {
                found = true;
                mark(&mut chosen, claim.disclosure);
                // Parents: every disclosed claim whose path is a proper prefix of this one.
                for parent in &processed.disclosed {
                    if parent.path.len() < claim.path.len() && parent.path.is_prefix_of(&claim.path)
                    {
                        mark(&mut chosen, parent.disclosure);
                    }
                }
            }
        }
        if !found {
            return Err(SdJwtError::UnknownClaimPath(pattern.to_string()));
        }
    }
    Ok(chosen
        .iter()
        .enumerate()
        .filter_map(|(i, c)| c.then_some(i))
        .collect())
}

fn mark(chosen: &mut [bool], i: usize) {
    if let Some(c) = chosen.get_mut(i) {
        *c = true;
    }
}

/// Whether a (non-selectively-disclosable) claim exists at `pattern`: selecting it is a no-op
/// rather than an error, since it is always visible.
fn exists_plain(claims: &Map<String, Value>, pattern: &ClaimPath) -> bool {
    use super::path::PathSegment;
    let mut current = Some(claims);
    let mut value: Option<&Value> = None;
    for seg in &pattern.0 {
        value = match (seg, value, current) {
            (PathSegment::Key(k), None, Some(map)) => map.get(k),
            (PathSegment::Key(k), Some(Value::Object(m)), _) => m.get(k),
            (PathSegment::Index(i), Some(Value::Array(a)), _) => a.get(*i),
            (PathSegment::AnyIndex, Some(Value::Array(a)), _) => a.first(),
            _ => None,
        };
        current = None;
        if value.is_none() {
            return false;
        }
    }
    value.is_some()
}
