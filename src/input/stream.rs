//! Reading a run one application at a time. The units of the plan whose objects can meet in
//! one application form a group; the groups are read side by side, and each is handed to the
//! caller as soon as its units are read, then dropped: what a run holds at once follows its
//! largest applications (times the worker threads), not the repository.
//!
//! Which units can meet is known before reading: every unit's objects go to one application,
//! named by the unit (a kustomize root, a chart, a Helm chart) or by where its file lies. The
//! one exception is a manifest file that turns out to be a rollwright values file: it is read
//! as its chart, so it joins the group of a chart unit of the same name, if the plan has one.
//!
//! What the run reports apart from objects (errors, notes, files read, skipped documents) is
//! gathered from the groups in plan order, as [`super::read`] gathers it: the same on any number
//! of cores.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::classify::Unit;
use super::{InputOptions, Inputs, Tools, apps, read_part, start};
use crate::error::Diagnostic;
use crate::parallel;

/// A group of at least this many units reads its units in parallel (a `tree` or `run` scope
/// makes one large group); smaller ones read theirs one after the other on one thread, so a
/// waiting thread never starts another group while it holds one.
const PARALLEL_UNITS: usize = 16;

/// What a run read, apart from its objects, and what the caller made of each group.
#[derive(Debug, Default)]
pub struct Streamed<R> {
    /// One result per group, in the plan order of the groups' first units.
    pub results: Vec<R>,
    /// Files read (a file two applications read counts once).
    pub files: usize,
    pub objects: usize,
    pub skipped_documents: usize,
    pub skipped_templates: usize,
    pub errors: Vec<Diagnostic>,
    pub notes: Vec<String>,
    /// The most objects held at once: read and not yet handed back by the caller.
    pub peak_objects: usize,
}

/// Reads every input, group by group, and hands each group's objects (in an [`Inputs`] with
/// its objects, layers, applications and the text of its files) to `check`, which owns them
/// from then on. `check`'s second argument says whether the group is the run's only one (then
/// `check` may spread one group's work over the worker threads).
pub fn read_each<R: Send>(
    options: &InputOptions,
    check: impl Fn(Inputs, bool) -> R + Sync,
) -> Streamed<R> {
    let (head, units) = start(options);
    let tools = Tools::new(options.no_tools);
    let groups = groups(&units, options);
    let only = groups.len() == 1;
    let live = AtomicUsize::new(0);
    let peak = AtomicUsize::new(0);
    let done: Vec<Done<R>> = parallel::map(&groups, 2, |group| {
        let read = |&i: &usize| {
            let part = read_part(&units[i], options, &tools);
            let now = live.fetch_add(part.objects.len(), Ordering::SeqCst);
            peak.fetch_max(now + part.objects.len(), Ordering::SeqCst);
            (i, part)
        };
        let parts = parallel::map(group, PARALLEL_UNITS, read);
        let mut done = Done {
            result: None,
            units: Vec::with_capacity(parts.len()),
            names: Vec::new(),
            objects: 0,
            skipped_documents: 0,
            skipped_templates: 0,
        };
        let mut inputs = Inputs::default();
        for (i, mut part) in parts {
            done.units.push((
                i,
                std::mem::take(&mut part.errors),
                std::mem::take(&mut part.notes),
            ));
            done.names.extend(std::mem::take(&mut part.read_names));
            done.skipped_documents += std::mem::take(&mut part.skipped_documents);
            done.skipped_templates += std::mem::take(&mut part.skipped_templates);
            inputs.join_unit(i, part);
        }
        inputs.finish(options);
        done.objects = inputs.objects.len();
        done.result = Some(check(inputs, only));
        live.fetch_sub(done.objects, Ordering::SeqCst);
        done
    });
    gather(head, done, peak.into_inner())
}

/// One group, read and checked.
struct Done<R> {
    result: Option<R>,
    /// Per unit: its index in the plan, its errors and notes.
    units: Vec<(usize, Vec<Diagnostic>, Vec<String>)>,
    names: Vec<String>,
    objects: usize,
    skipped_documents: usize,
    skipped_templates: usize,
}

fn gather<R>(head: Inputs, done: Vec<Done<R>>, peak_objects: usize) -> Streamed<R> {
    let mut out = Streamed {
        results: Vec::with_capacity(done.len()),
        files: 0,
        objects: 0,
        skipped_documents: 0,
        skipped_templates: 0,
        errors: head.errors,
        notes: head.notes,
        peak_objects,
    };
    let mut names: HashSet<String> = HashSet::new();
    let mut units = Vec::new();
    for d in done {
        out.results.extend(d.result);
        out.objects += d.objects;
        out.skipped_documents += d.skipped_documents;
        out.skipped_templates += d.skipped_templates;
        names.extend(d.names);
        units.extend(d.units);
    }
    units.sort_by_key(|(i, _, _)| *i);
    for (_, errors, notes) in units {
        out.errors.extend(errors);
        out.notes.extend(notes);
    }
    out.files = names.len();
    out
}

/// The units of the plan in groups whose objects never share an application with another
/// group's, each group in plan order, the groups in the order of their first units.
fn groups(units: &[Unit], options: &InputOptions) -> Vec<Vec<usize>> {
    let mut parent: Vec<usize> = (0..units.len()).collect();
    fn root(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    fn join(parent: &mut [usize], a: usize, b: usize) {
        let (a, b) = (root(parent, a), root(parent, b));
        parent[a.max(b)] = a.min(b);
    }
    let mut owner: HashMap<Arc<str>, usize> = HashMap::new();
    for (i, unit) in units.iter().enumerate() {
        let key = application(unit, options);
        match owner.get(&key) {
            Some(&j) => join(&mut parent, i, j),
            None => {
                owner.insert(key, i);
            }
        }
    }
    for (i, unit) in units.iter().enumerate() {
        if let Unit::File { path, .. } = unit
            && let Some(&j) = owner.get(&apps::of_chart(path, None, &[]))
        {
            join(&mut parent, i, j);
        }
    }
    let mut index: HashMap<usize, usize> = HashMap::new();
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for i in 0..units.len() {
        let r = root(&mut parent, i);
        let g = *index.entry(r).or_insert_with(|| {
            groups.push(Vec::new());
            groups.len() - 1
        });
        groups[g].push(i);
    }
    groups
}

/// The application a unit's objects go to (unless a manifest file turns out to be a values
/// file; see the module's documentation). The readers name applications by the same calls.
fn application(unit: &Unit, options: &InputOptions) -> Arc<str> {
    match unit {
        Unit::Stdin => apps::of_stdin(options.scope),
        Unit::Text(i) => apps::of_name(options.scope, &options.texts[*i].0),
        Unit::File { app, .. } => app.clone(),
        Unit::Kustomize { root, .. } => apps::of_kustomize(root),
        Unit::Helm { dir } => apps::of_helm(dir),
        Unit::Chart {
            chart,
            overlay,
            flags,
        } => {
            let files: &[std::path::PathBuf] = if *flags {
                &options.chart_flags.files
            } else {
                &[]
            };
            apps::of_chart(chart, overlay.as_deref(), files)
        }
    }
}
