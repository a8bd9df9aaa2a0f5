//! `rollwright rules`: the rule catalogue, from the registry.

use crate::cli::RulesArgs;
use crate::rules;

pub fn run(args: &RulesArgs) -> String {
    if args.markdown {
        return markdown();
    }
    let mut out = String::new();
    for r in rules::all() {
        out.push_str(&format!(
            "{:<7} {:<8} {:<44} {}{}\n",
            r.id,
            r.severity,
            r.name,
            r.doc,
            releases(r.id)
        ));
    }
    out
}

/// ` (verdict differs before Argo Rollouts 1.7, 1.10)` for a rule that changed between
/// releases: docs/rollouts-versions.md says how.
fn releases(id: &str) -> String {
    let mut since: Vec<_> = rules::version::changes_of(id).map(|c| c.since).collect();
    since.sort();
    since.dedup();
    let since: Vec<&str> = since.into_iter().map(|v| v.as_str()).collect();
    if since.is_empty() {
        String::new()
    } else {
        format!(
            " (verdict differs before Argo Rollouts {})",
            since.join(", ")
        )
    }
}

/// The catalogue as the README's Markdown table.
pub fn markdown() -> String {
    let mut out = String::from("| id | name | severity | checks |\n|---|---|---|---|\n");
    for r in rules::all() {
        out.push_str(&format!(
            "| {} | `{}` | {} | {} |\n",
            r.id,
            r.name,
            r.severity,
            format!("{}{}", r.doc, releases(r.id)).replace('|', "\\|")
        ));
    }
    out
}
