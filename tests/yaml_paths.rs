//! The two ways of reading YAML agree: wherever the event fast path takes a text, its values
//! and every node's position equal what the full deserializer gives. Run over every fixture,
//! a generated repository, hand-written edge cases and, with `ROLLWRIGHT_ARGO_CORPUS`, the
//! upstream corpus.

mod common;

#[path = "../benches/support/corpus.rs"]
#[allow(dead_code)]
mod corpus;

use std::path::{Path, PathBuf};

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
    let dir = tempfile::tempdir().unwrap();
    corpus::generate(dir.path(), 60, 7).unwrap();
    let (taken, all) = check_tree(dir.path());
    assert_eq!(
        taken, all,
        "every generated file is plain YAML the fast path takes"
    );
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
        "a: &x 1\nb: *x\n",
        "a: 1\na: 2\n",
        "a: 1\n\"a\": 2\n",
        "x: !!int abc\n",
        "d: {<<: {x: 1}}\n",
        "d: {!!merge <<: {x: 1}}\n",
        "~: null key\n",
        "9223372036854775808: key\n",
        "a: .inf\n",
        "a: 1\n...\nb: 2\n",
        "%YAML 1.2\n---\na: 1\n",
        "bad: [1, 2\n",
    ] {
        assert!(yaml::parse_documents_fast(text).is_none(), "{text:?}");
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
