//! Rules: refs.

use super::Rule;

pub const RULES: &[&Rule] = &[];
