//! A fake Kubernetes API server for live-diff tests and benchmarks: plain HTTP/1.1 on
//! 127.0.0.1, one thread per connection, keep-alive, serving GET of one object and LIST of a
//! collection (with equality label selectors) from objects the test gives it. It records every
//! request, and can answer 401, 403, a 404 for the Argo Rollouts group (CRDs not installed),
//! or never answer at all.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Serve,
    Unauthorized,
    Forbidden,
    /// The argoproj.io group is not served (CRDs not installed).
    NoArgoCrds,
    /// Reads the request and never answers.
    Hang,
}

pub struct FakeKube {
    pub port: u16,
    pub requests: Arc<Mutex<Vec<String>>>,
    stop: Arc<AtomicBool>,
}

struct State {
    objects: Vec<Value>,
    mode: Mode,
    requests: Arc<Mutex<Vec<String>>>,
    stop: Arc<AtomicBool>,
}

impl FakeKube {
    pub fn start(objects: Vec<Value>, mode: Mode) -> FakeKube {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let state = Arc::new(State {
            objects,
            mode,
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
                std::thread::spawn(move || serve(conn, &state));
            }
        });
        FakeKube {
            port,
            requests,
            stop,
        }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// `METHOD /path?query` of every request so far.
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
    let path = dir.join("kubeconfig");
    let text = format!(
        "apiVersion: v1\nkind: Config\nclusters:\n- name: fake\n  cluster:\n    server: {server}\ncontexts:\n- name: fake\n  context:\n    cluster: fake\n    user: fake\n    namespace: {namespace}\ncurrent-context: fake\nusers:\n- name: fake\n  user:\n    token: test-token\n"
    );
    std::fs::write(&path, text).unwrap();
    path
}

fn serve(conn: TcpStream, state: &State) {
    let _ = conn.set_read_timeout(Some(Duration::from_secs(30)));
    let _ = conn.set_nodelay(true);
    let mut reader = BufReader::new(conn.try_clone().unwrap());
    let mut conn = conn;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let mut parts = line.split_whitespace();
        let method = parts.next().unwrap_or("").to_string();
        let target = parts.next().unwrap_or("").to_string();
        let mut length = 0usize;
        loop {
            let mut h = String::new();
            if reader.read_line(&mut h).unwrap_or(0) == 0 {
                return;
            }
            if h == "\r\n" || h == "\n" {
                break;
            }
            if let Some((k, v)) = h.split_once(':')
                && k.eq_ignore_ascii_case("content-length")
            {
                length = v.trim().parse().unwrap_or(0);
            }
        }
        let mut body = vec![0; length];
        let _ = reader.read_exact(&mut body);
        state
            .requests
            .lock()
            .unwrap()
            .push(format!("{method} {target}"));
        if state.mode == Mode::Hang {
            // Bounded: the test's client gives up long before.
            let until = Instant::now() + Duration::from_secs(20);
            while Instant::now() < until && !state.stop.load(Ordering::SeqCst) {
                std::thread::sleep(Duration::from_millis(20));
            }
            return;
        }
        let (code, content_type, body) = respond(state, &method, &target);
        let reason = match code {
            200 => "OK",
            401 => "Unauthorized",
            403 => "Forbidden",
            404 => "Not Found",
            _ => "Method Not Allowed",
        };
        let head = format!(
            "HTTP/1.1 {code} {reason}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\r\n",
            body.len()
        );
        // One write: a head and a body in two writes meet Nagle's algorithm and the
        // client's delayed ACK, 40 ms a response.
        if conn.write_all((head + &body).as_bytes()).is_err() {
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
    if lower.ends_with("ss") {
        format!("{lower}es")
    } else {
        format!("{lower}s")
    }
}

fn respond(state: &State, method: &str, target: &str) -> (u16, &'static str, String) {
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let segs: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    // /api/v1/... or /apis/group/version/...
    let (group, version, rest) = match segs.as_slice() {
        ["api", v, rest @ ..] => ("", *v, rest),
        ["apis", g, v, rest @ ..] => (*g, *v, rest),
        _ => return (404, "text/plain", "404 page not found".into()),
    };
    if method != "GET" {
        return status(
            405,
            "MethodNotAllowed",
            "the fake serves GET only",
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
    if state.mode == Mode::Forbidden {
        let verb = if name.is_some() { "get" } else { "list" };
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
    match name {
        Some(name) => match state.objects.iter().find(|o| {
            matches(o) && o.pointer("/metadata/name").and_then(Value::as_str) == Some(name)
        }) {
            Some(o) => (200, "application/json", o.to_string()),
            None => status(
                404,
                "NotFound",
                &format!("{resource}.{group} \"{name}\" not found"),
                json!({"name": name, "group": group, "kind": resource}),
            ),
        },
        None => {
            let selector = query
                .split('&')
                .find_map(|kv| kv.strip_prefix("labelSelector="))
                .map(decode);
            let items: Vec<Value> = state
                .objects
                .iter()
                .filter(|o| matches(o))
                .filter(|o| selector.as_deref().is_none_or(|s| labels_match(o, s)))
                .map(|o| {
                    let mut o = o.clone();
                    // Items of built-in kinds come without apiVersion and kind, as from a real
                    // API server.
                    if group.is_empty() || group == "autoscaling" {
                        let m = o.as_object_mut().unwrap();
                        m.remove("apiVersion");
                        m.remove("kind");
                    }
                    o
                })
                .collect();
            let list = json!({"apiVersion": if group.is_empty() { version.to_string() } else { format!("{group}/{version}") },
                "kind": "List", "metadata": {"resourceVersion": "1000"}, "items": items});
            (200, "application/json", list.to_string())
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
                "time": "2026-11-20T10:00:00Z", "fieldsType": "FieldsV1", "fieldsV1": {"f:metadata": {}}}]),
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
