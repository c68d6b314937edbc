//! Protocol step 1, the issuer: turns validated claims into a signed SD-JWT VC bound to the
//! holder's key (`cnf.jwk`), with the type catalogue's default disclosure policy and decoys that
//! pad the digest count to the type's maximum.
//!
//! Two rules of the catalogue are enforced here, at the last step before signing, so that no
//! caller can skip them: `exp` never outlives the document's own validity (capped to it, or
//! refused in strict mode), and a type that must be revocable is not issued without a
//! `status` unless the request says so explicitly.
//!
//! The GM profile (issue 17; for Chinese agencies assessed against GB/T 39786) is an SM2 issuer
//! key plus SM3 digests: [`CredentialRequest::sd_alg`] = [`SdAlg::Sm3`] writes `_sd_alg: "sm3"`
//! and the holder's KB-JWT `sd_hash` follows it. The library does not tie the two together: SM3
//! digests with an Ed25519 or P-256 key are issued and verified too (the algorithm of the
//! signature and of the digests are independent in RFC 9901), and the profile is only a
//! convenience ([`CredentialRequest::gm_profile`]). Verifiers that do not know `sm3` (e.g. the
//! Python reference implementation) refuse such credentials.

use crate::encoding::JsonLine;
use crate::format::credential::catalogue::CredentialType;
use crate::format::credential::{NEVER_DISCLOSABLE, StatusRef, VC_TYP, VcError};
use crate::format::keys::{KeySigner, PublicKey};
use crate::format::sdjwt::{self, ClaimPath, DecoyPolicy, PathSegment, SdAlg};
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
    /// The `_sd_alg` of the disclosure digests and the holder's `sd_hash`: `sha-256` (default)
    /// or `sm3` (the GM profile).
    pub sd_alg: SdAlg,
    /// The holder's public key, written to `cnf.jwk`.
    pub holder_key: PublicKey,
    /// `iat`, unix seconds.
    pub issued_at: i64,
    /// `nbf`, unix seconds, if the credential starts later than it is issued.
    pub not_before: Option<i64>,
    /// `exp`, unix seconds.
    pub expires_at: i64,
    /// `status.status_list`, if the credential can be revoked.
    pub status: Option<StatusRef>,
    /// Whether issuance refuses a request without `status` ([`VcError::StatusRequired`]):
    /// set from the type's [`CredentialType::status_required`]; clear it only when the
    /// issuer has decided that the credential may never be revoked.
    pub status_required: bool,
    /// The end of the document's own validity, unix seconds, and the claim that sets it
    /// (from [`CredentialType::document_validity_end`]). `exp` is never issued later.
    pub document_validity: Option<(String, i64)>,
    /// When `expires_at` is after `document_validity`: refuse
    /// ([`VcError::ExpiryAfterDocument`]) instead of capping it.
    pub strict_validity: bool,
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
        holder_key: impl Into<PublicKey>,
        issued_at: i64,
    ) -> Result<Self, VcError> {
        let claims = credential_type.prepare_claims(claims, issued_at)?;
        let document_validity = credential_type
            .document_validity_end(&claims)
            .map(|(field, end)| (field.to_owned(), end));
        let disclosable = claims
            .keys()
            .filter(|name| credential_type.claim(name).is_some_and(|c| c.disclosable()))
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
            sd_alg: SdAlg::Sha256,
            holder_key: holder_key.into(),
            issued_at,
            not_before: None,
            expires_at: issued_at.saturating_add(validity),
            status: None,
            status_required: credential_type.status_required,
            document_validity,
            strict_validity: false,
        })
    }

    /// The request with [`CredentialRequest::status_required`] cleared: for a credential that
    /// is meant to be unrevocable (test fixtures, benchmarks, closed deployments).
    #[must_use]
    pub fn without_status(mut self) -> Self {
        self.status_required = false;
        self
    }

    /// The request with SM3 disclosure digests (`_sd_alg: "sm3"`), the digest half of the GM
    /// profile; the issuer key (the other half, SM2) is the caller's choice and is not checked.
    #[must_use]
    pub fn gm_profile(mut self) -> Self {
        self.sd_alg = SdAlg::Sm3;
        self
    }

    /// The `exp` the credential gets: `expires_at`, capped to the end of the document's
    /// validity (or refused there in strict mode).
    pub fn effective_expiry(&self) -> Result<i64, VcError> {
        match self.document_validity {
            Some((ref field, end)) if self.expires_at > end => {
                if self.strict_validity {
                    Err(VcError::ExpiryAfterDocument(field.clone()))
                } else {
                    Ok(end)
                }
            }
            _ => Ok(self.expires_at),
        }
    }
}

/// The issuer's choice about revocability, checked before anything is allocated or signed:
/// a type that must be revocable needs a status list (`has_status`) unless the issuer opted
/// out (`no_status`). Front ends call this up front; [`issue_credential`] applies the same
/// rule to each request.
pub fn check_status_choice(
    credential_type: &CredentialType,
    has_status: bool,
    no_status: bool,
) -> Result<(), VcError> {
    if credential_type.status_required && !has_status && !no_status {
        return Err(VcError::StatusRequired);
    }
    Ok(())
}

/// Issues the credential: `<issuer-jwt>~<disclosure>~…~`. The header carries `typ: dc+sd-jwt`
/// and `kid` = the RFC 7638 thumbprint of the issuer key.
pub fn issue_credential<S: KeySigner + ?Sized>(
    request: &CredentialRequest,
    issuer_key: &S,
    rng: &mut dyn CryptoRngCore,
) -> Result<String, VcError> {
    for name in NEVER_DISCLOSABLE {
        if request.claims.contains_key(*name) {
            return Err(VcError::ReservedClaimSupplied((*name).to_owned()));
        }
    }
    // A registered claim, and anything inside one (`cnf.jwk.x`, `status.status_list.idx`), stays
    // in the clear: they are written beside the claims, never through the disclosure policy.
    for path in &request.disclosable {
        if let Some(PathSegment::Key(first)) = path.0.first()
            && NEVER_DISCLOSABLE.contains(&first.as_str())
        {
            return Err(VcError::ReservedClaimDisclosable(first.clone()));
        }
    }
    if request.status_required && request.status.is_none() {
        return Err(VcError::StatusRequired);
    }
    let expires_at = request.effective_expiry()?;
    if expires_at <= request.issued_at || request.not_before.is_some_and(|n| n >= expires_at) {
        return Err(VcError::InvalidValidity);
    }
    // The registered claims, added in the clear beside the request's (which may not use their
    // names, checked above); the claims themselves are not copied.
    let (iss, iat, vct) = (
        Value::from(request.issuer.as_str()),
        Value::from(request.issued_at),
        Value::from(request.vct.as_str()),
    );
    let (nbf, exp) = (request.not_before.map(Value::from), Value::from(expires_at));
    let mut cnf = Map::new();
    cnf.insert("jwk".into(), request.holder_key.to_jwk());
    let cnf = Value::Object(cnf);
    let status = request.status.as_ref().map(StatusRef::to_claim);
    let mut registered: Vec<(&str, &Value)> = vec![
        ("iss", &iss),
        ("iat", &iat),
        ("exp", &exp),
        ("vct", &vct),
        ("cnf", &cnf),
    ];
    registered.extend(nbf.as_ref().map(|v| ("nbf", v)));
    registered.extend(status.as_ref().map(|v| ("status", v)));
    // serde_json's order for a map of these members: `alg`, `kid`, `typ`.
    let header = JsonLine::with_capacity(96)
        .str("alg", issuer_key.key_algorithm().jws_name())
        .str("kid", &issuer_key.public().thumbprint())
        .str("typ", VC_TYP)
        .finish_object();
    let policy = sdjwt::Policy {
        disclosable: &request.disclosable,
        decoys: &request.decoys,
        sd_alg: request.sd_alg,
    };
    let (jwt, disclosures) = sdjwt::issue_serialized(
        &header,
        &request.claims,
        &registered,
        &policy,
        issuer_key,
        rng,
        None,
    )?;
    let mut out = String::with_capacity(
        disclosures
            .iter()
            .fold(jwt.len().saturating_add(1), |n, d| {
                n.saturating_add(d.len()).saturating_add(1)
            }),
    );
    out.push_str(&jwt);
    out.push('~');
    for d in &disclosures {
        out.push_str(d);
        out.push('~');
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::credential::catalogue;
    use crate::format::keys::SigningKey;
    use rand_core::SeedableRng;

    /// Nothing inside a registered claim can be made selectively disclosable: the issuer writes
    /// those claims in the clear, beside the request's.
    #[test]
    fn paths_inside_registered_claims_are_refused() {
        let ty = catalogue::by_name("driving-licence").unwrap();
        let holder = SigningKey::from_seed(&[2; 32]);
        let issuer = SigningKey::from_seed(&[1; 32]);
        for path in ["cnf", "cnf.jwk.x", "status.status_list.idx", "iss"] {
            let mut request = CredentialRequest::for_type(
                ty,
                "https://jtgl.sh.gov.cn/issuer",
                &ty.example_claims(),
                holder.verifying_key(),
                1_767_225_600,
            )
            .unwrap()
            .without_status();
            request.disclosable.push(path.parse().unwrap());
            let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(1);
            let err = issue_credential(&request, &issuer, &mut rng).unwrap_err();
            assert_eq!(err.code(), "vc.reserved_claim_disclosable", "{path}");
        }
    }
}
