{{/*
Helpers shared by the templates. Optional keys are read with `index` (not `.Values.x`) so
that `helm lint --strict`, which makes a missing key an error, passes when a key is unset.
*/}}

{{/* The application name: values.yaml writes it out; the release name is only a fallback. */}}
{{- define "rollwright.name" -}}
{{- index .Values "name" | default .Release.Name -}}
{{- end -}}

{{/* The selector labels: what the Services select and the Rollout's selector matches. */}}
{{- define "rollwright.selectorLabels" -}}
{{- toYaml (dict "app.kubernetes.io/name" (include "rollwright.name" .)) -}}
{{- end -}}

{{/* Labels of every object: the name, managed-by, then `labels` (which win). */}}
{{- define "rollwright.labels" -}}
{{- $labels := dict "app.kubernetes.io/name" (include "rollwright.name" .) "app.kubernetes.io/managed-by" "rollwright" -}}
{{- toYaml (mergeOverwrite $labels (index .Values "labels" | default dict)) -}}
{{- end -}}

{{/* Pod template labels: `podLabels` plus the selector labels, which win, so that a pod
label cannot break the selector. */}}
{{- define "rollwright.podLabels" -}}
{{- $selector := dict "app.kubernetes.io/name" (include "rollwright.name" .) -}}
{{- toYaml (merge $selector (index .Values "podLabels" | default dict)) -}}
{{- end -}}

{{/* `repository:tag`, or `repository@sha256:…` for a digest. A tag read from YAML as a
number (20240101) is printed as an integer, not as 2.0240101e+07. */}}
{{- define "rollwright.image" -}}
{{- $image := index .Values "image" | default dict -}}
{{- $repository := index $image "repository" | default "" -}}
{{- $tag := required "image.tag is not set: pass --set image.tag=1.29 (an untagged image runs latest)" (index $image "tag") -}}
{{- if not (kindIs "string" $tag) -}}
{{- $tag = int64 $tag | toString -}}
{{- end -}}
{{- if hasPrefix "sha256:" $tag -}}
{{- printf "%s@%s" $repository $tag -}}
{{- else -}}
{{- printf "%s:%s" $repository $tag -}}
{{- end -}}
{{- end -}}

{{/* The Services' targetPort: service.targetPort, else the first container port's name
(or number), else the Service port. Printed as a YAML scalar of the right type. */}}
{{- define "rollwright.targetPort" -}}
{{- $service := index .Values "service" | default dict -}}
{{- $ports := index .Values "ports" | default list -}}
{{- $target := index $service "targetPort" -}}
{{- if kindIs "invalid" $target -}}
{{- if $ports -}}
{{- $first := first $ports -}}
{{- $target = index $first "name" -}}
{{- if kindIs "invalid" $target -}}
{{- $target = index $first "containerPort" -}}
{{- end -}}
{{- else -}}
{{- $target = index $service "port" | default 80 -}}
{{- end -}}
{{- end -}}
{{- if kindIs "string" $target -}}
{{- quote $target -}}
{{- else -}}
{{- int64 $target -}}
{{- end -}}
{{- end -}}

{{/* Removes the null entries of maps at every depth, in place (call it on a copy): after
layering, rollwright treats a key set to null as a key never written, while Helm keeps a null
that has no default under it. Prints nothing. */}}
{{- define "rollwright.dropNulls" -}}
{{- if kindIs "map" . -}}
{{- $map := . -}}
{{- range $key, $value := $map -}}
{{- if kindIs "invalid" $value -}}
{{- $_ := unset $map $key -}}
{{- else -}}
{{- $_ := include "rollwright.dropNulls" $value -}}
{{- end -}}
{{- end -}}
{{- else if kindIs "slice" . -}}
{{- range . -}}
{{- $_ := include "rollwright.dropNulls" . -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* spec.strategy.blueGreen as rollwright's typed values write it: an analysis always has
`templates` and `args`, pod metadata always has `labels` and `annotations`, nulls are left
out, and so is an empty previewService, which means "no preview Service". */}}
{{- define "rollwright.blueGreen" -}}
{{- $bg := deepCopy (. | default dict) -}}
{{- $_ := include "rollwright.dropNulls" $bg -}}
{{- if eq (index $bg "previewService" | toString) "" -}}
{{- $_ := unset $bg "previewService" -}}
{{- end -}}
{{- range $key := list "prePromotionAnalysis" "postPromotionAnalysis" -}}
{{- $a := index $bg $key -}}
{{- if not (kindIs "invalid" $a) -}}
{{- $_ := set $bg $key (dict "templates" (index $a "templates" | default list) "args" (index $a "args" | default list)) -}}
{{- end -}}
{{- end -}}
{{- range $key := list "activeMetadata" "previewMetadata" -}}
{{- $m := index $bg $key -}}
{{- if not (kindIs "invalid" $m) -}}
{{- $_ := set $bg $key (dict "labels" (index $m "labels" | default dict) "annotations" (index $m "annotations" | default dict)) -}}
{{- end -}}
{{- end -}}
{{- toYaml $bg -}}
{{- end -}}

{{/* An AnalysisTemplate's metrics as rollwright's typed values write them: the Prometheus
and web providers carry `headers` only when there are some. */}}
{{- define "rollwright.metrics" -}}
{{- $metrics := list -}}
{{- range $metric := . -}}
{{- $m := deepCopy $metric -}}
{{- $_ := include "rollwright.dropNulls" $m -}}
{{- $provider := index $m "provider" | default dict -}}
{{- range $key := list "prometheus" "web" -}}
{{- $p := index $provider $key -}}
{{- if not (kindIs "invalid" $p) -}}
{{- if not (index $p "headers") -}}
{{- $_ := unset $p "headers" -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- $metrics = append $metrics $m -}}
{{- end -}}
{{- toYaml $metrics -}}
{{- end -}}
