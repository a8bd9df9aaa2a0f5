//! The documentation holds together: the README stays a front door that links every page of
//! docs/, every relative link of README.md and docs/*.md leads to a file (and heading) that
//! exists, and no page cites notes that are not in the repository.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn pages() -> Vec<PathBuf> {
    let mut pages: Vec<PathBuf> = std::fs::read_dir(common::repo().join("docs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    pages.sort();
    pages.insert(0, common::repo().join("README.md"));
    pages
}

/// The text outside fenced code blocks.
fn prose(text: &str) -> String {
    let mut out = String::new();
    let mut fence = false;
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            fence = !fence;
            continue;
        }
        if !fence {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// `[text](target)` targets, without inline code spans.
fn links(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in prose(text).lines() {
        let mut code = false;
        let mut clean = String::new();
        for c in line.chars() {
            if c == '`' {
                code = !code;
            } else if !code {
                clean.push(c);
            }
        }
        let mut rest = clean.as_str();
        while let Some(i) = rest.find("](") {
            let after = &rest[i + 2..];
            let Some(end) = after.find(')') else { break };
            out.push(after[..end].to_string());
            rest = &after[end..];
        }
    }
    out
}

/// GitHub's anchor for a heading: lower case, spaces to `-`, punctuation other than `-` and
/// `_` dropped.
fn slug(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

fn anchors(text: &str) -> BTreeSet<String> {
    prose(text)
        .lines()
        .filter_map(|l| l.strip_prefix('#'))
        .map(|l| slug(l.trim_start_matches('#')))
        .collect()
}

#[test]
fn readme_is_a_front_door() {
    let readme = std::fs::read_to_string(common::repo().join("README.md")).unwrap();
    let lines = readme.lines().count();
    assert!(
        lines <= 300,
        "README.md has {lines} lines; move reference text into docs/"
    );
    for page in pages().iter().skip(1) {
        let name = page.file_name().unwrap().to_string_lossy();
        assert!(
            readme.contains(&format!("](docs/{name})")),
            "README.md does not link docs/{name}"
        );
    }
}

#[test]
fn relative_links_resolve() {
    let mut broken = Vec::new();
    for page in pages() {
        let text = std::fs::read_to_string(&page).unwrap();
        let dir = page.parent().unwrap();
        for link in links(&text) {
            if link.contains("://") || link.starts_with("mailto:") {
                continue;
            }
            let (file, anchor) = link.split_once('#').unwrap_or((&link, ""));
            let target: PathBuf = if file.is_empty() {
                page.clone()
            } else {
                dir.join(file)
            };
            let shown = format!(
                "{}: ({link})",
                page.strip_prefix(common::repo()).unwrap().display()
            );
            if !target.exists() {
                broken.push(format!("{shown}: no such file"));
                continue;
            }
            if !anchor.is_empty() && target.extension().is_some_and(|e| e == "md") {
                let text = std::fs::read_to_string(&target).unwrap();
                if !anchors(&text).contains(anchor) {
                    broken.push(format!("{shown}: no heading #{anchor}"));
                }
            }
        }
    }
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}

/// The controller's rules are cited from its source (upstream), never from notes that a
/// reader of this repository cannot open.
#[test]
fn no_citation_of_notes_outside_the_repository() {
    for page in pages() {
        let text = std::fs::read_to_string(&page).unwrap();
        for needle in ["RULES.md", "RULES §", "§"] {
            assert!(
                !text.contains(needle),
                "{} cites `{needle}`, which is not in this repository",
                rel(&page)
            );
        }
    }
}

/// Every way to build from source keeps the tested Cargo.lock.
#[test]
fn cargo_install_is_locked() {
    for page in pages() {
        let text = std::fs::read_to_string(&page).unwrap();
        for line in text.lines() {
            if let Some(i) = line.find("cargo install ") {
                assert!(
                    line[i..].contains("--locked"),
                    "{}: `{}` without --locked",
                    rel(&page),
                    line.trim()
                );
            }
        }
    }
}

/// Every GitHub URL of the project in the docs is the `repository` of Cargo.toml, so a fork
/// changes one line and the tests show every page to follow.
#[test]
fn project_url_is_cargo_repository() {
    let manifest = std::fs::read_to_string(common::repo().join("Cargo.toml")).unwrap();
    let repository = manifest
        .lines()
        .find_map(|l| l.strip_prefix("repository = "))
        .map(|v| v.trim_matches('"'))
        .expect("Cargo.toml names its repository");
    let owner_repo = repository.trim_start_matches("https://github.com/");
    let mut pages = pages();
    pages.push(common::repo().join("install.sh"));
    for page in pages {
        let text = std::fs::read_to_string(&page).unwrap();
        for (i, _) in text.match_indices("cargo install") {
            let line = text[i..].lines().next().unwrap();
            if let Some(url) = line.split_whitespace().skip_while(|w| *w != "--git").nth(1) {
                assert_eq!(url, repository, "{}: `{line}`", rel(&page));
            }
        }
        for (i, _) in text.match_indices("github.com/") {
            let rest = &text[i + "github.com/".len()..];
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || "-_./".contains(*c))
                .collect();
            if name.starts_with("rollwright/") {
                assert!(
                    name.starts_with(&format!("{owner_repo}/")) || name == owner_repo,
                    "{}: github.com/{name} is not {repository}",
                    rel(&page)
                );
            }
        }
    }
}

fn rel(page: &Path) -> String {
    page.strip_prefix(common::repo())
        .unwrap()
        .display()
        .to_string()
}

#[test]
fn slugs_as_github_makes_them() {
    assert_eq!(
        slug("Live cluster diff (--live)"),
        "live-cluster-diff---live"
    );
    assert_eq!(slug("How a tree is read"), "how-a-tree-is-read");
    assert_eq!(
        slug("Configuration: `.rollwright.yaml`"),
        "configuration-rollwrightyaml"
    );
}
