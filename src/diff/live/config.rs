//! Reaching the cluster as kubectl does: the kubeconfig (`--kubeconfig`, else the files of
//! `KUBECONFIG` merged, else `~/.kube/config`, else the pod's service account), the context,
//! kubectl's verdicts on a kubeconfig it would refuse, a note before a credential plugin runs,
//! and the proxy kubectl would use. Nothing from a kubeconfig's text reaches an error message:
//! it holds tokens and keys.

use std::path::{Path, PathBuf};

use kube::config::{KubeConfigOptions, Kubeconfig, KubeconfigError};

use super::LiveOptions;
use crate::error::{Diagnostic, Error, Location, Result};
use crate::yaml::Pos;

/// A configuration ready for a client, and what the messages need to say about it.
pub(super) struct Loaded {
    pub config: kube::Config,
    /// The cluster URL without userinfo, for messages.
    pub cluster: String,
    /// The kubeconfig's cluster entry, for help texts (`None` in a pod).
    pub cluster_name: Option<String>,
    /// What a credential plugin the user entry names will run, said before it runs.
    pub plugin_notes: Vec<String>,
}

pub(super) fn flag_error(flag: &str, message: String, help: &str) -> Error {
    Error::one(Diagnostic::new(Some(Location::Flag(flag.into())), message).with_help(help))
}

/// A text with the `user:password@` of every URL in it taken out.
pub fn redact_url(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("://") {
        let (head, tail) = rest.split_at(at + 3);
        out.push_str(head);
        let end = tail
            .find(|c: char| {
                matches!(c, '/' | '?' | '#' | '"' | '\'' | ')' | '>') || c.is_whitespace()
            })
            .unwrap_or(tail.len());
        let authority = &tail[..end];
        out.push_str(
            authority
                .rsplit_once('@')
                .map_or(authority, |(_, host)| host),
        );
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}

/// Reads one kubeconfig file; a file that does not parse is named with its position only.
fn read(path: &Path, what: &str) -> Result<Kubeconfig> {
    Kubeconfig::read_from(path).map_err(|e| {
        let (pos, message) = match &e {
            KubeconfigError::Parse(err) => (
                err.location().map(|l| Pos {
                    line: l.line() as u32,
                    column: l.column() as u32,
                }),
                format!(
                    "{what} is not a valid kubeconfig (YAML with clusters, contexts and users); its text is not shown, since a kubeconfig holds credentials"
                ),
            ),
            KubeconfigError::ReadConfig(io, _) => (None, format!("cannot read {what}: {io}")),
            other => (None, format!("{what} is unusable: {other}")),
        };
        Error::one(
            Diagnostic::new(Some(Location::file(path, pos)), message)
                .with_help("check it with `kubectl config view --kubeconfig FILE`"),
        )
    })
}

/// The kubeconfig in force, and the flag or variable that named it (for messages).
fn kubeconfig(options: &LiveOptions) -> Result<Option<(Kubeconfig, String)>> {
    if let Some(path) = &options.kubeconfig {
        return Ok(Some((read(path, "--kubeconfig")?, "--kubeconfig".into())));
    }
    if let Some(value) = std::env::var_os("KUBECONFIG").filter(|v| !v.is_empty()) {
        // As client-go: the files that exist, merged, the first to set a value winning.
        let mut merged: Option<Kubeconfig> = None;
        for path in std::env::split_paths(&value).filter(|p| p.exists()) {
            let next = read(&path, "this KUBECONFIG file")?;
            merged = Some(match merged {
                None => next,
                Some(m) => m.merge(next).map_err(|e| {
                    Error::one(
                        Diagnostic::new(
                            Some(Location::file(&path, None)),
                            format!("cannot merge the KUBECONFIG files: {e}"),
                        )
                        .with_help("check each file of KUBECONFIG with `kubectl config view`"),
                    )
                })?,
            });
        }
        return match merged {
            Some(m) => Ok(Some((m, "KUBECONFIG".into()))),
            // As kubectl: KUBECONFIG set means ~/.kube/config is not read, so a typo never
            // diffs against another cluster.
            None => Err(flag_error(
                "KUBECONFIG",
                format!(
                    "none of the files KUBECONFIG names exists ({})",
                    std::env::split_paths(&value)
                        .map(|p| p.display().to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                "point KUBECONFIG at the cluster's kubeconfig, or pass --kubeconfig FILE",
            )),
        };
    }
    let home = std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".kube/config"));
    match home.filter(|h| h.exists()) {
        Some(path) => Ok(Some((
            read(&path, "~/.kube/config")?,
            "~/.kube/config".into(),
        ))),
        None => Ok(None),
    }
}

pub(super) async fn load(options: &LiveOptions) -> Result<Loaded> {
    let Some((kc, source)) = kubeconfig(options)? else {
        if std::env::var_os("KUBERNETES_SERVICE_HOST").is_some() {
            if options.context.is_some() {
                return Err(flag_error(
                    "--context",
                    "no kubeconfig to take a context from: KUBECONFIG is unset and ~/.kube/config does not exist (in a pod, the service account is used)".into(),
                    "pass --kubeconfig FILE, or leave --context out",
                ));
            }
            let mut config = kube::Config::incluster().map_err(|e| {
                flag_error(
                    "--live",
                    format!("cannot use the pod's service account: {e}"),
                    "run where the service account token is mounted, or pass --kubeconfig FILE",
                )
            })?;
            let cluster = redact_url(&config.cluster_url.to_string());
            config.proxy_url = proxy_uri(proxy_for(&cluster, None))?;
            return Ok(Loaded {
                config,
                cluster,
                cluster_name: None,
                plugin_notes: Vec::new(),
            });
        }
        return Err(flag_error(
            "--live",
            "no kubeconfig: KUBECONFIG is unset, ~/.kube/config does not exist, and this is not a pod in a cluster".into(),
            "set KUBECONFIG or pass --kubeconfig FILE (in CI, write the cluster's kubeconfig from a secret first)",
        ));
    };
    let context_flag = options.context.is_some();
    let Some(context_name) = options.context.clone().or(kc.current_context.clone()) else {
        return Err(flag_error(
            &source,
            "the kubeconfig sets no current-context".into(),
            &format!(
                "pass --context NAME (contexts: {}), or `kubectl config use-context NAME`",
                names(kc.contexts.iter().map(|c| c.name.as_str()))
            ),
        ));
    };
    let Some(context) = kc
        .contexts
        .iter()
        .find(|c| c.name == context_name)
        .and_then(|c| c.context.clone())
    else {
        let (flag, what) = if context_flag {
            (
                "--context",
                format!("no context `{context_name}` in the kubeconfig"),
            )
        } else {
            (
                source.as_str(),
                format!(
                    "the current-context `{context_name}` is not among the kubeconfig's contexts"
                ),
            )
        };
        let known: Vec<&str> = kc.contexts.iter().map(|c| c.name.as_str()).collect();
        let suggestion = crate::error::did_you_mean(&context_name, known.iter().copied())
            .map(|s| format!("did you mean `{s}`? "))
            .unwrap_or_default();
        return Err(flag_error(
            flag,
            what,
            &format!(
                "{suggestion}the contexts are: {} (`kubectl config get-contexts`)",
                names(known.iter().copied())
            ),
        ));
    };
    let Some(cluster) = kc
        .clusters
        .iter()
        .find(|c| c.name == context.cluster)
        .and_then(|c| c.cluster.clone())
    else {
        return Err(flag_error(
            &source,
            format!(
                "context `{context_name}` names cluster `{}`, which the kubeconfig does not define",
                context.cluster
            ),
            "add the cluster (`kubectl config set-cluster`) or fix the context",
        ));
    };
    let cluster_name = context.cluster.clone();
    let has_ca =
        cluster.certificate_authority.is_some() || cluster.certificate_authority_data.is_some();
    if has_ca && cluster.insecure_skip_tls_verify == Some(true) {
        // kubectl refuses this too, in these words.
        return Err(flag_error(
            &source,
            format!(
                "cluster `{cluster_name}`: specifying a root certificates file with the insecure flag is not allowed"
            ),
            "remove `insecure-skip-tls-verify: true` and keep the certificate authority (or the reverse, if you mean to skip verification)",
        ));
    }
    let server = cluster.server.clone().unwrap_or_default();
    if server.is_empty() {
        return Err(flag_error(
            &source,
            format!("cluster `{cluster_name}` has no server URL"),
            "set `server: https://HOST:PORT` for the cluster",
        ));
    }
    let mut plugin_notes = Vec::new();
    let user_name = context.user.clone().unwrap_or_default();
    if let Some(user) = kc
        .auth_infos
        .iter()
        .find(|u| u.name == user_name)
        .and_then(|u| u.auth_info.as_ref())
    {
        if let Some(exec) = &user.exec {
            plugin_notes.push(format!(
                "running the exec credential plugin `{}` of kubeconfig user `{user_name}` for a token",
                exec.command.as_deref().unwrap_or("(none)")
            ));
        }
        if let Some(provider) = &user.auth_provider {
            let runs = provider
                .config
                .get("cmd-path")
                .map(|c| format!(", which runs `{c}`"))
                .unwrap_or_default();
            plugin_notes.push(format!(
                "using the `{}` auth provider of kubeconfig user `{user_name}`{runs}",
                provider.name
            ));
        }
    }
    let kc_options = KubeConfigOptions {
        context: Some(context_name.clone()),
        ..KubeConfigOptions::default()
    };
    let mut config = kube::Config::from_custom_kubeconfig(kc, &kc_options)
        .await
        .map_err(|e| {
            let text = match e {
                // The URL itself is not repeated: it may hold a password.
                KubeconfigError::ParseClusterUrl(_) => {
                    format!("cluster `{cluster_name}`: the server is not a URL")
                }
                KubeconfigError::ParseProxyUrl(_) => {
                    format!("cluster `{cluster_name}`: proxy-url (or HTTPS_PROXY) is not a URL")
                }
                other => format!("context `{context_name}`: {other}"),
            };
            flag_error(
                &source,
                text,
                "check the kubeconfig (`kubectl config view --minify`)",
            )
        })?;
    let shown = redact_url(&server);
    config.proxy_url = proxy_uri(proxy_for(&shown, cluster.proxy_url.as_deref()))?;
    Ok(Loaded {
        config,
        cluster: redact_url(&config_url(&server)),
        cluster_name: Some(cluster_name),
        plugin_notes,
    })
}

/// The server URL as kube-rs shows it (`https://host:6443/`).
fn config_url(server: &str) -> String {
    if server.ends_with('/') {
        server.to_string()
    } else if server
        .split_once("://")
        .is_some_and(|(_, r)| !r.contains('/'))
    {
        format!("{server}/")
    } else {
        server.to_string()
    }
}

fn names<'a>(list: impl Iterator<Item = &'a str>) -> String {
    let all: Vec<String> = list.map(|n| format!("`{n}`")).collect();
    if all.is_empty() {
        "none".into()
    } else {
        all.join(", ")
    }
}

/// The proxy kubectl would use for `server`: the cluster's `proxy-url`, else `HTTPS_PROXY`
/// (for https) or `HTTP_PROXY` (for http), upper case first, unless `NO_PROXY` covers the
/// host or the host is the loopback (Go's `httpproxy` rules).
pub(super) fn proxy_for(server: &str, proxy_url: Option<&str>) -> Result<Option<String>> {
    let chosen = match proxy_url.filter(|p| !p.is_empty()) {
        Some(p) => Some((p.to_string(), "proxy-url")),
        None => env_proxy(server),
    };
    let Some((proxy, from)) = chosen else {
        return Ok(None);
    };
    let proxy = if proxy.contains("://") {
        proxy
    } else {
        format!("http://{proxy}")
    };
    let scheme = proxy.split_once("://").map_or("", |(s, _)| s);
    if !matches!(scheme, "http" | "https" | "socks5") {
        return Err(flag_error(
            "--live",
            format!(
                "the proxy {} ({from}) uses `{scheme}`; rollwright, like kubectl, takes http, https and socks5 proxies",
                redact_url(&proxy)
            ),
            "use an http://, https:// or socks5:// proxy URL",
        ));
    }
    let valid = host_port(&proxy).is_some_and(|(host, _)| !host.is_empty());
    if !valid || proxy.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(flag_error(
            "--live",
            format!("the proxy ({from}) is not a URL: {}", redact_url(&proxy)),
            "write it as http://HOST:PORT",
        ));
    }
    Ok(Some(proxy))
}

/// The proxy as the client takes it.
fn proxy_uri<T: std::str::FromStr>(proxy: Result<Option<String>>) -> Result<Option<T>> {
    proxy?
        .map(|p| {
            p.parse().map_err(|_| {
                flag_error(
                    "--live",
                    format!("the proxy is not a URL: {}", redact_url(&p)),
                    "write it as http://HOST:PORT",
                )
            })
        })
        .transpose()
}

fn env(names: &[&'static str]) -> Option<(String, &'static str)> {
    names.iter().find_map(|name| {
        std::env::var(name)
            .ok()
            .filter(|v| !v.is_empty())
            .map(|v| (v, *name))
    })
}

/// Host and port of a URL's authority.
fn host_port(url: &str) -> Option<(String, u16)> {
    let (scheme, rest) = url.split_once("://")?;
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = rest[..end]
        .rsplit_once('@')
        .map_or(&rest[..end], |(_, h)| h);
    let default = if scheme == "https" { 443 } else { 80 };
    let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
        let (h, tail) = v6.split_once(']')?;
        (
            h.to_string(),
            tail.strip_prefix(':').and_then(|p| p.parse().ok()),
        )
    } else {
        match authority.rsplit_once(':') {
            Some((h, p)) if p.bytes().all(|b| b.is_ascii_digit()) => {
                (h.to_string(), p.parse().ok())
            }
            _ => (authority.to_string(), None),
        }
    };
    Some((host.to_ascii_lowercase(), port.unwrap_or(default)))
}

fn env_proxy(server: &str) -> Option<(String, &'static str)> {
    let https = server.starts_with("https://");
    let proxy = if https {
        env(&["HTTPS_PROXY", "https_proxy"])
    } else {
        env(&["HTTP_PROXY", "http_proxy"])
    }?;
    let (host, port) = host_port(server)?;
    let ip: Option<std::net::IpAddr> = host.parse().ok();
    if host == "localhost" || ip.is_some_and(|ip| ip.is_loopback()) {
        return None;
    }
    if let Some((no_proxy, _)) = env(&["NO_PROXY", "no_proxy"])
        && no_proxy_covers(&no_proxy, &host, ip, port)
    {
        return None;
    }
    Some(proxy)
}

/// Whether a `NO_PROXY` list covers a host: `*`; an IP or CIDR; a domain (`example.com`
/// covers it and its subdomains, `.example.com` and `*.example.com` the subdomains only);
/// each optionally with `:port`.
fn no_proxy_covers(list: &str, host: &str, ip: Option<std::net::IpAddr>, port: u16) -> bool {
    for entry in list.split(',').map(str::trim).filter(|e| !e.is_empty()) {
        if entry == "*" {
            return true;
        }
        let entry = entry.to_ascii_lowercase();
        if let Some(ip) = ip {
            if let Some((net, bits)) = entry.split_once('/')
                && let (Ok(net), Ok(bits)) = (net.parse::<std::net::IpAddr>(), bits.parse::<u32>())
                && in_cidr(ip, net, bits)
            {
                return true;
            }
            if entry.parse::<std::net::IpAddr>() == Ok(ip) {
                return true;
            }
        }
        let (name, entry_port) = match entry.rsplit_once(':') {
            Some((h, p)) if p.bytes().all(|b| b.is_ascii_digit()) && !h.contains(':') => {
                (h.to_string(), p.parse::<u16>().ok())
            }
            _ => (entry.clone(), None),
        };
        if entry_port.is_some_and(|p| p != port) {
            continue;
        }
        let name = name.strip_prefix('*').unwrap_or(&name);
        let covered = match name.strip_prefix('.') {
            Some(domain) => host.ends_with(&format!(".{domain}")),
            None => host == name || host.ends_with(&format!(".{name}")),
        };
        if covered {
            return true;
        }
    }
    false
}

fn in_cidr(ip: std::net::IpAddr, net: std::net::IpAddr, bits: u32) -> bool {
    use std::net::IpAddr::{V4, V6};
    match (ip, net) {
        (V4(a), V4(b)) if bits <= 32 => {
            let mask = if bits == 0 {
                0
            } else {
                u32::MAX << (32 - bits)
            };
            u32::from(a) & mask == u32::from(b) & mask
        }
        (V6(a), V6(b)) if bits <= 128 => {
            let mask = if bits == 0 {
                0
            } else {
                u128::MAX << (128 - bits)
            };
            u128::from(a) & mask == u128::from(b) & mask
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_lose_their_userinfo() {
        assert_eq!(
            redact_url("https://admin:s3cret@k8s.example.com:6443/x"),
            "https://k8s.example.com:6443/x"
        );
        assert_eq!(redact_url("https://k8s:6443"), "https://k8s:6443");
        assert_eq!(
            redact_url(
                "error trying to connect to \"http://u:p@h:1/x\": refused; see https://a@b/"
            ),
            "error trying to connect to \"http://h:1/x\": refused; see https://b/"
        );
    }

    #[test]
    fn no_proxy_as_go_reads_it() {
        let covers = |list: &str, url: &str| {
            let (host, port) = host_port(url).unwrap();
            no_proxy_covers(list, &host, host.parse().ok(), port)
        };
        assert!(covers("*", "https://a.example:6443"));
        assert!(covers("example.com", "https://example.com"));
        assert!(covers("example.com", "https://k8s.example.com"));
        assert!(!covers(".example.com", "https://example.com"));
        assert!(covers("*.example.com", "https://k8s.example.com"));
        assert!(!covers("example.com", "https://notexample.com"));
        assert!(covers("10.0.0.0/8", "https://10.1.2.3:6443"));
        assert!(!covers("10.0.0.0/8", "https://11.1.2.3:6443"));
        assert!(covers("k8s.internal:6443", "https://k8s.internal:6443"));
        assert!(!covers("k8s.internal:443", "https://k8s.internal:6443"));
        assert!(covers("[::1]", "https://[::1]:6443") || covers("::1", "https://[::1]:6443"));
    }
}
