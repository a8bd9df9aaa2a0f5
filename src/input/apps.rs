//! Applications: the sets of objects that references, duplicates and "not referenced"
//! warnings resolve in. By default the plain manifests of one directory form one application
//! (what an Argo CD Application with a directory source deploys); the scope can widen that to
//! everything under one path argument, or to the whole run. A kustomize root, a Helm chart
//! and each render of a rollwright chart (with or without an overlay) are always one
//! application each: each is what one Argo CD Application deploys, and two of them (a base
//! and its overlay) hold the same objects by design.

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Deserialize;

use super::walk;

/// How plain manifest files group into applications.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum AppScope {
    /// The files of one directory (not its subdirectories).
    #[default]
    Directory,
    /// Everything under one path argument; files named on the command line together.
    Tree,
    /// Every plain manifest of the run.
    Run,
}

/// One application of a run: a name for messages and its objects' range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Application {
    pub name: Arc<str>,
    pub objects: Range<usize>,
    /// The unit of the plan its first object came from: applications are met in this order.
    pub first_unit: usize,
}

/// The application of the plain manifest files of `dir`: `tree` is the path argument it was
/// found under (`None` for files named on the command line).
pub fn of_dir(scope: AppScope, cwd: &Path, dir: &Path, tree: Option<usize>) -> Arc<str> {
    match scope {
        AppScope::Directory => {
            format!("directory {}", walk::absolute_in(cwd, dir).display()).into()
        }
        AppScope::Tree => match tree {
            Some(i) => format!("tree #{i}").into(),
            None => "files named".into(),
        },
        AppScope::Run => "run".into(),
    }
}

/// The application of a text or file given by name alone.
pub fn of_name(scope: AppScope, name: &str) -> Arc<str> {
    let dir = Path::new(name)
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    of_dir(
        scope,
        &std::env::current_dir().unwrap_or_default(),
        dir,
        None,
    )
}

/// The application of standard input.
pub fn of_stdin(scope: AppScope) -> Arc<str> {
    match scope {
        AppScope::Run => "run".into(),
        _ => "standard input".into(),
    }
}

/// The application of a kustomize root.
pub fn of_kustomize(root: &Path) -> Arc<str> {
    format!("kustomize {}", root.display()).into()
}

/// The application of a Helm chart.
pub fn of_helm(dir: &Path) -> Arc<str> {
    format!("helm chart {}", dir.display()).into()
}

/// The application of a rollwright chart (or a values file standing for one) rendered with
/// an overlay and `-f` files.
pub fn of_chart(chart: &Path, overlay: Option<&Path>, files: &[PathBuf]) -> Arc<str> {
    let mut app = format!("chart {}", chart.display());
    for f in overlay
        .into_iter()
        .chain(files.iter().map(PathBuf::as_path))
    {
        app.push_str(&format!(" -f {}", f.display()));
    }
    app.into()
}
