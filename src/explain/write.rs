//! The two ways an explanation is written: plain text for a terminal and Markdown for a pull
//! request, a wiki or a job summary. Every piece of text and code reaches the output through
//! `text`/`code` (terminal) or `md_text`/`md_code`/`md_fence` (Markdown), the one place that
//! makes it safe for where it goes.

use super::facts::Settings;
use super::flow::{Explanation, Step};
use super::say::{Finding, Lang, S, Said, Span, sentence_separator};
use crate::finding::Severity;

/// A sentence with its code spans as plain text.
fn flat(said: &Said, lang: Lang) -> String {
    said.spans(lang)
        .into_iter()
        .map(|sp| match sp {
            Span::Text(t) | Span::Code(t) => t,
        })
        .collect()
}

fn label(lang: Lang, s: S) -> String {
    flat(&Said::new(s), lang)
}

fn severity_label(lang: Lang, f: &Finding) -> String {
    label(
        lang,
        match f.severity {
            Severity::Error => S::LabelError,
            Severity::Warning => S::LabelWarning,
            Severity::Info => S::LabelInfo,
        },
    )
}

/// The settings table: each field with the value in force, marked when it is Argo's
/// default (RULES.md §3).
fn settings_rows(s: &Settings, lang: Lang) -> Vec<(&'static str, String)> {
    // Full-width brackets need no space before them.
    let default = match lang {
        Lang::En => format!(" {}", label(lang, S::LabelDefault)),
        Lang::Ja => label(lang, S::LabelDefault),
    };
    let none = label(lang, S::LabelNone);
    let or_default = |v: Option<i64>, dflt: String| match v {
        Some(n) => n.to_string(),
        None => format!("{dflt}{default}"),
    };
    let list = |v: &Option<Vec<String>>| match v {
        Some(t) => t.join(", "),
        None => none.clone(),
    };
    vec![
        ("replicas", or_default(s.replicas, "1".into())),
        ("activeService", s.active_service.clone()),
        (
            "previewService",
            s.preview_service.clone().unwrap_or_else(|| none.clone()),
        ),
        (
            "autoPromotionEnabled",
            match s.auto_promotion_enabled {
                Some(b) => b.to_string(),
                None => format!("true{default}"),
            },
        ),
        (
            "autoPromotionSeconds",
            or_default(s.auto_promotion_seconds, "0".into()),
        ),
        ("prePromotionAnalysis", list(&s.pre_promotion)),
        ("postPromotionAnalysis", list(&s.post_promotion)),
        (
            "previewReplicaCount",
            or_default(s.preview_replica_count, s.replicas().to_string()),
        ),
        (
            "scaleDownDelaySeconds",
            or_default(s.scale_down_delay_seconds, "30".into()),
        ),
        (
            "scaleDownDelayRevisionLimit",
            or_default(
                s.scale_down_delay_revision_limit,
                label(lang, S::LabelUnlimited),
            ),
        ),
        (
            "abortScaleDownDelaySeconds",
            or_default(s.abort_scale_down_delay_seconds, "30".into()),
        ),
    ]
}

// Terminal text. Backticks are kept: they show what is a name or a command. Names and values
// come from the values file: control characters and workflow commands are escaped
// (`sanitize::terminal`).

fn text(s: &str) -> String {
    crate::sanitize::terminal::line(s).into_owned()
}

fn code(s: &str) -> String {
    format!("`{}`", crate::sanitize::terminal::line(s))
}

fn term_spans(spans: &[Span]) -> String {
    spans
        .iter()
        .map(|sp| match sp {
            Span::Text(t) => text(t),
            Span::Code(c) => code(c),
        })
        .collect()
}

fn term_line(said: &Said, lang: Lang) -> String {
    let sentence = term_spans(&said.spans(lang));
    match &said.finding {
        Some(f) => format!("{} {}: {sentence}", severity_label(lang, f), f.rule),
        None => sentence,
    }
}

/// The explanation as plain text.
pub fn to_text(e: &Explanation, lang: Lang) -> String {
    let s = &e.settings;
    let plain = |said: Said| term_spans(&said.spans(lang));
    let mut out = text(&flat(
        &Said::new(S::HeadingTitle).code("name", &s.name),
        lang,
    ));
    out.push('\n');
    let summary: Vec<String> = e.summary.iter().map(|x| term_line(x, lang)).collect();
    out.push_str(&format!(
        "  {}\n\n{}:\n",
        summary.join(sentence_separator(lang)),
        plain(Said::new(S::HeadingSettings))
    ));
    for (k, v) in settings_rows(s, lang) {
        out.push_str(&format!("  {k}: {}\n", text(&v)));
    }
    let mut section = |title: S, steps: &[Step], numbered: bool| {
        out.push_str(&format!("\n{}\n", plain(Said::new(title))));
        for (i, st) in steps.iter().enumerate() {
            let heading = term_spans(&st.title.spans(lang));
            if numbered {
                out.push_str(&format!("  {}. {heading}\n", i + 1));
            } else {
                out.push_str(&format!("  - {heading}\n"));
            }
            for line in &st.lines {
                out.push_str(&format!("     {}\n", term_line(line, lang)));
            }
            for c in &st.commands {
                out.push_str(&format!("       $ {}\n", text(c)));
            }
        }
    };
    section(S::HeadingFirst, &e.first_deploy, true);
    section(S::HeadingUpdate, &e.update, true);
    section(S::HeadingAnyTime, &e.operator, false);
    crate::sanitize::terminal::text(&out).into_owned()
}

// Markdown, through `sanitize::markdown`: no markup, HTML, mention, reference or link of its
// own, whatever a name holds.

/// Prose as Markdown text that follows other text on its line.
fn md_text(s: &str) -> String {
    crate::sanitize::markdown::text_after(s)
}

/// A code span that holds `s` whatever backticks it contains.
fn md_code(s: &str) -> String {
    crate::sanitize::markdown::code(s)
}

/// A fenced block of shell commands that no backtick run in them can close early.
fn md_fence(commands: &[String]) -> String {
    crate::sanitize::markdown::code_block("sh", commands)
}

/// A sentence, which may start a line: its first piece of text is escaped as a line start.
fn md_spans(spans: &[Span]) -> String {
    spans
        .iter()
        .enumerate()
        .map(|(i, sp)| match sp {
            Span::Text(t) if i == 0 => crate::sanitize::markdown::text(t),
            Span::Text(t) => md_text(t),
            Span::Code(c) => md_code(c),
        })
        .collect()
}

/// The explanation as Markdown.
pub fn to_markdown(e: &Explanation, lang: Lang) -> String {
    let s = &e.settings;
    let md = |said: Said| md_spans(&said.spans(lang));
    let mut out = format!(
        "# {}\n\n",
        md(Said::new(S::HeadingTitle).code("name", &s.name))
    );
    let summary: Vec<String> = e.summary.iter().map(|x| md_line(x, lang)).collect();
    out.push_str(&summary.join(sentence_separator(lang)));
    out.push_str(&format!(
        "\n\n## {}\n\n| {} | {} |\n|---|---|\n",
        md(Said::new(S::HeadingSettings)),
        md(Said::new(S::LabelSetting)),
        md(Said::new(S::LabelValue))
    ));
    for (k, v) in settings_rows(s, lang) {
        out.push_str(&format!("| {} | {} |\n", md_code(k), md_text(&v)));
    }
    let mut section = |title: S, steps: &[Step], numbered: bool| {
        out.push_str(&format!("\n## {}\n", md(Said::new(title))));
        for (i, st) in steps.iter().enumerate() {
            let heading = md_spans(&st.title.spans(lang));
            if numbered {
                out.push_str(&format!("\n### {}. {heading}\n\n", i + 1));
            } else {
                out.push_str(&format!("\n### {heading}\n\n"));
            }
            let (plain, flagged): (Vec<&Said>, Vec<&Said>) =
                st.lines.iter().partition(|l| l.finding.is_none());
            let plain: Vec<String> = plain.iter().map(|l| md_line(l, lang)).collect();
            if !plain.is_empty() {
                out.push_str(&plain.join("\n"));
                out.push('\n');
            }
            for l in flagged {
                out.push_str(&format!("\n> {}\n", md_line(l, lang)));
            }
            if !st.commands.is_empty() {
                out.push('\n');
                out.push_str(&md_fence(&st.commands));
            }
        }
    };
    section(S::HeadingFirst, &e.first_deploy, true);
    section(S::HeadingUpdate, &e.update, true);
    section(S::HeadingAnyTime, &e.operator, false);
    out
}

fn md_line(said: &Said, lang: Lang) -> String {
    let sentence = md_spans(&said.spans(lang));
    match &said.finding {
        Some(f) => format!(
            "**{} {}**: {sentence}",
            md_text(&severity_label(lang, f)),
            md_text(f.rule)
        ),
        None => sentence,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_spans_hold_any_backticks() {
        assert_eq!(md_code("a"), "`a`");
        assert_eq!(md_code("a`b"), "``a`b``");
        assert_eq!(md_code("`x"), "`` `x ``");
        assert_eq!(md_code("a\nb"), "`a\\nb`");
    }

    #[test]
    fn fences_outlast_the_commands() {
        let f = md_fence(&["echo ````".to_owned()]);
        assert!(f.starts_with("`````sh\n"), "{f}");
        assert!(f.ends_with("\n`````\n"), "{f}");
    }

    #[test]
    fn markup_in_text_is_escaped() {
        assert_eq!(md_text("a *b* [c](d) <e>"), r"a \*b\* \[c\](d) &lt;e&gt;");
    }
}
