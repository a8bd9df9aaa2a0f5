//! What the API server, the kubelet and a given controller release check that validation used
//! to pass over: object metadata, kinds by group and version, status, image references, and
//! the release the verdicts are for.

mod common;

use common::{chart, example, rollwright, run, run_in};
use serde_json::Value;

/// `validate --format json` of `text` given on standard input, with `args`.
fn validate(text: &str, args: &[&str]) -> (i32, Value) {
    let out = rollwright()
        .args(["validate", "--format", "json", "-"])
        .args(args)
        .write_stdin(text)
        .output()
        .unwrap();
    let json = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap(), json)
}

/// (rule, severity, message) of each finding.
fn findings(report: &Value) -> Vec<(String, String, String)> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let s = |k: &str| f[k].as_str().unwrap_or_default().to_owned();
            (s("rule"), s("severity"), s("message"))
        })
        .collect()
}

fn rules(report: &Value) -> Vec<String> {
    findings(report).into_iter().map(|(r, ..)| r).collect()
}

const SERVICE: &str = "apiVersion: v1
kind: Service
metadata:
  name: NAME
  namespace: NAMESPACE
  labels:
    team: TEAM
  annotations:
    KEY: owner
spec:
  selector:
    app: shop
  ports:
    - port: 80
";

fn service(name: &str, namespace: &str, team: &str, key: &str) -> String {
    SERVICE
        .replace("NAMESPACE", namespace)
        .replace("NAME", name)
        .replace("TEAM", team)
        .replace("KEY", key)
}

#[test]
fn object_metadata_is_checked_with_the_api_servers_words() {
    let (code, report) = validate(
        &service(
            "Shop_Active",
            "\"Shop Team\"",
            "\"shop floor\"",
            "\"bad key!\"",
        ),
        &[],
    );
    assert_eq!(code, 1);
    let found = findings(&report);
    let has = |rule: &str, message: &str| {
        assert!(
            found
                .iter()
                .any(|(r, s, m)| r == rule && s == "error" && m == message),
            "{rule} {message}\n{found:#?}"
        )
    };
    has(
        "MD-01",
        "metadata.name: Invalid value: \"Shop_Active\": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
    );
    has(
        "MD-03",
        "metadata.namespace: Invalid value: \"Shop Team\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
    );
    has(
        "MD-04",
        "metadata.labels: Invalid value: \"shop floor\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
    );
    has(
        "MD-05",
        "metadata.annotations: Invalid value: \"bad key!\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
    );
    assert_eq!(found.len(), 4, "{found:#?}");

    // A Service name may not start with a digit; a ConfigMap's may.
    let (_, report) = validate(&service("1shop", "shop", "web", "owner"), &[]);
    assert_eq!(rules(&report), ["MD-01"]);
    let config_map = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: 1shop.settings\n";
    assert!(rules(&validate(config_map, &[]).1).is_empty());
    // Well-formed metadata passes.
    let (code, report) = validate(
        &service("shop-active", "shop", "web", "Example.com/owner"),
        &[],
    );
    assert_eq!((code, rules(&report)), (0, Vec::<String>::new()));
}

const ROLLOUT: &str = "apiVersion: APIVERSION
kind: KIND
metadata:
  name: shop
spec:
  selector:
    matchLabels:
      app: shop
  template:
    metadata:
      labels:
        app: shop
    spec:
      containers:
        - name: shop
          image: nginx:1.29
  strategy:
    blueGreen:
      activeService: shop
      previewService: shop
---
apiVersion: v1
kind: Service
metadata:
  name: shop
spec:
  selector:
    app: shop
  ports:
    - port: 80
";

fn rollout(api_version: &str, kind: &str) -> String {
    ROLLOUT
        .replace("APIVERSION", api_version)
        .replace("KIND", kind)
}

#[test]
fn kinds_are_matched_by_group_and_version() {
    // The served version gets the Rollout rules (activeService = previewService: BG-01).
    let (_, report) = validate(&rollout("argoproj.io/v1alpha1", "Rollout"), &[]);
    assert!(rules(&report).contains(&"BG-01".to_owned()), "{report}");

    // A version the API server does not serve: its error, and no Rollout rule.
    let (code, report) = validate(&rollout("argoproj.io/v1", "Rollout"), &[]);
    assert_eq!(code, 1);
    let f = &report["findings"][0];
    assert_eq!(f["rule"], "API-09");
    assert_eq!(
        f["message"],
        "no matches for kind \"Rollout\" in version \"argoproj.io/v1\""
    );
    assert!(
        f["help"]
            .as_str()
            .unwrap()
            .contains("did you mean `apiVersion: argoproj.io/v1alpha1`?")
    );
    assert_eq!(rules(&report), ["API-09"], "{report}");

    // A kind without a schema: a warning (exit 0), an error with --strict (exit 1).
    let (code, report) = validate(&rollout("argoproj.io/v1alpha1", "Rolout"), &[]);
    assert_eq!(code, 0);
    let f = &report["findings"][0];
    assert_eq!(
        (f["rule"].as_str(), f["severity"].as_str()),
        (Some("API-10"), Some("warning"))
    );
    assert_eq!(
        f["message"],
        "no schema for argoproj.io/v1alpha1 Rolout: not checked (pass --crds)"
    );
    assert_eq!(f["help"], "did you mean `kind: Rollout`?");
    let (code, report) = validate(&rollout("argoproj.io/v1alpha1", "Rolout"), &["--strict"]);
    assert_eq!(code, 1);
    assert_eq!(report["findings"][0]["severity"], "error");

    // Another version of a kind rollwright checks: the way to the checked one.
    let hpa = "apiVersion: autoscaling/v1\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: shop\nspec:\n  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: shop}\n  maxReplicas: 3\n";
    let (_, report) = validate(hpa, &[]);
    assert_eq!(rules(&report), ["API-10"]);
    assert!(
        report["findings"][0]["help"]
            .as_str()
            .unwrap()
            .starts_with("rollwright checks HorizontalPodAutoscaler in autoscaling/v2")
    );

    // A custom resource from --crds is known; another version of it is not served.
    let dir = tempfile::tempdir().unwrap();
    let crd = dir.path().join("widget-crd.yaml");
    std::fs::write(&crd, WIDGET_CRD).unwrap();
    let widget = |v: &str| {
        format!(
            "apiVersion: example.com/{v}\nkind: Widget\nmetadata:\n  name: w\nspec:\n  size: 1\nstatus:\n  ready: maybe\n"
        )
    };
    let crds = ["--crds", crd.to_str().unwrap()];
    assert!(rules(&validate(&widget("v1"), &crds).1).is_empty());
    assert_eq!(rules(&validate(&widget("v2"), &crds).1), ["API-09"]);
}

/// A CRD whose version has a status subresource.
const WIDGET_CRD: &str = "apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  scope: Namespaced
  names: {kind: Widget, plural: widgets, singular: widget}
  versions:
    - name: v1
      served: true
      storage: true
      subresources:
        status: {}
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              required: [size]
              properties:
                size: {type: integer}
            status:
              type: object
              required: [phase]
              properties:
                ready: {type: boolean}
                phase: {type: string}
";

#[test]
fn status_is_not_checked_where_the_api_server_ignores_it() {
    // `kubectl get -o yaml` of a Rollout: its status misses fields the schema requires.
    let dump = format!(
        "{}status:\n  conditions:\n    - type: Available\n  canary: {{}}\n  blueGreen:\n    activeSelector: 5d8f\n  unknownStatusField: 1\n",
        rollout("argoproj.io/v1alpha1", "Rollout")
            .split("---")
            .next()
            .unwrap()
            .replace("previewService: shop", "previewService: shop-preview")
    );
    let (_, report) = validate(&dump, &[]);
    let api: Vec<_> = rules(&report)
        .into_iter()
        .filter(|r| r.starts_with("API-"))
        .collect();
    assert!(api.is_empty(), "{report}");

    // A Deployment's status is dropped by the API server too.
    let deployment = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: shop\nspec:\n  selector: {matchLabels: {app: shop}}\n  template:\n    metadata: {labels: {app: shop}}\n    spec:\n      containers: [{name: shop, image: 'nginx:1.29'}]\nstatus:\n  conditions:\n    - reason: NewReplicaSetAvailable\n";
    assert!(rules(&validate(deployment, &[]).1).is_empty());

    // An AnalysisRun has no status subresource: the API server stores its status as written,
    // so it is checked.
    let run = "apiVersion: argoproj.io/v1alpha1\nkind: AnalysisRun\nmetadata:\n  name: smoke-1\nspec:\n  metrics:\n    - name: ping\n      provider:\n        web: {url: 'http://shop/healthz'}\nstatus:\n  phase: Successful\n  metricResults:\n    - phase: Successful\n";
    assert_eq!(rules(&validate(run, &[]).1), ["API-01"]);
}

#[test]
fn image_references_are_checked() {
    // `--set 'image.tag=1.29 replicaCount=3'` renders an image with a space.
    let r = run(&[
        "render",
        example().to_str().unwrap(),
        "--set",
        "image.tag=1.29 replicaCount=3",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("image: nginx:1.29 replicaCount=3"));
    let (code, report) = validate(&r.stdout, &[]);
    assert_eq!(code, 1);
    let f = &report["findings"][0];
    assert_eq!(f["rule"], "IMG-01");
    assert_eq!(
        f["message"],
        "spec.template.spec.containers[0].image: \"nginx:1.29 replicaCount=3\" is not a valid image reference: invalid reference format"
    );
    assert!(f["help"].as_str().unwrap().contains("whitespace"));
    let problems: Vec<_> = findings(&report)
        .into_iter()
        .filter(|(_, severity, _)| severity != "info")
        .map(|(rule, ..)| rule)
        .collect();
    assert_eq!(problems, ["IMG-01"]);

    // A tag-less image is a warning.
    let worker = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: worker\nspec:\n  selector: {matchLabels: {app: worker}}\n  template:\n    metadata: {labels: {app: worker}}\n    spec:\n      containers: [{name: worker, image: acme/worker}]\n";
    let (code, report) = validate(worker, &[]);
    assert_eq!((code, rules(&report)), (0, vec!["IMG-02".to_owned()]));
    assert_eq!(report["findings"][0]["severity"], "warning");
}

#[test]
fn set_image_refuses_a_whole_reference_where_a_tag_belongs() {
    let text = std::fs::read_to_string(example().join("values.yaml")).unwrap();
    let dir = chart(&text);
    let d = dir.path().to_str().unwrap();
    let r = run(&["set-image", d, "nginx:1.29"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("`nginx:1.29` is a whole image reference, not a tag"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("rollwright set-image CHART 1.29 --repository nginx"),
        "{}",
        r.stderr
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("values.yaml")).unwrap(),
        text,
        "nothing is written"
    );
    let r = run(&["set-image", d, "1.29 replicaCount=3"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("is not an image tag"), "{}", r.stderr);
    let r = run(&["set-image", d, "1.29", "--repository", "nginx:1.28"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("not an image repository"), "{}", r.stderr);
    // A tag and a digest are both fine.
    let digest = format!("sha256:{}", "a".repeat(64));
    for ok in ["1.29", "v1.29.0-rc.1", digest.as_str()] {
        let r = run(&["set-image", d, ok]);
        assert_eq!(r.code, 0, "{ok}: {}", r.stderr);
    }
    let r = run(&["render", d]);
    assert!(
        r.stdout.contains(&format!("image: nginx@{digest}\n")),
        "{}",
        r.stdout
    );
}

/// A canary Rollout whose setMirrorRoute uses a plugin router: refused up to 1.9, accepted
/// from 1.10 on.
const MIRROR: &str = "apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata:
  name: shop
spec:
  selector:
    matchLabels:
      app: shop
  template:
    metadata:
      labels:
        app: shop
    spec:
      containers:
        - name: shop
          image: nginx:1.29
  strategy:
    canary:
      stableService: shop-stable
      canaryService: shop-canary
      trafficRouting:
        managedRoutes:
          - name: mirror
        plugins:
          argoproj-labs/gatewayAPI:
            httpRoute: shop
      steps:
        - setMirrorRoute:
            name: mirror
            percentage: 10
        - setWeight: 20
---
apiVersion: v1
kind: Service
metadata:
  name: shop-stable
spec:
  selector:
    app: shop
  ports:
    - port: 80
---
apiVersion: v1
kind: Service
metadata:
  name: shop-canary
spec:
  selector:
    app: shop
  ports:
    - port: 80
";

#[test]
fn verdicts_follow_the_chosen_controller_release() {
    let (code, report) = validate(MIRROR, &[]);
    assert_eq!(code, 1);
    assert_eq!(report["summary"]["rolloutsVersion"], "1.9");
    assert_eq!(rules(&report), ["C-21"]);
    assert!(
        report["findings"][0]["message"]
            .as_str()
            .unwrap()
            .ends_with("SetMirrorRoute requires TrafficRouting, supports Istio only")
    );
    let (code, report) = validate(MIRROR, &["--rollouts-version", "1.10"]);
    assert_eq!((code, rules(&report)), (0, Vec::<String>::new()));
    assert_eq!(report["summary"]["rolloutsVersion"], "1.10");

    // A field a later release added is unknown to an older one's CRDs.
    let analysis = "apiVersion: argoproj.io/v1alpha1\nkind: AnalysisTemplate\nmetadata:\n  name: smoke\n  annotations: {rollwright.io/ignore: P-07}\nspec:\n  metrics:\n    - name: ok\n      consecutiveSuccessLimit: 2\n      count: 3\n      interval: 10s\n      provider:\n        web: {url: 'http://shop/healthz'}\n";
    assert!(rules(&validate(analysis, &[]).1).is_empty());
    let (_, report) = validate(analysis, &["--rollouts-version", "v1.7.2"]);
    assert_eq!(rules(&report), ["API-07"]);
    assert_eq!(
        report["findings"][0]["message"],
        "unknown field `consecutiveSuccessLimit` in `spec.metrics[0]`: the CRDs of Argo Rollouts 1.7 do not have it (added in 1.8)"
    );

    // The text and SARIF reports name the release; so does the configuration.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("rollout.yaml"), MIRROR).unwrap();
    let text = run_in(dir.path(), &["validate", "rollout.yaml"]);
    assert!(
        text.stdout
            .ends_with("1 error in 1 file (3 objects) for Argo Rollouts 1.9\n"),
        "{}",
        text.stdout
    );
    let sarif = run_in(
        dir.path(),
        &["validate", "--format", "sarif", "rollout.yaml"],
    );
    let sarif: Value = serde_json::from_str(&sarif.stdout).unwrap();
    assert_eq!(sarif["runs"][0]["properties"]["rolloutsVersion"], "1.9");
    std::fs::write(
        dir.path().join(".rollwright.yaml"),
        "rolloutsVersion: \"1.10\"\n",
    )
    .unwrap();
    let r = run_in(dir.path(), &["validate", "rollout.yaml"]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert!(
        r.stdout.ends_with("for Argo Rollouts 1.10 (main branch)\n"),
        "{}",
        r.stdout
    );
    // The flag wins over the configuration.
    let r = run_in(
        dir.path(),
        &["validate", "rollout.yaml", "--rollouts-version", "1.8"],
    );
    assert_eq!(r.code, 1, "{}", r.stdout);

    // Unknown releases are refused, with the list.
    let r = run_in(
        dir.path(),
        &["validate", "rollout.yaml", "--rollouts-version", "1.5"],
    );
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("1.6, 1.7, 1.8, 1.9, 1.10"),
        "{}",
        r.stderr
    );
    std::fs::write(
        dir.path().join(".rollwright.yaml"),
        "rolloutsVersion: 1.10\n",
    )
    .unwrap();
    let r = run_in(dir.path(), &["validate", "rollout.yaml"]);
    assert_eq!(r.code, 2, "YAML reads 1.10 as 1.1: {}", r.stdout);
    assert!(r.stderr.contains(".rollwright.yaml:1:1"), "{}", r.stderr);
    assert!(r.stderr.contains("as a string"), "{}", r.stderr);
}

/// docs/rollouts-versions.md lists every change of verdict and every added field the rules
/// know, with the release that made it.
#[test]
fn release_notes_document_every_change() {
    use rollwright::rules::version::{ADDED_FIELDS, CHANGES};
    let doc = std::fs::read_to_string(common::repo().join("docs/rollouts-versions.md")).unwrap();
    for c in CHANGES {
        let start = format!("| {} | ", c.rules.join(", "));
        assert!(
            doc.lines().any(|l| l.starts_with(&start)
                && l[start.len()..]
                    .split(" |")
                    .next()
                    .unwrap()
                    .contains(c.since.as_str())),
            "no row `{start}{} …` in docs/rollouts-versions.md",
            c.since
        );
    }
    for f in ADDED_FIELDS {
        let last = f.pointer.rsplit('/').next().unwrap();
        let start = format!("| {} | ", f.since);
        assert!(
            doc.lines()
                .any(|l| l.starts_with(&start) && l.contains(last)),
            "{} (from {}) is not in the field table",
            f.pointer,
            f.since
        );
    }
    // The catalogue marks the rules.
    let r = run(&["rules"]);
    let c21 = r.stdout.lines().find(|l| l.starts_with("C-21 ")).unwrap();
    assert!(
        c21.ends_with("(verdict differs before Argo Rollouts 1.10)"),
        "{c21}"
    );
    let c03 = r.stdout.lines().find(|l| l.starts_with("C-03 ")).unwrap();
    assert!(
        c03.ends_with("(verdict differs before Argo Rollouts 1.7, 1.10)"),
        "{c03}"
    );
}
