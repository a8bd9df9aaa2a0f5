//! Values: the typed model, Helm-style layering and the `--set` parser.

pub mod check;
pub mod edit;
pub mod load;
pub mod merge;
pub mod model;
pub mod provenance;
pub mod set;

pub use load::{Loaded, ValuesInput, load};
pub use model::Values;
