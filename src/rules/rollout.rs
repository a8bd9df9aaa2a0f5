//! Rules: rollout.

use super::Rule;

pub const RULES: &[&Rule] = &[];
