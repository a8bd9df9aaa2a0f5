//! One application holds one object of each identity (group, kind, namespace, name). Two
//! copies are not merged: `kubectl apply` lets the last one win, Argo CD warns
//! (`RepeatedResourceWarning`) and applies one of them, and which one depends on file order.
//! Each copy is reported, naming where the other is.

use std::collections::HashMap;

use super::{Context, Rule, Sink};
use crate::manifest::Object;
use crate::report::Severity;

pub const RULES: &[&Rule] = &[&APP_01];

/// Where an object's name is written, as `file:line:col`.
fn place(o: &Object) -> String {
    let pos = o
        .positions
        .nearest("/metadata/name")
        .map(|p| p.value)
        .unwrap_or_default();
    format!("{}:{}:{}", o.source, pos.line.max(1), pos.column.max(1))
}

pub static APP_01: Rule = Rule {
    id: "APP-01",
    name: "duplicate-object",
    severity: Severity::Error,
    doc: "an application holds one object of each group, kind, namespace and name; every copy is reported with the others' file:line",
    check: |ctx: &Context<'_>, sink: &mut Sink<'_>| {
        let mut by_name: HashMap<(&str, &str, &str), Vec<&Object>> = HashMap::new();
        for o in ctx.objects.iter().filter(|o| !o.id.name.is_empty()) {
            by_name
                .entry((o.id.group(), o.id.kind.as_str(), o.id.name.as_str()))
                .or_default()
                .push(o);
        }
        for o in ctx.objects.iter().filter(|o| !o.id.name.is_empty()) {
            let copies = &by_name[&(o.id.group(), o.id.kind.as_str(), o.id.name.as_str())];
            if copies.len() < 2 {
                continue;
            }
            // The namespace counts only for namespaced kinds.
            let namespaced = crate::diff::kinds::is_namespaced_kind(&o.value);
            let others: Vec<String> = copies
                .iter()
                .filter(|c| !std::ptr::eq(**c, o))
                .filter(|c| !namespaced || c.id.namespace == o.id.namespace)
                .map(|c| place(c))
                .collect();
            if others.is_empty() {
                continue;
            }
            sink.report(
                o,
                "/metadata/name",
                format!(
                    "{} is defined {} times in this application: also at {}",
                    o.id,
                    others.len() + 1,
                    others.join(", ")
                ),
            )
            .help("keep one copy: the cluster holds one object per group, kind, namespace and name, and which copy wins depends on file order (split two environments into their own directories)");
        }
    },
};
