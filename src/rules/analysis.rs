//! Rules: analysis.

use super::Rule;

pub const RULES: &[&Rule] = &[];
