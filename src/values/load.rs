//! Reading and layering values as Helm does, remembering where each value came from.
//!
//! Precedence, lowest first: the defaults layer < `CHART/values.yaml` < each `-f` (right-most
//! wins) < `--set-json` < `--set` < `--set-string`. The `-f` files and flags form the "user"
//! values, coalesced over the chart's values (where `null` deletes a key); the chart's
//! values are in turn coalesced over the defaults, so `values.yaml` can switch a default off.

use std::io::Read;
use std::path::{Path, PathBuf};

use serde_json::{Map, Number, Value};

use super::merge::{coalesce, drop_nulls, merge_maps};
use super::model::{self, Values};
use super::provenance::Layer;
pub use super::provenance::{Origin, Provenance};
use super::set::{self, Budget, SetKind};
use crate::error::{Diagnostic, Location, Result};
use crate::yaml::{self, Positions, child_pointer, dotted_path};

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
    let mut budget = Budget::default();
    for (kind, args) in [
        (SetKind::SetJson, &input.set_json),
        (SetKind::Set, &input.set),
        (SetKind::SetString, &input.set_string),
    ] {
        for arg in args {
            let text = format!("{} {arg}", kind.flag());
            let fail = |e: set::SetError| {
                let help = e.help.unwrap_or_else(|| set_help(kind).to_owned());
                Diagnostic::new(Some(Location::Flag(text.clone())), e.message).with_help(help)
            };
            let written = set::parse(arg, kind)
                .and_then(|flag| flag.apply(&mut user, &mut budget))
                .map_err(fail)?;
            if kind == SetKind::SetJson {
                // In pointer order, so that the same input names the same number first.
                let mut set: Vec<_> = written.pointers.iter().collect();
                set.sort();
                for (pointer, raw) in set {
                    if let Some(value) = lookup(&user, pointer)
                        && let Some(d) = float64_surprise(value, pointer, raw.as_deref(), || {
                            (Location::Flag(text.clone()), false)
                        })
                    {
                        return Err(d.into());
                    }
                }
            }
            layers.push(Layer::Flag {
                text,
                kind,
                pointers: written.pointers,
            });
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
    let provenance = Provenance { layers };
    let nulls = super::check::kept_nulls(&tree, &provenance);
    if !nulls.is_empty() {
        return Err(crate::error::Error::many(nulls));
    }
    drop_nulls(&mut tree);

    removed_defaults(&tree, &provenance)?;
    let values = super::check::check_and_type(&tree, &provenance)?;
    if values.image.tag.as_deref().is_none_or(str::is_empty) {
        // Blame what set it empty or null, else the chart's values file.
        let origin = provenance.nearest("/image/tag", false);
        let from_flag = origin.as_ref().is_some_and(|o| o.flag.is_some());
        let location = origin
            .map(|o| o.location)
            .unwrap_or_else(|| Location::file(&chart_values_path, None));
        let what = if values.image.tag.is_some() {
            "`image.tag` is empty"
        } else {
            "`image.tag` is not set"
        };
        let how = if from_flag {
            "give it a value: --set image.tag=1.29"
        } else {
            "set it in values.yaml or on the command line: --set image.tag=1.29"
        };
        return Err(Diagnostic::new(Some(location), what)
            .with_help(format!("{how} (an untagged image would run `latest`, and a re-pushed `latest` starts no new revision)"))
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
    // Anything that is not a directory is a values file: a FIFO or device is then refused by
    // the read with what it is, not taken for a missing file.
    let file = |p: &Path| std::fs::metadata(p).is_ok_and(|m| !m.is_dir());
    if file(chart) {
        let dir = match chart.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        return Ok((dir, chart.to_path_buf()));
    }
    if chart.is_dir() {
        let values = chart.join("values.yaml");
        if file(&values) {
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
        crate::fsutil::read_regular(path)?
    };
    let text = yaml::decode(&bytes).map_err(|e| Diagnostic::yaml(path, e))?;
    // Helm 4 reads every document of a values file and merges them in order, as it merges
    // `-f` files.
    let docs = yaml::parse_documents(text).map_err(|e| Diagnostic::yaml(path, e))?;
    let mut merged = Map::new();
    let mut positions = Vec::with_capacity(docs.len());
    for doc in docs {
        let map = match doc.value {
            Value::Object(map) => map,
            other => {
                let pos = doc.positions.get("").map(|p| p.value);
                return Err(Diagnostic::new(
                    Some(Location::file(path, pos)),
                    format!(
                        "a values file must be a mapping of keys, found {}",
                        crate::schema::describe::json_type(&other)
                    ),
                )
                .with_help("start the file (and each `---` document in it) with keys such as `image:` and `rollout:`")
                .into());
            }
        };
        check_float64(&map, &doc.positions, path, text)?;
        merge_maps(&mut merged, map);
        positions.push(doc.positions);
    }
    let layer = Layer::File {
        path: path.to_path_buf(),
        text: text.to_owned(),
        positions,
    };
    Ok((merged, layer))
}

/// Refuses an integer that Helm would change: Helm reads the numbers of values files and
/// `--set-json` as 64-bit floats, so `20240101123456789` renders as 20240101123456788.
fn check_float64(
    map: &Map<String, Value>,
    positions: &Positions,
    path: &Path,
    text: &str,
) -> Result<()> {
    let mut stack: Vec<(String, &Value)> =
        map.iter().map(|(k, v)| (child_pointer("", k), v)).collect();
    while let Some((pointer, value)) = stack.pop() {
        match value {
            Value::Object(m) => {
                stack.extend(m.iter().map(|(k, v)| (child_pointer(&pointer, k), v)))
            }
            Value::Array(items) => {
                stack.extend(
                    items
                        .iter()
                        .enumerate()
                        .map(|(i, v)| (format!("{pointer}/{i}"), v)),
                );
            }
            _ => {
                let at = positions.get(&pointer);
                let written = at.and_then(|p| p.bytes).and_then(|(s, e)| text.get(s..e));
                let d = float64_surprise(value, &pointer, written, || {
                    (Location::file(path, at.map(|p| p.value)), true)
                });
                if let Some(d) = d {
                    return Err(d.into());
                }
            }
        }
    }
    Ok(())
}

/// The value at a JSON pointer of a values map.
fn lookup<'a>(map: &'a Map<String, Value>, pointer: &str) -> Option<&'a Value> {
    let rest = pointer.strip_prefix('/')?;
    let (first, rest) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    let first = first.replace("~1", "/").replace("~0", "~");
    map.get(&first)?.pointer(rest)
}

/// The error for a number that Helm's 64-bit float reading changes; `locate` gives where it
/// was written and whether that is a file.
fn float64_surprise(
    value: &Value,
    pointer: &str,
    written: Option<&str>,
    locate: impl Fn() -> (Location, bool),
) -> Option<Diagnostic> {
    let Value::Number(n) = value else {
        return None;
    };
    if n.is_f64() {
        return None;
    }
    let float = n.as_f64()?;
    let helm: Option<Number> = yaml::json_float(float);
    if helm.as_ref() == Some(n) {
        return None;
    }
    let shown = helm.map_or_else(|| float.to_string(), |h| h.to_string());
    let written = written.map_or_else(|| n.to_string(), str::to_owned);
    let (location, in_file) = locate();
    let key = pointer.rsplit('/').next().unwrap_or_default();
    let help = if in_file {
        format!("quote it to keep it exact: `{key}: \"{written}\"`")
    } else {
        format!(
            "make it a JSON string (--set-json '{}=\"{written}\"'), or use --set, which keeps 64-bit integers",
            dotted_path(pointer)
        )
    };
    Some(
        Diagnostic::new(
            Some(location),
            format!(
                "`{}`: Helm reads the numbers of values files and --set-json as 64-bit floats, so {written} would become {shown}",
                dotted_path(pointer)
            ),
        )
        .with_help(help),
    )
}

/// Keys the embedded templates need, with the default a `null` removes.
const NEEDED: &[(&str, &str, &str)] = &[
    ("/service/port", "80", "the Services need a port"),
    ("/service/type", "ClusterIP", "the Services need a type"),
    ("/image/repository", "nginx", "the image needs a repository"),
];

/// Refuses a `null` that removed a default the templates cannot do without: Helm would render
/// `port: 0` or an image without a repository.
fn removed_defaults(tree: &Value, provenance: &Provenance) -> Result<()> {
    for (pointer, default, why) in NEEDED {
        if tree.pointer(pointer).is_some() {
            continue;
        }
        // The first missing key on the way; a value of another type in the way is a type
        // error the schema reports.
        let mut missing = *pointer;
        while let Some(i) = missing.rfind('/').filter(|&i| i > 0) {
            match tree.pointer(&missing[..i]) {
                None => missing = &missing[..i],
                Some(Value::Object(_)) => break,
                Some(_) => return Ok(()),
            }
        }
        let origin = provenance.nearest(missing, false);
        let location = origin.map(|o| o.location);
        let path = dotted_path(pointer);
        let removed = dotted_path(missing);
        return Err(Diagnostic::new(
            location,
            format!("`{removed}` is removed by a null here, and with it the default {path} ({default}); {why}"),
        )
        .with_help(format!(
            "set a value (--set {path}=…), or leave the null out to keep {default}"
        ))
        .into());
    }
    Ok(())
}
