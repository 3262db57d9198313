{{/*
The service's migrations, as a hook Job run before the new version starts.
It runs before the release's own resources exist (pre-install), so it
references nothing the chart creates: only the image and existing Secrets.
*/}}
{{- define "oms-lib.migration" -}}
apiVersion: batch/v1
kind: Job
metadata:
  name: {{ include "oms-lib.fullname" . }}-migrate
  labels:
    {{- include "oms-lib.labels" . | nindent 4 }}
    app.kubernetes.io/component: migration
  annotations:
    helm.sh/hook: pre-install,pre-upgrade
    helm.sh/hook-weight: "0"
    helm.sh/hook-delete-policy: before-hook-creation,hook-succeeded
spec:
  backoffLimit: {{ ((.Values.migrations | default dict).backoffLimit | default 2) }}
  activeDeadlineSeconds: {{ ((.Values.migrations | default dict).activeDeadlineSeconds | default 600) }}
  template:
    metadata:
      labels:
        {{- include "oms-lib.labels" . | nindent 8 }}
        app.kubernetes.io/component: migration
    spec:
      restartPolicy: Never
      automountServiceAccountToken: false
      enableServiceLinks: false
      securityContext:
        {{- include "oms-lib.podSecurityContext" . | nindent 8 }}
      {{- with .Values.imagePullSecrets }}
      imagePullSecrets:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      containers:
        - name: migrate
          image: {{ include "oms-lib.image" . }}
          imagePullPolicy: {{ (.Values.image.pullPolicy | default "IfNotPresent") }}
          command: [node, dist/migrate.js]
          env:
            - name: LOG_LEVEL
              value: {{ (.Values.logLevel | default "info") | quote }}
            {{- include "oms-lib.secretEnv" . | trim | nindent 12 }}
          resources:
            {{- toYaml .Values.resources | nindent 12 }}
          securityContext:
            {{- include "oms-lib.containerSecurityContext" . | nindent 12 }}
          volumeMounts:
            - name: tmp
              mountPath: /tmp
      volumes:
        - name: tmp
          emptyDir: {}
{{- end -}}
