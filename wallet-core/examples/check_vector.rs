//! Verifies every test-vector file in a directory (e.g. credentials issued by another
//! implementation) and prints one line per case; exits 1 if any case does not match.

#![allow(clippy::arithmetic_side_effects)]

#[path = "../tests/support/vectors.rs"]
#[allow(clippy::indexing_slicing)]
mod vectors;

fn main() -> std::process::ExitCode {
    let Some(dir) = std::env::args().nth(1) else {
        eprintln!("usage: check_vector DIR");
        return std::process::ExitCode::from(2);
    };
    let cases = match vectors::load_dir(std::path::Path::new(&dir)) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    let (mut passed, mut failed) = (0, 0);
    for (name, v) in &cases {
        match vectors::check(v) {
            Ok(()) => {
                passed += 1;
                println!("ok {name}");
            }
            Err(e) => {
                failed += 1;
                println!("FAIL {name}: {e}");
            }
        }
    }
    println!("{passed} passed, {failed} failed");
    if failed == 0 && passed > 0 {
        std::process::ExitCode::SUCCESS
    } else {
        std::process::ExitCode::FAILURE
    }
}
