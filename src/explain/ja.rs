//! The Japanese sentences, in the runbook's words (Promote, Preview, Active, Scale Down,
//! ロールバック). Each says what its English twin says; `docs/explain.md` ties both to the
//! controller's code.

use super::say::S;

pub fn template(s: S) -> &'static str {
    match s {
        S::HeadingTitle => "{name} のリリースフロー（Blue/Green）",
        S::HeadingSettings => "有効な設定（未指定の項目はArgoのデフォルト値）",
        S::HeadingFirst => "初回デプロイ",
        S::HeadingUpdate => "毎回の更新",
        S::HeadingAnyTime => "いつでも実行できる操作",
        S::LabelSetting => "設定",
        S::LabelValue => "値",
        S::LabelDefault => "（Argoのデフォルト）",
        S::LabelNone => "（なし）",
        S::LabelUnlimited => "無制限",
        S::LabelError => "エラー",
        S::LabelWarning => "警告",
        S::LabelInfo => "情報",

        S::SumManual => {
            "手動Promote：更新のたびに、誰かが `kubectl argo rollouts promote` を実行するまでPreviewのまま待機します。"
        }
        S::SumAutoNow => {
            "自動Promote：新バージョンの準備ができ次第、一時停止なしで切り替わります。"
        }
        S::SumAutoAfter => {
            "自動Promote：新バージョンの準備ができてから{seconds}後に切り替わります（`autoPromotionSeconds`）。"
        }
        S::SumAutoAfterPre => {
            "自動Promote：Pre-Promotion Analysisが成功してから{seconds}後に切り替わります（`autoPromotionSeconds`）。待ち時間は新バージョンの準備ができた時点ではなく、Analysisの成功から数えられます。"
        }
        S::SumAutoNever => {
            "自動ではPromoteされません：`autoPromotionSeconds` が負の値のため、切り替えられるのは `promote --full` だけです。"
        }
        S::SumPreManual => {
            "一時停止の前にPre-Promotion Analysis（{templates}）が成功する必要があります。ただし、成功しただけではPromoteされません。"
        }
        S::SumPreAuto => "まずPre-Promotion Analysis（{templates}）が成功する必要があります。",
        S::SumPost => {
            "切り替え後、Post-Promotion Analysis（{templates}）が本番のバージョンを検証し、失敗すると更新は中止（abort）されます。"
        }
        S::SumNoAnalysis => "Analysisは実行されません。",
        S::SumScaleDown => "旧バージョンは更新完了の{seconds}後にScale Downされます。",
        S::SumScaleDownAtOnce => {
            "旧バージョンは更新完了と同時にScale Downされ、高速ロールバックの猶予はありません。"
        }
        S::SumKeepOld => {
            "旧バージョンはScale Downされません（`scaleDownDelaySeconds: 0`）：Podは動き続けます。"
        }
        S::SumKeepOldLimited => {
            "旧バージョンはScale Downされません（`scaleDownDelaySeconds: 0`）。ただし、新しい順に{limit}個を超えた分はScale Downされます（`scaleDownDelayRevisionLimit`）。"
        }
        S::SumPattern1 => {
            "ランブックのパターン1（安全重視）の設定です。パターン3も同じ設定を書いていますが、`autoPromotionEnabled: false` ではAnalysisが成功しても `promote` を待ちます。パターン3が意図した設定は `rollwright init --pattern hybrid` が書きます。"
        }
        S::SumPattern2 => "ランブックのパターン2（効率重視）の設定です。",
        S::SumPattern3 => {
            "ランブックのパターン3（ハイブリッド）が意図した設定です：Pre-Promotion Analysisが成功したときだけコントローラーが自動でPromoteし、失敗すると更新を中止します。"
        }

        S::TitleFirst => "初回デプロイ：一時停止もAnalysisもなく、そのままActiveへ",
        S::FirstPreview => {
            "stableなReplicaSetがまだないため、コントローラーはリビジョン1を{pods}にスケールし、Preview Service {preview} をすぐにそこへ向けます。Active Service {active} は全Podが利用可能（available）になった時点で切り替わります。このReplicaSetがstableになります。"
        }
        S::FirstNoPreview => {
            "stableなReplicaSetがまだないため、コントローラーはリビジョン1を{pods}にスケールし、全Podが利用可能（available）になった時点でActive Service {active} をそこへ向けます。このReplicaSetがstableになります。"
        }
        S::FirstNoStrategy => {
            "初回デプロイにはBlue/Green戦略が適用されません：一時停止はなく、Pre-Promotion AnalysisもPost-Promotion Analysisも実行されません。"
        }

        S::TitleStart => "開始：新しいリビジョン",
        S::Start => {
            "Podテンプレート配下の変更（イメージ、環境変数、リソース、Probe、Podのラベルなど）で、新しいReplicaSet、つまり新しいリビジョンが作られます。`replicaCount` や `rollout.strategy` 配下の変更では作られず、稼働中のリビジョンにそのまま反映されます。"
        }
        S::StartApply => {
            "`$TAG` のイメージタグをリリースするには、valuesに書き込んでコミットする（GitOpsツールが適用します）か、レンダリング結果を自分で適用します："
        }

        S::TitlePreview => "Preview：新バージョンが旧バージョンと並んで起動",
        S::PreviewScaled => {
            "新しいReplicaSetは{pods}にスケールされます。Active Service {active} は引き続き全トラフィックを旧バージョンへ送ります。"
        }
        S::PreviewScaledPartial => {
            "新しいReplicaSetは{preview_pods}にスケールされ（`previewReplicaCount`）、{pods}になるのはPromote後です。Active Service {active} は引き続き全トラフィックを旧バージョンへ送ります。"
        }
        S::PreviewWindow => {
            "Preview Service {preview} は、Podの準備ができる前から新しいReplicaSetを指します：ここから新バージョンをテストしてください。"
        }
        S::PreviewNoWindow => {
            "Preview Service {preview} はすぐに新しいReplicaSetを指しますが、テストを待つ仕組みはありません：自動PromoteでPre-Promotion Analysisもないため、新しいPodがすべて利用可能になった時点でActive Serviceが切り替わります。"
        }
        S::PreviewNone => {
            "Preview Serviceが指定されていません：Promote前の新バージョンには、Podを個別に指定しないと到達できません。"
        }
        S::PreviewAbove => {
            "`previewReplicaCount`（{preview_count}）が `replicas`（{replicas}）を上回っています：Previewで本番より多くのPodが動きます。"
        }
        S::NoGate => {
            "Readiness Probeを持つコンテナがなく、Analysisも実行されません：新しいPodは起動した時点で利用可能とみなされるため、新バージョンが本番トラフィックを受ける前に何も検証されません。"
        }

        S::TitlePre => "Pre-Promotion Analysis",
        S::PreStart => {
            "新しいPodがすべて利用可能になると、{templates} からAnalysisRun `{name}-<hash>-<revision>-pre` が開始されます。実行中は何もPromoteされません。"
        }
        S::PrePromoteNoop => {
            "実行中の `promote` には何の効果もありませんが、`rollout '{name}' promoted` と表示されます：この時点でPromoteするパイプラインのステップは、成功したと誤認します。"
        }
        S::PreSuccess => "`Successful` になると、Promoteのステップへ進みます。",
        S::AbortPre => {
            "`Failed` または `Error` になると、コントローラーは更新を中止（abort）します（フェーズ `Degraded`）：Active Service {active} は旧（stable）ReplicaSetのままで、利用者が新バージョンを目にすることはありません。"
        }
        S::AbortPreviewKept => "Preview Service {preview} は新しいReplicaSetを指したままです。",
        S::AbortScaleDown => {
            "新しいReplicaSetは中止から{seconds}後に0にScale Downされます（`abortScaleDownDelaySeconds`。stableなReplicaSetの全Podが利用可能になってから数えます）。"
        }
        S::AbortKeep => {
            "新しいReplicaSetは起動したまま残ります（`abortScaleDownDelaySeconds: 0`）。"
        }
        S::AbortLeave => {
            "新しいバージョン（修正版、または旧バージョンへの戻し）がpushされるか、誰かが `retry rollout` を実行するまで、Rolloutは `Degraded` のままです。"
        }
        S::PreInconclusive => {
            "`Inconclusive` になるとRolloutは一時停止し（`InconclusiveAnalysisRun`）、`promote` で新しいAnalysisRunが始まるか `abort` されるまで、何も進みません（Preview Serviceはそのまま、古いReplicaSetもScale Downされません）。"
        }
        S::TrafficIngress => {
            "AnalysisTemplate {template} のメトリクス {metric} は、ingress-nginxがService {service} へ送ったリクエストを数えます：測れるのは、{service} へルーティングするIngressを通ってきたトラフィックだけです。"
        }
        S::TrafficPreviewSource => {
            "本番トラフィックはActive Serviceへ流れるため、Analysisの実行中に誰かがそのようなIngress（Preview用のホスト、スモークテストなど）経由でリクエストを送らない限り、{service} にはリクエストが届きません。"
        }
        S::TrafficNoIngress => {
            "このマニフェストにはIngressがありません。クラスター内にも {service} へルーティングするIngressがなければ、クエリは何もデータを返しません：Prometheusプロバイダーは空の結果を `Error` の計測として扱って10秒ごとに再試行し、{errors}回連続でエラーになると（`consecutiveErrorLimit`）AnalysisRunは `Error` で終わり、更新は中止されます。"
        }
        S::TrafficNoIngressGuarded => {
            "このマニフェストにはIngressがありません。クラスター内にも {service} へルーティングするIngressがなければ、クエリは何もデータを返さず、その扱いは条件 {condition} 次第です：何も計測しないままAnalysisが成功することもあります。"
        }
        S::TrafficUnrouted => {
            "このマニフェストのIngressはどれも {service} へルーティングしていないため、クエリは何もデータを返しません：Prometheusプロバイダーは空の結果を `Error` の計測として扱って10秒ごとに再試行し、{errors}回連続でエラーになると（`consecutiveErrorLimit`）AnalysisRunは `Error` で終わり、更新は中止されます。"
        }
        S::TrafficUnroutedGuarded => {
            "このマニフェストのIngressはどれも {service} へルーティングしていないため、クエリは何もデータを返さず、その扱いは条件 {condition} 次第です：何も計測しないままAnalysisが成功することもあります。"
        }

        S::TitlePromoteManual => "Promote：手動（実行されるまで待機）",
        S::PauseManual => {
            "新しいPodがすべて利用可能になると、コントローラーはRolloutを一時停止し（`BlueGreenPause`、フェーズ `Paused`）、時間制限なしで待ちます。誰かが `promote` を実行するまで何も切り替わりません。"
        }
        S::PauseManualAfterPre => {
            "Pre-Promotion Analysisが成功すると、コントローラーはRolloutを一時停止し（`BlueGreenPause`、フェーズ `Paused`）、時間制限なしで待ちます。誰かが `promote` を実行するまで何も切り替わりません。"
        }
        S::Pattern3 => {
            "`autoPromotionEnabled` がfalseの間は、Analysisが成功してもPromoteされません：Analysisが決めるのはリリースを続けてよいかどうかであって、続けることではありません。ランブックのパターン3は成功時の自動Promoteを想定していましたが、そうするには `autoPromotionEnabled: true` にします。"
        }
        S::SecondsIgnored => {
            "`autoPromotionEnabled` がfalseの間、`autoPromotionSeconds: {n}` は無視されます。"
        }
        S::TitlePromoteAuto => "Promote：自動、一時停止なし",
        S::PromoteAutoNow => {
            "新しいPodがすべて利用可能になると、コントローラーはすぐにPromoteします：一時停止も手動の手順もありません。"
        }
        S::PromoteAutoNowAfterPre => {
            "Pre-Promotion Analysisが成功すると、コントローラーはすぐにPromoteします：一時停止も手動の手順もありません。"
        }
        S::TitlePromoteAfter => "Promote：{seconds}後に自動",
        S::PauseAuto => {
            "新しいPodがすべて利用可能になると、コントローラーはRolloutを一時停止し（`BlueGreenPause`、フェーズ `Paused`）、一時停止の開始から{seconds}後に自動でPromoteします（`autoPromotionSeconds`）。"
        }
        S::PauseAutoAfterPre => {
            "Pre-Promotion Analysisが成功すると、コントローラーはRolloutを一時停止し（`BlueGreenPause`、フェーズ `Paused`）、一時停止の開始から{seconds}後に自動でPromoteします（`autoPromotionSeconds`）。"
        }
        S::PlainPromoteRestarts => {
            "通常の `promote` では早くPromoteできません：一時停止が解除されると、コントローラーは一度も一時停止していないとみなして一時停止をやり直し、{seconds}のカウントが最初から始まります。すぐにPromoteできるのは `promote --full` だけです。"
        }
        S::FullSkipsPost => "`promote --full` はPost-Promotion Analysisも省略します。",
        S::TitlePromoteNever => "Promote：自動では行われない",
        S::NeverPromotes => {
            "`autoPromotionSeconds: {n}` は負の値です：コントローラーは一時停止を追加せず、一時停止の完了チェックは0か経過済みの正の遅延でしか通らないため、Rolloutが自動でPromoteされることはありません。時間制限なしで待ち続け、`Paused` とも表示されません。"
        }
        S::NeverPlainPromote => {
            "通常の `promote` には効果がありません（解除する一時停止がないため）が、`rollout '{name}' promoted` と表示されます。切り替えられるのは `promote --full` だけで、未実行のAnalysisは省略されます。"
        }

        S::TitleSwitch => "切り替え：Active Serviceが新バージョンへ",
        S::ScaleToReplicas => {
            "新しいReplicaSetは、まず{preview_pods}から{pods}にスケールされます。"
        }
        S::Switch => {
            "新しいReplicaSetで{pods}が利用可能になると、Active Service {active} がそこへ向けられます：利用者は新バージョンを使い始めます。"
        }
        S::SwitchAfterFull => {
            "`promote --full` の後、新しいReplicaSetで{pods}が利用可能になると、Active Service {active} がそこへ向けられます：利用者は新バージョンを使い始めます。"
        }
        S::StableNow => "新しいReplicaSetがstableになり、更新は完了です。",

        S::TitlePost => "Post-Promotion Analysis",
        S::PostNeverRuns => {
            "Post-Promotion Analysis（{templates}）は実行されません：切り替える唯一の方法である `promote --full` が、それを省略するためです。"
        }
        S::PostStart => {
            "切り替え後、AnalysisRun `{name}-<hash>-<revision>-post` が、本番稼働中のバージョンに対して {templates} を実行します。その間、旧ReplicaSetはまだstableなので、Pod数はそのまま維持されます。"
        }
        S::PostSuccess => "`Successful` になると新しいReplicaSetがstableになり、更新は完了です。",
        S::AbortPost => {
            "`Failed` または `Error` になると、コントローラーは更新を中止し（フェーズ `Degraded`）、Active Service {active} を、Pod数を維持したままの旧（stable）ReplicaSetへ戻します。ただし、それは新しいReplicaSetの全Podが利用可能な間だけです：コントローラーがActive Serviceを動かすのはその場合に限られます。"
        }
        S::AbortPostUnready => {
            "そのため、新しいPodがReadyでなくなったことが失敗の原因だと、Active Serviceは新しいReplicaSetを指したままになり、{seconds}後にそれが0にScale Downされると、どのPodも選択しなくなります。`get rollout` で `active` と表示されるReplicaSetを確認し、新しいリビジョンのままなら `undo` でstableのPodテンプレートを戻してください（Argo Rollouts v1.10以降はすぐに戻り、v1.9では先に一時停止とAnalysisをやり直します）。"
        }
        S::AbortPostUnreadyKept => {
            "そのため、新しいPodがReadyでなくなったことが失敗の原因だと、Active Serviceは新しいReplicaSetのPodを指したままになります（`abortScaleDownDelaySeconds: 0` のため、それらのPodは残ります）。`get rollout` で `active` と表示されるReplicaSetを確認し、新しいリビジョンのままなら `undo` でstableのPodテンプレートを戻してください（Argo Rollouts v1.10以降はすぐに戻り、v1.9では先に一時停止とAnalysisをやり直します）。"
        }
        S::PostInconclusive => {
            "`Inconclusive` になると、Active Serviceは新バージョンのまま、旧ReplicaSetも起動したままでRolloutが一時停止し（`InconclusiveAnalysisRun`）、`promote` で新しいAnalysisRunが始まるか `abort` されるまで待ちます。"
        }

        S::TitleScaleDown => "旧バージョンのScale Down",
        S::ScaleDownDelay => {
            "新しいReplicaSetがstableになってから{seconds}後に、旧ReplicaSetは0にScale Downされます（`scaleDownDelaySeconds`。コントローラーはその期限を `scale-down-deadline` アノテーションとして書き込みます）。それまでの `undo` は高速ロールバックです：一時停止もAnalysisもなく、すぐに切り戻されます。"
        }
        S::ScaleDownDefault => {
            "`scaleDownDelaySeconds` は指定されていません：Argoのデフォルトの30秒が適用されます。"
        }
        S::ScaleDownShort => {
            "{seconds}はArgoのデフォルトの30秒より短いため、すべてのノードのkube-proxyがトラフィックを新しいPodへ送るようになる前に、旧Podが停止するおそれがあります。"
        }
        S::ScaleDownNever => {
            "`scaleDownDelaySeconds: 0` ではScale Downの期限が書き込まれないため、旧ReplicaSetはScale Downされません：Podは動き続け、リリースのたびに旧バージョンのPodが一式ずつ増えていきます。期限がないので、`undo` が高速ロールバックになることもありません。"
        }
        S::ScaleDownNeverLimited => {
            "`scaleDownDelaySeconds: 0` ではScale Downの期限が書き込まれません：旧ReplicaSetはPodをすべて残し、新しい順に{limit}個を超えた分だけがすぐに0にScale Downされます（`scaleDownDelayRevisionLimit`）。期限がないので、`undo` が高速ロールバックになることはありません。"
        }
        S::ScaleDownZeroLimitZero => {
            "`scaleDownDelaySeconds: 0` ではScale Downの期限が書き込まれず、`scaleDownDelayRevisionLimit: 0` ではどの旧ReplicaSetもPodを残せません：旧ReplicaSetは更新完了と同時に0にScale Downされるため、すべてのノードのkube-proxyが新しいPodへトラフィックを送るようになる前に止まるおそれがあり、`undo` が高速ロールバックになることもありません。"
        }
        S::ScaleDownNegative => {
            "`scaleDownDelaySeconds: {n}` は負の値です：期限は書き込まれた時点で過ぎているため、旧ReplicaSetは更新完了と同時に0にScale Downされ、すべてのノードのkube-proxyが新しいPodへトラフィックを送るようになる前に止まるおそれがあります。`undo` が高速ロールバックになることもありません。"
        }
        S::ScaleDownLimitZero => {
            "`scaleDownDelayRevisionLimit: 0` では、どの旧ReplicaSetも待機期間を待てません：旧ReplicaSetは更新完了と同時に0にScale Downされ、`undo` が高速ロールバックになることはありません。"
        }
        S::RevisionLimit => {
            "待機期間中も旧ReplicaSetは動き続けますが、新しい順に{limit}個を超えた分はすぐに0にScale Downされます（`scaleDownDelayRevisionLimit`）。"
        }

        S::TitleWatch => "状態の確認",
        S::Watch => "上の各ステップをリアルタイムで追えます。",
        S::TitleFull => "残りを省略して今すぐPromote",
        S::Full => {
            "`promote --full` は一時停止、`previewReplicaCount`、すべてのAnalysis（実行中のものは終了されます）を省略し、新しいReplicaSetの全Podが利用可能になり次第Active Serviceを切り替えて、それをstableにします。中止（abort）状態も解除します。"
        }
        S::TitleAbort => "更新の中止",
        S::AbortManual => {
            "更新の途中で `abort` すると、Analysisが失敗したときと同じように止まります：Active Serviceはstable ReplicaSetへ戻るか、そのまま留まり（戻るのは新しいReplicaSetの全Podが利用可能な間だけです）、Rolloutは `Degraded` になります。"
        }
        S::AbortTemplate => {
            "`abort` は `spec.template` を変えません：Rolloutは新バージョンを目指したままです。Git（またはvalues）の変更も元に戻してください：クラスター上で `undo` するだけでは、次のGitOps同期で元に戻され、更新が再び始まります。"
        }
        S::AbortAfterComplete => {
            "更新が完了した後（新しいReplicaSetがstableになった後）の `abort` は何もしません：コントローラーがすぐにフラグを消します。戻せるのは `undo` だけです。"
        }
        S::Retry => "`retry rollout` は中止状態を解除し、新しいAnalysisRunで更新をやり直します。",
        S::TitleUndo => "ロールバック",
        S::UndoFast => {
            "`undo` は一つ前のPodテンプレートを新しいリビジョンとして戻します。旧ReplicaSetがScale Downの待機期間内であれば高速ロールバックです：一時停止もAnalysisもなく、すぐに切り替わります。それより後だと、フロー全体をもう一度通ります。"
        }
        S::UndoNoDeadline => {
            "`undo` は一つ前のPodテンプレートを新しいリビジョンとして戻します。`scaleDownDelaySeconds: 0` では旧ReplicaSetに期限が付かないため、高速ロールバックにはなりません：旧Podがまだ動いていても、フロー全体をもう一度通ります。"
        }
        S::UndoAtOnce => {
            "`undo` は一つ前のPodテンプレートを新しいリビジョンとして戻します。旧ReplicaSetは更新完了と同時にScale Downされているため、フロー全体をもう一度通ります。"
        }
        S::UndoGitops => {
            "GitOpsの場合はGit上のvaluesも元に戻してください。そうしないと、次の同期でロールバックが取り消されます。"
        }
    }
}
