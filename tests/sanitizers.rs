//! Property tests of the output sanitisers (`src/sanitize/`): for any text, a path is inside
//! its root or refused, terminal text holds nothing a terminal or a CI log acts on, and
//! Markdown, read back by a CommonMark parser, is exactly the text it was given (no markup,
//! HTML, link, mention or reference of its own). `fuzz/fuzz_targets/sanitize.rs` checks the
//! same on fuzzer input.

use std::path::{Component, Path};

use proptest::prelude::*;
use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
use rollwright::sanitize::{markdown, path, terminal};

/// Text made of what breaks each format, and anything else.
fn hostile() -> impl Strategy<Value = String> {
    let token = prop_oneof![
        Just("..".to_owned()),
        Just("/".to_owned()),
        Just(".".to_owned()),
        Just("\\".to_owned()),
        Just("\0".to_owned()),
        Just("\n".to_owned()),
        Just("\n\n".to_owned()),
        Just("\r".to_owned()),
        Just("\t".to_owned()),
        Just("\u{1b}[31m".to_owned()),
        Just("\u{1b}]8;;http://x\u{1b}\\".to_owned()),
        Just("\u{9b}".to_owned()),
        Just("\u{202e}".to_owned()),
        Just("\u{2066}".to_owned()),
        Just("::".to_owned()),
        Just("::error::".to_owned()),
        Just("##[".to_owned()),
        Just("`".to_owned()),
        Just("```".to_owned()),
        Just("~~~".to_owned()),
        Just("<".to_owned()),
        Just("</summary>".to_owned()),
        Just("<details>".to_owned()),
        Just("&amp;".to_owned()),
        Just("&".to_owned()),
        Just("*".to_owned()),
        Just("_".to_owned()),
        Just("[".to_owned()),
        Just("](".to_owned()),
        Just("![".to_owned()),
        Just("#".to_owned()),
        Just("# ".to_owned()),
        Just("|".to_owned()),
        Just("- ".to_owned()),
        Just("1. ".to_owned()),
        Just("> ".to_owned()),
        Just("    ".to_owned()),
        Just("@".to_owned()),
        Just("@team".to_owned()),
        Just("#12".to_owned()),
        Just("https://x.example".to_owned()),
        Just("www.x.example".to_owned()),
        Just("a@b.example".to_owned()),
        Just(" ".to_owned()),
        "[a-z0-9]{1,6}",
        any::<char>().prop_map(String::from),
    ];
    prop::collection::vec(token, 0..12).prop_map(|parts| parts.concat())
}

/// What a terminal or a CI log acts on must not be in `out`.
fn check_terminal(out: &str, multi_line: bool) -> Result<(), TestCaseError> {
    for c in out.chars() {
        let kept = c == '\t' || (multi_line && c == '\n');
        prop_assert!(kept || !terminal::is_active(c), "{c:?} is left in {out:?}");
    }
    for line in out.split('\n') {
        prop_assert!(
            !line.trim_start().starts_with("::"),
            "command line {line:?}"
        );
        prop_assert!(!line.contains("##["), "legacy command in {line:?}");
    }
    Ok(())
}

/// The text of `s` as shown by the Markdown writers: control characters escaped, on one line.
fn visible(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if terminal::is_active(c) {
            terminal::escape_char(c, &mut out);
        } else {
            out.push(c);
        }
    }
    out
}

/// Text nodes must not hold what GitHub's filters turn into mentions, references or links.
fn check_filters(text: &str) -> Result<(), TestCaseError> {
    let chars: Vec<char> = text.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        let next = chars.get(i + 1).copied();
        let word = next.is_some_and(|n| n.is_alphanumeric() || n == '_' || n == '-');
        prop_assert!(!(c == '@' && word), "mention in {text:?}");
        prop_assert!(!(c == '#' && word), "reference in {text:?}");
    }
    prop_assert!(!text.contains("://"), "bare link in {text:?}");
    prop_assert!(
        !text.to_lowercase().contains("www."),
        "bare link in {text:?}"
    );
    Ok(())
}

fn parse(md: &str) -> Vec<Event<'_>> {
    Parser::new_ext(md, Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH).collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 500, ..ProptestConfig::default() })]

    #[test]
    fn an_accepted_path_stays_inside_its_root(s in hostile()) {
        if let Ok(p) = path::plain_relative(&s) {
            prop_assert!(p.components().all(|c| matches!(c, Component::Normal(_))), "{s:?}");
            prop_assert!(!s.split('/').any(|seg| seg == ".." || seg == "." || seg.is_empty()));
            let joined = path::output_path(Path::new("/root/out"), &s).unwrap();
            prop_assert!(joined.starts_with("/root/out") && joined != Path::new("/root/out"));
            prop_assert!(!s.chars().any(|c| terminal::is_active(c) || c == '\\'));
            prop_assert_eq!(path::file_name(&s).is_ok(), !s.contains('/'));
        }
    }

    #[test]
    fn plain_names_are_accepted(segments in prop::collection::vec("[A-Za-z0-9_][A-Za-z0-9_.-]{0,8}", 1..5)) {
        let rel = segments.join("/");
        prop_assume!(!segments.iter().any(|s| s == "." || s == ".."));
        prop_assert!(path::plain_relative(&rel).is_ok(), "{rel:?}");
    }

    #[test]
    fn terminal_text_holds_nothing_a_terminal_acts_on(s in hostile()) {
        check_terminal(&terminal::text(&s), true)?;
        let line = terminal::line(&s);
        prop_assert!(!line.contains('\n'));
        check_terminal(&line, false)?;
    }

    #[test]
    fn harmless_terminal_text_is_left_alone(s in "[ -~\n\té日]{0,40}") {
        prop_assume!(!s.contains("##[") && !s.split('\n').any(|l| l.trim_start().starts_with("::")));
        prop_assert_eq!(terminal::text(&s), s.as_str());
    }

    #[test]
    fn markdown_text_reads_back_as_exactly_the_text(s in hostile()) {
        let md = markdown::text(&s);
        prop_assert!(!md.contains('\n'));
        let mut text = String::new();
        for event in parse(&md) {
            match event {
                Event::Start(Tag::Paragraph) | Event::End(TagEnd::Paragraph) => {}
                Event::Text(t) => text.push_str(&t),
                other => prop_assert!(false, "{other:?} from {md:?}"),
            }
        }
        check_filters(&text)?;
        // CommonMark drops a paragraph's trailing blanks; the zero-width spaces are ours.
        let shown = text.replace('\u{200b}', "");
        let want = visible(&s).replace('\u{200b}', "");
        prop_assert_eq!(shown.trim_end(), want.trim_end(), "from {:?}", md);
    }

    #[test]
    fn markdown_code_spans_hold_exactly_the_text(s in hostile()) {
        let md = format!("x {}", markdown::code(&s));
        let mut codes = Vec::new();
        for event in parse(&md) {
            match event {
                Event::Start(Tag::Paragraph) | Event::End(TagEnd::Paragraph) => {}
                Event::Text(t) => prop_assert_eq!(t.as_ref(), "x "),
                Event::Code(c) => codes.push(c.to_string()),
                other => prop_assert!(false, "{other:?} from {md:?}"),
            }
        }
        let want = if s.is_empty() { " ".to_owned() } else { terminal::line(&s).into_owned() };
        prop_assert_eq!(codes, vec![want]);
    }

    #[test]
    fn markdown_code_blocks_hold_exactly_the_lines(lines in prop::collection::vec(hostile(), 0..5)) {
        let md = markdown::code_block("diff", &lines);
        let mut blocks = 0;
        let mut content = String::new();
        for event in parse(&md) {
            match event {
                Event::Start(Tag::CodeBlock(_)) => blocks += 1,
                Event::End(TagEnd::CodeBlock) => {}
                Event::Text(t) => content.push_str(&t),
                other => prop_assert!(false, "{other:?} from {md:?}"),
            }
        }
        prop_assert_eq!(blocks, 1);
        let want: String = lines.iter().map(|l| format!("{}\n", terminal::line(l))).collect();
        prop_assert_eq!(&content, &want);
        check_terminal(&md, true)?;
    }

    #[test]
    fn markdown_html_stays_inside_its_element(s in hostile()) {
        let md = format!("<details><summary>{}</summary>\n\nafter\n", markdown::html(&s));
        let events = parse(&md);
        let html: String = events
            .iter()
            .take_while(|e| !matches!(e, Event::Start(Tag::Paragraph)))
            .map(|e| match e {
                Event::Html(h) => Ok(h.to_string()),
                Event::Start(Tag::HtmlBlock) | Event::End(TagEnd::HtmlBlock) => Ok(String::new()),
                other => Err(format!("{other:?}")),
            })
            .collect::<Result<_, _>>()
            .map_err(|e| TestCaseError::fail(format!("{e} from {md:?}")))?;
        prop_assert_eq!(html.trim_end(), md.lines().next().unwrap());
        prop_assert!(!markdown::html(&s).contains('<'));
        check_filters(&markdown::html(&s).replace("&#39;", "'"))?;
    }

    #[test]
    fn markdown_text_after_other_text_has_no_markup(s in hostile()) {
        let md = format!("x {}", markdown::text_after(&s));
        prop_assert!(!md.contains('\n'));
        for event in parse(&md) {
            match event {
                Event::Start(Tag::Paragraph) | Event::End(TagEnd::Paragraph) => {}
                Event::Text(t) => check_filters(&t)?,
                other => prop_assert!(false, "{other:?} from {md:?}"),
            }
        }
    }
}
