//! `rollwright validate`: manifests → schemas and rules → findings.

use std::io::IsTerminal;

use super::Output;
use crate::cli::{ColorArg, ValidateArgs};
use crate::config::Config;
use crate::error::{Error, Result};
use crate::input::{ChartFlags, InputOptions};
use crate::report::{self, Severity, WriteOptions};
use crate::validate::{self, Options};

pub fn run(args: &ValidateArgs) -> Result<Output> {
    let cwd = std::env::current_dir().map_err(|e| {
        Error::msg(
            format!("no working directory: {e}"),
            "run from a directory that exists",
        )
    })?;
    let config = Config::discover(args.config.as_deref(), &cwd).map_err(|mut e| {
        e.exit_code = 2;
        e
    })?;
    let options = Options {
        inputs: InputOptions {
            paths: args.paths.clone(),
            exclude: args.exclude.clone(),
            skip_non_manifests: args.skip_non_manifests,
            texts: Vec::new(),
            scope: args.app_scope.or(config.app_scope).unwrap_or_default(),
            namespace: args.namespace.clone().or_else(|| config.namespace.clone()),
            chart_flags: ChartFlags {
                files: args.values.clone(),
                set: args.set.clone(),
                set_string: args.set_string.clone(),
                set_json: args.set_json.clone(),
            },
            follow_symlinks: args.follow_symlinks,
            max_file_size: Some(args.max_file_size),
            helm: config.helm.clone(),
            no_tools: args.no_tools,
        },
        strict: args.strict,
        rollouts_version: args.rollouts_version,
        crds: args.crds.clone(),
        config,
        min_severity: Some(args.severity.severity()),
        exiting: true,
    };
    let report = validate::validate(&options).map_err(|mut e| {
        e.exit_code = 2;
        e
    })?;
    let fail_at = if args.strict {
        Severity::Warning
    } else {
        Severity::Error
    };
    let color = match args.color {
        ColorArg::Always => true,
        ColorArg::Never => false,
        ColorArg::Auto => std::env::var_os("NO_COLOR").is_none() && std::io::stdout().is_terminal(),
    };
    let mut stderr = String::new();
    // Input errors go to standard error in every format (machine formats carry them too), so
    // a CI log shows why the run failed.
    for d in &report.input_errors {
        stderr.push_str(&format!("{d}\n"));
    }
    Ok(Output {
        stdout: report::write(&report, args.format, &WriteOptions { color }),
        stderr,
        code: validate::exit_code(&report, fail_at),
    })
}
