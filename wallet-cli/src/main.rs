//! `wallet`: the command-line shell over wallet-core for issuing agencies, trust-list operators,
//! holders and verifiers. It parses arguments, calls the library and formats results; the
//! certificate logic lives in wallet-core. Exit codes (docs/cli.md): 0 success or valid, 1 a
//! negative verification result, 2 a usage, input or I/O error.

mod batch;
mod batch_files;
mod batch_progress;
mod bulk;
mod cli;
mod common;
mod demo;
mod holder;
mod hsm;
mod issue_cmd;
mod keys_cmd;
mod man;
mod output;
mod status_cmd;
mod trust_cmd;
mod types_cmd;
mod verifier;

use clap::{CommandFactory as _, FromArgMatches as _};
use cli::{Cli, Command, HolderCommand, KeyCommand, StatusCommand, TrustCommand};
use common::{CliError, CliResult, EXIT_ERROR};
use std::process::ExitCode;

/// See the workspace Cargo.toml for why the CLI brings its own allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let matches = match Cli::command().try_get_matches() {
        Ok(m) => m,
        Err(e) => return usage_error(&e),
    };
    let (name, json) = invoked(&matches);
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => return usage_error(&e),
    };
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) if e.is_quiet() => ExitCode::SUCCESS,
        Err(e) => {
            report(&e, json.then_some(name.as_str()));
            ExitCode::from(e.exit)
        }
    }
}

/// The subcommand run, as named in `--json` objects and man pages (`issue`, `status-revoke`),
/// and whether `--json` was given to it.
fn invoked(matches: &clap::ArgMatches) -> (String, bool) {
    let mut names = Vec::new();
    let mut m = matches;
    while let Some((name, sub)) = m.subcommand() {
        names.push(name.to_owned());
        m = sub;
    }
    let json = m
        .try_get_one::<bool>("json")
        .ok()
        .flatten()
        .copied()
        .unwrap_or(false);
    (names.join("-"), json)
}

/// clap's own errors: help and version go to stdout (exit 0); usage errors to stderr with
/// exit 2, and — when `--json` is among the arguments — as a JSON error object on stdout too.
fn usage_error(e: &clap::Error) -> ExitCode {
    // clap's print returns write errors instead of panicking: help on a closed pipe is quiet.
    let _ = e.print();
    if !e.use_stderr() {
        return ExitCode::SUCCESS;
    }
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--json") {
        let mut cmd = Cli::command();
        let mut names = Vec::new();
        for arg in &args {
            let Some(sub) = cmd.find_subcommand(arg).cloned() else {
                break;
            };
            names.push(sub.get_name().to_owned());
            cmd = sub;
        }
        let rendered = e.render().to_string();
        let first = rendered.lines().next().unwrap_or("invalid arguments");
        let err = CliError::usage(first.strip_prefix("error: ").unwrap_or(first))
            .hint("run the command with --help to see its arguments");
        let _ = output::write_stdout(output::json_error(&names.join("-"), &err).as_bytes());
    }
    ExitCode::from(EXIT_ERROR)
}

/// Prints an error the way age does: what happened, then what to do. Under `--json` the error
/// is also the command's JSON object on stdout.
fn report(e: &CliError, json_command: Option<&str>) {
    eprintln!("error: {}", e.message);
    if let Some(hint) = &e.hint {
        eprintln!("hint: {hint}");
    }
    if let Some(command) = json_command {
        let _ = output::write_stdout(output::json_error(command, e).as_bytes());
    }
}
fn run(cli: Cli) -> CliResult<u8> {
    types_cmd::set_types_dir(cli.types_dir);
    hsm::set_module_path(cli.pkcs11_module);
    match cli.command {
        Command::Key(KeyCommand::Generate(a)) => keys_cmd::key_generate(&a).map(|()| 0),
        Command::Key(KeyCommand::Public(a)) => keys_cmd::key_public(&a).map(|()| 0),
        Command::Types(a) => types_cmd::types(&a).map(|()| 0),
        Command::Trust(t) => match t {
            TrustCommand::Init(a) => trust_cmd::trust_init(&a),
            TrustCommand::AddIssuer(a) => trust_cmd::trust_add_issuer(&a),
            TrustCommand::RemoveIssuer(a) => trust_cmd::trust_remove_issuer(&a),
            TrustCommand::AddKey(a) => trust_cmd::trust_add_key(&a),
            TrustCommand::RemoveKey(a) => trust_cmd::trust_remove_key(&a),
            TrustCommand::Sign(a) => trust_cmd::trust_sign(&a),
            TrustCommand::Show(a) => trust_cmd::trust_show(&a),
        }
        .map(|()| 0),
        Command::Issue(a) => issue_cmd::issue(&a).map(|_| 0),
        Command::IssueBatch(a) => batch::issue_batch(&a),
        Command::Status(s) => match s {
            StatusCommand::Init(a) => status_cmd::status_init(&a),
            StatusCommand::Revoke(a) => {
                status_cmd::status_set(&a, status_cmd::StatusChange::Revoke)
            }
            StatusCommand::Suspend(a) => {
                status_cmd::status_set(&a, status_cmd::StatusChange::Suspend)
            }
            StatusCommand::Reinstate(a) => {
                status_cmd::status_set(&a, status_cmd::StatusChange::Reinstate)
            }
            StatusCommand::Publish(a) => status_cmd::status_publish(&a),
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
            // Generated into memory first: clap_complete panics on a failed write.
            let mut cmd = Cli::command();
            let mut script = Vec::new();
            clap_complete::generate(a.shell, &mut cmd, "wallet", &mut script);
            output::write_stdout(&script).map(|()| 0)
        }
        Command::Man(a) => man::run(&a).map(|()| 0),
    }
}
