//! The two ways of reading YAML agree: wherever the event fast path takes a text, its values
//! and every node's position equal what the full deserializer gives. Run over every fixture,
//! a generated repository, hand-written edge cases and, with `ROLLWRIGHT_ARGO_CORPUS`, the
//! upstream corpus.

mod common;

#[path = "../benches/support/corpus.rs"]
#[allow(dead_code)]
mod corpus;

use std::path::{Path, PathBuf};

use proptest::prelude::*;
use rollwright::yaml;

/// Compares the paths on one text; true when the fast path took it.
fn agree(name: &str, text: &str) -> bool {
    common::yaml_paths_agree(text).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn yaml_files(root: &Path) -> Vec<PathBuf> {
    walkdir::WalkDir::new(root)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| e.into_path())
        .filter(|p| {
            p.extension()
                .is_some_and(|x| x == "yaml" || x == "yml" || x == "json")
        })
        .collect()
}

fn check_tree(root: &Path) -> (usize, usize) {
    let (mut taken, mut all) = (0, 0);
    for path in yaml_files(root) {
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        all += 1;
        if agree(&path.display().to_string(), &text) {
            taken += 1;
        }
    }
    (taken, all)
}

#[test]
fn fixtures_read_the_same_both_ways() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let (taken, all) = check_tree(&root.join("fixtures"));
    let (t2, a2) = check_tree(&root.join("examples"));
    eprintln!("fast path took {} of {} files", taken + t2, all + a2);
    assert!(
        taken * 2 > all,
        "the fast path should take most fixtures: {taken} of {all}"
    );
}

#[test]
fn a_generated_repository_reads_the_same_both_ways_and_fast() {
    for style in [corpus::Style::Plain, corpus::Style::Anchors] {
        let dir = tempfile::tempdir().unwrap();
        corpus::generate_with(dir.path(), 60, 7, style).unwrap();
        let (taken, all) = check_tree(dir.path());
        assert_eq!(
            taken, all,
            "every generated file ({style:?}) is YAML the fast path takes"
        );
    }
}

#[test]
#[ignore = "needs ROLLWRIGHT_ARGO_CORPUS"]
fn upstream_corpus_reads_the_same_both_ways() {
    let Some(root) = common::peers::env_path("ROLLWRIGHT_ARGO_CORPUS") else {
        return;
    };
    let (taken, all) = check_tree(&root);
    eprintln!("fast path took {taken} of {all} upstream files");
    assert!(taken > 0);
}

#[test]
fn edge_cases_read_the_same_both_ways_or_are_handed_over() {
    let cases = [
        "a: 1\nb: -2\nc: 0\nd: 007\ne: 1.5\nf: 1e3\ng: 0x1F\nh: +3\n",
        "a: true\nb: True\nc: yes\nd: no\ne: on\nf: off\ng: y\nh: n\ni: ~\nj: null\nk:\n",
        "cpu: 100m\nmemory: 64Mi\nratio: 25%\nwhen: 2001-12-14\nt: 12:30\nv: 1.28\n",
        "s: 'quoted'\nd: \"dq \\u00e9\"\nl: |\n  line\n  two\nf: >-\n  folded\n  text\n",
        "args:\n- --port=8080\n- -v\n- /bin/sh\n- -c\n- echo hi\n",
        "{a: [1, 2, {b: c}], 'd': \"e\"}\n",
        "---\n---\n# only a comment\n---\nnull\n...\n---\na: b\n",
        "- 1\n- two\n- [3]\n",
        "just a scalar\n",
        "名前: 値\nnote: 日本語の説明\n",
        "a: &x 1\nb: *x\n",
        "base: &b {x: 1}\nd:\n  <<: *b\n  y: 2\n",
        "a: 1\na: 2\n",
        "? [complex]\n: key\n",
        "1: one\ntrue: t\nnull: n\n",
        "x: !!str 123\n",
        "n: 99999999999999999999\nm: -9223372036854775808\nk: 9223372036854775807\n",
        "a: .inf\nb: -.inf\nc: .nan\nd: NaN\ne: Infinity\n",
        "bad: [1, 2\nnext: 3\n",
        "empty: {}\nlist: []\nnested: {a: {b: {c: []}}}\n",
        "- - - - deep\n",
        "key with spaces: value with spaces\n\"quoted key\": 1\n",
    ];
    for (i, text) in cases.iter().enumerate() {
        agree(&format!("case {i}"), text);
    }
    // What the fast path must hand over: what needs the whole tree, or an error's words.
    for text in [
        "a: 1\na: 2\n",
        "a: 1\n\"a\": 2\n",
        "x: !!int abc\n",
        "d: {<<: [[x]]}\n",
        "d: {<<: [{x: 1}, 2]}\n",
        "d: {<<: {x: 1, x: 2}}\n",
        "a: &a {b: *a}\n",
        "a: *nowhere\n",
        "a: &a [1]\nd: {<<: *a}\n",
        "a: &a 1\nd: {<<: *a}\n",
        "b: &b {x: 1}\nd: {<<: *b, x: 2, x: 3}\n",
        "a: &a {x: 1}\n? *a\n: v\n",
        "a: &a 1\n---\nb: *a\n",
        "~: null key\n",
        "9223372036854775808: key\n",
        "a: .inf\n",
        "a: 1\n...\nb: 2\n",
        "%YAML 1.2\n---\na: 1\n",
        "bad: [1, 2\n",
    ] {
        assert!(yaml::parse_documents_fast(text).is_none(), "{text:?}");
    }
    // Anchors, aliases, merge keys and tags: the fast path takes them and reads them as the
    // full reader does (an alias's positions are the anchored node's, below the alias).
    for text in ANCHORED {
        assert!(agree(text, text), "the fast path should take {text:?}");
    }
    // And what it takes now that one resolver reads scalars on both paths.
    for text in [
        "c: yes\nd: yES\n",
        "when: 2001-12-14\n",
        "n: 0x1F\nm: 1_000\nf: 3.0\n",
        "1.0e6: a\ny: b\n010: c\n",
        "x: !!str 123\ny: !!binary aGk=\nz: !foo 1\n!!str 010: k\nm: !!map {a: !!int \"1\"}\n",
    ] {
        assert!(agree(text, text), "{text:?}");
    }
}

/// Anchors, aliases, merge keys and tags as PyYAML, Helm users and hand-written GitOps files
/// write them.
const ANCHORED: &[&str] = &[
    "a: &x 1\nb: *x\n",
    "base: &b {x: 1}\nd:\n  <<: *b\n  y: 2\n",
    "metadata:\n  labels: &id001\n    app: web\n    tier: fe\nspec:\n  selector:\n    matchLabels: *id001\n  template:\n    metadata:\n      labels: *id001\n",
    // An explicit key wins over a merged one, before or after `<<`.
    "b: &b {x: 1, y: 1, z: {deep: [1, 2]}}\nd:\n  x: 2\n  <<: *b\n  y: 3\n",
    // The first mapping of a merge list wins.
    "a: &a {x: 1, p: {q: 1}}\nb: &b {x: 2, y: 2, p: [3]}\nd:\n  <<: [*a, *b]\n  z: 3\n",
    "a: &a {x: 1}\nb: &b {y: 2}\nd: {<<: [*a, *b], <<: *a}\n",
    "a: &a {x: 1}\nd: {!!merge <<: *a}\n",
    "a: &a {x: 1}\nd: {<<: []}\n",
    // Merges inside anchors, aliases inside anchors, aliases of aliased nodes.
    "a: &a {x: 1}\nb: &b {<<: *a, y: *a}\nc: &c [*b, *a, {<<: *b}]\nd: {<<: *b, l: *c}\n",
    // An anchored key, used as a key and as a value; a key aliased in a merged map.
    "&k name: v\nother: *k\nn: &n name2\n*n : w\n",
    "&k 010: v\nx: *k\n",
    "- &a {x: 1}\n- *a\n- <<: *a\n  x: 2\n- [*a, *a]\n",
    // A redefined anchor: an alias names the latest definition.
    "a: &a 1\nb: *a\nc: &a 2\nd: *a\n",
    // Anchors per document.
    "a: &a {x: 1}\nb: *a\n---\na: &a [2]\nb: *a\n",
    // Tags on scalars, keys and collections, anchored too.
    "a: &a !!str 010\nb: *a\nc: !!map &m {x: !!int \"1\"}\nd: *m\ne: !!seq [!!str 1]\n",
    "x: !!str 123\ny: !!binary aGk=\nz: !custom {a: 1}\n!!str 010: k\n",
    "root: &r\n  a: &s [1, {b: &t {c: d}}]\nx: *t\ny: *s\nz: *r\n",
    "a: &a\n  k1: v\n  k2: [1]\nb:\n  <<: *a\n  k1: w\nc:\n  k1: w\n  <<: *a\n",
    "lst: &l [a, b]\nm: &m {k: *l}\nn: {<<: *m, j: *l}\n",
    // Inline mappings as merge values, alone or in a list, anchored too.
    "d: {<<: {x: 1}}\n",
    "d: {!!merge <<: {x: 1}}\n",
    "b: &b {x: 1}\nd: {<<: [*b, {y: 2, x: 3}], y: 4}\n",
    "d:\n  z: 0\n  <<: &i {x: {p: 1}, z: 9}\ne: *i\nf: {<<: *i}\n",
    "a: &a {<<: {x: [1, 2]}, y: 1}\nb: {<<: [*a, {x: 3}]}\nc: [*a]\n",
];

#[test]
fn alias_budget_is_the_same_on_both_paths() {
    // An anchored list of 999 items counts 1,000 nodes each time an alias copies it; a merge
    // of an anchored mapping of 999 keys counts 999.
    let list = format!("a: &a [{}]\n", vec!["x"; 999].join(", "));
    let aliases = |n: usize| -> String {
        let mut t = list.clone();
        t.push_str("b:\n");
        for _ in 0..n {
            t.push_str("- *a\n");
        }
        t
    };
    assert!(agree("100 aliases", &aliases(100)));
    assert!(yaml::parse_documents_fast(&aliases(101)).is_none());
    let err = yaml::parse_documents(&aliases(101)).unwrap_err();
    assert!(err.message.contains("100,000 nodes"), "{err}");

    let keys: Vec<String> = (0..999).map(|i| format!("k{i}: {i}")).collect();
    let merges = |n: usize| -> String {
        let mut t = format!("a: &a {{{}}}\n", keys.join(", "));
        for i in 0..n {
            t.push_str(&format!("m{i}: {{<<: *a}}\n"));
        }
        t
    };
    assert!(agree("100 merges", &merges(100)));
    assert!(yaml::parse_documents_fast(&merges(101)).is_none());
    assert!(yaml::parse_documents(&merges(101)).is_err());

    // A billion laughs: refused, and never copied out on the way.
    let mut bomb = String::from("a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..10u8 {
        let (prev, this) = ((b'a' + i - 1) as char, (b'a' + i) as char);
        let items = vec![format!("*{prev}"); 9].join(", ");
        bomb.push_str(&format!("{this}: &{this} [{items}]\n"));
    }
    assert!(yaml::parse_documents_fast(&bomb).is_none());
    let err = yaml::parse_documents(&bomb).unwrap_err();
    assert!(err.message.contains("100,000 nodes"), "{err}");
}

#[test]
fn depth_through_aliases_is_the_same_on_both_paths() {
    // 60 levels anchored, copied at depths that stay within 64 levels or go past them.
    let deep = format!("{}1{}", "[".repeat(60), "]".repeat(60));
    let within = format!("a: &a {deep}\nb: [[*a]]\n");
    assert!(agree("within", &within));
    let past = format!("a: &a {deep}\nb: [[[[[*a]]]]]\n");
    assert!(yaml::parse_documents_fast(&past).is_none());
    assert!(yaml::parse_documents(&past).is_err());
}

/// Flow nodes with anchors, aliases and merge keys among a few names, so that they collide:
/// redefined anchors, aliases to undefined ones or to their own ancestors, merges over
/// written keys and written keys over merged ones, merge lists, tags.
fn anchored_node() -> impl Strategy<Value = String> {
    let name = (1..5u8).prop_map(|i| format!("a{i}"));
    let leaf = prop_oneof![
        Just("1".to_string()),
        Just("v".to_string()),
        Just("'010'".to_string()),
        Just("!!str 7".to_string()),
        Just("~".to_string()),
        Just("{}".to_string()),
        name.clone().prop_map(|n| format!("*{n}")),
    ];
    leaf.prop_recursive(4, 32, 4, move |inner| {
        let key = prop_oneof![Just("x"), Just("y"), Just("z"), Just("w")];
        let entry = prop_oneof![
            4 => (key, inner.clone()).prop_map(|(k, v)| format!("{k}: {v}")),
            1 => name.clone().prop_map(|n| format!("<<: *{n}")),
            1 => (name.clone(), name.clone()).prop_map(|(a, b)| format!("<<: [*{a}, *{b}]")),
            1 => inner.clone().prop_map(|v| format!("<<: {v}")),
            1 => (name.clone(), inner.clone()).prop_map(|(a, v)| format!("<<: [{v}, *{a}]")),
        ];
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(|v| format!("[{}]", v.join(", "))),
            prop::collection::vec(entry, 0..5).prop_map(|e| format!("{{{}}}", e.join(", "))),
            (name.clone(), inner).prop_map(|(n, v)| format!("&{n} {v}")),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 500, ..ProptestConfig::default() })]

    #[test]
    fn anchored_documents_read_the_same_both_ways(
        entries in prop::collection::vec((prop::option::of(1..5u8), anchored_node()), 1..8),
        split in prop::bool::ANY,
    ) {
        let mut text = String::new();
        for (i, (anchor, node)) in entries.iter().enumerate() {
            if split && i == entries.len() / 2 {
                text.push_str("---\n");
            }
            let anchor = anchor.map(|a| format!("&a{a} ")).unwrap_or_default();
            text.push_str(&format!("k{i}: {anchor}{node}\n"));
        }
        if let Err(e) = common::yaml_paths_agree(&text) {
            prop_assert!(false, "{}\n{}", e, text);
        }
    }
}
