{{/*
Names and labels. Apps select each other by app.kubernetes.io/name and
app.kubernetes.io/part-of: oms (NetworkPolicy), so those stay stable.
*/}}
{{- define "oms-lib.name" -}}
{{- .Chart.Name -}}
{{- end -}}

{{- define "oms-lib.fullname" -}}
{{- .Values.fullnameOverride | default (printf "%s-%s" .Release.Name .Chart.Name) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Selects every pod of this app in this release (the Deployment's and the migration Job's). */}}
{{- define "oms-lib.podSelector" -}}
app.kubernetes.io/name: {{ include "oms-lib.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* Selects only the long-running pods (not the migration Job's), for the Service, the Deployment and the PDB. */}}
{{- define "oms-lib.selector" -}}
{{ include "oms-lib.podSelector" . }}
app.kubernetes.io/component: {{ .Values.kind }}
{{- end -}}

{{- define "oms-lib.labels" -}}
{{ include "oms-lib.podSelector" . }}
app.kubernetes.io/part-of: oms
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "oms-lib.image" -}}
{{- $registry := .Values.image.registry | default (.Values.global.image | default dict).registry -}}
{{- $tag := .Values.image.tag | default (.Values.global.image | default dict).tag | default .Chart.AppVersion -}}
{{- if $registry }}{{ $registry }}/{{ end }}{{ .Values.image.repository }}:{{ $tag }}
{{- end -}}

{{/* The RPC port of each service, so callers find it without repeating it. */}}
{{- define "oms-lib.rpcPorts" -}}
order-service: 50051
payment-service: 50052
inventory-service: 50053
shipping-service: 50054
{{- end -}}

{{/* The name of the port serving /metrics: the gateway serves it on its HTTP port. */}}
{{- define "oms-lib.metricsPortName" -}}
{{- if .Values.ports.metrics }}metrics{{ else }}http{{ end -}}
{{- end -}}

{{/* Temporal settings: global.temporal (set once in the umbrella) over the defaults. */}}
{{- define "oms-lib.temporal" -}}
{{- $defaults := dict "address" "temporal-frontend.temporal:7233" "namespace" "default" "taskQueue" "orders" "tls" (dict "enabled" false "existingSecret" "" "serverCA" false) "apiKey" (dict "existingSecret" "" "key" "api-key") -}}
{{- mergeOverwrite $defaults (deepCopy (.Values.global.temporal | default dict)) | toYaml -}}
{{- end -}}

{{/*
Environment from existing Secrets (secretEnv: name, secret, key, optional).
A secret is named by secrets.<ref> in the chart or global.secrets.<ref>; it
is required: the charts never carry a development default. An optional key
may be missing from the Secret (the variable is then unset).
*/}}
{{- define "oms-lib.secretEnv" -}}
{{- range .Values.secretEnv }}
{{- $name := (index ($.Values.secrets | default dict) .secret) | default (index ($.Values.global.secrets | default dict) .secret) }}
- name: {{ .name }}
  valueFrom:
    secretKeyRef:
      name: {{ required (printf "%s: set secrets.%s (or global.secrets.%s in the umbrella) to the name of an existing Secret holding key %q for %s (create it first, e.g. kubectl create secret generic <name> --from-literal=%s=...)" $.Chart.Name .secret .secret .key .name .key) $name }}
      key: {{ .key }}
      {{- if .optional }}
      optional: true
      {{- end }}
{{- end }}
{{- $temporal := include "oms-lib.temporal" . | fromYaml }}
{{- if and (.Values.temporal | default dict).enabled $temporal.apiKey.existingSecret }}
- name: TEMPORAL_API_KEY
  valueFrom:
    secretKeyRef:
      name: {{ $temporal.apiKey.existingSecret }}
      key: {{ $temporal.apiKey.key }}
{{- end }}
{{- end -}}

{{/* Restrictive by design, not configurable: non-root, read-only root filesystem, no privileges. */}}
{{- define "oms-lib.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 1000
runAsGroup: 1000
fsGroup: 1000
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{- define "oms-lib.containerSecurityContext" -}}
runAsNonRoot: true
runAsUser: 1000
runAsGroup: 1000
readOnlyRootFilesystem: true
allowPrivilegeEscalation: false
privileged: false
capabilities:
  drop: [ALL]
seccompProfile:
  type: RuntimeDefault
{{- end -}}
