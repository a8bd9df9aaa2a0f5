//! `rollwright init`: write the scaffold, refusing to overwrite anything unless `--force`.

use std::path::Path;

use super::Output;
use crate::cli::InitArgs;
use crate::error::{Diagnostic, Error, Location, Result};
use crate::init::{self, Plan};

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
    let plan = Plan {
        name,
        repository,
        tag,
        pattern: args.pattern,
        schema: args
            .schema
            .clone()
            .unwrap_or_else(init::published_schema_url),
    };
    let files = init::files(&plan);
    // Check every file before writing any, so a refusal leaves the directory as it was.
    if !args.force {
        let existing: Vec<Diagnostic> = files
            .iter()
            .map(|(rel, _)| args.dir.join(rel))
            .filter(|p| p.exists())
            .map(|p| {
                Diagnostic::new(Some(Location::file(&p, None)), "already exists")
                    .with_help("pass --force to overwrite it; nothing was written")
            })
            .collect();
        if !existing.is_empty() {
            return Err(Error::many(existing));
        }
    }
    // All files or none; a symbolic link in the way is refused, even with --force.
    let tree: Vec<(String, String)> = files
        .iter()
        .map(|(rel, text)| (rel.to_string_lossy().into_owned(), text.clone()))
        .collect();
    crate::fsutil::write_tree(&args.dir, &tree)?;
    let mut stderr = String::new();
    for (rel, _) in &files {
        stderr.push_str(&format!("wrote {}\n", args.dir.join(rel).display()));
    }
    let dir = args.dir.display();
    stderr.push_str(&format!(
        "next: rollwright explain {dir}; rollwright validate {dir}; pre-commit install\n"
    ));
    Ok(Output {
        stderr,
        ..Output::default()
    })
}

/// The directory's name, whether or not it exists yet.
fn dir_name(dir: &Path) -> Result<String> {
    let abs = if dir.exists() {
        std::fs::canonicalize(dir).map_err(|e| Diagnostic::io(dir, &e))?
    } else {
        std::env::current_dir()
            .map_err(|e| Error::msg(format!("no working directory: {e}")))?
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
