//! Schema rules: what the API server refuses at admission, from the kinds' schemas (built in,
//! or converted from `--crds`). Unknown fields are refused as `kubectl apply` (strict field
//! validation) and `kubectl argo rollouts lint` refuse them.

use super::{Rule, Sink};
use crate::manifest::Object;
use crate::report::Severity;
use crate::schema::{SchemaError, SchemaErrorKind};

pub const RULES: &[&Rule] = &[&API_00, &API_01, &API_07, &API_08];

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
        for o in ctx.objects.iter().filter(|o| o.id.name.is_empty()) {
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
        })
    },
};

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
