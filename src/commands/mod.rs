//! One module per command: each takes its parsed arguments and returns what to print.

pub mod completions;
pub mod diff;
pub mod explain;
pub mod export_helm;
pub mod init;
pub mod render;
pub mod rules;
pub mod schema;
pub mod set;
pub mod validate;

use crate::cli::Command;
use crate::error::Result;

/// What a command leaves behind: text for standard output and standard error, and the exit
/// code.
#[derive(Debug, Default)]
pub struct Output {
    pub stdout: String,
    pub stderr: String,
    pub code: u8,
}

impl From<String> for Output {
    fn from(stdout: String) -> Self {
        Output {
            stdout,
            ..Output::default()
        }
    }
}

/// Runs a command.
pub fn run(command: Command) -> Result<Output> {
    match command {
        Command::Render(args) => render::run(&args).map(Output::from),
        Command::Validate(args) => validate::run(&args),
        Command::Rules(args) => Ok(rules::run(&args).into()),
        Command::Schema => schema::run().map(Output::from),
        Command::ExportHelm(args) => export_helm::run(&args),
        Command::SetImage(args) => set::run_set_image(&args),
        Command::Set(args) => set::run_set(&args),
        Command::Explain(args) => explain::run(&args).map(Output::from),
        Command::Init(args) => init::run(&args),
        Command::Completions(args) => completions::run(&args).map(Output::from),
        Command::Diff(args) => diff::run(&args),
    }
}
