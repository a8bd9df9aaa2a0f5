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
            "{:<7} {:<8} {:<44} {}\n",
            r.id, r.severity, r.name, r.doc
        ));
    }
    out
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
            r.doc.replace('|', "\\|")
        ));
    }
    out
}
