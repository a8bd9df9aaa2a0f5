//! `rollwright completions`: shell completion scripts, generated from the command-line
//! definition so they never drift from it.

use clap::CommandFactory;
use clap_complete::Shell;

use crate::cli::{Cli, CompletionShell, CompletionsArgs};
use crate::error::{Error, Result};

pub fn run(args: &CompletionsArgs) -> Result<String> {
    let shell = match args.shell {
        CompletionShell::Bash => Shell::Bash,
        CompletionShell::Zsh => Shell::Zsh,
        CompletionShell::Fish => Shell::Fish,
    };
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "rollwright", &mut buf);
    String::from_utf8(buf).map_err(|e| {
        Error::msg(
            format!("completion script is not UTF-8: {e}"),
            "this is a defect in rollwright; please report it",
        )
    })
}
