//! `rollwright export-helm`: the exported chart, rendered by the real helm binary, yields the
//! same objects as `rollwright render` for the same values and flags, and passes
//! `helm lint --strict`.
//!
//! helm is `ROLLWRIGHT_HELM`, else `helm` on PATH (`.ci/run` installs it with
//! `../shared/tools/install-peers.sh`). Without helm the comparisons are skipped, unless
//! `ROLLWRIGHT_REQUIRE_PEERS=1`, when they fail.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::{chart, example, run};
use serde_json::Value;

/// The helm binary (`ROLLWRIGHT_HELM`, else `helm` on PATH), or `None` when the comparison
/// must be skipped. `ROLLWRIGHT_HELM` runs the same comparison with another Helm version.
fn helm() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("ROLLWRIGHT_HELM") {
        return Some(PathBuf::from(path));
    }
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join("helm"))
            .find(|p| p.is_file())
    });
    if found.is_none() {
        assert!(
            std::env::var("ROLLWRIGHT_REQUIRE_PEERS").as_deref() != Ok("1"),
            "helm is not on PATH and ROLLWRIGHT_REQUIRE_PEERS=1 (run ../shared/tools/install-peers.sh)"
        );
        eprintln!("skipped: helm is not on PATH (run ../shared/tools/install-peers.sh)");
    }
    found
}

/// Exports `source` into `<tmp>/<name>` and returns that chart directory.
fn export(source: &Path, name: &str, tmp: &Path) -> PathBuf {
    let dir = tmp.join(name);
    let r = run(&[
        "export-helm",
        source.to_str().unwrap(),
        "--output-dir",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "export-helm {}: {}", source.display(), r.stderr);
    dir
}

/// Objects of a multi-document stream by (kind, name), numbers compared by value (Helm
/// reads `values.yaml` numbers as floats and writes `1.0` as `1`).
fn objects(text: &str) -> BTreeMap<(String, String), Value> {
    // Helm's `# Source:` comments are YAML comments; dropped anyway, so no parser sees them.
    let text: String = text
        .lines()
        .filter(|l| !l.starts_with("# Source:"))
        .map(|l| format!("{l}\n"))
        .collect();
    let docs: Vec<Value> = serde_saphyr::from_str_multiple(&text)
        .unwrap_or_else(|e| panic!("cannot parse:\n{text}\n{e}"));
    let mut out = BTreeMap::new();
    for mut doc in docs.into_iter().filter(|d| !d.is_null()) {
        normalize_numbers(&mut doc);
        let key = (
            doc["kind"].as_str().unwrap_or_default().to_owned(),
            doc["metadata"]["name"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
        );
        assert!(out.insert(key.clone(), doc).is_none(), "{key:?} twice");
    }
    out
}

fn normalize_numbers(v: &mut Value) {
    match v {
        Value::Number(n) => {
            if let Some(f) = n.as_f64()
                && f.fract() == 0.0
                && f.abs() < 9.0e15
            {
                *v = Value::from(f as i64);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(normalize_numbers),
        Value::Object(map) => map.values_mut().for_each(normalize_numbers),
        _ => {}
    }
}

/// The differences between two values, one line per JSON pointer.
fn diff(path: &str, a: &Value, b: &Value, out: &mut Vec<String>) {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for (k, va) in x {
                match y.get(k) {
                    Some(vb) => diff(&format!("{path}/{k}"), va, vb, out),
                    None => out.push(format!("  {path}/{k}: rollwright {va}, helm absent")),
                }
            }
            for (k, vb) in y {
                if !x.contains_key(k) {
                    out.push(format!("  {path}/{k}: rollwright absent, helm {vb}"));
                }
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (va, vb)) in x.iter().zip(y).enumerate() {
                diff(&format!("{path}/{i}"), va, vb, out);
            }
        }
        _ if a != b => out.push(format!("  {path}: rollwright {a}, helm {b}")),
        _ => {}
    }
}

/// Renders `source` with rollwright and `exported` with `helm template`, both with `flags`,
/// and describes every difference (empty when the objects are the same).
fn compare(helm: &Path, source: &Path, exported: &Path, name: &str, flags: &[&str]) -> Vec<String> {
    let mut args = vec!["render", source.to_str().unwrap()];
    args.extend_from_slice(flags);
    let ours = run(&args);
    assert_eq!(ours.code, 0, "rollwright {flags:?}: {}", ours.stderr);
    let theirs = Command::new(helm)
        .arg("template")
        .arg(name)
        .arg(exported)
        .args(flags)
        .output()
        .unwrap();
    assert!(
        theirs.status.success(),
        "helm template {flags:?}: {}",
        String::from_utf8_lossy(&theirs.stderr)
    );
    let ours = objects(&ours.stdout);
    let theirs = objects(&String::from_utf8(theirs.stdout).unwrap());
    let mut out = Vec::new();
    for (key, a) in &ours {
        match theirs.get(key) {
            Some(b) => {
                let mut d = Vec::new();
                diff("", a, b, &mut d);
                if !d.is_empty() {
                    out.push(format!("{} {}:", key.0, key.1));
                    out.extend(d);
                }
            }
            None => out.push(format!("{} {}: only rollwright renders it", key.0, key.1)),
        }
    }
    for key in theirs.keys().filter(|k| !ours.contains_key(*k)) {
        out.push(format!("{} {}: only helm renders it", key.0, key.1));
    }
    out
}

fn lint(helm: &Path, exported: &Path) {
    let out = Command::new(helm)
        .args(["lint", "--strict"])
        .arg(exported)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "helm lint --strict {}:\n{}{}",
        exported.display(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `--set`-style flag lists run against the example.
fn example_cases() -> Vec<Vec<String>> {
    let cases: Vec<Vec<&str>> = vec![
        vec![],
        vec!["--set", "image.tag=1.29"],
        vec!["--set", "image.tag=20240101"],
        vec!["--set-string", "image.tag=010"],
        vec![
            "--set",
            "image.tag=sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        ],
        vec![
            "--set",
            "rollout.strategy.blueGreen.autoPromotionEnabled=true",
        ],
        vec![
            "--set",
            "rollout.strategy.blueGreen.autoPromotionEnabled=false,rollout.strategy.blueGreen.autoPromotionSeconds=60",
        ],
        vec!["--set", "rollout.strategy.blueGreen.previewService=null"],
        vec!["--set", "rollout.strategy.blueGreen.previewService="],
        vec![
            "--set",
            "rollout.strategy.blueGreen.prePromotionAnalysis=null",
        ],
        vec![
            "--set",
            "rollout.strategy.blueGreen.postPromotionAnalysis.templates[0].templateName=success-rate",
        ],
        vec![
            "--set-json",
            r#"rollout.strategy.blueGreen.postPromotionAnalysis={"templates":[{"templateName":"error-rate","clusterScope":true}],"args":[{"name":"svc","valueFrom":{"fieldRef":{"fieldPath":"metadata.name"}}}]}"#,
            "--set-json",
            r#"analysisTemplates.error-rate={"clusterScope":true,"args":[{"name":"svc"}],"metrics":[{"name":"errors","interval":"30s","count":"{{args.count}}","failureLimit":"1","provider":{"web":{"url":"http://checks/{{args.svc}}","jsonPath":"{$.ok}"}}}]}"#,
            "--set",
            "namespace=prod",
        ],
        vec![
            "--set",
            "analysisTemplates.success-rate.clusterScope=true,rollout.strategy.blueGreen.prePromotionAnalysis.templates[0].templateName=success-rate,rollout.strategy.blueGreen.prePromotionAnalysis.templates[0].clusterScope=true",
        ],
        vec![
            "--set-json",
            r#"startupProbe={"httpGet":{"path":"/healthz","port":"http"},"failureThreshold":30,"periodSeconds":10}"#,
            "--set",
            "readinessProbe=null,livenessProbe.initialDelaySeconds=5",
        ],
        vec!["--set", "resources.limits.cpu=1,resources.requests.cpu=1"],
        vec![
            "--set-json",
            r#"resources={"requests":{"cpu":0.5,"memory":"64Mi"},"limits":{"cpu":2}}"#,
        ],
        vec!["--set", "replicaCount=0"],
        vec![
            "--set",
            "replicaCount=5,rollout.strategy.blueGreen.previewReplicaCount=1",
        ],
        vec!["--set", "namespace=prod"],
        vec![
            "--set-json",
            r##"podAnnotations={"a":"x: y","b":"say \"hi\" 'there'","c":"line1\nline2\n","d":"{{args.x}}","e":"---","f":"#not a comment","g":"  leading and trailing  ","h":"","i":"yes","j":"0755","k":"1.10","l":"null","m":"- item","n":"a\tb","o":"é ü 日本"}"##,
        ],
        vec![
            "--set-json",
            r#"env=[{"name":"A","value":"1"},{"name":"B","value":"multi\nline: yes"},{"name":"C","valueFrom":{"secretKeyRef":{"name":"s","key":"k"}}}]"#,
            "--set-json",
            r#"envFrom=[{"configMapRef":{"name":"cfg"}}]"#,
        ],
        vec!["--set", "service.targetPort=8080"],
        vec!["--set-string", "service.targetPort=8080"],
        vec![
            "--set",
            "service.type=NodePort,service.port=8080,service.portName=web",
        ],
        vec![
            "--set",
            "labels.team=shop,labels.tier=web,service.labels.exposed=yes,annotations.owner=a@b.c,service.annotations.lb=internal",
        ],
        vec![
            "--set",
            "labels.app\\.kubernetes\\.io/name=other,podLabels.app\\.kubernetes\\.io/name=other,podLabels.version=v1",
        ],
        vec![
            "--set",
            "serviceAccountName=,command[0]=nginx,args[0]=-g,args[1]=daemon off;",
        ],
        vec![
            "--set-json",
            r#"podSecurityContext={}"#,
            "--set-json",
            r#"securityContext={"runAsNonRoot":true,"runAsUser":1000}"#,
        ],
        vec![
            "--set",
            "rollout.strategy.blueGreen.activeMetadata.labels.role=active,rollout.strategy.blueGreen.previewMetadata.annotations.note=preview",
        ],
        vec![
            "--set",
            "rollout.strategy.blueGreen.antiAffinity.preferredDuringSchedulingIgnoredDuringExecution.weight=50",
        ],
        vec![
            "--set-json",
            r#"rollout.strategy.blueGreen.antiAffinity={"requiredDuringSchedulingIgnoredDuringExecution":{}}"#,
        ],
        vec![
            "--set-json",
            r#"volumes=[{"name":"tmp","emptyDir":{}}]"#,
            "--set-json",
            r#"volumeMounts=[{"name":"tmp","mountPath":"/tmp"}]"#,
            "--set",
            "nodeSelector.disk=ssd,imagePullSecrets[0].name=regcred",
            "--set-json",
            r#"tolerations=[{"key":"k","operator":"Exists","effect":"NoSchedule"}]"#,
            "--set-json",
            r#"affinity={"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":[{"matchExpressions":[{"key":"zone","operator":"In","values":["a"]}]}]}}}"#,
        ],
        vec![
            "--set",
            "rollout.progressDeadlineSeconds=900,rollout.minReadySeconds=10,rollout.revisionHistoryLimit=0",
            "--set",
            "rollout.strategy.blueGreen.scaleDownDelaySeconds=120,rollout.strategy.blueGreen.abortScaleDownDelaySeconds=0,rollout.strategy.blueGreen.scaleDownDelayRevisionLimit=2",
        ],
        vec![
            "--set",
            "rollout.strategy.blueGreen.abortScaleDownDelaySeconds=null",
        ],
        vec![
            "--set",
            "image.pullPolicy=Always,image.repository=ghcr.io/acme/shop",
        ],
        vec!["--set-json", r#"ports=[{"containerPort":8080}]"#],
        vec!["--set-json", r#"ports=[]"#],
    ];
    cases
        .into_iter()
        .map(|c| c.into_iter().map(str::to_owned).collect())
        .collect()
}

/// `-f` overlays on the example.
const OVERLAYS: &[&str] = &[
    // An unquoted integer tag, nulls that delete a default and a chart value, YAML 1.1 octal.
    "image:\n  tag: 20240101\nreplicaCount: null\nrollout:\n  strategy:\n    blueGreen:\n      previewService: null\n      scaleDownDelaySeconds: null\nvolumes:\n  - name: cfg\n    configMap:\n      name: cfg\n      defaultMode: 0755\n",
    // Block scalars and flow collections in annotations and metrics.
    "podAnnotations:\n  script: |\n    #!/bin/sh\n    echo \"a: b\" # not a comment\n  folded: >\n    one\n    two\nannotations: {a: \"{{ not a template }}\", b: '--- '}\nanalysisTemplates:\n  success-rate:\n    metrics:\n      - name: m\n        count: 3\n        interval: 10s\n        provider:\n          prometheus:\n            address: http://p:9090\n            query: up\n            timeout: 20\n            headers: [{key: X-Scope-OrgID, value: shop}]\n",
    // Name override: the default Service names are written out, so they keep the exported name.
    "name: other\n",
    // Nulls where no default lies under them, for keys the schema lets be null.
    "serviceAccountName: null\naffinity: null\nrollout:\n  minReadySeconds: null\n  strategy:\n    blueGreen:\n      previewReplicaCount: null\n      postPromotionAnalysis:\n        templates:\n          - templateName: success-rate\n            clusterScope: null\n        args:\n          - name: service-name\n            value: null\n            valueFrom:\n              fieldRef:\n                fieldPath: metadata.name\nanalysisTemplates:\n  success-rate:\n    clusterScope: null\n    args:\n      - name: service-name\n        value: null\n    metrics:\n      - name: m\n        count: null\n        interval: null\n        provider:\n          web:\n            url: http://x\n            method: null\n",
    // Empty objects and lists.
    "resources: {}\naffinity: {}\nnodeSelector: {}\nimagePullSecrets: []\nservice:\n  annotations: {}\n  labels: {}\nanalysisTemplates:\n  empty: {}\n",
];

/// Charts other than the example, each rendered as it is.
const CHARTS: &[(&str, &str)] = &[
    ("minimal", "image:\n  tag: \"1.0\"\n"),
    (
        "numbers",
        // An unquoted integer tag and `cpu: 1` as Helm reads them: floats.
        "image:\n  tag: 20240101\nresources:\n  requests:\n    cpu: 1\n    memory: 1Gi\nreplicaCount: 3\nports:\n  - containerPort: 8080\n",
    ),
    (
        "strings",
        // YAML 1.1 spellings that must stay strings through the exported values.yaml.
        "image:\n  tag: \"1.10\"\nlabels:\n  a: \"yes\"\n  b: \"on\"\n  c: \"0755\"\n  d: \"~\"\n  e: \"1e3\"\n  f: \"0x1F\"\n  g: \"2024-01-01\"\n  h: \"Off\"\npodAnnotations:\n  note: |\n    two\n    lines: here\n",
    ),
    (
        "nopreview",
        "name: shop\nnamespace: shop\nimage:\n  repository: ghcr.io/acme/shop\n  tag: v2\nrollout:\n  strategy:\n    blueGreen:\n      previewService: null\n      autoPromotionEnabled: true\n",
    ),
];

#[test]
#[ignore = "needs helm"]
fn helm_template_renders_what_rollwright_renders() {
    let Some(helm) = helm() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    let mut compared = 0;

    let source = example();
    let exported = export(&source, "rollouts-demo", tmp.path());
    lint(&helm, &exported);
    for case in example_cases() {
        let flags: Vec<&str> = case.iter().map(String::as_str).collect();
        let d = compare(&helm, &source, &exported, "rollouts-demo", &flags);
        if !d.is_empty() {
            failures.push(format!("example {flags:?}:\n{}", d.join("\n")));
        }
        compared += 1;
    }

    // `-f` files, read by each tool's own YAML parser.
    let overlays = tempfile::tempdir().unwrap();
    for (i, text) in OVERLAYS.iter().enumerate() {
        let file = overlays.path().join(format!("overlay-{i}.yaml"));
        std::fs::write(&file, text).unwrap();
        let flags = ["-f", file.to_str().unwrap()];
        let d = compare(&helm, &source, &exported, "rollouts-demo", &flags);
        if !d.is_empty() {
            failures.push(format!("example -f {text:?}:\n{}", d.join("\n")));
        }
        compared += 1;
    }

    let sources = tempfile::tempdir().unwrap();
    for (name, values) in CHARTS {
        let source = sources.path().join(name);
        std::fs::create_dir(&source).unwrap();
        std::fs::write(source.join("values.yaml"), values).unwrap();
        let exported = export(&source, name, tmp.path());
        lint(&helm, &exported);
        for flags in [&[][..], &["--set", "image.tag=1.29"][..]] {
            let d = compare(&helm, &source, &exported, name, flags);
            if !d.is_empty() {
                failures.push(format!("chart {name} {flags:?}:\n{}", d.join("\n")));
            }
            compared += 1;
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {compared} renders differ:\n{}",
        failures.len(),
        failures.join("\n\n")
    );
    eprintln!("{compared} renders compared");
}

#[test]
#[ignore = "needs helm"]
fn helm_refuses_what_the_schema_refuses() {
    let Some(helm) = helm() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let exported = export(&example(), "rollouts-demo", tmp.path());
    for flags in [
        &["--set", "image.tagg=1.29"][..],
        &[
            "--set",
            "rollout.strategy.blueGreen.autoPromotionEnable=true",
        ][..],
        &["--set", "replicaCount=two"][..],
        &["--set", "image.tag=1.29,service.type=Ingress"][..],
    ] {
        let out = Command::new(&helm)
            .arg("template")
            .arg("rollouts-demo")
            .arg(&exported)
            .args(flags)
            .output()
            .unwrap();
        assert!(!out.status.success(), "helm accepted {flags:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("schema"), "{flags:?}: {stderr}");
        assert_eq!(
            run(&["render", example().to_str().unwrap(), flags[0], flags[1]]).code,
            1
        );
    }
}

#[test]
fn writes_a_chart_with_the_values_written_out() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = export(&example(), "rollouts-demo", tmp.path());
    let mut files: Vec<String> = walkdir(&dir);
    files.sort();
    assert_eq!(
        files,
        [
            "Chart.yaml",
            "templates/_helpers.tpl",
            "templates/analysistemplate.yaml",
            "templates/rollout.yaml",
            "templates/service.yaml",
            "values.schema.json",
            "values.yaml"
        ]
    );
    let chart_yaml: Value =
        serde_saphyr::from_str(&std::fs::read_to_string(dir.join("Chart.yaml")).unwrap()).unwrap();
    assert_eq!(chart_yaml["apiVersion"], "v2");
    assert_eq!(chart_yaml["name"], "rollouts-demo");
    assert_eq!(chart_yaml["appVersion"], "1.28");
    let values: Value =
        serde_saphyr::from_str(&std::fs::read_to_string(dir.join("values.yaml")).unwrap()).unwrap();
    assert_eq!(values["name"], "rollouts-demo");
    assert_eq!(values["image"]["tag"], "1.28");
    let bg = &values["rollout"]["strategy"]["blueGreen"];
    assert_eq!(bg["activeService"], "rollouts-demo-active");
    assert_eq!(bg["previewService"], "rollouts-demo-preview");
    let schema = std::fs::read_to_string(dir.join("values.schema.json")).unwrap();
    assert_eq!(
        schema,
        std::fs::read_to_string(common::repo().join("schemas/values.schema.json")).unwrap()
    );

    // The defaults of a chart that does not write them are written out, named by --name.
    let src = chart("image:\n  tag: \"2\"\n");
    let out = tmp.path().join("shop");
    let r = run(&[
        "export-helm",
        src.path().to_str().unwrap(),
        "--output-dir",
        out.to_str().unwrap(),
        "--name",
        "shop",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let values: Value =
        serde_saphyr::from_str(&std::fs::read_to_string(out.join("values.yaml")).unwrap()).unwrap();
    assert_eq!(values["name"], "shop");
    assert_eq!(
        values["rollout"]["strategy"]["blueGreen"]["previewService"],
        "shop-preview"
    );
    assert_eq!(values["service"]["port"], 80);
    // New directories were renamed into place: no temporary directory is left beside them.
    let mut names: Vec<String> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["rollouts-demo", "shop"]);
}

fn walkdir(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(
                walkdir(&path)
                    .into_iter()
                    .map(|p| format!("{}/{p}", path.file_name().unwrap().to_str().unwrap())),
            );
        } else {
            out.push(path.file_name().unwrap().to_str().unwrap().to_owned());
        }
    }
    out
}

#[test]
fn refuses_a_non_empty_directory_unless_forced_or_a_previous_export() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("chart");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(dir.join("notes.txt"), "mine").unwrap();
    let ex = example();
    let args = [
        "export-helm",
        ex.to_str().unwrap(),
        "--output-dir",
        dir.to_str().unwrap(),
    ];
    let r = run(&args);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("not empty"), "{}", r.stderr);
    assert!(!dir.join("Chart.yaml").exists());

    let mut forced = args.to_vec();
    forced.push("--force");
    assert_eq!(run(&forced).code, 0);
    assert!(dir.join("templates/rollout.yaml").is_file());
    assert_eq!(
        std::fs::read_to_string(dir.join("notes.txt")).unwrap(),
        "mine"
    );
    // A previous export is overwritten without --force.
    let r = run(&args);
    assert_eq!(r.code, 0, "{}", r.stderr);
}

#[test]
fn refuses_to_write_over_the_source_chart() {
    let src = chart("image:\n  tag: \"1\"\n");
    let dir = src.path().to_str().unwrap();
    let r = run(&["export-helm", dir, "--output-dir", dir, "--force"]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("is the chart being exported"),
        "{}",
        r.stderr
    );
    assert_eq!(
        std::fs::read_to_string(src.path().join("values.yaml")).unwrap(),
        "image:\n  tag: \"1\"\n"
    );
}

#[test]
fn a_values_file_stands_for_its_chart() {
    let src = chart("image:\n  tag: \"1\"\n");
    let prod = src.path().join("prod.yaml");
    std::fs::write(&prod, "replicaCount: 4\nimage:\n  tag: \"7\"\n").unwrap();
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("prod");
    let r = run(&[
        "export-helm",
        prod.to_str().unwrap(),
        "--output-dir",
        dir.to_str().unwrap(),
        "--name",
        "prod",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let text = std::fs::read_to_string(dir.join("values.yaml")).unwrap();
    let values: Value = serde_saphyr::from_str(&text).unwrap();
    assert_eq!(values["replicaCount"], 4);
    assert_eq!(values["image"]["tag"], "7");
    // The source's key order: name, then replicaCount before image.
    let keys: Vec<&str> = text
        .lines()
        .filter(|l| !l.starts_with([' ', '#', '-']))
        .take(3)
        .collect();
    assert_eq!(keys, ["name: prod", "replicaCount: 4", "image:"]);
}

#[test]
fn refuses_charts_with_their_own_templates() {
    let src = chart("image:\n  tag: \"1\"\n");
    std::fs::create_dir(src.path().join("chart-templates")).unwrap();
    std::fs::write(
        src.path().join("chart-templates/configmap.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ name }}\n",
    )
    .unwrap();
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("x");
    let r = run(&[
        "export-helm",
        src.path().to_str().unwrap(),
        "--output-dir",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("configmap.yaml"), "{}", r.stderr);
    assert!(r.stderr.contains("cannot be translated"), "{}", r.stderr);
    assert!(!dir.exists());
}
