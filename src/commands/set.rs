//! `rollwright set` and `rollwright set-image`: edit a values file in place.
//!
//! The edit itself is `values::edit` (only the bytes of the value change). Here: which file,
//! validating the result as `render` would read it, and writing it atomically or showing the
//! diff.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::Output;
use crate::cli::{SetArgs, SetImageArgs};
use crate::error::{Diagnostic, Error, Location, Result};
use crate::finding::Severity;
use crate::values::edit::{self, Change, EditError};
use crate::values::set::{Segment, SetKind, parse_assignments};
use crate::values::{self, ValuesInput};

pub fn run_set_image(args: &SetImageArgs) -> Result<Output> {
    let (chart, tag) = match args.args.as_slice() {
        [tag] => {
            one_argument_is_a_tag(tag)?;
            (PathBuf::from("."), tag)
        }
        [chart, tag] => {
            arguments_in_order(chart, tag)?;
            (PathBuf::from(chart), tag)
        }
        _ => unreachable!("clap takes one or two arguments"),
    };
    if tag.is_empty() {
        return Err(usage("the tag is empty", "rollwright set-image 1.29"));
    }
    check_tag(tag, args.repository.as_deref())?;
    if let Some(repo) = &args.repository {
        check_repository(repo)?;
    }
    let key = |k: &str| vec![Segment::Key("image".into()), Segment::Key(k.into())];
    // A tag is a string whatever it looks like: `1.29` must not become the number 1.29.
    let mut changes = vec![Change {
        path: key("tag"),
        value: Value::String(tag.clone()),
    }];
    if let Some(repo) = &args.repository {
        changes.insert(
            0,
            Change {
                path: key("repository"),
                value: Value::String(repo.clone()),
            },
        );
    }
    edit_file(&chart, &changes, args.dry_run)
}

pub fn run_set(args: &SetArgs) -> Result<Output> {
    let (chart, assignments) = match args.args.split_first() {
        Some((first, rest)) if !first.contains('=') => (PathBuf::from(first), rest),
        _ => (PathBuf::from("."), args.args.as_slice()),
    };
    if assignments.is_empty() {
        return Err(usage(
            "no KEY=VALUE to set",
            "rollwright set CHART replicaCount=3 (CHART: the chart directory, default .)",
        ));
    }
    // `set replicaCount 3`: a key and its value as two arguments, the key taken for a chart.
    if let ([key, ..], Some(value)) = (args.args.as_slice(), assignments.first())
        && !key.contains('=')
        && !Path::new(key).exists()
        && !value.contains('=')
        && !key.contains(['/', '\\'])
    {
        return Err(usage(
            &format!(
                "`{key}` is not a chart directory or values file, and `{value}` is not KEY=VALUE"
            ),
            &format!("rollwright set {key}={value} (one argument, no space around `=`)"),
        ));
    }
    let mut changes = Vec::new();
    for arg in assignments {
        let parsed = parse_assignments(arg, SetKind::Set).map_err(|e| {
            Error::from(
                Diagnostic::new(Some(Location::Flag(arg.clone())), e.message)
                    .with_help("write KEY=VALUE, e.g. image.tag=1.29 or 'a.b[0].c=x'"),
            )
        })?;
        changes.extend(
            parsed
                .into_iter()
                .map(|(path, value)| Change { path, value }),
        );
    }
    edit_file(&chart, &changes, args.dry_run)
}

/// With one argument that argument is the tag, and the chart is `.`: an argument that names a
/// directory or a values file is a chart given without its tag, not a tag.
fn one_argument_is_a_tag(arg: &str) -> Result<()> {
    let path = Path::new(arg);
    let what = if path.is_dir() {
        "a directory"
    } else if path.is_file() {
        "a file"
    } else if arg.ends_with(".yaml") || arg.ends_with(".yml") {
        "a values file name"
    } else {
        return Ok(());
    };
    let mut e = Error::from(
        Diagnostic::new(
            None,
            format!("the tag is missing: `{arg}` is {what}, not a tag"),
        )
        .with_help(format!(
            "name the chart, then the tag: rollwright set-image {} 1.29 (to set the tag `{arg}` in the chart here: rollwright set-image . {})",
            crate::explain::flow::shell_word(arg),
            crate::explain::flow::shell_word(arg)
        )),
    );
    e.exit_code = 2;
    Err(e)
}

/// `set-image 1.29 CHART`: the tag first and the chart second.
fn arguments_in_order(chart: &str, tag: &str) -> Result<()> {
    use crate::rules::image;
    if Path::new(chart).exists() || !Path::new(tag).exists() || !image::is_tag(chart) {
        return Ok(());
    }
    let mut e = Error::from(
        Diagnostic::new(
            None,
            format!("`{chart}` is not a chart directory or values file, and `{tag}` is one: the chart comes first"),
        )
        .with_help(format!(
            "rollwright set-image {} {}",
            crate::explain::flow::shell_word(tag),
            crate::explain::flow::shell_word(chart)
        )),
    );
    e.exit_code = 2;
    Err(e)
}

/// A tag is what follows `repository:` (or a digest, `sha256:…`): a whole reference where a
/// tag is expected would render `nginx:nginx:1.29`, which no kubelet can pull.
fn check_tag(tag: &str, repository: Option<&str>) -> Result<()> {
    use crate::rules::image;
    let digest = tag.starts_with("sha256:") && image::digest_error(tag).is_none();
    if image::is_tag(tag) || digest {
        return Ok(());
    }
    let whole = image::parse(tag)
        .ok()
        .filter(|r| r.tag.is_some() || r.digest.is_some());
    let message = match &whole {
        Some(_) => format!("`{tag}` is a whole image reference, not a tag"),
        None => format!("`{tag}` is not an image tag"),
    };
    let help = match whole {
        Some(r) => {
            let repo = match r.registry {
                Some(registry) => format!("{registry}/{}", r.path),
                None => r.path.to_owned(),
            };
            let new_tag = r.tag.or(r.digest).unwrap_or_default();
            let same_repo = repository.is_none_or(|given| given == repo);
            if same_repo {
                format!("set the tag alone, with --repository for the repository: rollwright set-image CHART {new_tag} --repository {repo}")
            } else {
                format!("set the tag alone: rollwright set-image CHART {new_tag}")
            }
        }
        None if tag.starts_with("sha256:") => {
            "a digest is sha256: and 64 lower-case hexadecimal digits".to_owned()
        }
        None => "a tag is at most 128 letters, digits, '_', '.' and '-', not starting with '.' or '-' (e.g. 1.29), or a digest (sha256:…)".to_owned(),
    };
    let mut e = Error::from(Diagnostic::new(None, message).with_help(help));
    e.exit_code = 2;
    Err(e)
}

/// `--repository` names a repository: no tag, no digest.
fn check_repository(repo: &str) -> Result<()> {
    use crate::rules::image;
    let problem = match image::parse(repo) {
        Ok(r) if r.tag.is_none() && r.digest.is_none() => return Ok(()),
        Ok(_) => "names a tag or digest: give those as TAG".to_owned(),
        Err(e) => e.message().to_owned(),
    };
    let mut e = Error::from(
        Diagnostic::new(
            Some(Location::Flag(format!("--repository {repo}"))),
            format!("not an image repository: {problem}"),
        )
        .with_help("write [registry[:port]/]path, e.g. nginx or ghcr.io/acme/shop"),
    );
    e.exit_code = 2;
    Err(e)
}

fn usage(message: &str, example: &str) -> Error {
    let mut e = Error::from(Diagnostic::new(None, message).with_help(format!("e.g. {example}")));
    e.exit_code = 2;
    e
}

/// `CHART` is a directory holding `values.yaml`, or the values file itself.
fn values_file(chart: &Path) -> Result<PathBuf> {
    if chart.is_dir() {
        let file = chart.join("values.yaml");
        // A FIFO or device is refused by the read, with what it is.
        if std::fs::metadata(&file).is_ok_and(|m| !m.is_dir()) {
            return Ok(file);
        }
        return Err(Diagnostic::new(
            Some(Location::file(chart, None)),
            "no values.yaml in this chart directory",
        )
        .with_help("name the values file to edit")
        .into());
    }
    if chart.is_file() {
        return Ok(chart.to_path_buf());
    }
    Err(Diagnostic::new(
        Some(Location::file(chart, None)),
        "no such chart directory or values file",
    )
    .with_help("CHART is a directory holding values.yaml, or a values file")
    .into())
}

fn edit_file(chart: &Path, changes: &[Change], dry_run: bool) -> Result<Output> {
    let path = values_file(chart)?;
    let bytes = crate::fsutil::read_regular(&path)?;
    let layout = edit::Layout::of(&bytes);
    let text = crate::yaml::decode(&bytes).map_err(|e| Diagnostic::yaml(&path, e))?;
    let text = &*layout.to_lf(text);
    let (new, notes) = edit::apply_noting(text, changes).map_err(|e| edit_error(&path, e))?;
    let loaded = validate(&path, &new)?;
    let summary: Vec<String> = changes
        .iter()
        .map(|c| format!("{}={}", edit::dotted(&c.path), c.value))
        .collect();
    let mut said = String::new();
    for n in &notes {
        said.push_str(&match &n.new {
            Some(fresh) => format!(
                "{}:{}: the comment \"{}\" spoke of the old value; now \"{fresh}\"\n",
                path.display(),
                n.line,
                n.old
            ),
            None => format!(
                "{}:{}: removed the comment \"{}\": it spoke of the old value\n",
                path.display(),
                n.line,
                n.old
            ),
        });
    }
    // What `validate` would now report that it did not before the change (e.g. P-01 for
    // `autoPromotionSeconds` while auto-promotion is off): the edit is made, and said.
    let before = validate(&path, text)
        .map(|l| findings(&l))
        .unwrap_or_default();
    for (rule, severity, message, help) in findings(&loaded) {
        if before.iter().any(|b| b.0 == rule && b.2 == message) {
            continue;
        }
        said.push_str(&format!(
            "{} {rule}: {}: {message}\n",
            severity.as_str(),
            path.display()
        ));
        if let Some(help) = help {
            said.push_str(&format!("  help: {help}\n"));
        }
    }
    let said = crate::sanitize::terminal::text(&said).into_owned();
    if new == text {
        return Ok(Output {
            stderr: format!("{}: unchanged ({})\n", path.display(), summary.join(", ")),
            ..Output::default()
        });
    }
    if dry_run {
        let name = path.display().to_string();
        let diff = similar::TextDiff::from_lines(text, new.as_str())
            .unified_diff()
            .context_radius(3)
            .header(&name, &name)
            .to_string();
        return Ok(Output {
            stdout: crate::sanitize::terminal::text(&diff).into_owned(),
            stderr: said,
            ..Output::default()
        });
    }
    crate::fsutil::write_atomic(&path, &layout.restore(&new))?;
    Ok(Output {
        stderr: format!("{}: set {}\n{said}", path.display(), summary.join(", ")),
        ..Output::default()
    })
}

/// The warnings and errors `validate` gives for what these values render.
fn findings(loaded: &values::Loaded) -> Vec<(&'static str, Severity, String, Option<String>)> {
    let Ok(objects) = crate::render::render(loaded, None) else {
        return Vec::new();
    };
    let schema_errors = vec![Vec::new(); objects.len()];
    let ctx = crate::rules::Context::new(&objects, &schema_errors, false);
    crate::rules::run(&ctx, crate::parallel::OBJECTS)
        .into_iter()
        .filter(|f| f.severity >= Severity::Warning)
        .map(|f| (f.rule.id, f.severity, f.message, f.help))
        .collect()
}

fn edit_error(path: &Path, e: EditError) -> Error {
    let help = e
        .help
        .unwrap_or_else(|| "edit the file by hand, then check it with `rollwright render`".into());
    Diagnostic::new(Some(Location::file(path, e.pos)), e.message)
        .with_help(help)
        .into()
}

/// Reads the edited text as `render` would, from a temporary file beside the original (so the
/// chart directory, and with it the default application name, stays the same). A file other
/// than the chart's `values.yaml` is an overlay: it is checked laid over `values.yaml`.
fn validate(path: &Path, text: &str) -> Result<values::Loaded> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".rollwright-")
        .suffix(".yaml")
        .tempfile_in(&dir)
        .map_err(|e| Diagnostic::write(&dir, &e))?;
    tmp.write_all(text.as_bytes())
        .map_err(|e| Diagnostic::write(tmp.path(), &e))?;
    let chart_values = dir.join("values.yaml");
    let is_chart_values = path.file_name() == Some("values.yaml".as_ref());
    let input = if !is_chart_values && chart_values.is_file() {
        ValuesInput {
            chart: chart_values,
            files: vec![tmp.path().to_path_buf()],
            ..ValuesInput::default()
        }
    } else {
        ValuesInput {
            chart: tmp.path().to_path_buf(),
            ..ValuesInput::default()
        }
    };
    values::load(&input).map_err(|mut err| {
        // Point at the real file, and say that nothing was written.
        let tmp_name = tmp.path().display().to_string();
        for d in &mut err.diagnostics {
            if let Some(Location::File { path: p, .. }) = &mut d.location
                && *p == tmp_name
            {
                *p = path.display().to_string();
            }
        }
        err.diagnostics.push(
            Diagnostic::new(None, format!("{} was not changed", path.display()))
                .with_help("fix what is above and run the command again"),
        );
        err
    })
}
