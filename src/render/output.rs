//! Writing rendered objects: one YAML stream, or one file per object.

use std::path::Path;

use serde_json::Value;

use crate::error::{Diagnostic, Error, Location, Result};
use crate::fsutil::write_tree;
use crate::manifest::Object;

/// One object as YAML, in the same style every time.
pub fn to_yaml(value: &Value) -> Result<String> {
    let options = serde_saphyr::ser_options! {
        // Long single-line strings (PromQL queries) stay on one line, so a diff of a changed
        // query is one line too.
        folded_wrap_chars: usize::MAX,
    };
    let mut out = String::new();
    serde_saphyr::to_fmt_writer_with_options(&mut out, value, options).map_err(|e| {
        Error::msg(
            format!("cannot write YAML: {e}"),
            "this is a defect in rollwright; please report it with the values that cause it",
        )
    })?;
    Ok(out)
}

/// All objects as one multi-document stream, in render order.
pub fn to_stream(objects: &[Object]) -> Result<String> {
    let mut out = String::new();
    for o in objects {
        out.push_str("---\n");
        out.push_str(&to_yaml(&o.value)?);
    }
    Ok(out)
}

/// The file an object is written to under `--output-dir`: `<kind>-<name>.yaml`, lower-case.
pub fn file_name(o: &Object) -> String {
    format!("{}-{}.yaml", o.id.kind, o.id.name).to_lowercase()
}

/// Writes one file per object under `dir`, all or none (`fsutil::write_tree`). Every file
/// name is checked and every object serialised before the first byte is written; a name that
/// would not make a plain file name (`/`, `..`, control characters) is refused.
pub fn write_dir(objects: &[Object], dir: &Path) -> Result<Vec<String>> {
    let mut files: Vec<(String, String)> = Vec::with_capacity(objects.len());
    for o in objects {
        let name = file_name(o);
        crate::sanitize::path::file_name(&name).map_err(|e| {
            Error::one(
                Diagnostic::new(
                    Some(Location::file(dir, None)),
                    format!("cannot write {} to a file of its own: {e}", o.id),
                )
                .with_help("Kubernetes kinds and names are letters, digits, `-` and `.`: fix the template or value that made this one; nothing was written"),
            )
        })?;
        if files.iter().any(|(n, _)| n == &name) {
            return Err(Error::one(
                Diagnostic::new(
                    Some(Location::file(&dir.join(&name), None)),
                    format!("two objects would be written to the same file ({})", o.id),
                )
                .with_help("give the objects different names, or render to standard output"),
            ));
        }
        files.push((name, to_yaml(&o.value)?));
    }
    write_tree(dir, &files)?;
    Ok(files.into_iter().map(|(n, _)| n).collect())
}
