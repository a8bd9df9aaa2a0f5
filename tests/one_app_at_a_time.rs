//! `validate` reads, checks and drops one application at a time: what a run holds at once
//! follows its largest application (times the worker threads), not the repository, and a
//! file's text is kept only when a finding points into it. Counted, never timed.

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use rollwright::input::{self, AppScope, InputOptions};
use rollwright::validate::{Options, validate};

fn fixture(rule: &str, which: &str) -> std::path::PathBuf {
    common::repo().join(format!("fixtures/rules/{rule}/{which}.yaml"))
}

/// `small` applications of three objects each (a Rollout and its two Services), and one of
/// `large` copies of them, each in its own directory.
fn tree(small: usize, large: usize) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for i in 0..small {
        let app = dir.path().join(format!("apps/small-{i:03}"));
        std::fs::create_dir_all(&app).unwrap();
        std::fs::copy(fixture("BG-01", "pass"), app.join("shop.yaml")).unwrap();
    }
    let app = dir.path().join("apps/large");
    std::fs::create_dir_all(&app).unwrap();
    let text = std::fs::read_to_string(fixture("BG-01", "pass")).unwrap();
    for i in 0..large {
        // Each copy in its own namespace, so no copy duplicates another.
        let copy = text.replace(
            "\nmetadata:\n",
            &format!("\nmetadata:\n  namespace: ns-{i}\n"),
        );
        std::fs::write(app.join(format!("shop-{i}.yaml")), copy).unwrap();
    }
    dir
}

fn held(dir: &Path, scope: AppScope) -> (usize, usize, usize) {
    let options = InputOptions {
        paths: vec![dir.to_path_buf()],
        scope,
        ..Default::default()
    };
    rollwright::parallel::install(|| {
        let streamed = input::read_each(&options, |inputs, _| inputs.objects.len());
        assert!(streamed.errors.is_empty(), "{:?}", streamed.errors);
        let largest = streamed.results.iter().copied().max().unwrap_or(0);
        assert_eq!(streamed.objects, streamed.results.iter().sum::<usize>());
        (streamed.peak_objects, largest, rayon::current_num_threads())
    })
}

#[test]
fn objects_held_at_once_follow_the_largest_application_not_the_run() {
    let dir = tree(120, 10);
    let (peak, largest, threads) = held(dir.path(), AppScope::Directory);
    assert_eq!(largest, 30, "the large application");
    // Each worker thread holds at most one application (group) at a time.
    assert!(
        peak <= threads * largest,
        "{peak} objects at once with {threads} threads, the largest application has {largest}"
    );
    assert!(peak < 120 * 3 + 30, "{peak}: the whole run was held");

    // The `run` scope makes the whole run one application: then all of it is held, and the
    // counter sees it.
    let (peak, largest, _) = held(dir.path(), AppScope::Run);
    assert_eq!(largest, 120 * 3 + 30);
    assert_eq!(peak, largest);
}

#[test]
fn only_files_with_findings_keep_their_text() {
    let dir = tree(30, 0);
    let failing = dir.path().join("apps/failing");
    std::fs::create_dir_all(&failing).unwrap();
    std::fs::copy(fixture("BG-01", "fail"), failing.join("shop.yaml")).unwrap();
    let report = validate(&Options {
        inputs: InputOptions {
            paths: vec![dir.path().to_path_buf()],
            ..Default::default()
        },
        ..Default::default()
    })
    .unwrap();
    assert_eq!(report.summary.files, 31);
    assert!(!report.findings.is_empty());
    let with_findings: BTreeSet<&str> = report.findings.iter().map(|f| f.file.as_str()).collect();
    let kept: BTreeSet<&str> = report.sources.keys().map(String::as_str).collect();
    assert_eq!(kept, with_findings);
    assert!(
        kept.iter().all(|f| f.ends_with("apps/failing/shop.yaml")),
        "{kept:?}"
    );
    // The text output still shows the offending line.
    let r = common::run(&["validate", dir.path().to_str().unwrap()]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout
            .contains("previewService: shop-active # expect: BG-01"),
        "{}",
        r.stdout
    );
}

/// Input errors and notes from many applications, read side by side, come out in the order
/// the run met them, with one worker thread and with four.
#[test]
fn errors_and_notes_keep_their_order_across_thread_counts() {
    let dir = tree(40, 3);
    for i in 0..40 {
        let app = dir.path().join(format!("apps/small-{i:03}"));
        std::fs::write(app.join("broken.yaml"), "a: [\n").unwrap();
        std::fs::write(
            app.join("template.yaml"),
            "kind: Service\nmetadata:\n  name: {{ .Values.name }\n  x: [\n",
        )
        .unwrap();
        std::fs::write(app.join("values.yaml"), "replicas: 2\n").unwrap();
    }
    let run = |threads: &str| {
        common::rollwright()
            .args(["validate", dir.path().to_str().unwrap()])
            .env("RAYON_NUM_THREADS", threads)
            .env("NO_COLOR", "1")
            .output()
            .unwrap()
    };
    let one = run("1");
    assert_eq!(one.status.code(), Some(2));
    let stdout = String::from_utf8_lossy(&one.stdout);
    let stderr = String::from_utf8_lossy(&one.stderr);
    assert_eq!(stderr.matches("broken.yaml").count(), 40, "{stderr}");
    assert_eq!(
        stdout.matches("a Helm template, skipped").count(),
        40,
        "{stdout}"
    );
    let four = run("4");
    assert_eq!(one.stdout, four.stdout, "stdout differs with 4 threads");
    assert_eq!(one.stderr, four.stderr, "stderr differs with 4 threads");
}
