//! The output sanitisers (`rollwright::sanitize`) on any text: an accepted path stays inside
//! its root; terminal text holds no control character, bidirectional override or workflow
//! command; Markdown text, code spans, code blocks and HTML read back (CommonMark) as exactly
//! what they were given, with no markup, mention, reference or link of their own.
#![no_main]

use std::path::{Component, Path};

use libfuzzer_sys::fuzz_target;
use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
use rollwright::sanitize::{markdown, path, terminal};

fn check_terminal(out: &str, multi_line: bool) {
    for c in out.chars() {
        let kept = c == '\t' || (multi_line && c == '\n');
        assert!(kept || !terminal::is_active(c), "{c:?} left in {out:?}");
    }
    for line in out.split('\n') {
        assert!(!line.trim_start().starts_with("::"), "command {line:?}");
        assert!(!line.contains("##["), "legacy command {line:?}");
    }
}

fn check_filters(text: &str) {
    let chars: Vec<char> = text.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        let word = chars
            .get(i + 1)
            .is_some_and(|n| n.is_alphanumeric() || *n == '_' || *n == '-');
        assert!(!((c == '@' || c == '#') && word), "mention or reference in {text:?}");
    }
    assert!(!text.contains("://") && !text.to_lowercase().contains("www."), "link in {text:?}");
}

fn parse(md: &str) -> Vec<Event<'_>> {
    Parser::new_ext(md, Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH).collect()
}

fuzz_target!(|data: &[u8]| {
    let s = String::from_utf8_lossy(data);
    let s = s.as_ref();

    if let Ok(p) = path::plain_relative(s) {
        assert!(p.components().all(|c| matches!(c, Component::Normal(_))));
        assert!(path::output_path(Path::new("/r"), s).unwrap().starts_with("/r"));
    }

    check_terminal(&terminal::text(s), true);
    check_terminal(&terminal::line(s), false);

    let md = markdown::text(s);
    let mut text = String::new();
    for event in parse(&md) {
        match event {
            Event::Start(Tag::Paragraph) | Event::End(TagEnd::Paragraph) => {}
            Event::Text(t) => text.push_str(&t),
            other => panic!("{other:?} from {md:?}"),
        }
    }
    check_filters(&text);

    let code = format!("x {}", markdown::code(s));
    let codes = parse(&code)
        .into_iter()
        .filter(|e| matches!(e, Event::Code(_)))
        .count();
    assert_eq!(codes, 1, "{code:?}");

    let lines: Vec<String> = s.split('\n').map(str::to_owned).collect();
    let block = markdown::code_block("diff", &lines);
    let blocks = parse(&block)
        .into_iter()
        .filter(|e| matches!(e, Event::Start(Tag::CodeBlock(_))))
        .count();
    assert_eq!(blocks, 1, "{block:?}");
    check_terminal(&block, true);

    let html = format!("<details><summary>{}</summary>\n\nafter\n", markdown::html(s));
    for event in parse(&html) {
        match event {
            Event::Html(_) | Event::Start(Tag::HtmlBlock) | Event::End(TagEnd::HtmlBlock) => {}
            Event::Start(Tag::Paragraph) => break,
            other => panic!("{other:?} from {html:?}"),
        }
    }

    for event in parse(&format!("x {}", markdown::text_after(s))) {
        match event {
            Event::Start(Tag::Paragraph) | Event::End(TagEnd::Paragraph) => {}
            Event::Text(t) => check_filters(&t),
            other => panic!("{other:?} from text after {s:?}"),
        }
    }
});
