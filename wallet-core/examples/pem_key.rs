//! Writes a fresh Ed25519 key as PKCS#8 v1 PEM to the given path (created new, mode 0600) and
//! prints the public key's `x` (base64url) so a script can compare it with what OpenSSL reads.

fn main() -> std::process::ExitCode {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: pem_key OUT.pem");
        return std::process::ExitCode::from(2);
    };
    let key = wallet_core::keys::SigningKey::generate(&mut rand_core::OsRng);
    let pem = key.to_pkcs8_pem();
    if let Err(e) =
        wallet_core::fsutil::create_new(std::path::Path::new(&path), pem.as_bytes(), 0o600)
    {
        eprintln!("error: cannot create {path}: {e}");
        return std::process::ExitCode::from(2);
    }
    println!(
        "{}",
        wallet_core::b64_encode(key.verifying_key().as_bytes())
    );
    std::process::ExitCode::SUCCESS
}
