//! `rollwright render`: values → templates → manifests.

use crate::cli::RenderArgs;
use crate::error::{Diagnostic, Error, Location, Result};
use crate::render::{self, output};
use crate::values::{self, ValuesInput};

pub fn run(args: &RenderArgs) -> Result<String> {
    refuse_helm_chart(&args.values.chart)?;
    let mut input = args.values.input();
    if args.argocd_env {
        apply_argocd_env(&mut input, crate::argocd::from_vars(std::env::vars()))?;
    }
    let loaded = values::load(&input)?;
    let objects = render::render(&loaded, args.namespace.as_deref())?;
    match &args.output_dir {
        Some(dir) => {
            let files = output::write_dir(&objects, dir)?;
            let note = format!("wrote {} files to {}", files.len(), dir.display());
            eprintln!("{}", crate::sanitize::terminal::line(&note));
            Ok(String::new())
        }
        None => output::to_stream(&objects),
    }
}

/// Puts the environment's flags before the command line's, so that the command line wins
/// (right-most wins within each flag kind). `-f` files are relative to the chart directory,
/// where Argo CD runs the plugin, and must stay inside it: the env is written by whoever
/// writes the Application, who must not get the plugin to read (and an error to echo) any
/// other file on the repo server.
fn apply_argocd_env(input: &mut ValuesInput, env: crate::argocd::EnvFlags) -> Result<()> {
    let base = if input.chart.is_dir() {
        input.chart.clone()
    } else {
        match input.chart.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => std::path::PathBuf::from("."),
        }
    };
    let mut files = Vec::with_capacity(env.values.len());
    for f in &env.values {
        let real = crate::sanitize::path::resolve_inside(&base, f).map_err(|e| {
            Error::one(
                Diagnostic::new(
                    Some(Location::Flag("ARGOCD_ENV_ROLLWRIGHT_VALUES".into())),
                    format!("refusing to read {e}"),
                )
                .with_help(format!(
                    "name values files relative to the chart directory {} and inside it (symbolic links included)",
                    base.display()
                )),
            )
        })?;
        // Read where it really is: the link checked is the link read.
        files.push(real);
    }
    input.files.splice(0..0, files);
    input.set.splice(0..0, env.set);
    input.set_string.splice(0..0, env.set_string);
    Ok(())
}

/// A Helm chart (`Chart.yaml` and `templates/`) is helm's to render: rollwright's values and
/// templates are not Helm's, and reading its values.yaml alone would drop its templates.
fn refuse_helm_chart(chart: &std::path::Path) -> Result<()> {
    let dir = if chart.is_dir() {
        chart
    } else {
        match chart.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => std::path::Path::new("."),
        }
    };
    if crate::input::helm::has_templates(dir) {
        return Err(Diagnostic::new(
            Some(Location::file(chart, None)),
            "is a Helm chart (Chart.yaml and templates/), not a rollwright chart",
        )
        .with_help(format!(
            "render it with helm: `helm template NAME {}`; `rollwright validate {}` renders it with helm and validates the result",
            dir.display(),
            dir.display()
        ))
        .into());
    }
    Ok(())
}
