//! Rendering: typed values through the minijinja templates into Kubernetes objects.
//!
//! Every interpolation is JSON-escaped (a JSON literal is a YAML flow scalar or collection
//! that reads back as the same value), so no value can change the structure of a manifest.
//! The rendered text is parsed back and checked before anything is written.

pub mod output;
pub mod templates;

use std::collections::{BTreeMap, HashSet};

use minijinja::value::Value as JinjaValue;
use minijinja::{AutoEscape, Environment, UndefinedBehavior};
use serde_json::Value;

use crate::error::{Diagnostic, Error, Location, Result};
use crate::manifest::Object;
use crate::values::Loaded;
use crate::yaml;
use templates::Template;

/// The label every object carries, and that the selector and Services use.
pub const NAME_LABEL: &str = "app.kubernetes.io/name";

/// Renders the chart's templates with `loaded` values. `namespace` (from `--namespace`)
/// overrides the values' `namespace`.
pub fn render(loaded: &Loaded, namespace: Option<&str>) -> Result<Vec<Object>> {
    let templates = templates::collect(&loaded.chart_dir)?;
    let env = environment(&templates)?;
    let ctx = context(loaded, namespace);
    let mut objects = Vec::new();
    for template in templates.iter().filter(|t| !t.helper) {
        let text = env
            .get_template(&template.name)
            .and_then(|t| t.render(&ctx))
            .map_err(|e| template_error(template, &e))?;
        let docs = yaml::parse_documents(&text).map_err(|e| {
            let line = e.pos.map(|p| p.line as usize);
            let snippet = line
                .and_then(|l| text.lines().nth(l.saturating_sub(1)))
                .map(|s| format!(" (rendered line {}: `{}`)", line.unwrap_or(0), s.trim()))
                .unwrap_or_default();
            Diagnostic::new(
                Some(Location::Flag(template.display_name())),
                format!("the template rendered invalid YAML: {}{snippet}", e.message),
            )
            .with_help("write every value as `{{ x }}` (a JSON literal) and keep the YAML around it well-formed")
        })?;
        for doc in docs {
            let object = Object::from_document(doc, &template.display_name()).map_err(|e| {
                Diagnostic::new(
                    Some(Location::Flag(template.display_name())),
                    format!(
                        "the template rendered something that is not a Kubernetes object: {}",
                        e.message
                    ),
                )
                .with_help("every document needs apiVersion, kind and metadata.name")
            })?;
            objects.push(object);
        }
    }
    check_objects(&objects)?;
    Ok(objects)
}

fn environment(templates: &[Template]) -> Result<Environment<'static>> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::SemiStrict);
    env.set_auto_escape_callback(|_| AutoEscape::Json);
    env.set_formatter(yaml_literal);
    let syntax = minijinja::syntax::SyntaxConfig::builder()
        .trim_blocks(true)
        .lstrip_blocks(true)
        .build()
        .map_err(|e| {
            Error::msg(
                format!("template syntax configuration: {e}"),
                "this is a defect in rollwright; please report it",
            )
        })?;
    env.set_syntax(syntax);
    env.add_filter("combine", combine);
    for t in templates {
        env.add_template_owned(t.name.clone(), t.source.clone())
            .map_err(|e| template_error(t, &e))?;
    }
    Ok(env)
}

/// Writes a value as a JSON literal that YAML reads back as the same value. JSON leaves some
/// characters raw that YAML does not allow (DEL, C1 controls, a byte-order mark), so those
/// are escaped too.
fn yaml_literal(
    out: &mut minijinja::Output,
    state: &mut minijinja::State,
    value: &JinjaValue,
) -> std::result::Result<(), minijinja::Error> {
    if value.is_safe() || value.is_undefined() {
        return minijinja::escape_formatter(out, state, value);
    }
    let json = serde_json::to_string(value).map_err(|e| {
        minijinja::Error::new(minijinja::ErrorKind::BadSerialization, e.to_string())
    })?;
    for c in json.chars() {
        let yaml_printable = matches!(c, '\t' | '\n' | '\r' | ' '..='~' | '\u{85}'
            | '\u{a0}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}' | '\u{10000}'..)
            && c != '\u{feff}';
        if yaml_printable {
            out.write_str(c.encode_utf8(&mut [0; 4]))?;
        } else {
            write!(out, "\\u{:04x}", c as u32)?;
        }
    }
    Ok(())
}

/// `a | combine(b)`: the two mappings merged, `b` winning.
fn combine(a: JinjaValue, b: JinjaValue) -> std::result::Result<JinjaValue, minijinja::Error> {
    let mut out: BTreeMap<String, JinjaValue> = BTreeMap::new();
    for map in [a, b] {
        if map.is_undefined() || map.is_none() {
            continue;
        }
        for key in map.try_iter()? {
            let value = map.get_item(&key)?;
            out.insert(key.to_string(), value);
        }
    }
    Ok(JinjaValue::from(out))
}

fn template_error(template: &Template, err: &minijinja::Error) -> Error {
    let mut message = err.kind().to_string();
    if let Some(detail) = err.detail() {
        message = format!("{message}: {detail}");
    }
    let location = match err.line() {
        Some(line) => format!("{}:{line}", template.display_name()),
        None => template.display_name(),
    };
    Error::one(
        Diagnostic::new(Some(Location::Flag(location)), message)
            .with_help("templates see `name`, `namespace`, `values`, `labels`, `selectorLabels`, `podLabels`, `image` and `targetPort` (docs/render.md#templates)"),
    )
}

/// What the templates see.
fn context(loaded: &Loaded, namespace: Option<&str>) -> JinjaValue {
    let v = &loaded.values;
    let name = loaded.name.as_str();
    let namespace = namespace
        .map(str::to_owned)
        .or_else(|| v.namespace.clone())
        .filter(|n| !n.is_empty());

    let selector: BTreeMap<String, String> = [(NAME_LABEL.to_owned(), name.to_owned())].into();
    let mut labels = selector.clone();
    labels.insert("app.kubernetes.io/managed-by".into(), "rollwright".into());
    labels.extend(v.labels.clone());
    // Selector labels are applied last: a pod label of the same key cannot break the selector.
    let mut pod_labels = v.pod_labels.clone();
    pod_labels.extend(selector.clone());

    let repository = v.image.repository.clone().unwrap_or_default();
    let image = match v.image.tag.as_deref() {
        Some(tag) if tag.starts_with("sha256:") => format!("{repository}@{tag}"),
        Some(tag) if !tag.is_empty() => format!("{repository}:{tag}"),
        _ => repository,
    };
    let target_port = match (&v.service.target_port, v.ports.first()) {
        (Some(crate::values::model::IntOrString::Int(n)), _) => Value::from(*n),
        (Some(crate::values::model::IntOrString::String(s)), _) => Value::from(s.clone()),
        (None, Some(port)) => match &port.name {
            Some(n) => Value::from(n.clone()),
            None => Value::from(port.container_port),
        },
        (None, None) => Value::from(v.service.port.unwrap_or(80)),
    };

    minijinja::context! {
        name => name,
        namespace => namespace,
        values => JinjaValue::from(minijinja::value::Serde(v)),
        labels => labels,
        selectorLabels => selector,
        podLabels => pod_labels,
        image => image,
        targetPort => JinjaValue::from(minijinja::value::Serde(&target_port)),
    }
}

/// What a rendered set must satisfy before it is written.
fn check_objects(objects: &[Object]) -> Result<()> {
    let mut seen = HashSet::new();
    for o in objects {
        if !seen.insert(&o.id) {
            return Err(Error::one(
                Diagnostic::new(
                    Some(Location::Flag(o.source.clone())),
                    format!("{} is rendered twice", o.id),
                )
                .with_help("give each AnalysisTemplate and Service its own name"),
            ));
        }
    }
    let pod_labels: Vec<_> = objects
        .iter()
        .filter(|o| o.id.kind == "Rollout")
        .filter_map(Object::pod_template_labels)
        .collect();
    if pod_labels.is_empty() {
        return Ok(());
    }
    for service in objects
        .iter()
        .filter(|o| o.id.kind == "Service" && o.id.group().is_empty())
    {
        let Some(selector) = service
            .value
            .pointer("/spec/selector")
            .and_then(Value::as_object)
        else {
            continue;
        };
        let selected = pod_labels
            .iter()
            .any(|labels| selector.iter().all(|(k, v)| labels.get(k) == Some(v)));
        if !selected {
            return Err(Error::one(
                Diagnostic::new(
                    Some(Location::Flag(service.source.clone())),
                    format!(
                        "Service {} selects {} but no Rollout's pod template carries those labels",
                        service.id.name,
                        Value::Object(selector.clone())
                    ),
                )
                .with_help("make the Service's spec.selector a subset of the Rollout's spec.template.metadata.labels"),
            ));
        }
    }
    Ok(())
}

/// Where each field of an object rendered by an embedded template came from in the values:
/// (object pointer prefix, values pointer prefix), longest prefix first wins.
fn values_map(object: &Object) -> Vec<(String, String)> {
    let pair = |a: &str, b: &str| (a.to_owned(), b.to_owned());
    let mut pairs: Vec<(String, String)> = match object.id.kind.as_str() {
        "Rollout" => {
            let mut v = vec![
                pair("/metadata/labels", "/labels"),
                pair("/metadata/annotations", "/annotations"),
                pair("/spec/replicas", "/replicaCount"),
                pair(
                    "/spec/revisionHistoryLimit",
                    "/rollout/revisionHistoryLimit",
                ),
                pair(
                    "/spec/progressDeadlineSeconds",
                    "/rollout/progressDeadlineSeconds",
                ),
                pair("/spec/minReadySeconds", "/rollout/minReadySeconds"),
                pair("/spec/strategy/blueGreen", "/rollout/strategy/blueGreen"),
                pair("/spec/strategy", "/rollout/strategy"),
                pair("/spec/template/metadata/labels", "/podLabels"),
                pair("/spec/template/metadata/annotations", "/podAnnotations"),
                pair("/spec/template/spec/securityContext", "/podSecurityContext"),
            ];
            for key in [
                "imagePullSecrets",
                "serviceAccountName",
                "volumes",
                "nodeSelector",
                "tolerations",
                "affinity",
            ] {
                v.push((format!("/spec/template/spec/{key}"), format!("/{key}")));
            }
            let c = "/spec/template/spec/containers/0";
            v.push((format!("{c}/image"), "/image/tag".into()));
            v.push((format!("{c}/imagePullPolicy"), "/image/pullPolicy".into()));
            for key in [
                "command",
                "args",
                "ports",
                "env",
                "envFrom",
                "readinessProbe",
                "livenessProbe",
                "startupProbe",
                "resources",
                "securityContext",
                "volumeMounts",
            ] {
                v.push((format!("{c}/{key}"), format!("/{key}")));
            }
            v
        }
        "Service" => vec![
            pair("/metadata/labels", "/service/labels"),
            pair("/metadata/annotations", "/service/annotations"),
            pair("/spec/type", "/service/type"),
            pair("/spec/ports/0/port", "/service/port"),
            pair("/spec/ports/0/targetPort", "/service/targetPort"),
            pair("/spec/ports/0/name", "/service/portName"),
        ],
        "AnalysisTemplate" | "ClusterAnalysisTemplate" => {
            let t = format!(
                "/analysisTemplates/{}",
                crate::yaml::escape_segment(&object.id.name)
            );
            vec![
                ("/metadata/name".into(), t.clone()),
                ("/spec/args".into(), format!("{t}/args")),
                ("/spec/metrics".into(), format!("{t}/metrics")),
                ("/spec".into(), t),
            ]
        }
        _ => Vec::new(),
    };
    pairs.sort_by_key(|(a, _)| std::cmp::Reverse(a.len()));
    pairs
}

/// Positions for a rendered object that point into the values files: each field maps to the
/// values key it was rendered from, positioned where that key was written. Fields that map to
/// nothing (or objects from a chart's own templates) fall back to the start of the file.
pub fn values_positions(object: &Object, loaded: &Loaded) -> crate::yaml::Positions {
    let mut out = std::collections::HashMap::new();
    out.insert(String::new(), crate::yaml::file_start());
    for (pointer, origin) in values_origins(object, loaded) {
        if let Location::File { pos: Some(pos), .. } = origin {
            out.insert(
                pointer,
                crate::yaml::NodePos {
                    value: pos,
                    key: None,
                    bytes: None,
                },
            );
        }
    }
    crate::yaml::Positions::from_map(out)
}

/// For each field of a rendered object that maps to a values key, where that key was written:
/// a values file (which one, when `-f` files are layered) or a flag.
pub fn values_origins(object: &Object, loaded: &Loaded) -> Vec<(String, Location)> {
    let embedded = object.source.ends_with("(embedded)");
    let map = if embedded {
        values_map(object)
    } else {
        Vec::new()
    };
    let mut out = Vec::new();
    for (pointer, _) in object.positions.iter() {
        let Some((from, to)) = map.iter().find(|(from, _)| {
            pointer
                .strip_prefix(from.as_str())
                .is_some_and(|r| r.is_empty() || r.starts_with('/'))
        }) else {
            continue;
        };
        let values_pointer = format!("{to}{}", &pointer[from.len()..]);
        if let Some(origin) = loaded.provenance.nearest(&values_pointer, false) {
            out.push((pointer.clone(), origin.location));
        }
    }
    out
}
