//! Rules: schema.

use super::Rule;

pub const RULES: &[&Rule] = &[];
