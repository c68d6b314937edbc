//! The FFI issuer with a status registry (`"status_registry"` in the options): each credential
//! gets its index from wallet-core's issuance transaction — allocated under the registry's lock,
//! saved before signing, logged in `REG.issued.jsonl` — so two credentials never share an
//! index, a full registry refuses with `WALLET_RESULT_STATUS_REGISTRY_FULL` and issues nothing,
//! and a missing registry is `WALLET_RESULT_STATUS_REGISTRY_UNAVAILABLE`.

#![allow(
    unsafe_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::undocumented_unsafe_blocks
)]

use serde_json::Value;
use std::path::Path;
use wallet_core::issuer::StatusRegistry;
use wallet_core::issuer::log::log_path;
use wallet_core::keys::SigningKey;
use wallet_core::status::Bits;
use wallet_ffi::{
    wallet_buffer, wallet_buffer_free, wallet_issuer, wallet_issuer_free, wallet_issuer_issue,
    wallet_issuer_new, wallet_result,
};

/// 2026-06-01T00:00:00Z, inside the fixtures' validity.
const NOW: i64 = 1_780_272_000;
const ISS: &str = "https://ga.sh.gov.cn/issuer";
const URI: &str = "https://ga.sh.gov.cn/status/7";

fn fixture(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name);
    std::fs::read_to_string(path).unwrap().trim().to_owned()
}

struct Issuer(*mut wallet_issuer);

impl Issuer {
    fn new() -> Self {
        let key = fixture("issuer.jwk");
        let mut issuer = std::ptr::null_mut();
        let r = unsafe {
            wallet_issuer_new(
                ISS.as_ptr().cast(),
                ISS.len(),
                key.as_ptr().cast(),
                key.len(),
                &mut issuer,
            )
        };
        assert_eq!(r, wallet_result::Ok);
        Self(issuer)
    }

    /// Issues a resident ID with `options`; the credential on success.
    fn issue(&self, options: &str) -> Result<String, wallet_result> {
        let claims = fixture("resident-id.claims.json");
        let holder = SigningKey::from_seed(&[9; 32])
            .verifying_key()
            .to_jwk()
            .to_string();
        let ty = "resident-id";
        let mut out = wallet_buffer {
            data: std::ptr::null_mut(),
            len: 0,
        };
        let r = unsafe {
            wallet_issuer_issue(
                self.0,
                ty.as_ptr().cast(),
                ty.len(),
                claims.as_ptr().cast(),
                claims.len(),
                holder.as_ptr().cast(),
                holder.len(),
                options.as_ptr().cast(),
                options.len(),
                NOW,
                &mut out,
            )
        };
        if r != wallet_result::Ok {
            return Err(r);
        }
        let text = unsafe { std::slice::from_raw_parts(out.data, out.len) };
        let credential = String::from_utf8(text.to_vec()).unwrap();
        unsafe { wallet_buffer_free(&mut out) };
        Ok(credential)
    }
}

impl Drop for Issuer {
    fn drop(&mut self) {
        unsafe { wallet_issuer_free(self.0) };
    }
}

/// The `status.status_list` of a credential.
fn status_of(credential: &str) -> (u64, String) {
    let jwt = credential.split('~').next().unwrap();
    let payload = wallet_core::jws::Jws::parse(jwt)
        .unwrap()
        .payload()
        .unwrap();
    let list = &payload["status"]["status_list"];
    (
        list["idx"].as_u64().unwrap(),
        list["uri"].as_str().unwrap().to_owned(),
    )
}

#[test]
fn issuer_allocates_from_a_registry_and_logs_each_credential() {
    let dir = tempfile::tempdir().unwrap();
    let registry = dir.path().join("status.registry");
    StatusRegistry::new(URI, Bits::Two, 2)
        .unwrap()
        .save(&registry)
        .unwrap();
    let options = serde_json::json!({ "status_registry": registry.to_str().unwrap() }).to_string();
    let issuer = Issuer::new();

    let first = issuer.issue(&options).unwrap();
    let second = issuer.issue(&options).unwrap();
    let (a, uri_a) = status_of(&first);
    let (b, uri_b) = status_of(&second);
    // Indices are drawn at random among the free ones; with two, both are given, once each.
    let mut indices = [a, b];
    indices.sort_unstable();
    assert_eq!(indices, [0, 1]);
    assert_eq!((uri_a.as_str(), uri_b.as_str()), (URI, URI));
    let saved = StatusRegistry::load(&registry).unwrap();
    assert_eq!(saved.allocated_count(), 2);

    // The issuance log has one line per credential, in order, naming its id and index.
    let log = std::fs::read_to_string(log_path(&registry)).unwrap();
    let lines: Vec<Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    for (line, (credential, idx)) in lines.iter().zip([(&first, a), (&second, b)]) {
        let id = wallet_core::holder::credential_id(credential).unwrap();
        assert_eq!(line["id"], id.as_str());
        assert_eq!(line["idx"], idx);
        assert_eq!(line["uri"], URI);
        assert_eq!(line["iss"], ISS);
        assert_eq!(line["iat"], NOW);
        assert!(line.get("batch").is_none());
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(log_path(&registry))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    // The registry is full: refused, nothing logged, nothing allocated.
    assert_eq!(
        issuer.issue(&options),
        Err(wallet_result::StatusRegistryFull)
    );
    assert_eq!(std::fs::read_to_string(log_path(&registry)).unwrap(), log);
}

#[test]
fn a_missing_registry_issues_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let registry = dir.path().join("missing.registry");
    let options = serde_json::json!({ "status_registry": registry.to_str().unwrap() }).to_string();
    assert_eq!(
        Issuer::new().issue(&options),
        Err(wallet_result::StatusRegistryUnavailable)
    );
    // No lock file is left beside a mistyped path.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}
