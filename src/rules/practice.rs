//! Rules: practice.

use super::Rule;

pub const RULES: &[&Rule] = &[];
