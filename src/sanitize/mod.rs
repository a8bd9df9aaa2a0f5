//! What untrusted names and text pass before they reach a file system path, a terminal or a
//! Markdown document: one module per destination, each the only way there.
//!
//! - [`path`]: a name becomes a path only as a plain relative path inside its root; a file
//!   named by untrusted input is read only when it resolves inside its root.
//! - [`terminal`]: text for a terminal or a CI log, with control characters, bidirectional
//!   overrides and GitHub workflow commands made visible and inert.
//! - [`markdown`]: text, code spans, code blocks and HTML for a pull-request comment or a step
//!   summary, with no markup, mention, reference or link of its own.
//!
//! `docs/security.md` says which inputs are untrusted and where each of these is used.

pub mod markdown;
pub mod path;
pub mod terminal;

/// `s` cut to at most `max` characters, the cut marked with `…`: for names shown in a
/// bounded output (a pull-request comment), where a name may be any length.
pub fn shorten(s: &str, max: usize) -> std::borrow::Cow<'_, str> {
    match s.char_indices().nth(max) {
        None => s.into(),
        Some(_) => {
            let keep = max.saturating_sub(1);
            let end = s.char_indices().nth(keep).map_or(s.len(), |(i, _)| i);
            format!("{}…", &s[..end]).into()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shorten_keeps_short_text_and_cuts_long_text_at_a_character() {
        assert_eq!(shorten("abc", 3), "abc");
        assert_eq!(shorten("abcd", 3), "ab…");
        assert_eq!(shorten("ééééé", 4).chars().count(), 4);
    }
}
