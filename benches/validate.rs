//! Validation throughput: `rollwright validate` over a tree, in process, as documents per
//! second (median of repeated runs). The tree is `$ROLLWRIGHT_ARGO_CORPUS/corpus` when set (the
//! upstream examples and test manifests), else this repository's rule fixtures.
//! Run with `cargo bench --bench validate`.

use std::path::PathBuf;
use std::time::Instant;

use rollwright::input::InputOptions;
use rollwright::validate::{Options, validate};

fn main() {
    let tree = match std::env::var_os("ROLLWRIGHT_ARGO_CORPUS") {
        Some(root) => PathBuf::from(root).join("corpus"),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/rules"),
    };
    let options = Options {
        inputs: InputOptions {
            paths: vec![tree.clone()],
            ..Default::default()
        },
        ..Default::default()
    };
    let first = Instant::now();
    let report = validate(&options).expect("the tree validates");
    let cold = first.elapsed();
    let documents = report.summary.objects + report.summary.skipped_documents;
    let mut runs: Vec<f64> = (0..20)
        .map(|_| {
            let t = Instant::now();
            std::hint::black_box(validate(&options).expect("the tree validates"));
            t.elapsed().as_secs_f64()
        })
        .collect();
    runs.sort_by(f64::total_cmp);
    let median = runs[runs.len() / 2];
    println!(
        "validate {}: {} files, {} documents ({} objects), {} findings; first run {:.1} ms, median {:.1} ms, {:.0} documents/s",
        tree.display(),
        report.summary.files,
        documents,
        report.summary.objects,
        report.findings.len(),
        cold.as_secs_f64() * 1e3,
        median * 1e3,
        documents as f64 / median
    );
}
