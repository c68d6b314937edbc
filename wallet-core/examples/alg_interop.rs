//! The wallet-core side of scripts/openssl-interop.sh, which checks our ES256 and SM2 signatures
//! with OpenSSL 3 and OpenSSL's with ours.
//!
//! - `alg_interop sign es256|sm2 DIR`: a fresh key written as PKCS#8 PEM (`DIR/key.pem`), a JWS
//!   signed with it (`DIR/token`), its signing input (`DIR/input`) and its signature in DER
//!   (`DIR/sig.der`), the form `openssl pkeyutl -verify` reads.
//! - `alg_interop verify KEY.pem INPUT SIG.der`: reads a private key PEM made by OpenSSL (only its
//!   public half is used), joins INPUT and the DER signature (converted to r‖s) into a compact
//!   JWS and verifies it with the key's algorithm. Prints `valid` (exit 0) or the error code
//!   (exit 1).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::Path;
use wallet_core::b64_encode;
use wallet_core::hazmat::jws::sign;
use wallet_core::jws::Jws;
use wallet_core::keys::{Algorithm, PrivateKey, signature_from_der, signature_to_der};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["sign", alg, dir] => {
            let alg = match *alg {
                "es256" => Algorithm::Es256,
                "sm2" => Algorithm::Sm2,
                other => panic!("unknown algorithm {other}"),
            };
            let dir = Path::new(dir);
            let key = PrivateKey::generate(alg, &mut rand_core::OsRng).unwrap();
            std::fs::write(dir.join("key.pem"), key.to_pkcs8_pem().unwrap().as_bytes()).unwrap();
            let mut header = serde_json::Map::new();
            header.insert("typ".into(), "JWT".into());
            let payload = serde_json::json!({"iss": "https://ga.sh.gov.cn/issuer", "n": 1});
            let token = sign(header, &payload, &key).unwrap();
            let jws = Jws::parse(&token).unwrap();
            std::fs::write(dir.join("token"), &token).unwrap();
            std::fs::write(dir.join("input"), jws.signing_input()).unwrap();
            std::fs::write(dir.join("sig.der"), signature_to_der(jws.signature())).unwrap();
            println!("signed {} ({})", alg.jws_name(), key.thumbprint());
        }
        ["verify", pem, input, der] => {
            let key = PrivateKey::from_pkcs8_pem(&std::fs::read_to_string(pem).unwrap()).unwrap();
            let input = std::fs::read_to_string(input).unwrap();
            let raw = signature_from_der(&std::fs::read(der).unwrap()).unwrap();
            let token = format!("{input}.{}", b64_encode(raw));
            let result = Jws::parse(&token).and_then(|jws| jws.verify(&key.public_key()));
            match result {
                Ok(()) => println!("valid ({} key from OpenSSL)", key.algorithm().jws_name()),
                Err(e) => {
                    println!("refused: {}", e.code());
                    std::process::exit(1);
                }
            }
        }
        _ => {
            eprintln!(
                "usage: alg_interop sign es256|sm2 DIR | alg_interop verify KEY.pem INPUT SIG.der"
            );
            std::process::exit(2);
        }
    }
}
