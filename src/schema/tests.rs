use std::path::PathBuf;

use super::*;
use crate::yaml::parse_documents;

fn objects(text: &str) -> Vec<Object> {
    parse_documents(text)
        .unwrap()
        .into_iter()
        .map(|d| Object::from_document(d, "t.yaml").unwrap())
        .collect()
}

fn errors_with(schemas: &Schemas, text: &str) -> Vec<SchemaError> {
    objects(text)
        .iter()
        .flat_map(|o| schemas.validate(o))
        .collect()
}

fn errors(text: &str) -> Vec<SchemaError> {
    errors_with(&Schemas::builtin(), text)
}

fn assert_valid(text: &str) {
    let found = errors(text);
    assert!(found.is_empty(), "{found:#?}");
}

const ROLLOUT: &str = r#"
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata:
  name: shop
  labels: {app: shop}
spec:
  replicas: 3
  revisionHistoryLimit: 2
  selector:
    matchLabels: {app: shop}
  template:
    metadata:
      labels: {app: shop}
    spec:
      containers:
        - name: shop
          image: nginx:1.29
          ports: [{name: http, containerPort: 80, protocol: TCP}]
          resources:
            requests: {cpu: 100m, memory: 64Mi}
          readinessProbe:
            httpGet: {path: /, port: http}
  strategy:
    blueGreen:
      activeService: shop-active
      previewService: shop-preview
      autoPromotionEnabled: false
      scaleDownDelaySeconds: 30
      maxUnavailable: 25%
      prePromotionAnalysis:
        templates: [{templateName: smoke}]
        args:
          - {name: service, value: shop-preview}
          - name: hash
            valueFrom: {podTemplateHashValue: Latest}
      postPromotionAnalysis:
        templates: [{templateName: error-rate, clusterScope: true}]
      antiAffinity:
        preferredDuringSchedulingIgnoredDuringExecution: {weight: 50}
      previewMetadata:
        labels: {role: preview}
"#;

const SERVICES: &str = r#"
apiVersion: v1
kind: Service
metadata: {name: shop-active}
spec:
  selector: {app: shop}
  ports: [{name: http, port: 80, targetPort: http}]
---
apiVersion: v1
kind: Service
metadata: {name: shop-preview}
spec:
  type: ClusterIP
  selector: {app: shop}
  ports: [{port: 80, targetPort: 8080, protocol: TCP}]
"#;

const ANALYSIS_TEMPLATE: &str = r#"
apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata: {name: smoke}
spec:
  args:
    - name: service
    - name: api-token
      valueFrom:
        secretKeyRef: {name: tokens, key: api}
  metrics:
    - name: success-rate
      interval: 1m
      count: 5
      failureLimit: "{{args.failures}}"
      successCondition: result[0] >= 0.95
      provider:
        prometheus:
          address: http://prometheus.monitoring:9090
          query: sum(rate(http_requests_total{service="{{args.service}}"}[1m]))
          timeout: 30
          headers: [{key: X-Scope-OrgID, value: shop}]
    - name: ping
      provider:
        web:
          url: http://{{args.service}}/healthz
          method: POST
          jsonBody: {probe: true, depth: [1, 2]}
          headers: [{key: Authorization, value: "Bearer {{args.api-token}}"}]
          jsonPath: "{$.ok}"
    - name: smoke-job
      failureLimit: 0
      provider:
        job:
          metadata:
            labels: {job: smoke}
          spec:
            backoffLimit: 1
            template:
              spec:
                restartPolicy: Never
                containers:
                  - name: smoke
                    image: curlimages/curl:8.8.0
                    args: [-fsS, "http://{{args.service}}/"]
"#;

const CLUSTER_ANALYSIS_TEMPLATE: &str = r#"
apiVersion: argoproj.io/v1alpha1
kind: ClusterAnalysisTemplate
metadata: {name: error-rate}
spec:
  metrics:
    - name: errors
      consecutiveErrorLimit: 2
      provider:
        datadog:
          apiVersion: v2
          aggregator: avg
          queries: {a: "sum:errors{*}", b: "sum:requests{*}"}
          formula: a / b
"#;

const EXPERIMENT: &str = r#"
apiVersion: argoproj.io/v1alpha1
kind: Experiment
metadata: {name: compare}
spec:
  duration: 5m
  templates:
    - name: baseline
      replicas: 1
      selector: {matchLabels: {app: shop, variant: baseline}}
      template:
        metadata: {labels: {app: shop, variant: baseline}}
        spec:
          containers: [{name: shop, image: "nginx:1.28"}]
  analyses:
    - name: compare
      templateName: smoke
      args: [{name: service, value: shop-baseline}]
"#;

const ANALYSIS_RUN: &str = r#"
apiVersion: argoproj.io/v1alpha1
kind: AnalysisRun
metadata: {name: smoke-abc12}
spec:
  args: [{name: service, value: shop-preview}]
  metrics:
    - name: ping
      provider:
        web: {url: "http://shop-preview/healthz"}
status:
  phase: Successful
  startedAt: "2026-01-01T00:00:00Z"
  metricResults:
    - name: ping
      phase: Successful
      count: 1
      successful: 1
      measurements:
        - phase: Successful
          value: "true"
          startedAt: "2026-01-01T00:00:00Z"
          finishedAt: "2026-01-01T00:00:01Z"
"#;

#[test]
fn valid_release_passes() {
    for text in [
        ROLLOUT,
        SERVICES,
        ANALYSIS_TEMPLATE,
        CLUSTER_ANALYSIS_TEMPLATE,
        EXPERIMENT,
        ANALYSIS_RUN,
    ] {
        assert_valid(text);
    }
    let schemas = Schemas::builtin();
    for (api_version, kind) in [
        ("argoproj.io/v1alpha1", "Rollout"),
        ("argoproj.io/v1alpha1", "Experiment"),
        ("v1", "Service"),
        ("apps/v1", "Deployment"),
    ] {
        assert!(schemas.knows(api_version, kind), "{kind}");
    }
}

#[test]
fn every_builtin_kind_compiles() {
    let schemas = Schemas::builtin();
    for (api_version, kind) in Schemas::builtin_kinds() {
        let schema = schemas.json_schema(api_version, kind).unwrap();
        assert!(schema.is_ok(), "{api_version} {kind}: {schema:?}");
    }
}

#[test]
fn unknown_kinds_are_not_checked() {
    let schemas = Schemas::builtin();
    assert!(!schemas.knows("networking.istio.io/v1", "VirtualService"));
    assert!(!schemas.knows("argoproj.io/v1alpha2", "Rollout"));
    assert!(
        errors("apiVersion: example.com/v1\nkind: Thing\nmetadata: {name: a}\nspec: {x: 1}\n")
            .is_empty()
    );
}

/// `ROLLOUT` with one line replaced.
fn rollout_with(from: &str, to: &str) -> String {
    assert!(ROLLOUT.contains(from), "{from}");
    ROLLOUT.replacen(from, to, 1)
}

#[test]
fn unknown_field() {
    let text = rollout_with("  strategy:\n", "  strategy:\n    unknown-strategy: {}\n");
    let found = errors(&text);
    assert_eq!(found.len(), 1, "{found:#?}");
    let e = &found[0];
    assert_eq!(e.kind, SchemaErrorKind::UnknownField);
    assert_eq!(e.pointer, "/spec/strategy/unknown-strategy");
    assert_eq!(e.key.as_deref(), Some("unknown-strategy"));
    assert_eq!(
        e.message,
        "unknown field `unknown-strategy` in `spec.strategy`"
    );
    assert_eq!(
        e.help.as_deref(),
        Some("the fields allowed here: blueGreen, canary")
    );
    // Reported at the key, as written.
    let o = &objects(&text)[0];
    let d = e.to_diagnostic(o);
    assert_eq!(
        d.to_string(),
        "error: t.yaml:25:5: unknown field `unknown-strategy` in `spec.strategy`\n  help: the fields allowed here: blueGreen, canary"
    );
}

#[test]
fn unknown_field_suggests_the_close_one() {
    let found = errors(&rollout_with(
        "activeService: shop-active",
        "activeService: shop-active\n      scaleDownDelaySecond: 5",
    ));
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(
        found[0].message,
        "unknown field `scaleDownDelaySecond` in `spec.strategy.blueGreen`"
    );
    assert_eq!(
        found[0].help.as_deref(),
        Some("did you mean `scaleDownDelaySeconds`?")
    );
    // Inside the pod template too: it is checked against Kubernetes' own types.
    let found = errors(&rollout_with(
        "image: nginx:1.29",
        "image: nginx:1.29\n          imagePullPolicyy: Always",
    ));
    assert_eq!(
        found[0].pointer,
        "/spec/template/spec/containers/0/imagePullPolicyy"
    );
    assert_eq!(
        found[0].message,
        "unknown field `imagePullPolicyy` in `spec.template.spec.containers[0]`"
    );
    assert_eq!(
        found[0].help.as_deref(),
        Some("did you mean `imagePullPolicy`?")
    );
    // And at the top.
    let found = errors(&format!("{ROLLOUT}specs: {{}}\n"));
    assert_eq!(found[0].message, "unknown field `specs` in the Rollout");
}

#[test]
fn missing_required_fields() {
    let found = errors(&rollout_with("      activeService: shop-active\n", ""));
    assert_eq!(found.len(), 1, "{found:#?}");
    let e = &found[0];
    assert_eq!(e.kind, SchemaErrorKind::Required);
    assert_eq!(e.pointer, "/spec/strategy/blueGreen");
    assert_eq!(e.key.as_deref(), Some("activeService"));
    assert_eq!(
        e.message,
        "`spec.strategy.blueGreen` is missing the required field `activeService`"
    );
    let d = e.to_diagnostic(&objects(&rollout_with("      activeService: shop-active\n", ""))[0]);
    assert_eq!(
        d.location.unwrap().to_string(),
        "t.yaml:25:5",
        "at the `blueGreen:` key"
    );

    let found = errors(&rollout_with(
        "        - name: shop\n          image",
        "        - image",
    ));
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].pointer, "/spec/template/spec/containers/0");
    assert_eq!(found[0].key.as_deref(), Some("name"));

    let found = errors("apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata: {name: a}\n");
    assert_eq!(
        found[0].message,
        "the Rollout is missing the required field `spec`"
    );
}

#[test]
fn wrong_type() {
    let found = errors(&rollout_with("replicas: 3", "replicas: x"));
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].kind, SchemaErrorKind::Type);
    assert_eq!(found[0].pointer, "/spec/replicas");
    assert_eq!(
        found[0].message,
        "`spec.replicas` must be an integer, found the string \"x\""
    );
    let found = errors(&rollout_with(
        "revisionHistoryLimit: 2",
        "revisionHistoryLimit: [2]",
    ));
    assert_eq!(
        found[0].message,
        "`spec.revisionHistoryLimit` must be an integer, found a list"
    );
}

const CANARY: &str = r#"
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: c}
spec:
  selector: {matchLabels: {app: c}}
  template:
    metadata: {labels: {app: c}}
    spec:
      containers: [{name: c, image: "nginx:1.29"}]
  strategy:
    canary:
      maxSurge: SURGE
      steps:
        - setWeight: 20
        - pause: {duration: 1h}
        - pause: {duration: 30}
        - pause: {}
"#;

#[test]
fn int_or_string() {
    assert_valid(&CANARY.replace("SURGE", "25%"));
    assert_valid(&CANARY.replace("SURGE", "1"));
    let found = errors(&CANARY.replace("SURGE", "true"));
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].kind, SchemaErrorKind::Type);
    assert_eq!(
        found[0].message,
        "`spec.strategy.canary.maxSurge` must be an integer or string, found the boolean true"
    );
    assert_eq!(
        errors(&CANARY.replace("SURGE", "1.5"))[0].message,
        "`spec.strategy.canary.maxSurge` must be an integer or string, found the number 1.5"
    );
    // Services' targetPort is Kubernetes' own int-or-string.
    let found = errors(&SERVICES.replace("targetPort: http", "targetPort: {name: http}"));
    assert_eq!(found[0].pointer, "/spec/ports/0/targetPort");
}

const DEPLOYMENT: &str = r#"
apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
  creationTimestamp: null
spec:
  selector: {matchLabels: {app: d}}
  strategy: {}
  template:
    metadata:
      creationTimestamp: null
      labels: {app: d}
    spec:
      containers:
        - name: d
          image: nginx
          resources:
            limits: {cpu: CPU, memory: 128Mi}
status: {}
"#;

#[test]
fn quantities() {
    for cpu in ["1", "500m", "0.5", "\"2\""] {
        let found = errors(&DEPLOYMENT.replace("CPU", cpu));
        assert!(found.is_empty(), "cpu: {cpu}: {found:#?}");
    }
    let found = errors(&DEPLOYMENT.replace("CPU", "true"));
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(
        found[0].message,
        "`spec.template.spec.containers[0].resources.limits.cpu` must be a string or number, found the boolean true"
    );
    let found = errors(&DEPLOYMENT.replace("128Mi", "1GB").replace("CPU", "1"));
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(
        found[0].message,
        "`spec.template.spec.containers[0].resources.limits.memory` must be a quantity such as `500m`, `1.5` or `128Mi`, found the string \"1GB\""
    );
    // A Rollout's container resources are open, as in the CRD (API-04): the API server
    // admits a quantity it cannot parse and the controller tolerates it.
    assert_valid(&rollout_with("cpu: 100m", "cpu: 1"));
    assert_valid(&rollout_with("memory: 64Mi", "memory: invalid"));
    // The pod-level `overhead` stays typed.
    let found = errors(&rollout_with(
        "      containers:\n",
        "      overhead: {cpu: [1]}\n      containers:\n",
    ));
    assert_eq!(found[0].pointer, "/spec/template/spec/overhead/cpu");
}

#[test]
fn nulls_are_unset_unless_required() {
    // `kubectl create --dry-run -o yaml` writes these; Kubernetes reads null as unset.
    assert_valid(&DEPLOYMENT.replace("CPU", "1"));
    assert_valid(&rollout_with(
        "previewService: shop-preview",
        "previewService: null",
    ));
    assert_valid(&rollout_with("replicas: 3", "replicas: ~"));
    let found = errors(&rollout_with(
        "activeService: shop-active",
        "activeService: null",
    ));
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(
        found[0].message,
        "`spec.strategy.blueGreen.activeService` must be a string, found null"
    );
    let found = errors(&rollout_with(
        "templates: [{templateName: smoke}]",
        "templates: [null]",
    ));
    assert_eq!(
        found[0].pointer,
        "/spec/strategy/blueGreen/prePromotionAnalysis/templates/0"
    );
    // An unknown field is unknown whatever its value.
    let found = errors(&rollout_with("replicas: 3", "replicas: 3\n  replica: null"));
    assert_eq!(found[0].kind, SchemaErrorKind::UnknownField);
}

#[test]
fn open_places_take_anything() {
    let text = CANARY.replace("SURGE", "1").replace(
        "        - pause: {}\n",
        r#"        - pause: {}
        - plugin:
            name: acme/step
            config: {anything: [1, {deep: true}], goes: null}
      trafficRouting:
        plugins:
          argoproj-labs/gatewayAPI: {httpRoute: r, namespace: n, extra: {x: 1}}
"#,
    );
    assert_valid(&text);
    let metric = r#"
apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata: {name: p}
spec:
  metrics:
    - name: m
      provider:
        plugin:
          argoproj-labs/sample: {address: x, nested: {list: [1, "2"]}}
    - name: w
      provider:
        web: {url: u, jsonBody: {a: [1, {b: null}], c: "d"}}
"#;
    assert_valid(metric);
    // Next to the open places, everything stays closed.
    let found = errors(&text.replace("name: acme/step", "name: acme/step\n            nmae: x"));
    assert_eq!(
        found[0].message,
        "unknown field `nmae` in `spec.strategy.canary.steps[4].plugin`"
    );
}

#[test]
fn enums_and_empty_objects() {
    let found = errors(&CLUSTER_ANALYSIS_TEMPLATE.replace("aggregator: avg", "aggregator: avgg"));
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].kind, SchemaErrorKind::Enum);
    assert_eq!(found[0].help.as_deref(), Some("did you mean `avg`?"));
    let found = errors(&rollout_with(
        "preferredDuringSchedulingIgnoredDuringExecution: {weight: 50}",
        "requiredDuringSchedulingIgnoredDuringExecution: {weight: 50}",
    ));
    assert_eq!(found[0].kind, SchemaErrorKind::UnknownField);
    assert_eq!(found[0].help.as_deref(), Some("no fields are allowed here"));
}

#[test]
fn errors_come_in_source_order() {
    let text = rollout_with("replicas: 3", "replicas: x")
        .replace("scaleDownDelaySeconds: 30", "scaleDownDelaySeconds: soon")
        .replace(
            "revisionHistoryLimit: 2",
            "revisionHistoryLimit: 2\n  zzz: 1",
        );
    let o = &objects(&text)[0];
    let lines: Vec<u32> = Schemas::builtin()
        .validate(o)
        .iter()
        .map(|e| e.position(o).unwrap().line)
        .collect();
    assert_eq!(lines.len(), 3);
    assert!(lines.is_sorted(), "{lines:?}");
}

#[test]
fn schemas_are_shared_between_threads() {
    fn check<T: Send + Sync>() {}
    check::<Schemas>();
    let schemas = Schemas::builtin();
    let text = rollout_with("replicas: 3", "replicas: x");
    std::thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| assert_eq!(errors_with(&schemas, &text).len(), 1));
        }
    });
}

// CRDs.

const WIDGET_CRD: &str = r#"
apiVersion: v1
kind: ConfigMap
metadata: {name: not-a-crd}
data: {a: b}
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  names: {kind: Widget, plural: widgets}
  scope: Namespaced
  versions:
    - name: v1alpha1
      served: false
      storage: false
      schema:
        openAPIV3Schema: {type: object}
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          required: [spec]
          properties:
            spec:
              type: object
              required: [size]
              properties:
                size:
                  x-kubernetes-int-or-string: true
                  anyOf: [{type: integer}, {type: string}]
                note: {type: string, nullable: true}
                owner: {type: string, nullable: true}
                color: {type: string, enum: [red, blue]}
                weight: {type: number, minimum: 0, exclusiveMinimum: true}
                tags:
                  type: array
                  x-kubernetes-list-type: set
                  items: {type: string}
                labels:
                  type: object
                  additionalProperties: {type: string}
                config:
                  type: object
                  x-kubernetes-preserve-unknown-fields: true
                tuned:
                  type: object
                  x-kubernetes-preserve-unknown-fields: true
                  properties:
                    level: {type: integer}
                empty: {type: object}
                template:
                  type: object
                  x-kubernetes-embedded-resource: true
                  x-kubernetes-preserve-unknown-fields: true
            status:
              type: object
              properties:
                ready: {type: boolean}
"#;

fn crd_dir(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

fn widget(spec: &str) -> String {
    format!(
        "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n  labels: {{a: b}}\nspec:\n{spec}"
    )
}

#[test]
fn crd_conversion() {
    let dir = crd_dir(&[("install.yaml", WIDGET_CRD)]);
    let schemas = Schemas::with_crds(&[dir.path().join("install.yaml")]).unwrap();
    assert!(schemas.knows("example.com/v1", "Widget"));
    assert!(
        !schemas.knows("example.com/v1alpha1", "Widget"),
        "not served"
    );
    let ok = |spec: &str| {
        let found = errors_with(&schemas, &widget(spec));
        assert!(found.is_empty(), "{spec}: {found:#?}");
    };
    let bad = |spec: &str| -> SchemaError {
        let found = errors_with(&schemas, &widget(spec));
        assert_eq!(found.len(), 1, "{spec}: {found:#?}");
        found.into_iter().next().unwrap()
    };
    // int-or-string
    ok("  size: 3\n");
    ok("  size: 50%\n");
    assert_eq!(
        bad("  size: true\n").message,
        "`spec.size` must be an integer or string, found the boolean true"
    );
    // nullable, and null on a field that is not
    ok("  size: 1\n  note: null\n");
    ok("  size: 1\n  owner: ~\n  color: null\n");
    // required
    let e = bad("  note: x\n");
    assert_eq!(
        (e.kind, e.key.as_deref()),
        (SchemaErrorKind::Required, Some("size"))
    );
    // closed objects, unless preserve-unknown-fields or additionalProperties
    let e = bad("  size: 1\n  colour: red\n");
    assert_eq!(e.kind, SchemaErrorKind::UnknownField);
    assert_eq!(e.help.as_deref(), Some("did you mean `color`?"));
    ok("  size: 1\n  labels: {x: z}\n  config: {any: [thing]}\n  tuned: {level: 3, other: x}\n");
    assert_eq!(
        bad("  size: 1\n  tuned: {level: x}\n").pointer,
        "/spec/tuned/level"
    );
    assert_eq!(
        bad("  size: 1\n  labels: {x: 1}\n").pointer,
        "/spec/labels/x"
    );
    assert_eq!(
        bad("  size: 1\n  empty: {x: 1}\n").kind,
        SchemaErrorKind::UnknownField
    );
    // enum, exclusive minimum, set
    assert_eq!(
        bad("  size: 1\n  color: green\n").kind,
        SchemaErrorKind::Enum
    );
    ok("  size: 1\n  weight: 0.5\n");
    assert_eq!(bad("  size: 1\n  weight: 0\n").kind, SchemaErrorKind::Other);
    assert_eq!(
        bad("  size: 1\n  tags: [a, a]\n").kind,
        SchemaErrorKind::Other
    );
    // embedded resource: apiVersion, kind and metadata allowed, metadata checked
    ok("  size: 1\n  template: {apiVersion: v1, kind: Pod, metadata: {name: p}, spec: {x: 1}}\n");
    let e = bad("  size: 1\n  template: {metadata: {nmae: p}}\n");
    assert_eq!(e.pointer, "/spec/template/metadata/nmae");
    // root: apiVersion/kind/metadata implicit; metadata is ObjectMeta, the rest closed
    assert_eq!(
        bad("  size: 1\nstatus: {ready: true, extra: 1}\n").pointer,
        "/status/extra"
    );
    let found = errors_with(
        &schemas,
        "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w, labelz: {}}\nspec: {size: 1}\n",
    );
    assert_eq!(found[0].help.as_deref(), Some("did you mean `labels`?"));
}

#[test]
fn crd_conversion_keywords() {
    let schema: Value = serde_json::json!({
        "type": "object",
        "properties": {
            "n": {"type": "integer", "maximum": 5, "exclusiveMaximum": true, "nullable": true},
            "c": {"anyOf": [{"required": ["a"]}, {"required": ["b"]}],
                  "properties": {"a": {"type": "string"}, "b": {"type": "string"}}},
        },
    });
    let converted = crd::convert(&schema).unwrap();
    let n = &converted["properties"]["n"];
    assert_eq!(n["type"], serde_json::json!(["integer", "null"]));
    assert_eq!(n["exclusiveMaximum"], 5);
    assert!(n.get("maximum").is_none());
    // Members of anyOf only add constraints: never closed.
    let c = &converted["properties"]["c"];
    assert_eq!(c["additionalProperties"], false);
    assert!(c["anyOf"][0].get("additionalProperties").is_none());
    let open = serde_json::json!({"type": "object", "x-kubernetes-preserve-unknown-fields": true});
    let open = crd::convert(&open).unwrap();
    assert!(open.get("additionalProperties").is_none(), "{open}");
    assert!(open["properties"].get("metadata").is_some());
    let errors = crd::convert(&serde_json::json!({"type": "objekt"})).unwrap_err();
    assert!(errors[0].contains("`type` must be one of"), "{errors:?}");
}

#[test]
fn crd_replaces_the_builtin_kind() {
    let crd = r#"
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: rollouts.argoproj.io}
spec:
  group: argoproj.io
  names: {kind: Rollout}
  versions:
    - name: v1alpha1
      served: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec: {type: object, x-kubernetes-preserve-unknown-fields: true}
"#;
    let dir = crd_dir(&[
        ("crds/rollout.yaml", crd),
        ("crds/notes.txt", "not yaml: ["),
    ]);
    let schemas = Schemas::with_crds(&[dir.path().join("crds")]).unwrap();
    let text = rollout_with("replicas: 3", "replicas: x");
    assert!(
        errors_with(&schemas, &text).is_empty(),
        "the CRD's open spec"
    );
    assert_eq!(errors(&text).len(), 1, "the built-in schema");
    // Other built-in kinds stay.
    assert!(schemas.knows("v1", "Service"));
}

#[test]
fn crd_errors_are_positioned() {
    let broken = "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: a}\nspec:\n  names: {kind: A}\n  versions: []\n";
    let dir = crd_dir(&[
        ("a.yaml", broken),
        ("b.yaml", "a: [1,\n"),
        ("c.yaml", &WIDGET_CRD.replace("type: array", "type: list")),
    ]);
    let err = Schemas::with_crds(&[dir.path().to_owned()]).err().unwrap();
    let text = err.to_string();
    assert_eq!(err.diagnostics.len(), 3, "{text}");
    assert!(
        text.contains("a.yaml:4:1: the CustomResourceDefinition has no `spec.group`"),
        "{text}"
    );
    assert!(text.contains("b.yaml:"), "{text}");
    assert!(
        text.contains("c.yaml:40:19: `type` must be one of"),
        "{text}"
    );

    let missing = Schemas::with_crds(&[PathBuf::from("/nonexistent/crds.yaml")])
        .err()
        .unwrap();
    assert!(missing.to_string().contains("cannot read"), "{missing}");
    let dir = crd_dir(&[("svc.yaml", SERVICES)]);
    let none = Schemas::with_crds(&[dir.path().to_owned()]).err().unwrap();
    assert!(
        none.to_string()
            .contains("no CustomResourceDefinition found"),
        "{none}"
    );
    let dir = crd_dir(&[(
        "old.yaml",
        "apiVersion: apiextensions.k8s.io/v1beta1\nkind: CustomResourceDefinition\nmetadata: {name: a}\n",
    )]);
    let old = Schemas::with_crds(&[dir.path().to_owned()]).err().unwrap();
    assert!(old.to_string().contains("old.yaml:1:1:"), "{old}");
}

#[test]
fn a_crd_schema_that_cannot_compile_is_reported_on_use() {
    let crd = WIDGET_CRD.replace(
        "note: {type: string, nullable: true}",
        "note: {type: string, pattern: \"([\"}",
    );
    let dir = crd_dir(&[("widget.yaml", &crd)]);
    let schemas = Schemas::with_crds(&[dir.path().to_owned()]).unwrap();
    let found = errors_with(&schemas, &widget("  size: 1\n"));
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(
        found[0]
            .message
            .starts_with("the schema of example.com/v1 Widget from the CRD at "),
        "{}",
        found[0].message
    );
    assert!(
        found[0].message.contains("widget.yaml:7"),
        "{}",
        found[0].message
    );
}

/// The embedded schemas (schemas/kinds/) are what the types generate; regenerate them with
/// `ROLLWRIGHT_UPDATE_SCHEMAS=1 cargo test embedded_schemas`.
#[test]
fn embedded_schemas_match_the_types() {
    let update = std::env::var_os("ROLLWRIGHT_UPDATE_SCHEMAS").is_some();
    for (api_version, kind, text) in super::builtin::PREPARED {
        let fresh = Schemas::builtin_schema(api_version, kind).expect("a built-in kind");
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("schemas/kinds")
            .join(format!("{}.json", kind.to_lowercase()));
        if update {
            std::fs::write(&path, serde_json::to_string(&fresh).unwrap() + "\n").unwrap();
            continue;
        }
        let embedded: Value = serde_json::from_str(text).unwrap();
        assert!(
            embedded == fresh,
            "{} is stale: run ROLLWRIGHT_UPDATE_SCHEMAS=1 cargo test embedded_schemas",
            path.display()
        );
    }
}
