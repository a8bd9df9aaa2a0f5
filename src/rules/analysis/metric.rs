//! What an AnalysisRun checks when it starts (`utils/analysis/factory.go ValidateMetric`) and
//! what a metric provider refuses when it is built, on values known from the manifests.
//!
//! A field whose text holds a `{{…}}` placeholder is unknown until the run exists (the
//! referencing Rollout may pass any value), so checks that need it are skipped.

use crate::rules::util::Lookup as _;
use serde_json::Value;

use crate::rules::util::atoi;
use crate::rules::version::RolloutsVersion;

/// A metric field's value as the run would see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Known<T> {
    Absent,
    Is(T),
    /// Holds a placeholder the run resolves.
    Unknown,
}

/// How a field's string is resolved: `None` when it cannot be known.
pub type Resolver<'r> = &'r dyn Fn(&str) -> Option<String>;

/// Leaves text without placeholders as it is; text with one is unknown.
pub fn literal(s: &str) -> Option<String> {
    (!s.contains("{{")).then(|| s.to_owned())
}

/// An `IntOrString` field read as `IntValue()` does (a non-numeric string is 0).
pub fn int_field(metric: &Value, key: &str, resolve: Resolver<'_>) -> Known<i64> {
    match metric.get(key) {
        None | Some(Value::Null) => Known::Absent,
        Some(Value::Number(n)) => Known::Is(n.as_i64().unwrap_or(0)),
        Some(Value::String(s)) => match resolve(s) {
            Some(s) => Known::Is(atoi(&s).unwrap_or(0)),
            None => Known::Unknown,
        },
        Some(_) => Known::Is(0),
    }
}

/// A string field.
pub fn str_field(metric: &Value, key: &str, resolve: Resolver<'_>) -> Known<String> {
    match metric.get(key) {
        None | Some(Value::Null) => Known::Absent,
        Some(Value::String(s)) => match resolve(s) {
            Some(s) => Known::Is(s),
            None => Known::Unknown,
        },
        Some(other) => Known::Is(other.to_string()),
    }
}

/// A failure of `ValidateMetric`, with the field it is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    /// The rule: `AR-04` … `AR-16`.
    pub rule: &'static str,
    /// The field of the metric the finding points at (`count`, `provider`, …).
    pub field: &'static str,
    /// `ValidateMetric`'s error text.
    pub message: String,
}

/// The failures of `ValidateMetric` for one metric. Of the checks on count and the limits
/// (AR-04 … AR-11), which depend on each other, only the first the controller would hit is
/// returned; the interval, delay and provider checks are independent.
pub fn validate_metric(
    metric: &Value,
    resolve: Resolver<'_>,
    version: RolloutsVersion,
) -> Vec<Invalid> {
    let mut out = Vec::new();
    let get = |key| match int_field(metric, key, resolve) {
        Known::Absent => Some(0),
        Known::Is(n) => Some(n),
        Known::Unknown => None,
    };
    let count = get("count");
    let failure = get("failureLimit");
    let success = get("consecutiveSuccessLimit");
    let inconclusive = get("inconclusiveLimit");
    let errors = get("consecutiveErrorLimit");

    let limits = if version < RolloutsVersion::V1_8 {
        limits_error_before_1_8(count, failure, inconclusive, errors)
    } else {
        limits_error(count, failure, success, inconclusive, errors)
    };
    out.extend(limits);

    let interval = str_field(metric, "interval", resolve);
    if let (Some(c), Known::Absent) = (count, &interval)
        && c > 1
    {
        out.push(Invalid {
            rule: "AR-12",
            field: "count",
            message: "interval must be specified when count > 1".into(),
        });
    }
    if let Known::Is(s) = &interval
        && !s.is_empty()
        && let Err(e) = parse_go_duration(s)
    {
        out.push(Invalid {
            rule: "AR-13",
            field: "interval",
            message: format!("invalid interval string: {e}"),
        });
    }
    if let Known::Is(s) = str_field(metric, "initialDelay", resolve)
        && !s.is_empty()
        && let Err(e) = parse_go_duration(&s)
    {
        out.push(Invalid {
            rule: "AR-14",
            field: "initialDelay",
            message: format!("invalid startDelay string: {e}"),
        });
    }
    match provider_count(metric.get("provider")) {
        0 => out.push(Invalid {
            rule: "AR-15",
            field: "provider",
            message: "no provider specified".into(),
        }),
        1 => {}
        _ => out.push(Invalid {
            rule: "AR-16",
            field: "provider",
            message: "multiple providers specified".into(),
        }),
    }
    out
}

/// The first failing check on count and limits, in `ValidateMetric`'s order (unknown values
/// skip the checks that need them).
fn limits_error(
    count: Option<i64>,
    failure: Option<i64>,
    success: Option<i64>,
    inconclusive: Option<i64>,
    errors: Option<i64>,
) -> Option<Invalid> {
    let err = |rule, field, message: &str| {
        Some(Invalid {
            rule,
            field,
            message: message.to_owned(),
        })
    };
    if success.is_some_and(|s| s < 0) {
        return err(
            "AR-04",
            "consecutiveSuccessLimit",
            "consecutiveSuccessLimit must be >= 0",
        );
    }
    if failure.is_some_and(|f| f < -1) {
        return err(
            "AR-05",
            "failureLimit",
            "failureLimit must be >= 0, or -1 to be disabled",
        );
    }
    if success == Some(0) && failure == Some(-1) {
        return err(
            "AR-06",
            "failureLimit",
            "failureLimit and consecutiveSuccessLimit cannot both be disabled",
        );
    }
    if inconclusive.is_some_and(|i| i < 0) {
        return err(
            "AR-07",
            "inconclusiveLimit",
            "inconclusiveLimit must be >= 0",
        );
    }
    if errors.is_some_and(|e| e < 0) {
        return err(
            "AR-08",
            "consecutiveErrorLimit",
            "consecutiveErrorLimit must be >= 0",
        );
    }
    let count = count.filter(|&c| c > 0)?;
    if let (Some(f), Some(s)) = (failure, success) {
        if s >= 0 && f >= 0 {
            if count < f + s {
                return Some(Invalid {
                    rule: "AR-09",
                    field: "count",
                    message: format!(
                        "count ({count}) must be >= failureLimit + consecutiveSuccessLimit ({f} + {s}) if both >= 0"
                    ),
                });
            }
        } else if s >= 0 && f < 0 && count < s {
            return err("AR-10", "count", "count must be >= consecutiveSuccessLimit");
        }
    }
    if inconclusive.is_some_and(|i| count < i) {
        return err("AR-11", "count", "count must be >= inconclusiveLimit");
    }
    None
}

/// `limits_error` as releases before 1.8 check: no consecutiveSuccessLimit, and a negative
/// failureLimit refused.
fn limits_error_before_1_8(
    count: Option<i64>,
    failure: Option<i64>,
    inconclusive: Option<i64>,
    errors: Option<i64>,
) -> Option<Invalid> {
    let err = |rule, field, message: &str| {
        Some(Invalid {
            rule,
            field,
            message: message.to_owned(),
        })
    };
    if let Some(count) = count.filter(|&c| c > 0) {
        if failure.is_some_and(|f| count < f) {
            return err("AR-09", "count", "count must be >= failureLimit");
        }
        if inconclusive.is_some_and(|i| count < i) {
            return err("AR-11", "count", "count must be >= inconclusiveLimit");
        }
    }
    if failure.is_some_and(|f| f < 0) {
        return err("AR-05", "failureLimit", "failureLimit must be >= 0");
    }
    if inconclusive.is_some_and(|i| i < 0) {
        return err(
            "AR-07",
            "inconclusiveLimit",
            "inconclusiveLimit must be >= 0",
        );
    }
    if errors.is_some_and(|e| e < 0) {
        return err(
            "AR-08",
            "consecutiveErrorLimit",
            "consecutiveErrorLimit must be >= 0",
        );
    }
    None
}

/// The providers of a metric as `ValidateMetric` counts them: each known provider that is
/// set, plus each entry of `plugin`. Keys Go does not know are dropped when the run is read.
pub fn provider_count(provider: Option<&Value>) -> usize {
    const KNOWN: [&str; 11] = [
        "prometheus",
        "job",
        "web",
        "wavefront",
        "kayenta",
        "datadog",
        "newRelic",
        "cloudWatch",
        "graphite",
        "influxdb",
        "skywalking",
    ];
    let Some(p) = provider.and_then(Value::as_object) else {
        return 0;
    };
    let known = KNOWN
        .iter()
        .filter(|k| p.get(**k).is_some_and(|v| !v.is_null()))
        .count();
    let plugins = p
        .get("plugin")
        .and_then(Value::as_object)
        .map_or(0, |m| m.len());
    known + plugins
}

/// A provider configuration the provider refuses when the measurement is taken, with the
/// JSON pointer (relative to the metric) of the field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderError {
    pub pointer: String,
    pub message: &'static str,
}

/// Provider settings refused when the measurement runs (AR-20), where the manifest decides
/// them. An empty Prometheus address is left alone: the controller may take it from
/// `ARGO_ROLLOUTS_PROMETHEUS_ADDRESS`.
pub fn provider_errors(metric: &Value, resolve: Resolver<'_>) -> Vec<ProviderError> {
    let mut out = Vec::new();
    let known = |v: Option<&Value>| -> Known<String> {
        match v {
            None | Some(Value::Null) => Known::Absent,
            Some(Value::String(s)) => resolve(s).map_or(Known::Unknown, Known::Is),
            Some(other) => Known::Is(other.to_string()),
        }
    };
    let set = |k: &Known<String>| match k {
        Known::Is(s) => !s.is_empty(),
        Known::Unknown => true,
        Known::Absent => false,
    };
    let empty = |k: &Known<String>| matches!(k, Known::Absent) || *k == Known::Is(String::new());
    let mut push = |pointer: &str, message| {
        out.push(ProviderError {
            pointer: pointer.to_owned(),
            message,
        })
    };

    if let Some(p) = metric
        .lookup("/provider/prometheus")
        .filter(|v| v.is_object())
    {
        if let Known::Is(address) = known(p.get("address"))
            && !address.is_empty()
            && !is_url(&address)
        {
            push(
                "/provider/prometheus/address",
                "prometheus address is not is url format",
            );
        }
        if let Some(t) = p.get("timeout").and_then(Value::as_i64)
            && t < 0
        {
            push(
                "/provider/prometheus/timeout",
                "prometheus timeout should not be negative",
            );
        }
        let basic = p.lookup("/authentication/basicAuth");
        let user = known(basic.and_then(|b| b.get("username")));
        let password = known(basic.and_then(|b| b.get("password")));
        if set(&user) && empty(&password) {
            push(
                "/provider/prometheus/authentication/basicAuth",
                "missing mandatory parameter in metric for basic auth setup: password",
            );
        } else if set(&password) && empty(&user) {
            push(
                "/provider/prometheus/authentication/basicAuth",
                "missing mandatory parameter in metric for basic auth setup: username",
            );
        }
        oauth2(p, "/provider/prometheus", &known, &set, &empty, &mut push);
    }
    if let Some(w) = metric.lookup("/provider/web").filter(|v| v.is_object()) {
        let body = known(w.get("body"));
        let json_body = w.get("jsonBody").is_some_and(|v| !v.is_null());
        let method = known(w.get("method"));
        if set(&body) && json_body {
            push(
                "/provider/web/jsonBody",
                "use either Body or JSONBody; both cannot exists for WebMetric payload",
            );
        } else if (set(&body) || json_body) && (empty(&method) || method == Known::Is("GET".into()))
        {
            let at = if w.get("method").is_some() {
                "/provider/web/method"
            } else if json_body {
                "/provider/web/jsonBody"
            } else {
                "/provider/web/body"
            };
            push(
                at,
                "Body/JSONBody can only be used with POST or PUT WebMetric Method types",
            );
        }
        oauth2(w, "/provider/web", &known, &set, &empty, &mut push);
    }
    out
}

fn oauth2(
    provider: &Value,
    base: &str,
    known: &dyn Fn(Option<&Value>) -> Known<String>,
    set: &dyn Fn(&Known<String>) -> bool,
    empty: &dyn Fn(&Known<String>) -> bool,
    push: &mut dyn FnMut(&str, &'static str),
) {
    let Some(o) = provider.lookup("/authentication/oauth2") else {
        return;
    };
    if set(&known(o.get("tokenUrl")))
        && (empty(&known(o.get("clientId"))) || empty(&known(o.get("clientSecret"))))
    {
        push(
            &format!("{base}/authentication/oauth2"),
            "missing mandatory parameter in metric for OAuth2 setup",
        );
    }
}

/// `IsUrl` of the Prometheus provider: `url.Parse` succeeds and gives a scheme and a host.
/// Only what Go surely refuses is refused.
pub fn is_url(s: &str) -> bool {
    if s.bytes().any(|b| b < 0x20 || b == 0x7f) {
        return false;
    }
    let Some((scheme, rest)) = s.split_once(':') else {
        return false;
    };
    let scheme_ok = scheme
        .bytes()
        .next()
        .is_some_and(|b| b.is_ascii_alphabetic())
        && scheme
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'));
    if !scheme_ok {
        return false;
    }
    let Some(rest) = rest.strip_prefix("//") else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    if host.is_empty() || host.contains(' ') {
        return false;
    }
    // A port after the last `:` (outside an IPv6 literal) must be digits.
    let after_bracket = host.rsplit_once(']').map_or(host, |(_, p)| p);
    if let Some((_, port)) = after_bracket.rsplit_once(':')
        && !port.bytes().all(|b| b.is_ascii_digit())
    {
        return false;
    }
    true
}

/// Go's `time.ParseDuration`, for its error text.
pub fn parse_go_duration(orig: &str) -> Result<(), String> {
    const LIMIT: u64 = 1 << 63;
    let invalid = || format!("time: invalid duration {}", time_quote(orig));
    let mut s = orig.as_bytes();
    let mut d: u64 = 0;
    let mut neg = false;
    if let Some(&c) = s.first()
        && (c == b'-' || c == b'+')
    {
        neg = c == b'-';
        s = &s[1..];
    }
    if s == b"0" {
        return Ok(());
    }
    if s.is_empty() {
        return Err(invalid());
    }
    while !s.is_empty() {
        if !(s[0] == b'.' || s[0].is_ascii_digit()) {
            return Err(invalid());
        }
        // leadingInt
        let before = s.len();
        let mut v: u64 = 0;
        let mut i = 0;
        while i < s.len() && s[i].is_ascii_digit() {
            if v > LIMIT / 10 {
                return Err(invalid());
            }
            v = v * 10 + u64::from(s[i] - b'0');
            if v > LIMIT {
                return Err(invalid());
            }
            i += 1;
        }
        s = &s[i..];
        let pre = before != s.len();
        // leadingFraction
        let mut f: u64 = 0;
        let mut scale = 1.0_f64;
        let mut post = false;
        if s.first() == Some(&b'.') {
            s = &s[1..];
            let before = s.len();
            let mut overflow = false;
            let mut i = 0;
            while i < s.len() && s[i].is_ascii_digit() {
                if !overflow {
                    if f > (LIMIT - 1) / 10 {
                        overflow = true;
                    } else {
                        let y = f * 10 + u64::from(s[i] - b'0');
                        if y > LIMIT {
                            overflow = true;
                        } else {
                            f = y;
                            scale *= 10.0;
                        }
                    }
                }
                i += 1;
            }
            s = &s[i..];
            post = before != s.len();
        }
        if !pre && !post {
            return Err(invalid());
        }
        let mut i = 0;
        while i < s.len() && !(s[i] == b'.' || s[i].is_ascii_digit()) {
            i += 1;
        }
        if i == 0 {
            return Err(format!(
                "time: missing unit in duration {}",
                time_quote(orig)
            ));
        }
        let unit_text = std::str::from_utf8(&s[..i]).unwrap_or("");
        s = &s[i..];
        let unit: u64 = match unit_text {
            "ns" => 1,
            "us" | "\u{b5}s" | "\u{3bc}s" => 1_000,
            "ms" => 1_000_000,
            "s" => 1_000_000_000,
            "m" => 60_000_000_000,
            "h" => 3_600_000_000_000,
            _ => {
                return Err(format!(
                    "time: unknown unit {} in duration {}",
                    time_quote(unit_text),
                    time_quote(orig)
                ));
            }
        };
        if v > LIMIT / unit {
            return Err(invalid());
        }
        v *= unit;
        if f > 0 {
            v += (f as f64 * (unit as f64 / scale)) as u64;
            if v > LIMIT {
                return Err(invalid());
            }
        }
        d += v;
        if d > LIMIT {
            return Err(invalid());
        }
    }
    if !neg && d > LIMIT - 1 {
        return Err(invalid());
    }
    Ok(())
}

/// The `quote` of Go's `time` package: printable ASCII as is (`"` and `\` escaped), every
/// other byte as `\xNN`.
fn time_quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        if (c as u32) < 0x20 || (c as u32) >= 0x80 {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("\\x{b:02x}"));
            }
        } else {
            if c == '"' || c == '\\' {
                out.push('\\');
            }
            out.push(c);
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn check(m: Value) -> Vec<(&'static str, String)> {
        check_for(m, RolloutsVersion::default())
    }

    fn check_for(m: Value, version: RolloutsVersion) -> Vec<(&'static str, String)> {
        validate_metric(&m, &literal, version)
            .into_iter()
            .map(|i| (i.rule, i.message))
            .collect()
    }

    #[test]
    fn limits_before_1_8() {
        let v = RolloutsVersion::V1_7;
        let first = |m| check_for(m, v).into_iter().next();
        // failureLimit -1 (disabled) came in 1.8: before, a negative limit is refused.
        assert_eq!(
            first(json!({"failureLimit": -1, "provider": {"web": {}}})),
            Some(("AR-05", "failureLimit must be >= 0".to_owned()))
        );
        assert_eq!(
            first(
                json!({"count": 2, "interval": "1m", "failureLimit": 3, "provider": {"web": {}}})
            ),
            Some(("AR-09", "count must be >= failureLimit".to_owned()))
        );
        // consecutiveSuccessLimit does not exist (API-07 reports it), so it adds nothing.
        assert_eq!(
            first(
                json!({"count": 2, "interval": "1m", "failureLimit": 2, "consecutiveSuccessLimit": 1, "provider": {"web": {}}})
            ),
            None
        );
        assert_eq!(
            check(json!({"count": 2, "interval": "1m", "failureLimit": 2, "consecutiveSuccessLimit": 1, "provider": {"web": {}}}))[0].0,
            "AR-09"
        );
    }

    #[test]
    fn durations_fail_with_go_text() {
        assert_eq!(parse_go_duration("5s"), Ok(()));
        assert_eq!(parse_go_duration("1h30m0.5s"), Ok(()));
        assert_eq!(parse_go_duration("-0"), Ok(()));
        assert_eq!(parse_go_duration(".5s"), Ok(()));
        assert_eq!(parse_go_duration("3µs"), Ok(()));
        assert_eq!(
            parse_go_duration("5").unwrap_err(),
            "time: missing unit in duration \"5\""
        );
        assert_eq!(
            parse_go_duration("5 min").unwrap_err(),
            "time: unknown unit \" min\" in duration \"5 min\""
        );
        assert_eq!(
            parse_go_duration("five").unwrap_err(),
            "time: invalid duration \"five\""
        );
        assert_eq!(
            parse_go_duration("").unwrap_err(),
            "time: invalid duration \"\""
        );
        assert_eq!(
            parse_go_duration(".s").unwrap_err(),
            "time: invalid duration \".s\""
        );
        assert_eq!(
            parse_go_duration("3000000h").unwrap_err(),
            "time: invalid duration \"3000000h\""
        );
        assert_eq!(
            parse_go_duration("1é").unwrap_err(),
            "time: unknown unit \"\\xc3\\xa9\" in duration \"1\\xc3\\xa9\""
        );
    }

    #[test]
    fn limits_in_controller_order() {
        assert_eq!(
            check(
                json!({"count": 2, "interval": "1m", "failureLimit": 2, "consecutiveSuccessLimit": 1, "provider": {"web": {}}})
            ),
            vec![(
                "AR-09",
                "count (2) must be >= failureLimit + consecutiveSuccessLimit (2 + 1) if both >= 0"
                    .to_owned()
            )]
        );
        assert_eq!(
            check(json!({"failureLimit": -1, "provider": {"web": {}}}))[0].0,
            "AR-06"
        );
        // Only the first of the dependent checks.
        assert_eq!(
            check(
                json!({"failureLimit": -2, "consecutiveSuccessLimit": 3, "count": 2, "interval": "1m", "provider": {"web": {}}})
            ),
            vec![(
                "AR-05",
                "failureLimit must be >= 0, or -1 to be disabled".to_owned()
            )]
        );
        assert_eq!(
            check(json!({"count": 1, "inconclusiveLimit": 2, "provider": {"job": {}}}))[0].0,
            "AR-11"
        );
        // Strings are Atoi'd, non-numeric ones are 0.
        assert_eq!(
            check(json!({"count": "3", "provider": {"job": {}}}))[0].0,
            "AR-12"
        );
        assert!(check(json!({"count": "three", "provider": {"job": {}}})).is_empty());
        // A placeholder is unknown.
        assert!(check(json!({"count": "{{args.n}}", "provider": {"job": {}}})).is_empty());
        assert!(
            check(json!({"count": 5, "interval": "{{args.i}}", "provider": {"job": {}}}))
                .is_empty()
        );
    }

    #[test]
    fn providers() {
        assert_eq!(check(json!({"provider": {}}))[0].0, "AR-15");
        assert_eq!(check(json!({"provider": {"prometeus": {}}}))[0].0, "AR-15");
        assert_eq!(
            check(json!({"provider": {"web": {}, "job": {}}}))[0].0,
            "AR-16"
        );
        assert_eq!(
            check(json!({"provider": {"plugin": {"a/b": {}, "c/d": {}}}}))[0].0,
            "AR-16"
        );
        assert!(check(json!({"provider": {"plugin": {"a/b": {}}}})).is_empty());
    }

    #[test]
    fn urls() {
        assert!(is_url("http://prometheus.monitoring:9090"));
        assert!(is_url("https://user:pw@host/path?q=1"));
        assert!(is_url("http://[::1]:9090"));
        assert!(!is_url("prometheus.monitoring:9090"));
        assert!(!is_url("prometheus:9090"));
        assert!(!is_url("http://"));
        assert!(!is_url("http://host:port"));
        assert!(!is_url("/api/v1"));
    }

    #[test]
    fn provider_settings() {
        let m = json!({"provider": {"prometheus": {"address": "prometheus:9090", "timeout": -1}}});
        let got: Vec<&str> = provider_errors(&m, &literal)
            .iter()
            .map(|e| e.message)
            .collect();
        assert_eq!(
            got,
            vec![
                "prometheus address is not is url format",
                "prometheus timeout should not be negative"
            ]
        );
        let m = json!({"provider": {"prometheus": {"address": "{{args.address}}"}}});
        assert!(provider_errors(&m, &literal).is_empty());
        let m = json!({"provider": {"web": {"url": "http://x", "body": "{}"}}});
        assert_eq!(
            provider_errors(&m, &literal)[0].message,
            "Body/JSONBody can only be used with POST or PUT WebMetric Method types"
        );
        let m = json!({"provider": {"web": {"url": "http://x", "method": "POST", "jsonBody": {"a": 1}}}});
        assert!(provider_errors(&m, &literal).is_empty());
        let m = json!({"provider": {"prometheus": {"address": "http://p", "authentication": {"basicAuth": {"username": "u"}}}}});
        assert_eq!(
            provider_errors(&m, &literal)[0].message,
            "missing mandatory parameter in metric for basic auth setup: password"
        );
    }
}
