//! The release flow a set of values produces, step by step, as the Argo Rollouts controller
//! actually runs it (not as its settings' names suggest).
//!
//! The runbook this tool comes from believed that `autoPromotionEnabled: false` plus a
//! successful pre-promotion analysis promotes by itself ("pattern 3"); the controller pauses
//! anyway. So every step here follows the controller's code (`rollout/bluegreen.go`,
//! `analysis.go`, `pause.go`, `replicaset.go`) and its defaults, and says which command moves
//! the release on. It works on the typed values only, so other commands (`diff`) can explain
//! a change of flow too.

use crate::values::Values;
use crate::values::model::{BlueGreen, RolloutAnalysis};

/// Argo's defaults for fields the values may leave unset (`utils/defaults/defaults.go`).
const DEFAULT_SCALE_DOWN_DELAY: i32 = 30;
const DEFAULT_ABORT_SCALE_DOWN_DELAY: i32 = 30;

/// The settings that decide the flow, with Argo's defaults filled in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    pub name: String,
    pub namespace: Option<String>,
    pub replicas: i32,
    pub active_service: String,
    pub preview_service: Option<String>,
    pub service_port: u16,
    pub auto_promotion_enabled: bool,
    pub auto_promotion_seconds: i32,
    pub scale_down_delay_seconds: i32,
    pub scale_down_delay_revision_limit: Option<i32>,
    pub abort_scale_down_delay_seconds: i32,
    pub preview_replica_count: Option<i32>,
    /// Template names of the pre-promotion analysis, when there is one.
    pub pre_promotion: Option<Vec<String>>,
    pub post_promotion: Option<Vec<String>>,
}

impl Settings {
    pub fn from_values(name: &str, values: &Values) -> Settings {
        let bg: &BlueGreen = &values.rollout.strategy.blue_green;
        let templates = |a: &Option<RolloutAnalysis>| {
            a.as_ref().map(|a| {
                a.templates
                    .iter()
                    .map(|t| t.template_name.clone())
                    .collect()
            })
        };
        Settings {
            name: name.to_owned(),
            namespace: values.namespace.clone().filter(|n| !n.is_empty()),
            replicas: values.replica_count.unwrap_or(1),
            active_service: bg
                .active_service
                .clone()
                .unwrap_or_else(|| format!("{name}-active")),
            preview_service: bg.preview_service.clone().filter(|s| !s.is_empty()),
            service_port: values.service.port.unwrap_or(80),
            auto_promotion_enabled: bg.auto_promotion_enabled.unwrap_or(true),
            auto_promotion_seconds: bg.auto_promotion_seconds.unwrap_or(0),
            scale_down_delay_seconds: bg
                .scale_down_delay_seconds
                .unwrap_or(DEFAULT_SCALE_DOWN_DELAY),
            scale_down_delay_revision_limit: bg.scale_down_delay_revision_limit,
            abort_scale_down_delay_seconds: bg
                .abort_scale_down_delay_seconds
                .unwrap_or(DEFAULT_ABORT_SCALE_DOWN_DELAY),
            preview_replica_count: bg.preview_replica_count,
            pre_promotion: templates(&bg.pre_promotion_analysis),
            post_promotion: templates(&bg.post_promotion_analysis),
        }
    }

    /// Whether an update stops until someone runs `promote`.
    pub fn needs_manual_promote(&self) -> bool {
        !self.auto_promotion_enabled
    }

    fn kubectl(&self, rest: &str) -> String {
        match &self.namespace {
            Some(ns) => format!("kubectl {rest} -n {ns}"),
            None => format!("kubectl {rest}"),
        }
    }

    fn rollouts(&self, verb: &str) -> String {
        self.kubectl(&format!("argo rollouts {verb} {}", self.name))
    }
}

/// One step of the flow: what happens, and the commands for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub title: String,
    pub text: Vec<String>,
    pub commands: Vec<String>,
}

fn step(title: impl Into<String>) -> Step {
    Step {
        title: title.into(),
        text: Vec::new(),
        commands: Vec::new(),
    }
}

impl Step {
    fn say(mut self, text: impl Into<String>) -> Self {
        self.text.push(text.into());
        self
    }
    fn run(mut self, command: impl Into<String>) -> Self {
        self.commands.push(command.into());
        self
    }
}

/// The whole explanation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Explanation {
    pub settings: Settings,
    /// One-line summary of the pattern.
    pub summary: String,
    pub first_deploy: Vec<Step>,
    pub update: Vec<Step>,
    /// What an operator can do at any time.
    pub operator: Vec<Step>,
}

fn seconds(n: i32) -> String {
    if n == 1 {
        "1 second".into()
    } else {
        format!("{n} seconds")
    }
}

fn names(templates: &[String]) -> String {
    let quoted: Vec<String> = templates.iter().map(|t| format!("`{t}`")).collect();
    if quoted.is_empty() {
        "(no template named)".into()
    } else {
        quoted.join(", ")
    }
}

/// What the abort after a failed analysis leaves behind (§5.6, §5.7).
fn abort_effect(s: &Settings, active_switched_back: bool) -> String {
    let active = if active_switched_back {
        format!(
            "the active Service `{}` is switched back to the old (stable) ReplicaSet",
            s.active_service
        )
    } else {
        format!(
            "the active Service `{}` stays on the old (stable) ReplicaSet: users never see the new version",
            s.active_service
        )
    };
    let preview = match &s.preview_service {
        Some(p) => format!("the preview Service `{p}` keeps pointing at the new ReplicaSet"),
        None => "there is no preview Service".into(),
    };
    let scale = if s.abort_scale_down_delay_seconds == 0 {
        "the new ReplicaSet is left running (`abortScaleDownDelaySeconds: 0`)".to_string()
    } else {
        format!(
            "the new ReplicaSet is scaled to 0 {} later (`abortScaleDownDelaySeconds`, counted once the stable ReplicaSet is fully available)",
            seconds(s.abort_scale_down_delay_seconds)
        )
    };
    format!(
        "On Failed or Error the controller aborts the update: {active}; {preview}; {scale}. The Rollout is `Degraded` until you fix the cause and push a new version, or run `retry`."
    )
}

/// Explains the flow of these values.
pub fn explain(name: &str, values: &Values) -> Explanation {
    let s = Settings::from_values(name, values);
    let watch = s.rollouts("get rollout") + " --watch";

    let summary = match (
        s.auto_promotion_enabled,
        s.pre_promotion.is_some(),
        s.post_promotion.is_some(),
    ) {
        (false, true, _) => "manual promotion after a pre-promotion analysis (the runbook's pattern 1, \"safe\"; pattern 3 is the same settings): a successful analysis does not promote, `kubectl argo rollouts promote` does".to_string(),
        (false, false, _) => "manual promotion: every update waits in the preview until `kubectl argo rollouts promote`".to_string(),
        (true, _, true) => "automatic promotion, checked after the switch by a post-promotion analysis (the runbook's pattern 2, \"fast\")".to_string(),
        (true, true, false) => "automatic promotion once the pre-promotion analysis succeeds".to_string(),
        (true, false, false) => "automatic promotion as soon as the new version is ready: no analysis and no pause".to_string(),
    };

    // First deploy (§5.2): no stable ReplicaSet yet, so no pause and no analysis.
    let mut first = step("First deploy: straight to active, no pause, no analysis")
        .say(format!(
            "With no stable ReplicaSet yet, the controller scales revision 1 to {} replica(s) and points {} at it; the active Service `{}` follows once all pods are available. It becomes the stable ReplicaSet.",
            s.replicas,
            s.preview_service.as_ref().map_or("no preview Service".to_string(), |p| format!("the preview Service `{p}`")),
            s.active_service
        ));
    if s.pre_promotion.is_some() || s.post_promotion.is_some() || !s.auto_promotion_enabled {
        first = first.say(
            "The blue-green strategy is not applied to a first deploy: no promotion pause, and neither pre- nor post-promotion analysis runs.",
        );
    }
    first = first.run(watch.clone());
    let first_deploy = vec![first];

    let mut update = Vec::new();
    update.push(
        step("Start: a new revision")
            .say("A change under the pod template (image, env, resources, probes, pod labels…) creates a new ReplicaSet, a new revision. Changing `replicaCount` or anything under `rollout.strategy` does not: it applies in place.")
            .run(format!("rollwright set-image . <tag>   # then commit, or: rollwright render . | {}", s.kubectl("apply -f -")))
            .run(watch.clone()),
    );

    let scaled = match s.preview_replica_count {
        Some(k) => format!(
            "{k} replica(s) (`previewReplicaCount`; scaled up to {} only after promotion)",
            s.replicas
        ),
        None => format!("{} replica(s)", s.replicas),
    };
    let mut preview = step("Preview: the new version runs beside the old one").say(format!(
        "The new ReplicaSet is scaled to {scaled}. The active Service `{}` still sends all traffic to the old version.",
        s.active_service
    ));
    preview = match &s.preview_service {
        Some(p) => preview
            .say(format!(
                "The preview Service `{p}` points at the new ReplicaSet at once (before its pods are ready): test the new version through it."
            ))
            .run(s.kubectl(&format!("port-forward svc/{p} 8081:{}", s.service_port)))
            .run("curl http://localhost:8081"),
        None => preview.say(
            "No preview Service is named, so the new version is reachable only pod by pod before promotion.",
        ),
    };
    update.push(preview);

    if let Some(templates) = &s.pre_promotion {
        update.push(
            step("Pre-promotion analysis")
                .say(format!(
                    "Once every new pod is available, the AnalysisRun `{}-<hash>-<revision>-pre` starts from {}. Nothing is promoted while it runs (`promote` has no effect yet).",
                    s.name,
                    names(templates)
                ))
                .say("On Successful the release moves on to promotion.")
                .say(abort_effect(&s, false))
                .say("On Inconclusive the Rollout pauses (`InconclusiveAnalysisRun`) and nothing progresses; `promote` starts a new AnalysisRun.")
                .run(watch.clone())
                .run(s.kubectl("get analysisruns")),
        );
    }

    let ready = if s.pre_promotion.is_some() {
        "the pre-promotion analysis has succeeded"
    } else {
        "every new pod is available"
    };
    let promote = if !s.auto_promotion_enabled {
        let mut st = step("Promotion: manual — the rollout waits for you")
            .say(format!(
                "Once {ready}, the controller pauses the Rollout (`BlueGreenPause`, phase `Paused`) and waits with no time limit. Nothing switches until someone promotes."
            ));
        if s.pre_promotion.is_some() {
            st = st.say("`autoPromotionEnabled: false` with a successful pre-promotion analysis still waits for a manual promote: the analysis only decides whether the release may go on, not that it does (the runbook's \"pattern 3\" expected it to promote on success; it does not — set `autoPromotionEnabled: true` for that).");
        }
        if s.auto_promotion_seconds > 0 {
            st = st.say(format!(
                "`autoPromotionSeconds: {}` is ignored while `autoPromotionEnabled` is false.",
                s.auto_promotion_seconds
            ));
        }
        st.run(s.rollouts("promote"))
    } else if s.auto_promotion_seconds > 0 {
        step(format!(
            "Promotion: automatic after {}",
            seconds(s.auto_promotion_seconds)
        ))
        .say(format!(
            "Once {ready}, the controller pauses the Rollout and promotes it by itself {} later (`autoPromotionSeconds`). Promote earlier by hand if you like.",
            seconds(s.auto_promotion_seconds)
        ))
        .run(s.rollouts("promote"))
    } else {
        step("Promotion: automatic, no pause").say(format!(
            "As soon as {ready}, the controller promotes: there is no manual step."
        ))
    };
    update.push(promote);

    let mut switch = step("Switch: the active Service moves to the new version").say(format!(
        "{}When the new ReplicaSet has all {} replica(s) available, the active Service `{}` is pointed at it: users now get the new version.",
        if s.preview_replica_count.is_some() {
            "The new ReplicaSet is first scaled up from `previewReplicaCount`. "
        } else {
            ""
        },
        s.replicas,
        s.active_service
    ));
    if s.post_promotion.is_none() {
        switch = switch.say("The new ReplicaSet becomes the stable one.");
    }
    update.push(switch.run(s.rollouts("get rollout")));

    if let Some(templates) = &s.post_promotion {
        update.push(
            step("Post-promotion analysis")
                .say(format!(
                    "After the switch the AnalysisRun `{}-<hash>-<revision>-post` runs {} against the live version. Meanwhile the old ReplicaSet stays fully scaled (it is still the stable one).",
                    s.name,
                    names(templates)
                ))
                .say("On Successful the new ReplicaSet becomes stable.")
                .say(abort_effect(&s, true))
                .run(watch.clone()),
        );
    }

    let mut scale_down = step("Old version scaled down").say(format!(
        "The old ReplicaSet is scaled to 0 {} after the new one becomes stable (`scaleDownDelaySeconds`). Until then `undo` is a fast rollback: no pause, no analysis, an immediate switch back.",
        seconds(s.scale_down_delay_seconds)
    ));
    if let Some(limit) = s.scale_down_delay_revision_limit {
        scale_down = scale_down.say(format!(
            "At most {limit} old ReplicaSet(s) keep running during their delay (`scaleDownDelayRevisionLimit`); older ones are scaled down at once."
        ));
    }
    update.push(scale_down.run(s.rollouts("get rollout")));

    let operator = vec![
        step("Watch")
            .say("Follow every step above live.")
            .run(watch.clone()),
        step("Promote now, skipping what is left")
            .say("`promote --full` skips the pause, `previewReplicaCount` and every analysis (running ones are terminated) and switches the active Service at once.")
            .run(s.rollouts("promote") + " --full"),
        step("Abort")
            .say(format!(
                "Stops the update: the active Service goes (back) to the stable ReplicaSet, the preview keeps the new one, which is scaled down {} later. The Rollout stays `Degraded` until `retry` or a new version.",
                if s.abort_scale_down_delay_seconds == 0 {
                    "never (`abortScaleDownDelaySeconds: 0`)".to_string()
                } else {
                    seconds(s.abort_scale_down_delay_seconds)
                }
            ))
            .run(s.rollouts("abort"))
            .run(s.rollouts("retry")),
        step("Roll back")
            .say("`undo` puts the previous pod template back. While the old ReplicaSet is within its scale-down delay this is immediate; later it is a new revision and goes through the whole flow again. With GitOps, also revert the values in Git, or the next sync undoes the rollback.")
            .run(s.rollouts("undo")),
    ];

    Explanation {
        settings: s,
        summary,
        first_deploy,
        update,
        operator,
    }
}

fn settings_lines(s: &Settings) -> Vec<String> {
    let opt = |v: Option<i32>, dflt: &str| v.map_or(dflt.to_string(), |n| n.to_string());
    vec![
        format!("replicas: {}", s.replicas),
        format!("activeService: {}", s.active_service),
        format!(
            "previewService: {}",
            s.preview_service.as_deref().unwrap_or("(none)")
        ),
        format!("autoPromotionEnabled: {}", s.auto_promotion_enabled),
        format!("autoPromotionSeconds: {}", s.auto_promotion_seconds),
        format!(
            "prePromotionAnalysis: {}",
            s.pre_promotion.as_deref().map_or("(none)".into(), names)
        ),
        format!(
            "postPromotionAnalysis: {}",
            s.post_promotion.as_deref().map_or("(none)".into(), names)
        ),
        format!(
            "previewReplicaCount: {}",
            opt(s.preview_replica_count, "(replicas)")
        ),
        format!("scaleDownDelaySeconds: {}", s.scale_down_delay_seconds),
        format!(
            "abortScaleDownDelaySeconds: {}",
            s.abort_scale_down_delay_seconds
        ),
    ]
}

impl Explanation {
    pub fn to_text(&self) -> String {
        let s = &self.settings;
        let mut out = format!("Release flow of {} (blue-green)\n", s.name);
        out.push_str(&format!(
            "  {}\n\nSettings in force (Argo's defaults filled in):\n",
            self.summary
        ));
        for line in settings_lines(s) {
            out.push_str(&format!("  {line}\n"));
        }
        let mut section = |title: &str, steps: &[Step], numbered: bool| {
            out.push_str(&format!("\n{title}\n"));
            for (i, st) in steps.iter().enumerate() {
                if numbered {
                    out.push_str(&format!("  {}. {}\n", i + 1, st.title));
                } else {
                    out.push_str(&format!("  - {}\n", st.title));
                }
                for t in &st.text {
                    out.push_str(&format!("     {t}\n"));
                }
                for c in &st.commands {
                    out.push_str(&format!("       $ {c}\n"));
                }
            }
        };
        section("First deploy", &self.first_deploy, true);
        section("Every update", &self.update, true);
        section("At any time", &self.operator, false);
        crate::sanitize::terminal::text(&out).into_owned()
    }

    /// Names and values come from the values file: everything goes through
    /// `sanitize::markdown`, since this is written into step summaries and comments.
    pub fn to_markdown(&self) -> String {
        use crate::sanitize::markdown as md;
        let s = &self.settings;
        let mut out = format!(
            "# Release flow of {}\n\n{}.\n\n",
            md::code(&s.name),
            md::prose(&capitalise(&self.summary))
        );
        out.push_str(
            "## Settings\n\nArgo Rollouts' defaults filled in.\n\n| setting | value |\n|---|---|\n",
        );
        for line in settings_lines(s) {
            let (k, v) = line.split_once(": ").unwrap_or((&line, ""));
            out.push_str(&format!("| {} | {} |\n", md::code(k), md::table_prose(v)));
        }
        let mut section = |title: &str, steps: &[Step], numbered: bool| {
            out.push_str(&format!("\n## {title}\n"));
            for (i, st) in steps.iter().enumerate() {
                if numbered {
                    out.push_str(&format!("\n### {}. {}\n\n", i + 1, md::prose(&st.title)));
                } else {
                    out.push_str(&format!("\n### {}\n\n", md::prose(&st.title)));
                }
                let text: Vec<String> = st.text.iter().map(|t| md::prose(t)).collect();
                out.push_str(&text.join("\n"));
                out.push('\n');
                if !st.commands.is_empty() {
                    out.push('\n');
                    out.push_str(&md::code_block("sh", &st.commands));
                }
            }
        };
        section("First deploy", &self.first_deploy, true);
        section("Every update", &self.update, true);
        section("At any time", &self.operator, false);
        out
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}
