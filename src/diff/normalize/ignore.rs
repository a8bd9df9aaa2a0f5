//! The user's own ignore rules, from `--ignore` and `diff.ignore` in the configuration.

use crate::error::{Diagnostic, Location};

/// A user's ignore rule: `Kind[/name]:/json/pointer`, `*` for any kind or any segment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IgnoreRule {
    pub text: String,
    kind: Option<String>,
    name: Option<String>,
    pub(super) segments: Vec<String>,
}

impl IgnoreRule {
    /// Parses `Kind[/name]:/json/pointer`. `from` names where it was written, for errors.
    pub fn parse(text: &str, from: Location) -> Result<IgnoreRule, Diagnostic> {
        let bad = |msg: &str| {
            Diagnostic::new(Some(from.clone()), format!("`{text}`: {msg}")).with_help(
                "write Kind[/name]:/json/pointer, e.g. `Rollout:/spec/replicas` or `Service/shop-active:/metadata/labels/team` (`*` for any kind or segment)",
            )
        };
        let Some((selector, pointer)) = text.split_once(':') else {
            return Err(bad("no `:` between the kind and the JSON pointer"));
        };
        if !pointer.starts_with('/') {
            return Err(bad("the JSON pointer must start with `/`"));
        }
        let (kind, name) = match selector.split_once('/') {
            Some((k, n)) if !n.is_empty() => (k, Some(n.to_string())),
            Some(_) => return Err(bad("the name after `/` is empty")),
            None => (selector, None),
        };
        if kind.is_empty() {
            return Err(bad("the kind is empty (use `*` for any kind)"));
        }
        let segments = pointer[1..]
            .split('/')
            .map(|s| s.replace("~1", "/").replace("~0", "~"))
            .collect();
        Ok(IgnoreRule {
            text: text.to_string(),
            kind: (kind != "*").then(|| kind.to_string()),
            name: name.filter(|n| n != "*"),
            segments,
        })
    }

    pub(super) fn applies_to(&self, kind: &str, name: &str) -> bool {
        self.kind.as_deref().is_none_or(|k| k == kind)
            && self.name.as_deref().is_none_or(|n| n == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ignore_rule_syntax() {
        let at = || Location::Flag("--ignore".into());
        assert!(IgnoreRule::parse("Rollout:/spec/replicas", at()).is_ok());
        assert!(
            IgnoreRule::parse("*:/metadata/labels/x~1y", at())
                .unwrap()
                .segments
                == vec!["metadata", "labels", "x/y"]
        );
        assert!(IgnoreRule::parse("Rollout/spec/replicas", at()).is_err());
        assert!(IgnoreRule::parse("Rollout:spec", at()).is_err());
        assert!(IgnoreRule::parse(":/a", at()).is_err());
    }
}
