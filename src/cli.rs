//! The command line: one struct per command.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::values::ValuesInput;

#[derive(Debug, Parser)]
#[command(
    name = "rollwright",
    version,
    about = "Render, validate and diff Argo Rollouts blue-green releases",
    propagate_version = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Render a values file through the chart templates into Kubernetes manifests.
    Render(RenderArgs),
    /// Print the JSON Schema of values files.
    Schema,
}

/// Where values come from, with Helm's flags and precedence.
#[derive(Debug, Clone, Args)]
pub struct ValuesArgs {
    /// Chart directory holding values.yaml (and optionally chart-templates/), or a values file.
    #[arg(default_value = ".")]
    pub chart: PathBuf,
    /// A values file laid over the chart's values.yaml; repeatable, right-most wins; `-` reads
    /// standard input.
    #[arg(short = 'f', long = "values", value_name = "FILE")]
    pub values: Vec<PathBuf>,
    /// Set values on the command line (KEY=VALUE[,KEY=VALUE]), typed as Helm types them.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// Like --set, but every value is a string.
    #[arg(long = "set-string", value_name = "KEY=VALUE")]
    pub set_string: Vec<String>,
    /// Set a value to a JSON value (KEY=JSON).
    #[arg(long = "set-json", value_name = "KEY=JSON")]
    pub set_json: Vec<String>,
    /// Application name (overrides `name:` in values; default: the chart directory's name).
    #[arg(long)]
    pub name: Option<String>,
}

impl ValuesArgs {
    pub fn input(&self) -> ValuesInput {
        ValuesInput {
            chart: self.chart.clone(),
            files: self.values.clone(),
            set: self.set.clone(),
            set_string: self.set_string.clone(),
            set_json: self.set_json.clone(),
            name: self.name.clone(),
        }
    }
}

#[derive(Debug, Args)]
pub struct RenderArgs {
    #[command(flatten)]
    pub values: ValuesArgs,
    /// Namespace written into every namespaced object (overrides `namespace:` in values).
    #[arg(short = 'n', long)]
    pub namespace: Option<String>,
    /// Write one file per object (`<kind>-<name>.yaml`) into DIR instead of standard output.
    #[arg(long, value_name = "DIR")]
    pub output_dir: Option<PathBuf>,
}
