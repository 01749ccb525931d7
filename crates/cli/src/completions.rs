//! `sagegate completions` and `sagegate man`: shell completion scripts and roff manual pages, generated from
//! the clap definition so they never drift from the real arguments.

use std::io::Write;
use std::process::ExitCode;

use clap_complete::Shell;

/// Prints the completion script for `shell`.
pub fn completions(shell: Shell, mut cli: clap::Command) -> Result<ExitCode, String> {
    let name = cli.get_name().to_string();
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut cli, name, &mut out);
    write_stdout(&out)
}

/// Prints the manual page of the command at `path` (`[]` for `sagegate` itself, `["policy", "lint"]` for
/// `sagegate policy lint`, named `sagegate-policy-lint(1)`).
pub fn man(cli: clap::Command, path: &[String]) -> Result<ExitCode, String> {
    let mut cmd = cli;
    let mut name = cmd.get_name().to_string();
    for word in path {
        let sub = cmd.find_subcommand(word).cloned().ok_or_else(|| {
            let known: Vec<&str> = cmd.get_subcommands().map(|c| c.get_name()).collect();
            format!("`{name}` has no command `{word}` (its commands: {})", known.join(", "))
        })?;
        name = format!("{name}-{}", sub.get_name());
        cmd = sub;
    }
    let cmd = cmd.display_name(name.clone()).bin_name(name.replace('-', " "));
    let mut out = Vec::new();
    clap_mangen::Man::new(cmd)
        .title(name.clone())
        .source(format!("sagegate {}", env!("CARGO_PKG_VERSION")))
        .manual("sagegate manual")
        .render(&mut out)
        .map_err(|e| format!("cannot render the manual page: {e}"))?;
    write_stdout(&out)
}

fn write_stdout(bytes: &[u8]) -> Result<ExitCode, String> {
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(bytes)
        .and_then(|()| stdout.flush())
        .map_err(|e| format!("cannot write to standard output: {e}"))?;
    Ok(ExitCode::SUCCESS)
}
