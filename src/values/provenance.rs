//! Where each value of a layered values tree came from: the layers (chart defaults, `-f`
//! files, `--set` flags) with their positions, asked by JSON pointer. Loading records it;
//! checking and rendering ask it.

use std::collections::HashMap;
use std::path::PathBuf;

use super::set::SetKind;
use crate::error::Location;
use crate::yaml::{NodePos, Positions};

/// One layer's record of what it set and where.
#[derive(Debug, Clone)]
pub(super) enum Layer {
    Defaults,
    File {
        path: PathBuf,
        text: String,
        /// One per document, in file order.
        positions: Vec<Positions>,
    },
    Flag {
        text: String,
        kind: SetKind,
        /// What the flag set, with the text of each number as written.
        pointers: HashMap<String, Option<String>>,
    },
}

/// Answers "where did the value at this JSON pointer come from?".
#[derive(Debug, Clone, Default)]
pub struct Provenance {
    /// Lowest precedence first.
    pub(super) layers: Vec<Layer>,
}

/// Where one value came from.
#[derive(Debug, Clone)]
pub struct Origin<'a> {
    pub location: Location,
    /// The scalar as written (in the file, or the JSON of a `--set-json`), when known.
    pub source_text: Option<&'a str>,
    pub from_file: bool,
    /// The flag, when it came from one.
    pub flag: Option<SetKind>,
}

impl Provenance {
    /// The highest-precedence layer that wrote `pointer`. In a layered tree that is exactly
    /// the layer the value came from: maps merge, and everything else is replaced whole.
    pub fn origin(&self, pointer: &str, at_key: bool) -> Option<Origin<'_>> {
        self.layers.iter().rev().find_map(|layer| match layer {
            Layer::Defaults => None,
            Layer::File {
                path,
                text,
                positions,
            } => positions
                .iter()
                .rev()
                .find_map(|d| d.get(pointer))
                .map(|p: &NodePos| Origin {
                    location: Location::file(
                        path,
                        Some(if at_key {
                            p.key.unwrap_or(p.value)
                        } else {
                            p.value
                        }),
                    ),
                    source_text: p.bytes.and_then(|(s, e)| text.get(s..e)),
                    from_file: true,
                    flag: None,
                }),
            Layer::Flag {
                text,
                kind,
                pointers,
            } => pointers.get(pointer).map(|raw| Origin {
                location: Location::Flag(text.clone()),
                source_text: raw.as_deref(),
                from_file: false,
                flag: Some(*kind),
            }),
        })
    }

    /// The origin of `pointer`, else of its nearest ancestor that has one.
    pub fn nearest(&self, pointer: &str, at_key: bool) -> Option<Origin<'_>> {
        let mut p = pointer;
        loop {
            if let Some(o) = self.origin(p, at_key) {
                return Some(o);
            }
            p = &p[..p.rfind('/')?];
        }
    }
}
