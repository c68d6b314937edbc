//! `wallet`: the command-line shell over wallet-core for issuing agencies, trust-list operators,
//! holders and verifiers. It parses arguments, calls the library and formats results; the
//! certificate logic lives in wallet-core.

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("demo") => {
            println!("demo not yet available: the end-to-end demo arrives with the CLI commands");
            ExitCode::SUCCESS
        }
        Some("--version" | "-V") => {
            println!("wallet {}", env!("CARGO_PKG_VERSION"));
            ExitCode::SUCCESS
        }
        _ => {
            eprintln!("usage: wallet demo");
            ExitCode::from(2)
        }
    }
}
