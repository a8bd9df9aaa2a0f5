//! In-process render benchmark: load + layer + check the example's values, render the
//! templates, parse the result back and serialise it, as `rollwright render` does.
//! Run with `cargo bench --bench render`; prints the median and the 90th percentile.

use std::hint::black_box;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use rollwright::render::{self, output};
use rollwright::values::{self, ValuesInput};

fn main() {
    let chart = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/rollouts-demo");
    let input = ValuesInput {
        chart,
        set: vec!["image.tag=1.29".into()],
        ..Default::default()
    };
    let once = || {
        let loaded = values::load(&input).expect("example loads");
        let objects = render::render(&loaded, None).expect("example renders");
        output::to_stream(&objects).expect("serialises")
    };
    // The first run compiles the values schema validator, once per process as in the CLI.
    let first = Instant::now();
    black_box(once());
    let cold = first.elapsed();
    let mut samples: Vec<Duration> = (0..300)
        .map(|_| {
            let t = Instant::now();
            black_box(once());
            t.elapsed()
        })
        .collect();
    samples.sort();
    let median = samples[samples.len() / 2];
    let p90 = samples[samples.len() * 9 / 10];
    println!(
        "render examples/rollouts-demo: first {:.3} ms, median {:.3} ms, p90 {:.3} ms ({} runs)",
        cold.as_secs_f64() * 1e3,
        median.as_secs_f64() * 1e3,
        p90.as_secs_f64() * 1e3,
        samples.len()
    );
}
