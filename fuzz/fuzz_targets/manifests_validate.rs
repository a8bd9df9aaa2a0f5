//! Manifests: reading any bytes as a YAML stream, schema validation, every rule and every
//! report format never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rollwright::input::InputOptions;
use rollwright::report::{self, Format, WriteOptions};
use rollwright::validate::{Options, validate};

fuzz_target!(|data: &[u8]| {
    let options = Options {
        inputs: InputOptions {
            texts: vec![("fuzz.yaml".into(), data.to_vec())],
            ..Default::default()
        },
        ..Default::default()
    };
    if let Ok(report) = validate(&options) {
        for format in [Format::Text, Format::Json, Format::Sarif, Format::Github] {
            let _ = report::write(&report, format, &WriteOptions { color: true });
        }
    }
});
