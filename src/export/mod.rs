//! Exporting a rollwright chart to other tools' formats.

pub mod helm;
