//! The built-in schemas against the upstream Argo Rollouts CRDs and example manifests, when
//! `ROLLWRIGHT_ARGO_CORPUS` names a folder holding `crds/` and `corpus/` (`.ci/run` sets it
//! when the shared folder sits beside the clone). Without it these tests return at once.

use std::path::{Path, PathBuf};

use rollwright::manifest::Object;
use rollwright::schema::{SchemaError, Schemas};
use rollwright::yaml::parse_documents;
use serde_json::Value;

const ARGO: &str = "argoproj.io/v1alpha1";
const ARGO_KINDS: [&str; 5] = [
    "Rollout",
    "AnalysisTemplate",
    "ClusterAnalysisTemplate",
    "AnalysisRun",
    "Experiment",
];

/// Upstream files that are not plain YAML: Helm templates, and an example whose unquoted
/// `{{args.linkerd-enabled}}` YAML reads as a mapping key.
const UNPARSEABLE: &[&str] = &["examples__traffic-management__rollout-linkerd.yaml"];

/// Upstream documents the CRDs themselves refuse (strict field validation), and why.
const REFUSED_UPSTREAM: &[(&str, &str)] = &[(
    // argoproj/rollouts-demo: `templateName` directly under `analysis` is the pre-v0.9 form;
    // today's API wants `templates: [{templateName: …}]`.
    "other/rollouts-demo__examples__analysis__rollout-with-analysis.yaml",
    "unknown field `templateName` in `spec.strategy.canary.analysis`",
)];

#[path = "common/peers.rs"]
mod peers;

fn corpus() -> Option<PathBuf> {
    peers::env_path("ROLLWRIGHT_ARGO_CORPUS")
}

/// Helm templates: `{{` used as template syntax rather than inside a string value.
fn helm_template(text: &str) -> bool {
    text.match_indices("{{").any(|(i, _)| {
        let rest = text[i + 2..].trim_start_matches('-').trim_start();
        [
            ".",
            "template ",
            "include ",
            "toYaml ",
            "with ",
            "if ",
            "range ",
            "end",
        ]
        .iter()
        .any(|k| rest.starts_with(k))
    })
}

struct Doc {
    file: String,
    object: Object,
}

/// Every object in `corpus/<dirs>`, skipping Helm templates and the known unparseable file.
fn documents(root: &Path, dirs: &[&str]) -> Vec<Doc> {
    let mut out = Vec::new();
    for dir in dirs {
        let mut files: Vec<PathBuf> = std::fs::read_dir(root.join("corpus").join(dir))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        for path in files {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let text = std::fs::read_to_string(&path).unwrap();
            let parsed = parse_documents(&text);
            if UNPARSEABLE.contains(&name.as_str()) {
                assert!(parsed.is_err(), "{name} parses now: check it");
                continue;
            }
            if helm_template(&text) {
                continue;
            }
            let docs = parsed.unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            for doc in docs {
                let file = format!("{dir}/{name}");
                if let Ok(object) = Object::from_document(doc, &path.display().to_string()) {
                    out.push(Doc { file, object });
                }
            }
        }
    }
    out
}

fn messages(errors: &[SchemaError]) -> Vec<String> {
    errors.iter().map(|e| e.message.clone()).collect()
}

#[test]
#[ignore = "needs ROLLWRIGHT_ARGO_CORPUS"]
fn upstream_documents_pass_builtin_and_crd_schemas_alike() {
    let Some(root) = corpus() else { return };
    let builtin = Schemas::builtin();
    let crds = Schemas::with_crds(&[root.join("crds")]).unwrap();
    let docs = documents(&root, &["examples", "valid", "other"]);
    let mut checked = 0;
    let mut refused = Vec::new();
    for Doc { file, object } in &docs {
        let (api_version, kind) = (&object.id.api_version, &object.id.kind);
        if !builtin.knows(api_version, kind) {
            continue;
        }
        checked += 1;
        let by_builtin = messages(&builtin.validate(object));
        let by_crd = messages(&crds.validate(object));
        if api_version == ARGO && ARGO_KINDS.contains(&kind.as_str()) {
            assert_eq!(by_builtin, by_crd, "{file}: {}", object.id);
        }
        for message in by_builtin {
            eprintln!("refused: {file}: {}: {message}", object.id);
            refused.push((file.clone(), message));
        }
    }
    let expected: Vec<(String, String)> = REFUSED_UPSTREAM
        .iter()
        .map(|(f, m)| (f.to_string(), m.to_string()))
        .collect();
    assert_eq!(refused, expected);
    let argo = docs
        .iter()
        .filter(|d| d.object.id.api_version == ARGO)
        .count();
    eprintln!("checked {checked} documents ({argo} Argo Rollouts objects)");
    assert!(
        argo >= 50,
        "only {argo} Argo objects found: is the corpus complete?"
    );
}

#[test]
#[ignore = "needs ROLLWRIGHT_ARGO_CORPUS"]
fn upstream_unknown_field_fixture_is_refused() {
    let Some(root) = corpus() else { return };
    let crds = Schemas::with_crds(&[root.join("crds")]).unwrap();
    let docs = documents(&root, &["invalid"]);
    let doc = docs
        .iter()
        .find(|d| {
            d.file
                .ends_with("lint__testdata__invalid-unknown-field.yml")
        })
        .expect("the lint fixture");
    for schemas in [&Schemas::builtin(), &crds] {
        let errors = schemas.validate(&doc.object);
        assert_eq!(
            messages(&errors),
            ["unknown field `unknown-strategy` in `spec.strategy`"]
        );
    }
}

/// The built-in Argo schemas list the same fields, required fields, types, int-or-string
/// fields and open places as the upstream CRDs. Kubernetes types inside them (pod and Job
/// templates, selectors, metadata) are compared with Kubernetes, not with the CRDs' copies.
#[test]
#[ignore = "needs ROLLWRIGHT_ARGO_CORPUS"]
fn builtin_argo_schemas_match_the_crds() {
    let Some(root) = corpus() else { return };
    let builtin = Schemas::builtin();
    let crds = Schemas::with_crds(&[root.join("crds")]).unwrap();
    let mut differences = Vec::new();
    let mut compared = 0;
    for kind in ARGO_KINDS {
        let b = builtin.json_schema(ARGO, kind).unwrap().unwrap();
        let c = crds.json_schema(ARGO, kind).unwrap().unwrap();
        compare(&b, &b, &c, &c, kind, &mut differences, &mut compared);
    }
    assert!(differences.is_empty(), "{}", differences.join("\n"));
    eprintln!("{compared} schema nodes agree");
    // The Rollout's status is not compared: with a status subresource it is not checked.
    assert!(compared > 900, "only {compared} nodes compared");
}

fn resolve<'a>(root: &'a Value, node: &'a Value) -> (&'a Value, Option<&'a str>) {
    match node.get("$ref").and_then(Value::as_str) {
        Some(r) => {
            let name = r.trim_start_matches("#/$defs/");
            (root.pointer(&r[1..]).unwrap(), Some(name))
        }
        None => (node, None),
    }
}

fn shape(node: &Value) -> String {
    let int_or_string = serde_json::json!([{"type": "integer"}, {"type": "string"}]);
    if node.get("anyOf") == Some(&int_or_string) {
        return "int-or-string".into();
    }
    let ty = node.get("type").map_or("any".into(), Value::to_string);
    let open = match node.get("additionalProperties") {
        Some(Value::Bool(false)) => "closed",
        Some(Value::Object(_)) => "map",
        _ if node.get("type").is_some_and(|t| t == "object") => "open",
        _ => "",
    };
    let enumerated = node.get("enum").map_or(String::new(), Value::to_string);
    format!("{ty} {open} {enumerated}")
}

fn compare(
    broot: &Value,
    b: &Value,
    croot: &Value,
    c: &Value,
    path: &str,
    out: &mut Vec<String>,
    compared: &mut usize,
) {
    let (b, name) = resolve(broot, b);
    let (c, _) = resolve(croot, c);
    let int_or_string = "io.k8s.apimachinery.pkg.util.intstr.IntOrString";
    if name.is_some_and(|n| n.starts_with("io.k8s.") && n != int_or_string) {
        return;
    }
    *compared += 1;
    if shape(b) != shape(c) {
        out.push(format!("{path}: built-in {} / CRD {}", shape(b), shape(c)));
        return;
    }
    let required = |n: &Value| -> Vec<String> {
        let mut r: Vec<String> = n
            .get("required")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|s| s.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default();
        r.sort();
        r
    };
    if required(b) != required(c) {
        out.push(format!(
            "{path}: required {:?} / CRD {:?}",
            required(b),
            required(c)
        ));
    }
    let empty = serde_json::Map::new();
    let bp = b
        .get("properties")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let cp = c
        .get("properties")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    for key in bp.keys().filter(|k| !cp.contains_key(*k)) {
        out.push(format!("{path}.{key}: only built in"));
    }
    for key in cp.keys().filter(|k| !bp.contains_key(*k)) {
        out.push(format!("{path}.{key}: only in the CRD"));
    }
    for (key, bv) in bp {
        if let Some(cv) = cp.get(key) {
            compare(
                broot,
                bv,
                croot,
                cv,
                &format!("{path}.{key}"),
                out,
                compared,
            );
        }
    }
    if let (Some(bi), Some(ci)) = (b.get("items"), c.get("items")) {
        compare(broot, bi, croot, ci, &format!("{path}[]"), out, compared);
    }
    if let (Some(ba), Some(ca)) = (
        b.get("additionalProperties").filter(|a| a.is_object()),
        c.get("additionalProperties").filter(|a| a.is_object()),
    ) {
        compare(broot, ba, croot, ca, &format!("{path}{{}}"), out, compared);
    }
}
