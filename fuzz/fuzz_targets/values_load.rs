//! A chart's values file: reading, layering over the defaults, checking, typing and rendering
//! it never panics, whatever the file holds.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use rollwright::values::{self, ValuesInput};

fn chart() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("rollwright-fuzz-values-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("a scratch chart directory");
        dir
    })
}

fuzz_target!(|data: &[u8]| {
    let dir = chart();
    std::fs::write(dir.join("values.yaml"), data).expect("the scratch values file is writable");
    let input = ValuesInput {
        chart: dir.clone(),
        ..Default::default()
    };
    if let Ok(loaded) = values::load(&input) {
        let _ = rollwright::render::render(&loaded, None);
    }
});
