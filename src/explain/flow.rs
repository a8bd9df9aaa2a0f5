//! The release flow, step by step: which statements hold for these settings, in the order
//! the controller acts (RULES.md §5), and the commands for each step.

use super::facts::{Findings, Phase, Promotion, Settings, Traffic};
use super::say::{Arg, S, Said};
use crate::finding::Severity;

/// How the values were given, so the printed commands name the same chart, files and
/// namespace.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Invocation {
    /// The chart directory or values file, as the user wrote it.
    pub chart: String,
    /// `-f` files, as written (`-`, standard input, is left out: it cannot be read twice).
    pub files: Vec<String>,
    /// `--name`.
    pub name: Option<String>,
    /// `-n`.
    pub namespace: Option<String>,
}

/// One step: a title, what happens, and the commands for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub title: Said,
    pub lines: Vec<Said>,
    pub commands: Vec<String>,
}

impl Step {
    fn new(title: Said) -> Self {
        Step {
            title,
            lines: Vec::new(),
            commands: Vec::new(),
        }
    }

    fn say(mut self, said: Said) -> Self {
        self.lines.push(said);
        self
    }

    fn run(mut self, command: String) -> Self {
        self.commands.push(command);
        self
    }
}

/// The whole explanation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Explanation {
    pub settings: Settings,
    pub summary: Vec<Said>,
    pub first_deploy: Vec<Step>,
    pub update: Vec<Step>,
    /// What an operator can do at any time.
    pub operator: Vec<Step>,
}

impl Explanation {
    /// Every statement made, in order.
    pub fn statements(&self) -> impl Iterator<Item = &Said> {
        self.summary.iter().chain(
            self.first_deploy
                .iter()
                .chain(&self.update)
                .chain(&self.operator)
                .flat_map(|st| std::iter::once(&st.title).chain(&st.lines)),
        )
    }

    /// Every command printed, in order.
    pub fn commands(&self) -> impl Iterator<Item = &String> {
        self.first_deploy
            .iter()
            .chain(&self.update)
            .chain(&self.operator)
            .flat_map(|st| &st.commands)
    }
}

/// A word as a POSIX shell reads it back unchanged.
pub fn shell_word(s: &str) -> String {
    let safe = !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_./:=@%+,".contains(&b));
    if safe {
        s.to_owned()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

struct Commands<'a> {
    s: &'a Settings,
    how: &'a Invocation,
}

impl Commands<'_> {
    fn kubectl(&self, words: &[&str]) -> String {
        let mut out = String::from("kubectl");
        for w in words {
            out.push(' ');
            out.push_str(&shell_word(w));
        }
        if let Some(ns) = &self.s.namespace {
            out.push_str(" -n ");
            out.push_str(&shell_word(ns));
        }
        out
    }

    /// `kubectl argo rollouts VERB… NAME [FLAGS…]`.
    fn rollouts(&self, verb: &[&str], flags: &[&str]) -> String {
        let mut words = vec!["argo", "rollouts"];
        words.extend_from_slice(verb);
        words.push(&self.s.name);
        words.extend_from_slice(flags);
        self.kubectl(&words)
    }

    fn watch(&self) -> String {
        self.rollouts(&["get", "rollout"], &["--watch"])
    }

    fn get(&self) -> String {
        self.rollouts(&["get", "rollout"], &[])
    }

    fn set_image(&self) -> String {
        format!(
            "rollwright set-image {} \"$TAG\"",
            shell_word(&self.how.chart)
        )
    }

    fn render_apply(&self) -> String {
        let mut out = format!("rollwright render {}", shell_word(&self.how.chart));
        for f in &self.how.files {
            out.push_str(" -f ");
            out.push_str(&shell_word(f));
        }
        if let Some(name) = &self.how.name {
            out.push_str(" --name ");
            out.push_str(&shell_word(name));
        }
        if let Some(ns) = &self.how.namespace {
            out.push_str(" -n ");
            out.push_str(&shell_word(ns));
        }
        out.push_str(" | kubectl apply -f -");
        out
    }
}

fn names(list: &[String]) -> Arg {
    Arg::Codes(list.to_vec())
}

/// Explains the flow of these settings.
pub fn explain(s: &Settings, f: &Findings, how: &Invocation) -> Explanation {
    let cmd = Commands { s, how };
    let promotion = s.promotion();
    let manual = promotion == Promotion::Manual;
    let replicas = s.replicas();
    let pods = Arg::Pods(replicas);
    let active = || Arg::Code(s.active_service.clone());
    let name = || Arg::Code(s.name.clone());
    let delay = s.scale_down_delay();
    let limit = s.scale_down_delay_revision_limit;
    // The old ReplicaSet goes at once: a delay already past, or no old ReplicaSet allowed to
    // wait (`rollout/replicaset.go scaleDownDelayHelper`).
    let scaled_at_once = delay < 0 || limit == Some(0);

    // Summary.
    let mut summary = vec![match promotion {
        Promotion::Manual => Said::new(S::SumManual),
        Promotion::Now => Said::new(S::SumAutoNow),
        // The pause, and with it the countdown, begins only once the pre-promotion analysis
        // has succeeded (§5.5).
        Promotion::After(n) if s.pre_promotion.is_some() => {
            Said::new(S::SumAutoAfterPre).arg("seconds", Arg::Seconds(n))
        }
        Promotion::After(n) => Said::new(S::SumAutoAfter).arg("seconds", Arg::Seconds(n)),
        Promotion::Never(_) => Said::new(S::SumAutoNever),
    }];
    if let Some(t) = &s.pre_promotion {
        let id = if manual {
            S::SumPreManual
        } else {
            S::SumPreAuto
        };
        summary.push(Said::new(id).arg("templates", names(t)));
    }
    // With a negative delay only `promote --full` switches, and it skips every analysis
    // still to run (`rollout/analysis.go reconcileAnalysisRuns`).
    let never = matches!(promotion, Promotion::Never(_));
    if let Some(t) = &s.post_promotion {
        let id = if never { S::PostNeverRuns } else { S::SumPost };
        summary.push(Said::new(id).arg("templates", names(t)));
    }
    if s.pre_promotion.is_none() && s.post_promotion.is_none() {
        summary.push(Said::new(S::SumNoAnalysis));
    }
    summary.push(if scaled_at_once {
        Said::new(S::SumScaleDownAtOnce)
    } else if delay == 0 {
        match limit {
            Some(l) => Said::new(S::SumKeepOldLimited).arg("limit", Arg::Num(l)),
            None => Said::new(S::SumKeepOld),
        }
    } else {
        Said::new(S::SumScaleDown).arg("seconds", Arg::Seconds(delay))
    });
    if manual && s.pre_promotion.is_some() && s.post_promotion.is_none() {
        summary.push(Said::new(S::SumPattern1));
    }
    if promotion == Promotion::Now && s.pre_promotion.is_none() && s.post_promotion.is_some() {
        summary.push(Said::new(S::SumPattern2));
    }
    if promotion == Promotion::Now && s.pre_promotion.is_some() {
        summary.push(Said::new(S::SumPattern3));
    }

    // First deploy (§5.2).
    let mut first = Step::new(Said::new(S::TitleFirst)).say(match &s.preview_service {
        Some(p) => Said::new(S::FirstPreview)
            .arg("pods", pods.clone())
            .code("preview", p)
            .arg("active", active()),
        None => Said::new(S::FirstNoPreview)
            .arg("pods", pods.clone())
            .arg("active", active()),
    });
    if manual
        || promotion != Promotion::Now
        || s.pre_promotion.is_some()
        || s.post_promotion.is_some()
    {
        first = first.say(Said::new(S::FirstNoStrategy));
    }
    let first_deploy = vec![first.run(cmd.watch())];

    let mut update = Vec::new();

    // A new revision (§6).
    update.push(
        Step::new(Said::new(S::TitleStart))
            .say(Said::new(S::Start))
            .say(Said::new(S::StartApply))
            .run(cmd.set_image())
            .run(cmd.render_apply())
            .run(cmd.watch()),
    );

    // Preview (§5.1, §5.3, §5.8).
    let mut preview = Step::new(Said::new(S::TitlePreview)).say(match s.preview_replica_count {
        Some(k) if k != replicas => Said::new(S::PreviewScaledPartial)
            .arg("preview_pods", Arg::Pods(k))
            .arg("pods", pods.clone())
            .arg("active", active()),
        _ => Said::new(S::PreviewScaled)
            .arg("pods", pods.clone())
            .arg("active", active()),
    });
    if let Some((k, r)) = f.preview_above {
        preview = preview.say(
            Said::new(S::PreviewAbove)
                .arg("preview_count", Arg::Num(k))
                .arg("replicas", Arg::Num(r))
                .finding("P-04", Severity::Warning),
        );
    }
    let no_window = promotion == Promotion::Now && s.pre_promotion.is_none();
    preview = match &s.preview_service {
        Some(p) if no_window => preview.say(Said::new(S::PreviewNoWindow).code("preview", p)),
        Some(p) => preview
            .say(Said::new(S::PreviewWindow).code("preview", p))
            .run(cmd.kubectl(&[
                "port-forward",
                &format!("svc/{p}"),
                &format!("8081:{}", s.preview_port.unwrap_or(80)),
            ]))
            .run("curl http://localhost:8081".into()),
        None => preview.say(Said::new(S::PreviewNone)),
    };
    if f.no_gate {
        preview = preview.say(Said::new(S::NoGate).finding("P-02", Severity::Warning));
    }
    update.push(preview);

    // What a failed analysis or an abort leaves behind (§5.6, §5.7, §5.9).
    let abort_tail = |lines: &mut Vec<Said>| {
        if let Some(p) = &s.preview_service {
            lines.push(Said::new(S::AbortPreviewKept).code("preview", p));
        }
        lines.push(if s.abort_scale_down_delay() == 0 {
            Said::new(S::AbortKeep)
        } else {
            Said::new(S::AbortScaleDown).arg("seconds", Arg::Seconds(s.abort_scale_down_delay()))
        });
    };

    // Pre-promotion analysis (§5.6).
    if let Some(t) = &s.pre_promotion {
        let mut st = Step::new(Said::new(S::TitlePre))
            .say(
                Said::new(S::PreStart)
                    .arg("name", name())
                    .arg("templates", names(t)),
            )
            .say(Said::new(S::PrePromoteNoop).arg("name", name()));
        st.lines.extend(traffic(&f.traffic, Phase::Pre));
        st = st
            .say(Said::new(S::PreSuccess))
            .say(Said::new(S::AbortPre).arg("active", active()));
        abort_tail(&mut st.lines);
        st = st
            .say(Said::new(S::AbortLeave))
            .say(Said::new(S::PreInconclusive));
        update.push(
            st.run(cmd.watch())
                .run(cmd.kubectl(&["get", "analysisruns"])),
        );
    }

    // Promotion (§5.3, §5.4, §5.5, §2.B).
    let pre = s.pre_promotion.is_some();
    let promote = match promotion {
        Promotion::Manual => {
            let mut st = Step::new(Said::new(S::TitlePromoteManual)).say(Said::new(if pre {
                S::PauseManualAfterPre
            } else {
                S::PauseManual
            }));
            if pre {
                st = st.say(Said::new(S::Pattern3));
            }
            if f.seconds_ignored {
                st = st.say(
                    Said::new(S::SecondsIgnored)
                        .arg("n", Arg::Num(s.auto_promotion_seconds.unwrap_or(0)))
                        .finding("P-01", Severity::Warning),
                );
            }
            st.run(cmd.rollouts(&["promote"], &[]))
        }
        Promotion::Now => Step::new(Said::new(S::TitlePromoteAuto)).say(Said::new(if pre {
            S::PromoteAutoNowAfterPre
        } else {
            S::PromoteAutoNow
        })),
        Promotion::After(n) => {
            let mut st = Step::new(Said::new(S::TitlePromoteAfter).arg("seconds", Arg::Seconds(n)))
                .say(
                    Said::new(if pre {
                        S::PauseAutoAfterPre
                    } else {
                        S::PauseAuto
                    })
                    .arg("seconds", Arg::Seconds(n)),
                )
                .say(Said::new(S::PlainPromoteRestarts).arg("seconds", Arg::Seconds(n)));
            if s.post_promotion.is_some() {
                st = st.say(Said::new(S::FullSkipsPost));
            }
            st.run(cmd.rollouts(&["promote"], &["--full"]))
        }
        Promotion::Never(n) => Step::new(Said::new(S::TitlePromoteNever))
            .say(
                Said::new(S::NeverPromotes)
                    .arg("n", Arg::Num(n))
                    .finding("P-09", Severity::Error),
            )
            .say(Said::new(S::NeverPlainPromote).arg("name", name()))
            .run(cmd.rollouts(&["promote"], &["--full"])),
    };
    update.push(promote);

    // The switch (§5.3, §5.8).
    let mut switch = Step::new(Said::new(S::TitleSwitch));
    if let Some(k) = s.preview_replica_count.filter(|k| *k != replicas) {
        switch = switch.say(
            Said::new(S::ScaleToReplicas)
                .arg("preview_pods", Arg::Pods(k))
                .arg("pods", pods.clone()),
        );
    }
    switch = switch.say(
        Said::new(if never { S::SwitchAfterFull } else { S::Switch })
            .arg("pods", pods.clone())
            .arg("active", active()),
    );
    if s.post_promotion.is_none() || never {
        switch = switch.say(Said::new(S::StableNow));
    }
    if let Some(t) = s.post_promotion.as_ref().filter(|_| never) {
        switch = switch.say(Said::new(S::PostNeverRuns).arg("templates", names(t)));
        // What it would measure still holds, and validate still reports it.
        switch.lines.extend(traffic(&f.traffic, Phase::Post));
    }
    update.push(switch.run(cmd.get()));

    // Post-promotion analysis (§5.7, §5.9).
    if let Some(t) = s.post_promotion.as_ref().filter(|_| !never) {
        let mut st = Step::new(Said::new(S::TitlePost)).say(
            Said::new(S::PostStart)
                .arg("name", name())
                .arg("templates", names(t)),
        );
        st.lines.extend(traffic(&f.traffic, Phase::Post));
        st = st
            .say(Said::new(S::PostSuccess))
            .say(Said::new(S::AbortPost).arg("active", active()))
            .say(if s.abort_scale_down_delay() == 0 {
                Said::new(S::AbortPostUnreadyKept)
            } else {
                Said::new(S::AbortPostUnready)
                    .arg("seconds", Arg::Seconds(s.abort_scale_down_delay()))
            });
        abort_tail(&mut st.lines);
        st = st
            .say(Said::new(S::AbortLeave))
            .say(Said::new(S::PostInconclusive));
        update.push(
            st.run(cmd.watch())
                .run(cmd.kubectl(&["get", "analysisruns"]))
                .run(cmd.rollouts(&["undo"], &[])),
        );
    }

    // The old version (§2.B, §5.8).
    let mut down = Step::new(Said::new(S::TitleScaleDown));
    let short = |said: Said| said.finding("P-03", Severity::Warning);
    if delay == 0 {
        down = down.say(short(match limit {
            None => Said::new(S::ScaleDownNever),
            Some(0) => Said::new(S::ScaleDownZeroLimitZero),
            Some(l) => Said::new(S::ScaleDownNeverLimited).arg("limit", Arg::Num(l)),
        }));
    } else if delay < 0 {
        down = down.say(short(
            Said::new(S::ScaleDownNegative).arg("n", Arg::Num(delay)),
        ));
    } else {
        if limit == Some(0) {
            down = down.say(Said::new(S::ScaleDownLimitZero));
        } else {
            down = down.say(Said::new(S::ScaleDownDelay).arg("seconds", Arg::Seconds(delay)));
        }
        if s.scale_down_delay_seconds.is_none() {
            down = down.say(Said::new(S::ScaleDownDefault));
        }
        if f.short_delay.is_some() {
            down = down.say(short(
                Said::new(S::ScaleDownShort).arg("seconds", Arg::Seconds(delay)),
            ));
        }
        if let Some(l) = limit.filter(|l| *l > 0) {
            down = down.say(Said::new(S::RevisionLimit).arg("limit", Arg::Num(l)));
        }
    }
    update.push(down.run(cmd.get()));

    // At any time (§5.9).
    let mut abort = Step::new(Said::new(S::TitleAbort)).say(Said::new(S::AbortManual));
    abort_tail(&mut abort.lines);
    abort = abort
        .say(Said::new(S::AbortTemplate))
        .say(Said::new(S::AbortAfterComplete))
        .say(Said::new(S::Retry))
        .run(cmd.rollouts(&["abort"], &[]))
        .run(cmd.rollouts(&["retry", "rollout"], &[]));
    let undo = if scaled_at_once {
        S::UndoAtOnce
    } else if delay == 0 {
        S::UndoNoDeadline
    } else {
        S::UndoFast
    };
    let operator = vec![
        Step::new(Said::new(S::TitleWatch))
            .say(Said::new(S::Watch))
            .run(cmd.watch()),
        Step::new(Said::new(S::TitleFull))
            .say(Said::new(S::Full))
            .run(cmd.rollouts(&["promote"], &["--full"])),
        abort,
        Step::new(Said::new(S::TitleUndo))
            .say(Said::new(undo))
            .say(Said::new(S::UndoGitops))
            .run(cmd.rollouts(&["undo"], &[])),
    ];

    Explanation {
        settings: s.clone(),
        summary,
        first_deploy,
        update,
        operator,
    }
}

/// What each ingress-nginx metric of one analysis measures, and where its traffic must come
/// from (rule P-10 when nothing routes it).
fn traffic(list: &[Traffic], phase: Phase) -> Vec<Said> {
    let mut out = Vec::new();
    for t in list.iter().filter(|t| t.phase == phase) {
        let service = || Arg::Code(t.service.clone());
        out.push(
            Said::new(S::TrafficIngress)
                .code("metric", &t.metric)
                .code("template", &t.template)
                .arg("service", service()),
        );
        if t.preview {
            out.push(Said::new(S::TrafficPreviewSource).arg("service", service()));
        }
        let Some(severity) = t.severity() else {
            continue;
        };
        let id = match (t.ingresses_in_set, t.guarded) {
            (false, false) => S::TrafficNoIngress,
            (false, true) => S::TrafficNoIngressGuarded,
            (true, false) => S::TrafficUnrouted,
            (true, true) => S::TrafficUnroutedGuarded,
        };
        let mut said = Said::new(id).arg("service", service());
        said = if t.guarded {
            said.code("condition", t.condition.clone().unwrap_or_default())
        } else {
            said.arg("errors", Arg::Num(t.errors_to_fail))
        };
        out.push(said.finding("P-10", severity));
    }
    out
}
