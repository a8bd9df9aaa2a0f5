//! rollwright: render, validate and diff Argo Rollouts blue-green releases.

pub mod cli;
pub mod commands;
pub mod error;
pub mod fsutil;
pub mod manifest;
pub mod render;
pub mod schema;
pub mod values;
pub mod yaml;
