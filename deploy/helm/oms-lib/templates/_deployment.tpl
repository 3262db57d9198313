{{- define "oms-lib.probes" -}}
{{- if eq .Values.kind "rpc" -}}
livenessProbe:
  grpc:
    port: {{ .Values.ports.rpc }}
  periodSeconds: 10
  failureThreshold: 3
readinessProbe:
  grpc:
    port: {{ .Values.ports.rpc }}
  periodSeconds: 5
{{- else if eq .Values.kind "gateway" -}}
livenessProbe:
  httpGet:
    path: /healthz
    port: http
  periodSeconds: 10
  failureThreshold: 3
readinessProbe:
  httpGet:
    path: /readyz
    port: http
  periodSeconds: 5
{{- else -}}
livenessProbe:
  httpGet:
    path: /healthz
    port: metrics
  periodSeconds: 10
  failureThreshold: 3
readinessProbe:
  httpGet:
    path: /healthz
    port: metrics
  periodSeconds: 5
{{- end }}
startupProbe:
  {{- if eq .Values.kind "rpc" }}
  grpc:
    port: {{ .Values.ports.rpc }}
  {{- else }}
  httpGet:
    path: /healthz
    port: {{ include "oms-lib.metricsPortName" . }}
  {{- end }}
  periodSeconds: 2
  failureThreshold: 60
{{- end -}}

{{- define "oms-lib.containerPorts" -}}
{{- with .Values.ports.rpc }}
- name: grpc
  containerPort: {{ . }}
  protocol: TCP
{{- end }}
{{- with .Values.ports.http }}
- name: http
  containerPort: {{ . }}
  protocol: TCP
{{- end }}
{{- with .Values.ports.metrics }}
- name: metrics
  containerPort: {{ . }}
  protocol: TCP
{{- end }}
{{- end -}}

{{- define "oms-lib.deployment" -}}
{{- $temporal := include "oms-lib.temporal" . | fromYaml -}}
{{- $tlsSecret := and (.Values.temporal | default dict).enabled $temporal.tls.existingSecret -}}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "oms-lib.fullname" . }}
  labels:
    {{- include "oms-lib.labels" . | nindent 4 }}
    app.kubernetes.io/component: {{ .Values.kind }}
spec:
  {{- if not (.Values.autoscaling | default dict).enabled }}
  replicas: {{ .Values.replicaCount }}
  {{- end }}
  revisionHistoryLimit: 5
  selector:
    matchLabels:
      {{- include "oms-lib.selector" . | nindent 6 }}
  template:
    metadata:
      labels:
        {{- include "oms-lib.labels" . | nindent 8 }}
        app.kubernetes.io/component: {{ .Values.kind }}
      annotations:
        # A changed ConfigMap rolls the pods.
        checksum/config: {{ include "oms-lib.configmap" . | sha256sum }}
        {{- with .Values.podAnnotations }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
    spec:
      automountServiceAccountToken: false
      enableServiceLinks: false
      securityContext:
        {{- include "oms-lib.podSecurityContext" . | nindent 8 }}
      terminationGracePeriodSeconds: {{ (.Values.terminationGracePeriodSeconds | default 30) }}
      {{- with .Values.imagePullSecrets }}
      imagePullSecrets:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      containers:
        - name: {{ include "oms-lib.name" . }}
          image: {{ include "oms-lib.image" . }}
          imagePullPolicy: {{ (.Values.image.pullPolicy | default "IfNotPresent") }}
          ports:
            {{- include "oms-lib.containerPorts" . | trim | nindent 12 }}
          envFrom:
            - configMapRef:
                name: {{ include "oms-lib.fullname" . }}
          {{- with include "oms-lib.secretEnv" . }}
          env:
            {{- . | trim | nindent 12 }}
          {{- end }}
          {{- include "oms-lib.probes" . | nindent 10 }}
          resources:
            {{- toYaml .Values.resources | nindent 12 }}
          securityContext:
            {{- include "oms-lib.containerSecurityContext" . | nindent 12 }}
          volumeMounts:
            - name: tmp
              mountPath: /tmp
            {{- if $tlsSecret }}
            - name: temporal-tls
              mountPath: /etc/temporal/tls
              readOnly: true
            {{- end }}
      volumes:
        - name: tmp
          emptyDir: {}
        {{- if $tlsSecret }}
        - name: temporal-tls
          secret:
            secretName: {{ $tlsSecret }}
            # 0440 (octal), written in decimal: YAML 1.1 and 1.2 readers disagree on a leading 0.
            defaultMode: 288
        {{- end }}
      {{- with .Values.nodeSelector }}
      nodeSelector:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with .Values.tolerations }}
      tolerations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with .Values.affinity }}
      affinity:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      topologySpreadConstraints:
        # Replicas spread over nodes where the cluster allows, so one node's loss leaves the others serving.
        - maxSkew: 1
          topologyKey: kubernetes.io/hostname
          whenUnsatisfiable: ScheduleAnyway
          labelSelector:
            matchLabels:
              {{- include "oms-lib.selector" . | nindent 14 }}
{{- end -}}
