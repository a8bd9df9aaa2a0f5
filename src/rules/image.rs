//! Container image references: the rules that check every container's `image`, and the
//! reference grammar they and `set-image` use.
//!
//! The API server stores any image text; the kubelet parses it as a container-registry
//! reference (`[registry[:port]/]path[:tag][@digest]`, the grammar of the distribution
//! project, normalised as Docker does: `nginx` is `docker.io/library/nginx`). A reference it
//! cannot parse leaves the pods in `InvalidImageName`: the new revision never becomes ready.

use serde_json::Value;

use super::util::{Lookup as _, child, items, path};
use super::{ARGO, Rule};
use crate::finding::Severity;
use crate::manifest::Object;

pub const RULES: &[&Rule] = &[&IMG_01, &IMG_02];

/// A parsed image reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference<'a> {
    /// The registry as written, if the reference names one.
    pub registry: Option<&'a str>,
    pub path: &'a str,
    pub tag: Option<&'a str>,
    pub digest: Option<&'a str>,
}

/// Why a text is not an image reference: the parser's own words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefError {
    Empty,
    InvalidFormat,
    Uppercase,
    TooLong,
    HexName,
    DigestAlgorithm,
    DigestLength,
    DigestFormat,
}

impl RefError {
    pub fn message(self) -> &'static str {
        match self {
            RefError::Empty => "repository name must have at least one component",
            RefError::InvalidFormat => "invalid reference format",
            RefError::Uppercase => "invalid reference format: repository name must be lowercase",
            RefError::TooLong => "repository name must not be more than 255 characters",
            RefError::HexName => {
                "invalid repository name, cannot specify 64-byte hexadecimal strings"
            }
            RefError::DigestAlgorithm => "unsupported digest algorithm",
            RefError::DigestLength => "invalid checksum digest length",
            RefError::DigestFormat => "invalid checksum digest format",
        }
    }
}

/// The longest repository name, registry included.
const NAME_MAX: usize = 255;

/// `[a-z0-9]+` parts joined by `.`, `_`, `__` or any number of `-`.
fn path_component(c: &str) -> bool {
    let b = c.as_bytes();
    let alnum = |x: &u8| x.is_ascii_lowercase() || x.is_ascii_digit();
    if b.is_empty() || !alnum(&b[0]) || !alnum(&b[b.len() - 1]) {
        return false;
    }
    let mut i = 0;
    while i < b.len() {
        if alnum(&b[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < b.len() && !alnum(&b[i]) {
            i += 1;
        }
        let sep = &c[start..i];
        let ok = matches!(sep, "." | "_" | "__") || sep.bytes().all(|x| x == b'-');
        if !ok {
            return false;
        }
    }
    true
}

/// `host[:port]`: dot-separated `[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?` (an IPv4 address
/// among them) or a bracketed IPv6 address, then an optional numeric port.
fn registry(d: &str) -> bool {
    let (host, port) = if let Some(rest) = d.strip_prefix('[') {
        let Some((v6, after)) = rest.split_once(']') else {
            return false;
        };
        if v6.is_empty()
            || !v6
                .bytes()
                .all(|b| b.is_ascii_hexdigit() || b == b':' || b == b'.')
        {
            return false;
        }
        match after {
            "" => return true,
            p => match p.strip_prefix(':') {
                Some(port) => ("x", Some(port)),
                None => return false,
            },
        }
    } else {
        match d.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (d, None),
        }
    };
    let component = |c: &str| {
        let b = c.as_bytes();
        !b.is_empty()
            && b.iter().all(|x| x.is_ascii_alphanumeric() || *x == b'-')
            && b[0] != b'-'
            && b[b.len() - 1] != b'-'
    };
    host.split('.').all(component)
        && port.is_none_or(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}

/// `[\w][\w.-]{0,127}`.
pub fn is_tag(t: &str) -> bool {
    let b = t.as_bytes();
    let word = |x: &u8| x.is_ascii_alphanumeric() || *x == b'_';
    !b.is_empty()
        && b.len() <= 128
        && word(&b[0])
        && b.iter().all(|x| word(x) || *x == b'.' || *x == b'-')
}

/// `algorithm:hex`, as the digest parser takes it: a known algorithm and its hex length.
pub fn digest_error(d: &str) -> Option<RefError> {
    let Some((alg, hex)) = d.split_once(':') else {
        return Some(RefError::InvalidFormat);
    };
    let alg_ok = !alg.is_empty()
        && alg.split(['+', '.', '-', '_']).all(|c| {
            c.bytes().next().is_some_and(|b| b.is_ascii_alphabetic())
                && c.bytes().all(|b| b.is_ascii_alphanumeric())
        });
    if !alg_ok || hex.len() < 32 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Some(RefError::InvalidFormat);
    }
    let size = match alg {
        "sha256" => 64,
        "sha384" => 96,
        "sha512" => 128,
        _ => return Some(RefError::DigestAlgorithm),
    };
    if hex.len() != size {
        return Some(RefError::DigestLength);
    }
    if hex.bytes().any(|b| b.is_ascii_uppercase()) {
        return Some(RefError::DigestFormat);
    }
    None
}

/// Parses an image reference as the kubelet does before pulling it.
pub fn parse(s: &str) -> Result<Reference<'_>, RefError> {
    if s.is_empty() {
        return Err(RefError::Empty);
    }
    if s.len() == 64
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    {
        return Err(RefError::HexName);
    }
    // Docker's rule: the first component names a registry when it holds a '.' or ':', is
    // `localhost`, or has an upper-case letter; otherwise the registry is Docker Hub.
    let (registry_part, remainder) = match s.split_once('/') {
        Some((first, rest))
            if first.contains(['.', ':'])
                || first == "localhost"
                || first.bytes().any(|b| b.is_ascii_uppercase()) =>
        {
            (Some(first), rest)
        }
        _ => (None, s),
    };
    let remote = remainder.split(':').next().unwrap_or(remainder);
    if remote.bytes().any(|b| b.is_ascii_uppercase()) {
        return Err(RefError::Uppercase);
    }
    if let Some(r) = registry_part
        && !registry(r)
    {
        return Err(RefError::InvalidFormat);
    }
    let (named, digest) = match remainder.split_once('@') {
        Some((n, d)) => (n, Some(d)),
        None => (remainder, None),
    };
    let (path, tag) = match named.split_once(':') {
        Some((p, t)) => (p, Some(t)),
        None => (named, None),
    };
    if !path.split('/').all(path_component) || tag.is_some_and(|t| !is_tag(t)) {
        return Err(RefError::InvalidFormat);
    }
    if let Some(d) = digest
        && let Some(e) = digest_error(d)
    {
        return Err(e);
    }
    let name_len = match registry_part {
        Some(r) => r.len() + 1 + path.len(),
        None if path.contains('/') => "docker.io/".len() + path.len(),
        None => "docker.io/library/".len() + path.len(),
    };
    if name_len > NAME_MAX {
        return Err(RefError::TooLong);
    }
    Ok(Reference {
        registry: registry_part,
        path,
        tag,
        digest,
    })
}

/// Texts that stand for an image filled in later (Argo Rollouts analysis arguments,
/// `envsubst`/Flux substitutions), not checked.
fn placeholder(image: &str) -> bool {
    image.contains("{{") || image.contains("${")
}

/// Calls `f` with each container image of `o` (not empty, not a placeholder), and a way to
/// write the JSON pointer of its `image` (only needed for a finding, so not built otherwise).
fn each_image<'v>(o: &'v Object, mut f: impl FnMut(&dyn Fn() -> String, &'v str)) {
    let mut visit = |base: &dyn Fn() -> String, spec: &'v Value| {
        for list in ["initContainers", "containers", "ephemeralContainers"] {
            let Some(containers) = child(spec, list).and_then(Value::as_array) else {
                continue;
            };
            for (i, c) in containers.iter().enumerate() {
                if let Some(image) = child(c, "image").and_then(Value::as_str)
                    && !image.is_empty()
                    && !placeholder(image)
                {
                    f(&|| format!("{}/{list}/{i}/image", base()), image);
                }
            }
        }
    };
    let at = |pointer: &'static str| {
        o.value
            .lookup(pointer)
            .filter(|s| s.is_object())
            .map(|spec| (pointer, spec))
    };
    let fixed = match (o.id.group(), o.id.kind.as_str()) {
        ("", "Pod") => at("/spec"),
        ("", "PodTemplate") => at("/template/spec"),
        ("", "ReplicationController")
        | ("apps", "Deployment" | "ReplicaSet" | "StatefulSet" | "DaemonSet")
        | ("batch", "Job")
        | (ARGO, "Rollout") => at("/spec/template/spec"),
        ("batch", "CronJob") => at("/spec/jobTemplate/spec/template/spec"),
        (ARGO, "AnalysisTemplate" | "ClusterAnalysisTemplate" | "AnalysisRun") => {
            for (i, m) in items(o.value.lookup("/spec/metrics")) {
                if let Some(spec) = m
                    .lookup("/provider/job/spec/template/spec")
                    .filter(|s| s.is_object())
                {
                    visit(
                        &|| format!("/spec/metrics/{i}/provider/job/spec/template/spec"),
                        spec,
                    );
                }
            }
            None
        }
        (ARGO, "Experiment") => {
            for (i, t) in items(o.value.lookup("/spec/templates")) {
                if let Some(spec) = t.lookup("/template/spec").filter(|s| s.is_object()) {
                    visit(&|| format!("/spec/templates/{i}/template/spec"), spec);
                }
            }
            None
        }
        _ => None,
    };
    if let Some((pointer, spec)) = fixed {
        visit(&|| pointer.to_owned(), spec);
    }
}

/// What probably went wrong, for the help.
fn diagnose(image: &str) -> &'static str {
    let after_slash = image.rsplit('/').next().unwrap_or(image);
    let before_digest = after_slash.split('@').next().unwrap_or(after_slash);
    if image.chars().any(char::is_whitespace) {
        "it holds whitespace (a `--set` value with a space, or a line break in the template?)"
    } else if before_digest.matches(':').count() > 1 {
        "it has two tags: was a whole reference given where only a tag was expected (`set-image CHART nginx:1.29`, `--set image.tag=nginx:1.29`)?"
    } else if image.bytes().any(|b| b.is_ascii_uppercase()) {
        "repository paths are lower-case"
    } else {
        "write [registry[:port]/]repository[:tag][@sha256:digest], e.g. nginx:1.29 or ghcr.io/acme/shop@sha256:…"
    }
}

pub static IMG_01: Rule = Rule {
    id: "IMG-01",
    name: "image-reference",
    severity: Severity::Error,
    doc: "every container image must be a valid reference ([registry/]path[:tag][@digest], lower-case path, at most 255 characters)",
    check: |ctx, sink| {
        for (_, o) in ctx.served_objects() {
            each_image(o, |pointer, image| {
                let Err(e) = parse(image) else {
                    return;
                };
                let pointer = pointer();
                sink.report(
                    o,
                    &pointer,
                    format!(
                        "{}: {image:?} is not a valid image reference: {}",
                        path(&pointer),
                        e.message()
                    ),
                )
                .help(format!(
                    "{}; the kubelet cannot pull it, so the pods stay in InvalidImageName and the release never becomes ready",
                    diagnose(image)
                ));
            });
        }
    },
};

pub static IMG_02: Rule = Rule {
    id: "IMG-02",
    name: "image-tag-pinned",
    severity: Severity::Warning,
    doc: "a container image names a tag other than `latest`, or a digest",
    check: |ctx, sink| {
        for (_, o) in ctx.served_objects() {
            each_image(o, |pointer, image| {
                let Ok(r) = parse(image) else {
                    return;
                };
                if r.digest.is_some() || r.tag.is_some_and(|t| t != "latest") {
                    return;
                }
                let pointer = pointer();
                let message = match r.tag {
                    None => format!(
                        "{}: {image:?} has no tag: the kubelet pulls {image}:latest",
                        path(&pointer)
                    ),
                    Some(_) => format!("{}: {image:?} uses the `latest` tag", path(&pointer)),
                };
                sink.report(o, &pointer, message).help(
                    "pin a version tag or a digest: with `latest` the pods of one revision may run different images, and a new image does not start a new revision",
                );
            });
        }
    },
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_the_kubelet_accepts() {
        for ok in [
            "nginx",
            "nginx:1.29",
            "nginx:1.29-alpine",
            "library/nginx:latest",
            "ghcr.io/acme/shop:v1.2.3",
            "localhost:5000/shop",
            "registry.example.com:443/a/b/c:TAG_1",
            "Registry.Example.com/shop",
            "127.0.0.1:5000/shop",
            "[::1]:5000/shop",
            "my_org/my__app/x-y--z.q",
            "nginx@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
            "nginx:1.29@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
            "quay.io/argoproj/argo-rollouts:v1.9.1",
        ] {
            assert!(parse(ok).is_ok(), "{ok}: {:?}", parse(ok));
        }
        let r = parse("ghcr.io/acme/shop:v1@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef").unwrap();
        assert_eq!(r.registry, Some("ghcr.io"));
        assert_eq!(r.path, "acme/shop");
        assert_eq!(r.tag, Some("v1"));
        assert!(r.digest.is_some());
        assert_eq!(parse("nginx").unwrap().tag, None);
    }

    #[test]
    fn references_the_kubelet_refuses() {
        use RefError::*;
        for (bad, why) in [
            ("nginx:nginx:1.29", InvalidFormat),
            ("nginx:1.29 replicaCount=3", InvalidFormat),
            (" nginx", InvalidFormat),
            ("Nginx:1.29", Uppercase),
            ("acme/Shop", Uppercase),
            ("nginx:", InvalidFormat),
            ("nginx:-x", InvalidFormat),
            ("-nginx", InvalidFormat),
            ("nginx//x", InvalidFormat),
            ("nginx@sha256:abc", InvalidFormat),
            (
                "nginx@md5:0123456789abcdef0123456789abcdef",
                DigestAlgorithm,
            ),
            (
                "nginx@sha256:0123456789abcdef0123456789abcdef",
                DigestLength,
            ),
            (
                "nginx@sha256:0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef",
                DigestFormat,
            ),
            (
                "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
                HexName,
            ),
            ("", Empty),
        ] {
            assert_eq!(parse(bad), Err(why), "{bad:?}");
        }
        assert_eq!(
            parse(&format!("a/{}", "b".repeat(250))),
            Err(RefError::TooLong)
        );
        assert!(parse(&format!("nginx:{}", "t".repeat(129))).is_err());
        assert!(parse(&format!("nginx:{}", "t".repeat(128))).is_ok());
    }

    #[test]
    fn tags() {
        assert!(is_tag("1.29"));
        assert!(is_tag("v1_2-rc.1"));
        assert!(!is_tag(".1"));
        assert!(!is_tag("nginx:1.29"));
        assert!(!is_tag("a/b"));
    }
}
