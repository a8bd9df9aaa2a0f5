//! A stand-in Kubernetes API server for live-diff tests and benchmarks: HTTP/1.1 (or HTTPS,
//! with a certificate the test makes) on 127.0.0.1, one thread per connection, keep-alive.
//! It serves GET of one object and LIST of a collection (equality label selectors, `limit` and
//! `continue` paging) from objects the test gives it, and answers a server-side apply dry
//! run (PATCH, `application/apply-patch+yaml`, `dryRun=All`) the way the API server does:
//! the recorded answer for that object (or the live object) with the applied fields laid
//! over it, and a `409` where the patch changes a field another manager owns by an
//! `Update`, unless forced. It records every request, and can answer 401, 403 (to every
//! verb, or to PATCH only), a 404 for the Argo Rollouts group (CRDs not installed), or
//! never answer at all. A test CONNECT proxy sits beside it.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Map, Value, json};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Serve,
    Unauthorized,
    Forbidden,
    /// Reads are allowed, PATCH is forbidden.
    ForbiddenPatch,
    /// The argoproj.io group is not served (CRDs not installed).
    NoArgoCrds,
    /// Reads the request and never answers.
    Hang,
}

/// How the stand-in is set up beyond its objects.
#[derive(Default, Clone)]
pub struct Setup {
    /// Answers of server-side apply dry runs of the unchanged manifests, by object.
    pub dry_run: Vec<Value>,
    /// Most items a LIST page holds (the server may return fewer than `limit`).
    pub page: Option<usize>,
    /// Serve HTTPS with this configuration.
    pub tls: Option<Arc<rustls::ServerConfig>>,
}

pub struct FakeKube {
    pub port: u16,
    pub requests: Arc<Mutex<Vec<String>>>,
    tls: bool,
    stop: Arc<AtomicBool>,
}

struct State {
    objects: Vec<Value>,
    mode: Mode,
    setup: Setup,
    requests: Arc<Mutex<Vec<String>>>,
    stop: Arc<AtomicBool>,
}

impl FakeKube {
    pub fn start(objects: Vec<Value>, mode: Mode) -> FakeKube {
        FakeKube::start_with(objects, mode, Setup::default())
    }

    pub fn start_with(objects: Vec<Value>, mode: Mode, setup: Setup) -> FakeKube {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let tls = setup.tls.is_some();
        let state = Arc::new(State {
            objects,
            mode,
            setup,
            requests: requests.clone(),
            stop: stop.clone(),
        });
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                if state.stop.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(conn) = conn else { continue };
                let state = state.clone();
                std::thread::spawn(move || {
                    let _ = conn.set_read_timeout(Some(Duration::from_secs(30)));
                    let _ = conn.set_nodelay(true);
                    match &state.setup.tls {
                        Some(cfg) => {
                            let Ok(server) = rustls::ServerConnection::new(cfg.clone()) else {
                                return;
                            };
                            serve(rustls::StreamOwned::new(server, conn), &state);
                        }
                        None => serve(conn, &state),
                    }
                });
            }
        });
        FakeKube {
            port,
            requests,
            tls,
            stop,
        }
    }

    pub fn url(&self) -> String {
        let scheme = if self.tls { "https" } else { "http" };
        format!("{scheme}://127.0.0.1:{}", self.port)
    }

    /// `METHOD /path?query` of every request so far (PATCH requests end with their content
    /// type: `PATCH /path?query application/apply-patch+yaml`).
    pub fn requests(&self) -> Vec<String> {
        self.requests.lock().unwrap().clone()
    }

    /// Writes a kubeconfig pointing at this server into `dir`.
    pub fn kubeconfig(&self, dir: &Path, namespace: &str) -> PathBuf {
        write_kubeconfig(dir, &self.url(), namespace)
    }
}

impl Drop for FakeKube {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wakes the accept loop so it sees the flag.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

pub fn write_kubeconfig(dir: &Path, server: &str, namespace: &str) -> PathBuf {
    write_kubeconfig_with(dir, server, namespace, "", "    token: test-token\n")
}

/// A kubeconfig with extra lines for the cluster entry and the given user entry.
pub fn write_kubeconfig_with(
    dir: &Path,
    server: &str,
    namespace: &str,
    cluster_extra: &str,
    user: &str,
) -> PathBuf {
    let path = dir.join("kubeconfig");
    let text = format!(
        "apiVersion: v1\nkind: Config\nclusters:\n- name: fake\n  cluster:\n    server: {server}\n{cluster_extra}contexts:\n- name: fake\n  context:\n    cluster: fake\n    user: fake\n    namespace: {namespace}\ncurrent-context: fake\nusers:\n- name: fake\n  user:\n{user}"
    );
    std::fs::write(&path, text).unwrap();
    path
}

fn serve<S: Read + Write>(conn: S, state: &State) {
    let mut reader = BufReader::new(conn);
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let mut parts = line.split_whitespace();
        let method = parts.next().unwrap_or("").to_string();
        let target = parts.next().unwrap_or("").to_string();
        let mut length = 0usize;
        let mut content_type = String::new();
        loop {
            let mut h = String::new();
            if reader.read_line(&mut h).unwrap_or(0) == 0 {
                return;
            }
            if h == "\r\n" || h == "\n" {
                break;
            }
            if let Some((k, v)) = h.split_once(':') {
                if k.eq_ignore_ascii_case("content-length") {
                    length = v.trim().parse().unwrap_or(0);
                }
                if k.eq_ignore_ascii_case("content-type") {
                    content_type = v.trim().to_string();
                }
            }
        }
        let mut body = vec![0; length];
        let _ = reader.read_exact(&mut body);
        let record = if method == "PATCH" {
            format!("{method} {target} {content_type}")
        } else {
            format!("{method} {target}")
        };
        state.requests.lock().unwrap().push(record);
        if state.mode == Mode::Hang {
            // Bounded: the test's client gives up long before.
            let until = Instant::now() + Duration::from_secs(20);
            while Instant::now() < until && !state.stop.load(Ordering::SeqCst) {
                std::thread::sleep(Duration::from_millis(20));
            }
            return;
        }
        let (code, content_type, body) = respond(state, &method, &target, &body);
        let reason = match code {
            200 => "OK",
            401 => "Unauthorized",
            403 => "Forbidden",
            404 => "Not Found",
            409 => "Conflict",
            415 => "Unsupported Media Type",
            _ => "Method Not Allowed",
        };
        let head = format!(
            "HTTP/1.1 {code} {reason}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\r\n",
            body.len()
        );
        // One write: a head and a body in two writes meet Nagle's algorithm and the
        // client's delayed ACK, 40 ms a response.
        let conn = reader.get_mut();
        if conn.write_all((head + &body).as_bytes()).is_err() || conn.flush().is_err() {
            return;
        }
    }
}

fn status(code: u16, reason: &str, message: &str, details: Value) -> (u16, &'static str, String) {
    let body = json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
        "message": message, "reason": reason, "details": details, "code": code});
    (code, "application/json", body.to_string())
}

fn plural(kind: &str) -> String {
    let lower = kind.to_lowercase();
    if lower.ends_with("ss") || lower.ends_with("ch") {
        format!("{lower}es")
    } else if let Some(stem) = lower.strip_suffix('y') {
        format!("{stem}ies")
    } else {
        format!("{lower}s")
    }
}

fn query<'a>(query: &'a str, key: &str) -> Option<&'a str> {
    query
        .split('&')
        .find_map(|kv| kv.strip_prefix(key).and_then(|v| v.strip_prefix('=')))
}

fn respond(state: &State, method: &str, target: &str, body: &[u8]) -> (u16, &'static str, String) {
    let (path, query_string) = target.split_once('?').unwrap_or((target, ""));
    let segs: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    // /api/v1/... or /apis/group/version/...
    let (group, version, rest) = match segs.as_slice() {
        ["api", v, rest @ ..] => ("", *v, rest),
        ["apis", g, v, rest @ ..] => (*g, *v, rest),
        _ => return (404, "text/plain", "404 page not found".into()),
    };
    if method != "GET" && method != "PATCH" {
        return status(
            405,
            "MethodNotAllowed",
            "the stand-in serves GET and PATCH only",
            json!({}),
        );
    }
    match state.mode {
        Mode::Unauthorized => return status(401, "Unauthorized", "Unauthorized", json!({})),
        Mode::NoArgoCrds if group == "argoproj.io" => {
            return (404, "text/plain", "404 page not found".into());
        }
        _ => {}
    }
    let (namespace, resource, name) = match rest {
        ["namespaces", ns, res] => (Some(*ns), *res, None),
        ["namespaces", ns, res, name] => (Some(*ns), *res, Some(*name)),
        [res] => (None, *res, None),
        [res, name] => (None, *res, Some(*name)),
        _ => return (404, "text/plain", "404 page not found".into()),
    };
    let name = name.map(decode);
    let forbidden =
        state.mode == Mode::Forbidden || (state.mode == Mode::ForbiddenPatch && method == "PATCH");
    if forbidden {
        let verb = match (method, &name) {
            ("PATCH", _) => "patch",
            (_, Some(_)) => "get",
            _ => "list",
        };
        let gr = if group.is_empty() {
            resource.to_string()
        } else {
            format!("{resource}.{group}")
        };
        let scope = namespace
            .map(|n| format!(" in the namespace \"{n}\""))
            .unwrap_or_else(|| " at the cluster scope".into());
        let message = format!(
            "{gr} is forbidden: User \"system:serviceaccount:ci:diff\" cannot {verb} resource \"{resource}\" in API group \"{group}\"{scope}"
        );
        return status(
            403,
            "Forbidden",
            &message,
            json!({"group": group, "kind": resource}),
        );
    }
    let matches = |o: &Value| {
        let api_version = o["apiVersion"].as_str().unwrap_or("");
        let g = api_version.rsplit_once('/').map_or("", |(g, _)| g);
        g == group
            && plural(o["kind"].as_str().unwrap_or("")) == resource
            && o.pointer("/metadata/namespace").and_then(Value::as_str) == namespace
    };
    let named = |o: &&Value, name: &str| {
        matches(o) && o.pointer("/metadata/name").and_then(Value::as_str) == Some(name)
    };
    if method == "PATCH" {
        let Some(name) = name else {
            return status(405, "MethodNotAllowed", "PATCH needs a name", json!({}));
        };
        return apply(state, query_string, body, |o| named(&o, &name));
    }
    match name {
        Some(name) => match state.objects.iter().find(|o| named(o, &name)) {
            Some(o) => (200, "application/json", o.to_string()),
            None => status(
                404,
                "NotFound",
                &format!("{resource}.{group} \"{name}\" not found"),
                json!({"name": name, "group": group, "kind": resource}),
            ),
        },
        None => {
            let selector = query(query_string, "labelSelector").map(decode);
            let all: Vec<Value> = state
                .objects
                .iter()
                .filter(|o| matches(o))
                .filter(|o| selector.as_deref().is_none_or(|s| labels_match(o, s)))
                .map(|o| {
                    let mut o = o.clone();
                    // Items of built-in kinds come without apiVersion and kind, as from a real
                    // API server.
                    if !group.contains('.') || group.ends_with(".k8s.io") {
                        let m = o.as_object_mut().unwrap();
                        m.remove("apiVersion");
                        m.remove("kind");
                    }
                    o
                })
                .collect();
            let limit = query(query_string, "limit")
                .and_then(|l| l.parse::<usize>().ok())
                .unwrap_or(usize::MAX);
            let page = limit.min(state.setup.page.unwrap_or(usize::MAX)).max(1);
            let start = query(query_string, "continue")
                .and_then(|c| c.parse::<usize>().ok())
                .unwrap_or(0);
            let end = (start + page).min(all.len());
            let items: Vec<Value> = all[start.min(all.len())..end].to_vec();
            let mut metadata = json!({"resourceVersion": "1000"});
            if end < all.len() {
                metadata["continue"] = json!(end.to_string());
            }
            let list = json!({"apiVersion": if group.is_empty() { version.to_string() } else { format!("{group}/{version}") },
                "kind": "List", "metadata": metadata, "items": items});
            (200, "application/json", list.to_string())
        }
    }
}

/// A server-side apply dry run.
fn apply(
    state: &State,
    query_string: &str,
    body: &[u8],
    is_it: impl Fn(&Value) -> bool,
) -> (u16, &'static str, String) {
    if query(query_string, "dryRun") != Some("All") {
        // Never written to: a request that would write is refused loudly.
        return status(
            405,
            "MethodNotAllowed",
            "the stand-in takes dry runs only",
            json!({}),
        );
    }
    let Some(manager) = query(query_string, "fieldManager").map(decode) else {
        return status(
            422,
            "Invalid",
            "fieldManager is required for apply",
            json!({}),
        );
    };
    let force = query(query_string, "force") == Some("true");
    let Ok(patch) = serde_json::from_slice::<Value>(body) else {
        return status(
            415,
            "UnsupportedMediaType",
            "the body is not JSON",
            json!({}),
        );
    };
    let live = state.objects.iter().find(|o| is_it(o));
    if let Some(live) = live
        && !force
    {
        let causes = conflicts(live, &patch, &manager);
        if !causes.is_empty() {
            let text = causes
                .iter()
                .map(|c| {
                    format!(
                        "{}: {}",
                        c["message"].as_str().unwrap(),
                        c["field"].as_str().unwrap()
                    )
                })
                .collect::<Vec<_>>()
                .join(", ");
            return status(
                409,
                "Conflict",
                &format!("Apply failed with {} conflict(s): {text}", causes.len()),
                json!({"causes": causes}),
            );
        }
    }
    let base = state
        .setup
        .dry_run
        .iter()
        .find(|o| is_it(o))
        .or(live)
        .cloned()
        .unwrap_or_else(|| json!({}));
    let mut stored = base;
    overlay(&mut stored, &patch);
    (200, "application/json", stored.to_string())
}

/// Lays an applied object over the stored one: maps field by field, lists of named items
/// item by item, anything else replaced.
fn overlay(base: &mut Value, patch: &Value) {
    match (base, patch) {
        (Value::Object(b), Value::Object(p)) => {
            for (k, v) in p {
                match b.get_mut(k) {
                    Some(existing) => overlay(existing, v),
                    None => {
                        b.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        (Value::Array(b), Value::Array(p))
            if p.iter().chain(b.iter()).all(|i| i.get("name").is_some()) =>
        {
            let mut out = Vec::new();
            for item in p {
                let mut merged = b
                    .iter()
                    .find(|x| x.get("name") == item.get("name"))
                    .cloned()
                    .unwrap_or_else(|| json!({}));
                overlay(&mut merged, item);
                out.push(merged);
            }
            *b = out;
        }
        (b, p) => *b = p.clone(),
    }
}

/// Fields owned whole (`{}` leaves of `f:` paths) by an `Update` manager other than
/// `manager` that the patch sets to another value.
fn conflicts(live: &Value, patch: &Value, manager: &str) -> Vec<Value> {
    let mut out = Vec::new();
    for entry in live
        .pointer("/metadata/managedFields")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let owner = entry["manager"].as_str().unwrap_or("");
        if owner == manager || entry["operation"] != "Update" {
            continue;
        }
        let mut leaves = Vec::new();
        leaves_of(&entry["fieldsV1"], &mut Vec::new(), &mut leaves);
        for path in leaves {
            let pointer: String = path.iter().map(|s| format!("/{s}")).collect();
            if let (Some(p), Some(l)) = (patch.pointer(&pointer), live.pointer(&pointer))
                && p != l
            {
                out.push(json!({"reason": "FieldManagerConflict",
                    "message": format!("conflict with \"{owner}\" using {}", live["apiVersion"].as_str().unwrap_or("v1")),
                    "field": path.iter().map(|s| format!(".{s}")).collect::<String>()}));
            }
        }
    }
    out
}

fn leaves_of(fields: &Value, path: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    let Value::Object(m) = fields else { return };
    if m.is_empty() {
        out.push(path.clone());
        return;
    }
    for (k, v) in m {
        if let Some(name) = k.strip_prefix("f:") {
            path.push(name.to_string());
            leaves_of(v, path, out);
            path.pop();
        }
    }
}

fn decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let hex = (b[i] == b'%' && i + 3 <= b.len())
            .then(|| std::str::from_utf8(&b[i + 1..i + 3]).ok())
            .flatten()
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (hex, b[i]) {
            (Some(byte), _) => {
                out.push(byte);
                i += 3;
            }
            (None, b'+') => {
                out.push(b' ');
                i += 1;
            }
            (None, c) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn labels_match(o: &Value, selector: &str) -> bool {
    selector.split(',').all(|term| {
        let (k, v) = term.split_once('=').unwrap_or((term, ""));
        let v = v.trim_start_matches('=');
        o.pointer("/metadata/labels")
            .and_then(|l| l.get(k))
            .and_then(Value::as_str)
            == Some(v)
    })
}

/// The `managedFields` entry an `Apply` of `manifest` by `manager` leaves: exactly the fields
/// the manifest sets (list items of named objects by key, other lists whole).
pub fn apply_entry(manifest: &Value, manager: &str) -> Value {
    fn fields(v: &Value) -> Value {
        let mut out = Map::new();
        if let Value::Object(m) = v {
            for (k, child) in m {
                let entry = match child {
                    Value::Object(_) => fields(child),
                    Value::Array(items)
                        if !items.is_empty()
                            && items
                                .iter()
                                .all(|i| i.get("name").and_then(Value::as_str).is_some()) =>
                    {
                        let mut list = Map::new();
                        for i in items {
                            let key = json!({"name": i["name"]}).to_string();
                            let mut f = fields(i);
                            f.as_object_mut().unwrap().insert(".".into(), json!({}));
                            list.insert(format!("k:{key}"), f);
                        }
                        Value::Object(list)
                    }
                    _ => json!({}),
                };
                out.insert(format!("f:{k}"), entry);
            }
        }
        Value::Object(out)
    }
    let mut applied = manifest.clone();
    if let Some(m) = applied.as_object_mut() {
        m.remove("apiVersion");
        m.remove("kind");
    }
    json!({"manager": manager, "operation": "Apply", "apiVersion": manifest["apiVersion"],
        "time": "2026-11-28T07:48:47Z", "fieldsType": "FieldsV1", "fieldsV1": fields(&applied)})
}

/// The object as an API server and the Argo Rollouts controller leave it after
/// `kubectl apply`: server metadata, status, defaults, the controller's annotations and the
/// pod-template hash selector, keys in another order.
pub fn as_live(rendered: &Value, n: usize) -> Value {
    let mut o = rendered.clone();
    let kind = o["kind"].as_str().unwrap_or("").to_string();
    let name = o["metadata"]["name"].as_str().unwrap_or("").to_string();
    let last_applied = serde_json::to_string(rendered).unwrap();
    let api_version = o["apiVersion"].clone();
    {
        let meta = o["metadata"].as_object_mut().unwrap();
        meta.insert(
            "uid".into(),
            json!(format!("0c5b7c2e-0000-4000-8000-{n:012}")),
        );
        meta.insert("resourceVersion".into(), json!(format!("{}", 1000 + n)));
        meta.insert("generation".into(), json!(3));
        meta.insert("creationTimestamp".into(), json!("2026-11-20T10:00:00Z"));
        meta.insert(
            "managedFields".into(),
            json!([{"manager": "kubectl-client-side-apply", "operation": "Update", "apiVersion": api_version,
                "time": "2026-11-20T10:00:00Z", "fieldsType": "FieldsV1",
                "fieldsV1": {"f:metadata": {"f:annotations": {".": {},
                    "f:kubectl.kubernetes.io/last-applied-configuration": {}}}}}]),
        );
        let annotations = meta
            .entry("annotations")
            .or_insert_with(|| json!({}))
            .as_object_mut()
            .unwrap();
        annotations.insert(
            "kubectl.kubernetes.io/last-applied-configuration".into(),
            json!(last_applied),
        );
    }
    match kind.as_str() {
        "Service" => {
            o["metadata"]["annotations"]["argo-rollouts.argoproj.io/managed-by-rollouts"] = json!(
                name.trim_end_matches("-active")
                    .trim_end_matches("-preview")
            );
            // The controller owns the selector once it set the hash.
            o["metadata"]["managedFields"]
                .as_array_mut()
                .unwrap()
                .push(json!({"manager": "rollouts-controller", "operation": "Update", "apiVersion": "v1",
                    "time": "2026-11-20T10:00:01Z", "fieldsType": "FieldsV1",
                    "fieldsV1": {"f:metadata": {"f:annotations": {"f:argo-rollouts.argoproj.io/managed-by-rollouts": {}}},
                        "f:spec": {"f:selector": {}}}}));
            let spec = o["spec"].as_object_mut().unwrap();
            spec.insert(
                "clusterIP".into(),
                json!(format!("10.96.{}.{}", n / 250, n % 250 + 1)),
            );
            spec.insert(
                "clusterIPs".into(),
                json!([format!("10.96.{}.{}", n / 250, n % 250 + 1)]),
            );
            spec.insert("ipFamilies".into(), json!(["IPv4"]));
            spec.insert("ipFamilyPolicy".into(), json!("SingleStack"));
            spec.insert("sessionAffinity".into(), json!("None"));
            spec.insert("internalTrafficPolicy".into(), json!("Cluster"));
            spec.insert("type".into(), json!("ClusterIP"));
            spec["selector"]["rollouts-pod-template-hash"] = json!("6b9f8d7c5d");
            for p in spec["ports"].as_array_mut().unwrap() {
                p["protocol"] = json!("TCP");
            }
            o["status"] = json!({"loadBalancer": {}});
        }
        "Rollout" => {
            o["metadata"]["annotations"]["rollout.argoproj.io/revision"] = json!("4");
            let spec = o["spec"].as_object_mut().unwrap();
            spec.entry("replicas").or_insert(json!(1));
            // The controller's re-serialisation: empty resources, canonical quantities.
            for c in spec["template"]["spec"]["containers"]
                .as_array_mut()
                .unwrap()
            {
                let c = c.as_object_mut().unwrap();
                c.entry("resources").or_insert(json!({}));
                if let Some(cpu) = c
                    .get_mut("resources")
                    .and_then(|r| r.pointer_mut("/requests/cpu"))
                    && cpu == "1000m"
                {
                    *cpu = json!("1");
                }
            }
            o["status"] = json!({"phase": "Healthy", "stableRS": "6b9f8d7c5d", "currentPodHash": "6b9f8d7c5d",
                "blueGreen": {"activeSelector": "6b9f8d7c5d", "previewSelector": "6b9f8d7c5d"},
                "replicas": 2, "readyReplicas": 2, "availableReplicas": 2, "observedGeneration": "3"});
        }
        _ => {}
    }
    // The server's key order, not the render's.
    let map = o.as_object_mut().unwrap();
    let mut entries: Vec<(String, Value)> = std::mem::take(map).into_iter().collect();
    entries.sort_by(|a, b| b.0.cmp(&a.0));
    map.extend(entries);
    o
}

/// A CONNECT proxy on 127.0.0.1 that tunnels every connection to `target_port` on
/// 127.0.0.1, whatever host the client asked for, and records what it was asked.
pub struct FakeProxy {
    pub port: u16,
    pub connects: Arc<Mutex<Vec<String>>>,
}

impl FakeProxy {
    pub fn start(target_port: u16) -> FakeProxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let connects = Arc::new(Mutex::new(Vec::new()));
        let seen = connects.clone();
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                let Ok(client) = conn else { continue };
                let seen = seen.clone();
                std::thread::spawn(move || {
                    let mut reader = BufReader::new(client.try_clone().unwrap());
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    loop {
                        let mut h = String::new();
                        if reader.read_line(&mut h).unwrap_or(0) == 0 || h == "\r\n" || h == "\n" {
                            break;
                        }
                    }
                    seen.lock().unwrap().push(line.trim().to_string());
                    let Ok(upstream) = TcpStream::connect(("127.0.0.1", target_port)) else {
                        return;
                    };
                    let mut client = client;
                    if client
                        .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
                        .is_err()
                    {
                        return;
                    }
                    // Bytes the reader already holds go first.
                    let buffered = reader.buffer().to_vec();
                    let mut up_write = upstream.try_clone().unwrap();
                    let _ = up_write.write_all(&buffered);
                    let mut up_read = upstream;
                    let mut down_write = client.try_clone().unwrap();
                    let mut client_read = client;
                    let a = std::thread::spawn(move || {
                        let _ = std::io::copy(&mut client_read, &mut up_write);
                    });
                    let _ = std::io::copy(&mut up_read, &mut down_write);
                    let _ = a.join();
                });
            }
        });
        FakeProxy { port, connects }
    }

    pub fn connects(&self) -> Vec<String> {
        self.connects.lock().unwrap().clone()
    }
}

/// Certificates for a TLS stand-in: a CA, and server certificates it signs.
pub mod certs {
    use std::sync::Arc;

    use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};

    pub struct Ca {
        issuer: Issuer<'static, KeyPair>,
        pub pem: String,
    }

    pub fn ca(name: &str) -> Ca {
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.distinguished_name.push(DnType::CommonName, name);
        let key = KeyPair::generate().unwrap();
        let cert = params.self_signed(&key).unwrap();
        Ca {
            pem: cert.pem(),
            issuer: Issuer::new(params, key),
        }
    }

    /// A server configuration presenting a certificate for `names`, signed by `ca`;
    /// `expired` dates it in the past.
    pub fn server(ca: &Ca, names: &[&str], expired: bool) -> Arc<rustls::ServerConfig> {
        let mut params =
            CertificateParams::new(names.iter().map(|n| n.to_string()).collect::<Vec<_>>())
                .unwrap();
        params.distinguished_name.push(DnType::CommonName, names[0]);
        if expired {
            params.not_before = rcgen::date_time_ymd(2020, 1, 1);
            params.not_after = rcgen::date_time_ymd(2021, 1, 1);
        }
        let key = KeyPair::generate().unwrap();
        let cert = params.signed_by(&key, &ca.issuer).unwrap();
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(
                vec![cert.der().clone()],
                rustls::pki_types::PrivateKeyDer::try_from(key.serialize_der()).unwrap(),
            )
            .unwrap();
        Arc::new(config)
    }
}
