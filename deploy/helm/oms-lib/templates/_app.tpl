{{/* Everything an app chart renders: its templates file is just `{{ include "oms-lib.app" . }}`. */}}
{{- define "oms-lib.app" -}}
{{ include "oms-lib.configmap" . }}
---
{{ include "oms-lib.deployment" . }}
---
{{ include "oms-lib.service" . }}
---
{{ include "oms-lib.pdb" . }}
---
{{ include "oms-lib.networkpolicy" . }}
{{- if (.Values.autoscaling | default dict).enabled }}
---
{{ include "oms-lib.hpa" . }}
{{- end }}
{{- if (.Values.serviceMonitor | default dict).enabled }}
---
{{ include "oms-lib.servicemonitor" . }}
{{- end }}
{{- if and (eq .Values.kind "rpc") (.Values.migrations | default dict).enabled }}
---
{{ include "oms-lib.migration" . }}
{{- end }}
{{- end -}}
