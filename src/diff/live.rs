//! The live side: the proposed objects as the cluster has them, read through kube-rs.
//!
//! Read-only: GET and LIST, nothing else. Batched: the objects are grouped by kind and
//! namespace; a group of [`LIST_MIN`] or more objects is read with one LIST, smaller groups
//! with one GET per object, all run concurrently (at most [`CONCURRENCY`] at a time). The
//! plural of every kind rollwright knows comes from a table, so there is no discovery round
//! trip. With `--selector`, each kind is LISTed by label in each namespace, and what the
//! cluster holds under the label but the render does not is "to be removed".

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::time::Duration;

use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::core::params::{GetParams, ListParams};
use serde_json::Value;
use tokio::task::JoinSet;

use super::kinds::{self, KindInfo};
use crate::error::{Diagnostic, Error, Location, Result};

/// Groups at least this large are read with one LIST instead of one GET per object.
pub const LIST_MIN: usize = 3;

/// Requests in flight at once.
pub const CONCURRENCY: usize = 16;

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
}

#[derive(Debug, Clone)]
enum Verb {
    Get(String),
    List(Option<String>),
}

#[derive(Debug, Clone)]
struct Request {
    info: KindInfo,
    namespace: Option<String>,
    verb: Verb,
    /// Context only: a failure is a note, not an error.
    optional: bool,
}

impl Request {
    fn verb_name(&self) -> &'static str {
        match self.verb {
            Verb::Get(_) => "get",
            Verb::List(_) => "list",
        }
    }
}

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
    Ok((secs > 0.0).then(|| Duration::from_secs_f64(secs)))
}

/// Reads the live side of `proposed`, first giving its namespaced objects without a
/// namespace the one in force (`-n`, else the context's).
pub fn fetch(proposed: &mut [Value], options: &LiveOptions) -> Result<Live> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::msg(format!("cannot start the async runtime: {e}")))?;
    runtime.block_on(fetch_async(proposed, options))
}

fn flag_error(flag: &str, message: String, help: &str) -> Error {
    Error::one(Diagnostic::new(Some(Location::Flag(flag.into())), message).with_help(help))
}

async fn config(options: &LiveOptions) -> Result<kube::Config> {
    let kc_options = KubeConfigOptions {
        context: options.context.clone(),
        ..KubeConfigOptions::default()
    };
    let help = "check the kubeconfig (`kubectl config view`), or pass --kubeconfig FILE and --context NAME";
    if let Some(path) = &options.kubeconfig {
        let kubeconfig = Kubeconfig::read_from(path).map_err(|e| {
            Error::one(
                Diagnostic::new(
                    Some(Location::file(path, None)),
                    format!("cannot read the kubeconfig: {e}"),
                )
                .with_help("--kubeconfig names a kubeconfig file"),
            )
        })?;
        return kube::Config::from_custom_kubeconfig(kubeconfig, &kc_options)
            .await
            .map_err(|e| flag_error("--kubeconfig", format!("unusable kubeconfig: {e}"), help));
    }
    if options.context.is_some() {
        return kube::Config::from_kubeconfig(&kc_options)
            .await
            .map_err(|e| flag_error("--context", format!("unusable kubeconfig: {e}"), help));
    }
    kube::Config::infer().await.map_err(|e| {
        let env = std::env::var_os("KUBECONFIG").filter(|v| !v.is_empty());
        let home = std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".kube/config"));
        if env.is_none() && !home.as_ref().is_some_and(|h| h.exists()) {
            flag_error(
                "--live",
                "no kubeconfig: KUBECONFIG is unset, ~/.kube/config does not exist, and this is not a pod in a cluster".into(),
                "set KUBECONFIG or pass --kubeconfig FILE (in CI, write the cluster's kubeconfig from a secret first)",
            )
        } else {
            flag_error("--live", format!("unusable kubeconfig: {e}"), help)
        }
    })
}

async fn fetch_async(proposed: &mut [Value], options: &LiveOptions) -> Result<Live> {
    let mut config = config(options).await?;
    let namespace = options
        .namespace
        .clone()
        .unwrap_or_else(|| config.default_namespace.clone());
    super::base::set_default_namespace(proposed, &namespace);
    if let Some(t) = options.request_timeout {
        config.connect_timeout = Some(t);
        config.read_timeout = Some(t);
        config.reset_reader_on_write = true;
    }
    let cluster = config.cluster_url.to_string();
    let client = kube::Client::try_from(config).map_err(|e| {
        flag_error(
            "--live",
            format!("cannot set up a client for {cluster}: {}", chain(&e)),
            "check the kubeconfig's certificates and credentials",
        )
    })?;

    let mut live = Live {
        namespace,
        cluster: cluster.clone(),
        ..Live::default()
    };
    // The proposed objects by kind and namespace.
    let mut groups: BTreeMap<(KindInfo, Option<String>), BTreeSet<String>> = BTreeMap::new();
    let mut namespaces: BTreeSet<String> = BTreeSet::new();
    let mut rollout_namespaces: BTreeSet<String> = BTreeSet::new();
    for o in proposed.iter() {
        let Some(id) = super::matching::id_of(o) else {
            continue;
        };
        let info = kinds::info(&id.api_version, &id.kind);
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
        groups.entry((info, ns)).or_default().insert(id.name);
    }
    live.notes.sort();
    live.notes.dedup();
    if let Some(sel) = &options.selector {
        for ns in &namespaces {
            for kind in ["Rollout", "Service", "AnalysisTemplate"] {
                let info = kinds::known(if kind == "Service" { "" } else { "argoproj.io" }, kind);
                groups.entry((info, Some(ns.clone()))).or_default();
            }
        }
        let _ = sel;
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
    live.requests += results.len();
    let mut found: BTreeSet<(KindInfo, Option<String>, String)> = BTreeSet::new();
    let mut second = Vec::new();
    for (req, result) in results {
        let items = match result {
            Ok(items) => items,
            Err(e) if req.optional => {
                live.notes.push(format!(
                    "cannot list {} in {}: {}; spec.replicas is compared even if an autoscaler owns it",
                    req.info.resource(),
                    req.namespace.as_deref().unwrap_or("the cluster"),
                    short_error(&e)
                ));
                continue;
            }
            Err(e) => return Err(describe(e, &req, &cluster, timeout)),
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
                (Verb::Get(_), _) => true,
                // Listed under the release's label: ours, unless a controller made it.
                (Verb::List(Some(_)), _) => in_render || !owned_by_controller(&item),
                (Verb::List(None), _) => in_render,
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
        let results = run_all(&client, second, timeout).await;
        live.requests += results.len();
        for (req, result) in results {
            let items = result.map_err(|e| describe(e, &req, &cluster, timeout))?;
            for mut item in items {
                fill_type(&mut item, &req.info);
                live.objects.push(item);
            }
        }
    }
    Ok(live)
}

enum Failure {
    Kube(kube::Error),
    Timeout,
}

fn url_path(info: &KindInfo, namespace: Option<&str>) -> String {
    let base = if info.group.is_empty() {
        format!("/api/{}", info.version)
    } else {
        format!("/apis/{}/{}", info.group, info.version)
    };
    match namespace {
        Some(ns) if info.namespaced => format!("{base}/namespaces/{ns}/{}", info.plural),
        _ => format!("{base}/{}", info.plural),
    }
}

async fn one(client: kube::Client, req: &Request) -> std::result::Result<Vec<Value>, kube::Error> {
    let url = url_path(&req.info, req.namespace.as_deref());
    let request = kube::core::Request::new(url);
    match &req.verb {
        Verb::Get(name) => {
            let http = request
                .get(name, &GetParams::default())
                .map_err(kube::Error::BuildRequest)?;
            match client.request::<Value>(http).await {
                Ok(v) => Ok(vec![v]),
                // Absent: to be created. Any other 404 means the resource is not served.
                Err(kube::Error::Api(s)) if s.code == 404 && s.reason == "NotFound" => Ok(vec![]),
                Err(e) => Err(e),
            }
        }
        Verb::List(selector) => {
            let mut params = ListParams::default();
            if let Some(sel) = selector {
                params = params.labels(sel);
            }
            let http = request.list(&params).map_err(kube::Error::BuildRequest)?;
            let list: Value = client.request(http).await?;
            Ok(match list.get("items") {
                Some(Value::Array(items)) => items.clone(),
                _ => vec![],
            })
        }
    }
}

/// Runs the requests concurrently; the answers come back in request order.
async fn run_all(
    client: &kube::Client,
    requests: Vec<Request>,
    timeout: Option<Duration>,
) -> Vec<(Request, std::result::Result<Vec<Value>, Failure>)> {
    let mut set = JoinSet::new();
    let mut results: Vec<Option<std::result::Result<Vec<Value>, Failure>>> =
        (0..requests.len()).map(|_| None).collect();
    let mut next = 0;
    loop {
        while set.len() < CONCURRENCY && next < requests.len() {
            let req = requests[next].clone();
            let client = client.clone();
            let i = next;
            set.spawn(async move {
                let call = one(client, &req);
                let result = match timeout {
                    Some(t) => match tokio::time::timeout(t, call).await {
                        Ok(r) => r.map_err(Failure::Kube),
                        Err(_) => Err(Failure::Timeout),
                    },
                    None => call.await.map_err(Failure::Kube),
                };
                (i, result)
            });
            next += 1;
        }
        match set.join_next().await {
            Some(Ok((i, result))) => results[i] = Some(result),
            Some(Err(e)) => std::panic::resume_unwind(e.into_panic()),
            None => break,
        }
    }
    requests
        .into_iter()
        .zip(results)
        .map(|(r, res)| (r, res.expect("every request answered")))
        .collect()
}

/// LIST items of built-in kinds come without `apiVersion` and `kind`.
fn fill_type(item: &mut Value, info: &KindInfo) {
    if let Value::Object(map) = item {
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

/// An error and its sources, joined.
fn chain(e: &dyn std::error::Error) -> String {
    let mut parts = vec![e.to_string()];
    let mut source = e.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        source = s.source();
    }
    parts.join(": ")
}

fn short_error(f: &Failure) -> String {
    match f {
        Failure::Timeout => "no answer in time".into(),
        Failure::Kube(kube::Error::Api(s)) => format!("{} {}", s.code, s.reason),
        Failure::Kube(e) => chain(e),
    }
}

fn describe(f: Failure, req: &Request, cluster: &str, timeout: Option<Duration>) -> Error {
    let verb = req.verb_name();
    let resource = req.info.resource();
    let where_ = match &req.namespace {
        Some(ns) if req.info.namespaced => format!(" in namespace {ns}"),
        _ => String::new(),
    };
    let ns_flag = match &req.namespace {
        Some(ns) if req.info.namespaced => format!(" -n {ns}"),
        _ => String::new(),
    };
    let (message, help) = match f {
        Failure::Timeout => (
            format!(
                "no answer from the API server at {cluster} within {} (--request-timeout) to {verb} {resource}{where_}",
                timeout.map(|t| format!("{}s", t.as_secs_f64())).unwrap_or_default()
            ),
            "check that the cluster is reachable from here, or raise --request-timeout".to_string(),
        ),
        Failure::Kube(kube::Error::Api(s)) => match s.code {
            401 => (
                format!("the API server at {cluster} refused the credentials (401 Unauthorized)"),
                "log in again or refresh the kubeconfig's token (`kubectl config view --minify` shows the user in use)".to_string(),
            ),
            403 => (
                format!("forbidden (403): cannot {verb} {resource}{where_}: {}", s.message),
                format!(
                    "grant `{verb}` on `{resource}`{where_} (a Role rule: apiGroups: [\"{}\"], resources: [\"{}\"], verbs: [\"get\", \"list\"]); check with `kubectl auth can-i {verb} {resource}{ns_flag}`",
                    req.info.group, req.info.plural
                ),
            ),
            404 if req.info.group == "argoproj.io" => (
                format!(
                    "the Argo Rollouts CRDs are not installed: the API server at {cluster} does not serve {resource}/{} (404 on {verb} {})",
                    req.info.version,
                    req.info.plural
                ),
                "install Argo Rollouts in the cluster (its CRDs define Rollout and AnalysisTemplate), or check that --context names the right cluster".to_string(),
            ),
            404 => (
                format!("the API server at {cluster} does not serve {resource}/{} (404)", req.info.version),
                format!("install the CRD that defines {}, or check its apiVersion", req.info.kind),
            ),
            code => (
                format!("the API server at {cluster} answered {code} {} to {verb} {resource}{where_}: {}", s.reason, s.message),
                "see the API server's message; try again later if it is overloaded".to_string(),
            ),
        },
        Failure::Kube(e) => {
            let text = chain(&e);
            if text.contains("timed out") || text.contains("deadline") {
                return describe(Failure::Timeout, req, cluster, timeout);
            }
            (
                format!("cannot reach the API server at {cluster}: {text}"),
                "check that the cluster is up and that KUBECONFIG, --kubeconfig and --context point at it".to_string(),
            )
        }
    };
    Error::one(Diagnostic::new(Some(Location::Flag("--live".into())), message).with_help(help))
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

    #[test]
    fn urls_and_selectors() {
        let r = kinds::info("argoproj.io/v1alpha1", "Rollout");
        assert_eq!(
            url_path(&r, Some("shop")),
            "/apis/argoproj.io/v1alpha1/namespaces/shop/rollouts"
        );
        let s = kinds::info("v1", "Service");
        assert_eq!(
            url_path(&s, Some("shop")),
            "/api/v1/namespaces/shop/services"
        );
        let c = kinds::info("argoproj.io/v1alpha1", "ClusterAnalysisTemplate");
        assert_eq!(
            url_path(&c, Some("shop")),
            "/apis/argoproj.io/v1alpha1/clusteranalysistemplates"
        );
        let labels = json!({"app": "a", "tier": "web"});
        assert_eq!(selector_matches("app=a", Some(&labels)), Some(true));
        assert_eq!(
            selector_matches("app==a,tier!=db,!x,tier", Some(&labels)),
            Some(true)
        );
        assert_eq!(selector_matches("app=b", Some(&labels)), Some(false));
        assert_eq!(selector_matches("app in (a,b)", Some(&labels)), None);
    }
}
