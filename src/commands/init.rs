//! `rollwright init`: write the scaffold, refusing to overwrite anything unless `--force`.

use std::path::{Path, PathBuf};

use super::Output;
use crate::cli::InitArgs;
use crate::error::{Diagnostic, Error, Location, Result};
use crate::init::{self, Place, Plan};

pub fn run(args: &InitArgs) -> Result<Output> {
    let name = match &args.name {
        Some(n) => n.clone(),
        None => dir_name(&args.dir)?,
    };
    let (repository, tag) = init::split_image(&args.image);
    let Some(tag) = tag.filter(|t| !t.is_empty()) else {
        let mut e = Error::from(
            Diagnostic::new(
                Some(Location::Flag(format!("--image {}", args.image))),
                "the image has no tag",
            )
            .with_help("give one, e.g. --image nginx:1.28 (an untagged image runs `latest`)"),
        );
        e.exit_code = 2;
        return Err(e);
    };
    if let Some(problem) = init::name_problem(&name) {
        let flag = match &args.name {
            Some(n) => format!("--name {n}"),
            None => format!("the directory name `{name}`"),
        };
        let mut e = Error::from(
            Diagnostic::new(
                Some(Location::Flag(flag)),
                format!("the application name {problem}"),
            )
            .with_help("pass --name with a name such as `shop` or `shop-api`"),
        );
        e.exit_code = 2;
        return Err(e);
    }
    let root = repository_root(&args.dir);
    let chart = relative_to(&root, &args.dir);
    let plan = Plan {
        name,
        repository,
        tag,
        pattern: args.pattern,
        schema: args
            .schema
            .clone()
            .unwrap_or_else(init::published_schema_url),
        chart,
    };
    let mut notes = String::new();
    // Each file's path as shown, and relative to the repository root (the chart directory is
    // under it), where it is written.
    let chart_prefix = match plan.chart.as_str() {
        "." => String::new(),
        c => format!("{c}/"),
    };
    let files: Vec<(PathBuf, String, String)> = init::files(&plan)
        .into_iter()
        .map(|(place, rel, text)| {
            let shown_rel = rel.to_string_lossy().replace('\\', "/");
            match place {
                Place::Chart => (
                    args.dir.join(&rel),
                    format!("{chart_prefix}{shown_rel}"),
                    text,
                ),
                Place::Root => (root.join(&rel), shown_rel, text),
            }
        })
        .filter(|(path, _, _)| {
            // One pre-commit configuration serves every application of a repository.
            let shared = path.ends_with(init::PRE_COMMIT_FILE)
                && std::fs::read_to_string(path)
                    .is_ok_and(|text| text.contains("rollwright-validate"));
            if shared {
                notes.push_str(&format!(
                    "kept {}: it already runs rollwright-validate\n",
                    path.display()
                ));
            }
            !shared
        })
        .collect();
    // Check every file before writing any, so a refusal leaves the directory as it was.
    if !args.force {
        let existing: Vec<Diagnostic> = files
            .iter()
            .map(|(p, _, _)| p)
            .filter(|p| p.exists())
            .map(|p| {
                Diagnostic::new(Some(Location::file(p, None)), "already exists")
                    .with_help("pass --force to overwrite it; nothing was written")
            })
            .collect();
        if !existing.is_empty() {
            return Err(Error::many(existing));
        }
    }
    // All files or none, through the one output-path function; a symbolic link in the way is
    // refused, even with --force.
    let tree: Vec<(String, String)> = files
        .iter()
        .map(|(_, rel, text)| (rel.clone(), text.clone()))
        .collect();
    crate::fsutil::write_tree(&root, &tree)?;
    let mut stderr = notes;
    for (path, _, _) in &files {
        stderr.push_str(&format!("wrote {}\n", path.display()));
    }
    let dir = crate::explain::flow::shell_word(&args.dir.display().to_string());
    stderr.push_str(&format!(
        "next: rollwright explain {dir}; rollwright validate {dir}; pre-commit install (with rollwright and pre-commit installed)\n"
    ));
    Ok(Output {
        stderr,
        ..Output::default()
    })
}

/// The root of the git repository holding `dir` (or the nearest existing parent of it);
/// `dir` itself outside any repository.
fn repository_root(dir: &Path) -> PathBuf {
    let mut probe = dir.to_path_buf();
    while !probe.exists() {
        match probe.parent() {
            Some(p) if !p.as_os_str().is_empty() => probe = p.to_path_buf(),
            _ => {
                probe = PathBuf::from(".");
                break;
            }
        }
    }
    let Ok(abs) = std::fs::canonicalize(&probe) else {
        return dir.to_path_buf();
    };
    abs.ancestors()
        .find(|a| a.join(".git").exists())
        .map(Path::to_path_buf)
        .unwrap_or_else(|| dir.to_path_buf())
}

/// `dir` relative to `root`, with `/` separators (`.` when they are one).
fn relative_to(root: &Path, dir: &Path) -> String {
    let abs = |p: &Path| {
        let existing = p
            .ancestors()
            .find(|a| a.exists() && !a.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let rest = p.strip_prefix(existing).unwrap_or(Path::new(""));
        std::fs::canonicalize(existing)
            .map(|e| e.join(rest))
            .unwrap_or_else(|_| p.to_path_buf())
    };
    let (root, dir) = (abs(root), abs(dir));
    match dir.strip_prefix(&root) {
        Ok(rel) if rel.as_os_str().is_empty() => ".".into(),
        Ok(rel) => rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/"),
        Err(_) => ".".into(),
    }
}

/// The directory's name, whether or not it exists yet.
fn dir_name(dir: &Path) -> Result<String> {
    let abs = if dir.exists() {
        std::fs::canonicalize(dir).map_err(|e| Diagnostic::io(dir, &e))?
    } else {
        std::env::current_dir()
            .map_err(|e| {
                Error::msg(
                    format!("no working directory: {e}"),
                    "run from a directory that exists",
                )
            })?
            .join(dir)
    };
    abs.file_name()
        .and_then(|n| n.to_str())
        .map(str::to_owned)
        .ok_or_else(|| {
            Diagnostic::new(
                Some(Location::file(dir, None)),
                "cannot take an application name from this directory",
            )
            .with_help("pass --name")
            .into()
        })
}
