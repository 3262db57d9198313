{{/*
Default-deny ingress for every pod of the app; then only: the callers named in
networkPolicy.allowFrom to the RPC port, the configured sources to the
gateway's HTTP port (no sources: anywhere), Prometheus to the metrics port.
*/}}
{{- define "oms-lib.networkpolicy" -}}
{{- $prometheus := .Values.global.prometheus | default (dict "namespaceSelector" (dict "matchLabels" (dict "kubernetes.io/metadata.name" "monitoring")) "podSelector" (dict "matchLabels" (dict "app.kubernetes.io/name" "prometheus"))) -}}
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: {{ include "oms-lib.fullname" . }}
  labels:
    {{- include "oms-lib.labels" . | nindent 4 }}
spec:
  podSelector:
    matchLabels:
      {{- include "oms-lib.podSelector" . | nindent 6 }}
  policyTypes: [Ingress]
  ingress:
    {{- if and .Values.ports.rpc (.Values.networkPolicy | default dict).allowFrom }}
    - from:
        {{- range (.Values.networkPolicy | default dict).allowFrom }}
        - podSelector:
            matchLabels:
              app.kubernetes.io/name: {{ . }}
              app.kubernetes.io/part-of: oms
        {{- end }}
      ports:
        - port: grpc
          protocol: TCP
    {{- end }}
    {{- if .Values.ports.http }}
    - ports:
        - port: http
          protocol: TCP
      {{- with (.Values.networkPolicy | default dict).httpFrom }}
      from:
        {{- toYaml . | nindent 8 }}
      {{- end }}
    {{- end }}
    - from:
        - namespaceSelector:
            {{- toYaml $prometheus.namespaceSelector | nindent 12 }}
          podSelector:
            {{- toYaml $prometheus.podSelector | nindent 12 }}
      ports:
        - port: {{ include "oms-lib.metricsPortName" . }}
          protocol: TCP
{{- end -}}
