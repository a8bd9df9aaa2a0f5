//! JSON Schema validation shared by values checking and (next) manifest validation.

pub mod describe;
pub mod json;

/// What kind of problem a [`SchemaError`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SchemaErrorKind {
    /// A required field is missing (`key` names it; `pointer` is the object missing it).
    Required,
    /// A field the schema does not list (`key` names it; `pointer` is the field itself).
    UnknownField,
    /// A value of the wrong JSON type.
    Type,
    /// A value outside a fixed set.
    Enum,
    /// Anything else: bounds, patterns, lengths.
    Other,
}

/// One place where an object does not match its schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaError {
    /// JSON pointer of the offending node; for a missing required field, of the object that
    /// should hold it.
    pub pointer: String,
    /// The field missing (`Required`) or not allowed (`UnknownField`).
    pub key: Option<String>,
    pub kind: SchemaErrorKind,
    /// What is wrong, naming the place as a dotted path (`spec.template.spec.containers[0]`).
    pub message: String,
    /// How to fix it, when there is something to say (`did you mean …?`).
    pub help: Option<String>,
}
