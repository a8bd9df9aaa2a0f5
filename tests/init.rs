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
            ".github/workflows/rollwright-shop.yml",
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
        assert!(pre_commit.contains("repo: local"), "{pre_commit}");
        let workflow =
            std::fs::read_to_string(dir.join(".github/workflows/rollwright-shop.yml")).unwrap();
        assert!(workflow.contains("diff-chart: ."), "{workflow}");
        assert!(workflow.contains("fetch-depth: 0"), "{workflow}");
        assert!(
            values.contains("templateName: shop-success-rate"),
            "{values}"
        );
        assert!(!values.contains("<owner>") && !pre_commit.contains("<owner>"));
        assert!(!workflow.contains("<owner>"), "{workflow}");
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
    // The switch back after a failed post-promotion analysis is conditional (RULES.md §5.9).
    assert!(
        values.contains(
            "the active Service goes back to the old pods while every new pod is still\n# available"
        ),
        "{values}"
    );
    assert!(!values.contains("its failure switches the"), "{values}");

    // Hybrid is what the runbook's pattern 3 meant ("promote only on success"): automatic
    // promotion gated by the pre-promotion analysis, not pattern 1's settings again.
    let (values, flow) = explain("hybrid");
    assert!(values.contains("autoPromotionEnabled: true"));
    assert!(values.contains("prePromotionAnalysis:"));
    assert!(!values.contains("postPromotionAnalysis:"));
    assert!(flow.contains("Promotion: automatic"), "{flow}");
    assert!(
        flow.contains("These are the settings the runbook's pattern 3 (\"hybrid\") meant"),
        "{flow}"
    );
    let (_, flow) = explain("safe");
    assert!(!flow.contains("pattern 3 (\"hybrid\") meant"), "{flow}");
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

#[test]
fn a_bad_application_name_is_refused_before_anything_is_written() {
    let tmp = tempfile::tempdir().unwrap();
    for (name, why) in [
        ("Shop_Active", "may hold only lower-case letters"),
        ("1shop", "must start with a lower-case letter"),
        ("../x", "may hold only lower-case letters"),
    ] {
        let r = init(tmp.path(), &["--name", name]);
        assert_eq!(r.code, 2, "{name}");
        assert!(r.stderr.contains(why), "{name}: {}", r.stderr);
        assert!(r.stderr.contains("help:"), "{}", r.stderr);
    }
    assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 0);
}

fn git(dir: &std::path::Path, args: &[&str]) {
    let out = std::process::Command::new("git")
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Two applications in one repository: charts in their directories, one pre-commit
/// configuration and one workflow per application at the repository root.
#[test]
fn repository_files_go_to_the_repository_root() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    git(root, &["init", "-q", "-b", "main"]);
    let shop = root.join("apps/shop");
    assert_eq!(init(&shop, &[]).code, 0);
    let r = init(&root.join("apps/cart"), &["--pattern", "fast"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("it already runs rollwright-validate"),
        "{}",
        r.stderr
    );
    assert!(root.join(".pre-commit-config.yaml").is_file());
    assert!(!shop.join(".pre-commit-config.yaml").exists());
    let shop_flow =
        std::fs::read_to_string(root.join(".github/workflows/rollwright-shop.yml")).unwrap();
    assert!(shop_flow.contains("paths: apps/shop"), "{shop_flow}");
    assert!(root.join(".github/workflows/rollwright-cart.yml").is_file());
    // The two AnalysisTemplates do not collide in one namespace.
    let r = run(&["validate", "--strict", root.join("apps").to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
}

/// The scaffold as a new user gets it: committed to a repository, the workflow's job runs: the
/// Action installs a local release, validates and diffs a new tag on a pull request, and the
/// explain step writes the summary (the pre-commit hook: `the_scaffold_passes_pre_commit_…`).
#[test]
fn the_scaffold_works_as_written() {
    use common::release;
    if !release::can_run_install_sh() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    scaffold_repo(root);

    let values = root.join("deploy/shop/values.yaml");
    let text = std::fs::read_to_string(&values).unwrap();
    std::fs::write(&values, text.replace("tag: \"1.28\"", "tag: \"1.29\"")).unwrap();
    let workflow = root.join(".github/workflows/rollwright-shop.yml");
    let job = common::action::run_job(&workflow, "rollwright", root, "pull_request");
    assert!(job.steps.len() >= 2, "{}", job.log);
    for (step, code) in &job.steps {
        assert_eq!(*code, 0, "{step}:\n{}", job.log);
    }
    let post = &job.used[0]["Post or update the diff comment"];
    let comment = std::fs::read_to_string(&post["BODY_FILE"]).unwrap();
    assert!(comment.contains("ghcr.io/acme/shop:1.29"), "{comment}");
    assert!(
        job.summary.contains("Release flow of `shop`"),
        "{}",
        job.summary
    );
}

/// A git repository with `init`'s scaffold for `shop` committed on `main`.
fn scaffold_repo(root: &std::path::Path) {
    git(root, &["init", "-q", "-b", "main"]);
    let r = init(
        &root.join("deploy/shop"),
        &["--image", "ghcr.io/acme/shop:1.28"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    git(root, &["add", "."]);
    git(root, &["commit", "-q", "-m", "scaffold"]);
    git(root, &["update-ref", "refs/remotes/origin/main", "HEAD"]);
}

/// `pre-commit run --all-files` passes with the hook `init` wrote, as written (the installed
/// rollwright: here this build's binary, first on PATH).
#[test]
#[ignore = "needs pre-commit"]
fn the_scaffold_passes_pre_commit_as_written() {
    if !have_pre_commit() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    scaffold_repo(root);
    let bin = std::path::Path::new(env!("CARGO_BIN_EXE_rollwright"))
        .parent()
        .unwrap();
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap());
    let out = std::process::Command::new("pre-commit")
        .args(["run", "--all-files"])
        .current_dir(root)
        .env("PATH", &path)
        .env("PRE_COMMIT_HOME", root.join(".pre-commit-home"))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("rollwright validate"), "{text}");
}

fn have_pre_commit() -> bool {
    let found = std::process::Command::new("pre-commit")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        common::peers::missing("pre-commit is not installed (python3 -m pip install pre-commit)");
    }
    found
}

/// The local hook `init` writes runs what the published hook runs.
#[test]
fn the_local_hook_is_the_published_hook() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("shop");
    assert_eq!(init(&dir, &[]).code, 0);
    let local: serde_json::Value = serde_saphyr::from_str(
        &std::fs::read_to_string(dir.join(".pre-commit-config.yaml")).unwrap(),
    )
    .unwrap();
    let published: serde_json::Value = serde_saphyr::from_str(
        &std::fs::read_to_string(common::repo().join(".pre-commit-hooks.yaml")).unwrap(),
    )
    .unwrap();
    let local = &local["repos"][0]["hooks"][0];
    let published = &published[0];
    for key in ["id", "name", "entry", "types", "require_serial"] {
        assert_eq!(local[key], published[key], "{key}");
    }
    assert_eq!(local["language"], "system");
}

/// Issue 12.17: the workflow `init` writes diffs against the base branch's commit
/// (`--base-ref`, through the Action, with the history checked out), never with
/// `--base origin/main`, which names a directory that does not exist.
#[test]
fn the_init_workflow_diffs_against_the_base_ref_with_the_history_checked_out() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("shop");
    assert_eq!(init(&dir, &[]).code, 0);
    let workflow =
        std::fs::read_to_string(dir.join(".github/workflows/rollwright-shop.yml")).unwrap();
    assert!(!workflow.contains("--base "), "{workflow}");
    assert!(!workflow.contains("--base origin"), "{workflow}");
    assert!(workflow.contains("fetch-depth: 0"), "{workflow}");
    assert!(workflow.contains("diff-chart: ."), "{workflow}");
    // The Action's diff step is the one that runs: it diffs with --base-ref.
    let action = std::fs::read_to_string(common::repo().join("action.yml")).unwrap();
    assert!(
        action.contains(r#"--base-ref "origin/$BASE_REF""#),
        "{action}"
    );
    assert!(!action.contains("--base origin"), "{action}");
}

/// The published hook's usage comment names the real repository (Cargo.toml's
/// `repository`), not a placeholder a user would have to fill in.
#[test]
fn the_published_hook_names_the_repository_url() {
    let text = std::fs::read_to_string(common::repo().join(".pre-commit-hooks.yaml")).unwrap();
    let url = rollwright::init::REPOSITORY_URL;
    assert!(url.starts_with("https://"), "{url}");
    assert!(text.contains(&format!("- repo: {url}\n")), "{text}");
    for placeholder in ["<owner>", "OWNER", "your-org"] {
        assert!(!text.contains(placeholder), "{placeholder} in {text}");
    }
}
