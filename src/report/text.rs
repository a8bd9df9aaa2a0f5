//! Text for people, laid out as rustc and ruff lay out diagnostics:
//!
//! ```text
//! error[BG-01]: the message
//!   --> file.yaml:29:7
//!    |
//! 29 |       previewService: shop-active
//!    |       ^^^^^^^^^^^^^^
//!    = help: how to fix it
//! ```

use std::fmt::Write as _;

use super::{Finding, Report, Severity, Summary, WriteOptions};

const RESET: &str = "\x1b[0m";
const BOLD: &str = "\x1b[1m";
const DIM: &str = "\x1b[2m";
const RED: &str = "\x1b[1;31m";
const YELLOW: &str = "\x1b[1;33m";
const BLUE: &str = "\x1b[1;34m";

/// Wraps text in ANSI codes, or leaves it alone when colour is off.
#[derive(Clone, Copy)]
struct Paint(bool);

impl Paint {
    fn paint(self, style: &str, text: &str) -> String {
        if self.0 && !text.is_empty() {
            format!("{style}{text}{RESET}")
        } else {
            text.to_owned()
        }
    }

    fn severity(self, severity: Severity, text: &str) -> String {
        let style = match severity {
            Severity::Error => RED,
            Severity::Warning => YELLOW,
            Severity::Info => BLUE,
        };
        self.paint(style, text)
    }
}

pub fn write(report: &Report, options: &WriteOptions) -> String {
    let paint = Paint(options.color);
    let mut out = String::new();
    for f in &report.findings {
        finding(&mut out, f, report, paint);
        out.push('\n');
    }
    for note in &report.notes {
        let _ = writeln!(out, "{}: {}", paint.paint(BOLD, "note"), shown_text(note));
    }
    let _ = writeln!(
        out,
        "{}",
        paint.paint(BOLD, &summary(&report.summary, report.input_errors.len()))
    );
    out
}

fn finding(out: &mut String, f: &Finding, report: &Report, paint: Paint) {
    let _ = writeln!(
        out,
        "{}{}",
        paint.severity(f.severity, &format!("{}[{}]", f.severity, f.rule)),
        paint.paint(BOLD, &format!(": {}", shown_text(&f.message))),
    );
    let source = report
        .sources
        .get(&f.file)
        .and_then(|text| text.lines().nth(f.line.saturating_sub(1) as usize));
    let number = f.line.to_string();
    let pad = " ".repeat(number.len());
    let _ = writeln!(
        out,
        "{pad}{} {}:{}:{}",
        paint.paint(DIM, "-->"),
        shown(&f.file),
        f.line,
        f.column
    );
    let bar = paint.paint(DIM, "|");
    if let Some(line) = source {
        let (shown, offset, width) = underline(line, f.column);
        let _ = writeln!(out, "{pad} {bar}");
        let _ = writeln!(
            out,
            "{} {bar} {}",
            paint.paint(DIM, &number),
            shown.trim_end()
        );
        let _ = writeln!(
            out,
            "{pad} {bar} {}{}",
            " ".repeat(offset),
            paint.severity(f.severity, &"^".repeat(width))
        );
    }
    if let Some(help) = &f.help {
        let _ = writeln!(
            out,
            "{pad} {} {}: {}",
            paint.paint(DIM, "="),
            paint.paint(BOLD, "help"),
            shown_text(help)
        );
    }
}

/// Messages, paths and source lines come from the files read: escaped for the terminal
/// before they are painted, so the colours are the only escape sequences written.
fn shown(s: &str) -> std::borrow::Cow<'_, str> {
    crate::sanitize::terminal::line(s)
}

/// [`shown`] for messages, which may run over several lines.
fn shown_text(s: &str) -> std::borrow::Cow<'_, str> {
    crate::sanitize::terminal::text(s)
}

/// The line as shown (tabs expanded, control characters escaped), where the caret starts,
/// and how many carets: the word at the column (a key or a plain scalar), else one.
fn underline(line: &str, column: u32) -> (String, usize, usize) {
    let width = |c: char| match c {
        '\t' => 4,
        c => {
            let mut escaped = String::new();
            if crate::sanitize::terminal::is_active(c) {
                crate::sanitize::terminal::escape_char(c, &mut escaped);
                escaped.chars().count()
            } else {
                1
            }
        }
    };
    let shown = shown(&line.replace('\t', "    ")).into_owned();
    let start = column.saturating_sub(1) as usize;
    let offset = line.chars().take(start).map(width).sum();
    let word = line
        .chars()
        .skip(start)
        .take_while(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | '/' | '@'))
        .count();
    (shown, offset, word.max(1))
}

/// `3 errors, 1 warning in 2 files (7 objects; 1 Helm template skipped) for Argo Rollouts 1.9`.
fn summary(s: &Summary, input_errors: usize) -> String {
    let counts: Vec<String> = [
        (s.errors, "error", "errors"),
        (s.warnings, "warning", "warnings"),
        (s.infos, "info", "info"),
    ]
    .into_iter()
    .filter(|(n, ..)| *n > 0)
    .map(|(n, one, many)| plural(n, one, many))
    .collect();
    let mut skipped = Vec::new();
    if s.skipped_documents > 0 {
        skipped.push(plural(
            s.skipped_documents,
            "non-Kubernetes document",
            "non-Kubernetes documents",
        ));
    }
    if s.skipped_templates > 0 {
        skipped.push(plural(
            s.skipped_templates,
            "Helm template",
            "Helm templates",
        ));
    }
    let mut out = if !counts.is_empty() {
        counts.join(", ")
    } else if input_errors > 0 {
        // Problems were found, just not in the manifests that could be read.
        "no findings".to_owned()
    } else {
        "no problems".to_owned()
    };
    let _ = write!(
        out,
        " in {} ({}",
        plural(s.files, "file", "files"),
        plural(s.objects, "object", "objects")
    );
    if !skipped.is_empty() {
        let _ = write!(out, "; {} skipped", skipped.join(" and "));
    }
    out.push(')');
    let _ = write!(out, " for {}", s.rollouts_version.describe());
    if input_errors > 0 {
        let _ = write!(
            out,
            "; {}",
            plural(input_errors, "input error", "input errors")
        );
    }
    out
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn underline_a_key_a_list_marker_and_tabs() {
        assert_eq!(
            underline("  previewService: x", 3),
            ("  previewService: x".into(), 2, 14)
        );
        assert_eq!(underline("  - name: a", 3), ("  - name: a".into(), 2, 1));
        assert_eq!(underline("a:\tb", 4), ("a:    b".into(), 6, 1));
        // A column past the end still gets a caret.
        assert_eq!(underline("ab", 9), ("ab".into(), 2, 1));
        // Control characters are shown escaped, and the caret moves with them.
        assert_eq!(underline("a\x1b[2Jb: c", 6), ("a\\x1b[2Jb: c".into(), 8, 1));
    }

    #[test]
    fn summaries() {
        let s = Summary {
            files: 2,
            objects: 7,
            skipped_documents: 2,
            skipped_templates: 1,
            errors: 3,
            warnings: 1,
            infos: 0,
            ..Summary::default()
        };
        assert_eq!(
            summary(&s, 0),
            "3 errors, 1 warning in 2 files (7 objects; 2 non-Kubernetes documents and 1 Helm template skipped) for Argo Rollouts 1.9"
        );
        let clean = Summary {
            files: 1,
            objects: 1,
            ..Summary::default()
        };
        assert_eq!(
            summary(&clean, 0),
            "no problems in 1 file (1 object) for Argo Rollouts 1.9"
        );
        assert_eq!(
            summary(&clean, 2),
            "no findings in 1 file (1 object) for Argo Rollouts 1.9; 2 input errors"
        );
        let infos = Summary {
            infos: 2,
            rollouts_version: crate::rollouts_version::RolloutsVersion::V1_7,
            ..clean
        };
        assert_eq!(
            summary(&infos, 0),
            "2 info in 1 file (1 object) for Argo Rollouts 1.7"
        );
    }
}
