//! Runs C programs against the shared library this build made: the test program
//! (tests/c/wallet_test.c) and the complete example in docs/ffi.md. Each is compiled with the
//! system C compiler (`$CC`, else `cc`) against include/wallet.h, linked with libwallet_ffi and
//! OpenSSL's libcrypto (the test's stand-in for secure hardware), and run on the fixtures in
//! tests/data. scripts/ffi-check.sh runs the test program under AddressSanitizer/UBSan and
//! valgrind.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// The directory holding libwallet_ffi.so. `cargo test` builds it into `deps`, beside this test
/// binary, and copies it up one level only on `cargo build`, so `deps` (current) comes first.
fn library_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let deps = exe.parent().unwrap();
    for dir in [deps, deps.parent().unwrap()] {
        if dir.join("libwallet_ffi.so").is_file() {
            return dir.to_path_buf();
        }
    }
    panic!(
        "libwallet_ffi.so not found next to {}: build the library with `cargo build -p wallet-ffi`",
        deps.display()
    );
}

fn crate_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Compiles `source`, runs it with the fixture directory and an empty work directory, and
/// returns its standard output; fails the test on any compiler diagnostic or a non-zero exit.
fn compile_and_run(source: &Path, name: &str) -> String {
    let lib = library_dir();
    let work = tempfile::tempdir().unwrap();
    let exe = work.path().join(name);
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".to_owned());
    let compile = Command::new(&cc)
        .args([
            "-std=c11",
            "-g",
            "-Wall",
            "-Wextra",
            "-Werror",
            "-Wno-unused-parameter",
        ])
        .arg("-I")
        .arg(crate_dir().join("include"))
        .arg(source)
        .arg("-o")
        .arg(&exe)
        .arg("-L")
        .arg(&lib)
        .arg(format!("-Wl,-rpath,{}", lib.display()))
        .args(["-lwallet_ffi", "-lcrypto", "-pthread"])
        .output()
        .unwrap_or_else(|e| panic!("cannot run the C compiler {cc:?}: {e}"));
    assert!(
        compile.status.success(),
        "compiling {} failed (it needs a C compiler and OpenSSL's headers, Debian package \
         libssl-dev):\n{}",
        source.display(),
        String::from_utf8_lossy(&compile.stderr)
    );
    let stores = work.path().join("stores");
    std::fs::create_dir(&stores).unwrap();
    // cargo's LD_LIBRARY_PATH may name a stale copy of the library in the target directory
    // before this build's; the program's own rpath points at the right one.
    let run = Command::new(&exe)
        .env_remove("LD_LIBRARY_PATH")
        .arg(crate_dir().join("tests/data"))
        .arg(&stores)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&run.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        run.status.success(),
        "{name} failed ({}):\n{stdout}\n{stderr}",
        run.status
    );
    stdout
}

#[test]
fn c_program_runs_the_whole_api() {
    let out = compile_and_run(&crate_dir().join("tests/c/wallet_test.c"), "wallet_test");
    println!("{out}");
    assert!(out.contains(" 0 failed"), "{out}");
}

#[test]
fn docs_complete_example_compiles_and_verifies() {
    let doc = std::fs::read_to_string(crate_dir().join("../docs/ffi.md")).unwrap();
    let section = doc
        .split("## A complete C example")
        .nth(1)
        .expect("docs/ffi.md has a complete C example section");
    let code = section
        .split("```c\n")
        .nth(1)
        .and_then(|s| s.split("\n```").next())
        .expect("the section has a ```c block");
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("example.c");
    std::fs::write(&source, code).unwrap();
    let out = compile_and_run(&source, "example");
    assert!(out.contains("\"valid\":true"), "{out}");
}
