//! The release flow a chart's values produce, step by step, as the Argo Rollouts controller
//! actually runs it (not as its settings' names suggest).
//!
//! The runbook this tool comes from believed that `autoPromotionEnabled: false` plus a
//! successful pre-promotion analysis promotes by itself ("pattern 3"); the controller pauses
//! anyway. So every statement here follows the controller's code (`rollout/bluegreen.go`,
//! `service.go`, `analysis.go`, `pause.go`, `replicaset.go`) and its defaults; the table in
//! `docs/explain.md` ties each statement id to the behaviour and the RULES.md section or
//! source file it comes from.
//!
//! - `facts`: the Rollout as rendered, Argo's defaults, and what the practice rules find;
//! - `flow`: which statements hold, in the controller's order, with the commands;
//! - `say`, `en`, `ja`: statement ids and their sentences in each language;
//! - `write`: plain text and Markdown.
//!
//! It reads the rendered objects, not the values, so that it sees what the controller will
//! see (a `null` that drops a chart default, an overridden template).

mod en;
pub mod facts;
pub mod flow;
mod ja;
pub mod say;
pub mod write;

pub use facts::{Promotion, Settings};
pub use flow::{Explanation, Invocation, Step};
pub use say::{Lang, S};

use crate::error::Result;
use crate::manifest::Object;

/// Explains the release flow of the rendered `objects` (one blue-green Rollout and what it
/// references), with commands that name the chart as `how` gave it.
pub fn explain(objects: &[Object], how: &Invocation) -> Result<Explanation> {
    let (settings, findings) = facts::read(objects)?;
    Ok(flow::explain(&settings, &findings, how))
}
