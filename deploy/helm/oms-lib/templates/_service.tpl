{{- define "oms-lib.service" -}}
apiVersion: v1
kind: Service
metadata:
  name: {{ include "oms-lib.fullname" . }}
  labels:
    {{- include "oms-lib.labels" . | nindent 4 }}
spec:
  type: ClusterIP
  selector:
    {{- include "oms-lib.selector" . | nindent 4 }}
  ports:
    {{- with .Values.ports.rpc }}
    - name: grpc
      port: {{ . }}
      targetPort: grpc
      protocol: TCP
      appProtocol: kubernetes.io/h2c
    {{- end }}
    {{- with .Values.ports.http }}
    - name: http
      port: {{ . }}
      targetPort: http
      protocol: TCP
    {{- end }}
    {{- with .Values.ports.metrics }}
    - name: metrics
      port: {{ . }}
      targetPort: metrics
      protocol: TCP
    {{- end }}
{{- end -}}

{{- define "oms-lib.pdb" -}}
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {{ include "oms-lib.fullname" . }}
  labels:
    {{- include "oms-lib.labels" . | nindent 4 }}
spec:
  maxUnavailable: {{ ((.Values.podDisruptionBudget | default dict).maxUnavailable | default 1) }}
  selector:
    matchLabels:
      {{- include "oms-lib.selector" . | nindent 6 }}
{{- end -}}

{{- define "oms-lib.hpa" -}}
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {{ include "oms-lib.fullname" . }}
  labels:
    {{- include "oms-lib.labels" . | nindent 4 }}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: {{ include "oms-lib.fullname" . }}
  minReplicas: {{ .Values.autoscaling.minReplicas }}
  maxReplicas: {{ .Values.autoscaling.maxReplicas }}
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: {{ .Values.autoscaling.targetCPUUtilizationPercentage }}
{{- end -}}

{{- define "oms-lib.servicemonitor" -}}
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata:
  name: {{ include "oms-lib.fullname" . }}
  labels:
    {{- include "oms-lib.labels" . | nindent 4 }}
    {{- with (.Values.serviceMonitor | default dict).labels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
spec:
  selector:
    matchLabels:
      {{- include "oms-lib.podSelector" . | nindent 6 }}
  endpoints:
    - port: {{ include "oms-lib.metricsPortName" . }}
      path: /metrics
      interval: {{ ((.Values.serviceMonitor | default dict).interval | default "30s") }}
{{- end -}}
