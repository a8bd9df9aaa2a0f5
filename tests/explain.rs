//! `rollwright explain` as a user runs it.

mod common;

use common::{example, run};

fn explain(extra: &[&str]) -> String {
    let ex = example();
    let mut args = vec!["explain", ex.to_str().unwrap()];
    args.extend_from_slice(extra);
    let r = run(&args);
    assert_eq!(r.code, 0, "{}", r.stderr);
    r.stdout
}

const BG: &str = "rollout.strategy.blueGreen";

#[test]
fn the_example_needs_a_manual_promote_even_after_a_successful_analysis() {
    let out = explain(&[]);
    assert!(out.contains("Promotion: manual"), "{out}");
    assert!(
        out.contains("$ kubectl argo rollouts promote rollouts-demo\n"),
        "{out}"
    );
    assert!(out.contains("still waits for a manual promote"), "{out}");
    assert!(out.contains("pattern 3"), "{out}");
    assert!(
        out.contains("$ kubectl port-forward svc/rollouts-demo-preview 8081:80"),
        "{out}"
    );
    assert!(
        out.contains("$ kubectl argo rollouts get rollout rollouts-demo --watch"),
        "{out}"
    );
    assert!(out.contains("promote rollouts-demo --full"), "{out}");
    assert!(out.contains("abort rollouts-demo"), "{out}");
    assert!(out.contains("undo rollouts-demo"), "{out}");
    // Pre-promotion failure: active stays, preview scaled down after the abort delay.
    assert!(
        out.contains("stays on the old (stable) ReplicaSet"),
        "{out}"
    );
    assert!(
        out.contains("scaled to 0 30 seconds later (`abortScaleDownDelaySeconds`"),
        "{out}"
    );
    assert!(
        out.contains("scaled to 0 30 seconds after the new one becomes stable"),
        "{out}"
    );
    // The first deploy runs neither pause nor analysis.
    assert!(out.contains("no pause, no analysis"), "{out}");
}

#[test]
fn auto_promotion_has_no_manual_step() {
    let out = explain(&["--set", &format!("{BG}.autoPromotionEnabled=true")]);
    assert!(out.contains("Promotion: automatic, no pause"), "{out}");
    assert!(!out.contains("Promotion: manual"), "{out}");
    assert!(
        out.contains("As soon as the pre-promotion analysis has succeeded"),
        "{out}"
    );

    let out = explain(&[
        "--set",
        &format!("{BG}.autoPromotionEnabled=true,{BG}.autoPromotionSeconds=120"),
    ]);
    assert!(
        out.contains("Promotion: automatic after 120 seconds"),
        "{out}"
    );

    // autoPromotionSeconds means nothing without auto-promotion.
    let out = explain(&["--set", &format!("{BG}.autoPromotionSeconds=120")]);
    assert!(
        out.contains("`autoPromotionSeconds: 120` is ignored"),
        "{out}"
    );
}

#[test]
fn analysis_variants() {
    // No analysis at all.
    let out = explain(&["--set", &format!("{BG}.prePromotionAnalysis=null")]);
    assert!(!out.contains("Pre-promotion analysis"), "{out}");
    assert!(
        out.contains("Once every new pod is available, the controller pauses"),
        "{out}"
    );

    // Pattern 2: automatic promotion checked by a post-promotion analysis.
    let out = explain(&[
        "--set",
        &format!(
            "{BG}.autoPromotionEnabled=true,{BG}.prePromotionAnalysis=null,{BG}.abortScaleDownDelaySeconds=0"
        ),
        "--set-json",
        &format!(
            "{BG}.postPromotionAnalysis={{\"templates\":[{{\"templateName\":\"success-rate\"}}],\"args\":[{{\"name\":\"service-name\",\"value\":\"rollouts-demo-active\"}}]}}"
        ),
    ]);
    assert!(out.contains("pattern 2"), "{out}");
    assert!(out.contains("Post-promotion analysis"), "{out}");
    assert!(
        out.contains("switched back to the old (stable) ReplicaSet"),
        "{out}"
    );
    assert!(
        out.contains("left running (`abortScaleDownDelaySeconds: 0`)"),
        "{out}"
    );
    assert!(out.contains("old ReplicaSet stays fully scaled"), "{out}");
    let post = out.find("Post-promotion analysis").unwrap();
    let switch = out.find("Switch: the active Service").unwrap();
    assert!(
        switch < post,
        "the switch comes before the post-promotion analysis"
    );
}

#[test]
fn markdown_is_well_formed() {
    let out = explain(&["--format", "markdown"]);
    assert!(
        out.starts_with("# Release flow of `rollouts-demo`\n"),
        "{out}"
    );
    assert_eq!(out.matches("```").count() % 2, 0, "fences are balanced");
    assert!(
        out.contains("\n```sh\nkubectl argo rollouts promote rollouts-demo\n```\n"),
        "{out}"
    );
    assert!(out.contains("\n## Every update\n"), "{out}");
    assert!(out.contains("| `autoPromotionEnabled` | false |"), "{out}");
    // Every heading is preceded by a blank line, and each table row has its two cells.
    for (i, line) in out.lines().enumerate() {
        if line.starts_with('#') && i > 0 {
            assert_eq!(out.lines().nth(i - 1), Some(""), "line {i}: {line}");
        }
        if line.starts_with('|') && !line.starts_with("|---") {
            assert_eq!(line.matches(" | ").count(), 1, "{line}");
        }
    }
}
