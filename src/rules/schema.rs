//! Schema rules: what the API server refuses at admission, from the kinds' schemas (built in,
//! or converted from `--crds`). Unknown fields are refused as `kubectl apply` (strict field
//! validation) and `kubectl argo rollouts lint` refuse them.

use std::collections::HashMap;
use std::fmt::Write as _;

use serde_json::Value;

use super::version::{ADDED_FIELDS, AddedField, RolloutsVersion};
use super::{ARGO, Context, Rule, Sink};
use crate::finding::Severity;
use crate::manifest::Object;
use crate::rules::util::Lookup as _;
use crate::schema::{KindLookup, SchemaError, SchemaErrorKind};

pub const RULES: &[&Rule] = &[&API_00, &API_01, &API_07, &API_08, &API_09, &API_10];

/// The schema errors of `kind` (`None`: every kind not reported by another schema rule).
fn report(
    ctx: &super::Context<'_>,
    sink: &mut Sink<'_>,
    wanted: &[SchemaErrorKind],
    help: fn(&SchemaError) -> String,
) {
    for (object, errors) in ctx.objects.iter().zip(ctx.schema_errors) {
        for e in errors.iter().filter(|e| wanted.contains(&e.kind)) {
            if covered_elsewhere(object, e) {
                continue;
            }
            let help = match &e.help {
                Some(h) => format!("{h}; {}", help(e)),
                None => help(e),
            };
            sink.report(object, &e.pointer, e.message.clone())
                .help(help);
        }
    }
}

/// BG-05 reports a missing `blueGreen.activeService` with the controller's own words.
fn covered_elsewhere(object: &Object, e: &SchemaError) -> bool {
    object.id.kind == "Rollout"
        && e.kind == SchemaErrorKind::Required
        && e.pointer == "/spec/strategy/blueGreen"
        && e.key.as_deref() == Some("activeService")
}

pub static API_00: Rule = Rule {
    id: "API-00",
    name: "schema-type",
    severity: Severity::Error,
    doc: "field values must have the types and values the kind's schema allows",
    check: |ctx, sink| {
        report(
            ctx,
            sink,
            &[
                SchemaErrorKind::Type,
                SchemaErrorKind::Enum,
                SchemaErrorKind::Other,
            ],
            |_| {
                "the API server refuses the object as written; fix the value's type (quote strings such as \"1.10\", write numbers bare)".into()
            },
        )
    },
};

pub static API_01: Rule = Rule {
    id: "API-01",
    name: "required-field",
    severity: Severity::Error,
    doc: "fields the kind's schema requires must be present (and every object needs metadata.name)",
    check: |ctx, sink| {
        report(ctx, sink, &[SchemaErrorKind::Required], |e| match &e.key {
            Some(k) => format!("add `{k}:`"),
            None => "add the missing field".into(),
        });
        required_before(ctx, sink);
        // A generateName stands for the name: the API server generates one from it.
        let generated = |o: &&Object| {
            o.value
                .lookup("/metadata/generateName")
                .and_then(Value::as_str)
                .is_some_and(|g| !g.is_empty())
        };
        for o in ctx
            .objects
            .iter()
            .filter(|o| o.id.name.is_empty())
            .filter(|o| !generated(o))
        {
            let at = if o.value.get("metadata").is_some() {
                "/metadata"
            } else {
                ""
            };
            sink.report(
                o,
                at,
                "metadata.name: Required value: name or generateName is required",
            )
            .help("give the object a name under metadata.name");
        }
    },
};

pub static API_07: Rule = Rule {
    id: "API-07",
    name: "unknown-field",
    severity: Severity::Error,
    doc: "fields the kind's schema does not know are refused (strict decoding, as kubectl apply and the controller's lint do)",
    check: |ctx, sink| {
        report(ctx, sink, &[SchemaErrorKind::UnknownField], |_| {
            "remove the field or fix its spelling; the API server would prune it silently without strict validation".into()
        });
        added_later(ctx, sink);
    },
};

/// Fields a later release added to the Argo Rollouts CRDs: the assumed release's CRDs do not
/// know them.
fn added_later(ctx: &Context<'_>, sink: &mut Sink<'_>) {
    let version = ctx.version;
    let fields: Vec<(&AddedField, Vec<&str>)> = ADDED_FIELDS
        .iter()
        .filter(|f| f.since > version)
        .map(|f| (f, f.pointer.split('/').skip(1).collect()))
        .collect();
    if fields.is_empty() {
        return;
    }
    let mut found = Vec::new();
    for (_, o) in ctx.served_objects() {
        // A CRD given with --crds says itself what it knows.
        if o.id.group() != ARGO || !ctx.schemas.builtin_checks(&o.id.api_version, &o.id.kind) {
            continue;
        }
        for (f, segments) in fields
            .iter()
            .filter(|(f, _)| f.kinds.contains(&o.id.kind.as_str()))
        {
            found.clear();
            set_at(&o.value, segments, &mut String::new(), &mut found);
            for pointer in &found {
                let (parent, key) = pointer.rsplit_once('/').unwrap_or_default();
                sink.report(
                    o,
                    pointer,
                    format!(
                        "unknown field `{key}` in `{}`: the CRDs of Argo Rollouts {version} do not have it (added in {})",
                        super::util::path(parent),
                        f.since
                    ),
                )
                .help(format!(
                    "remove it, or upgrade the controller and its CRDs to {} or later (--rollouts-version says which release to check for)",
                    f.since
                ));
            }
        }
    }
}

/// The pointers below `at` that `segments` (`*` for any list item) name and that are set; a
/// pointer is only written for what is found.
fn set_at(v: &Value, segments: &[&str], at: &mut String, out: &mut Vec<String>) {
    let Some((first, rest)) = segments.split_first() else {
        out.push(at.clone());
        return;
    };
    let len = at.len();
    if *first == "*" {
        for (i, item) in v.as_array().into_iter().flatten().enumerate() {
            let _ = write!(at, "/{i}");
            set_at(item, rest, at, out);
            at.truncate(len);
        }
    } else if let Some(next) = super::util::child(v, first).filter(|c| !c.is_null()) {
        at.push('/');
        at.push_str(first);
        set_at(next, rest, at, out);
        at.truncate(len);
    }
}

/// Fields the assumed release's CRDs require that the built-in schemas (the newest CRDs) no
/// longer do.
fn required_before(ctx: &Context<'_>, sink: &mut Sink<'_>) {
    let version = ctx.version;
    if version >= RolloutsVersion::V1_9 {
        return;
    }
    for o in ctx
        .of_kind(ARGO, "AnalysisTemplate")
        .chain(ctx.of_kind(ARGO, "ClusterAnalysisTemplate"))
    {
        if version < RolloutsVersion::V1_7
            && o.value.lookup("/spec/metrics").is_none_or(Value::is_null)
        {
            let at = if o.value.get("spec").is_some() {
                "/spec"
            } else {
                ""
            };
            sink.report(o, at, "spec.metrics: Required value")
                .help(format!("Argo Rollouts {version} requires metrics in every AnalysisTemplate (templates that only compose others came in 1.7)"));
        }
    }
    for o in ctx
        .of_kind(ARGO, "AnalysisTemplate")
        .chain(ctx.of_kind(ARGO, "ClusterAnalysisTemplate"))
        .chain(ctx.of_kind(ARGO, "AnalysisRun"))
    {
        for (i, m) in super::util::items(o.value.lookup("/spec/metrics")) {
            let provider = format!("/spec/metrics/{i}/provider");
            if version < RolloutsVersion::V1_7
                && let Some(dd) = m.lookup("/provider/datadog").filter(|d| d.is_object())
                && dd.get("query").is_none_or(Value::is_null)
            {
                sink.report(
                    o,
                    &format!("{provider}/datadog"),
                    format!("spec.metrics[{i}].provider.datadog.query: Required value"),
                )
                .help(format!(
                    "Argo Rollouts {version} requires `query` (queries and formula came in 1.7)"
                ));
            }
            for (j, scope) in super::util::items(m.lookup("/provider/kayenta/scopes")) {
                for which in ["controlScope", "experimentScope"] {
                    let Some(s) = scope.get(which).filter(|s| s.is_object()) else {
                        continue;
                    };
                    for key in ["start", "end"] {
                        if s.get(key).is_none_or(Value::is_null) {
                            sink.report(o, &format!("{provider}/kayenta/scopes/{j}/{which}"), format!("spec.metrics[{i}].provider.kayenta.scopes[{j}].{which}.{key}: Required value"))
                                .help(format!("Argo Rollouts {version} requires `{key}` in a Kayenta scope (optional since 1.9)"));
                        }
                    }
                }
            }
        }
    }
}

/// etcd's request limit, which caps what the API server stores per object.
const MAX_OBJECT_BYTES: usize = 1_572_864;
/// The API server's limit on a ConfigMap's or Secret's data.
const MAX_DATA_BYTES: usize = 1_048_576;

/// An upper bound of a value's size as compact JSON: every string byte escaped at the
/// worst (`\u0000`, six bytes), every number at its longest.
fn json_size_bound(v: &serde_json::Value) -> usize {
    use serde_json::Value;
    match v {
        Value::Null | Value::Bool(_) => 5,
        Value::Number(_) => 24,
        Value::String(s) => s.len() * 6 + 2,
        Value::Array(items) => 2 + items.iter().map(|i| json_size_bound(i) + 1).sum::<usize>(),
        Value::Object(map) => {
            2 + map
                .iter()
                .map(|(k, v)| k.len() * 6 + 4 + json_size_bound(v))
                .sum::<usize>()
        }
    }
}

pub static API_08: Rule = Rule {
    id: "API-08",
    name: "object-size",
    severity: Severity::Error,
    doc: "an object must fit what the API server stores (1.5 MiB), and ConfigMap or Secret data 1 MiB",
    check: |ctx, sink| {
        for o in ctx.objects {
            // Serialising is exact but costs; the bound rules out nearly every object first.
            let size = if json_size_bound(&o.value) <= MAX_OBJECT_BYTES {
                0
            } else {
                serde_json::to_string(&o.value).map_or(0, |s| s.len())
            };
            if size > MAX_OBJECT_BYTES {
                sink.report(o, "", format!("the object is {size} bytes as JSON; the API server stores at most {MAX_OBJECT_BYTES} (1.5 MiB)"))
                    .help("move large content into a volume, an image or several objects");
                continue;
            }
            if matches!(o.id.kind.as_str(), "ConfigMap" | "Secret") && o.id.group().is_empty() {
                let data: usize = ["data", "binaryData", "stringData"]
                    .iter()
                    .filter_map(|k| o.value.get(*k).and_then(serde_json::Value::as_object))
                    .flat_map(|m| m.iter())
                    .map(|(k, v)| k.len() + v.as_str().map_or(0, str::len))
                    .sum();
                if data > MAX_DATA_BYTES {
                    let at = ["data", "stringData", "binaryData"]
                        .into_iter()
                        .find(|k| o.value.get(*k).is_some())
                        .unwrap_or("");
                    sink.report(o, &format!("/{at}"), format!("{} data is {data} bytes; the API server allows at most {MAX_DATA_BYTES} (1 MiB)", o.id.kind))
                        .help("split the data over several objects or mount it from elsewhere");
                }
            }
        }
    },
};

pub static API_09: Rule = Rule {
    id: "API-09",
    name: "served-api-version",
    severity: Severity::Error,
    doc: "a kind rollwright knows must use an apiVersion the API server serves for it (\"no matches for kind\")",
    check: |ctx, sink| {
        let mut seen: HashMap<(&str, &str), KindLookup> = HashMap::new();
        for o in ctx.objects {
            let (v, k) = (o.id.api_version.as_str(), o.id.kind.as_str());
            let KindLookup::Unserved { served, removed_in } = seen
                .entry((v, k))
                .or_insert_with(|| ctx.schemas.lookup(v, k))
            else {
                continue;
            };
            let mut help = match removed_in {
                Some(release) => format!("Kubernetes {release} removed {} {k}", shown(v)),
                None => format!("{k} is not served in {}", shown(v)),
            };
            match served.as_slice() {
                [] => help.push_str("; there is no replacement"),
                [one] => help.push_str(&format!("; did you mean `apiVersion: {one}`?")),
                many => help.push_str(&format!("; it is served in {}", many.join(", "))),
            }
            sink.report(
                o,
                "/apiVersion",
                // Go's %q, as kubectl quotes them.
                format!("no matches for kind {k:?} in version {v:?}"),
            )
            .help(help);
        }
    },
};

/// Traffic-router kinds a Rollout refers to: the CR- rules check what the controller reads of
/// them, so they are not reported as unchecked.
const READ_BY_RULES: &[(&str, &str)] = &[
    ("networking.istio.io", "VirtualService"),
    ("networking.istio.io", "DestinationRule"),
    ("getambassador.io", "Mapping"),
    ("x.getambassador.io", "AmbassadorMapping"),
    ("appmesh.k8s.aws", "VirtualService"),
    ("appmesh.k8s.aws", "VirtualRouter"),
];

pub static API_10: Rule = Rule {
    id: "API-10",
    name: "unknown-kind",
    severity: Severity::Warning,
    doc: "a kind without a schema (built in or from --crds) is not checked: a warning, an error with --strict (traffic-router kinds a Rollout reads excepted)",
    check: |ctx, sink| {
        let mut seen: HashMap<(&str, &str), KindLookup> = HashMap::new();
        for o in ctx.objects {
            let (v, k) = (o.id.api_version.as_str(), o.id.kind.as_str());
            if READ_BY_RULES.contains(&(o.id.group(), k)) {
                continue;
            }
            let KindLookup::NoSchema {
                other_versions,
                similar_kind,
            } = seen
                .entry((v, k))
                .or_insert_with(|| ctx.schemas.lookup(v, k))
            else {
                continue;
            };
            let help = if let Some(similar) = similar_kind {
                format!("did you mean `kind: {similar}`?")
            } else if !other_versions.is_empty() {
                format!(
                    "rollwright checks {} in {}; did you mean `apiVersion: {}`? Otherwise pass the CRD or schema of {} with --crds",
                    shown(k),
                    other_versions.join(", "),
                    other_versions[0],
                    shown(v)
                )
            } else {
                format!(
                    "pass the CustomResourceDefinition of {} with --crds to check it, or turn API-10 off in .rollwright.yaml",
                    shown(k)
                )
            };
            let raw = sink.report(
                o,
                "/kind",
                format!(
                    "no schema for {} {}: not checked (pass --crds)",
                    shown(v),
                    shown(k)
                ),
            );
            raw.help(help);
            if ctx.strict {
                raw.severity(Severity::Error);
            }
        }
    },
};

/// A name from a manifest as a message shows it: as written, or quoted and escaped when it
/// holds control or non-ASCII characters (which must not reach a terminal raw).
fn shown(s: &str) -> std::borrow::Cow<'_, str> {
    if s.chars().all(|c| c.is_ascii_graphic()) {
        std::borrow::Cow::Borrowed(s)
    } else {
        std::borrow::Cow::Owned(format!("{s:?}"))
    }
}
