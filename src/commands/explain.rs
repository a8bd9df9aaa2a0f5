//! `rollwright explain`: the release flow of the values, step by step.

use crate::cli::{ExplainArgs, ExplainFormat};
use crate::error::Result;
use crate::explain::{self, Invocation, write};
use crate::{render, values};

pub fn run(args: &ExplainArgs) -> Result<String> {
    let loaded = values::load(&args.values.input())?;
    let objects = render::render(&loaded, args.namespace.as_deref())?;
    let how = Invocation {
        chart: args.values.chart.display().to_string(),
        files: args
            .values
            .values
            .iter()
            .filter(|f| f.as_os_str() != "-")
            .map(|f| f.display().to_string())
            .collect(),
        name: args.values.name.clone(),
        namespace: args.namespace.clone(),
    };
    let explanation = explain::explain(&objects, &how)?;
    Ok(match args.format {
        ExplainFormat::Text => write::to_text(&explanation, args.lang),
        ExplainFormat::Markdown => write::to_markdown(&explanation, args.lang),
    })
}
