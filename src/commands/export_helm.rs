//! `rollwright export-helm`: the chart as a Helm chart.

use super::Output;
use crate::cli::ExportHelmArgs;
use crate::error::Result;
use crate::export::helm::{self, Request};

pub fn run(args: &ExportHelmArgs) -> Result<Output> {
    let files = helm::export(&Request {
        chart: args.chart.clone(),
        output_dir: args.output_dir.clone(),
        name: args.name.clone(),
        force: args.force,
    })?;
    Ok(Output {
        stderr: format!(
            "wrote {} files to {}\n",
            files.len(),
            args.output_dir.display()
        ),
        ..Output::default()
    })
}
