//! Protocol step 2, the holder: from a stored credential, builds a presentation that reveals
//! only the claims the holder picked, bound to a verifier (`aud`), a `nonce` and the current time
//! by a KB-JWT signed with the holder key (RFC 9901 §4.3).

use crate::format::credential::{RegisteredClaims, VcError};
use crate::format::jws::Jws;
use crate::format::keys::{KeySigner, PublicKey};
use crate::format::sdjwt::{self, ClaimPath, Disclosure, KeyBindingRequest, SdAlg, SdJwtParts};

/// Builds a presentation of `credential` (as issued: `<jwt>~<d>~…~`) disclosing the `disclose`
/// claim paths. With `key_binding`, appends a KB-JWT signed by `holder` (whose public key must
/// be the credential's `cnf.jwk`); without, ends in `~`. A wallet that shows one credential
/// again and again (a refreshing QR code) parses it once: [`PreparedCredential`].
pub fn present<S: KeySigner + ?Sized>(
    credential: &str,
    disclose: &[ClaimPath],
    key_binding: Option<&KeyBindingRequest>,
    holder: &S,
) -> Result<String, VcError> {
    PreparedCredential::parse(credential)?.present(disclose, key_binding, holder)
}

/// A credential as issued, parsed once for presenting: its parts, its disclosures with their
/// digests, the claims they open and the holder key. Presenting it then costs the selection,
/// `sd_hash` and the holder's signature — nothing is decoded again.
#[derive(Debug, Clone)]
pub struct PreparedCredential {
    /// The issuer-signed JWT.
    jwt: String,
    disclosures: Vec<Disclosure>,
    /// The payload processed against every disclosure: where each one sits.
    processed: sdjwt::Processed,
    sd_alg: SdAlg,
    /// `cnf.jwk`, or why the registered claims were refused: that is reported only when a KB-JWT
    /// is asked for, as presenting without one does not use them.
    holder_key: Result<PublicKey, VcError>,
}

impl PreparedCredential {
    /// Parses a credential as issued (`<jwt>~<d>~…~`; a trailing KB-JWT is ignored). The
    /// issuer's signature is not checked: the store checked it when the credential came in.
    pub fn parse(credential: &str) -> Result<Self, VcError> {
        let parts = SdJwtParts::split(credential)?;
        let jwt = Jws::parse(parts.jwt)?;
        let payload = jwt.payload()?;
        // An unsupported `_sd_alg` is refused by `process`, as before.
        let sd_alg = SdAlg::from_payload(&payload).unwrap_or_default();
        let disclosures = parts
            .disclosures
            .iter()
            .map(|d| Disclosure::parse_with(d, sd_alg))
            .collect::<Result<Vec<_>, _>>()?;
        let holder_key = RegisteredClaims::from_payload(&payload).map(|r| r.holder_key);
        let processed = sdjwt::process(payload, &disclosures)?;
        Ok(Self {
            jwt: parts.jwt.to_owned(),
            disclosures,
            processed,
            sd_alg,
            holder_key,
        })
    }

    /// A presentation disclosing the `disclose` claim paths (and the disclosures they need),
    /// with a KB-JWT signed by `holder` when `key_binding` is given: what [`present`] returns
    /// for the same credential.
    pub fn present<S: KeySigner + ?Sized>(
        &self,
        disclose: &[ClaimPath],
        key_binding: Option<&KeyBindingRequest>,
        holder: &S,
    ) -> Result<String, VcError> {
        let chosen = sdjwt::select_processed(&self.processed, self.disclosures.len(), disclose)?;
        let chosen = chosen.iter().filter_map(|&i| self.disclosures.get(i));
        // One buffer for the whole presentation: the KB-JWT of a short audience and nonce is
        // under 400 bytes.
        let mut out = String::with_capacity(
            chosen
                .clone()
                .fold(self.jwt.len().saturating_add(400), |n, d| {
                    n.saturating_add(d.encoded().len()).saturating_add(1)
                }),
        );
        out.push_str(&self.jwt);
        out.push('~');
        for d in chosen {
            out.push_str(d.encoded());
            out.push('~');
        }
        let Some(kb) = key_binding else {
            return Ok(out);
        };
        let holder_key = self.holder_key.as_ref().map_err(Clone::clone)?;
        if *holder_key != holder.public() {
            return Err(VcError::HolderKeyMismatch);
        }
        // `sd_hash` uses the credential's `_sd_alg` (RFC 9901 §4.3.1).
        let kb_jwt = sdjwt::create_kb_jwt_with(
            self.sd_alg,
            &out,
            &kb.audience,
            &kb.nonce,
            kb.issued_at,
            holder,
        )?;
        out.push_str(&kb_jwt);
        Ok(out)
    }
}
