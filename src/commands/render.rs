//! `rollwright render`: values → templates → manifests.

use crate::cli::RenderArgs;
use crate::error::{Diagnostic, Location, Result};
use crate::render::{self, output};
use crate::values::{self, ValuesInput};

pub fn run(args: &RenderArgs) -> Result<String> {
    refuse_helm_chart(&args.values.chart)?;
    let mut input = args.values.input();
    if args.argocd_env {
        apply_argocd_env(&mut input, crate::argocd::from_vars(std::env::vars()));
    }
    let loaded = values::load(&input)?;
    let objects = render::render(&loaded, args.namespace.as_deref())?;
    match &args.output_dir {
        Some(dir) => {
            let files = output::write_dir(&objects, dir)?;
            eprintln!("wrote {} files to {}", files.len(), dir.display());
            Ok(String::new())
        }
        None => output::to_stream(&objects),
    }
}

/// Puts the environment's flags before the command line's, so that the command line wins
/// (right-most wins within each flag kind). `-f` files are relative to the chart directory,
/// where Argo CD runs the plugin.
fn apply_argocd_env(input: &mut ValuesInput, env: crate::argocd::EnvFlags) {
    let base = if input.chart.is_dir() {
        input.chart.clone()
    } else {
        input
            .chart
            .parent()
            .map(std::path::Path::to_path_buf)
            .unwrap_or_default()
    };
    let files: Vec<_> = env.values.iter().map(|f| base.join(f)).collect();
    input.files.splice(0..0, files);
    input.set.splice(0..0, env.set);
    input.set_string.splice(0..0, env.set_string);
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
