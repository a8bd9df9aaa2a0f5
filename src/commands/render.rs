//! `rollwright render`: values → templates → manifests.

use crate::cli::RenderArgs;
use crate::error::Result;
use crate::render::{self, output};
use crate::values;

pub fn run(args: &RenderArgs) -> Result<String> {
    let loaded = values::load(&args.values.input())?;
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
