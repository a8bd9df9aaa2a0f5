//! Which AnalysisTemplates a Rollout's analysis uses, found the way the controller finds them
//! (`rollout/controller.go getReferencedAnalysisTemplatesFromRef`): every `templates[]` entry
//! in order, a namespaced template looked up in the Rollout's namespace, a
//! `clusterScope: true` one among ClusterAnalysisTemplates, and the `spec.templates` of each
//! template followed depth-first; then namespaced and cluster templates are de-duplicated by
//! name, each list keeping first occurrences.

use crate::rules::util::Lookup as _;
use serde_json::Value;

use crate::manifest::Object;
use crate::rules::util::{self, items};
use crate::rules::{ARGO, Context};

/// Kind of a namespaced analysis template.
pub const TEMPLATE: &str = "AnalysisTemplate";
/// Kind of a cluster-scoped analysis template.
pub const CLUSTER_TEMPLATE: &str = "ClusterAnalysisTemplate";

/// Which analysis of a Rollout a block is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BlockKind {
    /// `spec.strategy.blueGreen.prePromotionAnalysis`
    Pre,
    /// `spec.strategy.blueGreen.postPromotionAnalysis`
    Post,
    /// `spec.strategy.canary.steps[i].analysis`
    Step(usize),
    /// `spec.strategy.canary.analysis`
    Background,
}

impl BlockKind {
    pub fn is_background(self) -> bool {
        self == BlockKind::Background
    }

    pub fn is_canary(self) -> bool {
        matches!(self, BlockKind::Step(_) | BlockKind::Background)
    }

    /// How messages name the block: `prePromotionAnalysis`, `steps[2].analysis`, …
    pub fn label(self) -> String {
        match self {
            BlockKind::Pre => "prePromotionAnalysis".into(),
            BlockKind::Post => "postPromotionAnalysis".into(),
            BlockKind::Step(i) => format!("steps[{i}].analysis"),
            BlockKind::Background => "background analysis".into(),
        }
    }
}

/// One `RolloutAnalysis` of a Rollout: the templates it names and the args it passes.
#[derive(Debug, Clone)]
pub struct Block<'a> {
    pub kind: BlockKind,
    /// JSON pointer of the analysis object in the Rollout.
    pub pointer: String,
    /// The analysis object itself (`templates`, `args`, `dryRun`, `measurementRetention`).
    pub value: &'a Value,
    /// `templates[]`, as written.
    pub templates: Vec<Ref<'a>>,
    /// `args[]`, as written.
    pub args: Vec<RolloutArg<'a>>,
}

impl Block<'_> {
    /// JSON pointer of `templates`, where the controller reports analysis errors.
    pub fn templates_pointer(&self) -> String {
        format!("{}/templates", self.pointer)
    }

    /// The controller's field path of `templates` (`spec.strategy.blueGreen.prePromotionAnalysis.templates`).
    pub fn templates_path(&self) -> String {
        util::path(&self.templates_pointer())
    }
}

/// One `templates[]` entry: `{templateName, clusterScope}`.
#[derive(Debug, Clone)]
pub struct Ref<'a> {
    /// `templateName` (empty when absent).
    pub name: &'a str,
    pub cluster_scope: bool,
    /// JSON pointer of the entry.
    pub pointer: String,
}

/// One `args[]` entry a Rollout passes: `{name, value}` or `{name, valueFrom}`.
#[derive(Debug, Clone)]
pub struct RolloutArg<'a> {
    pub name: &'a str,
    /// The whole entry.
    pub value: &'a Value,
    /// JSON pointer of the entry.
    pub pointer: String,
}

/// The analysis blocks of a Rollout, in the controller's order: blue-green pre then post, or
/// canary steps then background. As in the controller, a Rollout with both strategies is read
/// as blue-green.
pub fn analysis_blocks(rollout: &Object) -> Vec<Block<'_>> {
    let mut out = Vec::new();
    let strategy = rollout.value.lookup("/spec/strategy");
    let present = |v: Option<&Value>| v.is_some_and(|v| !v.is_null());
    if let Some(bg) = strategy
        .and_then(|s| s.get("blueGreen"))
        .filter(|v| !v.is_null())
    {
        for (key, kind) in [
            ("prePromotionAnalysis", BlockKind::Pre),
            ("postPromotionAnalysis", BlockKind::Post),
        ] {
            if let Some(a) = bg.get(key).filter(|v| present(Some(v))) {
                out.push(block(kind, format!("/spec/strategy/blueGreen/{key}"), a));
            }
        }
    } else if let Some(canary) = strategy
        .and_then(|s| s.get("canary"))
        .filter(|v| !v.is_null())
    {
        for (i, step) in items(canary.get("steps")) {
            if let Some(a) = step.get("analysis").filter(|v| present(Some(v))) {
                out.push(block(
                    BlockKind::Step(i),
                    format!("/spec/strategy/canary/steps/{i}/analysis"),
                    a,
                ));
            }
        }
        if let Some(a) = canary.get("analysis").filter(|v| present(Some(v))) {
            out.push(block(
                BlockKind::Background,
                "/spec/strategy/canary/analysis".into(),
                a,
            ));
        }
    }
    out
}

fn block(kind: BlockKind, pointer: String, value: &Value) -> Block<'_> {
    let templates = refs_of(value.get("templates"), &format!("{pointer}/templates"));
    let args = items(value.get("args"))
        .map(|(i, a)| RolloutArg {
            name: a.get("name").and_then(Value::as_str).unwrap_or(""),
            value: a,
            pointer: format!("{pointer}/args/{i}"),
        })
        .collect();
    Block {
        kind,
        pointer,
        value,
        templates,
        args,
    }
}

/// The `{templateName, clusterScope}` entries of a list.
pub fn refs_of<'a>(list: Option<&'a Value>, base: &str) -> Vec<Ref<'a>> {
    items(list)
        .map(|(i, r)| Ref {
            name: r.get("templateName").and_then(Value::as_str).unwrap_or(""),
            cluster_scope: r.get("clusterScope").and_then(Value::as_bool) == Some(true),
            pointer: format!("{base}/{i}"),
        })
        .collect()
}

/// Where a template reference comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Site {
    /// An analysis block of a Rollout.
    Analysis(BlockKind),
    /// `spec.strategy.canary.steps[step].experiment.analyses[]` of a Rollout.
    ExperimentStep(usize),
    /// `spec.analyses[]` of an Experiment.
    Experiment,
    /// A template followed on its own, as if an AnalysisRun were made from it alone.
    Standalone,
}

/// One reference to an analysis template, resolved against the set.
#[derive(Debug, Clone)]
pub struct TemplateRef<'a> {
    /// The template, when it is in the set.
    pub object: Option<&'a Object>,
    pub name: &'a str,
    pub cluster_scope: bool,
    /// The object the reference is written in: the Rollout (or Experiment), or the template
    /// whose `spec.templates` nests it.
    pub holder: &'a Object,
    /// JSON pointer of the reference in `holder`.
    pub pointer: String,
    /// Written in a template's `spec.templates`, not in the Rollout.
    pub nested: bool,
    /// The template is already being followed on this path: following it again never ends.
    pub cycle: bool,
    pub site: Site,
}

impl TemplateRef<'_> {
    /// `AnalysisTemplate` or `ClusterAnalysisTemplate`.
    pub fn kind(&self) -> &'static str {
        if self.cluster_scope {
            CLUSTER_TEMPLATE
        } else {
            TEMPLATE
        }
    }
}

/// The templates one analysis block runs.
#[derive(Debug, Clone)]
pub struct Resolved<'a> {
    /// Every reference followed, direct and nested, depth-first in the controller's order.
    pub refs: Vec<TemplateRef<'a>>,
    /// The templates the AnalysisRun is built from: AnalysisTemplates, then
    /// ClusterAnalysisTemplates, each de-duplicated by name.
    pub templates: Vec<&'a Object>,
    /// Every reference was found and no cycle was met: checks that need every template of the
    /// block (merged args, metric names) can be trusted.
    pub complete: bool,
}

impl Resolved<'_> {
    /// The value the controller shows for errors of the merged templates:
    /// `templateNames: [a b]`.
    pub fn template_names(&self) -> String {
        let names: Vec<&str> = self.templates.iter().map(|t| t.id.name.as_str()).collect();
        format!("templateNames: [{}]", names.join(" "))
    }
}

/// Follows `refs` (written in `holder`) for an object `from` (the Rollout or Experiment whose
/// namespace lookups use).
pub fn resolve<'a>(
    ctx: &Context<'a>,
    from: &'a Object,
    holder: &'a Object,
    refs: &[Ref<'a>],
    site: Site,
) -> Resolved<'a> {
    let mut out = Resolved {
        refs: Vec::new(),
        templates: Vec::new(),
        complete: true,
    };
    let mut namespaced: Vec<&'a Object> = Vec::new();
    let mut cluster: Vec<&'a Object> = Vec::new();
    let mut stack: Vec<(bool, &'a str)> = Vec::new();
    walk(
        ctx,
        from,
        holder,
        refs,
        false,
        site,
        &mut stack,
        &mut out,
        &mut namespaced,
        &mut cluster,
    );
    out.templates = namespaced.into_iter().chain(cluster).collect();
    out
}

/// The templates of one block of `rollout`.
pub fn resolve_block<'a>(
    ctx: &Context<'a>,
    rollout: &'a Object,
    block: &Block<'a>,
) -> Resolved<'a> {
    resolve(
        ctx,
        rollout,
        rollout,
        &block.templates,
        Site::Analysis(block.kind),
    )
}

#[allow(clippy::too_many_arguments)]
fn walk<'a>(
    ctx: &Context<'a>,
    from: &'a Object,
    holder: &'a Object,
    refs: &[Ref<'a>],
    nested: bool,
    site: Site,
    stack: &mut Vec<(bool, &'a str)>,
    out: &mut Resolved<'a>,
    namespaced: &mut Vec<&'a Object>,
    cluster: &mut Vec<&'a Object>,
) {
    for r in refs {
        let object = lookup(ctx, from, r.name, r.cluster_scope);
        let cycle = object.is_some() && stack.contains(&(r.cluster_scope, r.name));
        out.refs.push(TemplateRef {
            object,
            name: r.name,
            cluster_scope: r.cluster_scope,
            holder,
            pointer: r.pointer.clone(),
            nested,
            cycle,
            site,
        });
        let Some(template) = object else {
            out.complete = false;
            continue;
        };
        if cycle {
            out.complete = false;
            continue;
        }
        let list = if r.cluster_scope {
            &mut *cluster
        } else {
            &mut *namespaced
        };
        if !list.iter().any(|t| t.id.name == template.id.name) {
            list.push(template);
        }
        let inner = refs_of(template.value.lookup("/spec/templates"), "/spec/templates");
        if !inner.is_empty() {
            stack.push((r.cluster_scope, r.name));
            walk(
                ctx, from, template, &inner, true, site, stack, out, namespaced, cluster,
            );
            stack.pop();
        }
    }
}

/// The template named by a reference, if it is in the set.
pub fn lookup<'a>(
    ctx: &Context<'a>,
    from: &Object,
    name: &str,
    cluster_scope: bool,
) -> Option<&'a Object> {
    if name.is_empty() {
        return None;
    }
    if cluster_scope {
        ctx.find_cluster(ARGO, CLUSTER_TEMPLATE, name)
    } else {
        ctx.find(ARGO, TEMPLATE, from, name)
    }
}

/// Every template reference of a Rollout, direct and nested: its analysis blocks, then the
/// analyses of its canary experiment steps.
pub fn referenced_templates<'a>(ctx: &Context<'a>, rollout: &'a Object) -> Vec<TemplateRef<'a>> {
    let mut out = Vec::new();
    for block in analysis_blocks(rollout) {
        out.extend(resolve_block(ctx, rollout, &block).refs);
    }
    let steps = rollout.value.lookup("/spec/strategy/canary/steps");
    if rollout
        .value
        .lookup("/spec/strategy/blueGreen")
        .is_none_or(Value::is_null)
    {
        for (i, step) in items(steps) {
            let base = format!("/spec/strategy/canary/steps/{i}/experiment/analyses");
            let refs = refs_of(step.lookup("/experiment/analyses"), &base);
            out.extend(resolve(ctx, rollout, rollout, &refs, Site::ExperimentStep(i)).refs);
        }
    }
    out
}

/// Every template reference in the set: those of every Rollout and of every Experiment's
/// `spec.analyses[]`. A template no entry points at is used by nothing in the set.
pub fn all_references<'a>(ctx: &Context<'a>) -> Vec<TemplateRef<'a>> {
    let mut out = Vec::new();
    for rollout in ctx.rollouts() {
        out.extend(referenced_templates(ctx, rollout));
    }
    for experiment in ctx.of_kind(ARGO, "Experiment") {
        let refs = refs_of(experiment.value.lookup("/spec/analyses"), "/spec/analyses");
        out.extend(resolve(ctx, experiment, experiment, &refs, Site::Experiment).refs);
    }
    out
}
