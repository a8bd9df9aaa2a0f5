//! Text for GitHub-flavoured Markdown: pull-request comments and step summaries.
//!
//! A name or value from a pull request or a cluster must come out as exactly its text: no
//! emphasis, heading, list, table cell, link, image, raw HTML, `@mention` (which notifies a
//! person or team), `#123` reference (which links the comment into another issue), bare URL
//! made a link, or GitHub workflow command when the file is printed in a CI log. Each context
//! has its own function:
//!
//! - [`text`]: inline text. Markup characters are backslash-escaped, `&`, `<` and `>` become
//!   entities; `@`, `#` before a word, `://` and `www.` get a zero-width space (U+200B) so
//!   that GitHub's mention, reference and autolink filters, which run after Markdown, find
//!   nothing.
//! - [`code`]: a code span whose fence is longer than any run of backticks in it.
//! - [`code_block`]: a fenced block, fence chosen the same way.
//! - [`text_after`]: [`text`] for a piece that follows other text on its line.
//! - [`html`]: text inside raw HTML such as `<summary>`, where Markdown is not read.
//!
//! In all of them, control characters and bidirectional overrides are shown as the terminal
//! writer shows them (`\x1b`, `\u{202e}`), and text never spans lines: a line feed in a name
//! cannot end a paragraph, an HTML block or a table row.

use super::terminal;

/// The zero-width space that breaks mentions, references and autolinks.
const BREAK: char = '\u{200b}';

/// Inline text: shows exactly `s`, with no markup of its own.
pub fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    push_text(s, true, &mut out);
    out
}

/// [`text`] for a piece that follows other text on its line (after a code span, in a table
/// cell): the same escaping, except what only matters at the start of a line (a leading blank,
/// `-`, `+`, `=`, `:` or `1.`), so the source stays readable.
pub fn text_after(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    push_text(s, false, &mut out);
    out
}

/// A code span showing `s`. (In a GitHub table a `|` would still split the cell: tables hold
/// code spans of fixed names only.)
pub fn code(s: &str) -> String {
    let content = terminal::line(s);
    if content.is_empty() {
        return "` `".into();
    }
    let fence = "`".repeat(longest_run(&content) + 1);
    // CommonMark strips one space from each end when both are spaces, and a backtick at an
    // end would join the fence: pad with a space on both sides in either case.
    let pad = content.starts_with('`')
        || content.ends_with('`')
        || (content.starts_with(' ') && content.ends_with(' ') && content.trim() != "");
    let pad = if pad { " " } else { "" };
    format!("{fence}{pad}{content}{pad}{fence}")
}

/// Text inside raw HTML (`<summary>…</summary>`): entities, and the same breaks as [`text`].
pub fn html(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    let visible = visible(s);
    let chars: Vec<char> = visible.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => {
                out.push(c);
                push_break(&chars, i, &mut out);
            }
        }
    }
    out
}

/// A fenced code block: ```` ```info ````, the lines, and a closing fence that no line can
/// match. Lines are shown as a terminal shows them (control characters escaped, workflow
/// commands inert).
pub fn code_block(info: &str, lines: &[String]) -> String {
    let shown: Vec<String> = lines
        .iter()
        .map(|l| terminal::line(l).into_owned())
        .collect();
    let fence = fence_for(&shown);
    let mut out = String::new();
    out.push_str(&fence);
    out.push_str(info);
    out.push('\n');
    for l in &shown {
        out.push_str(l);
        out.push('\n');
    }
    out.push_str(&fence);
    out.push('\n');
    out
}

/// A backtick fence longer than any run of backticks in `lines` (CommonMark closes a fence
/// only with a run at least as long), and at least three long.
pub fn fence_for(lines: &[String]) -> String {
    let longest = lines.iter().map(|l| longest_run(l)).max().unwrap_or(0);
    "`".repeat(longest.max(2) + 1)
}

fn longest_run(s: &str) -> usize {
    s.split(|c| c != '`').map(str::len).max().unwrap_or(0)
}

/// Control characters in their visible form, on one line.
fn visible(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.chars().any(terminal::is_active) {
        return s.into();
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if terminal::is_active(c) {
            terminal::escape_char(c, &mut out);
        } else {
            out.push(c);
        }
    }
    out.into()
}

/// `\|` is right both in and out of a table, so text needs no table variant.
fn push_text(s: &str, at_line_start: bool, out: &mut String) {
    let visible = visible(s);
    let chars: Vec<char> = visible.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        let start = at_line_start && i == 0;
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            // A leading blank (with more after it) would make an indented code block.
            ' ' if start => out.push_str("&#32;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '~' | '#' | '!' => {
                out.push('\\');
                out.push(c);
                push_break(&chars, i, out);
            }
            // Markup only at the start of a line: lists, setext underlines, `::` commands.
            '-' | '+' | '=' | ':' if start => {
                out.push('\\');
                out.push(c);
            }
            // `1.` or `1)` at the start of a line would begin an ordered list.
            '.' | ')' if at_line_start && i > 0 && chars[..i].iter().all(char::is_ascii_digit) => {
                out.push('\\');
                out.push(c);
            }
            _ => {
                out.push(c);
                push_break(&chars, i, out);
            }
        }
    }
}

/// After `@`, after `#` before a word character, inside `://` and after `www`: a zero-width
/// space, so that nothing is a mention, an issue reference or a bare link.
fn push_break(chars: &[char], i: usize, out: &mut String) {
    let next = chars.get(i + 1).copied();
    let word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '-');
    let breaks = match chars[i] {
        '@' => true,
        '#' => word(next),
        ':' => next == Some('/') && chars.get(i + 2) == Some(&'/'),
        'w' | 'W' => {
            next == Some('.')
                && i >= 2
                && chars[i - 2..i].iter().all(|c| c.eq_ignore_ascii_case(&'w'))
        }
        _ => false,
    };
    if breaks {
        out.push(BREAK);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_has_no_markup() {
        assert_eq!(text("a_b*<c>&"), "a\\_b\\*&lt;c&gt;&amp;");
        assert_eq!(
            text("![x](http://e/a.png)"),
            "\\!\\[x\\](http:\u{200b}//e/a.png)"
        );
        assert_eq!(text("# h"), "\\# h");
        assert_eq!(text("- item"), "\\- item");
        assert_eq!(text("12. item"), "12\\. item");
        assert_eq!(text("blue-green 1.2"), "blue-green 1.2");
        assert_eq!(text("    code"), "&#32;   code");
        assert_eq!(text("::error::x"), "\\::error::x");
    }

    #[test]
    fn text_breaks_mentions_references_and_links() {
        assert_eq!(text("@acme/team"), "@\u{200b}acme/team");
        assert_eq!(text("see #12"), "see \\#\u{200b}12");
        assert_eq!(text("www.evil.example"), "www\u{200b}.evil.example");
        assert_eq!(text("https://evil"), "https:\u{200b}//evil");
    }

    #[test]
    fn text_stays_on_one_line() {
        assert_eq!(text("a\n\n# b"), "a\\\\n\\\\n\\# b");
        assert_eq!(text("x\u{202e}y"), "x\\\\u{202e}y");
    }

    #[test]
    fn text_after_leaves_line_starts_alone_but_not_markup() {
        assert_eq!(text_after(" - 1. a"), " - 1. a");
        assert_eq!(text_after(" *b* <c> @d"), " \\*b\\* &lt;c&gt; @\u{200b}d");
    }

    #[test]
    fn code_spans_outgrow_backticks() {
        assert_eq!(code("a"), "`a`");
        assert_eq!(code("a`b"), "``a`b``");
        assert_eq!(code("`a"), "`` `a ``");
        assert_eq!(code(" a "), "`  a  `");
        assert_eq!(code(""), "` `");
        assert_eq!(code("a\n\nb"), "`a\\n\\nb`");
    }

    #[test]
    fn html_is_entities() {
        assert_eq!(
            html("x</summary>\n\n# y @me"),
            "x&lt;/summary&gt;\\n\\n# y @\u{200b}me"
        );
    }

    #[test]
    fn code_blocks_cannot_be_closed_from_inside() {
        let block = code_block("diff", &["+```".into(), "+````md".into()]);
        assert!(block.starts_with("`````diff\n"));
        assert!(block.ends_with("\n`````\n"));
        assert_eq!(fence_for(&["a".into()]), "```");
    }
}
