//! Schemas for manifests (stand-in until the built-in schemas land).

use crate::manifest::Object;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SchemaErrorKind {
    Required,
    UnknownField,
    Type,
    Enum,
    Other,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaError {
    pub pointer: String,
    pub key: Option<String>,
    pub kind: SchemaErrorKind,
    pub message: String,
}

#[derive(Debug, Default)]
pub struct Schemas {}

impl Schemas {
    pub fn builtin() -> Self {
        Schemas {}
    }
    pub fn with_crds(_paths: &[std::path::PathBuf]) -> Result<Self, crate::error::Error> {
        Ok(Schemas {})
    }
    pub fn knows(&self, _api_version: &str, _kind: &str) -> bool {
        false
    }
    pub fn validate(&self, _object: &Object) -> Vec<SchemaError> {
        Vec::new()
    }
}
