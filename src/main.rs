use std::io::Write;
use std::process::ExitCode;

use clap::Parser;
use rollwright::cli::Cli;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match rollwright::commands::run(cli.command) {
        Ok(out) => {
            eprint!("{}", out.stderr);
            let mut stdout = std::io::stdout().lock();
            // A closed pipe (`rollwright render | head`) is not an error worth reporting.
            let _ = stdout
                .write_all(out.stdout.as_bytes())
                .and_then(|()| stdout.flush());
            ExitCode::from(out.code)
        }
        Err(err) => {
            eprintln!("{err}");
            ExitCode::from(err.exit_code)
        }
    }
}
