//! The upstream Argo Rollouts examples and test manifests, read from the folder named by
//! `ROLLWRIGHT_ARGO_CORPUS` (`crds/` and `corpus/` inside; `.ci/run` points it at the shared
//! copy). They are `#[ignore]`d: a plain `cargo test` lists them as not run.
//!
//! Valid manifests must give no error; each invalid one must give the rule the controller (or
//! its lint) reports for it; and the built-in schemas must agree with the upstream CRDs.

use std::path::{Path, PathBuf};

use rollwright::input::InputOptions;
use rollwright::report::{Report, Severity};
use rollwright::validate::{Options, validate};

#[path = "common/peers.rs"]
mod peers;

fn corpus() -> Option<PathBuf> {
    peers::env_path("ROLLWRIGHT_ARGO_CORPUS")
}

fn check(files: &[PathBuf], crds: Option<&Path>) -> Report {
    validate(&Options {
        inputs: InputOptions {
            paths: files.to_vec(),
            ..Default::default()
        },
        crds: crds.map(|c| vec![c.to_path_buf()]).unwrap_or_default(),
        ..Default::default()
    })
    .unwrap()
}

/// Plain-YAML files of a corpus folder: not Helm templates, and parseable.
fn plain_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let text = std::fs::read_to_string(p).unwrap_or_default();
            !rollwright::input::is_helm_template(&text)
                && rollwright::yaml::parse_documents(&text).is_ok()
        })
        .collect();
    files.sort();
    files
}

fn errors(report: &Report) -> Vec<String> {
    report
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .map(|f| format!("{}:{} {} {}", f.file, f.line, f.rule, f.message))
        .collect()
}

#[test]
#[ignore = "needs ROLLWRIGHT_ARGO_CORPUS"]
fn valid_manifests_give_no_error() {
    let Some(root) = corpus() else { return };
    let mut problems = Vec::new();
    let mut checked = 0;
    for folder in ["examples", "valid", "other"] {
        for file in plain_files(&root.join("corpus").join(folder)) {
            // The e2e harness replaces ROLLOUT_NAME before applying this one.
            if file.ends_with("test__e2e__functional__bluegreen-duration-template.yaml") {
                continue;
            }
            let report = check(std::slice::from_ref(&file), None);
            if !report.input_errors.is_empty() {
                // Values files and kustomizations hold no Kubernetes object.
                continue;
            }
            checked += 1;
            // rollouts-demo still uses the old `canary.analysis.templateName` form, which the
            // upstream CRD refuses too.
            let known = "rollouts-demo__examples__analysis__rollout-with-analysis.yaml";
            if file.ends_with(known) {
                assert_eq!(errors(&report).len(), 1, "{:?}", errors(&report));
                assert!(errors(&report)[0].contains("API-07 unknown field `templateName`"));
                continue;
            }
            problems.extend(errors(&report));
        }
    }
    assert!(checked >= 50, "only {checked} corpus files were checked");
    assert!(
        problems.is_empty(),
        "{} errors:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
#[ignore = "needs ROLLWRIGHT_ARGO_CORPUS"]
fn invalid_manifests_give_the_controllers_rule() {
    let Some(root) = corpus() else { return };
    let lint = "pkg__kubectl-argo-rollouts__cmd__lint__testdata__";
    let cases: &[(&str, &str)] = &[
        ("invalid.yml", "C-01"),
        ("invalid.json", "C-01"),
        ("invalid-multiple-docs.yml", "C-01"),
        ("invalid-empty-rollout-vsvc.yml", "R-02"),
        ("invalid-unknown-field.yml", "API-07"),
        ("invalid-service-labels.yml", "CR-02"),
        ("invalid-ping-pong.yml", "CR-02"),
        ("invalid-ingress-smi-multi.yml", "CR-02"),
        ("invalid-nginx-canary.yml", "C-26"),
    ];
    let mut problems = Vec::new();
    let mut expect = |file: PathBuf, rule: &str| {
        let report = check(std::slice::from_ref(&file), None);
        if !report.findings.iter().any(|f| f.rule == rule) {
            let got: Vec<_> = report.findings.iter().map(|f| f.rule).collect();
            problems.push(format!(
                "{}: expected {rule}, got {got:?} {:?}",
                file.display(),
                report.input_errors
            ));
        }
    };
    let invalid = root.join("corpus/invalid");
    for (name, rule) in cases {
        expect(invalid.join(format!("{lint}{name}")), rule);
    }
    expect(
        invalid.join(
            "pkg__kubectl-argo-rollouts__info__testdata__rollout-invalid__rollout-invalid.yaml",
        ),
        "R-07a",
    );
    expect(
        invalid.join("test__e2e__functional_test.go__TestFixInvalidSpec__1.yaml"),
        "CR-04",
    );
    expect(
        invalid.join("test__e2e__functional_test.go__TestWorkloadRefTemplate__1.yaml"),
        "R-05",
    );
    expect(
        invalid.join(
            "test__e2e__functional_test.go__TestWorkloadRef__1__until-deployment-exists.yaml",
        ),
        "WR-03",
    );
    // Accepted by the API server and tolerated by the controller: a warning, not an error.
    expect(
        invalid.join("test__e2e__expectedfailures__malformed-rollout.yaml"),
        "P-08",
    );
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

#[test]
#[ignore = "needs ROLLWRIGHT_ARGO_CORPUS"]
fn builtin_schemas_agree_with_the_upstream_crds() {
    let Some(root) = corpus() else { return };
    let crds = root.join("crds");
    let schema_findings = |r: &Report| -> Vec<String> {
        let mut v: Vec<String> = r
            .findings
            .iter()
            .filter(|f| f.rule.starts_with("API-"))
            .map(|f| format!("{}:{}:{}", f.file, f.line, f.rule))
            .collect();
        v.sort();
        v
    };
    for folder in ["examples", "valid", "other", "invalid"] {
        let files = plain_files(&root.join("corpus").join(folder));
        let builtin = schema_findings(&check(&files, None));
        let upstream = schema_findings(&check(&files, Some(&crds)));
        assert_eq!(
            builtin, upstream,
            "{folder}: built-in schemas and upstream CRDs disagree"
        );
    }
}

/// What rollwright reports on a repository of the realworld corpus beyond warnings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    /// The controller, the API server, kubectl or Argo CD refuses or reports it too: it must
    /// be found.
    Stands,
    /// Status of a `kubectl get -o yaml` dump: the API server ignores status on create and
    /// update of a kind with a status subresource. Tolerated until status is left out of
    /// validation (issue 10, item 8); not required.
    StatusIgnored,
}

use Verdict::{Stands, StatusIgnored};

/// Every error and input error `validate` gives on the realworld corpus (repository, file in
/// it, rule or `input`), the verdict, and why. The corpus is laid out at its repositories'
/// paths; each repository is one run of `rollwright validate <tree>`.
const VERDICTS: &[(&str, &str, &str, Verdict, &str)] = &[
    (
        "confusedcom/mats-second-service",
        "k8s/rollout.yaml",
        "MD-03",
        Stands,
        "namespace `★ Developer Experience And Enablement` is no DNS label: the API server refuses the object",
    ),
    (
        "confusedcom/mats-second-service",
        "k8s/rollout.yaml",
        "MD-04",
        Stands,
        "the same text as a label value: the API server refuses it (no spaces or symbols in label values)",
    ),
    (
        "dd-shocnt/ecommerce-workshop-frontend-manifests",
        "base/rollout.yaml",
        "IMG-01",
        Stands,
        "`image: IMAGE`, a placeholder a CI step replaces: the API server stores it, the kubelet refuses to pull it (InvalidImageName); rollwright's own check",
    ),
    (
        "haquocdat543/aws-cicd",
        "bluegreen-rollout.yaml",
        "IMG-01",
        Stands,
        "`image: <your-docker-image-link>`, a placeholder: the kubelet refuses it (InvalidImageName); rollwright's own check",
    ),
    (
        "Abhi-mishra998/argo-labs",
        "prod/rollout.yaml",
        "R-02",
        Stands,
        "a kustomize patch upstream (its prod/kustomization.yaml is not in the corpus, so here it is a file alone); applied alone the controller reports the missing selector",
    ),
    (
        "GauravGirase/EKS-CANARY-DEPLOYMENT",
        "rollout.yaml",
        "C-08",
        Stands,
        "nginx traffic routing without canaryService and stableService: InvalidSpec",
    ),
    (
        "GauravGirase/EKS-CANARY-DEPLOYMENT",
        "rollout.yaml",
        "AT-08",
        Stands,
        "a step analysis runs templates whose metrics have no count and would run for ever: the controller refuses them",
    ),
    (
        "NiniiGit/argo-rollouts-example",
        "rollout-specification.yaml",
        "R-02",
        Stands,
        "a specification sheet listing every field: no selector",
    ),
    (
        "NiniiGit/argo-rollouts-example",
        "rollout-specification.yaml",
        "R-13",
        Stands,
        "the same sheet sets blueGreen and canary at once",
    ),
    (
        "NiniiGit/argo-rollouts-example",
        "rollout-specification.yaml",
        "BG-03",
        Stands,
        "the same sheet sets both antiAffinity strategies",
    ),
    (
        "argoproj-labs/rollouts-plugin-trafficrouter-gatewayapi",
        "examples/kong/rollout.yml",
        "input",
        Stands,
        "revisionHistoryLimit is written twice in one mapping: kubectl refuses it (\"key already set in map\")",
    ),
    (
        "argoproj-labs/rollouts-plugin-trafficrouter-openshift",
        "tests/data/multiple_routes.yaml",
        "APP-01",
        Stands,
        "two test inputs in one directory define the same Rollout and Services: deployed as a directory, one overwrites the other (Argo CD: RepeatedResourceWarning)",
    ),
    (
        "argoproj-labs/rollouts-plugin-trafficrouter-openshift",
        "tests/data/route_with_experiment.yaml",
        "APP-01",
        Stands,
        "the other copy of the same objects",
    ),
    (
        "argoproj/argo-cd",
        "controller/testdata/live-rollout.yaml",
        "R-07b",
        Stands,
        "a livenessProbe with no handler: the pod template is invalid",
    ),
    (
        "argoproj/argo-cd",
        "resource_customizations/argoproj.io/AnalysisRun/testdata/errorAnalysisRun.yaml",
        "API-07",
        Stands,
        "spec.analysisSpec is a field of a long-gone version: the CRD has no such field and strict validation refuses it",
    ),
    (
        "argoproj/argo-cd",
        "resource_customizations/argoproj.io/AnalysisRun/testdata/errorAnalysisRun.yaml",
        "API-01",
        Stands,
        "and spec.metrics, which the CRD requires, is missing",
    ),
    (
        "argoproj/argo-cd",
        "resource_customizations/argoproj.io/AnalysisRun/testdata/errorAnalysisRun.yaml",
        "AR-02",
        Stands,
        "an AnalysisRun without metrics fails at once",
    ),
    (
        "argoproj/argo-cd",
        "resource_customizations/argoproj.io/AnalysisRun/testdata/noStatusAnalysisRun.yaml",
        "API-07",
        Stands,
        "as errorAnalysisRun.yaml",
    ),
    (
        "argoproj/argo-cd",
        "resource_customizations/argoproj.io/AnalysisRun/testdata/noStatusAnalysisRun.yaml",
        "API-01",
        Stands,
        "as errorAnalysisRun.yaml",
    ),
    (
        "argoproj/argo-cd",
        "resource_customizations/argoproj.io/AnalysisRun/testdata/noStatusAnalysisRun.yaml",
        "AR-02",
        Stands,
        "as errorAnalysisRun.yaml",
    ),
    (
        "argoproj/argo-cd",
        "resource_customizations/argoproj.io/AnalysisRun/testdata/successfulAnalysisRun.yaml",
        "API-07",
        Stands,
        "as errorAnalysisRun.yaml",
    ),
    (
        "argoproj/argo-cd",
        "resource_customizations/argoproj.io/AnalysisRun/testdata/successfulAnalysisRun.yaml",
        "API-01",
        Stands,
        "as errorAnalysisRun.yaml",
    ),
    (
        "argoproj/argo-cd",
        "resource_customizations/argoproj.io/AnalysisRun/testdata/successfulAnalysisRun.yaml",
        "AR-02",
        Stands,
        "as errorAnalysisRun.yaml",
    ),
    (
        "argoproj/argo-cd",
        "resource_customizations/argoproj.io/Experiment/testdata/noStatusExperiment.yaml",
        "APP-01",
        Stands,
        "health-check fixtures of one Experiment side by side in one directory: one object twice",
    ),
    (
        "argoproj/argo-cd",
        "resource_customizations/argoproj.io/Experiment/testdata/runningExperiment.yaml",
        "APP-01",
        Stands,
        "the other copy",
    ),
    (
        "argoproj/argo-cd",
        "resource_customizations/argoproj.io/Experiment/testdata/noStatusExperiment.yaml",
        "API-00",
        Stands,
        "spec.duration is a string in the CRD; the number 60 is refused",
    ),
    (
        "argoproj/argo-cd",
        "resource_customizations/argoproj.io/Experiment/testdata/runningExperiment.yaml",
        "API-00",
        Stands,
        "as noStatusExperiment.yaml",
    ),
    (
        "argoproj/argo-cd",
        "resource_customizations/argoproj.io/Experiment/testdata/runningExperiment.yaml",
        "API-01",
        StatusIgnored,
        "status.conditions of a dump",
    ),
    (
        "argoproj/argo-cd",
        "resource_customizations/argoproj.io/Experiment/testdata/runningExperiment.yaml",
        "API-07",
        StatusIgnored,
        "status fields of an old version in a dump",
    ),
    (
        "argoproj/argo-cd",
        "resource_customizations/argoproj.io/Rollout/actions/testdata/aborted_bg_rollout.yaml",
        "API-07",
        Stands,
        "spec.template.metadata.creationTimestamp: the CRD's pod template metadata declares labels and annotations only, and kubectl's default strict validation refuses the rest",
    ),
    (
        "argoproj/argo-cd",
        "resource_customizations/argoproj.io/Rollout/actions/testdata/pre_v0.6_paused_rollout.yaml",
        "API-07",
        Stands,
        "metadata.clusterName was removed from ObjectMeta in Kubernetes 1.24 (and status.pauseStartTime is of a pre-0.6 version)",
    ),
    (
        "argoproj/argo-cd",
        "resource_customizations/argoproj.io/Rollout/testdata/bluegreen/healthy_servingActiveService.yaml",
        "API-07",
        Stands,
        "metadata.clusterName, spec.strategy.type (pre-0.6) and the template's creationTimestamp",
    ),
    (
        "argoproj/argo-cd",
        "resource_customizations/argoproj.io/Rollout/testdata/canary/healthy_emptyStepsList.yaml",
        "API-07",
        Stands,
        "metadata.clusterName and the template's creationTimestamp (and status.canary.stableRS of an old version)",
    ),
    (
        "argoproj/argo-cd",
        "resource_customizations/argoproj.io/Rollout/testdata/canary/healthy_emptyStepsList.yaml",
        "APP-01",
        Stands,
        "health-check fixtures of one Rollout side by side in one directory",
    ),
    (
        "argoproj/argo-cd",
        "resource_customizations/argoproj.io/Rollout/testdata/canary/healthy_executedAllStepsPreV0.8.yaml",
        "API-07",
        Stands,
        "as healthy_emptyStepsList.yaml",
    ),
    (
        "argoproj/argo-cd",
        "resource_customizations/argoproj.io/Rollout/testdata/canary/healthy_executedAllStepsPreV0.8.yaml",
        "APP-01",
        Stands,
        "the other copy",
    ),
    (
        "argoproj/argo-cd",
        "resource_customizations/argoproj.io/Rollout/testdata/canary/progressing_setWeightStep.yaml",
        "API-07",
        Stands,
        "as healthy_emptyStepsList.yaml",
    ),
    (
        "argoproj/argo-cd",
        "resource_customizations/argoproj.io/Rollout/testdata/degraded_invalidSpec.yaml",
        "R-12",
        Stands,
        "the fixture of an InvalidSpec Rollout: no strategy",
    ),
    (
        "argoproj/argo-cd",
        "resource_customizations/argoproj.io/Rollout/testdata/degraded_invalidSpec.yaml",
        "API-07",
        Stands,
        "the template's creationTimestamp",
    ),
    (
        "argoproj/argo-cd",
        "resource_customizations/argoproj.io/Rollout/testdata/degraded_invalidSpec.yaml",
        "APP-01",
        Stands,
        "health-check fixtures of one Rollout side by side in one directory",
    ),
    (
        "argoproj/argo-cd",
        "resource_customizations/argoproj.io/Rollout/testdata/newRolloutWithoutStatus.yaml",
        "APP-01",
        Stands,
        "the other copy",
    ),
    (
        "argoproj/rollouts-demo",
        "examples/analysis/rollout-with-analysis.yaml",
        "API-07",
        Stands,
        "canary.analysis.templateName is the pre-1.0 form; the CRD refuses it (the upstream corpus test says the same)",
    ),
    (
        "confusedcom/mats-second-service",
        "k8s/rollout.yaml",
        "R-12",
        Stands,
        "a Deployment's strategy (type: RollingUpdate) in a Rollout: no canary or blueGreen",
    ),
    (
        "confusedcom/mats-second-service",
        "k8s/rollout.yaml",
        "API-07",
        Stands,
        "type and rollingUpdate are not Rollout fields",
    ),
    (
        "confusedcom/mats-second-service",
        "k8s/rollout.yaml",
        "R-07b",
        Stands,
        "a label value with ★ and spaces: the API server refuses it",
    ),
    (
        "dd-shocnt/ecommerce-workshop-frontend-manifests",
        "base/rollout.yaml",
        "R-12",
        Stands,
        "a kustomize base without a strategy (its overlays, not in the corpus, may add one); applied alone the controller reports it",
    ),
    (
        "jmichalek132/argo-rollouts-k6-plugin",
        "examples/canary-full/rollout.yaml",
        "AT-08",
        Stands,
        "a step analysis whose template's metric would run for ever",
    ),
    (
        "jmichalek132/argo-rollouts-k6-plugin",
        "examples/canary-full/rollout.yaml",
        "API-07",
        Stands,
        "analysis args take valueFrom.podTemplateHashValue or fieldRef; secretKeyRef is refused by the CRD",
    ),
    (
        "jmichalek132/argo-rollouts-k6-plugin",
        "examples/k6-operator/rollout-metric.yaml",
        "APP-01",
        Stands,
        "two alternative examples in one directory define the same Rollout",
    ),
    (
        "jmichalek132/argo-rollouts-k6-plugin",
        "examples/k6-operator/rollout-metric.yaml",
        "AT-08",
        Stands,
        "a step analysis whose template's metric would run for ever",
    ),
    (
        "jmichalek132/argo-rollouts-k6-plugin",
        "examples/k6-operator/rollout-step.yaml",
        "APP-01",
        Stands,
        "the other copy",
    ),
    (
        "johnafariogun/shopmicro",
        "k8s/analysis-template.yaml",
        "APP-01",
        Stands,
        "k8s/ holds the same AnalysisTemplate twice (new.yaml is a second copy)",
    ),
    (
        "johnafariogun/shopmicro",
        "k8s/new.yaml",
        "APP-01",
        Stands,
        "the other copy",
    ),
    (
        "rubencosta13/progressive-delivery-canary-k8s",
        "k8s/rollout.yaml",
        "API-07",
        Stands,
        "startingStep belongs to canary.analysis, not to one of its templates",
    ),
    (
        "yash-kumar-ai/chaos-canary-project",
        "kubernetes/chaos-canary-analysis-run.yaml",
        "API-07",
        Stands,
        "an AnalysisRun naming its template (spec.analysisTemplate) as a Rollout would: no such field",
    ),
    (
        "yash-kumar-ai/chaos-canary-project",
        "kubernetes/chaos-canary-analysis-run.yaml",
        "API-01",
        Stands,
        "and no metrics, which the CRD requires",
    ),
    (
        "yash-kumar-ai/chaos-canary-project",
        "kubernetes/chaos-canary-analysis-run.yaml",
        "AR-02",
        Stands,
        "an AnalysisRun without metrics fails at once",
    ),
];

/// The realworld corpus (`realworld/` beside `corpus/`), one repository per run: each
/// repository's files are laid out at their upstream paths in a scratch tree (a `kubectl
/// kustomize` render under `rendered/<its directory>/`), and the tree is validated as a
/// user would validate the repository. Every error and input error must be in VERDICTS, every
/// `Stands` verdict must be found, and every warning must be a reference to an object absent
/// from the application (it may live in the cluster) or advice of rollwright's own (`P-`,
/// IMG-02, API-10).
#[test]
#[ignore = "needs ROLLWRIGHT_ARGO_CORPUS"]
fn realworld_repositories_give_only_what_the_controller_gives() {
    let Some(root) = corpus() else { return };
    let realworld = root.join("realworld");
    let sources = std::fs::read_to_string(realworld.join("SOURCES.tsv")).unwrap();
    let mut repos: std::collections::BTreeMap<&str, Vec<(String, &str)>> = Default::default();
    for line in sources.lines().skip(1) {
        let cols: Vec<&str> = line.split('\t').collect();
        let (repo, path, file) = (cols[0], cols[1], cols[3]);
        let path = match path.strip_suffix(" (kubectl kustomize render)") {
            Some(dir) => format!("rendered/{dir}/all.yaml"),
            None => path.to_owned(),
        };
        repos.entry(repo).or_default().push((path, file));
    }
    assert!(repos.len() >= 60, "{} repositories", repos.len());
    let mut found: Vec<(String, String, String)> = Vec::new();
    let mut problems = Vec::new();
    let mut files = 0;
    for (repo, entries) in &repos {
        let tree = tempfile::tempdir().unwrap();
        for (path, file) in entries {
            let target = tree.path().join(path);
            std::fs::create_dir_all(target.parent().unwrap()).unwrap();
            std::fs::copy(realworld.join(file), &target).unwrap();
            files += 1;
        }
        let report = check(&[tree.path().to_path_buf()], None);
        let rel = |f: &str| -> String {
            Path::new(f)
                .strip_prefix(tree.path())
                .map(|p| p.display().to_string())
                .unwrap_or_else(|_| f.to_owned())
        };
        for e in &report.input_errors {
            let file = match &e.location {
                Some(rollwright::error::Location::File { path, .. }) => rel(path),
                _ => String::new(),
            };
            found.push((repo.to_string(), file, "input".into()));
        }
        for f in &report.findings {
            match f.severity {
                Severity::Error => {
                    found.push((repo.to_string(), rel(&f.file), f.rule.to_owned()));
                }
                _ => {
                    let rule = rollwright::rules::find(f.rule).unwrap();
                    let missing_reference = rule.severity == Severity::Error;
                    // Advice of rollwright's own: P- checks, an image without a tag or on
                    // `latest` (IMG-02), and a kind with no schema here (API-10: not checked).
                    let advice =
                        f.rule.starts_with("P-") || f.rule == "IMG-02" || f.rule == "API-10";
                    if !missing_reference && !advice {
                        problems.push(format!(
                            "{repo}: {}:{} {} warning: {}",
                            rel(&f.file),
                            f.line,
                            f.rule,
                            f.message
                        ));
                    }
                }
            }
        }
    }
    assert_eq!(files, 163, "the corpus changed: look at the verdicts again");
    found.sort();
    found.dedup();
    for (repo, file, rule) in &found {
        if !VERDICTS
            .iter()
            .any(|(r, f, id, _, _)| r == repo && f == file && id == rule)
        {
            problems.push(format!("{repo}: {file}: {rule} has no verdict: is it what the controller or the API server says?"));
        }
    }
    for (repo, file, rule, verdict, why) in VERDICTS {
        let present = found
            .iter()
            .any(|(r, f, id)| r == repo && f == file && id == rule);
        if *verdict == Stands && !present {
            problems.push(format!("{repo}: {file}: {rule} is no longer found ({why})"));
        }
    }
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}
