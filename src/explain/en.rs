//! The English sentences. `docs/explain.md` ties each to the controller's code.

use super::say::S;

pub fn template(s: S) -> &'static str {
    match s {
        S::HeadingTitle => "Release flow of {name} (blue-green)",
        S::HeadingSettings => "Settings in force (Argo's defaults filled in)",
        S::HeadingFirst => "First deploy",
        S::HeadingUpdate => "Every update",
        S::HeadingAnyTime => "At any time",
        S::LabelSetting => "setting",
        S::LabelValue => "value",
        S::LabelDefault => "(Argo's default)",
        S::LabelNone => "(none)",
        S::LabelUnlimited => "unlimited",
        S::LabelError => "error",
        S::LabelWarning => "warning",
        S::LabelInfo => "info",

        S::SumManual => {
            "Manual promotion: every update waits in the preview until someone runs `kubectl argo rollouts promote`."
        }
        S::SumAutoNow => {
            "Automatic promotion: every update switches as soon as the new version is ready, with no pause."
        }
        S::SumAutoAfter => {
            "Automatic promotion {seconds} after the new version is ready (`autoPromotionSeconds`)."
        }
        S::SumAutoAfterPre => {
            "Automatic promotion {seconds} after the pre-promotion analysis has succeeded (`autoPromotionSeconds`): the wait starts only then, not when the new version is ready."
        }
        S::SumAutoNever => {
            "No promotion by itself: with a negative `autoPromotionSeconds` only `promote --full` switches."
        }
        S::SumPreManual => {
            "A pre-promotion analysis ({templates}) must succeed before the pause; its success alone does not promote."
        }
        S::SumPreAuto => "A pre-promotion analysis ({templates}) must succeed first.",
        S::SumPost => {
            "After the switch a post-promotion analysis ({templates}) checks the live version; its failure aborts the update."
        }
        S::SumNoAnalysis => "No analysis runs.",
        S::SumScaleDown => "The old version is scaled down {seconds} after the update completes.",
        S::SumScaleDownAtOnce => {
            "The old version is scaled down as soon as the update completes, with no time for a fast rollback."
        }
        S::SumKeepOld => {
            "The old version is never scaled down (`scaleDownDelaySeconds: 0`): its pods keep running."
        }
        S::SumKeepOldLimited => {
            "Old versions are never scaled down (`scaleDownDelaySeconds: 0`), except beyond the newest {limit} (`scaleDownDelayRevisionLimit`)."
        }
        S::SumPattern1 => {
            "These are the runbook's pattern 1 (\"safe\") settings. Its pattern 3 wrote the same settings, but with `autoPromotionEnabled: false` a successful analysis still waits for `promote`; `rollwright init --pattern hybrid` writes what pattern 3 meant."
        }
        S::SumPattern2 => "These are the runbook's pattern 2 (\"fast\") settings.",
        S::SumPattern3 => {
            "These are the settings the runbook's pattern 3 (\"hybrid\") meant: the controller promotes by itself only after the pre-promotion analysis succeeds, and aborts the update when it fails."
        }

        S::TitleFirst => "First deploy: straight to active, no pause, no analysis",
        S::FirstPreview => {
            "With no stable ReplicaSet yet, the controller scales revision 1 to {pods} and points the preview Service {preview} at it at once; the active Service {active} follows when all its pods are available. It becomes the stable ReplicaSet."
        }
        S::FirstNoPreview => {
            "With no stable ReplicaSet yet, the controller scales revision 1 to {pods}; the active Service {active} points at it when all its pods are available. It becomes the stable ReplicaSet."
        }
        S::FirstNoStrategy => {
            "The blue-green strategy is not applied to a first deploy: no pause, and neither pre- nor post-promotion analysis runs."
        }

        S::TitleStart => "Start: a new revision",
        S::Start => {
            "A change under the pod template (image, env, resources, probes, pod labels…) creates a new ReplicaSet, a new revision. A change of `replicaCount` or of anything under `rollout.strategy` does not: it applies to the running revision in place."
        }
        S::StartApply => {
            "To release the image tag in `$TAG`, write it into the values and commit (a GitOps tool applies it), or apply the render yourself:"
        }

        S::TitlePreview => "Preview: the new version runs beside the old one",
        S::PreviewScaled => {
            "The new ReplicaSet is scaled to {pods}. The active Service {active} still sends all traffic to the old version."
        }
        S::PreviewScaledPartial => {
            "The new ReplicaSet is scaled to {preview_pods} (`previewReplicaCount`), and to {pods} only after promotion. The active Service {active} still sends all traffic to the old version."
        }
        S::PreviewWindow => {
            "The preview Service {preview} points at the new ReplicaSet at once, before its pods are ready: test the new version through it."
        }
        S::PreviewNoWindow => {
            "The preview Service {preview} points at the new ReplicaSet at once, but nothing waits for a test: with automatic promotion and no pre-promotion analysis, the active Service switches as soon as every new pod is available."
        }
        S::PreviewNone => {
            "No preview Service is named: before promotion the new version is reachable only pod by pod."
        }
        S::PreviewAbove => {
            "`previewReplicaCount` ({preview_count}) is above `replicas` ({replicas}): the preview runs more pods than production ever has."
        }
        S::NoGate => {
            "No container has a readiness probe and no analysis runs: a new pod counts as available as soon as it is running, so nothing checks the new version before it takes production traffic."
        }

        S::TitlePre => "Pre-promotion analysis",
        S::PreStart => {
            "When every new pod is available, the AnalysisRun `{name}-<hash>-<revision>-pre` starts from {templates}. Nothing is promoted while it runs."
        }
        S::PrePromoteNoop => {
            "`promote` has no effect while it runs, yet prints `rollout '{name}' promoted`: a pipeline step that promotes now believes it has."
        }
        S::PreSuccess => "On `Successful` the release moves on to the promotion step.",
        S::AbortPre => {
            "On `Failed` or `Error` the controller aborts the update (phase `Degraded`): the active Service {active} stays on the old (stable) ReplicaSet, so users never see the new version."
        }
        S::AbortPreviewKept => {
            "The preview Service {preview} keeps pointing at the new ReplicaSet."
        }
        S::AbortScaleDown => {
            "The new ReplicaSet is scaled down to zero pods {seconds} after the abort (`abortScaleDownDelaySeconds`, counted once the stable ReplicaSet has all its pods available)."
        }
        S::AbortKeep => "The new ReplicaSet is left running (`abortScaleDownDelaySeconds: 0`).",
        S::AbortLeave => {
            "The Rollout stays `Degraded` until a new version is pushed (a fixed one, or the old one back) or someone runs `retry rollout`."
        }
        S::PreInconclusive => {
            "On `Inconclusive` the Rollout pauses (`InconclusiveAnalysisRun`) and nothing progresses (the preview Service stays where it is, older ReplicaSets are not scaled down) until `promote` starts a new AnalysisRun, or `abort`."
        }
        S::TrafficIngress => {
            "The metric {metric} (AnalysisTemplate {template}) counts the requests ingress-nginx sends to the Service {service}: it measures only traffic that comes in through an Ingress routing to {service}."
        }
        S::TrafficPreviewSource => {
            "Production traffic goes to the active Service, so {service} gets requests only if someone sends them through such an Ingress (a preview host, a smoke test) while the analysis runs."
        }
        S::TrafficNoIngress => {
            "These manifests hold no Ingress. If none in the cluster routes to {service}, the query finds no data: the Prometheus provider counts an empty result as an `Error` measurement and retries every 10 seconds, and after {errors} errors in a row (`consecutiveErrorLimit`) the AnalysisRun ends in `Error` and the update is aborted."
        }
        S::TrafficNoIngressGuarded => {
            "These manifests hold no Ingress. If none in the cluster routes to {service}, the query finds no data and the condition {condition} decides what that means: the analysis can pass having measured nothing."
        }
        S::TrafficUnrouted => {
            "No Ingress in these manifests routes to {service}, so the query finds no data: the Prometheus provider counts an empty result as an `Error` measurement and retries every 10 seconds, and after {errors} errors in a row (`consecutiveErrorLimit`) the AnalysisRun ends in `Error` and the update is aborted."
        }
        S::TrafficUnroutedGuarded => {
            "No Ingress in these manifests routes to {service}, so the query finds no data and the condition {condition} decides what that means: the analysis can pass having measured nothing."
        }

        S::TitlePromoteManual => "Promotion: manual, the Rollout waits for you",
        S::PauseManual => {
            "When every new pod is available, the controller pauses the Rollout (`BlueGreenPause`, phase `Paused`) and waits with no time limit. Nothing switches until someone runs `promote`."
        }
        S::PauseManualAfterPre => {
            "When the pre-promotion analysis has succeeded, the controller pauses the Rollout (`BlueGreenPause`, phase `Paused`) and waits with no time limit. Nothing switches until someone runs `promote`."
        }
        S::Pattern3 => {
            "A successful analysis does not promote while `autoPromotionEnabled` is false: it decides whether the release may go on, not that it does. The runbook's pattern 3 expected a promotion on success; for that, set `autoPromotionEnabled: true`."
        }
        S::SecondsIgnored => {
            "`autoPromotionSeconds: {n}` is ignored while `autoPromotionEnabled` is false."
        }
        S::TitlePromoteAuto => "Promotion: automatic, no pause",
        S::PromoteAutoNow => {
            "When every new pod is available, the controller promotes at once: there is no pause and no manual step."
        }
        S::PromoteAutoNowAfterPre => {
            "When the pre-promotion analysis has succeeded, the controller promotes at once: there is no pause and no manual step."
        }
        S::TitlePromoteAfter => "Promotion: automatic after {seconds}",
        S::PauseAuto => {
            "When every new pod is available, the controller pauses the Rollout (`BlueGreenPause`, phase `Paused`) and promotes it by itself {seconds} after the pause began (`autoPromotionSeconds`)."
        }
        S::PauseAutoAfterPre => {
            "When the pre-promotion analysis has succeeded, the controller pauses the Rollout (`BlueGreenPause`, phase `Paused`) and promotes it by itself {seconds} after the pause began (`autoPromotionSeconds`)."
        }
        S::PlainPromoteRestarts => {
            "A plain `promote` does not promote earlier: it clears the pause, the controller finds the Rollout never paused, adds the pause again, and the countdown of {seconds} starts over. Only `promote --full` promotes at once."
        }
        S::FullSkipsPost => "`promote --full` skips the post-promotion analysis too.",
        S::TitlePromoteNever => "Promotion: never by itself",
        S::NeverPromotes => {
            "`autoPromotionSeconds: {n}` is negative: the controller adds no pause, and its check that the pause is over passes only for 0 or an elapsed positive delay, so the Rollout never promotes by itself. It waits with no time limit, and never shows `Paused`."
        }
        S::NeverPlainPromote => {
            "A plain `promote` has no effect (there is no pause to clear), yet prints `rollout '{name}' promoted`. Only `promote --full` switches, skipping any analysis still to run."
        }

        S::TitleSwitch => "Switch: the active Service moves to the new version",
        S::ScaleToReplicas => "The new ReplicaSet is first scaled from {preview_pods} to {pods}.",
        S::Switch => {
            "When the new ReplicaSet has {pods} available, the active Service {active} is pointed at it: users now get the new version."
        }
        S::SwitchAfterFull => {
            "After `promote --full`, when the new ReplicaSet has {pods} available, the active Service {active} is pointed at it: users now get the new version."
        }
        S::StableNow => "The new ReplicaSet becomes the stable one: the update is complete.",

        S::TitlePost => "Post-promotion analysis",
        S::PostNeverRuns => {
            "The post-promotion analysis ({templates}) never runs: `promote --full`, the only way to switch, skips it."
        }
        S::PostStart => {
            "After the switch, the AnalysisRun `{name}-<hash>-<revision>-post` runs {templates} against the live version. Meanwhile the old ReplicaSet stays fully scaled: it is still the stable one."
        }
        S::PostSuccess => {
            "On `Successful` the new ReplicaSet becomes the stable one: the update is complete."
        }
        S::AbortPost => {
            "On `Failed` or `Error` the controller aborts the update (phase `Degraded`) and points the active Service {active} back at the old (stable) ReplicaSet, which is still fully scaled, but only while the new ReplicaSet has all its pods available: the controller moves the active Service only then."
        }
        S::AbortPostUnready => {
            "So if the analysis failed because new pods became unready, the active Service stays on the new ReplicaSet, and selects no pods at all once that is scaled down, {seconds} later. Check which ReplicaSet `get rollout` marks `active`; if it is the new revision, `undo` brings the stable pod template back (at once since Argo Rollouts v1.10; v1.9 first runs its pause and analysis again)."
        }
        S::AbortPostUnreadyKept => {
            "So if the analysis failed because new pods became unready, the active Service stays on the new ReplicaSet's pods, which `abortScaleDownDelaySeconds: 0` leaves running. Check which ReplicaSet `get rollout` marks `active`; if it is the new revision, `undo` brings the stable pod template back (at once since Argo Rollouts v1.10; v1.9 first runs its pause and analysis again)."
        }
        S::PostInconclusive => {
            "On `Inconclusive` the Rollout pauses (`InconclusiveAnalysisRun`) with the active Service on the new version and the old ReplicaSet still running, until `promote` starts a new AnalysisRun, or `abort`."
        }

        S::TitleScaleDown => "Old version scaled down",
        S::ScaleDownDelay => {
            "{seconds} after the new ReplicaSet becomes the stable one, the old one is scaled to 0 (`scaleDownDelaySeconds`; the controller writes the deadline on it as a `scale-down-deadline` annotation). Until then `undo` is a fast rollback: no pause, no analysis, an immediate switch back."
        }
        S::ScaleDownDefault => {
            "`scaleDownDelaySeconds` is not set: Argo's default, 30 seconds, applies."
        }
        S::ScaleDownShort => {
            "{seconds} is less than Argo's default of 30: the old pods may stop before kube-proxy on every node sends traffic to the new ones."
        }
        S::ScaleDownNever => {
            "`scaleDownDelaySeconds: 0` writes no scale-down deadline, so the old ReplicaSet is never scaled down: its pods keep running, and every release leaves one more full set. Without a deadline `undo` is never a fast rollback either."
        }
        S::ScaleDownNeverLimited => {
            "`scaleDownDelaySeconds: 0` writes no scale-down deadline: old ReplicaSets keep all their pods, except beyond the newest {limit} (`scaleDownDelayRevisionLimit`), which are scaled to 0 at once. Without a deadline `undo` is never a fast rollback."
        }
        S::ScaleDownZeroLimitZero => {
            "`scaleDownDelaySeconds: 0` writes no scale-down deadline, and `scaleDownDelayRevisionLimit: 0` lets no old ReplicaSet keep its pods: the old one is scaled to 0 as soon as the update completes, before kube-proxy on every node may send traffic to the new pods, and `undo` is never a fast rollback."
        }
        S::ScaleDownNegative => {
            "`scaleDownDelaySeconds: {n}` is negative: the deadline has passed when it is written, so the old ReplicaSet is scaled to 0 as soon as the update completes, before kube-proxy on every node may send traffic to the new pods, and `undo` is never a fast rollback."
        }
        S::ScaleDownLimitZero => {
            "`scaleDownDelayRevisionLimit: 0` lets no old ReplicaSet wait out its delay: the old one is scaled to 0 as soon as the update completes, and `undo` is never a fast rollback."
        }
        S::RevisionLimit => {
            "During their delay old ReplicaSets keep running, except beyond the newest {limit} (`scaleDownDelayRevisionLimit`), which are scaled to 0 at once."
        }

        S::TitleWatch => "Watch",
        S::Watch => "Follow every step above live.",
        S::TitleFull => "Promote at once, skipping what is left",
        S::Full => {
            "`promote --full` skips the pause, `previewReplicaCount` and every analysis (running ones are terminated), switches the active Service as soon as the new ReplicaSet has all its pods available and makes it the stable one; it also ends an abort."
        }
        S::TitleAbort => "Abort an update",
        S::AbortManual => {
            "While an update is in progress, `abort` stops it as a failed analysis does: the active Service goes back to, or stays on, the stable ReplicaSet (going back only while the new ReplicaSet has all its pods available), and the Rollout becomes `Degraded`."
        }
        S::AbortTemplate => {
            "`abort` does not change `spec.template`: the Rollout still wants the new version. Revert the change in Git (or in the values) too: an `undo` in the cluster alone is reverted by the next GitOps sync, which starts the update again."
        }
        S::AbortAfterComplete => {
            "Once the update has completed (the new ReplicaSet is stable), `abort` does nothing: the controller removes the flag at once. Only `undo` goes back."
        }
        S::Retry => {
            "`retry rollout` clears the abort and runs the update again, with new AnalysisRuns."
        }
        S::TitleUndo => "Roll back",
        S::UndoFast => {
            "`undo` puts the previous pod template back, as a new revision. While the old ReplicaSet is within its scale-down delay this is a fast rollback: no pause, no analysis, an immediate switch. Later it goes through the whole flow again."
        }
        S::UndoNoDeadline => {
            "`undo` puts the previous pod template back, as a new revision. With `scaleDownDelaySeconds: 0` no deadline marks the old ReplicaSet, so this is never a fast rollback: it goes through the whole flow again, though the old pods may still be running."
        }
        S::UndoAtOnce => {
            "`undo` puts the previous pod template back, as a new revision. The old ReplicaSet was scaled down as soon as the update completed, so this goes through the whole flow again."
        }
        S::UndoGitops => {
            "With GitOps, revert the values in Git too, or the next sync undoes the rollback."
        }
    }
}
