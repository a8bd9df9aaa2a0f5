//! `rollwright explain` as a user runs it: the flow of each configuration the controller's
//! behaviour depends on (snapshots, in English and Japanese, reviewed against the table in
//! docs/explain.md), the points of issue 16 one by one, every printed command against the
//! kubectl-argo-rollouts plugin's grammar, and explain against validate.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use common::{repo, rollwright, run_in};

const EXAMPLE: &str = "examples/rollouts-demo";
const BG: &str = "rollout.strategy.blueGreen";

/// Where a configuration's values come from.
#[derive(Debug, Clone, Copy)]
enum Base {
    /// `examples/rollouts-demo`, the runbook's release.
    Example,
    /// What `rollwright init --pattern P` writes.
    Init(&'static str),
    /// The example with an extra template rendering an Ingress to the active Service, and
    /// to the preview Service too when `preview` is set.
    WithIngress { preview: bool },
}

struct Config {
    name: &'static str,
    base: Base,
    /// Flags after `explain CHART`.
    flags: Vec<String>,
}

fn set(pairs: &[(&str, &str)]) -> Vec<String> {
    let joined = pairs
        .iter()
        .map(|(k, v)| format!("{BG}.{k}={v}"))
        .collect::<Vec<_>>()
        .join(",");
    vec!["--set".into(), joined]
}

fn post_analysis() -> Vec<String> {
    vec![
        "--set-json".into(),
        format!(
            "{BG}.postPromotionAnalysis={{\"templates\":[{{\"templateName\":\"success-rate\"}}],\"args\":[{{\"name\":\"service-name\",\"value\":\"rollouts-demo-active\"}}]}}"
        ),
    ]
}

/// The example's metric with a condition that passes on an empty result.
fn guarded() -> Vec<String> {
    vec![
        "--set-json".into(),
        r#"analysisTemplates.success-rate.metrics=[{"name":"success-rate","interval":"1m","count":5,"successCondition":"len(result) == 0 || result[0] >= 0.95","failureLimit":2,"provider":{"prometheus":{"address":"http://prometheus.monitoring.svc.cluster.local:9090","query":"sum(rate(nginx_ingress_controller_requests{service=\"{{args.service-name}}\",status!~\"5.*\"}[2m])) / sum(rate(nginx_ingress_controller_requests{service=\"{{args.service-name}}\"}[2m]))"}}}]"#.into(),
    ]
}

fn cfg(name: &'static str, base: Base, flags: Vec<String>) -> Config {
    Config { name, base, flags }
}

fn with(mut a: Vec<String>, b: Vec<String>) -> Vec<String> {
    a.extend(b);
    a
}

/// The 26 configurations of issue 16, then the ones that reach the remaining statements.
fn configs() -> Vec<Config> {
    use Base::*;
    let mut out = vec![cfg("example", Example, vec![])];
    for (auto, a) in [("off", "false"), ("on", "true")] {
        for (secs, s) in [("0", "0"), ("60", "60"), ("1", "1"), ("negative", "-5")] {
            let name: &'static str =
                Box::leak(format!("auto-{auto}-seconds-{secs}").into_boxed_str());
            out.push(cfg(
                name,
                Example,
                set(&[("autoPromotionEnabled", a), ("autoPromotionSeconds", s)]),
            ));
        }
    }
    out.extend([
        cfg(
            "scale-down-0",
            Example,
            set(&[("scaleDownDelaySeconds", "0")]),
        ),
        cfg(
            "scale-down-unset",
            Example,
            set(&[("scaleDownDelaySeconds", "null")]),
        ),
        cfg(
            "preview-replica-count",
            Example,
            set(&[("previewReplicaCount", "1")]),
        ),
        cfg(
            "abort-delay-0",
            Example,
            with(set(&[("abortScaleDownDelaySeconds", "0")]), post_analysis()),
        ),
        cfg(
            "abort-delay-120",
            Example,
            with(
                set(&[("abortScaleDownDelaySeconds", "120")]),
                post_analysis(),
            ),
        ),
        cfg(
            "analysis-none",
            Example,
            set(&[("prePromotionAnalysis", "null")]),
        ),
        cfg(
            "analysis-post",
            Example,
            with(
                set(&[
                    ("autoPromotionEnabled", "true"),
                    ("prePromotionAnalysis", "null"),
                ]),
                post_analysis(),
            ),
        ),
        cfg("analysis-pre-and-post", Example, post_analysis()),
        cfg(
            "auto-no-analysis",
            Example,
            set(&[
                ("autoPromotionEnabled", "true"),
                ("prePromotionAnalysis", "null"),
            ]),
        ),
        cfg("no-preview", Example, set(&[("previewService", "null")])),
        cfg(
            "no-preview-auto",
            Example,
            set(&[
                ("previewService", "null"),
                ("autoPromotionEnabled", "true"),
                ("prePromotionAnalysis", "null"),
            ]),
        ),
        cfg(
            "revision-limit",
            Example,
            set(&[("scaleDownDelayRevisionLimit", "1")]),
        ),
        cfg(
            "revision-limit-scale-down-0",
            Example,
            set(&[
                ("scaleDownDelaySeconds", "0"),
                ("scaleDownDelayRevisionLimit", "2"),
            ]),
        ),
        cfg(
            "post-scale-down-0",
            Example,
            with(
                set(&[
                    ("autoPromotionEnabled", "true"),
                    ("prePromotionAnalysis", "null"),
                    ("scaleDownDelaySeconds", "0"),
                ]),
                post_analysis(),
            ),
        ),
        cfg("init-safe", Init("safe"), vec![]),
        cfg("init-fast", Init("fast"), vec![]),
        cfg("init-hybrid", Init("hybrid"), vec![]),
        // Beyond the 26: every other statement.
        cfg(
            "auto-after-post",
            Example,
            with(
                set(&[
                    ("autoPromotionEnabled", "true"),
                    ("autoPromotionSeconds", "60"),
                    ("prePromotionAnalysis", "null"),
                ]),
                post_analysis(),
            ),
        ),
        cfg(
            "auto-never-post",
            Example,
            with(
                set(&[
                    ("autoPromotionEnabled", "true"),
                    ("autoPromotionSeconds", "-1"),
                ]),
                post_analysis(),
            ),
        ),
        cfg(
            "scale-down-short",
            Example,
            set(&[("scaleDownDelaySeconds", "10")]),
        ),
        cfg(
            "scale-down-negative",
            Example,
            set(&[("scaleDownDelaySeconds", "-1")]),
        ),
        cfg(
            "revision-limit-0",
            Example,
            set(&[("scaleDownDelayRevisionLimit", "0")]),
        ),
        cfg(
            "revision-limit-0-scale-down-0",
            Example,
            set(&[
                ("scaleDownDelaySeconds", "0"),
                ("scaleDownDelayRevisionLimit", "0"),
            ]),
        ),
        cfg(
            "preview-above-replicas",
            Example,
            set(&[("previewReplicaCount", "3")]),
        ),
        cfg(
            "no-gate",
            Example,
            with(
                set(&[
                    ("autoPromotionEnabled", "true"),
                    ("prePromotionAnalysis", "null"),
                ]),
                vec!["--set".into(), "readinessProbe=null".into()],
            ),
        ),
        cfg(
            "defaults-only",
            Example,
            set(&[
                ("autoPromotionEnabled", "null"),
                ("scaleDownDelaySeconds", "null"),
                ("prePromotionAnalysis", "null"),
            ]),
        ),
        cfg("guarded-condition", Example, guarded()),
        cfg("ingress-unrouted", WithIngress { preview: false }, vec![]),
        cfg(
            "ingress-unrouted-guarded",
            WithIngress { preview: false },
            guarded(),
        ),
        cfg("ingress-routed", WithIngress { preview: true }, vec![]),
        cfg("namespace", Example, vec!["-n".into(), "shop".into()]),
    ]);
    out
}

const INGRESS_TEMPLATE: &str = r#"{% set bg = values.rollout.strategy.blueGreen %}
{% for service in [bg.activeService, bg.previewService] if service and (service == bg.activeService or PREVIEW_FLAG) %}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: {{ service }}
spec:
  ingressClassName: nginx
  rules:
  - host: {{ service ~ ".example.com" }}
    http:
      paths:
      - path: /
        pathType: Prefix
        backend:
          service:
            name: {{ service }}
            port:
              number: 80
{% endfor %}
"#;

/// A directory to run in and the chart argument, for a base.
fn prepare(base: Base) -> (Option<tempfile::TempDir>, PathBuf, String) {
    match base {
        Base::Example => (None, repo(), EXAMPLE.into()),
        Base::Init(pattern) => {
            let dir = tempfile::tempdir().unwrap();
            let r = run_in(
                dir.path(),
                &["init", ".", "--name", "rollouts-demo", "--pattern", pattern],
            );
            assert_eq!(r.code, 0, "{}", r.stderr);
            let path = dir.path().to_path_buf();
            (Some(dir), path, ".".into())
        }
        Base::WithIngress { preview } => {
            let dir = tempfile::tempdir().unwrap();
            std::fs::copy(
                repo().join(EXAMPLE).join("values.yaml"),
                dir.path().join("values.yaml"),
            )
            .unwrap();
            std::fs::create_dir(dir.path().join("chart-templates")).unwrap();
            std::fs::write(
                dir.path().join("chart-templates/ingress.yaml"),
                INGRESS_TEMPLATE.replace("PREVIEW_FLAG", if preview { "true" } else { "false" }),
            )
            .unwrap();
            let path = dir.path().to_path_buf();
            (Some(dir), path, ".".into())
        }
    }
}

fn explain_in(dir: &Path, chart: &str, flags: &[String], extra: &[&str]) -> String {
    let mut args: Vec<&str> = vec!["explain", chart];
    args.extend(flags.iter().map(String::as_str));
    args.extend_from_slice(extra);
    let r = run_in(dir, &args);
    assert_eq!(r.code, 0, "explain {args:?}: {}", r.stderr);
    r.stdout
}

fn explain(c: &Config, extra: &[&str]) -> String {
    let (_keep, dir, chart) = prepare(c.base);
    explain_in(&dir, &chart, &c.flags, extra)
}

fn config(name: &str) -> Config {
    configs()
        .into_iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("no configuration {name}"))
}

/// The text output of every configuration in each language, computed once for all tests
/// (in parallel: each is a process or two).
fn outputs() -> &'static std::collections::BTreeMap<(&'static str, &'static str), String> {
    static OUT: std::sync::OnceLock<
        std::collections::BTreeMap<(&'static str, &'static str), String>,
    > = std::sync::OnceLock::new();
    OUT.get_or_init(|| {
        let configs = configs();
        std::thread::scope(|scope| {
            let handles: Vec<_> = configs
                .iter()
                .map(|c| {
                    scope.spawn(move || {
                        let (_keep, dir, chart) = prepare(c.base);
                        let en = explain_in(&dir, &chart, &c.flags, &[]);
                        let ja = explain_in(&dir, &chart, &c.flags, &["--lang", "ja"]);
                        [((c.name, "en"), en), ((c.name, "ja"), ja)]
                    })
                })
                .collect();
            handles
                .into_iter()
                .flat_map(|h| h.join().unwrap())
                .collect()
        })
    })
}

fn output(name: &str, lang: &str) -> &'static str {
    outputs()
        .iter()
        .find(|((n, l), _)| *n == name && *l == lang)
        .map(|(_, out)| out.as_str())
        .unwrap_or_else(|| panic!("no configuration {name}"))
}

fn en(name: &str) -> String {
    output(name, "en").to_owned()
}

fn ja(name: &str) -> String {
    output(name, "ja").to_owned()
}

// Snapshots: each configuration in both languages, one file per configuration.

#[test]
fn every_configuration_in_both_languages() {
    for c in configs() {
        let (en, ja) = (output(c.name, "en"), output(c.name, "ja"));
        let flags = c.flags.join(" ");
        let base = match c.base {
            Base::Example => EXAMPLE.to_owned(),
            Base::Init(p) => format!("rollwright init --pattern {p}"),
            Base::WithIngress { preview } => format!("{EXAMPLE} + Ingress (preview: {preview})"),
        };
        let description = format!("{base} {flags}").trim_end().to_owned();
        insta::with_settings!({ description => description, omit_expression => true }, {
            insta::assert_snapshot!(c.name, format!("{en}\n----- ja -----\n\n{ja}"));
        });
    }
}

#[test]
fn the_26_configurations_of_the_issue_are_all_there() {
    let names: BTreeSet<&str> = configs().iter().map(|c| c.name).collect();
    let issue = [
        "example",
        "auto-off-seconds-0",
        "auto-off-seconds-60",
        "auto-off-seconds-1",
        "auto-off-seconds-negative",
        "auto-on-seconds-0",
        "auto-on-seconds-60",
        "auto-on-seconds-1",
        "auto-on-seconds-negative",
        "scale-down-0",
        "scale-down-unset",
        "preview-replica-count",
        "abort-delay-0",
        "abort-delay-120",
        "analysis-none",
        "analysis-post",
        "analysis-pre-and-post",
        "auto-no-analysis",
        "no-preview",
        "no-preview-auto",
        "revision-limit",
        "revision-limit-scale-down-0",
        "post-scale-down-0",
        "init-safe",
        "init-fast",
        "init-hybrid",
    ];
    assert_eq!(issue.len(), 26);
    for n in issue {
        assert!(names.contains(n), "{n}");
    }
}

// The points of issue 16.

#[test]
fn point_1_retry_names_the_rollout_subcommand() {
    for c in configs() {
        let out = en(c.name);
        assert!(
            out.contains("$ kubectl argo rollouts retry rollout "),
            "{}",
            c.name
        );
        assert!(
            !out.contains("rollouts retry rollouts-demo"),
            "{}: {out}",
            c.name
        );
    }
    // The bare form is what the plugin refuses.
    assert!(plugin("argo rollouts retry rollouts-demo").is_err());
    assert!(plugin("argo rollouts retry rollout rollouts-demo").is_ok());
}

#[test]
fn point_2_with_a_delay_only_promote_full_promotes_early() {
    let out = en("auto-on-seconds-60");
    assert!(
        out.contains("Promotion: automatic after 60 seconds"),
        "{out}"
    );
    assert!(
        out.contains("promotes it by itself 60 seconds after the pause began"),
        "{out}"
    );
    assert!(
        out.contains("A plain `promote` does not promote earlier"),
        "{out}"
    );
    assert!(
        out.contains("the countdown of 60 seconds starts over"),
        "{out}"
    );
    assert!(!out.contains("Promote earlier by hand"), "{out}");
    let step = section(&out, "Promotion: automatic after", "Switch:");
    assert!(
        step.contains("$ kubectl argo rollouts promote rollouts-demo --full\n"),
        "{step}"
    );
    assert!(
        !step.contains("$ kubectl argo rollouts promote rollouts-demo\n"),
        "{step}"
    );
    // With a post-promotion analysis, `--full` skips it too.
    let out = en("auto-after-post");
    assert!(
        out.contains("`promote --full` skips the post-promotion analysis too."),
        "{out}"
    );
    let out = ja("auto-on-seconds-60");
    assert!(out.contains("60秒のカウントが最初から始まります"), "{out}");
}

#[test]
fn point_3_scale_down_delay_0_keeps_the_old_pods() {
    let out = en("scale-down-0");
    assert!(
        out.contains("warning P-03: `scaleDownDelaySeconds: 0` writes no scale-down deadline, so the old ReplicaSet is never scaled down"),
        "{out}"
    );
    assert!(
        out.contains("Without a deadline `undo` is never a fast rollback either."),
        "{out}"
    );
    assert!(out.contains("so this is never a fast rollback"), "{out}");
    assert!(!out.contains(" 0 seconds"), "{out}");
    assert!(
        !out.contains("Until then `undo` is a fast rollback"),
        "{out}"
    );
    assert!(
        out.contains("The old version is never scaled down (`scaleDownDelaySeconds: 0`)"),
        "{out}"
    );
    // With a revision limit, only the newest old ReplicaSets stay.
    let out = en("revision-limit-scale-down-0");
    assert!(
        out.contains("old ReplicaSets keep all their pods, except beyond the newest 2"),
        "{out}"
    );
    // P-03 says the same.
    let findings = validate_findings(&config("scale-down-0"));
    let p03 = findings.iter().find(|f| f.0 == "P-03").expect("P-03");
    assert!(p03.2.contains("never scaled down"), "{p03:?}");
}

#[test]
fn point_4_negative_auto_promotion_seconds_never_promotes() {
    let out = en("auto-on-seconds-negative");
    assert!(out.contains("Promotion: never by itself"), "{out}");
    assert!(
        out.contains("error P-09: `autoPromotionSeconds: -5` is negative"),
        "{out}"
    );
    assert!(out.contains("never promotes by itself"), "{out}");
    assert!(!out.contains("automatic, no pause"), "{out}");
    assert!(
        out.contains("A plain `promote` has no effect (there is no pause to clear), yet prints `rollout 'rollouts-demo' promoted`"),
        "{out}"
    );
    // validate: an error, so the exit code is 1.
    let c = config("auto-on-seconds-negative");
    let findings = validate_findings(&c);
    assert!(
        findings.iter().any(|f| f.0 == "P-09" && f.1 == "error"),
        "{findings:?}"
    );
    let rendered = render(&c);
    let r = rollwright()
        .args(["validate", "-"])
        .write_stdin(rendered)
        .output()
        .unwrap();
    assert_eq!(r.status.code(), Some(1));
    // With manual promotion a negative delay is merely ignored (P-01), not P-09.
    let out = en("auto-off-seconds-negative");
    assert!(!out.contains("P-09"), "{out}");
    assert!(out.contains("warning P-01"), "{out}");
}

/// The `autoPromotionSeconds` countdown begins only once the pre-promotion analysis has
/// succeeded (RULES.md §5.5): the summary must not count it from "ready".
#[test]
fn the_auto_promotion_wait_starts_after_the_pre_promotion_analysis() {
    let out = en("auto-on-seconds-60");
    assert!(
        out.contains("Automatic promotion 60 seconds after the pre-promotion analysis has succeeded (`autoPromotionSeconds`): the wait starts only then, not when the new version is ready."),
        "{out}"
    );
    assert!(
        !out.contains("Automatic promotion 60 seconds after the new version is ready"),
        "{out}"
    );
    let out = ja("auto-on-seconds-60");
    assert!(
        out.contains("自動Promote：Pre-Promotion Analysisが成功してから60秒後に切り替わります"),
        "{out}"
    );
    // Without a pre-promotion analysis the pause begins when the new pods are ready.
    let out = en("auto-after-post");
    assert!(
        out.contains("Automatic promotion 60 seconds after the new version is ready (`autoPromotionSeconds`)."),
        "{out}"
    );
}

/// In the automatic modes a plain `promote` is never printed as a step: it promotes
/// nothing (no pause at 0 s or with a negative delay, a restarted countdown with a positive
/// one; RULES.md §5.5, §5.9).
#[test]
fn plain_promote_is_not_a_step_of_automatic_promotion() {
    for name in [
        "auto-on-seconds-0",
        "auto-on-seconds-60",
        "auto-on-seconds-1",
        "auto-on-seconds-negative",
        "auto-after-post",
        "init-fast",
        "init-hybrid",
    ] {
        for out in [en(name), ja(name)] {
            let plain: Vec<String> = commands_of(&out)
                .into_iter()
                .filter(|c| c.starts_with("kubectl argo rollouts promote") && !c.contains("--full"))
                .collect();
            assert!(plain.is_empty(), "{name}: {plain:?}\n{out}");
        }
    }
    // Manual promotion prints it.
    assert!(
        commands_of(&en("example"))
            .contains(&"kubectl argo rollouts promote rollouts-demo".to_owned())
    );
}

#[test]
fn point_5_the_switch_back_needs_the_new_pods_available() {
    let out = en("analysis-post");
    assert!(
        out.contains("but only while the new ReplicaSet has all its pods available"),
        "{out}"
    );
    assert!(
        out.contains("if the analysis failed because new pods became unready, the active Service stays on the new ReplicaSet, and selects no pods at all once that is scaled down, 30 seconds later"),
        "{out}"
    );
    assert!(
        out.contains("Check which ReplicaSet `get rollout` marks `active`"),
        "{out}"
    );
    let step = section(&out, "Post-promotion analysis", "Old version scaled down");
    assert!(
        step.contains("$ kubectl argo rollouts undo rollouts-demo\n"),
        "{step}"
    );
    assert!(
        !out.contains("is switched back to the old (stable) ReplicaSet;"),
        "{out}"
    );
    let out = en("abort-delay-0");
    assert!(
        out.contains("the active Service stays on the new ReplicaSet's pods, which `abortScaleDownDelaySeconds: 0` leaves running"),
        "{out}"
    );
}

#[test]
fn point_6_abort_after_completion_does_nothing_and_git_must_be_reverted() {
    for c in configs() {
        let out = en(c.name);
        let step = section(&out, "Abort an update", "Roll back");
        assert!(
            step.contains(
                "Once the update has completed (the new ReplicaSet is stable), `abort` does nothing"
            ),
            "{}: {step}",
            c.name
        );
        assert!(
            step.contains("`abort` does not change `spec.template`"),
            "{}",
            c.name
        );
        assert!(step.contains("Revert the change in Git"), "{}", c.name);
        assert!(!out.contains("Stops the update: the active Service goes (back)"));
    }
}

#[test]
fn point_7_the_missing_and_misleading_pieces() {
    // Post-promotion Inconclusive.
    let out = en("analysis-post");
    assert!(
        section(&out, "Post-promotion analysis", "Old version").contains("On `Inconclusive`"),
        "{out}"
    );
    // `promote` during the pre-promotion analysis prints "promoted" with no effect.
    let out = en("example");
    assert!(
        out.contains(
            "`promote` has no effect while it runs, yet prints `rollout 'rollouts-demo' promoted`"
        ),
        "{out}"
    );
    // No window to test the preview when nothing waits.
    let out = en("auto-no-analysis");
    assert!(out.contains("nothing waits for a test"), "{out}");
    assert!(!out.contains("test the new version through it"), "{out}");
    assert!(!out.contains("port-forward"), "{out}");
    let out = en("auto-on-seconds-60");
    assert!(out.contains("test the new version through it"), "{out}");
    // With no preview Service nothing speaks of "the preview" Service.
    for name in ["no-preview", "no-preview-auto"] {
        let out = en(name);
        assert!(!out.contains("preview Service `"), "{name}: {out}");
        assert!(!out.contains("the preview keeps"), "{name}: {out}");
        assert!(out.contains("No preview Service is named"), "{name}: {out}");
        assert!(!out.contains("no preview Service at it"), "{name}: {out}");
    }
    // Summaries keep the delay and the post-promotion analysis.
    let out = en("analysis-post");
    let summary = out.lines().nth(1).unwrap();
    assert!(
        summary.contains("post-promotion analysis (`success-rate`)"),
        "{summary}"
    );
    assert!(
        summary.contains("scaled down 30 seconds after"),
        "{summary}"
    );
    assert!(summary.contains("pattern 2"), "{summary}");
    // No grammar slips in any configuration, in either language.
    for c in configs() {
        for out in [en(c.name), ja(c.name)] {
            for slip in [
                "scaled down never",
                "points no preview Service",
                "0 0 seconds",
                "to 0 30",
                "replica(s)",
                "  ",
                "..",
                "{",
            ] {
                let body: String = out
                    .lines()
                    .map(str::trim_start)
                    .collect::<Vec<_>>()
                    .join("\n");
                assert!(!body.contains(slip), "{}: {slip:?} in {out}", c.name);
            }
        }
    }
}

#[test]
fn point_8_an_analysis_of_ingress_traffic_nothing_routes() {
    // The example: the query counts ingress-nginx requests to the preview Service, and the
    // chart renders no Ingress.
    let out = en("example");
    assert!(
        out.contains(
            "counts the requests ingress-nginx sends to the Service `rollouts-demo-preview`"
        ),
        "{out}"
    );
    assert!(
        out.contains("so `rollouts-demo-preview` gets requests only if someone sends them through such an Ingress"),
        "{out}"
    );
    assert!(
        out.contains("info P-10: These manifests hold no Ingress. If none in the cluster routes to `rollouts-demo-preview`, the query finds no data: the Prometheus provider counts an empty result as an `Error` measurement"),
        "{out}"
    );
    assert!(out.contains("after 5 errors in a row"), "{out}");
    let findings = validate_findings(&config("example"));
    assert!(
        findings.iter().any(|f| f.0 == "P-10" && f.1 == "info"),
        "{findings:?}"
    );
    // With Ingresses among the manifests and none to the preview Service: a warning.
    let out = en("ingress-unrouted");
    assert!(
        out.contains(
            "warning P-10: No Ingress in these manifests routes to `rollouts-demo-preview`"
        ),
        "{out}"
    );
    let findings = validate_findings(&config("ingress-unrouted"));
    assert!(
        findings.iter().any(|f| f.0 == "P-10" && f.1 == "warning"),
        "{findings:?}"
    );
    // An Ingress to the preview Service: what it measures, and no finding.
    let out = en("ingress-routed");
    assert!(
        out.contains("counts the requests ingress-nginx sends"),
        "{out}"
    );
    assert!(!out.contains("P-10"), "{out}");
    assert!(
        !validate_findings(&config("ingress-routed"))
            .iter()
            .any(|f| f.0 == "P-10")
    );
    // A condition that tests for an empty result passes on no data.
    let out = en("guarded-condition");
    assert!(
        out.contains("decides what that means: the analysis can pass having measured nothing"),
        "{out}"
    );
}

#[test]
fn both_languages_say_the_same_things() {
    // Line for line: the same steps, the same findings on the same lines, the same commands.
    let shape = |out: &str| -> Vec<String> {
        out.lines()
            .map(|l| {
                let t = l.trim_start();
                let indent = l.len() - t.len();
                if let Some(c) = t.strip_prefix("$ ") {
                    format!("{indent} $ {c}")
                } else if let Some(i) = t.find(" P-") {
                    format!("{indent} finding{}", &t[i..i + 5])
                } else {
                    format!("{indent}")
                }
            })
            .collect()
    };
    for c in configs() {
        assert_eq!(
            shape(output(c.name, "en")),
            shape(output(c.name, "ja")),
            "{}",
            c.name
        );
    }
    // Each point, in Japanese too.
    assert!(ja("scale-down-0").contains("警告 P-03: `scaleDownDelaySeconds: 0` ではScale Downの期限が書き込まれないため、旧ReplicaSetはScale Downされません"));
    assert!(
        ja("auto-on-seconds-negative")
            .contains("エラー P-09: `autoPromotionSeconds: -5` は負の値です")
    );
    assert!(
        ja("analysis-post").contains("ただし、それは新しいReplicaSetの全Podが利用可能な間だけです")
    );
    assert!(ja("example").contains(
        "更新が完了した後（新しいReplicaSetがstableになった後）の `abort` は何もしません"
    ));
    assert!(ja("example").contains("`rollout 'rollouts-demo' promoted` と表示されます"));
    assert!(ja("auto-no-analysis").contains("テストを待つ仕組みはありません"));
    assert!(
        ja("analysis-post").contains("`Inconclusive` になると、Active Serviceは新バージョンのまま")
    );
    assert!(ja("example").contains("情報 P-10: このマニフェストにはIngressがありません"));
    assert!(ja("ingress-unrouted").contains("警告 P-10:"));
}

// Issue 14: `-n`, and the chart the user named.

#[test]
fn namespace_flag_reaches_every_kubectl_command() {
    let out = en("namespace");
    let commands = commands_of(&out);
    assert!(!commands.is_empty());
    for c in commands.iter().filter(|c| c.starts_with("kubectl")) {
        assert!(c.ends_with(" -n shop"), "{c}");
    }
    assert!(
        out.contains("$ rollwright render examples/rollouts-demo -n shop | kubectl apply -f -"),
        "{out}"
    );
}

#[test]
fn set_image_names_the_chart_given() {
    let out = en("example");
    assert!(
        out.contains("$ rollwright set-image examples/rollouts-demo \"$TAG\"\n"),
        "{out}"
    );
    assert!(!out.contains("set-image . "), "{out}");
    // A path a shell would split is quoted, and -f files follow render.
    let dir = tempfile::tempdir().unwrap();
    let chart = dir.path().join("my app");
    std::fs::create_dir(&chart).unwrap();
    std::fs::copy(
        repo().join(EXAMPLE).join("values.yaml"),
        chart.join("values.yaml"),
    )
    .unwrap();
    std::fs::write(chart.join("prod.yaml"), "replicaCount: 3\n").unwrap();
    let out = explain_in(
        dir.path(),
        "my app",
        &["-f".into(), "my app/prod.yaml".into()],
        &[],
    );
    assert!(
        out.contains("$ rollwright set-image 'my app' \"$TAG\"\n"),
        "{out}"
    );
    assert!(
        out.contains("$ rollwright render 'my app' -f 'my app/prod.yaml' | kubectl apply -f -\n"),
        "{out}"
    );
    for c in commands_of(&out) {
        check_command(&c).unwrap_or_else(|e| panic!("{c}: {e}"));
    }
}

// Every printed command parses against the grammar of the tool it runs.

#[test]
fn every_printed_command_parses() {
    let mut seen = BTreeSet::new();
    for c in configs() {
        for lang in ["en", "ja"] {
            for cmd in commands_of(output(c.name, lang)) {
                if seen.insert(cmd.clone()) {
                    check_command(&cmd).unwrap_or_else(|e| panic!("{}: `{cmd}`: {e}", c.name));
                }
            }
        }
    }
    for needed in [
        "kubectl argo rollouts get rollout rollouts-demo --watch",
        "kubectl argo rollouts promote rollouts-demo",
        "kubectl argo rollouts promote rollouts-demo --full",
        "kubectl argo rollouts abort rollouts-demo",
        "kubectl argo rollouts retry rollout rollouts-demo",
        "kubectl argo rollouts undo rollouts-demo",
    ] {
        assert!(seen.contains(needed), "{needed} never printed");
    }
}

#[test]
fn the_grammar_refuses_what_the_plugin_refuses() {
    for bad in [
        "argo rollouts retry rollouts-demo",
        "argo rollouts get rollouts-demo",
        "argo rollouts promote",
        "argo rollouts promote a b",
        "argo rollouts promote rollouts-demo --fast",
        "argo rollouts undo rollouts-demo --to-revision",
        "argo rollouts get rollout rollouts-demo --follow",
        "argo rollouts abort",
        "argo rollout promote rollouts-demo",
        "argo rollouts status",
    ] {
        assert!(plugin(bad).is_err(), "{bad}");
    }
    for good in [
        "argo rollouts get ro rollouts-demo -w",
        "argo rollouts get rollout rollouts-demo --watch --no-color -n shop",
        "argo rollouts promote rollouts-demo --full",
        "argo rollouts abort a b",
        "argo rollouts retry ro rollouts-demo",
        "argo rollouts undo rollouts-demo --to-revision=3",
        "argo rollouts undo rollouts-demo --to-revision 3",
        "argo rollouts pause rollouts-demo",
        "argo rollouts status rollouts-demo --timeout 5m",
        "argo rollouts -n shop promote rollouts-demo",
        "argo rollouts promote rollouts-demo --namespace=shop --context kind",
    ] {
        plugin(good).unwrap_or_else(|e| panic!("{good}: {e}"));
    }
}

// explain and validate never disagree.

/// The practice rules whose facts explain states.
const SHARED_RULES: &[&str] = &["P-01", "P-02", "P-03", "P-04", "P-09", "P-10"];

#[test]
fn explain_and_validate_never_disagree() {
    let configs = configs();
    let findings: Vec<Vec<(String, String, String)>> = std::thread::scope(|scope| {
        let handles: Vec<_> = configs
            .iter()
            .map(|c| scope.spawn(move || validate_findings(c)))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for (c, findings) in configs.iter().zip(findings) {
        let mut from_validate: Vec<(String, String)> = findings
            .into_iter()
            .filter(|f| SHARED_RULES.contains(&f.0.as_str()))
            .map(|f| (f.0, f.1))
            .collect();
        from_validate.sort();
        for (lang, labels) in [
            (
                "en",
                [("error", "error"), ("warning", "warning"), ("info", "info")],
            ),
            (
                "ja",
                [("エラー", "error"), ("警告", "warning"), ("情報", "info")],
            ),
        ] {
            let out = output(c.name, lang);
            let mut from_explain: Vec<(String, String)> = Vec::new();
            for line in out.lines().map(str::trim_start) {
                for (label, severity) in labels {
                    if let Some(rest) = line.strip_prefix(&format!("{label} P-"))
                        && let Some((n, _)) = rest.split_once(':')
                    {
                        from_explain.push((format!("P-{n}"), severity.to_owned()));
                    }
                }
            }
            from_explain.sort();
            assert_eq!(from_explain, from_validate, "{} ({lang}):\n{out}", c.name);
        }
    }
}

// docs/explain.md ties every statement to the controller.

#[test]
fn every_statement_is_in_the_table_of_docs_explain_md() {
    let doc = std::fs::read_to_string(repo().join("docs/explain.md")).unwrap();
    let rows: Vec<&str> = doc.lines().filter(|l| l.starts_with("| `")).collect();
    let mut ids = BTreeSet::new();
    for row in &rows {
        let cells: Vec<&str> = row.split(" | ").collect();
        let id = cells[0].trim_start_matches("| `").trim_end_matches('`');
        assert!(ids.insert(id.to_owned()), "{id} twice");
        let last = row.trim_end_matches(" |");
        assert!(
            cells.len() >= 3 && !last.ends_with('|') && !last.trim().is_empty(),
            "{row}"
        );
    }
    let known: BTreeSet<String> = rollwright::explain::S::ALL
        .iter()
        .map(|s| s.id().to_owned())
        .collect();
    let missing: Vec<_> = known.difference(&ids).collect();
    let extra: Vec<_> = ids.difference(&known).collect();
    assert!(missing.is_empty(), "not in docs/explain.md: {missing:?}");
    assert!(
        extra.is_empty(),
        "in docs/explain.md but not said: {extra:?}"
    );
}

#[test]
fn every_statement_is_reached_by_some_configuration() {
    use rollwright::explain::{self, Invocation, S};
    let mut said = BTreeSet::new();
    for c in configs() {
        let (_keep, dir, chart) = prepare(c.base);
        let mut input = rollwright::values::ValuesInput {
            chart: dir.join(&chart),
            files: vec![],
            set: vec![],
            set_string: vec![],
            set_json: vec![],
            name: None,
        };
        let mut namespace = None;
        let mut flags = c.flags.iter();
        while let Some(flag) = flags.next() {
            let value = flags.next().unwrap().clone();
            match flag.as_str() {
                "--set" => input.set.push(value),
                "--set-string" => input.set_string.push(value),
                "--set-json" => input.set_json.push(value),
                "-n" => namespace = Some(value),
                other => panic!("{other}"),
            }
        }
        let loaded = rollwright::values::load(&input).unwrap();
        let objects = rollwright::render::render(&loaded, namespace.as_deref()).unwrap();
        let e = explain::explain(&objects, &Invocation::default()).unwrap();
        said.extend(e.statements().map(|s| s.s));
    }
    let unreached: Vec<&str> = S::ALL
        .iter()
        .filter(|s| !said.contains(s))
        .map(|s| s.id())
        .filter(|id| !id.starts_with("heading-") && !id.starts_with("label-"))
        .collect();
    assert!(unreached.is_empty(), "never said: {unreached:?}");
}

// Markdown.

#[test]
fn markdown_is_well_formed_in_both_languages() {
    for lang in ["en", "ja"] {
        let out = explain(
            &config("analysis-pre-and-post"),
            &["--format", "markdown", "--lang", lang],
        );
        assert!(out.starts_with("# "), "{out}");
        assert!(out.contains("`rollouts-demo`"), "{out}");
        assert_eq!(out.matches("```").count() % 2, 0, "fences are balanced");
        assert!(
            out.contains("\n```sh\nkubectl argo rollouts promote rollouts-demo\n```\n"),
            "{out}"
        );
        assert!(out.contains("| `autoPromotionEnabled` | false |"), "{out}");
        for (i, line) in out.lines().enumerate() {
            if line.starts_with('#') && i > 0 {
                assert_eq!(out.lines().nth(i - 1), Some(""), "line {i}: {line}");
            }
            if line.starts_with('|') && !line.starts_with("|---") {
                assert_eq!(line.matches(" | ").count(), 1, "{line}");
            }
        }
    }
    let out = explain(&config("example"), &["--format", "markdown"]);
    assert!(
        out.contains("\n> **info P-10**: These manifests hold no Ingress."),
        "{out}"
    );
}

#[test]
fn a_chart_without_a_blue_green_rollout_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        repo().join(EXAMPLE).join("values.yaml"),
        dir.path().join("values.yaml"),
    )
    .unwrap();
    std::fs::create_dir(dir.path().join("chart-templates")).unwrap();
    std::fs::write(
        dir.path().join("chart-templates/rollout.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n",
    )
    .unwrap();
    let r = run_in(dir.path(), &["explain", "."]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(
        r.stderr.contains("explain needs exactly one Rollout"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("help:"), "{}", r.stderr);
}

// Helpers.

/// The text between the first line containing `from` and the next containing `to`.
fn section<'a>(out: &'a str, from: &str, to: &str) -> &'a str {
    let start = out
        .find(from)
        .unwrap_or_else(|| panic!("no {from:?} in {out}"));
    let end = out[start..].find(to).map_or(out.len(), |e| start + e);
    &out[start..end]
}

fn commands_of(out: &str) -> Vec<String> {
    out.lines()
        .filter_map(|l| l.trim_start().strip_prefix("$ "))
        .map(str::to_owned)
        .collect()
}

fn render(c: &Config) -> String {
    let (_keep, dir, chart) = prepare(c.base);
    let mut args: Vec<&str> = vec!["render", &chart];
    args.extend(c.flags.iter().map(String::as_str));
    let r = run_in(&dir, &args);
    assert_eq!(r.code, 0, "{}", r.stderr);
    r.stdout
}

/// `(rule, severity, message)` of `rollwright render … | rollwright validate -`.
fn validate_findings(c: &Config) -> Vec<(String, String, String)> {
    let rendered = render(c);
    let out = rollwright()
        .args(["validate", "-", "--format", "json"])
        .write_stdin(rendered)
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)));
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_owned(),
                f["severity"].as_str().unwrap().to_owned(),
                f["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// Splits a command line as a POSIX shell would (quotes, `"$TAG"`), into the commands of a
/// pipeline.
fn shell_split(line: &str) -> Result<Vec<Vec<String>>, String> {
    let mut commands = vec![Vec::new()];
    let mut word: Option<String> = None;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            ' ' => {
                if let Some(w) = word.take() {
                    commands.last_mut().unwrap().push(w);
                }
            }
            '|' if word.is_none() => commands.push(Vec::new()),
            '\'' => {
                let w = word.get_or_insert_with(String::new);
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(c) => w.push(c),
                        None => return Err("unclosed '".into()),
                    }
                }
            }
            '"' => {
                let w = word.get_or_insert_with(String::new);
                let mut inner = String::new();
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some(c) => inner.push(c),
                        None => return Err("unclosed \"".into()),
                    }
                }
                if inner.contains(['`', '\\']) || (inner.contains('$') && inner != "$TAG") {
                    return Err(format!("unexpected expansion in \"{inner}\""));
                }
                w.push_str(&inner.replace("$TAG", "1.29"));
            }
            '<' | '>' | ';' | '&' | '(' | ')' | '`' | '$' | '#' | '*' | '?' | '\\' => {
                return Err(format!("unquoted {c:?}"));
            }
            c => word.get_or_insert_with(String::new).push(c),
        }
    }
    if let Some(w) = word.take() {
        commands.last_mut().unwrap().push(w);
    }
    if commands.iter().any(Vec::is_empty) {
        return Err("empty command in pipeline".into());
    }
    Ok(commands)
}

fn check_command(line: &str) -> Result<(), String> {
    for words in shell_split(line)? {
        match words[0].as_str() {
            "kubectl" if words.get(1).map(String::as_str) == Some("argo") => {
                plugin_words(&words[1..])?
            }
            "kubectl" => kubectl(&words[1..])?,
            "rollwright" => {
                use clap::Parser;
                rollwright::cli::Cli::try_parse_from(&words).map_err(|e| e.to_string())?;
            }
            "curl" => {
                if words.len() != 2 || !words[1].starts_with("http://localhost:") {
                    return Err(format!("curl {:?}", &words[1..]));
                }
            }
            other => return Err(format!("unknown program {other}")),
        }
    }
    Ok(())
}

// The kubectl-argo-rollouts plugin's grammar, from its cobra command definitions
// (pkg/kubectl-argo-rollouts/cmd/*, v1.9.1 and master agree): the command path with its
// aliases, how many names it takes, and its flags. Parent commands with subcommands (`get`,
// `retry`, `list`, `set`) print their usage and fail when given a name.

#[derive(Debug, Clone, Copy)]
struct Flag {
    long: &'static str,
    short: Option<char>,
    value: bool,
}

const fn flag(long: &'static str, short: Option<char>, value: bool) -> Flag {
    Flag { long, short, value }
}

struct Cmd {
    path: &'static [&'static [&'static str]],
    min: usize,
    max: Option<usize>,
    flags: &'static [Flag],
}

/// kubectl's `genericclioptions.ConfigFlags`, persistent on the plugin's root command.
const GLOBAL: &[Flag] = &[
    flag("namespace", Some('n'), true),
    flag("kubeconfig", None, true),
    flag("context", None, true),
    flag("cluster", None, true),
    flag("user", None, true),
    flag("server", Some('s'), true),
    flag("token", None, true),
    flag("request-timeout", None, true),
    flag("as", None, true),
    flag("as-group", None, true),
    flag("insecure-skip-tls-verify", None, false),
];

const ROLLOUT: &[&str] = &["rollout", "ro", "rollouts"];

const PLUGIN: &[Cmd] = &[
    Cmd {
        path: &[&["get"], ROLLOUT],
        min: 1,
        max: Some(1),
        flags: &[
            flag("watch", Some('w'), false),
            flag("no-color", None, false),
            flag("timeout-seconds", None, true),
        ],
    },
    Cmd {
        path: &[&["promote"]],
        min: 1,
        max: Some(1),
        flags: &[
            flag("full", None, false),
            flag("skip-current-step", Some('c'), false),
            flag("skip-all-steps", Some('a'), false),
        ],
    },
    Cmd {
        path: &[&["abort"]],
        min: 1,
        max: None,
        flags: &[],
    },
    Cmd {
        path: &[&["retry"], ROLLOUT],
        min: 1,
        max: None,
        flags: &[],
    },
    Cmd {
        path: &[&["undo"]],
        min: 1,
        max: Some(1),
        flags: &[flag("to-revision", None, true)],
    },
    Cmd {
        path: &[&["pause"]],
        min: 1,
        max: None,
        flags: &[],
    },
    Cmd {
        path: &[&["status"]],
        min: 1,
        max: Some(1),
        flags: &[
            flag("watch", Some('w'), false),
            flag("timeout", Some('t'), true),
        ],
    },
    Cmd {
        path: &[&["restart"]],
        min: 1,
        max: Some(1),
        flags: &[flag("in", Some('i'), true)],
    },
];

fn plugin(line: &str) -> Result<(), String> {
    let words: Vec<String> = line.split(' ').map(str::to_owned).collect();
    plugin_words(&words)
}

/// Separates positionals from flags, as cobra does before it resolves the command: a flag
/// that takes a value and has no `=` takes the next word. `tables` tell which flags take one.
fn parse(words: &[String], tables: &[&[Flag]]) -> Result<(Vec<String>, Vec<String>), String> {
    let lookup = |word: &str| -> Result<(&Flag, bool), String> {
        let all = || tables.iter().flat_map(|t| t.iter());
        if let Some(long) = word.strip_prefix("--") {
            let (name, inline) = match long.split_once('=') {
                Some((n, _)) => (n, true),
                None => (long, false),
            };
            let f = all()
                .find(|f| f.long == name)
                .ok_or_else(|| format!("unknown flag --{name}"))?;
            Ok((f, inline))
        } else {
            let c = word.chars().nth(1).unwrap_or('-');
            let f = all()
                .find(|f| f.short == Some(c))
                .ok_or_else(|| format!("unknown flag -{c}"))?;
            Ok((f, word.len() > 2))
        }
    };
    let (mut positional, mut flags) = (Vec::new(), Vec::new());
    let mut i = 0;
    while i < words.len() {
        let w = &words[i];
        if w.starts_with('-') && w.len() > 1 {
            let (f, inline) = lookup(w)?;
            flags.push(f.long.to_owned());
            if f.value && !inline {
                match words.get(i + 1) {
                    Some(v) if v == "-" || !v.starts_with('-') => i += 1,
                    _ => return Err(format!("{w} needs a value")),
                }
            }
        } else {
            positional.push(w.clone());
        }
        i += 1;
    }
    Ok((positional, flags))
}

/// `argo rollouts …` (kubectl has already taken `kubectl`).
fn plugin_words(words: &[String]) -> Result<(), String> {
    if words.len() < 2 || words[0] != "argo" || words[1] != "rollouts" {
        return Err("not `kubectl argo rollouts`".into());
    }
    let every: Vec<&[Flag]> = PLUGIN.iter().map(|c| c.flags).chain([GLOBAL]).collect();
    let (positional, _) = parse(&words[2..], &every)?;
    let cmd = PLUGIN
        .iter()
        .filter(|c| {
            c.path.len() <= positional.len()
                && c.path
                    .iter()
                    .zip(&positional)
                    .all(|(names, w)| names.contains(&w.as_str()))
        })
        .max_by_key(|c| c.path.len())
        .ok_or_else(|| format!("no plugin command {positional:?}"))?;
    let names = positional.len() - cmd.path.len();
    if names < cmd.min || cmd.max.is_some_and(|m| names > m) {
        return Err(format!("{names} name(s) for {:?}", cmd.path));
    }
    // Now against this command's own flags only.
    parse(&words[2..], &[cmd.flags, GLOBAL]).map(|_| ())
}

/// kubectl's own flags in the commands explain prints.
const KUBECTL: &[Flag] = &[
    flag("namespace", Some('n'), true),
    flag("filename", Some('f'), true),
    flag("output", Some('o'), true),
    flag("address", None, true),
];

/// The few kubectl commands explain prints.
fn kubectl(words: &[String]) -> Result<(), String> {
    let (positional, flags) = parse(words, &[KUBECTL])?;
    match positional.first().map(String::as_str) {
        Some("port-forward") => {
            let target = positional.get(1).ok_or("port-forward needs TYPE/NAME")?;
            if !target.starts_with("svc/") && !target.starts_with("pod/") {
                return Err(format!("port-forward target {target}"));
            }
            if positional.len() < 3 {
                return Err("port-forward needs a port".into());
            }
            for p in &positional[2..] {
                let parts: Vec<&str> = p.split(':').collect();
                let ok = parts.len() <= 2
                    && parts
                        .iter()
                        .all(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
                if !ok {
                    return Err(format!("port {p}"));
                }
            }
            Ok(())
        }
        Some("get") if positional.len() >= 2 => Ok(()),
        Some("apply") if positional.len() == 1 && flags.iter().any(|f| f == "filename") => Ok(()),
        _ => Err(format!("kubectl {words:?}")),
    }
}
