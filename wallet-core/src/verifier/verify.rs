//! Protocol step 4, the verifier: checks a presented SD-JWT VC completely offline — structure
//! and sizes, `typ`, the issuer (through a resolver that knows which keys may issue which
//! types), the issuer signature with `verify_strict`, the registered claims and validity window
//! against an explicit `now`, RFC 9901 §7.1 disclosure processing, and key binding as the
//! verifier's policy (never the token) demands — and returns a report of what was proven.
//!
//! The algorithms accepted for issuer and holder keys come with the resolver
//! ([`IssuerKeyResolver::accepted_algorithms`]: the policy a [`VerifiedTrustList`] was loaded
//! under), so single, deferred (bulk) and QR verifications apply one policy; a refused algorithm
//! fails before the signature it would have checked.

use crate::format::credential::catalogue::{CredentialType, Lang, Sd};
use crate::format::credential::{NEVER_DISCLOSABLE, RegisteredClaims, StatusRef, VC_TYP, VcError};
use crate::format::jws::Jws;
use crate::format::keys::PublicKey;
use crate::format::sdjwt::{
    self, ClaimPath, Disclosure, KbClaims, KbExpectation, PathSegment, SdAlg, SdJwtError,
    SdJwtParts,
};
use crate::status::{StatusError, StatusReport, UnknownStatusPolicy};
use crate::trust::{IssuerKeyResolver, StalePolicy, TrustFreshness, VerifiedTrustList};
use crate::verifier::error::VerifyError;
use crate::verifier::status_cache::{self, StatusCache};
use serde::Serialize;
use serde_json::{Map, Value};

/// Whether and how key binding is demanded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyBindingPolicy {
    /// A KB-JWT must be present and meet these expectations.
    Required(KbExpectation),
    /// A KB-JWT is verified if present (signature, `sd_hash`, `iat` not in the future), but may
    /// be absent. For auditing stored credentials, never for accepting a shown certificate.
    IfPresent,
}

/// The verifier's rules for one verification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyPolicy {
    /// The verifier's current time, unix seconds.
    pub now: i64,
    /// Tolerated clock difference, seconds, applied to every time check.
    pub clock_skew: u64,
    /// Key-binding requirement.
    pub key_binding: KeyBindingPolicy,
}

/// One disclosed claim, labelled for display.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportClaim {
    /// Claim path, e.g. `name` or `address.street`.
    pub path: String,
    /// The disclosed value.
    pub value: Value,
    /// Chinese display label, when the type document labels the claim.
    pub label_zh: Option<String>,
    /// English display label, when the type document labels the claim.
    pub label_en: Option<String>,
}

/// What a successful verification proved.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VerificationReport {
    /// `iss`.
    pub issuer: String,
    /// RFC 7638 thumbprint of the issuer key that verified the signature.
    pub issuer_kid: String,
    /// `vct`.
    pub vct: String,
    /// Short name of the type, when its document is known.
    pub type_name: Option<String>,
    /// The type's name in Chinese (`zh-CN` display name), when its document is known.
    pub type_name_zh: Option<String>,
    /// The type's name in English, when its document is known.
    pub type_name_en: Option<String>,
    /// `iat`.
    pub issued_at: i64,
    /// `nbf`, if present.
    pub not_before: Option<i64>,
    /// `exp`.
    pub expires_at: i64,
    /// All claims after processing (registered claims included).
    pub claims: Map<String, Value>,
    /// The claims revealed through disclosures: in the type document's claim order when the type
    /// is known, otherwise in payload order.
    pub disclosed: Vec<ReportClaim>,
    /// Digests left unopened (undisclosed claims and decoys — they cannot be told apart).
    pub undisclosed_count: usize,
    /// RFC 7638 thumbprint of the holder key (`cnf.jwk`).
    pub holder_kid: String,
    /// The verified KB-JWT claims, if one was presented.
    pub key_binding: Option<KeyBindingReport>,
    /// Where the credential's status is published, if anywhere.
    pub status: Option<StatusRef>,
}

/// The verified KB-JWT, as reported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KeyBindingReport {
    /// `iat`.
    pub iat: i64,
    /// `aud`.
    pub aud: String,
    /// `nonce`.
    pub nonce: String,
    /// `sd_hash` (recomputed and equal).
    pub sd_hash: String,
}

impl From<KbClaims> for KeyBindingReport {
    fn from(c: KbClaims) -> Self {
        Self {
            iat: c.iat,
            aud: c.aud,
            nonce: c.nonce,
            sd_hash: c.sd_hash,
        }
    }
}

/// Verifies a presentation (`<jwt>~<d>~…~<kb-jwt>` or, under [`KeyBindingPolicy::IfPresent`],
/// `<jwt>~<d>~…~`).
pub fn verify_presentation(
    presentation: &str,
    resolver: &dyn IssuerKeyResolver,
    policy: &VerifyPolicy,
) -> Result<VerificationReport, VcError> {
    // Every check but the signatures first, then the issuer's and the holder's signature
    // together: two Ed25519 checks share their last field inversion (~3 µs of ~80). A
    // presentation that fails anything is verified again one check after the other, so that
    // the error is the one the sequential order names (a forged signature before an expired
    // date): only valid presentations take the shorter way, and they give the same report. The
    // price is paid by invalid ones: rejecting one costs up to about twice what it did, within
    // the same size bounds (docs/security.md, "Bulk verification").
    let mut pending = Vec::with_capacity(2);
    if let Ok(report) = verify_inner(presentation, resolver, policy, Some(&mut pending)) {
        let holds = match pending.as_slice() {
            [issuer, holder] => PublicKey::verify_both(
                (&issuer.key, issuer.message, &issuer.signature),
                (&holder.key, holder.message, &holder.signature),
            ),
            // The issuer's signature is always pending here; nothing to check is a fault.
            [] => false,
            others => others.iter().all(|p| p.key.verify(p.message, &p.signature)),
        };
        if holds {
            return Ok(report);
        }
    }
    verify_sequential(presentation, resolver, policy)
}

/// Every check of [`verify_presentation`] in its order, each signature as soon as its key is
/// known: the path that names a failing presentation's error.
pub(crate) fn verify_sequential(
    presentation: &str,
    resolver: &dyn IssuerKeyResolver,
    policy: &VerifyPolicy,
) -> Result<VerificationReport, VcError> {
    verify_inner(presentation, resolver, policy, None)
}

/// A signature check left for later, so a bulk verifier can check the signatures of many
/// presentations in one batch.
#[derive(Debug, Clone)]
pub(crate) struct PendingSignature<'a> {
    pub(crate) key: PublicKey,
    pub(crate) message: &'a [u8],
    pub(crate) signature: [u8; 64],
}

/// Every check of [`verify_presentation`] except the two signatures, which are appended to
/// `pending` instead. The report may be relied on only once both signatures verify.
pub(crate) fn verify_deferred<'a>(
    presentation: &'a str,
    resolver: &dyn IssuerKeyResolver,
    policy: &VerifyPolicy,
    pending: &mut Vec<PendingSignature<'a>>,
) -> Result<VerificationReport, VcError> {
    verify_inner(presentation, resolver, policy, Some(pending))
}

fn verify_inner<'a>(
    presentation: &'a str,
    resolver: &dyn IssuerKeyResolver,
    policy: &VerifyPolicy,
    mut deferred: Option<&mut Vec<PendingSignature<'a>>>,
) -> Result<VerificationReport, VcError> {
    let parts = SdJwtParts::split(presentation)?;
    let jwt = Jws::parse(parts.jwt)?;
    if jwt.expect_typ(VC_TYP).is_err() {
        return Err(VcError::WrongTyp);
    }
    let payload = jwt.payload()?;
    // Digests under the credential's `_sd_alg`. An unsupported one is reported where it always
    // was, by `sdjwt::process` after the signature: until then sha-256 stands in.
    let sd_alg = SdAlg::from_payload(&payload).unwrap_or_default();
    let disclosures = parts
        .disclosures
        .iter()
        .map(|d| Disclosure::parse_with(d, sd_alg))
        .collect::<Result<Vec<_>, _>>()?;
    // A registered claim hidden in a disclosure would otherwise surface as "missing": name the
    // real fault. Nested members with these names are ordinary claims.
    for name in NEVER_DISCLOSABLE {
        if !payload.contains_key(*name) && disclosures.iter().any(|d| d.name() == Some(name)) {
            return Err(VcError::ReservedClaimDisclosable((*name).to_owned()));
        }
    }
    let iss = payload
        .get("iss")
        .and_then(Value::as_str)
        .ok_or(VcError::MissingClaim("iss"))?;
    let vct = payload
        .get("vct")
        .and_then(Value::as_str)
        .ok_or(VcError::MissingClaim("vct"))?;
    let iat = payload
        .get("iat")
        .and_then(Value::as_i64)
        .ok_or(VcError::MissingClaim("iat"))?;
    let issuer_key = resolver.resolve(iss, jwt.kid(), vct, iat)?;
    let algorithms = resolver.accepted_algorithms();
    if !algorithms.issuer.contains(issuer_key.algorithm()) {
        return Err(VcError::AlgorithmNotAccepted(issuer_key.algorithm()));
    }
    match deferred.as_deref_mut() {
        None => jwt.verify(&issuer_key)?,
        Some(pending) => {
            // The batch checks Ed25519 equations only; the header must name the key's algorithm
            // here, as `Jws::verify` would require.
            jwt.check_algorithm(&issuer_key)?;
            pending.push(PendingSignature {
                key: issuer_key.clone(),
                message: jwt.signing_input().as_bytes(),
                signature: *jwt.signature(),
            })
        }
    }

    let registered = RegisteredClaims::from_payload(&payload)?;
    // After the signature: the type document applies to what the issuer signed.
    let credential_type = resolver.credential_type(iss, &registered.vct)?;
    if let Err(e) = registered.check_time(policy.now, policy.clock_skew) {
        // An issuer caps `exp` at the document's own end, so both usually pass together: when a
        // disclosed claim shows that the document itself has expired, say so — the reason the
        // person at the counter can act on.
        if e == VcError::Expired
            && let Some(t) = credential_type
            && let Ok(processed) = sdjwt::process(payload.clone(), &disclosures)
            && let Some(field) = document_expired(t, &processed.claims, policy)
        {
            return Err(VcError::DocumentExpired(field.to_owned()));
        }
        return Err(e);
    }
    // The top-level digests, counted before processing consumes the payload: a mandatory
    // top-level claim can only hide behind one of these.
    let top_level_digests = payload
        .get("_sd")
        .and_then(Value::as_array)
        .map_or(0, Vec::len);
    // The disclosures are not needed after this: their values move into the report.
    let processed = sdjwt::process_owned(payload, disclosures)?;
    for claim in &processed.disclosed {
        if let [PathSegment::Key(name)] = claim.path.0.as_slice()
            && NEVER_DISCLOSABLE.contains(&name.as_str())
        {
            return Err(VcError::ReservedClaimDisclosable(name.clone()));
        }
    }
    if let Some(t) = credential_type {
        check_claim_metadata(t, &processed, top_level_digests)?;
    }

    let key_binding = match (parts.kb_jwt, &policy.key_binding) {
        (None, KeyBindingPolicy::Required(_)) => return Err(SdJwtError::KbMissing.into()),
        (None, KeyBindingPolicy::IfPresent) => None,
        (Some(kb), rule) => {
            // Checked only with a KB-JWT: an audit of stored credentials (no KB-JWT) does not
            // use the holder key.
            let holder_algorithm = registered.holder_key.algorithm();
            if !algorithms.holder.contains(holder_algorithm) {
                return Err(VcError::HolderAlgorithmNotAccepted(holder_algorithm));
            }
            let expect = match rule {
                KeyBindingPolicy::Required(e) => Some(e),
                KeyBindingPolicy::IfPresent => None,
            };
            let claims = match deferred {
                None => sdjwt::verify_kb_jwt_with(
                    sd_alg,
                    kb,
                    parts.without_kb,
                    &registered.holder_key,
                    expect,
                    policy.now,
                    policy.clock_skew,
                )?,
                Some(pending) => {
                    let jws = sdjwt::parse_kb_jwt(kb)?;
                    jws.check_algorithm(&registered.holder_key)
                        .map_err(SdJwtError::KbAlgorithm)?;
                    pending.push(PendingSignature {
                        key: registered.holder_key.clone(),
                        message: jws.signing_input().as_bytes(),
                        signature: *jws.signature(),
                    });
                    sdjwt::check_kb_claims(
                        &jws,
                        sd_alg,
                        parts.without_kb,
                        expect,
                        policy.now,
                        policy.clock_skew,
                    )?
                }
            };
            Some(KeyBindingReport::from(claims))
        }
    };

    // A credential issued before its document's end was capped (or by an issuer that does not
    // cap) can outlive the document: a disclosed end date that has passed is refused.
    if let Some(t) = credential_type
        && let Some(field) = document_expired(t, &processed.claims, policy)
    {
        return Err(VcError::DocumentExpired(field.to_owned()));
    }

    // Labels exist for top-level claims of known types.
    let mut disclosed: Vec<ReportClaim> = processed
        .disclosed
        .into_iter()
        .map(|c| {
            let spec = match (c.path.0.as_slice(), credential_type) {
                ([PathSegment::Key(name)], Some(t)) => t.claim(name),
                _ => None,
            };
            let label_zh = spec.map(|s| s.label(Lang::Zh).to_owned());
            let label_en = spec.map(|s| s.label(Lang::En).to_owned());
            // A top-level claim's path is its name: moved, not formatted.
            let path = match <[PathSegment; 1]>::try_from(c.path.0) {
                Ok([PathSegment::Key(name)]) => name,
                Ok(one) => ClaimPath(one.to_vec()).to_string(),
                Err(segments) => ClaimPath(segments).to_string(),
            };
            ReportClaim {
                label_zh,
                label_en,
                path,
                value: c.value,
            }
        })
        .collect();
    // Shown in the document's own order (the type's claims order: as printed on the card), not
    // the random order of the digests; claims the type does not list keep theirs, after.
    // Each claim's place is looked up once (sort_by_cached_key), not at every comparison.
    if let Some(t) = credential_type {
        disclosed.sort_by_cached_key(|c| {
            t.claims
                .iter()
                .position(|spec| spec.name == c.path)
                .unwrap_or(usize::MAX)
        });
    }
    Ok(VerificationReport {
        issuer_kid: issuer_key.thumbprint(),
        type_name: credential_type.map(|t| t.short_name.clone()),
        type_name_zh: credential_type.map(|t| t.name_zh.clone()),
        type_name_en: credential_type.map(|t| t.name_en.clone()),
        issuer: registered.iss,
        vct: registered.vct,
        issued_at: registered.iat,
        not_before: registered.nbf,
        expires_at: registered.exp,
        claims: processed.claims,
        disclosed,
        undisclosed_count: processed.undisclosed_digests,
        holder_kid: registered.holder_key.thumbprint(),
        key_binding,
        status: registered.status,
    })
}

/// The validity claim of type `t` among the visible `claims` (issuer-signed or disclosed) whose
/// date has passed at the policy's `now` (with its clock skew), if any. An undisclosed one is
/// not needed: issuance caps `exp` at the document's end, so the `exp` check covers it.
fn document_expired<'t>(
    t: &'t CredentialType,
    claims: &Map<String, Value>,
    policy: &VerifyPolicy,
) -> Option<&'t str> {
    let skew = i64::try_from(policy.clock_skew).unwrap_or(i64::MAX);
    t.document_validity_end(claims)
        .filter(|(_, end)| policy.now.saturating_sub(skew) >= *end)
        .map(|(field, _)| field)
}

/// The claim metadata rules of draft-ietf-oauth-sd-jwt-vc ("Claim Metadata" validation) for the
/// credential's type: a claim with `sd: never` must not come from a disclosure, one with
/// `sd: always` must not sit in the signed payload, and a `mandatory` claim must be in the
/// credential. Absence is only provable for a claim that cannot hide in an undisclosed digest
/// of the top-level `_sd` (the draft: a verifier must not take a selectively disclosable
/// claim's absence from a presentation as the issuer's failure to include it). The types'
/// claims are top-level, so digests nested elsewhere cannot hide them.
fn check_claim_metadata(
    t: &CredentialType,
    processed: &sdjwt::Processed,
    top_level_digests: usize,
) -> Result<(), VcError> {
    let disclosed_top_level = processed
        .disclosed
        .iter()
        .filter(|c| matches!(c.path.0.as_slice(), [PathSegment::Key(_)]))
        .count();
    let undisclosed_top_level = top_level_digests.saturating_sub(disclosed_top_level);
    for spec in &t.claims {
        let disclosed = processed
            .disclosed
            .iter()
            .any(|c| matches!(c.path.0.as_slice(), [PathSegment::Key(n)] if *n == spec.name));
        let visible = processed.claims.contains_key(&spec.name);
        match spec.sd {
            Sd::Never if disclosed => {
                return Err(VcError::ClaimMustNotBeDisclosable(spec.name.clone()));
            }
            Sd::Always if visible && !disclosed => {
                return Err(VcError::ClaimMustBeDisclosable(spec.name.clone()));
            }
            _ => {}
        }
        let could_be_hidden = spec.sd != Sd::Never && undisclosed_top_level > 0;
        if spec.required && !visible && !could_be_hidden {
            return Err(VcError::MandatoryClaimMissing(spec.name.clone()));
        }
    }
    Ok(())
}

/// The verifier's rules for the trust list and status checks of [`verify_with_trust`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TrustPolicy {
    /// What to do with a trust list past its `next_update` (default: fail).
    pub stale_trust_list: StalePolicy,
    /// What to do when the credential's status list is not cached or has expired (default:
    /// reject).
    pub unknown_status: UnknownStatusPolicy,
    /// Refuse a credential without a `status` claim ([`crate::status::StatusError::Missing`],
    /// `status.missing`): such a credential can never be revoked. Off in [`Default`] (the
    /// library's audit and test uses); the `wallet` CLI and the C FFI verifier turn it on
    /// unless the caller opts out.
    pub require_status: bool,
}

impl TrustPolicy {
    /// The status of a credential that has no `status` claim: nothing to check, or
    /// `status.missing` when the policy requires one.
    pub(crate) fn no_status(&self) -> Result<Option<StatusReport>, VerifyError> {
        if self.require_status {
            Err(StatusError::Missing.into())
        } else {
            Ok(None)
        }
    }
}

/// What a verification against the trust list and the cached status lists proved: the base
/// report, plus who the issuer is by name, the key that signed, the status and the freshness
/// of the lists used.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrustedReport {
    /// The credential verification report.
    pub report: VerificationReport,
    /// The issuer's name in Chinese, from the trust list.
    pub issuer_name_zh: String,
    /// The issuer's name in English, from the trust list.
    pub issuer_name_en: String,
    /// RFC 7638 thumbprint of the issuer key that signed the credential.
    pub issuer_kid: String,
    /// The trust list used, and whether it was stale.
    pub trust_list: TrustFreshness,
    /// The status check, when the credential has a `status` claim (`None` when it has none and
    /// so cannot be revoked).
    pub status: Option<StatusReport>,
}

/// Verifies a presentation fully offline against a verified trust list and a cache of Status
/// List Tokens: trust-list freshness, [`verify_presentation`] with the trust list as resolver
/// (issuer listed, authorised for the `vct`, key valid at `iat`), then — only for a credential
/// that passed (draft-ietf-oauth-status-list-20 §8.3) — its status. Revoked, suspended and
/// out-of-range statuses always fail; an unknown or expired list follows `trust_policy`.
pub fn verify_with_trust(
    presentation: &str,
    trust: &VerifiedTrustList,
    cache: &StatusCache,
    policy: &VerifyPolicy,
    trust_policy: &TrustPolicy,
) -> Result<TrustedReport, VerifyError> {
    let trust_list =
        trust.freshness(policy.now, policy.clock_skew, trust_policy.stale_trust_list)?;
    let report = verify_presentation(presentation, trust, policy)?;
    let entry = trust.issuer(&report.issuer).ok_or(VcError::UnknownIssuer)?;
    let status = match &report.status {
        None => trust_policy.no_status()?,
        Some(reference) => Some(status_cache::check_status(
            reference,
            &report.issuer,
            cache,
            trust,
            policy.now,
            policy.clock_skew,
            trust_policy.unknown_status,
        )?),
    };
    Ok(TrustedReport {
        issuer_name_zh: entry.name_zh.clone(),
        issuer_name_en: entry.name_en.clone(),
        issuer_kid: report.issuer_kid.clone(),
        trust_list,
        status,
        report,
    })
}
