//! The live side: the proposed objects as the cluster has them, read through kube-rs.
//!
//! Read-only by default: GET and LIST, nothing else. Batched: the objects are grouped by kind
//! and namespace; a group of [`LIST_MIN`] or more objects is read with one LIST (page by
//! page), smaller groups with one GET per object, all run concurrently (at most
//! [`CONCURRENCY`] at a time). The plural of every kind rollwright knows comes from a table,
//! so there is no discovery round trip. With `--selector`, each kind is LISTed by label in
//! each namespace, and what the cluster holds under the label but the render does not is "to
//! be removed". With `--server-side`, each proposed object is also sent as a server-side
//! apply dry run (PATCH, `dryRun=All`), and the object the API server would store replaces
//! the proposed one.
//!
//! Every name, namespace, group and version is checked before any request is built
//! (`request.rs`); the kubeconfig is read as kubectl reads it (`config.rs`); failures are said
//! in kubectl's words (`errors.rs`).

mod config;
mod errors;
mod request;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::time::Duration;

use serde_json::Value;

pub use config::redact_url;
pub use request::{
    CONCURRENCY, PAGE, check_group, check_kind, check_name, check_namespace, check_version, escape,
};
use request::{Failure, Request, Verb, run_all};

use super::Conflict;
use super::kinds::{self, KindInfo};
use crate::error::{Diagnostic, Error, Location, Result};
use crate::manifest::ObjectId;

/// Groups at least this large are read with one LIST instead of one GET per object.
pub const LIST_MIN: usize = 3;

/// The field manager of `--server-side` dry runs unless `--field-manager` names another.
pub const FIELD_MANAGER: &str = "rollwright";

/// How to reach the cluster.
#[derive(Debug, Clone, Default)]
pub struct LiveOptions {
    /// `--kubeconfig`; else `KUBECONFIG`, `~/.kube/config`, then the in-cluster account.
    pub kubeconfig: Option<PathBuf>,
    /// `--context`; else the kubeconfig's current context.
    pub context: Option<String>,
    /// `-n`; else the context's namespace, else `default`.
    pub namespace: Option<String>,
    /// Per request; `None` waits for ever.
    pub request_timeout: Option<Duration>,
    /// `--selector`: label selector of the release's objects, to find removed ones.
    pub selector: Option<String>,
    /// `--server-side`: ask the API server for each object as it would store it.
    pub server_side: bool,
    /// `--field-manager` of the dry runs.
    pub field_manager: Option<String>,
}

/// What the cluster holds.
#[derive(Debug, Default)]
pub struct Live {
    /// The live objects matching proposed ones, and with a selector those to be removed.
    pub objects: Vec<Value>,
    /// HorizontalPodAutoscalers of the namespaces holding Rollouts (for `hpa-replicas`).
    pub context: Vec<Value>,
    pub notes: Vec<String>,
    /// HTTP requests made.
    pub requests: usize,
    /// The namespace objects without one were given.
    pub namespace: String,
    pub cluster: String,
    /// With `--server-side`: the proposed objects as the API server would store them, in
    /// proposed order.
    pub stored: Vec<Value>,
    /// With `--server-side`: the fields other managers own that the apply conflicts on.
    pub conflicts: Vec<(ObjectId, Conflict)>,
}

/// The longest `--request-timeout` taken: a year (beyond it, `0` waits for ever).
const MAX_TIMEOUT_SECS: f64 = 365.0 * 24.0 * 3600.0;

/// Parses a kubectl duration: `30s`, `2m`, `1h`, `500ms`, a bare number of seconds; `0`
/// for no timeout.
pub fn parse_timeout(s: &str) -> std::result::Result<Option<Duration>, String> {
    let s = s.trim();
    let split = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(s.len());
    let (n, unit) = s.split_at(split);
    let n: f64 = n
        .parse()
        .map_err(|_| format!("`{s}` is not a duration (e.g. 30s, 2m, 500ms)"))?;
    let secs = match unit {
        "" | "s" => n,
        "ms" => n / 1000.0,
        "m" => n * 60.0,
        "h" => n * 3600.0,
        _ => return Err(format!("`{s}`: unknown unit `{unit}` (use ms, s, m or h)")),
    };
    if !secs.is_finite() || secs > MAX_TIMEOUT_SECS {
        return Err(format!(
            "`{s}` is longer than a year; use 0 to wait for ever"
        ));
    }
    Ok((secs > 0.0).then(|| Duration::from_secs_f64(secs)))
}

/// Reads the live side of `proposed`, first giving its namespaced objects without a
/// namespace the one in force (`-n`, else the context's).
pub fn fetch(proposed: &mut [Value], options: &LiveOptions) -> Result<Live> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| {
            Error::msg(
                format!("cannot start the async runtime: {e}"),
                "check the limits on threads and open files (ulimit)",
            )
        })?;
    runtime.block_on(fetch_async(proposed, options))
}

/// A proposed object whose identity cannot go into a request path.
fn refuse(id: &ObjectId, field: &str, value: &str, what: &str, why: &str) -> Error {
    let shown: String = value.escape_debug().collect();
    Error::one(
        Diagnostic::new(
            Some(Location::Flag("--live".into())),
            format!(
                "{} {}: {field} \"{shown}\" is not a valid {what}: {why}; no request was made",
                id.kind.escape_debug(),
                id.name.escape_debug()
            ),
        )
        .with_help(format!("fix {field} in the proposed object")),
    )
}

/// How the API serves one proposed object, once every part of its path is checked.
fn checked_info(o: &Value) -> Result<Option<(ObjectId, KindInfo)>> {
    let Some(id) = super::matching::id_of(o) else {
        return Ok(None);
    };
    let Some((group, version)) = kinds::parse_api_version(&id.api_version) else {
        return Err(refuse(
            &id,
            "apiVersion",
            &id.api_version,
            "apiVersion",
            "it is GROUP/VERSION or VERSION",
        ));
    };
    if let Some(why) = request::check_group(group) {
        return Err(refuse(
            &id,
            "apiVersion",
            &id.api_version,
            "API group",
            &why,
        ));
    }
    if let Some(why) = request::check_version(version) {
        return Err(refuse(
            &id,
            "apiVersion",
            &id.api_version,
            "API version",
            &why,
        ));
    }
    if let Some(why) = request::check_kind(&id.kind) {
        return Err(refuse(&id, "kind", &id.kind, "kind", &why));
    }
    if let Some(why) = request::check_name(&id.name) {
        return Err(refuse(&id, "metadata.name", &id.name, "name", &why));
    }
    let info = kinds::info(&id.api_version, &id.kind);
    if info.namespaced
        && let Some(ns) = &id.namespace
        && let Some(why) = request::check_namespace(ns)
    {
        return Err(refuse(
            &id,
            "metadata.namespace",
            ns,
            "namespace (a DNS label: lower-case letters, digits and `-`)",
            &why,
        ));
    }
    Ok(Some((id, info)))
}

async fn fetch_async(proposed: &mut [Value], options: &LiveOptions) -> Result<Live> {
    let loaded = config::load(options).await?;
    let mut cfg = loaded.config;
    let cluster = loaded.cluster.clone();
    let cluster_name = loaded.cluster_name.clone();
    let namespace = options
        .namespace
        .clone()
        .unwrap_or_else(|| cfg.default_namespace.clone());
    if let Some(why) = request::check_namespace(&namespace) {
        let flag = if options.namespace.is_some() {
            "-n"
        } else {
            "--context"
        };
        return Err(config::flag_error(
            flag,
            format!(
                "namespace \"{}\" is not a valid namespace: {why}",
                namespace.escape_debug()
            ),
            "a namespace is a DNS label: lower-case letters, digits and `-`",
        ));
    }
    super::base::set_default_namespace(proposed, &namespace);
    // Every path segment is checked before the first request.
    let mut planned = Vec::with_capacity(proposed.len());
    for o in proposed.iter() {
        planned.push(checked_info(o)?);
    }
    if let Some(t) = options.request_timeout {
        cfg.connect_timeout = Some(t);
        cfg.read_timeout = Some(t);
        cfg.reset_reader_on_write = true;
    }
    // Said before the client is built: that is when kube-rs runs the plugin, and a plugin may
    // ask the user something.
    for note in &loaded.plugin_notes {
        eprintln!("note: {note}");
    }
    let client = kube::Client::try_from(cfg)
        .map_err(|e| errors::setup(&e, &cluster, cluster_name.as_deref()))?;
    let describe = |f: Failure, req: &Request, timeout| {
        errors::describe(f, req, &cluster, cluster_name.as_deref(), timeout)
    };

    let mut live = Live {
        namespace,
        cluster: cluster.clone(),
        ..Live::default()
    };
    // The proposed objects by kind and namespace.
    let mut groups: BTreeMap<(KindInfo, Option<String>), BTreeSet<String>> = BTreeMap::new();
    let mut namespaces: BTreeSet<String> = BTreeSet::new();
    let mut rollout_namespaces: BTreeSet<String> = BTreeSet::new();
    for (id, info) in planned.iter().flatten() {
        if !info.known {
            live.notes.push(format!(
                "{}: not a kind rollwright knows; read as `{}`",
                id.kind,
                info.resource()
            ));
        }
        let ns = if info.namespaced {
            id.namespace.clone()
        } else {
            None
        };
        if let Some(ns) = &ns {
            namespaces.insert(ns.clone());
            if id.kind == "Rollout" {
                rollout_namespaces.insert(ns.clone());
            }
        }
        groups
            .entry((info.clone(), ns))
            .or_default()
            .insert(id.name.clone());
    }
    live.notes.sort();
    live.notes.dedup();
    if options.selector.is_some() {
        for ns in &namespaces {
            for kind in ["Rollout", "Service", "AnalysisTemplate"] {
                let info = kinds::known(if kind == "Service" { "" } else { "argoproj.io" }, kind);
                groups.entry((info, Some(ns.clone()))).or_default();
            }
        }
    }
    let mut requests = Vec::new();
    for ((info, ns), names) in &groups {
        match &options.selector {
            Some(sel) => requests.push(Request {
                info: info.clone(),
                namespace: ns.clone(),
                verb: Verb::List(Some(sel.clone())),
                optional: false,
            }),
            None if names.len() >= LIST_MIN => requests.push(Request {
                info: info.clone(),
                namespace: ns.clone(),
                verb: Verb::List(None),
                optional: false,
            }),
            None => requests.extend(names.iter().map(|n| Request {
                info: info.clone(),
                namespace: ns.clone(),
                verb: Verb::Get(n.clone()),
                optional: false,
            })),
        }
    }
    let hpa = kinds::known("autoscaling", "HorizontalPodAutoscaler");
    for ns in &rollout_namespaces {
        requests.push(Request {
            info: hpa.clone(),
            namespace: Some(ns.clone()),
            verb: Verb::List(None),
            optional: true,
        });
    }

    let timeout = options.request_timeout;
    let results = run_all(&client, requests, timeout).await;
    let mut found: BTreeSet<(KindInfo, Option<String>, String)> = BTreeSet::new();
    let mut second = Vec::new();
    for (req, result) in results {
        let items = match result {
            Ok((items, pages)) => {
                live.requests += pages;
                items
            }
            Err(e) if req.optional => {
                live.requests += 1;
                live.notes.push(format!(
                    "cannot list {} in {}: {}; spec.replicas is compared even if an autoscaler owns it",
                    req.info.resource(),
                    req.namespace.as_deref().unwrap_or("the cluster"),
                    errors::short_error(&e)
                ));
                continue;
            }
            Err(e) => return Err(describe(e, &req, timeout)),
        };
        if req.optional {
            for mut item in items {
                fill_type(&mut item, &req.info);
                live.context.push(item);
            }
            continue;
        }
        let wanted = groups.get(&(req.info.clone(), req.namespace.clone()));
        for mut item in items {
            let name = item
                .pointer("/metadata/name")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            let in_render = wanted.is_some_and(|w| w.contains(&name));
            let keep = match (&req.verb, &options.selector) {
                (Verb::List(Some(_)), _) => in_render || !owned_by_controller(&item),
                (Verb::List(None), _) => in_render,
                _ => true,
            };
            if keep {
                fill_type(&mut item, &req.info);
                found.insert((req.info.clone(), req.namespace.clone(), name));
                live.objects.push(item);
            }
        }
        // A proposed object a label LIST did not return may exist without the label.
        if let (Verb::List(Some(sel)), Some(wanted)) = (&req.verb, wanted) {
            for name in wanted {
                let key = (req.info.clone(), req.namespace.clone(), name.clone());
                if found.contains(&key) {
                    continue;
                }
                let labels = proposed
                    .iter()
                    .find(|o| {
                        super::matching::id_of(o).is_some_and(|id| {
                            id.name == *name
                                && id.kind == req.info.kind
                                && kinds::group_of(&id.api_version) == req.info.group
                                && (!req.info.namespaced || id.namespace == req.namespace)
                        })
                    })
                    .and_then(|o| o.pointer("/metadata/labels"));
                if selector_matches(sel, labels) != Some(true) {
                    second.push(Request {
                        info: req.info.clone(),
                        namespace: req.namespace.clone(),
                        verb: Verb::Get(name.clone()),
                        optional: false,
                    });
                }
            }
        }
    }
    if !second.is_empty() {
        for (req, result) in run_all(&client, second, timeout).await {
            let (items, pages) = result.map_err(|e| describe(e, &req, timeout))?;
            live.requests += pages;
            for mut item in items {
                fill_type(&mut item, &req.info);
                live.objects.push(item);
            }
        }
    }
    if options.server_side {
        let manager = options
            .field_manager
            .clone()
            .unwrap_or_else(|| FIELD_MANAGER.to_string());
        server_side(
            &client, proposed, &planned, &manager, timeout, &mut live, &describe,
        )
        .await?;
    }
    Ok(live)
}

/// Asks the API server, for each proposed object, what a server-side apply would store
/// (`dryRun=All`: nothing is written). A conflict with another manager is recorded and the
/// dry run repeated with `force`, which is what the object would be if the apply were forced.
async fn server_side(
    client: &kube::Client,
    proposed: &[Value],
    planned: &[Option<(ObjectId, KindInfo)>],
    manager: &str,
    timeout: Option<Duration>,
    live: &mut Live,
    describe: &dyn Fn(Failure, &Request, Option<Duration>) -> Error,
) -> Result<()> {
    let apply = |o: &Value, id: &ObjectId, info: &KindInfo, force: bool| Request {
        info: info.clone(),
        namespace: if info.namespaced {
            id.namespace.clone()
        } else {
            None
        },
        verb: Verb::Apply {
            name: id.name.clone(),
            body: o.clone(),
            manager: manager.to_string(),
            force,
        },
        optional: false,
    };
    let mut requests = Vec::new();
    let mut index = Vec::new();
    for (i, (o, plan)) in proposed.iter().zip(planned).enumerate() {
        if let Some((id, info)) = plan {
            requests.push(apply(o, id, info, false));
            index.push(i);
        }
    }
    let mut stored: Vec<Option<Value>> = vec![None; proposed.len()];
    let mut forced = Vec::new();
    let mut forced_index = Vec::new();
    for ((req, result), &i) in run_all(client, requests, timeout)
        .await
        .into_iter()
        .zip(&index)
    {
        live.requests += 1;
        match result {
            Ok((mut items, _)) => stored[i] = items.pop(),
            Err(Failure::Kube(kube::Error::Api(s))) if s.code == 409 => {
                let (id, info) = planned[i].as_ref().expect("planned");
                for c in conflicts(&s) {
                    live.notes.push(format!(
                        "server-side apply as `{manager}` conflicts on {id}: {} is owned by `{}`; an apply under this manager fails there without --force-conflicts, and with it takes the field over (the diff shows the forced result)",
                        if c.field.is_empty() { "a field" } else { c.field.as_str() },
                        c.manager
                    ));
                    live.conflicts.push((id.clone(), c));
                }
                forced.push(apply(&proposed[i], id, info, true));
                forced_index.push(i);
            }
            Err(e) => return Err(describe(e, &req, timeout)),
        }
    }
    for ((req, result), &i) in run_all(client, forced, timeout)
        .await
        .into_iter()
        .zip(&forced_index)
    {
        live.requests += 1;
        let (mut items, _) = result.map_err(|e| describe(e, &req, timeout))?;
        stored[i] = items.pop();
    }
    live.stored = proposed
        .iter()
        .zip(stored)
        .zip(planned)
        .map(|((o, s), plan)| match (s, plan) {
            (Some(mut s), Some((_, info))) => {
                fill_type(&mut s, info);
                s
            }
            _ => o.clone(),
        })
        .collect();
    Ok(())
}

/// The conflicts of a `409` to an apply: each field and the manager owning it.
fn conflicts(s: &kube::core::Status) -> Vec<Conflict> {
    let manager_in = |message: &str| {
        message
            .split('"')
            .nth(1)
            .unwrap_or("another manager")
            .to_string()
    };
    let causes: Vec<Conflict> = s
        .details
        .iter()
        .flat_map(|d| &d.causes)
        .filter(|c| c.reason == "FieldManagerConflict" || c.message.contains("conflict with"))
        .map(|c| Conflict {
            field: c.field.clone(),
            manager: manager_in(&c.message),
        })
        .collect();
    if causes.is_empty() {
        vec![Conflict {
            field: String::new(),
            manager: manager_in(&s.message),
        }]
    } else {
        causes
    }
}

/// LIST items of built-in kinds come without `apiVersion` and `kind`. What the `secrets`
/// resource answers is a Secret whatever it says, so masking never depends on its spelling.
fn fill_type(item: &mut Value, info: &KindInfo) {
    if let Value::Object(map) = item {
        if info.group.is_empty() && info.plural == "secrets" {
            map.insert("apiVersion".into(), Value::String("v1".into()));
            map.insert("kind".into(), Value::String("Secret".into()));
        }
        if !map.contains_key("apiVersion") {
            map.insert("apiVersion".into(), Value::String(info.api_version()));
        }
        if !map.contains_key("kind") {
            map.insert("kind".into(), Value::String(info.kind.clone()));
        }
    }
}

fn owned_by_controller(item: &Value) -> bool {
    item.pointer("/metadata/ownerReferences")
        .and_then(Value::as_array)
        .is_some_and(|refs| {
            refs.iter()
                .any(|r| r.get("controller").and_then(Value::as_bool) == Some(true))
        })
}

/// Whether labels satisfy an equality-based selector (`a=b,c!=d,e,!f`); `None` for a
/// set-based one (`in`, `notin`), which is left to the API server.
pub fn selector_matches(selector: &str, labels: Option<&Value>) -> Option<bool> {
    let get = |k: &str| labels.and_then(|l| l.get(k)).and_then(Value::as_str);
    let mut all = true;
    for term in selector.split(',').map(str::trim).filter(|t| !t.is_empty()) {
        if term.contains('(') || term.contains(' ') {
            return None;
        }
        let ok = if let Some((k, v)) = term.split_once("!=") {
            get(k.trim()) != Some(v.trim())
        } else if let Some((k, v)) = term.split_once("==").or_else(|| term.split_once('=')) {
            get(k.trim()) == Some(v.trim())
        } else if let Some(k) = term.strip_prefix('!') {
            get(k).is_none()
        } else {
            get(term).is_some()
        };
        all &= ok;
    }
    Some(all)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn timeouts_parse_as_kubectl() {
        assert_eq!(parse_timeout("30s").unwrap(), Some(Duration::from_secs(30)));
        assert_eq!(parse_timeout("2m").unwrap(), Some(Duration::from_secs(120)));
        assert_eq!(
            parse_timeout("500ms").unwrap(),
            Some(Duration::from_millis(500))
        );
        assert_eq!(parse_timeout("5").unwrap(), Some(Duration::from_secs(5)));
        assert_eq!(parse_timeout("0").unwrap(), None);
        assert!(parse_timeout("5d").is_err());
        assert!(parse_timeout("x").is_err());
    }

    /// Issue 12.11: a timeout too long for a `Duration` is an error, not a panic.
    #[test]
    fn huge_request_timeouts_are_refused_not_panicked_on() {
        for s in [
            "99999999999999999999",
            "99999999999999999999h",
            "1e400",
            "8760h1",
        ] {
            let r = std::panic::catch_unwind(|| parse_timeout(s));
            assert!(matches!(r, Ok(Err(_))), "{s}: {r:?}");
        }
        assert!(parse_timeout("8760h").unwrap().is_some());
    }

    #[test]
    fn selectors() {
        let labels = json!({"app": "a", "tier": "web"});
        assert_eq!(selector_matches("app=a", Some(&labels)), Some(true));
        assert_eq!(
            selector_matches("app==a,tier!=db,!x,tier", Some(&labels)),
            Some(true)
        );
        assert_eq!(selector_matches("app=b", Some(&labels)), Some(false));
        assert_eq!(selector_matches("app in (a,b)", Some(&labels)), None);
    }

    #[test]
    fn conflicts_name_field_and_manager() {
        let s: kube::core::Status = serde_json::from_value(json!({"kind": "Status", "apiVersion": "v1", "status": "Failure",
            "message": "Apply failed with 1 conflict: conflict with \"rollouts-controller\" using v1: .spec.selector",
            "reason": "Conflict", "code": 409,
            "details": {"causes": [{"reason": "FieldManagerConflict", "message": "conflict with \"rollouts-controller\" using v1", "field": ".spec.selector"}]}}))
        .unwrap();
        assert_eq!(
            conflicts(&s),
            vec![Conflict {
                field: ".spec.selector".into(),
                manager: "rollouts-controller".into()
            }]
        );
    }

    #[test]
    fn answers_of_the_secrets_resource_are_secrets() {
        let info = kinds::info("/v1", "secret");
        let mut item = json!({"apiVersion": "x/v1", "kind": "NotASecret", "data": {"k": "dg=="}});
        fill_type(&mut item, &info);
        assert!(crate::diff::normalize::secrets::is_secret(&item));
    }
}
