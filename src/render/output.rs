//! Writing rendered objects: one YAML stream, or one file per object.

use std::path::Path;

use serde_json::Value;

use crate::error::{Diagnostic, Error, Location, Result};
use crate::fsutil::write_atomic;
use crate::manifest::Object;

/// One object as YAML, in the same style every time.
pub fn to_yaml(value: &Value) -> Result<String> {
    let options = serde_saphyr::ser_options! {
        // Long single-line strings (PromQL queries) stay on one line, so a diff of a changed
        // query is one line too.
        folded_wrap_chars: usize::MAX,
    };
    let mut out = String::new();
    serde_saphyr::to_fmt_writer_with_options(&mut out, value, options)
        .map_err(|e| Error::msg(format!("cannot write YAML: {e}")))?;
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

/// Writes one file per object under `dir`, each atomically. Everything is serialised before
/// the first file is written, so a failure leaves the directory as it was.
pub fn write_dir(objects: &[Object], dir: &Path) -> Result<Vec<String>> {
    let mut files = Vec::with_capacity(objects.len());
    for o in objects {
        let name = file_name(o);
        if files.iter().any(|(n, _)| n == &name) {
            return Err(Error::one(Diagnostic::new(
                Some(Location::file(&dir.join(&name), None)),
                format!("two objects would be written to the same file ({})", o.id),
            )));
        }
        files.push((name, to_yaml(&o.value)?));
    }
    std::fs::create_dir_all(dir).map_err(|e| Diagnostic::io(dir, &e))?;
    for (name, text) in &files {
        let path = dir.join(name);
        write_atomic(&path, text.as_bytes()).map_err(|e| Diagnostic::io(&path, &e))?;
    }
    Ok(files.into_iter().map(|(n, _)| n).collect())
}
