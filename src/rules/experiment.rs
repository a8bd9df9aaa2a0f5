//! Rules: experiment.

use super::Rule;

pub const RULES: &[&Rule] = &[];
