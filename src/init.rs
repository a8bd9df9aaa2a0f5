//! What `rollwright init` writes: a values file for one of the runbook's three release
//! patterns, with its AnalysisTemplate, plus the configuration, pre-commit and CI files that
//! keep it checked.
//!
//! Everything the user passes (name, image) is written plain only when YAML reads it back as
//! the same string, else double-quoted, so no input can change the structure of a generated
//! file (and a tag such as `1.29` stays a string).

use std::path::PathBuf;

/// Where rollwright is published (Cargo.toml's `repository`); the pre-commit hook, the
/// workflow's Action and the schema URL derive from it.
pub const REPOSITORY_URL: &str = env!("CARGO_PKG_REPOSITORY");

/// The GitHub `owner/name` of [`REPOSITORY_URL`], as a workflow's `uses:` names it.
pub fn action_name() -> &'static str {
    REPOSITORY_URL.trim_start_matches("https://github.com/")
}

/// The values schema as published with this version (`schemas/values.schema.json` at the
/// release tag), so the editor checks against the schema of the rollwright that renders.
pub fn published_schema_url() -> String {
    let raw = REPOSITORY_URL.replacen(
        "https://github.com/",
        "https://raw.githubusercontent.com/",
        1,
    );
    format!(
        "{raw}/v{}/schemas/values.schema.json",
        env!("CARGO_PKG_VERSION")
    )
}

/// The runbook's three release patterns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Pattern {
    /// Manual promote after a pre-promotion analysis (runbook pattern 1).
    Safe,
    /// Automatic promotion, checked by a post-promotion analysis (runbook pattern 2).
    Fast,
    /// What the runbook's pattern 3 meant: a pre-promotion analysis, and an automatic
    /// promotion only when it succeeds.
    Hybrid,
}

impl Pattern {
    fn as_str(self) -> &'static str {
        match self {
            Pattern::Safe => "safe",
            Pattern::Fast => "fast",
            Pattern::Hybrid => "hybrid",
        }
    }
}

/// What to scaffold.
#[derive(Debug, Clone)]
pub struct Plan {
    pub name: String,
    pub repository: String,
    pub tag: String,
    pub pattern: Pattern,
    pub schema: String,
    /// The chart directory relative to the repository root (`.` when they are one).
    pub chart: String,
}

/// Why `name` cannot name the application, if it cannot: it becomes the Rollout's name and,
/// with `-active`/`-preview`, its Services' names (DNS-1035 labels of at most 63 characters),
/// and the workflow's file name.
pub fn name_problem(name: &str) -> Option<&'static str> {
    let ok_chars = name
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if name.is_empty() || !ok_chars {
        Some("may hold only lower-case letters, digits and '-'")
    } else if !name.as_bytes()[0].is_ascii_lowercase() {
        Some("must start with a lower-case letter (a Service name cannot start with a digit)")
    } else if name.ends_with('-') {
        Some("must not end with '-'")
    } else if name.len() > 55 {
        Some("is longer than 55 characters (its Service `NAME-preview` would exceed 63)")
    } else {
        None
    }
}

/// Where a scaffold file goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// In the chart directory.
    Chart,
    /// At the root of the repository.
    Root,
}

/// Splits `repo[:tag]` or `repo@sha256:…`; the tag is `None` when the image has none.
pub fn split_image(image: &str) -> (String, Option<String>) {
    if let Some((repo, digest)) = image.split_once('@') {
        return (repo.to_owned(), Some(digest.to_owned()));
    }
    // A `:` before the last `/` is a registry port (`registry:5000/app`), not a tag.
    let last_slash = image.rfind('/').map_or(0, |i| i + 1);
    match image[last_slash..].rfind(':') {
        Some(i) => (
            image[..last_slash + i].to_owned(),
            Some(image[last_slash + i + 1..].to_owned()),
        ),
        None => (image.to_owned(), None),
    }
}

fn q(s: &str) -> String {
    crate::values::edit::yaml_string(s)
}

/// The pre-commit configuration at the repository root.
pub const PRE_COMMIT_FILE: &str = ".pre-commit-config.yaml";

/// The files to write, each relative to its place.
pub fn files(plan: &Plan) -> Vec<(Place, PathBuf, String)> {
    vec![
        (
            Place::Chart,
            PathBuf::from("values.yaml"),
            values_yaml(plan),
        ),
        (
            Place::Chart,
            PathBuf::from(crate::config::FILE_NAME),
            config_yaml(),
        ),
        (
            Place::Root,
            PathBuf::from(PRE_COMMIT_FILE),
            pre_commit_yaml(),
        ),
        (
            Place::Root,
            PathBuf::from(format!(".github/workflows/rollwright-{}.yml", plan.name)),
            workflow_yaml(plan),
        ),
    ]
}

fn values_yaml(p: &Plan) -> String {
    let name = &p.name;
    // Named after the application, so two applications in one namespace do not collide.
    let template = q(&format!("{name}-success-rate"));
    let header = match p.pattern {
        Pattern::Safe => format!(
            "# Pattern \"safe\": every update waits in the preview until someone runs\n\
             #   kubectl argo rollouts promote {name}\n\
             # and only after the pre-promotion analysis has passed. A failed analysis aborts the update:\n\
             # the active Service never leaves the old version.\n"
        ),
        Pattern::Fast => {
            "# Pattern \"fast\": every update is promoted as soon as its pods are ready; the\n\
             # post-promotion analysis then checks the live version, and its failure switches the\n\
             # active Service back to the old one.\n"
                .to_string()
        }
        Pattern::Hybrid => format!(
            "# Pattern \"hybrid\" (what the runbook's pattern 3 meant): the pre-promotion analysis\n\
             # checks the preview, and the controller promotes by itself only when it succeeds; a\n\
             # failed analysis aborts the update and the active Service never leaves the old version.\n\
             # No one needs to promote; to stop an update:\n\
             #   kubectl argo rollouts abort {name}\n"
        ),
    };
    let strategy = match p.pattern {
        Pattern::Safe => format!(
            "      autoPromotionEnabled: false   # wait for `kubectl argo rollouts promote`\n\
             \x20     prePromotionAnalysis:\n\
             \x20       templates:\n\
             \x20         - templateName: {template}\n\
             \x20       args:\n\
             \x20         - name: service-name\n\
             \x20           value: {}\n",
            q(&format!("{name}-preview"))
        ),
        Pattern::Hybrid => format!(
            "      # true: promote as soon as the pre-promotion analysis has succeeded.\n\
             \x20     autoPromotionEnabled: true\n\
             \x20     prePromotionAnalysis:\n\
             \x20       templates:\n\
             \x20         - templateName: {template}\n\
             \x20       args:\n\
             \x20         - name: service-name\n\
             \x20           value: {}\n",
            q(&format!("{name}-preview"))
        ),
        Pattern::Fast => format!(
            "      autoPromotionEnabled: true    # promote as soon as the new pods are ready\n\
             \x20     postPromotionAnalysis:\n\
             \x20       templates:\n\
             \x20         - templateName: {template}\n\
             \x20       args:\n\
             \x20         - name: service-name\n\
             \x20           value: {}\n",
            q(&format!("{name}-active"))
        ),
    };
    format!(
        "# yaml-language-server: $schema={schema}\n\
         # {name}: an Argo Rollouts blue-green release (rollwright init --pattern {pattern}).\n\
         {header}\
         #\n\
         #   rollwright explain .            # the release flow, step by step\n\
         #   rollwright set-image . 1.2.3    # release a new version\n\
         #   rollwright render . | kubectl apply -f -\n\
         name: {qname}\n\
         \n\
         replicaCount: 2\n\
         \n\
         image:\n\
         \x20 repository: {repo}\n\
         \x20 tag: {tag}\n\
         \x20 pullPolicy: IfNotPresent\n\
         \n\
         ports:\n\
         \x20 - name: http\n\
         \x20   containerPort: 80\n\
         \x20   protocol: TCP\n\
         \n\
         service:\n\
         \x20 type: ClusterIP\n\
         \x20 port: 80\n\
         \n\
         readinessProbe:\n\
         \x20 httpGet:\n\
         \x20   path: /\n\
         \x20   port: http\n\
         \x20 periodSeconds: 5\n\
         \n\
         livenessProbe:\n\
         \x20 httpGet:\n\
         \x20   path: /\n\
         \x20   port: http\n\
         \n\
         resources:\n\
         \x20 requests:\n\
         \x20   cpu: 100m\n\
         \x20   memory: 64Mi\n\
         \x20 limits:\n\
         \x20   memory: 128Mi\n\
         \n\
         rollout:\n\
         \x20 revisionHistoryLimit: 3\n\
         \x20 strategy:\n\
         \x20   blueGreen:\n\
         \x20     activeService: {active}\n\
         \x20     previewService: {preview}\n\
         {strategy}\
         \x20     scaleDownDelaySeconds: 30\n\
         \n\
         # The analysis the strategy runs: the share of non-5xx requests through the Service,\n\
         # measured five times a minute apart; two measurements under 95% fail it.\n\
         analysisTemplates:\n\
         \x20 {template}:\n\
         \x20   args:\n\
         \x20     - name: service-name\n\
         \x20   metrics:\n\
         \x20     - name: success-rate\n\
         \x20       interval: 1m\n\
         \x20       count: 5\n\
         \x20       successCondition: result[0] >= 0.95\n\
         \x20       failureLimit: 2\n\
         \x20       provider:\n\
         \x20         prometheus:\n\
         \x20           address: http://prometheus.monitoring.svc.cluster.local:9090\n\
         \x20           query: |\n\
         \x20             sum(rate(nginx_ingress_controller_requests{{service=\"{{{{args.service-name}}}}\",status!~\"5.*\"}}[2m]))\n\
         \x20             /\n\
         \x20             sum(rate(nginx_ingress_controller_requests{{service=\"{{{{args.service-name}}}}\"}}[2m]))\n",
        schema = p.schema,
        pattern = p.pattern.as_str(),
        qname = q(name),
        repo = q(&p.repository),
        tag = q(&p.tag),
        active = q(&format!("{name}-active")),
        preview = q(&format!("{name}-preview")),
    )
}

fn config_yaml() -> String {
    "# rollwright configuration (docs/configuration.md). `rollwright validate` reads the nearest\n\
     # .rollwright.yaml upwards.\n\
     rules: {}          # rule id or name -> off | error | warning | info, e.g. P-02: off\n\
     exclude: []        # globs never read, e.g. \"vendor/**\"\n"
        .to_string()
}

/// The hook as `.pre-commit-hooks.yaml` publishes it, run from the installed `rollwright`
/// (`repo: local`): nothing to build on the first commit.
fn pre_commit_yaml() -> String {
    format!(
        "# pre-commit (https://pre-commit.com): run `pre-commit install` once; every commit is then\n\
         # validated by the installed rollwright (install: {REPOSITORY_URL}#install).\n\
         # To have pre-commit build rollwright itself instead (several minutes, once), use\n\
         #   - repo: {REPOSITORY_URL}\n\
         #     rev: v{version}\n\
         #     hooks:\n\
         #       - id: rollwright-validate\n\
         repos:\n\
         \x20 - repo: local\n\
         \x20   hooks:\n\
         \x20     - id: rollwright-validate\n\
         \x20       name: rollwright validate\n\
         \x20       entry: rollwright validate --skip-non-manifests\n\
         \x20       language: system\n\
         \x20       types: [yaml]\n\
         \x20       require_serial: true\n\
         \x20       # args: [--strict]   # fail on warnings too\n",
        version = env!("CARGO_PKG_VERSION")
    )
}

fn workflow_yaml(p: &Plan) -> String {
    let chart = q(&p.chart);
    let chart_word = crate::explain::flow::shell_word(&p.chart);
    format!(
        "# Validates {name} on every pull request and push, posts the release diff against the\n\
         # base branch on pull requests, and explains the release flow in the job summary\n\
         # (docs/pipeline.md has the whole pipeline: deploy, wait, promote).\n\
         name: rollwright {name}\n\
         on:\n\
         \x20 pull_request:\n\
         \x20 push:\n\
         \x20   branches: [main]\n\
         permissions: {{}}\n\
         jobs:\n\
         \x20 rollwright:\n\
         \x20   runs-on: ubuntu-latest\n\
         \x20   permissions:\n\
         \x20     contents: read\n\
         \x20     pull-requests: write # the diff comment\n\
         \x20   steps:\n\
         \x20     - uses: actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1\n\
         \x20       with:\n\
         \x20         fetch-depth: 0 # the diff renders the base branch's commit\n\
         \x20         persist-credentials: false\n\
         \x20     # Installs the release binary (checksum-checked, cached), validates, and on pull\n\
         \x20     # requests posts the diff as one comment, updated on every push.\n\
         \x20     - uses: {action}@v{version}\n\
         \x20       with:\n\
         \x20         paths: {chart}\n\
         \x20         strict: \"true\"\n\
         \x20         diff-chart: {chart}\n\
         \x20     - name: Explain the release flow\n\
         \x20       run: |\n\
         \x20         rollwright explain {chart_word} --format markdown >> \"$GITHUB_STEP_SUMMARY\"\n",
        name = p.name,
        action = action_name(),
        version = env!("CARGO_PKG_VERSION")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_split_into_repository_and_tag() {
        assert_eq!(
            split_image("nginx:1.28"),
            ("nginx".into(), Some("1.28".into()))
        );
        assert_eq!(split_image("nginx"), ("nginx".into(), None));
        assert_eq!(
            split_image("registry:5000/team/app"),
            ("registry:5000/team/app".into(), None)
        );
        assert_eq!(
            split_image("registry:5000/app:v2"),
            ("registry:5000/app".into(), Some("v2".into()))
        );
        assert_eq!(
            split_image("app@sha256:abc"),
            ("app".into(), Some("sha256:abc".into()))
        );
    }
}
