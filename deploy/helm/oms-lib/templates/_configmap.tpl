{{/* The app's plain settings, as the environment variables it reads (secrets come from secretEnv). */}}
{{- define "oms-lib.configmap" -}}
{{- $data := dict "HOST" "0.0.0.0" "LOG_LEVEL" (.Values.logLevel | default "info") -}}
{{- with .Values.ports.rpc }}{{ $_ := set $data "PORT" . }}{{ end -}}
{{- with .Values.ports.http }}{{ $_ := set $data "PORT" . }}{{ end -}}
{{- with .Values.ports.metrics }}{{ $_ := set $data "METRICS_PORT" . }}{{ end -}}
{{- $ports := include "oms-lib.rpcPorts" . | fromYaml -}}
{{- range .Values.calls -}}
{{- $_ := set $data (printf "%s_URL" (. | upper | replace "-" "_")) (printf "http://%s-%s:%v" $.Release.Name . (index $ports .)) -}}
{{- end -}}
{{- if (.Values.temporal | default dict).enabled -}}
{{- $temporal := include "oms-lib.temporal" . | fromYaml -}}
{{- $_ := set $data "TEMPORAL_ADDRESS" $temporal.address -}}
{{- $_ := set $data "TEMPORAL_NAMESPACE" $temporal.namespace -}}
{{- $_ := set $data "TEMPORAL_TASK_QUEUE" $temporal.taskQueue -}}
{{- $_ := set $data "TEMPORAL_TLS" $temporal.tls.enabled -}}
{{- if $temporal.tls.existingSecret -}}
{{- $_ := set $data "TEMPORAL_TLS_CERT_PATH" "/etc/temporal/tls/tls.crt" -}}
{{- $_ := set $data "TEMPORAL_TLS_KEY_PATH" "/etc/temporal/tls/tls.key" -}}
{{- if $temporal.tls.serverCA }}{{ $_ := set $data "TEMPORAL_TLS_CA_PATH" "/etc/temporal/tls/ca.crt" }}{{ end -}}
{{- end -}}
{{- end -}}
{{- with (.Values.global.otel | default dict).endpoint }}{{ $_ := set $data "OTEL_EXPORTER_OTLP_ENDPOINT" . }}{{ end -}}
{{- $data = mergeOverwrite $data (.Values.env | default dict) -}}
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ include "oms-lib.fullname" . }}
  labels:
    {{- include "oms-lib.labels" . | nindent 4 }}
data:
  {{- range $key, $value := $data }}
  {{ $key }}: {{ $value | toString | quote }}
  {{- end }}
{{- end -}}
