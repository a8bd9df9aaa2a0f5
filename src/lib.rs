//! rollwright: render, validate and diff Argo Rollouts blue-green releases.

pub mod argocd;
pub mod cli;
pub mod commands;
pub mod config;
pub mod diff;
pub mod error;
pub mod explain;
pub mod export;
pub mod finding;
pub mod fsutil;
pub mod init;
pub mod input;
pub mod kinds;
pub mod manifest;
pub mod parallel;
pub mod render;
pub mod report;
pub mod rollouts_version;
pub mod rules;
pub mod sanitize;
pub mod schema;
pub mod validate;
pub mod values;
pub mod yaml;
