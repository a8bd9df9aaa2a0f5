//! What went wrong talking to the API server, in kubectl's verdicts and with the fix: a
//! certificate from an unknown authority, expired, or for another name; a connection
//! refused, a name that does not resolve, no answer in time; 401, 403, a group not served.
//! Credentials never appear: a failing exec plugin's output is not printed, URLs lose their
//! userinfo.

use std::time::Duration;

use super::config::redact_url;
use super::request::{Failure, Request, Verb};
use crate::error::{Diagnostic, Error, Location};

/// An error and its sources, joined.
pub(super) fn chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut parts = vec![e.to_string()];
    let mut source = e.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        source = s.source();
    }
    redact_url(&parts.join(": "))
}

/// Every error of a chain, and the errors `io::Error`s wrap (which `source()` skips), however
/// deep (a TLS error arrives as an `io::Error` inside an `io::Error`).
fn links<'a>(
    e: &'a (dyn std::error::Error + 'static),
) -> Vec<&'a (dyn std::error::Error + 'static)> {
    let mut out = Vec::new();
    let mut todo = vec![e];
    while let Some(err) = todo.pop() {
        if out.len() > 64 {
            break;
        }
        out.push(err);
        if let Some(io) = err.downcast_ref::<std::io::Error>()
            && let Some(inner) = io.get_ref()
        {
            todo.push(inner as &(dyn std::error::Error + 'static));
        }
        if let Some(source) = err.source() {
            todo.push(source);
        }
    }
    out
}

/// How a connection failed, when it is something kubectl names.
pub(super) enum Connect {
    Tls(rustls::Error),
    Refused,
    Dns,
    TimedOut,
}

pub(super) fn classify(e: &(dyn std::error::Error + 'static)) -> Option<Connect> {
    let links = links(e);
    for l in &links {
        if let Some(tls) = l.downcast_ref::<rustls::Error>() {
            return Some(Connect::Tls(tls.clone()));
        }
    }
    for l in &links {
        if let Some(io) = l.downcast_ref::<std::io::Error>() {
            match io.kind() {
                std::io::ErrorKind::ConnectionRefused => return Some(Connect::Refused),
                std::io::ErrorKind::TimedOut => return Some(Connect::TimedOut),
                _ => {}
            }
        }
        let text = l.to_string();
        if text.starts_with("dns error") || text.contains("failed to lookup address") {
            return Some(Connect::Dns);
        }
        if text.contains("timed out") || text.contains("deadline") {
            return Some(Connect::TimedOut);
        }
    }
    None
}

/// The host a URL names.
fn host(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = &rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())];
    let authority = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(v6),
        None => authority.rsplit_once(':').map_or(authority, |(h, _)| h),
    }
}

/// Message and help for a TLS failure.
fn tls(e: &rustls::Error, cluster: &str, cluster_name: Option<&str>) -> (String, String) {
    use rustls::CertificateError as C;
    let entry = cluster_name
        .map(|n| format!(" of cluster `{n}` in the kubeconfig"))
        .unwrap_or_default();
    match e {
        rustls::Error::InvalidCertificate(c) => match c {
            C::UnknownIssuer => (
                format!(
                    "the API server's certificate at {cluster} is signed by an unknown authority (x509: certificate signed by unknown authority)"
                ),
                format!(
                    "set `certificate-authority` (a file) or `certificate-authority-data`{entry} to the CA that signed the server's certificate"
                ),
            ),
            C::Expired | C::ExpiredContext { .. } => (
                format!(
                    "the API server's certificate at {cluster} has expired (x509: certificate has expired or is not yet valid)"
                ),
                "renew the API server's certificate; if it looks current, check this machine's clock".into(),
            ),
            C::NotValidYet | C::NotValidYetContext { .. } => (
                format!(
                    "the API server's certificate at {cluster} is not valid yet (x509: certificate has expired or is not yet valid)"
                ),
                "check this machine's clock".into(),
            ),
            C::NotValidForName | C::NotValidForNameContext { .. } => {
                let presented = match c {
                    C::NotValidForNameContext { presented, .. } if !presented.is_empty() => {
                        let names: Vec<String> = presented
                            .iter()
                            .map(|p| {
                                let inner = p
                                    .strip_prefix("DnsName(\"")
                                    .and_then(|p| p.strip_suffix("\")"))
                                    .or_else(|| {
                                        p.strip_prefix("IpAddress(")
                                            .and_then(|p| p.strip_suffix(')'))
                                    })
                                    .unwrap_or(p);
                                inner.to_string()
                            })
                            .collect();
                        format!("valid for {}, not {}", names.join(", "), host(cluster))
                    }
                    _ => format!("not valid for {}", host(cluster)),
                };
                (
                    format!(
                        "the API server's certificate at {cluster} is {presented} (x509: certificate is valid for other names)"
                    ),
                    format!(
                        "connect with a name the certificate holds, or set `tls-server-name: NAME`{entry} to one of them"
                    ),
                )
            }
            other => (
                format!("the API server's certificate at {cluster} is refused: {other}"),
                format!(
                    "check the server's certificate and `certificate-authority`{entry}"
                ),
            ),
        },
        rustls::Error::InvalidMessage(_) => (
            format!("the server at {cluster} does not answer with TLS"),
            "if it serves plain HTTP, its URL starts with http://; otherwise check the server and port in the kubeconfig".into(),
        ),
        other => (
            format!("the TLS handshake with the API server at {cluster} failed: {other}"),
            format!("check the server's certificate and the client certificate{entry}"),
        ),
    }
}

/// Message and help for a client that could not even be built or authenticated: a bad CA
/// file, a failing credential plugin (whose output is never shown).
pub(super) fn setup(e: &kube::Error, cluster: &str, cluster_name: Option<&str>) -> Error {
    let entry = cluster_name
        .map(|n| format!("cluster `{n}`"))
        .unwrap_or_else(|| "the cluster".into());
    let (message, help) = match auth(e) {
        Some(text) => text,
        None => (
            format!("cannot set up a client for {cluster}: {}", chain(e)),
            format!("check the certificates and credentials of {entry} in the kubeconfig"),
        ),
    };
    Error::one(Diagnostic::new(Some(Location::Flag("--live".into())), message).with_help(help))
}

/// A credential failure, said without what the plugin printed (it may hold a token).
fn auth(e: &(dyn std::error::Error + 'static)) -> Option<(String, String)> {
    use kube::client::AuthError as A;
    let err = links(e).into_iter().find_map(|l| l.downcast_ref::<A>())?;
    let help = "run the plugin's command yourself to see what it says (rollwright does not print its output: it may hold a token)".to_string();
    Some(match err {
        A::AuthExecStart(io) => (
            format!("cannot start the kubeconfig's exec credential plugin: {io}"),
            "install the plugin the kubeconfig's `exec.command` names, or put it on PATH".into(),
        ),
        A::AuthExecRun { cmd, out } => {
            let program = cmd
                .trim_matches('"')
                .split_whitespace()
                .next()
                .unwrap_or("")
                .trim_matches('"')
                .to_string();
            (
                format!(
                    "the kubeconfig's credential plugin `{program}` failed ({}); its output is not shown",
                    out.status
                ),
                help,
            )
        }
        A::AuthExecParse(_) | A::AuthExecSerialize(_) | A::ExecPluginFailed => (
            "the kubeconfig's exec credential plugin did not print an ExecCredential with a status; its output is not shown".into(),
            help,
        ),
        A::AuthExec(_) => (
            "the kubeconfig's credential plugin or auth provider failed; its output is not shown".into(),
            help,
        ),
        other => (
            format!("the kubeconfig's credentials are unusable: {other}"),
            "check the user entry of the kubeconfig (`kubectl config view --minify`)".into(),
        ),
    })
}

pub(super) fn short_error(f: &Failure) -> String {
    match f {
        Failure::Timeout => "no answer in time".into(),
        Failure::Kube(kube::Error::Api(s)) => format!("{} {}", s.code, s.reason),
        Failure::Kube(e) => match auth(e) {
            Some((message, _)) => message,
            None => chain(e),
        },
    }
}

pub(super) fn describe(
    f: Failure,
    req: &Request,
    cluster: &str,
    cluster_name: Option<&str>,
    timeout: Option<Duration>,
) -> Error {
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
    let apply = matches!(req.verb, Verb::Apply { .. });
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
            403 if apply => (
                format!("forbidden (403): cannot patch {resource}{where_}: {}", s.message),
                format!(
                    "--server-side asks the API server for a dry run of a server-side apply (PATCH with dryRun=All: nothing is written), which needs the `patch` verb, and `create` for objects that do not exist yet: a Role rule apiGroups: [\"{}\"], resources: [\"{}\"], verbs: [\"get\", \"list\", \"patch\", \"create\"]; check with `kubectl auth can-i patch {resource}{ns_flag}`; without --server-side only get and list are needed",
                    req.info.group, req.info.plural
                ),
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
                    req.info.version, req.info.plural
                ),
                "install Argo Rollouts in the cluster (its CRDs define Rollout and AnalysisTemplate), or check that --context names the right cluster".to_string(),
            ),
            404 if apply && s.reason == "NotFound" => (
                format!(
                    "the API server at {cluster} cannot dry-run {resource}{where_}: {}",
                    s.message
                ),
                "create the namespace first, or check the object's namespace".to_string(),
            ),
            404 => (
                format!(
                    "the API server at {cluster} does not serve {resource}/{} (404)",
                    req.info.version
                ),
                format!("install the CRD that defines {}, or check its apiVersion", req.info.kind),
            ),
            code => (
                format!(
                    "the API server at {cluster} answered {code} {} to {verb} {resource}{where_}: {}",
                    s.reason, s.message
                ),
                "see the API server's message; try again later if it is overloaded".to_string(),
            ),
        },
        Failure::Kube(e) => {
            if let Some(text) = auth(&e) {
                text
            } else {
                match classify(&e) {
                    Some(Connect::Tls(t)) => tls(&t, cluster, cluster_name),
                    Some(Connect::Refused) => (
                        format!(
                            "the connection to the API server at {cluster} was refused: nothing listens at {}",
                            host_and_port(cluster)
                        ),
                        "check the server's host and port in the kubeconfig (`kubectl config view --minify`), and that the cluster is up".to_string(),
                    ),
                    Some(Connect::Dns) => (
                        format!(
                            "cannot resolve `{}`, the API server's host name (no such host)",
                            host(cluster)
                        ),
                        "check the server name in the kubeconfig (`kubectl config view --minify`), and this machine's DNS or VPN".to_string(),
                    ),
                    Some(Connect::TimedOut) => {
                        return describe(Failure::Timeout, req, cluster, cluster_name, timeout);
                    }
                    None => (
                        format!("cannot reach the API server at {cluster}: {}", chain(&e)),
                        "check that the cluster is up and that KUBECONFIG, --kubeconfig and --context point at it".to_string(),
                    ),
                }
            }
        }
    };
    Error::one(Diagnostic::new(Some(Location::Flag("--live".into())), message).with_help(help))
}

fn host_and_port(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = &rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())];
    authority
        .rsplit_once('@')
        .map_or(authority, |(_, h)| h)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts() {
        assert_eq!(host("https://k8s.example.com:6443/"), "k8s.example.com");
        assert_eq!(host("https://u:p@[::1]:6443/"), "::1");
        assert_eq!(host_and_port("http://127.0.0.1:8080/"), "127.0.0.1:8080");
    }
}
