//! Requests to the API server: every path segment checked as the Kubernetes name, namespace,
//! group or version it stands for before a request is built, then percent-escaped; LISTs read
//! page by page; at most [`CONCURRENCY`] requests in flight.

use std::time::Duration;

use kube::core::params::{GetParams, ListParams, Patch, PatchParams};
use serde_json::Value;
use tokio::task::JoinSet;

use crate::diff::kinds::KindInfo;

/// Requests in flight at once.
pub const CONCURRENCY: usize = 16;

/// Items asked for per LIST page (kubectl's chunk size).
pub const PAGE: u32 = 500;

#[derive(Debug, Clone)]
pub(super) enum Verb {
    Get(String),
    List(Option<String>),
    /// A server-side apply dry run of the proposed object.
    Apply {
        name: String,
        body: Value,
        manager: String,
        force: bool,
    },
}

#[derive(Debug, Clone)]
pub(super) struct Request {
    pub info: KindInfo,
    pub namespace: Option<String>,
    pub verb: Verb,
    /// Context only: a failure is a note, not an error.
    pub optional: bool,
}

impl Request {
    pub fn verb_name(&self) -> &'static str {
        match self.verb {
            Verb::Get(_) => "get",
            Verb::List(_) => "list",
            Verb::Apply { .. } => "patch",
        }
    }
}

/// What a request came to.
pub(super) enum Failure {
    Kube(kube::Error),
    Timeout,
}

/// An answer: the objects read (or the one a dry run would store) and the HTTP requests it
/// took (a LIST of many pages takes several).
pub(super) type Answer = std::result::Result<(Vec<Value>, usize), Failure>;

/// Why a string cannot be a path segment of the kind given, or `None` when it can.
fn dns_label(s: &str, max: usize) -> Option<String> {
    if s.is_empty() {
        return Some("it is empty".into());
    }
    if s.len() > max {
        return Some(format!("it has {} characters, more than {max}", s.len()));
    }
    if let Some(c) = s
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-'))
    {
        return Some(format!("it holds {}", show_char(c)));
    }
    if s.starts_with('-') || s.ends_with('-') {
        return Some("it starts or ends with `-`".into());
    }
    None
}

fn show_char(c: char) -> String {
    if c.is_control() || c.is_whitespace() {
        format!("the character U+{:04X}", c as u32)
    } else {
        format!("`{c}`")
    }
}

/// A namespace: a DNS label (RFC 1123), as the API server requires.
pub fn check_namespace(ns: &str) -> Option<String> {
    dns_label(ns, 63)
}

/// An API group: empty (core) or a DNS subdomain.
pub fn check_group(group: &str) -> Option<String> {
    if group.is_empty() {
        return None;
    }
    if group.len() > 253 {
        return Some(format!("it has {} characters, more than 253", group.len()));
    }
    group.split('.').find_map(|label| dns_label(label, 63))
}

/// An API version: `v1`, `v1beta2`.
pub fn check_version(version: &str) -> Option<String> {
    dns_label(version, 63)
}

/// A kind: a DNS-1035 label once lower-cased, as a CRD's kind must be.
pub fn check_kind(kind: &str) -> Option<String> {
    let lower = kind.to_ascii_lowercase();
    if lower.starts_with(|c: char| c.is_ascii_digit()) {
        return Some("it starts with a digit".into());
    }
    dns_label(&lower, 63)
}

/// An object name as the API server accepts one in a path (`ValidatePathSegmentName`): not
/// `.` or `..`, no `/` or `%`; and, here, no control characters and at most 253 bytes.
pub fn check_name(name: &str) -> Option<String> {
    if name.is_empty() {
        return Some("it is empty".into());
    }
    if name == "." || name == ".." {
        return Some(format!("`{name}` names a directory, not an object"));
    }
    if name.len() > 253 {
        return Some(format!("it has {} characters, more than 253", name.len()));
    }
    name.chars()
        .find(|c| matches!(c, '/' | '%') || c.is_control())
        .map(|c| format!("it holds {}", show_char(c)))
}

/// Percent-escapes a checked name for a path: everything but RFC 3986's unreserved
/// characters, `:` and `@` (RBAC names such as `system:controller:x` stay readable).
pub fn escape(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    for b in segment.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b':' | b'@') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The collection path: `/api/v1/namespaces/shop/services`. Its parts were checked when the
/// request was planned; they are escaped here all the same.
pub(super) fn url_path(info: &KindInfo, namespace: Option<&str>) -> String {
    let base = if info.group.is_empty() {
        format!("/api/{}", escape(&info.version))
    } else {
        format!("/apis/{}/{}", escape(&info.group), escape(&info.version))
    };
    match namespace {
        Some(ns) if info.namespaced => {
            format!("{base}/namespaces/{}/{}", escape(ns), escape(&info.plural))
        }
        _ => format!("{base}/{}", escape(&info.plural)),
    }
}

async fn one(
    client: kube::Client,
    req: &Request,
) -> std::result::Result<(Vec<Value>, usize), kube::Error> {
    let url = url_path(&req.info, req.namespace.as_deref());
    let request = kube::core::Request::new(url);
    match &req.verb {
        Verb::Get(name) => {
            let http = request
                .get(&escape(name), &GetParams::default())
                .map_err(kube::Error::BuildRequest)?;
            match client.request::<Value>(http).await {
                Ok(v) => Ok((vec![v], 1)),
                // Absent: to be created. Any other 404 means the resource is not served.
                Err(kube::Error::Api(s)) if s.code == 404 && s.reason == "NotFound" => {
                    Ok((vec![], 1))
                }
                Err(e) => Err(e),
            }
        }
        Verb::List(selector) => {
            let mut items = Vec::new();
            let mut pages = 0;
            let mut token: Option<String> = None;
            loop {
                let mut params = ListParams::default().limit(PAGE);
                if let Some(sel) = selector {
                    params = params.labels(sel);
                }
                if let Some(t) = &token {
                    params = params.continue_token(t);
                }
                let http = request.list(&params).map_err(kube::Error::BuildRequest)?;
                let list: Value = client.request(http).await?;
                pages += 1;
                if let Some(Value::Array(page)) = list.get("items") {
                    items.extend(page.iter().cloned());
                }
                token = list
                    .pointer("/metadata/continue")
                    .and_then(Value::as_str)
                    .filter(|t| !t.is_empty())
                    .map(str::to_owned);
                if token.is_none() {
                    break;
                }
            }
            Ok((items, pages))
        }
        Verb::Apply {
            name,
            body,
            manager,
            force,
        } => {
            let mut params = PatchParams::apply(manager).dry_run();
            if *force {
                params = params.force();
            }
            let http = request
                .patch(&escape(name), &params, &Patch::Apply(body))
                .map_err(kube::Error::BuildRequest)?;
            let stored: Value = client.request(http).await?;
            Ok((vec![stored], 1))
        }
    }
}

/// Runs the requests concurrently; the answers come back in request order.
pub(super) async fn run_all(
    client: &kube::Client,
    requests: Vec<Request>,
    timeout: Option<Duration>,
) -> Vec<(Request, Answer)> {
    let mut set = JoinSet::new();
    let mut results: Vec<Option<Answer>> = (0..requests.len()).map(|_| None).collect();
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::kinds;

    #[test]
    fn urls() {
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
    }

    /// Issue 12.6: what would leave its path segment is refused before a request is built.
    #[test]
    fn path_segments_are_checked_and_escaped() {
        assert!(
            check_namespace("kube-system/services/http:internal-admin:8080/proxy/admin/dump#")
                .is_some()
        );
        assert!(check_namespace("prod").is_none());
        assert!(check_name("db#").is_none(), "a valid RBAC-style name");
        assert_eq!(escape("db#"), "db%23");
        assert_eq!(escape("a?watch=true"), "a%3Fwatch%3Dtrue");
        assert_eq!(escape("system:controller:x"), "system:controller:x");
        for bad in ["prod/secrets/db", "..", ".", "a%2Fb", "a\nb", ""] {
            assert!(check_name(bad).is_some(), "{bad:?}");
        }
        assert!(check_group("argoproj.io").is_none());
        assert!(check_group("").is_none());
        assert!(check_group("x/../../api").is_some());
        assert!(check_version("v1alpha1").is_none());
        assert!(check_version("v1?watch=1").is_some());
        assert!(check_kind("Rollout").is_none());
        assert!(check_kind("Rollout/x").is_some());
    }
}
