//! Keeps the checked-in C header, include/wallet.h, identical to what cbindgen generates from
//! the exported functions and types, so that C, Swift and Kotlin callers never compile against
//! a stale declaration. Set `UPDATE_HEADER=1` to rewrite it after changing the API.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;

#[test]
fn header_matches_the_exported_api() {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let config = cbindgen::Config::from_file(crate_dir.join("cbindgen.toml")).unwrap();
    let bindings = cbindgen::Builder::new()
        .with_crate(crate_dir)
        .with_config(config)
        .generate()
        .expect("cbindgen could not read the crate");
    let mut generated = Vec::new();
    bindings.write(&mut generated);
    let path = crate_dir.join("include/wallet.h");
    if std::env::var_os("UPDATE_HEADER").is_some() {
        std::fs::write(&path, &generated).unwrap();
    }
    let committed = std::fs::read(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "wallet-ffi/include/wallet.h differs from the exported API: regenerate it with \
         `UPDATE_HEADER=1 cargo test -p wallet-ffi --test header` and commit the result"
    );
}
