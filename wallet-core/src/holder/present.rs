//! Protocol step 2, the holder: from a stored credential, builds a presentation that reveals
//! only the claims the holder picked, bound to a verifier (`aud`), a `nonce` and the current time
//! by a KB-JWT signed with the holder key (RFC 9901 §4.3).

use crate::format::credential::{RegisteredClaims, VcError};
use crate::format::jws::Jws;
use crate::format::keys::KeySigner;
use crate::format::sdjwt::{self, ClaimPath, Disclosure, KeyBindingRequest, SdAlg, SdJwtParts};

/// Builds a presentation of `credential` (as issued: `<jwt>~<d>~…~`) disclosing the `disclose`
/// claim paths. With `key_binding`, appends a KB-JWT signed by `holder` (whose public key must
/// be the credential's `cnf.jwk`); without, ends in `~`.
pub fn present<S: KeySigner + ?Sized>(
    credential: &str,
    disclose: &[ClaimPath],
    key_binding: Option<&KeyBindingRequest>,
    holder: &S,
) -> Result<String, VcError> {
    let parts = SdJwtParts::split(credential)?;
    let jwt = Jws::parse(parts.jwt)?;
    let payload = jwt.payload()?;
    // An unsupported `_sd_alg` is refused by `select_disclosures`, as before.
    let sd_alg = SdAlg::from_payload(&payload).unwrap_or_default();
    let disclosures = parts
        .disclosures
        .iter()
        .map(|d| Disclosure::parse_with(d, sd_alg))
        .collect::<Result<Vec<_>, _>>()?;
    let chosen = sdjwt::select_disclosures(&payload, &disclosures, disclose)?;
    let without_kb = sdjwt::serialize(
        parts.jwt,
        chosen
            .iter()
            .filter_map(|&i| disclosures.get(i))
            .map(Disclosure::encoded),
    );
    let Some(kb) = key_binding else {
        return Ok(without_kb);
    };
    let registered = RegisteredClaims::from_payload(&payload)?;
    if registered.holder_key != holder.public() {
        return Err(VcError::HolderKeyMismatch);
    }
    // `sd_hash` uses the credential's `_sd_alg` (RFC 9901 §4.3.1).
    let kb_jwt = sdjwt::create_kb_jwt_with(
        sd_alg,
        &without_kb,
        &kb.audience,
        &kb.nonce,
        kb.issued_at,
        holder,
    )?;
    Ok(without_kb + &kb_jwt)
}
