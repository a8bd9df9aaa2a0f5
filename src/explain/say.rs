//! What `explain` can say: every statement has an id (the key of the table in
//! `docs/explain.md` that ties it to the controller's code), one sentence template per
//! language, and the values it is filled with.
//!
//! A template is plain text with `{name}` placeholders; text between backticks is code (a
//! field, a phase, a command). Values never become template text: a name is always a code
//! span, a number is formatted for the language, so no value can change a sentence's shape
//! or the Markdown around it.

use super::{en, ja};
use crate::finding::Severity;

/// The languages `explain` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, clap::ValueEnum)]
pub enum Lang {
    /// English.
    En,
    /// Japanese (日本語).
    Ja,
}

macro_rules! statements {
    ($($variant:ident = $id:literal,)*) => {
        /// Every statement `explain` makes.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum S { $($variant,)* }

        impl S {
            /// Every statement, in the order of `docs/explain.md`.
            pub const ALL: &'static [S] = &[$(S::$variant,)*];

            /// The id `docs/explain.md` lists the statement under.
            pub fn id(self) -> &'static str {
                match self { $(S::$variant => $id,)* }
            }
        }
    };
}

statements! {
    HeadingTitle = "heading-title",
    HeadingSettings = "heading-settings",
    HeadingFirst = "heading-first-deploy",
    HeadingUpdate = "heading-update",
    HeadingAnyTime = "heading-any-time",
    LabelSetting = "label-setting",
    LabelValue = "label-value",
    LabelDefault = "label-default",
    LabelNone = "label-none",
    LabelUnlimited = "label-unlimited",
    LabelError = "label-error",
    LabelWarning = "label-warning",
    LabelInfo = "label-info",
    SumManual = "summary-manual",
    SumAutoNow = "summary-auto-now",
    SumAutoAfter = "summary-auto-after",
    SumAutoAfterPre = "summary-auto-after-pre",
    SumAutoNever = "summary-auto-never",
    SumPreManual = "summary-pre-manual",
    SumPreAuto = "summary-pre-auto",
    SumPost = "summary-post",
    SumNoAnalysis = "summary-no-analysis",
    SumScaleDown = "summary-scale-down",
    SumScaleDownAtOnce = "summary-scale-down-at-once",
    SumKeepOld = "summary-keep-old",
    SumKeepOldLimited = "summary-keep-old-limited",
    SumPattern1 = "summary-pattern-1",
    SumPattern2 = "summary-pattern-2",
    SumPattern3 = "summary-pattern-3",
    TitleFirst = "title-first-deploy",
    FirstPreview = "first-deploy-preview",
    FirstNoPreview = "first-deploy-no-preview",
    FirstNoStrategy = "first-deploy-no-strategy",
    TitleStart = "title-start",
    Start = "start",
    StartApply = "start-apply",
    TitlePreview = "title-preview",
    PreviewScaled = "preview-scaled",
    PreviewScaledPartial = "preview-scaled-partial",
    PreviewWindow = "preview-window",
    PreviewNoWindow = "preview-no-window",
    PreviewNone = "preview-none",
    PreviewAbove = "preview-above-replicas",
    NoGate = "no-gate",
    TitlePre = "title-pre",
    PreStart = "pre-start",
    PrePromoteNoop = "pre-promote-noop",
    PreSuccess = "pre-success",
    AbortPre = "abort-pre",
    AbortPreviewKept = "abort-preview-kept",
    AbortScaleDown = "abort-scale-down",
    AbortKeep = "abort-keep",
    AbortLeave = "abort-leave",
    PreInconclusive = "pre-inconclusive",
    TrafficIngress = "traffic-ingress",
    TrafficPreviewSource = "traffic-preview-source",
    TrafficNoIngress = "traffic-no-ingress",
    TrafficNoIngressGuarded = "traffic-no-ingress-guarded",
    TrafficUnrouted = "traffic-unrouted",
    TrafficUnroutedGuarded = "traffic-unrouted-guarded",
    TitlePromoteManual = "title-promote-manual",
    PauseManual = "pause-manual",
    PauseManualAfterPre = "pause-manual-after-pre",
    Pattern3 = "pattern-3",
    SecondsIgnored = "seconds-ignored",
    TitlePromoteAuto = "title-promote-auto",
    PromoteAutoNow = "promote-auto-now",
    PromoteAutoNowAfterPre = "promote-auto-now-after-pre",
    TitlePromoteAfter = "title-promote-after",
    PauseAuto = "pause-auto",
    PauseAutoAfterPre = "pause-auto-after-pre",
    PlainPromoteRestarts = "plain-promote-restarts",
    FullSkipsPost = "full-skips-post",
    TitlePromoteNever = "title-promote-never",
    NeverPromotes = "never-promotes",
    NeverPlainPromote = "never-plain-promote",
    TitleSwitch = "title-switch",
    ScaleToReplicas = "scale-to-replicas",
    Switch = "switch",
    SwitchAfterFull = "switch-after-full",
    StableNow = "stable-now",
    TitlePost = "title-post",
    PostNeverRuns = "post-never-runs",
    PostStart = "post-start",
    PostSuccess = "post-success",
    AbortPost = "abort-post",
    AbortPostUnready = "abort-post-unready",
    AbortPostUnreadyKept = "abort-post-unready-kept",
    PostInconclusive = "post-inconclusive",
    TitleScaleDown = "title-scale-down",
    ScaleDownDelay = "scale-down-delay",
    ScaleDownDefault = "scale-down-default",
    ScaleDownShort = "scale-down-short",
    ScaleDownNever = "scale-down-never",
    ScaleDownNeverLimited = "scale-down-never-limited",
    ScaleDownZeroLimitZero = "scale-down-zero-limit-zero",
    ScaleDownNegative = "scale-down-negative",
    ScaleDownLimitZero = "scale-down-limit-zero",
    RevisionLimit = "revision-limit",
    TitleWatch = "title-watch",
    Watch = "watch",
    TitleFull = "title-full",
    Full = "full",
    TitleAbort = "title-abort",
    AbortManual = "abort-manual",
    AbortTemplate = "abort-template",
    AbortAfterComplete = "abort-after-complete",
    Retry = "retry",
    TitleUndo = "title-undo",
    UndoFast = "undo-fast",
    UndoNoDeadline = "undo-no-deadline",
    UndoAtOnce = "undo-at-once",
    UndoGitops = "undo-gitops",
}

impl S {
    /// The sentence template in `lang`.
    pub fn template(self, lang: Lang) -> &'static str {
        match lang {
            Lang::En => en::template(self),
            Lang::Ja => ja::template(self),
        }
    }
}

/// A value a template is filled with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Arg {
    /// A name, a field, an expression: set apart as code.
    Code(String),
    /// Several names, listed as the language lists them.
    Codes(Vec<String>),
    /// A duration in seconds.
    Seconds(i64),
    /// A number of pods.
    Pods(i64),
    /// A bare number.
    Num(i64),
}

/// A rule of `rollwright validate` that reports the same fact, and how severely.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Finding {
    pub rule: &'static str,
    pub severity: Severity,
}

/// One statement, with its values and, when validate reports the same fact, its rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Said {
    pub s: S,
    pub args: Vec<(&'static str, Arg)>,
    pub finding: Option<Finding>,
}

impl Said {
    pub fn new(s: S) -> Self {
        Said {
            s,
            args: Vec::new(),
            finding: None,
        }
    }

    pub fn arg(mut self, name: &'static str, value: Arg) -> Self {
        self.args.push((name, value));
        self
    }

    pub fn code(self, name: &'static str, value: impl Into<String>) -> Self {
        self.arg(name, Arg::Code(value.into()))
    }

    pub fn finding(mut self, rule: &'static str, severity: Severity) -> Self {
        self.finding = Some(Finding { rule, severity });
        self
    }

    /// The sentence in `lang`.
    pub fn spans(&self, lang: Lang) -> Vec<Span> {
        fill(self.s.template(lang), &self.args, lang)
    }
}

/// A piece of a sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Span {
    Text(String),
    Code(String),
}

/// Fills `template` with `args`. A placeholder inside backticks adds its value to that code
/// span; outside, a name becomes a code span of its own and a number text.
pub fn fill(template: &str, args: &[(&str, Arg)], lang: Lang) -> Vec<Span> {
    let mut out: Vec<Span> = Vec::new();
    let mut text = String::new();
    let mut in_code = false;
    let mut rest = template;
    let flush = |out: &mut Vec<Span>, text: &mut String, code: bool| {
        if code {
            out.push(Span::Code(std::mem::take(text)));
        } else if !text.is_empty() {
            out.push(Span::Text(std::mem::take(text)));
        }
    };
    while let Some(c) = rest.chars().next() {
        if c == '`' {
            flush(&mut out, &mut text, in_code);
            in_code = !in_code;
            rest = &rest[1..];
            continue;
        }
        if c == '{'
            && let Some(end) = rest.find('}')
        {
            let name = &rest[1..end];
            if let Some((_, value)) = args.iter().find(|(n, _)| *n == name) {
                if in_code {
                    text.push_str(&plain(value, lang));
                } else {
                    match value {
                        Arg::Code(s) => {
                            flush(&mut out, &mut text, false);
                            out.push(Span::Code(s.clone()));
                        }
                        Arg::Codes(list) => {
                            for (i, s) in list.iter().enumerate() {
                                if i > 0 {
                                    text.push_str(list_separator(lang));
                                }
                                flush(&mut out, &mut text, false);
                                out.push(Span::Code(s.clone()));
                            }
                        }
                        other => text.push_str(&plain(other, lang)),
                    }
                }
                rest = &rest[end + 1..];
                continue;
            }
            debug_assert!(false, "no value for {{{name}}} in {template:?}");
        }
        text.push(c);
        rest = &rest[c.len_utf8()..];
    }
    flush(&mut out, &mut text, in_code);
    out
}

/// A value as text in `lang`.
fn plain(value: &Arg, lang: Lang) -> String {
    match (value, lang) {
        (Arg::Code(s), _) => s.clone(),
        (Arg::Codes(list), _) => list.join(list_separator(lang)),
        (Arg::Num(n), _) => n.to_string(),
        (Arg::Seconds(1), Lang::En) => "1 second".into(),
        (Arg::Seconds(n), Lang::En) => format!("{n} seconds"),
        (Arg::Seconds(n), Lang::Ja) => format!("{n}秒"),
        (Arg::Pods(1), Lang::En) => "1 pod".into(),
        (Arg::Pods(n), Lang::En) => format!("{n} pods"),
        (Arg::Pods(n), Lang::Ja) => format!("Pod {n}個"),
    }
}

fn list_separator(lang: Lang) -> &'static str {
    match lang {
        Lang::En => ", ",
        Lang::Ja => "、",
    }
}

/// Sentences run on with a space in English and without one in Japanese.
pub fn sentence_separator(lang: Lang) -> &'static str {
    match lang {
        Lang::En => " ",
        Lang::Ja => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_become_code_or_text() {
        let spans = fill(
            "The AnalysisRun `{name}-pre` runs {templates} for {s}.",
            &[
                ("name", Arg::Code("demo".into())),
                ("templates", Arg::Codes(vec!["a".into(), "b`c".into()])),
                ("s", Arg::Seconds(30)),
            ],
            Lang::En,
        );
        assert_eq!(
            spans,
            vec![
                Span::Text("The AnalysisRun ".into()),
                Span::Code("demo-pre".into()),
                Span::Text(" runs ".into()),
                Span::Code("a".into()),
                Span::Text(", ".into()),
                Span::Code("b`c".into()),
                Span::Text(" for 30 seconds.".into()),
            ]
        );
    }

    #[test]
    fn every_template_fills_in_both_languages() {
        for &s in S::ALL {
            for lang in [Lang::En, Lang::Ja] {
                assert!(!s.template(lang).is_empty(), "{} {lang:?}", s.id());
                assert_eq!(
                    s.template(lang).matches('`').count() % 2,
                    0,
                    "unbalanced backticks in {} {lang:?}",
                    s.id()
                );
            }
        }
    }

    #[test]
    fn both_languages_use_the_same_placeholders() {
        let names = |t: &str| {
            let mut v: Vec<String> = t
                .split('{')
                .skip(1)
                .filter_map(|p| p.split_once('}').map(|(n, _)| n.to_owned()))
                .collect();
            v.sort();
            v.dedup();
            v
        };
        for &s in S::ALL {
            assert_eq!(
                names(s.template(Lang::En)),
                names(s.template(Lang::Ja)),
                "{}",
                s.id()
            );
        }
    }
}
