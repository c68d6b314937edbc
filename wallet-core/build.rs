//! Sets `cfg(native_p256)` where ES256 verification runs on `ring` (docs/performance.md, "Key
//! algorithms"): 64-bit x86 and Arm servers and desktops, where `ring` builds its P-256 assembly
//! with the host's C toolchain. The phones (built without a C cross-compiler by the FFI check)
//! and wasm32 (the web verifier) use `p256`'s portable Rust. The condition must stay the one on
//! `ring` in Cargo.toml; a mismatch fails to compile (`ring` missing) or leaves it unused.

fn main() {
    println!("cargo::rustc-check-cfg=cfg(native_p256)");
    let arch = std::env::var("CARGO_CFG_TARGET_ARCH").unwrap_or_default();
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    if matches!(arch.as_str(), "x86_64" | "aarch64")
        && matches!(os.as_str(), "linux" | "macos" | "windows")
    {
        println!("cargo::rustc-cfg=native_p256");
    }
}
