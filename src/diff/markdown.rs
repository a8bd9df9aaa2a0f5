//! `--format markdown`: a pull-request comment. A marker comment (to find and update the
//! previous comment), a title with the counts, the release impact, then one `<details>` per
//! changed object holding a ```diff block.
//!
//! The whole text stays within `--max-bytes` (default 65,536: GitHub refuses longer comment
//! bodies; bytes, not characters, so it is never over). Whole sections go in while they fit,
//! then as much of the next section as fits with its fence and `<details>` closed, then a
//! note naming what was left out. Fences and `<details>` are always balanced.

use super::unified::{diff_lines, header, summary};
use super::{ObjectDiff, Report};
use crate::error::Result;
use crate::sanitize::markdown as md;

/// The first line, for a workflow to find the comment it posted before.
pub const MARKER: &str = "<!-- rollwright-diff -->";

/// Room kept for the closing note (it lists left-out objects only while they fit in it).
const NOTE_ROOM: usize = 700;

/// The smallest budget that holds the head and a note; `--max-bytes` refuses less.
pub const MIN_BYTES: usize = 2048;

/// Longest name or id shown in a summary line or the closing note: a name may be any length,
/// and the comment has a budget.
const MAX_ID_CHARS: usize = 200;

fn shown_id(s: &str) -> std::borrow::Cow<'_, str> {
    crate::sanitize::shorten(s, MAX_ID_CHARS)
}

/// An id as Markdown text in at most `max` bytes (escaping can make each character several
/// bytes): cut shorter until it fits.
fn fitted_id(id: &str, max: usize) -> String {
    let mut chars = MAX_ID_CHARS;
    loop {
        let text = md::text(&crate::sanitize::shorten(id, chars));
        if text.len() <= max || chars <= 8 {
            return text;
        }
        chars /= 2;
    }
}

fn head(report: &Report, impacts_shown: usize) -> String {
    let mut out = String::new();
    out.push_str(MARKER);
    out.push('\n');
    out.push_str("### rollwright diff\n\n");
    out.push_str(&md::text(&shown_id(&summary(report))));
    out.push_str("\n\n");
    if !report.impacts.is_empty() {
        out.push_str("**Release impact**\n\n");
        for i in report.impacts.iter().take(impacts_shown) {
            out.push_str(&format!("- **{}**\n", md::text(&shown_id(&i.title()))));
            for line in i.lines() {
                out.push_str(&format!("  - {}\n", md::text(&line)));
            }
            if !i.commands.is_empty() {
                let cmds: Vec<String> = i.commands.iter().map(|c| md::code(c)).collect();
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

fn open(o: &ObjectDiff) -> String {
    format!(
        "<details><summary>{}</summary>\n\n",
        md::html(&shown_id(&header(o)))
    )
}

/// One object: `<details>` around a ```diff block (its lines shown as a terminal shows
/// them, its fence longer than any backtick run in them).
fn section(o: &ObjectDiff, lines: &[String]) -> String {
    let mut s = open(o);
    s.push_str(&md::code_block("diff", lines));
    s.push_str("\n</details>\n\n");
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
        // Measured as shown: the code block escapes what a terminal would act on.
        let lines: Vec<String> = diff_lines(o, report, context)?
            .iter()
            .map(|l| crate::sanitize::terminal::line(&l.text()).into_owned())
            .collect();
        let whole = section(o, &lines);
        if out.len() + whole.len() + NOTE_ROOM <= max_bytes {
            out.push_str(&whole);
            continue;
        }
        // The first section that does not fit goes in cut short; the rest are left out.
        let cut_note = |k: usize| format!("… {k} more lines left out");
        let empty = section(o, &[cut_note(lines.len())]);
        let mut room = max_bytes.saturating_sub(out.len() + NOTE_ROOM + empty.len());
        let mut kept = Vec::new();
        for l in &lines {
            if l.len() + 1 > room {
                break;
            }
            room -= l.len() + 1;
            kept.push(l.clone());
        }
        // A backtick run in the kept lines lengthens both fences: drop lines until it fits.
        let cut = loop {
            if kept.is_empty() {
                break None;
            }
            let mut with_note = kept.clone();
            with_note.push(cut_note(lines.len() - kept.len()));
            let cut = section(o, &with_note);
            if out.len() + cut.len() + NOTE_ROOM <= max_bytes {
                break Some(cut);
            }
            kept.pop();
        };
        match cut {
            Some(cut) => {
                out.push_str(&cut);
                truncated = Some(o);
                left_out.extend(&changed[n + 1..]);
            }
            None => left_out.extend(&changed[n..]),
        }
        break;
    }
    if truncated.is_some() || !left_out.is_empty() {
        out.push_str(&note(truncated, &left_out, max_bytes));
    }
    debug_assert!(out.len() <= max_bytes, "{} > {max_bytes}", out.len());
    Ok(out)
}

fn note(truncated: Option<&ObjectDiff>, left_out: &[&ObjectDiff], max_bytes: usize) -> String {
    let mut s = String::from("> [!WARNING]\n> The diff is longer than `--max-bytes` ");
    s.push_str(&format!("({max_bytes} bytes)."));
    if let Some(t) = truncated {
        s.push_str(&format!(
            " {} is cut short.",
            fitted_id(&t.id.to_string(), NOTE_ROOM / 4)
        ));
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
            let item = format!(" {};", fitted_id(&o.id.to_string(), NOTE_ROOM / 4));
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
