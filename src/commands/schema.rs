//! `rollwright schema`: the values JSON Schema, generated from the Rust types.

use crate::error::{Error, Result};
use crate::values::model;

pub fn run() -> Result<String> {
    let mut text = serde_json::to_string_pretty(&model::json_schema()).map_err(|e| {
        Error::msg(
            format!("cannot write the schema: {e}"),
            "check where standard output goes (a full disk, a closed pipe)",
        )
    })?;
    text.push('\n');
    Ok(text)
}
