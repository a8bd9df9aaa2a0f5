//! What `rollwright init` writes: a values file for one of the runbook's three release
//! patterns, with its AnalysisTemplate, plus the configuration, pre-commit and CI files that
//! keep it checked.
//!
//! Everything the user passes (name, image) is written plain only when YAML reads it back as
//! the same string, else double-quoted, so no input can change the structure of a generated
//! file (and a tag such as `1.29` stays a string).

use std::path::PathBuf;

/// Where rollwright is published; the pre-commit hook, CI install and schema URL derive from it.
pub const REPOSITORY_URL: &str = "https://github.com/<owner>/rollwright";

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
    /// The runbook's pattern 3: a pre-promotion analysis, then still a manual promote.
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

/// The files to write, relative to the target directory.
pub fn files(plan: &Plan) -> Vec<(PathBuf, String)> {
    vec![
        (PathBuf::from("values.yaml"), values_yaml(plan)),
        (PathBuf::from(crate::config::FILE_NAME), config_yaml()),
        (PathBuf::from(".pre-commit-config.yaml"), pre_commit_yaml()),
        (
            PathBuf::from(".github/workflows/rollwright.yml"),
            workflow_yaml(),
        ),
    ]
}

fn values_yaml(p: &Plan) -> String {
    let name = &p.name;
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
            "# Pattern \"hybrid\": the pre-promotion analysis checks the preview automatically, and a\n\
             # person promotes. A successful analysis does NOT promote by itself while\n\
             # autoPromotionEnabled is false: the rollout pauses until\n\
             #   kubectl argo rollouts promote {name}\n\
             # (set autoPromotionEnabled: true to promote on success without anyone).\n"
        ),
    };
    let strategy = match p.pattern {
        Pattern::Safe => format!(
            "      autoPromotionEnabled: false   # wait for `kubectl argo rollouts promote`\n\
             \x20     prePromotionAnalysis:\n\
             \x20       templates:\n\
             \x20         - templateName: success-rate\n\
             \x20       args:\n\
             \x20         - name: service-name\n\
             \x20           value: {}\n",
            q(&format!("{name}-preview"))
        ),
        Pattern::Hybrid => format!(
            "      # A manual promote is still needed after the analysis succeeds: false means\n\
             \x20     # \"pause before the switch\", whatever the analysis says.\n\
             \x20     autoPromotionEnabled: false\n\
             \x20     prePromotionAnalysis:\n\
             \x20       templates:\n\
             \x20         - templateName: success-rate\n\
             \x20       args:\n\
             \x20         - name: service-name\n\
             \x20           value: {}\n",
            q(&format!("{name}-preview"))
        ),
        Pattern::Fast => format!(
            "      autoPromotionEnabled: true    # promote as soon as the new pods are ready\n\
             \x20     postPromotionAnalysis:\n\
             \x20       templates:\n\
             \x20         - templateName: success-rate\n\
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
         \x20 success-rate:\n\
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
    "# rollwright configuration (README: Configuration). `rollwright validate` reads the nearest\n\
     # .rollwright.yaml upwards.\n\
     rules: {}          # rule id or name -> off | error | warning | info, e.g. P-02: off\n\
     exclude: []        # globs never read, e.g. \"vendor/**\"\n"
        .to_string()
}

fn pre_commit_yaml() -> String {
    format!(
        "# pre-commit (https://pre-commit.com): `pre-commit install`, then every commit is validated.\n\
         repos:\n\
         \x20 - repo: {REPOSITORY_URL}\n\
         \x20   rev: v{version}\n\
         \x20   hooks:\n\
         \x20     - id: rollwright-validate\n\
         \x20       # args: [--strict]   # fail on warnings too\n",
        version = env!("CARGO_PKG_VERSION")
    )
}

fn workflow_yaml() -> String {
    format!(
        "# Validate the release on every pull request and push (docs/pipeline.md has the full\n\
         # pipeline: diff comment, deploy, wait, promote).\n\
         name: rollwright\n\
         on:\n\
         \x20 pull_request:\n\
         \x20 push:\n\
         \x20   branches: [main]\n\
         permissions:\n\
         \x20 contents: read\n\
         \x20 pull-requests: write\n\
         jobs:\n\
         \x20 validate:\n\
         \x20   runs-on: ubuntu-latest\n\
         \x20   steps:\n\
         \x20     - uses: actions/checkout@v4\n\
         \x20     #   with:\n\
         \x20     #     fetch-depth: 0   # the diff step below reads the base branch with --base-ref\n\
         \x20     - name: Install rollwright\n\
         \x20       run: cargo install --locked --git {REPOSITORY_URL} --tag v{version} rollwright\n\
         \x20     - name: Validate\n\
         \x20       run: rollwright validate --strict --format github .\n\
         \x20     - name: Explain the release flow\n\
         \x20       run: rollwright explain . --format markdown >> \"$GITHUB_STEP_SUMMARY\"\n\
         \x20     # - name: Diff against the base branch as a PR comment\n\
         \x20     #   if: github.event_name == 'pull_request'\n\
         \x20     #   run: |\n\
         \x20     #     rollwright diff . --base-ref \"origin/${{{{ github.base_ref }}}}\" --format markdown > diff.md\n\
         \x20     #     gh pr comment \"${{{{ github.event.pull_request.number }}}}\" --body-file diff.md --edit-last || \\\n\
         \x20     #       gh pr comment \"${{{{ github.event.pull_request.number }}}}\" --body-file diff.md\n\
         \x20     #   env:\n\
         \x20     #     GH_TOKEN: ${{{{ github.token }}}}\n",
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
