//! `wallet man`: the manual pages, rendered from the clap definitions in cli.rs (so they cannot
//! drift from the arguments) by clap_mangen, with the sections clap knows nothing about —
//! EXIT STATUS, ENVIRONMENT and EXAMPLES — appended as roff. One page per command and
//! subcommand (`wallet-issue(1)`, `wallet-status-revoke(1)`); `wallet man` prints the top
//! page, `wallet man --dir DIR` writes them all (docs/cli.md, "Man pages and completions").

use crate::cli::{Cli, ManArgs};
use crate::common::{CliError, CliResult, io_error, write_public};
use clap::CommandFactory as _;
use std::path::Path;

/// `wallet man`
pub fn run(a: &ManArgs) -> CliResult {
    let mut top = Cli::command().disable_help_subcommand(true);
    top.build();
    match &a.dir {
        None => crate::output::write_stdout(&page(&top)?),
        Some(dir) => {
            crate::output::refuse_stdout(dir, "--dir", "man page directory")?;
            std::fs::create_dir_all(dir).map_err(|e| io_error(e, "man page directory", dir))?;
            let mut written = 0usize;
            write_all(&top, dir, &mut written)?;
            eprintln!("wrote {written} man pages to {}", dir.display());
            Ok(())
        }
    }
}

/// Writes the page of `cmd` and of every visible subcommand below it.
fn write_all(cmd: &clap::Command, dir: &Path, written: &mut usize) -> CliResult {
    let path = dir.join(format!("{}.1", page_name(cmd)));
    write_public(&path, &page(cmd)?, "man page")?;
    *written = written.saturating_add(1);
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        write_all(sub, dir, written)?;
    }
    Ok(())
}

/// `wallet-status-revoke` for `wallet status revoke` (clap sets the display name when the
/// command is built).
fn page_name(cmd: &clap::Command) -> String {
    cmd.get_display_name()
        .unwrap_or_else(|| cmd.get_name())
        .to_owned()
}

/// One whole page: clap_mangen's sections, then ours.
pub fn page(cmd: &clap::Command) -> CliResult<Vec<u8>> {
    let mut out = Vec::new();
    clap_mangen::Man::new(cmd.clone())
        .source(format!("wallet {}", env!("CARGO_PKG_VERSION")))
        .render(&mut out)
        .map_err(|e| CliError::input(format!("cannot render the man page: {e}")))?;
    let name = page_name(cmd);
    out.extend_from_slice(extra_sections(cmd, &name).as_bytes());
    Ok(out)
}

/// Escapes text for roff: backslashes, hyphens (so they stay hyphens when copied) and a
/// leading control character.
fn roff(text: &str) -> String {
    let escaped = text.replace('\\', "\\e").replace('-', "\\-");
    if escaped.starts_with('.') || escaped.starts_with('\'') {
        format!("\\&{escaped}")
    } else {
        escaped
    }
}

/// Environment variables a command reads: those its arguments take defaults from, the
/// passphrase with a store, and the terminal width where a QR code is drawn.
fn environment(cmd: &clap::Command, name: &str) -> Vec<(String, &'static str)> {
    let mut vars = Vec::new();
    let mut all = vec![cmd];
    if name == "wallet" {
        // The top page lists every variable any command reads.
        fn walk<'a>(c: &'a clap::Command, into: &mut Vec<&'a clap::Command>) {
            for s in c.get_subcommands() {
                into.push(s);
                walk(s, into);
            }
        }
        walk(cmd, &mut all);
    }
    for c in all {
        for arg in c.get_arguments() {
            if let Some(env) = arg.get_env() {
                let env = env.to_string_lossy().into_owned();
                let what = match env.as_str() {
                    "WALLET_TRUST_LIST" => "the signed trust list, when --trust-list is not given",
                    "WALLET_TRUST_ROOT" => {
                        "the pinned root public JWK, when --trust-root is not given"
                    }
                    "WALLET_STORE" => "the holder store directory, when --store is not given",
                    _ => "a default for the flag of the same name",
                };
                if !vars.iter().any(|(v, _)| *v == env) {
                    vars.push((env, what));
                }
            }
        }
    }
    if vars.iter().any(|(v, _)| v == "WALLET_STORE") {
        vars.push((
            "WALLET_PASSPHRASE".to_owned(),
            "the store passphrase; without it the command asks on the terminal",
        ));
    }
    if matches!(name, "wallet" | "wallet-present" | "wallet-demo") {
        vars.push((
            "COLUMNS".to_owned(),
            "the terminal width, checked before a QR code is drawn in the terminal",
        ));
    }
    if matches!(name, "wallet" | "wallet-demo") {
        vars.push((
            "XDG_DATA_HOME".to_owned(),
            "where the demo keeps its runs (default ~/.local/share)",
        ));
    }
    vars
}

/// Example command lines per page.
fn examples(name: &str) -> &'static [(&'static str, &'static str)] {
    match name {
        "wallet" => &[
            ("Run the end-to-end demo:", "wallet demo"),
            (
                "Install the man pages:",
                "wallet man --dir ~/.local/share/man/man1",
            ),
        ],
        "wallet-key-generate" => &[(
            "Make the agency key:",
            "wallet key generate --out agency.pem",
        )],
        "wallet-key-public" => &[("Print its public JWK:", "wallet key public agency.pem")],
        "wallet-types" => &[("List the types as JSON:", "wallet types --json")],
        "wallet-types-list" => &[(
            "List the built-in types and an agency's own:",
            "wallet types list --types-dir /etc/cert-wallet/types",
        )],
        "wallet-types-check" => &[(
            "Check a type document before adding it:",
            "wallet types check marriage-certificate.json",
        )],
        "wallet-types-add" => &[(
            "Add the civil affairs bureau's 结婚证 type:",
            "wallet types add marriage-certificate.json --types-dir /etc/cert-wallet/types",
        )],
        "wallet-types-show" => &[(
            "Print the exact document of a type (the octets its integrity covers):",
            "wallet types show 驾驶证",
        )],
        "wallet-trust-init" => &[(
            "Start a draft:",
            "wallet trust init --out trust-list.draft.json",
        )],
        "wallet-trust-add-issuer" => &[(
            "List the traffic police for driving licences:",
            "wallet trust add-issuer --list trust-list.draft.json --iss https://ga.sh.gov.cn/issuer --name-zh 上海市公安局交通警察总队 --name-en \"Shanghai Traffic Police\" --key agency.pub.jwk --types driving-licence",
        )],
        "wallet-trust-remove-issuer" => &[(
            "Remove an agency:",
            "wallet trust remove-issuer --list trust-list.draft.json --iss https://ga.sh.gov.cn/issuer",
        )],
        "wallet-trust-add-key" => &[(
            "Rotate in a new key:",
            "wallet trust add-key --list trust-list.draft.json --iss https://ga.sh.gov.cn/issuer --key new.pub.jwk",
        )],
        "wallet-trust-remove-key" => &[(
            "Remove a compromised key:",
            "wallet trust remove-key --list trust-list.draft.json --iss https://ga.sh.gov.cn/issuer --kid KID",
        )],
        "wallet-trust-sign" => &[(
            "Sign the draft for 30 days:",
            "wallet trust sign --list trust-list.draft.json --root-key root.pem --out trust-list.jwt --valid-for 30d",
        )],
        "wallet-trust-show" => &[(
            "Check and print the list:",
            "wallet trust show trust-list.jwt --trust-root root.pub.jwk",
        )],
        "wallet-issue" => &[(
            "Issue a driving licence:",
            "wallet issue --issuer-key agency.pem --iss https://ga.sh.gov.cn/issuer --type driving-licence --claims claims.json --holder-jwk holder.pub.jwk --status-registry status.registry --out -",
        )],
        "wallet-issue-batch" => &[(
            "Issue a JSONL export:",
            "wallet issue-batch --issuer-key agency.pem --iss https://ga.sh.gov.cn/issuer --type driving-licence --input export.jsonl --out issued.jsonl --status-registry status.registry",
        )],
        "wallet-status" | "wallet-status-init" => &[(
            "Create a registry with suspension:",
            "wallet status init --uri https://ga.sh.gov.cn/status/1 --out status.registry --bits 2",
        )],
        "wallet-status-revoke" => &[(
            "Revoke by credential id:",
            "wallet status revoke --status-registry status.registry --credential-id ID",
        )],
        "wallet-status-suspend" => &[(
            "Suspend index 42:",
            "wallet status suspend --status-registry status.registry --index 42",
        )],
        "wallet-status-reinstate" => &[(
            "Lift the suspension:",
            "wallet status reinstate --status-registry status.registry --index 42",
        )],
        "wallet-status-publish" => &[(
            "Publish for a day, to be refreshed hourly:",
            "wallet status publish --status-registry status.registry --issuer-key agency.pem --out status-list.jwt --valid-for 1d --ttl 1h",
        )],
        "wallet-status-cache" => &[(
            "Keep a list for offline checks:",
            "wallet status cache status-list.jwt --status-cache cache/ --trust-list trust-list.jwt --trust-root root.pub.jwk",
        )],
        "wallet-holder" | "wallet-holder-init" => &[(
            "Create a store:",
            "WALLET_PASSPHRASE=… wallet holder init --store ~/wallet",
        )],
        "wallet-holder-new-key" => &[(
            "A key for a credential request:",
            "wallet holder new-key --store ~/wallet > holder.pub.jwk",
        )],
        "wallet-holder-import" => &[(
            "Import an issued credential:",
            "wallet holder import cred.txt --store ~/wallet --trust-list trust-list.jwt --trust-root root.pub.jwk",
        )],
        "wallet-holder-list" => &[(
            "List as JSON:",
            "wallet holder list --store ~/wallet --json",
        )],
        "wallet-holder-remove" => &[(
            "Remove a credential:",
            "wallet holder remove ID --store ~/wallet",
        )],
        "wallet-present" => &[
            (
                "Show name and age only, in the terminal:",
                "wallet present --store ~/wallet --credential ID --disclose name,age_over_18 --qr-terminal",
            ),
            (
                "A PNG on stdout:",
                "wallet present --store ~/wallet --credential ID --qr-png - > code.png",
            ),
        ],
        "wallet-verify" => &[
            (
                "Verify a photographed code:",
                "wallet verify --qr-image code.png --trust-list trust-list.jwt --trust-root root.pub.jwk --status-cache cache/",
            ),
            (
                "Verify a pasted payload:",
                "pbpaste | wallet verify - --status-cache cache/ --max-age 5m",
            ),
        ],
        "wallet-verify-batch" => &[(
            "Audit a day of scans:",
            "wallet verify-batch --input scans.jsonl --out results.jsonl --status-cache cache/",
        )],
        "wallet-inspect" => &[("Decode a payload:", "wallet inspect 'CW1:…'")],
        "wallet-demo" => &[("Run the demo:", "wallet demo --dir /tmp/wallet-demo")],
        "wallet-completions" => &[(
            "Bash completions:",
            "wallet completions bash > ~/.local/share/bash-completion/completions/wallet",
        )],
        "wallet-man" => &[(
            "Install every page:",
            "wallet man --dir ~/.local/share/man/man1",
        )],
        _ => &[],
    }
}

/// EXIT STATUS, ENVIRONMENT and EXAMPLES in roff.
fn extra_sections(cmd: &clap::Command, name: &str) -> String {
    let mut s = String::from(".SH \"EXIT STATUS\"\n");
    for (code, text) in [
        (
            "0",
            "success; for verify and verify-batch: every credential is valid",
        ),
        (
            "1",
            "a credential was checked and refused (invalid, expired, revoked, untrusted, stale code)",
        ),
        (
            "2",
            "a usage, input or I/O error: nothing was verified; the message says what to do",
        ),
    ] {
        s.push_str(&format!(".TP\n{code}\n{}\n", roff(text)));
    }
    s.push_str(&format!(
        ".PP\n{}\n",
        roff(
            "A closed standard output (wallet ... | head -1) ends the command quietly with status 0."
        )
    ));
    s.push_str(".SH ENVIRONMENT\n");
    let vars = environment(cmd, name);
    if vars.is_empty() {
        s.push_str("None.\n");
    }
    for (var, what) in vars {
        s.push_str(&format!(".TP\n\\fB{}\\fR\n{}\n", roff(&var), roff(what)));
    }
    s.push_str(".SH EXAMPLES\n");
    let ex = examples(name);
    if ex.is_empty() {
        s.push_str(&format!("{}\n", roff("See wallet(1) and docs/cli.md.")));
    }
    for (what, line) in ex {
        s.push_str(&format!(
            ".PP\n{}\n.PP\n.RS 4\n.nf\n{}\n.fi\n.RE\n",
            roff(what),
            roff(line)
        ));
    }
    s.push_str(".SH \"SEE ALSO\"\n");
    s.push_str(&roff("wallet(1); docs/cli.md, docs/errors.md"));
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_page_has_the_extra_sections_and_an_example() {
        let mut top = Cli::command().disable_help_subcommand(true);
        top.build();
        let mut pages = Vec::new();
        fn walk(c: &clap::Command, out: &mut Vec<clap::Command>) {
            out.push(c.clone());
            for s in c.get_subcommands() {
                walk(s, out);
            }
        }
        walk(&top, &mut pages);
        assert!(pages.len() > 25, "{}", pages.len());
        for cmd in &pages {
            let name = page_name(cmd);
            let text = String::from_utf8(page(cmd).unwrap()).unwrap();
            for section in [".SH \"EXIT STATUS\"", ".SH ENVIRONMENT", ".SH EXAMPLES"] {
                assert!(text.contains(section), "{name} lacks {section}");
            }
            let leaf = cmd.get_subcommands().next().is_none();
            assert!(
                !leaf || !examples(&name).is_empty(),
                "{name} has no example"
            );
        }
        assert_eq!(roff("-x"), "\\-x");
        assert_eq!(roff(".x"), "\\&.x");
    }
}
