//! `rollwright explain`: the release flow of the values, step by step.

use crate::cli::{ExplainArgs, ExplainFormat};
use crate::error::Result;
use crate::{explain, values};

pub fn run(args: &ExplainArgs) -> Result<String> {
    let loaded = values::load(&args.values.input())?;
    let explanation = explain::explain(&loaded.name, &loaded.values);
    Ok(match args.format {
        ExplainFormat::Text => explanation.to_text(),
        ExplainFormat::Markdown => explanation.to_markdown(),
    })
}
