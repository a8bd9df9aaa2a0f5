//! Validation throughput in process: documents per second for `rollwright validate` over a
//! tree, next to the floor (reading and parsing the same files without validating), as
//! medians of repeated, alternating runs.
//!
//! Trees: a generated repository of `ROLLWRIGHT_BENCH_BUNDLES` bundles (2,000 by default,
//! about 8,500 documents; see benches/support/corpus.rs), or `ROLLWRIGHT_BENCH_TREE` when set,
//! and the upstream corpus when `ROLLWRIGHT_ARGO_CORPUS` is set.
//! Run with `cargo bench --bench validate`; `RAYON_NUM_THREADS=1` for one core.

#[path = "support/corpus.rs"]
#[allow(dead_code)]
mod corpus;

use std::path::{Path, PathBuf};
use std::time::Instant;

use rollwright::input::{self, InputOptions};
use rollwright::validate::{Options, validate};

// The allocator the binary uses (src/main.rs), so that both figures are the binary's.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn median(mut samples: Vec<f64>) -> f64 {
    samples.sort_by(f64::total_cmp);
    samples[samples.len() / 2]
}

fn timed(f: impl FnOnce()) -> f64 {
    let t = Instant::now();
    f();
    t.elapsed().as_secs_f64()
}

fn bench(label: &str, tree: &Path, runs: usize) {
    let options = Options {
        inputs: InputOptions {
            paths: vec![tree.to_path_buf()],
            ..Default::default()
        },
        ..Default::default()
    };
    let report = validate(&options).expect("the tree validates");
    let documents = report.summary.objects + report.summary.skipped_documents;
    // Parse and validate alternate, so a change of load between rounds weighs on both; the
    // ratio is the median of the rounds' ratios.
    let (mut parse, mut full, mut ratio) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..runs {
        let p = timed(|| {
            let inputs = rollwright::parallel::install(|| input::read(&options.inputs));
            std::hint::black_box(inputs);
        });
        let f = timed(|| {
            std::hint::black_box(validate(&options).expect("the tree validates"));
        });
        parse.push(p);
        full.push(f);
        ratio.push(f / p);
    }
    let (parse, full, ratio) = (median(parse), median(full), median(ratio));
    println!(
        "{label}: {} files, {documents} documents, {} findings\n  parse only  {:>8.1} ms  {:>8.0} documents/s\n  validate    {:>8.1} ms  {:>8.0} documents/s  ({:.2}x the parse-only floor)",
        report.summary.files,
        report.findings.len(),
        parse * 1e3,
        documents as f64 / parse,
        full * 1e3,
        documents as f64 / full,
        ratio,
    );
}

fn main() {
    let generated;
    let tree = match std::env::var_os("ROLLWRIGHT_BENCH_TREE") {
        Some(t) => PathBuf::from(t),
        None => {
            let bundles = std::env::var("ROLLWRIGHT_BENCH_BUNDLES")
                .ok()
                .and_then(|n| n.parse().ok())
                .unwrap_or(2000);
            generated = tempfile::tempdir().expect("a scratch directory");
            corpus::generate(generated.path(), bundles, 1).expect("the corpus is written");
            generated.path().to_path_buf()
        }
    };
    bench("generated repository", &tree, 10);
    if let Some(root) = std::env::var_os("ROLLWRIGHT_ARGO_CORPUS") {
        bench("upstream corpus", &PathBuf::from(root).join("corpus"), 20);
    }
}
