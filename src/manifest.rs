//! Kubernetes objects read from YAML documents, with their identity and source positions.

use std::fmt;

use serde_json::Value;

use crate::yaml::{Document, Positions};

/// What names an object in a cluster: group/kind, namespace, name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ObjectId {
    pub api_version: String,
    pub kind: String,
    pub namespace: Option<String>,
    pub name: String,
}

impl ObjectId {
    /// The API group (`""` for the core group).
    pub fn group(&self) -> &str {
        self.api_version
            .rsplit_once('/')
            .map_or("", |(group, _)| group)
    }
}

impl fmt::Display for ObjectId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.namespace {
            Some(ns) => write!(f, "{} {ns}/{}", self.kind, self.name),
            None => write!(f, "{} {}", self.kind, self.name),
        }
    }
}

/// One Kubernetes object and where it was read from.
#[derive(Debug, Clone)]
pub struct Object {
    pub id: ObjectId,
    pub value: Value,
    /// The file or template it came from.
    pub source: String,
    pub positions: Positions,
}

/// Why a document is not a Kubernetes object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotAnObject {
    /// JSON pointer of the offending (or missing) field.
    pub pointer: String,
    pub message: String,
}

impl Object {
    /// Reads a document as an object: a mapping with string `apiVersion`, `kind` and
    /// `metadata.name`.
    pub fn from_document(doc: Document, source: &str) -> Result<Object, NotAnObject> {
        Object::read(doc, source, true)
    }

    /// Like `from_document`, but a missing `metadata.name` gives an object with an empty name
    /// (the API server refuses it; a rule reports it with its position).
    pub fn from_document_unnamed(doc: Document, source: &str) -> Result<Object, NotAnObject> {
        Object::read(doc, source, false)
    }

    fn read(doc: Document, source: &str, name_required: bool) -> Result<Object, NotAnObject> {
        let Value::Object(map) = &doc.value else {
            return Err(NotAnObject {
                pointer: String::new(),
                message: format!(
                    "a Kubernetes object is a mapping, this document is {}",
                    json_type(&doc.value)
                ),
            });
        };
        let field = |key: &str| -> Result<String, NotAnObject> {
            match map.get(key) {
                Some(Value::String(s)) if !s.is_empty() => Ok(s.clone()),
                Some(other) => Err(NotAnObject {
                    pointer: format!("/{key}"),
                    message: format!("`{key}` must be a non-empty string, found {other}"),
                }),
                None => Err(NotAnObject {
                    pointer: String::new(),
                    message: format!("the object has no `{key}`"),
                }),
            }
        };
        let api_version = field("apiVersion")?;
        let kind = field("kind")?;
        let metadata = map.get("metadata").and_then(Value::as_object);
        let name = match metadata.and_then(|m| m.get("name")) {
            Some(Value::String(s)) if !s.is_empty() => s.clone(),
            Some(other) => {
                return Err(NotAnObject {
                    pointer: "/metadata/name".into(),
                    message: format!("`metadata.name` must be a non-empty string, found {other}"),
                });
            }
            None if !name_required => String::new(),
            None => {
                return Err(NotAnObject {
                    pointer: if metadata.is_some() {
                        "/metadata".into()
                    } else {
                        String::new()
                    },
                    message: format!("the {kind} has no `metadata.name`"),
                });
            }
        };
        let namespace = metadata
            .and_then(|m| m.get("namespace"))
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_owned);
        Ok(Object {
            id: ObjectId {
                api_version,
                kind,
                namespace,
                name,
            },
            value: doc.value,
            source: source.to_owned(),
            positions: doc.positions,
        })
    }

    /// `spec.template.metadata.labels` of a workload, if it has them.
    pub fn pod_template_labels(&self) -> Option<&serde_json::Map<String, Value>> {
        self.value
            .get("spec")
            .and_then(|s| s.get("template"))
            .and_then(|t| t.get("metadata"))
            .and_then(|m| m.get("labels"))
            .and_then(Value::as_object)
    }
}

/// The type of a value without its content (`a string`), for a whole document that is not
/// what was expected: such a file may be anything (a token, a key, `/etc/passwd`), and an
/// error must not print it.
pub fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "empty",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string (its text is not shown)",
        Value::Array(_) => "a list",
        Value::Object(_) => "a mapping",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::parse_documents;

    fn first(text: &str) -> Result<Object, NotAnObject> {
        let doc = parse_documents(text).unwrap().remove(0);
        Object::from_document(doc, "t.yaml")
    }

    #[test]
    fn reads_identity() {
        let o = first("apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata:\n  name: a\n  namespace: shop\n").unwrap();
        assert_eq!(o.id.group(), "argoproj.io");
        assert_eq!(o.id.to_string(), "Rollout shop/a");
        let s = first("apiVersion: v1\nkind: Service\nmetadata: {name: s}\n").unwrap();
        assert_eq!(s.id.group(), "");
    }

    #[test]
    fn refuses_what_is_not_an_object() {
        assert!(first("- a\n").unwrap_err().message.contains("a list"));
        assert!(
            first("kind: X\n")
                .unwrap_err()
                .message
                .contains("apiVersion")
        );
        let e = first("apiVersion: v1\nkind: Service\nmetadata: {}\n").unwrap_err();
        assert_eq!(e.pointer, "/metadata");
        let e = first("apiVersion: 1\nkind: Service\n").unwrap_err();
        assert_eq!(e.pointer, "/apiVersion");
    }
}
