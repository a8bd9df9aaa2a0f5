//! Schema costs: building and compiling each kind's validator (once per kind and process),
//! and checking one object: by its typed read, and with a compiled validator. Run with `cargo bench --bench schema`;
//! prints medians. With `ROLLWRIGHT_ARGO_CORPUS` set, also times the upstream Argo CRDs.

use std::hint::black_box;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use rollwright::manifest::Object;
use rollwright::render;
use rollwright::schema::{Schemas, json};
use rollwright::values::{self, ValuesInput};

fn median(runs: usize, mut f: impl FnMut()) -> Duration {
    let mut samples: Vec<Duration> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .collect();
    samples.sort();
    samples[samples.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1e3)
}

fn us(d: Duration) -> String {
    format!("{:.1} µs", d.as_secs_f64() * 1e6)
}

fn main() {
    println!("built-in kind: build schema + compile = first use (median of 20)");
    for (api_version, kind) in Schemas::builtin_kinds() {
        let build = median(20, || {
            black_box(Schemas::builtin_schema(api_version, kind));
        });
        let schema = Schemas::builtin_schema(api_version, kind).expect("built in");
        let compile = median(20, || {
            black_box(json::compile(&schema).expect("compiles"));
        });
        println!(
            "  {api_version:>30} {kind:<24} {} + {} = {}",
            ms(build),
            ms(compile),
            ms(build + compile)
        );
    }

    if let Some(corpus) = std::env::var_os("ROLLWRIGHT_ARGO_CORPUS") {
        let crds = PathBuf::from(corpus).join("crds");
        let load = median(10, || {
            black_box(Schemas::with_crds(std::slice::from_ref(&crds)).expect("CRDs load"));
        });
        println!("upstream CRDs: read + convert all five: {}", ms(load));
        let schemas = Schemas::with_crds(&[crds]).expect("CRDs load");
        for kind in ["Rollout", "AnalysisTemplate", "AnalysisRun", "Experiment"] {
            let schema = schemas
                .json_schema("argoproj.io/v1alpha1", kind)
                .expect("defined")
                .expect("compiles");
            let compile = median(20, || {
                black_box(json::compile(&schema).expect("compiles"));
            });
            println!("  CRD {kind:<24} compile {}", ms(compile));
        }
    }

    // The example release, as `rollwright render` makes it, plus a broken Rollout.
    let chart = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/rollouts-demo");
    let input = ValuesInput {
        chart,
        set: vec!["image.tag=1.29".into()],
        ..Default::default()
    };
    let loaded = values::load(&input).expect("example loads");
    let mut objects: Vec<Object> = render::render(&loaded, None).expect("example renders");
    let mut broken = objects[0].clone();
    broken.value["spec"]["replicas"] = "x".into();
    broken.value["spec"]["strategy"]["blueGreen"]["scaleDownDelaySecond"] = 5.into();
    broken.id.name = "broken".into();
    objects.push(broken);

    let schemas = Schemas::builtin();
    println!(
        "one object (median of 2000): validate (a typed read, the schema only for a failure); \
         the typed read alone; the compiled schema alone"
    );
    for o in &objects {
        let (a, k, v) = (&o.id.api_version, &o.id.kind, &o.value);
        black_box(schemas.schema_errors(a, k, v));
        let errors = schemas.validate(o).len();
        let t = median(2000, || {
            black_box(schemas.validate(o));
        });
        let typed = median(2000, || {
            black_box(schemas.typed_valid(a, k, v));
        });
        let schema = median(2000, || {
            black_box(schemas.schema_errors(a, k, v));
        });
        println!(
            "  {:<40} {:>9} {:>9} {:>9}  ({errors} errors)",
            o.id.to_string(),
            us(t),
            us(typed),
            us(schema)
        );
    }
}
