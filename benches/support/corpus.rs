//! A synthetic GitOps repository for benchmarks: `apps/<team>/<app>/` directories, each a
//! blue-green (or, one in eight, canary) bundle the way teams keep them: a Rollout, its two
//! Services and one or two AnalysisTemplates. The bundles vary the way real ones do (probes,
//! env, resources, analysis providers and arguments, sidecars, volumes), every one is valid
//! for both rollwright and `kubeconform -strict`, and the same seed always writes the same
//! bytes.
//!
//! [`Style::Anchors`] writes the same repository with anchors and aliases for the maps a
//! bundle shares (labels, selectors, probe actions), as PyYAML writes an object used twice
//! (`labels: &id001` … `labels: *id001`), and, in every other Rollout, the pod labels as a
//! hand-written merge (`<<: *id001` plus one more label).

use std::fmt::Write as _;
use std::path::Path;

/// What one generated repository holds.
#[derive(Debug, Default, Clone, Copy)]
pub struct Stats {
    pub bundles: usize,
    pub files: usize,
    pub documents: usize,
    pub bytes: usize,
}

/// A small deterministic generator (SplitMix64): no dependency, same stream everywhere.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
}

const TEAMS: &[&str] = &[
    "payments", "search", "checkout", "identity", "catalog", "shipping", "ads", "billing",
];
const IMAGES: &[&str] = &[
    "nginx",
    "ghcr.io/acme/api",
    "registry.example.com/web/frontend",
    "quay.io/acme/worker",
    "argoproj/rollouts-demo",
];

/// How the YAML is written.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// As `helm template` and `kubectl` write it: every map written out.
    #[default]
    Plain,
    /// Shared maps written once, with an anchor, and named again with aliases.
    Anchors,
}

/// Writes `bundles` bundles under `root` (which should be empty or absent).
pub fn generate(root: &Path, bundles: usize, seed: u64) -> std::io::Result<Stats> {
    generate_with(root, bundles, seed, Style::Plain)
}

/// [`generate`] in the given style.
pub fn generate_with(
    root: &Path,
    bundles: usize,
    seed: u64,
    style: Style,
) -> std::io::Result<Stats> {
    let mut rng = Rng(seed);
    let mut stats = Stats {
        bundles,
        ..Stats::default()
    };
    for i in 0..bundles {
        let team = TEAMS[i % TEAMS.len()];
        let app = format!("{team}-app-{i:05}");
        let dir = root.join("apps").join(team).join(&app);
        std::fs::create_dir_all(&dir)?;
        let mut bundle = Bundle::new(&mut rng, team, &app);
        bundle.anchors = style == Style::Anchors;
        bundle.merge = bundle.anchors && i % 2 == 1;
        for (name, docs, text) in bundle.files(&mut rng) {
            stats.files += 1;
            stats.documents += docs;
            stats.bytes += text.len();
            std::fs::write(dir.join(name), text)?;
        }
    }
    Ok(stats)
}

struct Bundle {
    namespace: String,
    app: String,
    canary: bool,
    port: u16,
    templates: Vec<Template>,
    /// Shared maps as anchors and aliases.
    anchors: bool,
    /// The pod labels as a merge of the Rollout's labels (with `anchors`).
    merge: bool,
}

struct Template {
    name: String,
    /// Prefix of its metric names: the templates of one analysis share one namespace of
    /// metric names (AT-01).
    metric: &'static str,
    provider: &'static str,
}

impl Bundle {
    fn new(rng: &mut Rng, team: &str, app: &str) -> Self {
        let canary = rng.chance(12);
        let providers = ["prometheus", "web", "job"];
        let count = if rng.chance(25) { 2 } else { 1 };
        let templates = (0..count)
            .map(|k| {
                let provider = providers[rng.below(3) as usize];
                let metric = ["main", "extra"][k];
                Template {
                    name: format!("{app}-{}", ["success-rate", "smoke"][k]),
                    metric,
                    provider,
                }
            })
            .collect();
        Bundle {
            namespace: team.to_string(),
            app: app.to_string(),
            canary,
            port: [8080, 8000, 3000, 9090][rng.below(4) as usize],
            templates,
            anchors: false,
            merge: false,
        }
    }

    fn files(&self, rng: &mut Rng) -> Vec<(&'static str, usize, String)> {
        let mut analysis = String::new();
        for t in &self.templates {
            analysis.push_str(&self.template(rng, t));
        }
        vec![
            ("rollout.yaml", 1, self.rollout(rng)),
            ("services.yaml", 2, self.services()),
            ("analysis.yaml", self.templates.len(), analysis),
        ]
    }

    fn labels(&self, indent: &str) -> String {
        format!(
            "{indent}app.kubernetes.io/name: {}\n{indent}app.kubernetes.io/part-of: {}\n",
            self.app, self.namespace
        )
    }

    /// The metadata; its labels anchored (with `anchors`) where the object names them again.
    fn metadata(&self, name: &str, shared: bool) -> String {
        format!(
            "metadata:\n  name: {name}\n  namespace: {}\n  labels:{}\n{}",
            self.namespace,
            if self.anchors && shared {
                " &id001"
            } else {
                ""
            },
            self.labels("    ")
        )
    }

    fn service_names(&self) -> (String, String) {
        if self.canary {
            (
                format!("{}-stable", self.app),
                format!("{}-canary", self.app),
            )
        } else {
            (
                format!("{}-active", self.app),
                format!("{}-preview", self.app),
            )
        }
    }

    fn services(&self) -> String {
        let (a, b) = self.service_names();
        let mut out = String::new();
        for name in [a, b] {
            write!(
                out,
                "---\napiVersion: v1\nkind: Service\n{}spec:\n  type: ClusterIP\n  selector:{}  ports:\n  - name: http\n    port: 80\n    targetPort: http\n    protocol: TCP\n",
                self.metadata(&name, true),
                if self.anchors {
                    " *id001\n".to_string()
                } else {
                    format!("\n{}", self.labels("    ").lines().next().map(|l| format!("{l}\n")).unwrap_or_default())
                }
            )
            .unwrap();
        }
        out
    }

    fn analysis_ref(&self, rng: &mut Rng, indent: &str) -> String {
        let (_, second) = self.service_names();
        let mut out = format!("{indent}templates:\n");
        for t in &self.templates {
            writeln!(out, "{indent}- templateName: {}", t.name).unwrap();
        }
        write!(
            out,
            "{indent}args:\n{indent}- name: service-name\n{indent}  value: {second}\n"
        )
        .unwrap();
        if rng.chance(50) {
            write!(
                out,
                "{indent}- name: pod-hash\n{indent}  valueFrom:\n{indent}    podTemplateHashValue: Latest\n"
            )
            .unwrap();
        }
        out
    }

    fn strategy(&self, rng: &mut Rng) -> String {
        let (a, b) = self.service_names();
        if self.canary {
            let weight = [10, 20, 25][rng.below(3) as usize];
            format!(
                "  strategy:\n    canary:\n      stableService: {a}\n      canaryService: {b}\n      maxSurge: \"25%\"\n      maxUnavailable: 0\n      analysis:\n        startingStep: 1\n{}      steps:\n      - setWeight: {weight}\n      - pause:\n          duration: 5m\n      - setWeight: 50\n      - pause: {{}}\n",
                self.analysis_ref(rng, "        ")
            )
        } else {
            let mut s = format!(
                "  strategy:\n    blueGreen:\n      activeService: {a}\n      previewService: {b}\n      autoPromotionEnabled: {}\n      scaleDownDelaySeconds: {}\n",
                rng.chance(30),
                [30, 60, 120][rng.below(3) as usize]
            );
            if rng.chance(40) {
                writeln!(s, "      previewReplicaCount: 1").unwrap();
            }
            // Every bundle's templates are referenced: an unused one is a finding (P-07).
            let gate = rng.chance(75);
            {
                let phase = if gate {
                    "prePromotionAnalysis"
                } else {
                    "postPromotionAnalysis"
                };
                write!(s, "      {phase}:\n{}", self.analysis_ref(rng, "        ")).unwrap();
            }
            s
        }
    }

    /// A probe; `http_get` says whether the readiness probe's action was `httpGet` (anchored
    /// as `&id002`, for the liveness probe to name with an alias).
    fn probe(&self, rng: &mut Rng, kind: &str, http_get: &mut bool) -> String {
        let indent = "        ";
        let body = match rng.below(4) {
            0 | 1 if self.anchors && *http_get && kind == "livenessProbe" => {
                format!("{indent}  httpGet: *id002\n")
            }
            0 | 1 => {
                *http_get = true;
                let anchor = if self.anchors { " &id002" } else { "" };
                format!(
                    "{indent}  httpGet:{anchor}\n{indent}    path: /healthz\n{indent}    port: http\n"
                )
            }
            2 => format!("{indent}  tcpSocket:\n{indent}    port: {}\n", self.port),
            _ => format!(
                "{indent}  exec:\n{indent}    command:\n{indent}    - /bin/sh\n{indent}    - -c\n{indent}    - test -f /tmp/ready\n"
            ),
        };
        format!(
            "{indent}{kind}:\n{body}{indent}  initialDelaySeconds: {}\n{indent}  periodSeconds: {}\n{indent}  failureThreshold: 3\n",
            rng.below(20),
            [5, 10, 15][rng.below(3) as usize]
        )
    }

    fn env(&self, rng: &mut Rng) -> String {
        let n = rng.below(9);
        if n == 0 {
            return String::new();
        }
        let mut out = String::from("        env:\n");
        for k in 0..n {
            match rng.below(5) {
                0 => write!(
                    out,
                    "        - name: DB_PASSWORD_{k}\n          valueFrom:\n            secretKeyRef:\n              name: {}-db\n              key: password\n",
                    self.app
                ),
                1 => write!(
                    out,
                    "        - name: POD_NAME_{k}\n          valueFrom:\n            fieldRef:\n              fieldPath: metadata.name\n"
                ),
                2 => write!(
                    out,
                    "        - name: GOMAXPROCS_{k}\n          valueFrom:\n            resourceFieldRef:\n              resource: limits.cpu\n"
                ),
                _ => write!(
                    out,
                    "        - name: FEATURE_{k}\n          value: \"{}\"\n",
                    rng.pick(&["true", "false", "enabled", "42", "https://api.example.com/v1"])
                ),
            }
            .unwrap();
        }
        out
    }

    fn rollout(&self, rng: &mut Rng) -> String {
        let image = rng.pick(IMAGES);
        let mut out = format!(
            "apiVersion: argoproj.io/v1alpha1\nkind: Rollout\n{}spec:\n  replicas: {}\n  revisionHistoryLimit: {}\n  selector:\n    matchLabels:\n{}{}  template:\n    metadata:\n      labels:{}      annotations:\n        prometheus.io/scrape: \"true\"\n    spec:\n",
            self.metadata(&self.app, true),
            2 + rng.below(8),
            2 + rng.below(4),
            self.labels("      ")
                .lines()
                .next()
                .map(|l| format!("{l}\n"))
                .unwrap_or_default(),
            self.strategy(rng),
            if self.merge {
                "\n        <<: *id001\n        app.kubernetes.io/component: server\n".to_string()
            } else if self.anchors {
                " *id001\n".to_string()
            } else {
                format!("\n{}", self.labels("        "))
            },
        );
        if rng.chance(60) {
            writeln!(out, "      serviceAccountName: {}", self.app).unwrap();
        }
        write!(
            out,
            "      terminationGracePeriodSeconds: {}\n      securityContext:\n        runAsNonRoot: true\n        runAsUser: {}\n      containers:\n      - name: app\n        image: {image}:1.{}.{}\n        imagePullPolicy: IfNotPresent\n        ports:\n        - name: http\n          containerPort: {}\n          protocol: TCP\n",
            [30, 60][rng.below(2) as usize],
            1000 + rng.below(1000),
            rng.below(40),
            rng.below(10),
            self.port
        )
        .unwrap();
        if rng.chance(50) {
            out.push_str("        - name: metrics\n          containerPort: 9102\n");
        }
        if rng.chance(20) {
            write!(
                out,
                "        args:\n        - --port={}\n        - --log-level={}\n",
                self.port,
                rng.pick(&["info", "debug", "warn"])
            )
            .unwrap();
        }
        out.push_str(&self.env(rng));
        let mut http_get = false;
        if rng.chance(85) {
            out.push_str(&self.probe(rng, "readinessProbe", &mut http_get));
        }
        if rng.chance(60) {
            out.push_str(&self.probe(rng, "livenessProbe", &mut http_get));
        }
        let cpu = [50, 100, 250, 500][rng.below(4) as usize];
        let mem = [64, 128, 256, 512][rng.below(4) as usize];
        write!(
            out,
            "        resources:\n          requests:\n            cpu: {cpu}m\n            memory: {mem}Mi\n          limits:\n            memory: {}Mi\n",
            mem * 2
        )
        .unwrap();
        let volumes = rng.chance(40);
        if volumes {
            out.push_str("        volumeMounts:\n        - name: config\n          mountPath: /etc/app\n          readOnly: true\n        - name: tmp\n          mountPath: /tmp\n");
        }
        if rng.chance(25) {
            out.push_str("      - name: proxy\n        image: envoyproxy/envoy:v1.31.0\n        ports:\n        - name: admin\n          containerPort: 9901\n        resources:\n          requests:\n            cpu: 50m\n            memory: 64Mi\n");
        }
        if volumes {
            write!(
                out,
                "      volumes:\n      - name: config\n        configMap:\n          name: {}-config\n      - name: tmp\n        emptyDir:\n          sizeLimit: 64Mi\n",
                self.app
            )
            .unwrap();
        }
        out
    }

    fn template(&self, rng: &mut Rng, t: &Template) -> String {
        let mut out = format!(
            "---\napiVersion: argoproj.io/v1alpha1\nkind: AnalysisTemplate\n{}spec:\n  args:\n  - name: service-name\n  - name: pod-hash\n    value: none\n  metrics:\n",
            self.metadata(&t.name, false)
        );
        match t.provider {
            "prometheus" => write!(
                out,
                "  - name: {}-success-rate\n    interval: {}\n    count: {}\n    successCondition: result[0] >= 0.{}\n    failureLimit: {}\n    provider:\n      prometheus:\n        address: http://prometheus.monitoring.svc.cluster.local:9090\n        query: |\n          sum(rate(http_requests_total{{service=\"{{{{args.service-name}}}}\",code!~\"5..\"}}[2m]))\n          /\n          sum(rate(http_requests_total{{service=\"{{{{args.service-name}}}}\"}}[2m]))\n",
                t.metric,
                rng.pick(&["30s", "1m", "2m"]),
                3 + rng.below(5),
                90 + rng.below(9),
                1 + rng.below(3)
            ),
            "web" => write!(
                out,
                "  - name: {}-smoke\n    count: 1\n    successCondition: result.ok == true\n    provider:\n      web:\n        url: http://{{{{args.service-name}}}}.{}.svc/healthz\n        timeoutSeconds: {}\n        jsonPath: \"{{$.status}}\"\n        headers:\n        - key: Accept\n          value: application/json\n",
                t.metric,
                self.namespace,
                5 + rng.below(20)
            ),
            _ => write!(
                out,
                "  - name: {}-integration\n    provider:\n      job:\n        spec:\n          backoffLimit: 1\n          template:\n            spec:\n              restartPolicy: Never\n              containers:\n              - name: test\n                image: curlimages/curl:8.{}.0\n                command:\n                - curl\n                - -fsS\n                - http://{{{{args.service-name}}}}/healthz\n",
                t.metric,
                rng.below(10)
            ),
        }
        .unwrap();
        out
    }
}
