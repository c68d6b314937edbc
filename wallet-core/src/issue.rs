//! Protocol step 1, the issuer: turns validated claims into a signed SD-JWT VC bound to the
//! holder's key (`cnf.jwk`), with the type catalogue's default disclosure policy and decoys that
//! pad the digest count to the type's maximum.

use crate::credential::catalogue::CredentialType;
use crate::credential::{NEVER_DISCLOSABLE, StatusRef, VC_TYP, VcError};
use crate::keys::{Signer, VerifyingKey};
use crate::sdjwt::{self, ClaimPath, DecoyPolicy, IssueOptions, PathSegment};
use rand_core::CryptoRngCore;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// Everything the issuer decides about one credential.
#[derive(Debug, Clone)]
pub struct CredentialRequest {
    /// `iss`: the issuing agency's identifier (as listed in the trust list).
    pub issuer: String,
    /// `vct`: the credential type.
    pub vct: String,
    /// The type's own claims (no registered claims).
    pub claims: Map<String, Value>,
    /// Which claim paths are selectively disclosable.
    pub disclosable: Vec<ClaimPath>,
    /// Decoy digests.
    pub decoys: DecoyPolicy,
    /// The holder's public key, written to `cnf.jwk`.
    pub holder_key: VerifyingKey,
    /// `iat`, unix seconds.
    pub issued_at: i64,
    /// `nbf`, unix seconds, if the credential starts later than it is issued.
    pub not_before: Option<i64>,
    /// `exp`, unix seconds.
    pub expires_at: i64,
    /// `status.status_list`, if the credential can be revoked.
    pub status: Option<StatusRef>,
}

impl CredentialRequest {
    /// A request for a catalogue type: validates the claims against the type's schema, adds the
    /// derived claims (e.g. `age_over_18`), makes the type's disclosable claims disclosable,
    /// pads the top-level digests to the type's maximum and sets `exp` from the type's default
    /// validity.
    pub fn for_type(
        credential_type: &CredentialType,
        issuer: &str,
        claims: &Map<String, Value>,
        holder_key: VerifyingKey,
        issued_at: i64,
    ) -> Result<Self, VcError> {
        let claims = credential_type.prepare_claims(claims, issued_at)?;
        let disclosable = claims
            .keys()
            .filter(|name| credential_type.claim(name).is_some_and(|c| c.disclosable))
            .map(|name| ClaimPath::top(name))
            .collect();
        let mut targets = BTreeMap::new();
        targets.insert(ClaimPath::default(), credential_type.max_disclosable());
        let validity = i64::from(credential_type.default_validity_days).saturating_mul(86_400);
        Ok(Self {
            issuer: issuer.to_owned(),
            vct: credential_type.vct.to_owned(),
            claims,
            disclosable,
            decoys: DecoyPolicy::Targets(targets),
            holder_key,
            issued_at,
            not_before: None,
            expires_at: issued_at.saturating_add(validity),
            status: None,
        })
    }
}

/// Issues the credential: `<issuer-jwt>~<disclosure>~…~`. The header carries `typ: dc+sd-jwt`
/// and `kid` = the RFC 7638 thumbprint of the issuer key.
pub fn issue_credential(
    request: &CredentialRequest,
    issuer_key: &dyn Signer,
    rng: &mut dyn CryptoRngCore,
) -> Result<String, VcError> {
    for name in NEVER_DISCLOSABLE {
        if request.claims.contains_key(*name) {
            return Err(VcError::ReservedClaimSupplied((*name).to_owned()));
        }
    }
    for path in &request.disclosable {
        if let Some(PathSegment::Key(first)) = path.0.first()
            && path.len() == 1
            && NEVER_DISCLOSABLE.contains(&first.as_str())
        {
            return Err(VcError::ReservedClaimDisclosable(first.clone()));
        }
    }
    if request.expires_at <= request.issued_at
        || request.not_before.is_some_and(|n| n >= request.expires_at)
    {
        return Err(VcError::InvalidValidity);
    }
    let mut payload = request.claims.clone();
    payload.insert("iss".into(), Value::from(request.issuer.as_str()));
    payload.insert("iat".into(), Value::from(request.issued_at));
    if let Some(nbf) = request.not_before {
        payload.insert("nbf".into(), Value::from(nbf));
    }
    payload.insert("exp".into(), Value::from(request.expires_at));
    payload.insert("vct".into(), Value::from(request.vct.as_str()));
    let mut cnf = Map::new();
    cnf.insert("jwk".into(), request.holder_key.to_jwk());
    payload.insert("cnf".into(), Value::Object(cnf));
    if let Some(status) = &request.status {
        payload.insert("status".into(), status.to_claim());
    }
    let mut header = Map::new();
    header.insert("typ".into(), Value::from(VC_TYP));
    header.insert(
        "kid".into(),
        Value::from(issuer_key.public_key().thumbprint()),
    );
    let options = IssueOptions {
        disclosable: request.disclosable.clone(),
        decoys: request.decoys.clone(),
    };
    let (jwt, disclosures) = sdjwt::issue(header, &payload, &options, issuer_key, rng)?;
    Ok(sdjwt::serialize(
        &jwt,
        disclosures.iter().map(|d| d.encoded()),
    ))
}
