//! `--format markdown`: a pull-request comment. A marker comment (to find and update the
//! previous comment), a title with the counts, the release impact, then one `<details>` per
//! changed object holding a ```diff block.
//!
//! The whole text stays within `--max-bytes` (default 65,536: GitHub refuses longer comment
//! bodies; bytes, not characters, so it is never over). Whole sections go in while they fit,
//! then as much of the next section as fits with its fence and `<details>` closed, then a
//! note naming what was left out. Fences and `<details>` are always balanced.

use super::unified::{Line, diff_lines, header, summary};
use super::{ObjectDiff, Report};
use crate::error::Result;

/// The first line, for a workflow to find the comment it posted before.
pub const MARKER: &str = "<!-- rollwright-diff -->";

/// Room kept for the closing note (it lists left-out objects only while they fit in it).
const NOTE_ROOM: usize = 700;

/// The smallest budget that holds the head and a note; `--max-bytes` refuses less.
pub const MIN_BYTES: usize = 2048;

/// HTML-escapes text for `<summary>` and list items, and keeps Markdown from reading `*`, `_`,
/// `` ` ``, `[` or `|` in names and values as markup.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '*' | '_' | '`' | '[' | ']' | '|' | '\\' | '#' | '~' => {
                out.push('\\');
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

fn head(report: &Report, impacts_shown: usize) -> String {
    let mut out = String::new();
    out.push_str(MARKER);
    out.push('\n');
    out.push_str("### rollwright diff\n\n");
    out.push_str(&escape(&summary(report)));
    out.push_str("\n\n");
    if !report.impacts.is_empty() {
        out.push_str("**Release impact**\n\n");
        for i in report.impacts.iter().take(impacts_shown) {
            out.push_str(&format!("- **{}**\n", escape(&i.title())));
            for line in i.lines() {
                // `1. …` inside a list item would start a nested ordered list.
                let line = escape(&line);
                let line = match line.split_once(". ") {
                    Some((n, rest)) if n.bytes().all(|b| b.is_ascii_digit()) => {
                        format!("{n}\\. {rest}")
                    }
                    _ => line,
                };
                out.push_str(&format!("  - {line}\n"));
            }
            if !i.commands.is_empty() {
                let cmds: Vec<String> = i.commands.iter().map(|c| format!("`{c}`")).collect();
                out.push_str(&format!("  - commands: {}\n", cmds.join(", ")));
            }
        }
        let hidden = report.impacts.len() - impacts_shown;
        if hidden > 0 {
            out.push_str(&format!(
                "- … and {hidden} more Rollout{} (left out to fit `--max-bytes`)\n",
                if hidden == 1 { "" } else { "s" }
            ));
        }
        out.push('\n');
    }
    out
}

/// A fence longer than any run of backticks in the text it holds (CommonMark's rule), so a
/// ConfigMap holding Markdown cannot close it.
fn fence_for(lines: &[String]) -> String {
    let longest = lines
        .iter()
        .map(|l| l.split(|c| c != '`').map(str::len).max().unwrap_or(0))
        .max()
        .unwrap_or(0);
    "`".repeat(longest.max(2) + 1)
}

fn open(o: &ObjectDiff) -> String {
    format!(
        "<details><summary>{}</summary>\n\n",
        escape(&header(o)).replace('\\', "")
    )
}

fn section(o: &ObjectDiff, lines: &[String], fence: &str) -> String {
    let mut s = open(o);
    s.push_str(fence);
    s.push_str("diff\n");
    for l in lines {
        s.push_str(l);
        s.push('\n');
    }
    s.push_str(fence);
    s.push_str("\n\n</details>\n\n");
    s
}

/// Writes the comment within `max_bytes`.
pub fn write(report: &Report, context: usize, max_bytes: usize) -> Result<String> {
    let max_bytes = max_bytes.max(MIN_BYTES);
    // The head shrinks by whole Rollouts until a note still fits after it.
    let mut shown = report.impacts.len();
    let mut out = head(report, shown);
    while out.len() + NOTE_ROOM > max_bytes && shown > 0 {
        shown -= 1;
        out = head(report, shown);
    }
    let changed: Vec<&ObjectDiff> = report.changed().collect();
    let mut left_out: Vec<&ObjectDiff> = Vec::new();
    let mut truncated: Option<&ObjectDiff> = None;
    for (n, o) in changed.iter().enumerate() {
        let lines: Vec<String> = diff_lines(o, report, context)?
            .iter()
            .map(Line::text)
            .collect();
        let fence = fence_for(&lines);
        let whole = section(o, &lines, &fence);
        if out.len() + whole.len() + NOTE_ROOM <= max_bytes {
            out.push_str(&whole);
            continue;
        }
        // The first section that does not fit goes in cut short; the rest are left out.
        let cut_note = |k: usize| format!("… {k} more lines left out");
        let empty = section(o, &[cut_note(lines.len())], &fence);
        let mut room = max_bytes.saturating_sub(out.len() + NOTE_ROOM + empty.len());
        let mut kept = Vec::new();
        for l in &lines {
            if l.len() + 1 > room {
                break;
            }
            room -= l.len() + 1;
            kept.push(l.clone());
        }
        if !kept.is_empty() {
            let rest = lines.len() - kept.len();
            kept.push(cut_note(rest));
            out.push_str(&section(o, &kept, &fence));
            truncated = Some(o);
            left_out.extend(&changed[n + 1..]);
        } else {
            left_out.extend(&changed[n..]);
        }
        break;
    }
    if truncated.is_some() || !left_out.is_empty() {
        out.push_str(&note(truncated, &left_out, max_bytes));
    }
    debug_assert!(out.len() <= max_bytes);
    Ok(out)
}

fn note(truncated: Option<&ObjectDiff>, left_out: &[&ObjectDiff], max_bytes: usize) -> String {
    let mut s = String::from("> [!WARNING]\n> The diff is longer than `--max-bytes` ");
    s.push_str(&format!("({max_bytes} bytes)."));
    if let Some(t) = truncated {
        s.push_str(&format!(" {} is cut short.", escape(&t.id.to_string())));
    }
    if !left_out.is_empty() {
        s.push_str(&format!(
            " {} more changed object{} left out:",
            left_out.len(),
            if left_out.len() == 1 { "" } else { "s" }
        ));
        let tail = " Run `rollwright diff` for the full diff.\n";
        let mut listed = 0;
        for o in left_out {
            let item = format!(" {};", escape(&o.id.to_string()));
            if s.len() + item.len() + tail.len() + 40 > NOTE_ROOM {
                break;
            }
            s.push_str(&item);
            listed += 1;
        }
        if listed < left_out.len() {
            s.push_str(&format!(" … and {} more.", left_out.len() - listed));
        }
        s.push_str(tail);
    } else {
        s.push_str(" Run `rollwright diff` for the full diff.\n");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fences_outgrow_backticks_in_content() {
        assert_eq!(fence_for(&["a".into()]), "```");
        assert_eq!(fence_for(&["+```md".into(), "````".into()]), "`````");
    }

    #[test]
    fn escapes_markup() {
        assert_eq!(escape("a_b*<c>"), "a\\_b\\*&lt;c&gt;");
    }
}
