//! Reading and layering values as Helm does, remembering where each value came from.
//!
//! Precedence, lowest first: the defaults layer < `CHART/values.yaml` < each `-f` (right-most
//! wins) < `--set-json` < `--set` < `--set-string`. The `-f` files and flags form the "user"
//! values, coalesced over the chart's values (where `null` deletes a key); the chart's
//! values are in turn coalesced over the defaults, so `values.yaml` can switch a default off.

use std::collections::HashSet;
use std::io::Read;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use super::merge::{coalesce, drop_nulls, merge_maps};
use super::model::{self, Values};
use super::set::{SetKind, parse_into};
use crate::error::{Diagnostic, Location, Result};
use crate::yaml::{self, NodePos, Positions, child_pointer};

/// What to read values from.
#[derive(Debug, Clone, Default)]
pub struct ValuesInput {
    /// The chart directory, or a values file standing for it.
    pub chart: PathBuf,
    /// `-f` files, in command-line order (`-` reads standard input).
    pub files: Vec<PathBuf>,
    pub set: Vec<String>,
    pub set_string: Vec<String>,
    pub set_json: Vec<String>,
    /// `--name`.
    pub name: Option<String>,
}

/// Values read, layered, checked and typed.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub values: Values,
    /// The application name in force.
    pub name: String,
    /// The chart directory (where `chart-templates/` overrides are looked for).
    pub chart_dir: PathBuf,
    /// The layered values tree as checked.
    pub tree: Value,
    pub provenance: Provenance,
}

/// One layer's record of what it set and where.
#[derive(Debug, Clone)]
enum Layer {
    Defaults,
    File {
        path: PathBuf,
        text: String,
        positions: Positions,
    },
    Flag {
        text: String,
        pointers: HashSet<String>,
    },
}

/// Answers "where did the value at this JSON pointer come from?".
#[derive(Debug, Clone, Default)]
pub struct Provenance {
    /// Lowest precedence first.
    layers: Vec<Layer>,
}

/// Where one value came from.
#[derive(Debug, Clone)]
pub struct Origin<'a> {
    pub location: Location,
    /// The scalar as written in the file, when it came from one.
    pub source_text: Option<&'a str>,
    pub from_file: bool,
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
            } => positions.get(pointer).map(|p: &NodePos| Origin {
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
            }),
            Layer::Flag { text, pointers } => pointers.contains(pointer).then(|| Origin {
                location: Location::Flag(text.clone()),
                source_text: None,
                from_file: false,
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

/// Reads, layers, checks and types the values.
pub fn load(input: &ValuesInput) -> Result<Loaded> {
    let (chart_dir, chart_values_path) = locate_chart(&input.chart)?;
    let mut layers = vec![Layer::Defaults];

    let (chart_values, chart_layer) = read_values_file(&chart_values_path)?;
    if chart_values.is_empty() {
        return Err(Diagnostic::new(
            Some(Location::file(&chart_values_path, None)),
            "the values file is empty",
        )
        .with_help("set at least `name`, `image.repository` and `image.tag`, or write a complete one with `rollwright init DIR`")
        .into());
    }
    layers.push(chart_layer);

    let mut user = Map::new();
    for path in &input.files {
        let (map, layer) = read_values_file(path)?;
        merge_maps(&mut user, map);
        layers.push(layer);
    }
    // Helm applies the flag kinds in this fixed order, whatever the command line says.
    for (kind, args) in [
        (SetKind::SetJson, &input.set_json),
        (SetKind::Set, &input.set),
        (SetKind::SetString, &input.set_string),
    ] {
        for arg in args {
            let text = format!("{} {arg}", kind.flag());
            let fail = |e: super::set::SetError| {
                Diagnostic::new(Some(Location::Flag(text.clone())), e.message)
                    .with_help(set_help(kind))
            };
            parse_into(&mut user, arg, kind).map_err(fail)?;
            let mut own = Map::new();
            parse_into(&mut own, arg, kind).map_err(fail)?;
            let mut pointers = HashSet::new();
            collect_pointers(&Value::Object(own), String::new(), &mut pointers);
            layers.push(Layer::Flag { text, pointers });
        }
    }

    let name = match &input.name {
        Some(n) => n.clone(),
        None => {
            let mut named = chart_values.clone();
            coalesce(&mut named, user.clone());
            match named.get("name") {
                Some(Value::String(n)) if !n.is_empty() => n.clone(),
                _ => dir_name(&chart_dir)?,
            }
        }
    };

    let mut tree = match model::defaults(&name) {
        Value::Object(m) => m,
        _ => unreachable!("the defaults layer is a mapping"),
    };
    coalesce(&mut tree, chart_values);
    coalesce(&mut tree, user);
    let mut tree = Value::Object(tree);
    drop_nulls(&mut tree);

    let provenance = Provenance { layers };
    let values = super::check::check_and_type(&tree, &provenance)?;
    if values.image.tag.as_deref().is_none_or(str::is_empty) {
        return Err(Diagnostic::new(
            Some(Location::file(&chart_values_path, None)),
            "`image.tag` is not set",
        )
        .with_help("set it in values.yaml or on the command line: --set image.tag=1.29 (an untagged image would run `latest`, and a re-pushed `latest` starts no new revision)")
        .into());
    }
    Ok(Loaded {
        values,
        name,
        chart_dir,
        tree,
        provenance,
    })
}

fn set_help(kind: SetKind) -> &'static str {
    match kind {
        SetKind::SetJson => "write KEY=JSON, e.g. --set-json 'ports=[{\"containerPort\":8080}]'",
        _ => "write KEY=VALUE[,KEY=VALUE], e.g. --set image.tag=1.29 or --set 'a.b[0].c=x'",
    }
}

/// `CHART` is a directory holding `values.yaml`, or a values file standing for one.
fn locate_chart(chart: &Path) -> Result<(PathBuf, PathBuf)> {
    if chart.is_file() {
        let dir = match chart.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        return Ok((dir, chart.to_path_buf()));
    }
    if chart.is_dir() {
        let values = chart.join("values.yaml");
        if values.is_file() {
            return Ok((chart.to_path_buf(), values));
        }
        return Err(Diagnostic::new(
            Some(Location::file(chart, None)),
            "no values.yaml in this chart directory",
        )
        .with_help("create one with `rollwright init DIR`, or name a values file as CHART")
        .into());
    }
    Err(Diagnostic::new(
        Some(Location::file(chart, None)),
        "no such chart directory or values file",
    )
    .with_help("CHART is a directory holding values.yaml, or a values file")
    .into())
}

fn dir_name(dir: &Path) -> Result<String> {
    let abs = std::fs::canonicalize(dir).map_err(|e| Diagnostic::io(dir, &e))?;
    abs.file_name()
        .and_then(|n| n.to_str())
        .map(str::to_owned)
        .ok_or_else(|| {
            Diagnostic::new(
                Some(Location::file(dir, None)),
                "cannot take an application name from this directory",
            )
            .with_help("set `name:` in values.yaml or pass --name")
            .into()
        })
}

/// Reads one values file (or standard input for `-`) into a mapping.
fn read_values_file(path: &Path) -> Result<(Map<String, Value>, Layer)> {
    let bytes = if path == Path::new("-") {
        let mut buf = Vec::new();
        std::io::stdin()
            .read_to_end(&mut buf)
            .map_err(|e| Diagnostic::io(path, &e))?;
        buf
    } else {
        if path.is_dir() {
            return Err(Diagnostic::new(
                Some(Location::file(path, None)),
                "is a directory, not a values file",
            )
            .with_help("pass the YAML file inside it, e.g. -f DIR/values.yaml")
            .into());
        }
        std::fs::read(path).map_err(|e| Diagnostic::io(path, &e))?
    };
    let text = yaml::decode(&bytes).map_err(|e| Diagnostic::yaml(path, e))?;
    let doc = yaml::parse_single(text).map_err(|e| Diagnostic::yaml(path, e))?;
    let (map, positions) = match doc {
        None => (Map::new(), Positions::default()),
        Some(doc) => match doc.value {
            Value::Object(map) => (map, doc.positions),
            Value::Null => (Map::new(), doc.positions),
            other => {
                let pos = doc.positions.get("").map(|p| p.value);
                return Err(Diagnostic::new(
                    Some(Location::file(path, pos)),
                    format!(
                        "a values file must be a mapping of keys, found {}",
                        crate::schema::describe::json_type(&other)
                    ),
                )
                .with_help("start the file with keys such as `image:` and `rollout:`")
                .into());
            }
        },
    };
    let layer = Layer::File {
        path: path.to_path_buf(),
        text: text.to_owned(),
        positions,
    };
    Ok((map, layer))
}

fn collect_pointers(value: &Value, pointer: String, out: &mut HashSet<String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                collect_pointers(v, child_pointer(&pointer, k), out);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                collect_pointers(v, format!("{pointer}/{i}"), out);
            }
        }
        _ => {}
    }
    out.insert(pointer);
}
