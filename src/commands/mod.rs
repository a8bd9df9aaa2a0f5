//! One module per command: each takes its parsed arguments and returns its output.

pub mod render;
pub mod schema;

use crate::cli::Command;
use crate::error::Result;

/// Runs a command; what it returns goes to standard output.
pub fn run(command: Command) -> Result<String> {
    match command {
        Command::Render(args) => render::run(&args),
        Command::Schema => schema::run(),
    }
}
