//! Live diff of 100 Rollout bundles (Rollout, active and preview Services, AnalysisTemplate:
//! 400 objects in one namespace) against the fake API server of the tests, on 127.0.0.1.
//! Prints wall time (in-process median over runs, and one whole process) and the requests
//! each diff makes. Run with `cargo bench --bench diff_live`.

#[path = "../tests/common/fake_kube.rs"]
mod fake_kube;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use clap::Parser;
use fake_kube::{FakeKube, Mode, as_live};
use rollwright::cli::Cli;
use serde_json::{Value, json};

const BUNDLES: usize = 100;

/// `spread`: each bundle in its own namespace (small groups: one GET per object).
fn bundles(tag: &str, spread: bool) -> Vec<Value> {
    let chart = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/rollouts-demo");
    let mut out = Vec::new();
    for i in 0..BUNDLES {
        let input = rollwright::values::ValuesInput {
            chart: chart.clone(),
            name: Some(format!("app-{i:03}")),
            set: vec![
                format!("image.tag={tag}"),
                format!("rollout.strategy.blueGreen.activeService=app-{i:03}-active"),
                format!("rollout.strategy.blueGreen.previewService=app-{i:03}-preview"),
            ],
            ..Default::default()
        };
        let loaded = rollwright::values::load(&input).expect("example loads");
        let ns = if spread {
            format!("team-{i:03}")
        } else {
            "shop".into()
        };
        for o in rollwright::render::render(&loaded, Some(&ns)).expect("renders") {
            let mut v = o.value;
            // One AnalysisTemplate per bundle.
            let template = format!("success-rate-{i:03}");
            if v["kind"] == "AnalysisTemplate" {
                v["metadata"]["name"] = json!(template);
            }
            if v["kind"] == "Rollout" {
                v["spec"]["strategy"]["blueGreen"]["prePromotionAnalysis"]["templates"][0]["templateName"] =
                    json!(template);
            }
            out.push(v);
        }
    }
    out
}

fn main() {
    let live: Vec<Value> = bundles("1.28", false)
        .into_iter()
        .chain(bundles("1.28", true))
        .enumerate()
        .map(|(i, o)| as_live(&o, i))
        .collect();
    // The comparison alone, without HTTP: pairing, normalisation (defaults tables, the
    // three-way rule, lists by merge key), field changes and impact of 400 pairs.
    let proposed = bundles("1.29", false);
    let before: Vec<Value> = live[..proposed.len()].to_vec();
    let mut samples: Vec<Duration> = (0..20)
        .map(|_| {
            let sides = rollwright::diff::Sides {
                before: before.clone(),
                after: proposed.clone(),
                ..Default::default()
            };
            let options = rollwright::diff::Options {
                live: true,
                ..Default::default()
            };
            let t = Instant::now();
            std::hint::black_box(rollwright::diff::compare(sides, &options).unwrap());
            t.elapsed()
        })
        .collect();
    samples.sort();
    println!(
        "compare of {} live/proposed pairs (new tag): median {:.1} ms, p90 {:.1} ms",
        proposed.len(),
        samples[samples.len() / 2].as_secs_f64() * 1e3,
        samples[samples.len() * 9 / 10].as_secs_f64() * 1e3,
    );
    let dir = tempfile::tempdir().unwrap();
    for (name, tag, spread) in [
        ("same", "1.28", false),
        ("new-tag", "1.29", false),
        ("new-tag, one namespace per bundle", "1.29", true),
    ] {
        let text: String = bundles(tag, spread)
            .iter()
            .map(|o| format!("---\n{}", rollwright::render::output::to_yaml(o).unwrap()))
            .collect();
        std::fs::write(dir.path().join(format!("{name}.yaml")), text).unwrap();
    }
    let server = FakeKube::start(live, Mode::Serve);
    let kubeconfig = server.kubeconfig(dir.path(), "shop");
    for (name, server_side) in [
        ("same", false),
        ("new-tag", false),
        ("new-tag, one namespace per bundle", false),
        ("new-tag", true),
    ] {
        let file = dir.path().join(format!("{name}.yaml"));
        let mut args = vec![
            "rollwright",
            "diff",
            file.to_str().unwrap(),
            "--live",
            "--kubeconfig",
            kubeconfig.to_str().unwrap(),
            "--detailed-exitcode",
        ];
        if server_side {
            args.push("--server-side");
        }
        let name = if server_side {
            format!("{name}, --server-side")
        } else {
            name.to_string()
        };
        let before = server.requests().len();
        let run = || {
            let cli = Cli::try_parse_from(&args).unwrap();
            rollwright::commands::run(cli.command).expect("diff runs")
        };
        let out = run();
        let requests: Vec<String> = server.requests()[before..].to_vec();
        let mut samples: Vec<Duration> = (0..20)
            .map(|_| {
                let t = Instant::now();
                std::hint::black_box(run());
                t.elapsed()
            })
            .collect();
        samples.sort();
        let process = {
            let t = Instant::now();
            let status = std::process::Command::new(env!("CARGO_BIN_EXE_rollwright"))
                .args(&args[1..])
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .status()
                .unwrap();
            assert_eq!(status.code(), Some(out.code.into()));
            t.elapsed()
        };
        let patches = requests.iter().filter(|r| r.starts_with("PATCH ")).count();
        if server_side {
            assert!(
                requests
                    .iter()
                    .all(|r| r.starts_with("GET ") || r.contains("dryRun=All")),
                "reads and dry runs only"
            );
        } else {
            assert_eq!(patches, 0, "reads only");
        }
        let lists = requests
            .iter()
            .filter(|r| r.starts_with("GET ") && r.contains('?'))
            .count();
        println!(
            "live diff of {BUNDLES} bundles ({name}): exit {}, {} requests per diff ({lists} LIST, {} GET of one object, {patches} dry-run PATCH), in-process median {:.1} ms, p90 {:.1} ms, whole process {:.1} ms",
            out.code,
            requests.len(),
            requests.len() - lists - patches,
            samples[samples.len() / 2].as_secs_f64() * 1e3,
            samples[samples.len() * 9 / 10].as_secs_f64() * 1e3,
            process.as_secs_f64() * 1e3,
        );
        if requests.len() <= 8 {
            for r in &requests {
                println!("  {r}");
            }
        }
    }
}
