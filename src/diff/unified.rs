//! `--format unified` (the default): the release impact, then per changed object a header and
//! a unified diff of its normalised YAML, then a summary line.

use similar::{ChangeTag, TextDiff};

use super::{Change, ObjectDiff, Report};
use crate::error::Result;
use crate::render::output::to_yaml;

/// One line of an object's text diff.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Line {
    /// `--- a` / `+++ b`
    File(String),
    /// `@@ -1,3 +1,3 @@`
    Hunk(String),
    Context(String),
    Removed(String),
    Added(String),
}

impl Line {
    pub fn text(&self) -> String {
        match self {
            Line::File(s) | Line::Hunk(s) => s.clone(),
            Line::Context(s) => format!(" {s}"),
            Line::Removed(s) => format!("-{s}"),
            Line::Added(s) => format!("+{s}"),
        }
    }
}

/// `Rollout shop/demo (changed)`.
pub fn header(o: &ObjectDiff) -> String {
    format!("{} ({})", o.id, o.change.as_str())
}

fn label(side: &str, o: &ObjectDiff) -> String {
    let ns =
        o.id.namespace
            .as_deref()
            .map(|n| format!("{n}/"))
            .unwrap_or_default();
    format!("{side}/{}/{ns}{}", o.id.kind, o.id.name)
}

/// The unified diff of one object's normalised YAML, with `context` lines around changes.
pub fn diff_lines(o: &ObjectDiff, report: &Report, context: usize) -> Result<Vec<Line>> {
    let yaml =
        |v: Option<&serde_json::Value>| v.map(to_yaml).transpose().map(Option::unwrap_or_default);
    let old = yaml(o.before.as_ref())?;
    let new = yaml(o.after.as_ref())?;
    let diff = TextDiff::from_lines(&old, &new);
    let mut lines = vec![
        Line::File(match o.change {
            Change::Created => "--- /dev/null".into(),
            _ => format!("--- {}", label(&report.before_label, o)),
        }),
        Line::File(match o.change {
            Change::Removed => "+++ /dev/null".into(),
            _ => format!("+++ {}", label(&report.after_label, o)),
        }),
    ];
    let mut unified = diff.unified_diff();
    unified.context_radius(context);
    for hunk in unified.iter_hunks() {
        lines.push(Line::Hunk(hunk.header().to_string()));
        for change in hunk.iter_changes() {
            let text = change.value().trim_end_matches('\n').to_string();
            lines.push(match change.tag() {
                ChangeTag::Equal => Line::Context(text),
                ChangeTag::Delete => Line::Removed(text),
                ChangeTag::Insert => Line::Added(text),
            });
        }
    }
    Ok(lines)
}

/// The release impact as indented text lines (shared with no other format: Markdown has its
/// own list).
fn impact_text(report: &Report, out: &mut String, paint: &Paint) {
    if report.impacts.is_empty() {
        return;
    }
    out.push_str(&paint.bold("Release impact"));
    out.push('\n');
    for i in &report.impacts {
        out.push_str(&format!("  {}\n", paint.bold(&shown(&i.title()))));
        for line in i.lines() {
            out.push_str(&format!("    {}\n", shown(&line)));
        }
        if !i.commands.is_empty() {
            out.push_str("    commands:\n");
            for c in &i.commands {
                out.push_str(&format!("      {}\n", shown(c)));
            }
        }
    }
    out.push('\n');
}

/// One line summing up the comparison.
pub fn summary(report: &Report) -> String {
    let c = report.counts();
    let total = report.objects.len();
    if report.has_changes() {
        format!(
            "{} created, {} changed, {} removed, {} unchanged (proposed compared with {})",
            c.created, c.changed, c.removed, c.unchanged, report.before_label
        )
    } else {
        format!(
            "No changes: {total} object{} compared with {}",
            if total == 1 { "" } else { "s" },
            report.before_label
        )
    }
}

/// Names and values come from the repository or the cluster: every line is escaped for the
/// terminal before it is painted (so the colours are the only escape sequences written).
fn shown(s: &str) -> std::borrow::Cow<'_, str> {
    crate::sanitize::terminal::line(s)
}

struct Paint {
    color: bool,
}

impl Paint {
    fn wrap(&self, code: &str, s: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
    fn bold(&self, s: &str) -> String {
        self.wrap("1", s)
    }
    fn line(&self, l: &Line) -> String {
        let text = shown(&l.text()).into_owned();
        match l {
            Line::File(_) => self.bold(&text),
            Line::Hunk(_) => self.wrap("36", &text),
            Line::Removed(_) => self.wrap("31", &text),
            Line::Added(_) => self.wrap("32", &text),
            Line::Context(_) => text,
        }
    }
}

/// Writes the whole report.
pub fn write(report: &Report, context: usize, color: bool) -> Result<String> {
    let paint = Paint { color };
    let mut out = String::new();
    impact_text(report, &mut out, &paint);
    for o in report.changed() {
        out.push_str(&paint.bold(&shown(&header(o))));
        out.push('\n');
        for line in diff_lines(o, report, context)? {
            out.push_str(&paint.line(&line));
            out.push('\n');
        }
        out.push('\n');
    }
    out.push_str(&shown(&summary(report)));
    out.push('\n');
    Ok(out)
}
