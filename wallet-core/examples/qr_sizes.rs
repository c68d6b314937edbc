//! Prints the QR size table of docs/qr-format.md: for every credential type, a presentation of
//! four claims with an offline KB-JWT, as a raw SD-JWT+KB string, as a `CW1:` payload and as
//! the `CW2:` payload the encoder now writes, with the QR versions each needs (Ed25519 keys; the
//! other algorithms: `cargo test --release -p wallet-core --test qr -- --nocapture cw2::budget`). Deterministic (fixed keys and seed).
//! Run: `cargo run --release -p wallet-core --example qr_sizes`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::arithmetic_side_effects,
    clippy::indexing_slicing
)]

use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use wallet_core::credential::catalogue;
use wallet_core::holder::present;
use wallet_core::issuer::{CredentialRequest, issue_credential};
use wallet_core::keys::SigningKey;
use wallet_core::qr::freshness::offline_key_binding;
use wallet_core::qr::render::{EccLevel, version_for_len};
use wallet_core::qr::transport;
use wallet_core::sdjwt::ClaimPath;

const IAT: i64 = 1_767_225_600;

fn byte_mode_version(text: &str, ecc: qrcode::EcLevel) -> String {
    match qrcode::QrCode::with_error_correction_level(text.as_bytes(), ecc) {
        Ok(code) => match code.version() {
            qrcode::Version::Normal(v) => v.to_string(),
            qrcode::Version::Micro(v) => format!("M{v}"),
        },
        Err(_) => "> 40".into(),
    }
}

fn main() {
    let issuer = SigningKey::from_seed(&[1; 32]);
    let holder = SigningKey::from_seed(&[2; 32]);
    println!(
        "| type | claims shown | raw SD-JWT+KB chars | raw QR version (byte mode, L) | `CW1:` payload chars | compact bytes | `CW2:` payload chars | QR version L / M / Q |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    for ty in catalogue::all() {
        let claims = ty.example_claims();
        let request = CredentialRequest::for_type(
            ty,
            "https://agency.sh.gov.cn/issuer",
            &claims,
            holder.verifying_key(),
            IAT,
        )
        .unwrap()
        .without_status();
        let mut rng = ChaCha20Rng::seed_from_u64(42);
        let credential = issue_credential(&request, &issuer, &mut rng).unwrap();
        let shown: Vec<ClaimPath> = request.disclosable.iter().take(4).cloned().collect();
        let kb = offline_key_binding(IAT + 60, &mut rng);
        let presentation = present(&credential, &shown, Some(&kb), &holder).unwrap();
        let payload = transport::encode(&presentation).unwrap();
        assert_eq!(transport::decode(&payload).unwrap(), presentation);
        let v1 = transport::encode_version(&presentation, transport::Version::V1).unwrap();
        let chars = payload.len();
        let compact = (chars - 4) / 3 * 2 + usize::from((chars - 4) % 3 == 2);
        let v = |e| version_for_len(chars, e).map_or("> 40".into(), |v| v.to_string());
        let names: Vec<String> = shown.iter().map(ToString::to_string).collect();
        println!(
            "| `{}` | {} | {} | {} | {} | {} | {} | {} / {} / {} |",
            ty.short_name,
            names.join(", "),
            presentation.len(),
            byte_mode_version(&presentation, qrcode::EcLevel::L),
            v1.len(),
            compact,
            chars,
            v(EccLevel::L),
            v(EccLevel::M),
            v(EccLevel::Q)
        );
    }
}
