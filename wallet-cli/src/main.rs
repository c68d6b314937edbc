//! `wallet`: the command-line shell over wallet-core for issuing agencies, trust-list operators,
//! holders and verifiers. It parses arguments, calls the library and formats results; the
//! certificate logic lives in wallet-core. Exit codes (docs/cli.md): 0 success or valid, 1 a
//! negative verification result, 2 a usage, input or I/O error.

mod agency;
mod batch;
mod bulk;
mod cli;
mod common;
mod demo;
mod holder;
mod verifier;

use clap::{CommandFactory as _, Parser as _};
use cli::{Cli, Command, HolderCommand, KeyCommand, StatusCommand, TrustCommand};
use common::{CliError, CliResult, EXIT_ERROR};
use std::process::ExitCode;

/// See the workspace Cargo.toml for why the CLI brings its own allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // clap prints help and version to stdout (exit 0) and usage errors to stderr; usage
            // errors leave with 2, as documented.
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(EXIT_ERROR)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            report(&e);
            ExitCode::from(e.exit)
        }
    }
}

/// Prints an error the way age does: what happened, then what to do.
fn report(e: &CliError) {
    eprintln!("error: {}", e.message);
    if let Some(hint) = &e.hint {
        eprintln!("hint: {hint}");
    }
}

fn run(cli: Cli) -> CliResult<u8> {
    match cli.command {
        Command::Key(KeyCommand::Generate(a)) => agency::key_generate(&a).map(|()| 0),
        Command::Key(KeyCommand::Public(a)) => agency::key_public(&a).map(|()| 0),
        Command::Types(a) => agency::types(&a).map(|()| 0),
        Command::Trust(t) => match t {
            TrustCommand::Init(a) => agency::trust_init(&a),
            TrustCommand::AddIssuer(a) => agency::trust_add_issuer(&a),
            TrustCommand::RemoveIssuer(a) => agency::trust_remove_issuer(&a),
            TrustCommand::AddKey(a) => agency::trust_add_key(&a),
            TrustCommand::RemoveKey(a) => agency::trust_remove_key(&a),
            TrustCommand::Sign(a) => agency::trust_sign(&a),
            TrustCommand::Show(a) => agency::trust_show(&a),
        }
        .map(|()| 0),
        Command::Issue(a) => agency::issue(&a).map(|_| 0),
        Command::IssueBatch(a) => batch::issue_batch(&a),
        Command::Status(s) => match s {
            StatusCommand::Init(a) => agency::status_init(&a),
            StatusCommand::Revoke(a) => agency::status_set(&a, agency::StatusChange::Revoke),
            StatusCommand::Suspend(a) => agency::status_set(&a, agency::StatusChange::Suspend),
            StatusCommand::Reinstate(a) => agency::status_set(&a, agency::StatusChange::Reinstate),
            StatusCommand::Publish(a) => agency::status_publish(&a),
            StatusCommand::Cache(a) => verifier::status_cache(&a),
        }
        .map(|()| 0),
        Command::Holder(h) => match h {
            HolderCommand::Init(a) => holder::init(&a),
            HolderCommand::NewKey(a) => holder::new_key(&a),
            HolderCommand::Import(a) => holder::import(&a),
            HolderCommand::List(a) => holder::list(&a),
            HolderCommand::Remove(a) => holder::remove(&a),
        }
        .map(|()| 0),
        Command::Present(a) => holder::present(&a).map(|()| 0),
        Command::Verify(a) => verifier::verify(&a),
        Command::VerifyBatch(a) => bulk::verify_batch(&a),
        Command::Inspect(a) => verifier::inspect(&a).map(|()| 0),
        Command::Demo(a) => demo::run(&a),
        Command::Completions(a) => {
            let mut cmd = Cli::command();
            clap_complete::generate(a.shell, &mut cmd, "wallet", &mut std::io::stdout());
            Ok(0)
        }
        Command::Man => {
            let man = clap_mangen::Man::new(Cli::command());
            man.render(&mut std::io::stdout())
                .map_err(|e| CliError::input(format!("cannot write the man page: {e}")))?;
            Ok(0)
        }
    }
}
