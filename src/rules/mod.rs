//! The rule registry: every check `rollwright validate` makes, one small unit per rule.
//!
//! A rule has an id (the Argo Rollouts controller's rule ids from its validation code where
//! the rule is the controller's, `P-` for rollwright's own practice checks), a kebab-case
//! name, a default severity, a one-line doc and a check function over the whole set of
//! objects (references resolve across files). Each family lives in its own file; adding a rule
//! means one item there, one line in its family's `RULES`, and two fixtures under
//! `fixtures/rules/<ID>/` (`fail.yaml`, `pass.yaml`) that the registry test runs.

pub mod analysis;
pub mod bluegreen;
pub mod canary;
pub mod duplicates;
pub mod experiment;
pub mod image;
pub mod k8s;
pub mod metadata;
pub mod practice;
mod promql;
pub mod refs;
pub mod rollout;
pub mod schema;
pub mod util;
pub use crate::rollouts_version as version;
pub mod workloadref;

use crate::rules::util::Lookup as _;
use std::collections::HashMap;
use std::sync::OnceLock;

use serde_json::Value;

use crate::finding::Severity;
use crate::manifest::Object;
use crate::schema::Schemas;
pub use version::RolloutsVersion;

/// One rule.
#[derive(Debug)]
pub struct Rule {
    pub id: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    /// One line: what the rule checks.
    pub doc: &'static str,
    pub check: fn(&Context<'_>, &mut Sink<'_>),
}

/// Every rule, in catalogue order.
pub fn all() -> impl Iterator<Item = &'static Rule> {
    [
        schema::RULES,
        metadata::RULES,
        image::RULES,
        rollout::RULES,
        bluegreen::RULES,
        refs::RULES,
        analysis::RULES,
        canary::RULES,
        experiment::RULES,
        workloadref::RULES,
        practice::RULES,
        duplicates::RULES,
    ]
    .into_iter()
    .flatten()
    .copied()
}

/// Every rule's metadata, in catalogue order, as the report writers take it.
pub fn catalogue() -> Vec<crate::finding::RuleInfo> {
    all()
        .map(|r| crate::finding::RuleInfo {
            id: r.id,
            name: r.name,
            severity: r.severity,
            doc: r.doc,
        })
        .collect()
}

/// The rule with this id or name.
pub fn find(key: &str) -> Option<&'static Rule> {
    all().find(|r| r.id.eq_ignore_ascii_case(key) || r.name == key)
}

/// What a rule sees: every object of the run, and lookups across them.
pub struct Context<'a> {
    pub objects: &'a [Object],
    /// `--strict`: a referenced object missing from the set is an error, not a warning.
    pub strict: bool,
    /// Schema problems per object index, computed once for the schema rules.
    pub schema_errors: &'a [Vec<crate::schema::SchemaError>],
    /// The controller release whose verdicts the rules give.
    pub version: RolloutsVersion,
    /// The kinds known: built in, and from `--crds`.
    pub schemas: &'a Schemas,
    /// Per object: its apiVersion is not served for its kind (the API server refuses it, so
    /// no rule about the kind applies to it).
    unserved: OnceLock<Vec<bool>>,
    by_kind: HashMap<&'a str, Vec<usize>>,
    by_name: HashMap<(&'a str, &'a str), Vec<usize>>,
    pub(crate) analysis: analysis::Cache<'a>,
    /// Rollouts by strategy, found once: most rules look at one strategy.
    blue_greens: OnceLock<Vec<(&'a Object, &'a Value)>>,
    canaries: OnceLock<Vec<(&'a Object, &'a Value)>>,
}

impl<'a> Context<'a> {
    pub fn new(
        objects: &'a [Object],
        schema_errors: &'a [Vec<crate::schema::SchemaError>],
        strict: bool,
    ) -> Self {
        let mut by_kind: HashMap<&str, Vec<usize>> = HashMap::new();
        let mut by_name: HashMap<(&str, &str), Vec<usize>> = HashMap::new();
        for (i, o) in objects.iter().enumerate() {
            by_kind.entry(o.id.kind.as_str()).or_default().push(i);
            by_name
                .entry((o.id.kind.as_str(), o.id.name.as_str()))
                .or_default()
                .push(i);
        }
        Context {
            objects,
            strict,
            schema_errors,
            version: RolloutsVersion::default(),
            schemas: Schemas::builtin_ref(),
            unserved: OnceLock::new(),
            by_kind,
            by_name,
            analysis: analysis::Cache::default(),
            blue_greens: OnceLock::new(),
            canaries: OnceLock::new(),
        }
    }

    /// The controller release to give verdicts for.
    pub fn with_version(mut self, version: RolloutsVersion) -> Self {
        self.version = version;
        self
    }

    /// The kinds known besides the built-in ones (`--crds`).
    pub fn with_schemas(mut self, schemas: &'a Schemas) -> Self {
        self.schemas = schemas;
        self.unserved = OnceLock::new();
        self
    }

    /// Whether object `i`'s apiVersion is one the API server serves for its kind (or one it
    /// may serve: unknown kinds count as served).
    pub fn served(&self, i: usize) -> bool {
        !self.unserved()[i]
    }

    fn unserved(&self) -> &[bool] {
        self.unserved.get_or_init(|| {
            let mut seen: HashMap<(&str, &str), bool> = HashMap::new();
            self.objects
                .iter()
                .map(|o| {
                    let key = (o.id.api_version.as_str(), o.id.kind.as_str());
                    *seen.entry(key).or_insert_with(|| {
                        matches!(
                            self.schemas.lookup(key.0, key.1),
                            crate::schema::KindLookup::Unserved { .. }
                        )
                    })
                })
                .collect()
        })
    }

    /// Every object whose apiVersion is served for its kind, with its index.
    pub fn served_objects(&self) -> impl Iterator<Item = (usize, &'a Object)> + '_ {
        let objects = self.objects;
        let unserved = self.unserved();
        objects
            .iter()
            .enumerate()
            .filter(move |(i, _)| !unserved[*i])
    }

    /// Objects of `kind` in API group `group` (`""` for the core group), in a served version.
    pub fn of_kind<'s>(
        &'s self,
        group: &'s str,
        kind: &str,
    ) -> impl Iterator<Item = &'a Object> + 's {
        let objects = self.objects;
        let unserved = self.unserved();
        self.by_kind
            .get(kind)
            .into_iter()
            .flatten()
            .filter(move |&&i| !unserved[i])
            .map(move |&i| &objects[i])
            .filter(move |o| o.id.group() == group)
    }

    /// Each Rollout with a `blueGreen` strategy, and that strategy.
    pub fn blue_greens(&self) -> impl Iterator<Item = (&'a Object, &'a Value)> + '_ {
        self.blue_greens
            .get_or_init(|| {
                self.rollouts()
                    .filter_map(|r| {
                        r.value
                            .lookup("/spec/strategy/blueGreen")
                            .filter(|v| v.is_object())
                            .map(|bg| (r, bg))
                    })
                    .collect()
            })
            .iter()
            .copied()
    }

    /// Each Rollout with a `canary` strategy and that strategy; not one with `blueGreen` too
    /// (the controller validates neither then).
    pub fn canaries(&self) -> impl Iterator<Item = (&'a Object, &'a Value)> + '_ {
        self.canaries
            .get_or_init(|| {
                self.rollouts()
                    .filter_map(|r| {
                        let strategy = r.value.lookup("/spec/strategy")?;
                        if strategy.get("blueGreen").is_some_and(|v| !v.is_null()) {
                            return None;
                        }
                        strategy
                            .get("canary")
                            .filter(|v| v.is_object())
                            .map(|c| (r, c))
                    })
                    .collect()
            })
            .iter()
            .copied()
    }

    /// Every Argo Rollouts `Rollout`.
    pub fn rollouts(&self) -> impl Iterator<Item = &'a Object> + '_ {
        self.of_kind(ARGO, "Rollout")
    }

    /// The object of `group`/`kind` named `name` that `from` can see: the same namespace, or
    /// no namespace on either side (a GitOps tool often sets it at deploy time).
    pub fn find(&self, group: &str, kind: &str, from: &Object, name: &str) -> Option<&'a Object> {
        self.named(group, kind, name)
            .find(|o| same_namespace(o.id.namespace.as_deref(), from.id.namespace.as_deref()))
    }

    /// A cluster-scoped object by name.
    pub fn find_cluster(&self, group: &str, kind: &str, name: &str) -> Option<&'a Object> {
        self.named(group, kind, name).next()
    }

    fn named<'s>(
        &'s self,
        group: &'s str,
        kind: &'s str,
        name: &'s str,
    ) -> impl Iterator<Item = &'a Object> + 's {
        let objects = self.objects;
        let unserved = self.unserved();
        self.by_name
            .get(&(kind, name))
            .into_iter()
            .flatten()
            .filter(move |&&i| !unserved[i])
            .map(move |&i| &objects[i])
            .filter(move |o| o.id.group() == group)
    }
}

/// The Argo Rollouts API group.
pub const ARGO: &str = "argoproj.io";

/// Whether objects in namespaces `a` and `b` see each other: the same namespace, or no
/// namespace on either side.
pub(crate) fn same_namespace(a: Option<&str>, b: Option<&str>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => a == b,
        _ => true,
    }
}

/// A finding before its position is looked up.
#[derive(Debug, Clone)]
pub struct Raw {
    pub rule: &'static Rule,
    pub severity: Severity,
    /// Index of the object in the run.
    pub object: usize,
    /// JSON pointer of the offending node.
    pub pointer: String,
    pub message: String,
    pub help: Option<String>,
}

/// Collects one rule's findings.
pub struct Sink<'a> {
    rule: &'static Rule,
    objects: &'a [Object],
    out: &'a mut Vec<Raw>,
}

impl<'a> Sink<'a> {
    pub fn new(rule: &'static Rule, objects: &'a [Object], out: &'a mut Vec<Raw>) -> Self {
        Sink { rule, objects, out }
    }

    /// Reports a problem at `pointer` in `object`, with the rule's severity.
    pub fn report(
        &mut self,
        object: &Object,
        pointer: &str,
        message: impl Into<String>,
    ) -> &mut Raw {
        // Rules only ever report objects of this run's slice, so the address gives the index.
        let index = if self
            .objects
            .as_ptr_range()
            .contains(&(object as *const Object))
        {
            (object as *const Object as usize - self.objects.as_ptr() as usize)
                / std::mem::size_of::<Object>()
        } else {
            0
        };
        self.out.push(Raw {
            rule: self.rule,
            severity: self.rule.severity,
            object: index,
            pointer: pointer.to_owned(),
            message: message.into(),
            help: None,
        });
        let last = self.out.len() - 1;
        &mut self.out[last]
    }

    /// Reports a reference to an object absent from the set: it may live in the cluster or
    /// another repository, so this is a warning unless `strict`.
    pub fn missing(
        &mut self,
        ctx: &Context<'_>,
        object: &Object,
        pointer: &str,
        message: impl Into<String>,
    ) -> &mut Raw {
        let raw = self.report(object, pointer, message);
        if !ctx.strict && raw.severity == Severity::Error {
            raw.severity = Severity::Warning;
        }
        raw
    }
}

impl Raw {
    pub fn help(&mut self, help: impl Into<String>) -> &mut Self {
        self.help = Some(help.into());
        self
    }

    pub fn severity(&mut self, severity: Severity) -> &mut Self {
        self.severity = severity;
        self
    }
}

/// Runs every rule over the set, the rules side by side on the worker threads when the set
/// has at least `parallel_from` objects; findings come in registry order.
pub fn run(ctx: &Context<'_>, parallel_from: usize) -> Vec<Raw> {
    if ctx.objects.len() < parallel_from {
        let mut out = Vec::new();
        for rule in all() {
            let mut sink = Sink::new(rule, ctx.objects, &mut out);
            (rule.check)(ctx, &mut sink);
        }
        return out;
    }
    let rules: Vec<&'static Rule> = all().collect();
    crate::parallel::map(&rules, 2, |&rule| {
        let mut out = Vec::new();
        let mut sink = Sink::new(rule, ctx.objects, &mut out);
        (rule.check)(ctx, &mut sink);
        out
    })
    .concat()
}
