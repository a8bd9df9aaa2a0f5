//! The analysis rules on small object sets.

use super::*;
use crate::rules::{Raw, Sink};
use crate::yaml::parse_documents;

fn objects(text: &str) -> Vec<Object> {
    parse_documents(text)
        .unwrap()
        .into_iter()
        .filter(|d| !d.value.is_null())
        .map(|d| Object::from_document(d, "t.yaml").unwrap())
        .collect()
}

/// `(rule, kind of the object, pointer, message)` of every finding of `rules`.
fn run_rules(text: &str, rules: &[&'static Rule]) -> Vec<(String, String, String, String)> {
    let objects = objects(text);
    let schema_errors = vec![Vec::new(); objects.len()];
    let ctx = Context::new(&objects, &schema_errors, false);
    let mut out: Vec<Raw> = Vec::new();
    for rule in rules {
        let mut sink = Sink::new(rule, &objects, &mut out);
        (rule.check)(&ctx, &mut sink);
    }
    out.into_iter()
        .map(|r| {
            (
                r.rule.id.to_owned(),
                objects[r.object].id.kind.clone(),
                r.pointer,
                r.message,
            )
        })
        .collect()
}

fn messages(text: &str, rule: &'static Rule) -> Vec<String> {
    run_rules(text, &[rule]).into_iter().map(|f| f.3).collect()
}

fn all(text: &str) -> Vec<(String, String, String, String)> {
    run_rules(text, RULES)
}

/// A blue-green Rollout whose prePromotionAnalysis is `analysis` (YAML, indented for the
/// `prePromotionAnalysis:` key), then `rest`.
fn blue_green(analysis: &str, rest: &str) -> String {
    format!(
        "apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {{name: shop}}
spec:
  selector: {{matchLabels: {{app: shop}}}}
  template:
    metadata: {{labels: {{app: shop}}}}
    spec: {{containers: [{{name: shop, image: nginx}}]}}
  strategy:
    blueGreen:
      activeService: shop-active
      prePromotionAnalysis:
{analysis}
---
{rest}"
    )
}

/// A canary Rollout with `steps` and background `analysis` (both YAML flow values), then
/// `rest`.
fn canary(steps: &str, analysis: &str, rest: &str) -> String {
    format!(
        "apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {{name: shop}}
spec:
  selector: {{matchLabels: {{app: shop}}}}
  template:
    metadata: {{labels: {{app: shop}}}}
    spec: {{containers: [{{name: shop, image: nginx}}]}}
  strategy:
    canary:
      steps: {steps}
      analysis: {analysis}
---
{rest}"
    )
}

const JOB: &str = "{job: {spec: {template: {spec: {containers: [{name: c, image: alpine}], restartPolicy: Never}}}}}";

fn template(name: &str, spec: &str) -> String {
    format!(
        "apiVersion: argoproj.io/v1alpha1\nkind: AnalysisTemplate\nmetadata: {{name: {name}}}\nspec: {spec}\n---\n"
    )
}

fn cluster_template(name: &str, spec: &str) -> String {
    format!(
        "apiVersion: argoproj.io/v1alpha1\nkind: ClusterAnalysisTemplate\nmetadata: {{name: {name}}}\nspec: {spec}\n---\n"
    )
}

fn metric(name: &str) -> String {
    format!("{{name: {name}, provider: {JOB}}}")
}

const PRE: &str = "spec.strategy.blueGreen.prePromotionAnalysis.templates";

#[test]
fn blocks_in_controller_order() {
    let text = canary(
        "[{setWeight: 10}, {analysis: {templates: [{templateName: a}]}}, {pause: {}}, {analysis: {templates: [{templateName: b, clusterScope: true}], args: [{name: x, value: '1'}]}}]",
        "{templates: [{templateName: c}]}",
        "",
    );
    let objs = objects(&text);
    let blocks = analysis_blocks(&objs[0]);
    let kinds: Vec<BlockKind> = blocks.iter().map(|b| b.kind).collect();
    assert_eq!(
        kinds,
        vec![
            BlockKind::Step(1),
            BlockKind::Step(3),
            BlockKind::Background
        ]
    );
    assert_eq!(
        blocks[1].templates_path(),
        "spec.strategy.canary.steps[3].analysis.templates"
    );
    assert_eq!(blocks[1].templates[0].name, "b");
    assert!(blocks[1].templates[0].cluster_scope);
    assert_eq!(blocks[1].args[0].name, "x");
    assert_eq!(
        blocks[2].templates_path(),
        "spec.strategy.canary.analysis.templates"
    );
}

#[test]
fn missing_templates_by_scope() {
    let text = blue_green(
        "        templates: [{templateName: smoke}, {templateName: shared, clusterScope: true}]",
        "",
    );
    assert_eq!(
        messages(&text, &BGR_05),
        vec![
            format!("{PRE}: Invalid value: \"smoke\": AnalysisTemplate 'smoke' not found"),
            format!("{PRE}: Invalid value: \"shared\": ClusterAnalysisTemplate 'shared' not found"),
        ]
    );
    // Present with the other scope is still missing.
    let text = blue_green(
        "        templates: [{templateName: smoke, clusterScope: true}]",
        &template("smoke", &format!("{{metrics: [{}]}}", metric("m"))),
    );
    let found = run_rules(&text, &[&BGR_05]);
    assert_eq!(found.len(), 1);
    assert_eq!(
        found[0].2,
        "/spec/strategy/blueGreen/prePromotionAnalysis/templates/0/templateName"
    );
    // A cluster template is found whatever the Rollout's namespace.
    let text = blue_green(
        "        templates: [{templateName: smoke, clusterScope: true}]",
        &cluster_template("smoke", &format!("{{metrics: [{}]}}", metric("m"))),
    )
    .replace(
        "metadata: {name: shop}",
        "metadata: {name: shop, namespace: prod}",
    );
    assert!(all(&text).is_empty(), "{:?}", all(&text));
}

/// The help of each finding of `rule`.
fn helps(text: &str, rule: &'static Rule) -> Vec<Option<String>> {
    let objects = objects(text);
    let schema_errors = vec![Vec::new(); objects.len()];
    let ctx = Context::new(&objects, &schema_errors, false);
    let mut out: Vec<Raw> = Vec::new();
    let mut sink = Sink::new(rule, &objects, &mut out);
    (rule.check)(&ctx, &mut sink);
    out.into_iter().map(|r| r.help).collect()
}

#[test]
fn a_misspelt_template_name_gets_a_did_you_mean() {
    let text = blue_green(
        "        templates: [{templateName: smoke-tets}, {templateName: unrelated}]",
        &template("smoke-tests", &format!("{{metrics: [{}]}}", metric("m"))),
    );
    let found = helps(&text, &BGR_05);
    assert_eq!(found.len(), 2, "{found:?}");
    assert_eq!(
        found[0].as_deref(),
        Some(
            "did you mean AnalysisTemplate 'smoke-tests'? `templateName` must be the template's metadata.name exactly"
        )
    );
    // Nothing near: the help says to create it.
    assert!(
        found[1]
            .as_deref()
            .is_some_and(|h| h.starts_with("create AnalysisTemplate 'unrelated'")),
        "{found:?}"
    );
    // A near name in another namespace is not suggested: the controller would not find it.
    let text = text.replacen(
        "kind: AnalysisTemplate\nmetadata: {name: smoke-tests}",
        "kind: AnalysisTemplate\nmetadata: {name: smoke-tests, namespace: other}",
        1,
    );
    let found = helps(&text, &BGR_05);
    assert!(
        found[0]
            .as_deref()
            .is_some_and(|h| h.starts_with("create AnalysisTemplate 'smoke-tets'")),
        "{found:?}"
    );
}

#[test]
fn canary_missing_template_from_the_corpus() {
    let text = canary(
        "[{setWeight: 10}]",
        "{templates: [{templateName: doesnt-exist-yet}]}",
        "",
    );
    assert_eq!(
        messages(&text, &CR_04),
        vec![
            "spec.strategy.canary.analysis.templates: Invalid value: \"doesnt-exist-yet\": AnalysisTemplate 'doesnt-exist-yet' not found"
        ]
    );
    // Blue-green references are not CR-04's, canary ones not BGR-05's.
    assert!(messages(&text, &BGR_05).is_empty());
}

#[test]
fn nested_templates_are_followed_and_reported_once() {
    let text = blue_green(
        "        templates: [{templateName: outer}]",
        &template(
            "outer",
            &format!(
                "{{templates: [{{templateName: inner}}, {{templateName: gone}}], metrics: [{}]}}",
                metric("m")
            ),
        ),
    )
    .replace(
        "      prePromotionAnalysis:",
        "      postPromotionAnalysis: {templates: [{templateName: outer}]}\n      prePromotionAnalysis:",
    ) + &template("inner", &format!("{{metrics: [{}]}}", metric("m")));
    let found = run_rules(&text, &[&BGR_05, &AT_01]);
    let bgr: Vec<_> = found.iter().filter(|f| f.0 == "BGR-05").collect();
    assert_eq!(bgr.len(), 1, "{found:?}");
    assert_eq!(bgr[0].1, "AnalysisTemplate");
    assert_eq!(bgr[0].2, "/spec/templates/1/templateName");
    assert_eq!(
        bgr[0].3,
        "spec.templates: Invalid value: \"gone\": AnalysisTemplate 'gone' not found"
    );
    // The nested template's metrics are part of the block: `m` twice, in pre and in post.
    let at: Vec<_> = found.iter().filter(|f| f.0 == "AT-01").collect();
    assert_eq!(at.len(), 2);
    assert_eq!(
        at[1].3,
        "spec.strategy.blueGreen.postPromotionAnalysis.templates: Invalid value: \"templateNames: [outer inner]\": two metrics have the same name 'm'"
    );
}

#[test]
fn nested_duplicates_are_merged_and_cycles_stop() {
    // a → [b, c], b → [d], c → [d]: d once. Namespaced first, then cluster.
    let text = blue_green(
        "        templates: [{templateName: z, clusterScope: true}, {templateName: a}]",
        &(template("a", "{templates: [{templateName: b}, {templateName: c}]}")
            + &template("b", "{templates: [{templateName: d}]}")
            + &template("c", "{templates: [{templateName: d}]}")
            + &template("d", &format!("{{metrics: [{}]}}", metric("m")))
            + &cluster_template("z", &format!("{{metrics: [{}]}}", metric("n")))),
    );
    let objs = objects(&text);
    let schema_errors = vec![Vec::new(); objs.len()];
    let ctx = Context::new(&objs, &schema_errors, false);
    let block = &analysis_blocks(&objs[0])[0];
    let resolved = resolve_block(&ctx, &objs[0], block);
    assert!(resolved.complete);
    assert_eq!(resolved.template_names(), "templateNames: [a b d c z]");
    assert_eq!(resolved.refs.len(), 6);
    assert!(all(&text).is_empty(), "{:?}", all(&text));

    // a → b → a: the controller would recurse without end.
    let text = blue_green(
        "        templates: [{templateName: a}]",
        &(template(
            "a",
            &format!(
                "{{templates: [{{templateName: b}}], metrics: [{}]}}",
                metric("m")
            ),
        ) + &template(
            "b",
            &format!(
                "{{templates: [{{templateName: a}}], metrics: [{}]}}",
                metric("n")
            ),
        )),
    );
    let found = run_rules(&text, &[&BGR_05]);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].1, "AnalysisTemplate");
    assert!(found[0].3.contains("includes itself"), "{}", found[0].3);
}

#[test]
fn unresolved_args_message_from_the_controller_tests() {
    let text = canary(
        "[{analysis: {templates: [{templateName: analysis-template-name}, {templateName: cluster-analysis-template-name, clusterScope: true}]}}]",
        "null",
        &(template(
            "analysis-template-name",
            &format!("{{args: [{{name: invalid}}], metrics: [{}]}}", metric("a")),
        ) + &cluster_template(
            "cluster-analysis-template-name",
            &format!("{{metrics: [{}]}}", metric("b")),
        )),
    );
    assert_eq!(
        messages(&text, &AT_05),
        vec![
            "spec.strategy.canary.steps[0].analysis.templates: Invalid value: \"templateNames: [analysis-template-name cluster-analysis-template-name]\": args.invalid was not resolved"
        ]
    );
}

#[test]
fn nil_values_never_conflict_and_rollout_args_resolve() {
    let with = |args: &str, t1: &str, t2: &str| {
        blue_green(
            &format!(
                "        templates: [{{templateName: newrelic}}, {{templateName: sentry}}]\n        args: {args}"
            ),
            &(template(
                "newrelic",
                &format!("{{args: {t1}, metrics: [{}]}}", metric("a")),
            ) + &template(
                "sentry",
                &format!("{{args: {t2}, metrics: [{}]}}", metric("b")),
            )),
        )
    };
    // Two values: a conflict, whatever the Rollout passes.
    let text = with(
        "[{name: errorThreshold, value: '5'}]",
        "[{name: errorThreshold, value: '10'}]",
        "[{name: errorThreshold, value: '2'}]",
    );
    assert_eq!(
        messages(&text, &AT_02),
        vec![format!(
            "{PRE}: Invalid value: \"templateNames: [newrelic sentry]\": Argument `errorThreshold` specified multiple times with different values: '10', '2'"
        )]
    );
    // A nil value takes the other's; nothing is unresolved.
    let text = with("[]", "[{name: e}]", "[{name: e, value: '2'}]");
    assert!(messages(&text, &AT_02).is_empty());
    assert!(messages(&text, &AT_05).is_empty());
    // Neither has a value: the Rollout must pass it; an empty value counts.
    let text = with("[]", "[{name: e}]", "[{name: e}]");
    assert_eq!(
        messages(&text, &AT_05),
        vec![format!(
            "{PRE}: Invalid value: \"templateNames: [newrelic sentry]\": args.e was not resolved"
        )]
    );
    let text = with("[{name: e, value: ''}]", "[{name: e}]", "[{name: e}]");
    assert!(messages(&text, &AT_05).is_empty());
    let text = with(
        "[{name: e, valueFrom: {podTemplateHashValue: Latest}}]",
        "[{name: e}]",
        "[]",
    );
    assert!(messages(&text, &AT_05).is_empty());
    // A metadata fieldPath Kubernetes cannot read drops every Rollout arg.
    let text = with(
        "[{name: e, value: x}, {name: f, valueFrom: {fieldRef: {fieldPath: 'metadata.labels[''-bad'']'}}}]",
        "[{name: e}]",
        "[{name: f}]",
    );
    assert_eq!(messages(&text, &AT_05).len(), 2);
    let text = with(
        "[{name: e, value: x}, {name: f, valueFrom: {fieldRef: {fieldPath: 'metadata.labels[''app.kubernetes.io/name'']'}}}]",
        "[{name: e}]",
        "[{name: f}]",
    );
    assert!(messages(&text, &AT_05).is_empty());
}

#[test]
fn placeholders_must_name_the_templates_own_args() {
    let t = |args: &str, query: &str| {
        blue_green(
            "        templates: [{templateName: t}, {templateName: u}]\n        args: [{name: service, value: shop}]",
            &(template(
                "t",
                &format!(
                    "{{args: {args}, metrics: [{{name: m, provider: {{prometheus: {{address: 'http://p:9090', query: '{query}'}}}}}}]}}"
                ),
            ) + &template(
                "u",
                &format!(
                    "{{args: [{{name: service}}, {{name: ns, value: x}}], metrics: [{}]}}",
                    metric("n")
                ),
            )),
        )
    };
    // Declared, with any spacing.
    let text = t(
        "[{name: service}]",
        "up{service=\"{{ args.service }}\"} + up{s=\"{{args.service}}\"}",
    );
    assert!(all(&text).is_empty(), "{:?}", all(&text));
    // Declared only by the other template of the block.
    let text = t("[{name: service}]", "up{ns=\"{{args.ns}}\"}");
    assert_eq!(
        messages(&text, &AT_07),
        vec![format!(
            "{PRE}: Invalid value: \"t\": AnalysisTemplate t: failed to resolve {{{{args.ns}}}}"
        )]
    );
    // Anything between braces counts, echoed as written.
    let text = t("[{name: service}]", "{{ .Values.x }}");
    assert_eq!(
        messages(&text, &AT_07),
        vec![format!(
            "{PRE}: Invalid value: \"t\": AnalysisTemplate t: failed to resolve {{{{ .Values.x }}}}"
        )]
    );
    // Both value and valueFrom.
    let text = t(
        "[{name: service, value: a, valueFrom: {secretKeyRef: {name: s, key: k}}}]",
        "{{args.service}}",
    );
    assert_eq!(
        messages(&text, &AT_06),
        vec![format!(
            "{PRE}: Invalid value: \"t\": AnalysisTemplate t: arg 'service' has both Value and ValueFrom fields"
        )]
    );
}

#[test]
fn indefinite_metrics_and_dummy_value() {
    let t = |args: &str, m: &str| {
        blue_green(
            "        templates: [{templateName: t}]",
            &template(
                "t",
                &format!("{{args: {args}, metrics: [{{name: m, {m}, provider: {JOB}}}]}}"),
            ),
        )
    };
    let msg = |count: &str| {
        format!(
            "{PRE}: Invalid value: \"t\": AnalysisTemplate t has metric m which runs indefinitely. Invalid value for count: {count}"
        )
    };
    assert_eq!(
        messages(&t("[]", "interval: 5s"), &AT_08),
        vec![msg("<nil>")]
    );
    assert_eq!(
        messages(&t("[]", "interval: 5s, count: 0"), &AT_08),
        vec![msg("0")]
    );
    assert_eq!(
        messages(&t("[]", "interval: 5s, count: 'many'"), &AT_08),
        vec![msg("many")]
    );
    assert!(messages(&t("[]", "interval: 5s, count: 3"), &AT_08).is_empty());
    assert!(messages(&t("[]", "count: 0"), &AT_08).is_empty());
    // A templated count: the template's default, else dummy-value (the Rollout's value is
    // not used).
    let templated = "interval: 5s, count: '{{args.runs}}'";
    assert_eq!(
        messages(&t("[{name: runs}]", templated), &AT_08),
        vec![msg("dummy-value")]
    );
    assert_eq!(
        messages(
            &t(
                "[{name: runs, valueFrom: {secretKeyRef: {name: s, key: k}}}]",
                templated
            ),
            &AT_08
        ),
        vec![msg("dummy-value")]
    );
    assert!(messages(&t("[{name: runs, value: '3'}]", templated), &AT_08).is_empty());
    let passed = t("[{name: runs}]", templated).replace(
        "templates: [{templateName: t}]",
        "templates: [{templateName: t}]\n        args: [{name: runs, value: '3'}]",
    );
    assert_eq!(messages(&passed, &AT_08), vec![msg("dummy-value")]);
    // A templated interval counts as set.
    assert_eq!(
        messages(&t("[{name: i}]", "interval: '{{args.i}}'"), &AT_08),
        vec![msg("<nil>")]
    );
}

#[test]
fn upstream_cluster_template_before_the_count_fix() {
    // examples/cluster-analysis-templates.yaml before argoproj/argo-rollouts#2690 had no count.
    let always_pass = |count: &str| {
        cluster_template(
            "always-pass",
            &format!(
                "{{metrics: [{{name: pass, {count}interval: 5s, failureLimit: 1, provider: {JOB}}}]}}"
            ),
        )
    };
    let step = "[{setWeight: 25}, {analysis: {templates: [{templateName: always-pass, clusterScope: true}]}}]";
    assert_eq!(
        messages(&canary(step, "null", &always_pass("")), &AT_08),
        vec![
            "spec.strategy.canary.steps[1].analysis.templates: Invalid value: \"always-pass\": AnalysisTemplate always-pass has metric pass which runs indefinitely. Invalid value for count: <nil>"
        ]
    );
    let text = canary(step, "null", &always_pass("count: 1, "));
    assert!(all(&text).is_empty(), "{:?}", all(&text));
    // Background analysis may run indefinitely, and skips the per-template checks.
    let background = canary(
        "[{setWeight: 25}]",
        "{templates: [{templateName: always-pass, clusterScope: true}]}",
        &always_pass(""),
    );
    assert!(all(&background).is_empty(), "{:?}", all(&background));
}

#[test]
fn background_args() {
    let with = |rollout_args: &str| {
        canary(
            "[{setWeight: 25}]",
            &format!("{{templates: [{{templateName: a}}, {{templateName: b}}]{rollout_args}}}"),
            &(template(
                "a",
                &format!("{{args: [{{name: x}}], metrics: [{}]}}", metric("m")),
            ) + &template(
                "b",
                &format!(
                    "{{args: [{{name: x, value: '1'}}], metrics: [{}]}}",
                    metric("n")
                ),
            )),
        )
    };
    let base = "spec.strategy.canary.analysis.templates: Invalid value: \"a\": ";
    assert_eq!(
        messages(&with(""), &CR_04),
        vec![format!("{base}missing analysis arguments in rollout spec")]
    );
    assert_eq!(
        messages(&with(", args: []"), &CR_04),
        vec![format!("{base}x")]
    );
    assert!(messages(&with(", args: [{name: x, value: '2'}]"), &CR_04).is_empty());
    // Unresolved after merging: AT-05 reports it, not CR-04.
    let text = with("").replace("{name: x, value: '1'}", "{name: y, value: '1'}");
    assert!(messages(&text, &CR_04).is_empty());
    assert_eq!(messages(&text, &AT_05).len(), 1);
}

#[test]
fn background_placeholders_fail_only_at_run_time() {
    let text = canary(
        "[{setWeight: 25}]",
        "{templates: [{templateName: a}]}",
        &template(
            "a",
            "{metrics: [{name: m, provider: {web: {url: 'http://x/{{args.path}}'}}}]}",
        ),
    );
    assert!(messages(&text, &AT_07).is_empty());
    assert_eq!(
        messages(&text, &AR_01),
        vec!["Unable to resolve metric arguments: failed to resolve {{args.path}}"]
    );
}

#[test]
fn field_ref_in_a_template_is_never_resolved() {
    let t = |rollout_args: &str| {
        blue_green(
            &format!("        templates: [{{templateName: t}}]{rollout_args}"),
            &template(
                "t",
                &format!(
                    "{{args: [{{name: app, valueFrom: {{fieldRef: {{fieldPath: metadata.name}}}}}}], metrics: [{}]}}",
                    metric("m")
                ),
            ),
        )
    };
    assert!(messages(&t(""), &AT_05).is_empty());
    assert_eq!(
        messages(&t(""), &AR_01),
        vec!["Unable to resolve metric arguments: argument \"app\" was not supplied"]
    );
    assert!(messages(&t("\n        args: [{name: app, value: shop}]"), &AR_01).is_empty());
}

#[test]
fn canary_steps_dry_run_rules_meet_every_blocks_templates() {
    let text = canary(
        "[{analysis: {templates: [{templateName: a}], dryRun: [{metricName: m}]}}, {analysis: {templates: [{templateName: b}]}}]",
        "null",
        &(template("a", &format!("{{metrics: [{}]}}", metric("m")))
            + &template(
                "b",
                &format!(
                    "{{dryRun: [{{metricName: m}}], metrics: [{}]}}",
                    metric("m2")
                ),
            )),
    );
    // steps[0]'s own rule meets template b's rule in steps[1]'s block.
    assert_eq!(
        messages(&text, &AT_03),
        vec![
            "spec.strategy.canary.steps[1].analysis.templates: Invalid value: \"templateNames: [b]\": two Dry-Run metric rules have the same name 'm'"
        ]
    );
}

#[test]
fn run_time_checks_on_templates_and_runs() {
    let text = "apiVersion: argoproj.io/v1alpha1
kind: AnalysisRun
metadata: {name: r}
spec:
  args: [{name: num, value: '5'}, {name: s, valueFrom: {secretKeyRef: {name: x, key: y}}}, {name: u}]
  metrics:
  - {name: a, count: '{{args.num}}', provider: {web: {url: 'http://x'}}}
  - {name: b, count: '{{args.s}}', interval: 1m, inconclusiveLimit: 1, provider: {web: {url: 'http://x'}}}
  - {name: c, successCondition: '{{args.v}}', provider: {web: {url: 'http://x'}}}
  dryRun: [{metricName: '^z'}, {metricName: '(unclosed'}]
";
    let found = all(text);
    let got: Vec<(&str, &str, &str)> = found
        .iter()
        .map(|f| (f.0.as_str(), f.2.as_str(), f.3.as_str()))
        .collect();
    assert_eq!(
        got,
        vec![
            (
                "AR-01",
                "/spec/args/2",
                "Unable to resolve metric arguments: argument \"u\" was not supplied"
            ),
            (
                "AR-01",
                "/spec/metrics/2",
                "Unable to resolve metric arguments: failed to resolve {{args.v}}"
            ),
            (
                "AR-12",
                "/spec/metrics/0/count",
                "Analysis spec invalid: metrics[0]: interval must be specified when count > 1"
            ),
            (
                "AR-17",
                "/spec/dryRun/0/metricName",
                "Analysis spec invalid: dryRun[0]: Rule didn't match any metric name(s)"
            ),
        ]
    );
    // In a template, a templated count is unknown: nothing to say.
    let text = template(
        "t",
        "{metrics: [{name: a, count: '{{args.n}}', inconclusiveLimit: 3, provider: {web: {url: 'http://x'}}}]}",
    );
    assert!(messages(&text, &AR_11).is_empty());
    let text = template(
        "t",
        "{metrics: [{name: a, count: 2, interval: 1m, inconclusiveLimit: 3, provider: {web: {url: 'http://x'}}}]}",
    );
    assert_eq!(run_rules(&text, &[&AR_11])[0].2, "/spec/metrics/0/count");
}

#[test]
fn run_rules_of_a_rollout_block_come_first() {
    let text = blue_green(
        "        templates: [{templateName: t}]\n        dryRun: [{metricName: latency}]",
        &template(
            "t",
            &format!(
                "{{dryRun: [{{metricName: success.*}}, {{metricName: errors}}], metrics: [{}]}}",
                metric("success-rate")
            ),
        ),
    );
    let found = run_rules(&text, &[&AR_17]);
    let got: Vec<(&str, &str, &str)> = found
        .iter()
        .map(|f| (f.1.as_str(), f.2.as_str(), f.3.as_str()))
        .collect();
    assert_eq!(
        got,
        vec![
            (
                "Rollout",
                "/spec/strategy/blueGreen/prePromotionAnalysis/dryRun/0/metricName",
                "Analysis spec invalid: dryRun[0]: Rule didn't match any metric name(s)"
            ),
            (
                "AnalysisTemplate",
                "/spec/dryRun/1/metricName",
                "Analysis spec invalid: dryRun[2]: Rule didn't match any metric name(s)"
            ),
        ]
    );
}

#[test]
fn empty_runs() {
    // A block whose templates define no metric.
    let text = blue_green(
        "        templates: [{templateName: gate}]",
        &template("gate", "{args: [{name: x, value: '1'}]}"),
    );
    assert_eq!(
        run_rules(&text, &[&AR_02])
            .into_iter()
            .map(|f| (f.1, f.2))
            .collect::<Vec<_>>(),
        vec![(
            "Rollout".to_owned(),
            "/spec/strategy/blueGreen/prePromotionAnalysis/templates".to_owned()
        )]
    );
    // A block without templates starts no run.
    let text = blue_green("        args: [{name: x, value: '1'}]", "");
    assert!(messages(&text, &AR_02).is_empty());
    // A template nested in another is not run on its own.
    let text = template(
        "outer",
        "{templates: [{templateName: gate}, {templateName: real}]}",
    ) + &template("gate", "{args: [{name: x, value: '1'}]}")
        + &template("real", &format!("{{metrics: [{}]}}", metric("m")));
    assert!(messages(&text, &AR_02).is_empty());
}

#[test]
fn referenced_templates_lists_every_reference() {
    let text = canary(
        "[{experiment: {templates: [{name: c, specRef: canary}], analyses: [{name: e, templateName: exp}]}}, {analysis: {templates: [{templateName: a}]}}]",
        "{templates: [{templateName: b, clusterScope: true}]}",
        &template("a", "{templates: [{templateName: nested}]}"),
    );
    let objs = objects(&text);
    let schema_errors = vec![Vec::new(); objs.len()];
    let ctx = Context::new(&objs, &schema_errors, false);
    let refs = referenced_templates(&ctx, &objs[0]);
    let got: Vec<(&str, bool, bool, Site)> = refs
        .iter()
        .map(|r| (r.name, r.object.is_some(), r.nested, r.site))
        .collect();
    assert_eq!(
        got,
        vec![
            ("a", true, false, Site::Analysis(BlockKind::Step(1))),
            ("nested", false, true, Site::Analysis(BlockKind::Step(1))),
            ("b", false, false, Site::Analysis(BlockKind::Background)),
            ("exp", false, false, Site::ExperimentStep(0)),
        ]
    );
    assert_eq!(refs[1].holder.id.name, "a");
    assert_eq!(refs[1].pointer, "/spec/templates/0");
    assert_eq!(all_references(&ctx).len(), 4);
}

#[test]
fn qualified_names() {
    assert!(metadata_path_ok("metadata.name"));
    assert!(metadata_path_ok("metadata.labels['app']"));
    assert!(metadata_path_ok("metadata.annotations['Example.COM/Key']"));
    assert!(!metadata_path_ok("metadata.labels['-x']"));
    assert!(!metadata_path_ok("metadata.generateName"));
    assert!(!metadata_path_ok("metadata.name['x']"));
}

#[test]
fn missing_is_a_warning_unless_strict_and_help_finds_near_misses() {
    let text = blue_green(
        "        templates: [{templateName: smoke}, {templateName: shared}]",
        &(cluster_template("shared", &format!("{{metrics: [{}]}}", metric("m")))
            + "apiVersion: argoproj.io/v1alpha1\nkind: AnalysisTemplate\nmetadata: {name: smoke, namespace: other}\nspec: {}\n"),
    )
    .replace("metadata: {name: shop}", "metadata: {name: shop, namespace: prod}");
    let objs = objects(&text);
    let schema_errors = vec![Vec::new(); objs.len()];
    for strict in [false, true] {
        let ctx = Context::new(&objs, &schema_errors, strict);
        let mut out: Vec<Raw> = Vec::new();
        let mut sink = Sink::new(&BGR_05, &objs, &mut out);
        (BGR_05.check)(&ctx, &mut sink);
        assert_eq!(out.len(), 2);
        let expected = if strict {
            Severity::Error
        } else {
            Severity::Warning
        };
        assert!(out.iter().all(|r| r.severity == expected));
        let help: Vec<&str> = out.iter().map(|r| r.help.as_deref().unwrap()).collect();
        assert!(help[0].contains("is in namespace 'other'"), "{}", help[0]);
        assert!(help[1].contains("add `clusterScope: true`"), "{}", help[1]);
    }
}
