//! `rollwright init` as a user runs it.

mod common;

use common::run;

fn init(dir: &std::path::Path, extra: &[&str]) -> common::Run {
    let mut args = vec!["init", dir.to_str().unwrap()];
    args.extend_from_slice(extra);
    run(&args)
}

#[test]
fn every_pattern_renders_and_validates_clean() {
    for pattern in ["safe", "fast", "hybrid"] {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("shop");
        let r = init(
            &dir,
            &["--pattern", pattern, "--image", "ghcr.io/acme/shop:1.29"],
        );
        assert_eq!(r.code, 0, "{pattern}: {}", r.stderr);
        for f in [
            "values.yaml",
            ".rollwright.yaml",
            ".pre-commit-config.yaml",
            ".github/workflows/rollwright.yml",
        ] {
            let text = std::fs::read_to_string(dir.join(f)).unwrap();
            let _: serde_json::Value = serde_saphyr::from_str(&text)
                .unwrap_or_else(|e| panic!("{pattern}: {f} is not YAML: {e}"));
        }
        let values = std::fs::read_to_string(dir.join("values.yaml")).unwrap();
        assert!(
            values.starts_with("# yaml-language-server: $schema="),
            "{values}"
        );
        assert!(values.contains("tag: \"1.29\"\n"), "{values}");
        assert!(values.contains("name: shop\n"), "{values}");

        let r = run(&["render", dir.to_str().unwrap()]);
        assert_eq!(r.code, 0, "{pattern}: {}", r.stderr);
        assert!(r.stdout.contains("kind: AnalysisTemplate"), "{}", r.stdout);
        assert!(
            r.stdout.contains("image: ghcr.io/acme/shop:1.29"),
            "{}",
            r.stdout
        );

        let r = run(&["validate", dir.to_str().unwrap()]);
        assert_eq!(r.code, 0, "{pattern}: {}{}", r.stdout, r.stderr);
        assert!(!r.stdout.contains("error"), "{pattern}: {}", r.stdout);

        let pre_commit = std::fs::read_to_string(dir.join(".pre-commit-config.yaml")).unwrap();
        assert!(
            pre_commit.contains("- id: rollwright-validate"),
            "{pre_commit}"
        );
        let workflow =
            std::fs::read_to_string(dir.join(".github/workflows/rollwright.yml")).unwrap();
        assert!(workflow.contains("rollwright validate"), "{workflow}");
        assert!(workflow.contains("rollwright diff"), "{workflow}");
    }
}

#[test]
fn the_patterns_set_what_the_runbook_says() {
    let explain = |pattern: &str| {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("app");
        assert_eq!(init(&dir, &["--pattern", pattern]).code, 0);
        let values = std::fs::read_to_string(dir.join("values.yaml")).unwrap();
        let r = run(&["explain", dir.to_str().unwrap()]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        (values, r.stdout)
    };
    let (values, flow) = explain("safe");
    assert!(values.contains("autoPromotionEnabled: false"));
    assert!(values.contains("prePromotionAnalysis:"));
    assert!(flow.contains("Promotion: manual"), "{flow}");

    let (values, flow) = explain("fast");
    assert!(values.contains("autoPromotionEnabled: true"));
    assert!(values.contains("postPromotionAnalysis:"));
    assert!(!values.contains("prePromotionAnalysis:"));
    assert!(flow.contains("Promotion: automatic"), "{flow}");
    assert!(flow.contains("Post-promotion analysis"), "{flow}");

    let (values, flow) = explain("hybrid");
    assert!(values.contains("autoPromotionEnabled: false"));
    assert!(values.contains("prePromotionAnalysis:"));
    assert!(
        values.contains("A manual promote is still needed"),
        "{values}"
    );
    assert!(
        flow.contains("a successful analysis still waits for `promote`"),
        "{flow}"
    );
}

#[test]
fn existing_files_are_not_overwritten_without_force() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::write(dir.join(".rollwright.yaml"), "rules: {}\n").unwrap();
    let r = init(dir, &["--name", "web"]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains(".rollwright.yaml: already exists"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("--force"), "{}", r.stderr);
    assert!(!dir.join("values.yaml").exists(), "nothing is written");
    assert_eq!(
        std::fs::read_to_string(dir.join(".rollwright.yaml")).unwrap(),
        "rules: {}\n"
    );

    let r = init(dir, &["--name", "web", "--force"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(dir.join("values.yaml").exists());
    assert_ne!(
        std::fs::read_to_string(dir.join(".rollwright.yaml")).unwrap(),
        "rules: {}\n"
    );
}

#[test]
fn an_image_without_a_tag_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let r = init(tmp.path(), &["--image", "nginx"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("the image has no tag"), "{}", r.stderr);
}
