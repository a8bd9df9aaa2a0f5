use std::io::Write;
use std::process::ExitCode;

use clap::Parser;
use rollwright::cli::Cli;
use rollwright::sanitize::terminal;

// Reading a repository allocates millions of small strings, maps and vectors on every thread;
// mimalloc serves them from per-thread free lists (see the README's design notes).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        // `diff --detailed-exitcode` gives 2 for "changes", so a usage error there is 1.
        Err(e) if e.use_stderr() && std::env::args().nth(1).as_deref() == Some("diff") => {
            let _ = e.print();
            return ExitCode::from(1);
        }
        Err(e) => e.exit(),
    };
    match rollwright::commands::run(cli.command) {
        Ok(out) => {
            // Notes and errors quote names, values and paths from the input: escaped for the
            // terminal (and a CI log) in this one place.
            eprint!("{}", terminal::text(&out.stderr));
            let mut stdout = std::io::stdout().lock();
            // A closed pipe (`rollwright render | head`) is not an error worth reporting.
            let _ = stdout
                .write_all(out.stdout.as_bytes())
                .and_then(|()| stdout.flush());
            ExitCode::from(out.code)
        }
        Err(err) => {
            eprintln!("{}", terminal::text(&err.to_string()));
            ExitCode::from(err.exit_code)
        }
    }
}
