//! Text for a terminal or a CI log.
//!
//! Names, values, file names and messages come from repositories, pull requests and clusters.
//! Printed raw, an ESC or CSI sequence recolours, moves the cursor, retitles the window or
//! plants an OSC 8 link; a CR overwrites what the line said; a bidirectional override
//! (U+202E) shows text in another order than it is read; and in a GitHub Actions log a line
//! starting with `::` (after blanks) or holding `##[` anywhere is run as a workflow command
//! (`::error`, `::add-mask`, `::stop-commands`).
//!
//! So, as `git` quotes and `ls -b` escapes file names, every such character is written as an
//! escape you can read: `\r`, `\x1b`, `\u{202e}`. A line that GitHub would take as a command
//! has its first `:` (or the `[` of `##[`) written as `\x3a` (`\x5b`). Tab and line feed stay
//! what they are. Backslashes are not doubled: the output is for reading, not for parsing
//! back (the JSON formats are for that).

use std::borrow::Cow;
use std::fmt::Write as _;

/// Whether a terminal or a viewer would act on `c` rather than show it: C0 and C1 controls,
/// DEL, the bidirectional formatting characters, and the line and paragraph separators.
pub fn is_active(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}'
        | '\u{61c}' | '\u{200e}' | '\u{200f}'
        | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
        | '\u{2028}' | '\u{2029}')
}

/// The visible form of an active character.
pub fn escape_char(c: char, out: &mut String) {
    match c {
        '\r' => out.push_str("\\r"),
        '\n' => out.push_str("\\n"),
        '\t' => out.push_str("\\t"),
        c if c.is_ascii() => {
            let _ = write!(out, "\\x{:02x}", c as u32);
        }
        c => {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        }
    }
}

/// Multi-line text (tabs and line feeds kept) made safe for a terminal and a CI log.
pub fn text(s: &str) -> Cow<'_, str> {
    escape(s, true)
}

/// One line (a line feed is escaped too) made safe for a terminal and a CI log.
pub fn line(s: &str) -> Cow<'_, str> {
    escape(s, false)
}

fn escape(s: &str, multi_line: bool) -> Cow<'_, str> {
    let keep = |c: char| c == '\t' || (multi_line && c == '\n');
    let needs = s.chars().any(|c| is_active(c) && !keep(c))
        || s.contains("##[")
        || s.split('\n').any(is_workflow_command);
    if !needs {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    let mut first = true;
    for l in s.split('\n') {
        if !first {
            if multi_line {
                out.push('\n');
            } else {
                out.push_str("\\n");
            }
        }
        // A line the runner would take as `::command::`: its first colon is escaped. After an
        // escaped line feed the text goes on on the same line, so only real line starts count.
        let colon = (first || multi_line)
            .then(|| is_workflow_command(l).then(|| l.len() - l.trim_start().len()))
            .flatten();
        first = false;
        for (i, c) in l.char_indices() {
            if Some(i) == colon {
                out.push_str("\\x3a");
            } else if c == '[' && l[..i].ends_with("##") {
                out.push_str("\\x5b");
            } else if is_active(c) && !keep(c) {
                escape_char(c, &mut out);
            } else {
                out.push(c);
            }
        }
    }
    Cow::Owned(out)
}

/// Whether GitHub's runner would read `line` as a workflow command (`::name…::data`): it
/// trims leading white space and looks for `::`.
fn is_workflow_command(line: &str) -> bool {
    line.trim_start().starts_with("::")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_control_characters_as_ls_and_git_show_them() {
        assert_eq!(text("a\x1b[31mred\x1b[0m"), "a\\x1b[31mred\\x1b[0m");
        assert_eq!(text("ok\rfake"), "ok\\rfake");
        assert_eq!(
            text("\x1b]8;;http://x\x07link"),
            "\\x1b]8;;http://x\\x07link"
        );
        assert_eq!(text("\u{9b}31m"), "\\u{9b}31m");
        assert_eq!(text("abc\u{202e}fed"), "abc\\u{202e}fed");
        assert_eq!(text("a\u{2066}b\u{2069}"), "a\\u{2066}b\\u{2069}");
        assert_eq!(text("del\u{7f}"), "del\\x7f");
    }

    #[test]
    fn keeps_tabs_line_feeds_and_printable_text() {
        assert_eq!(text("a\tb\nc é 日本 ✓"), "a\tb\nc é 日本 ✓");
        assert!(matches!(text("plain"), Cow::Borrowed(_)));
        assert_eq!(line("a\nb"), "a\\nb");
    }

    #[test]
    fn workflow_commands_are_inert() {
        assert_eq!(text("::error::x"), "\\x3a:error::x");
        assert_eq!(text("ok\n   ::add-mask::x"), "ok\n   \\x3a:add-mask::x");
        assert_eq!(text("+::error::x"), "+::error::x");
        assert_eq!(text("name x##[error]boom"), "name x##\\x5berror]boom");
        // After an escaped line feed the rest is on the same line: no command there.
        assert_eq!(line("a\n::error::x"), "a\\n::error::x");
        assert_eq!(line("::error::x"), "\\x3a:error::x");
    }
}
