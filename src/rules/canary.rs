//! Rules: canary.

use super::Rule;

pub const RULES: &[&Rule] = &[];
