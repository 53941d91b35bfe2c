{{/* Names, labels and checks shared by the templates. */}}

{{- define "hookkeeper.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
The prefix of every resource name: the release name, with the chart name appended unless the
release name already contains it. A release named "hookkeeper" gets the names that
`make deploy` (config/default) uses.
*/}}
{{- define "hookkeeper.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "hookkeeper.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "hookkeeper.selectorLabels" -}}
app.kubernetes.io/name: {{ include "hookkeeper.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "hookkeeper.labels" -}}
helm.sh/chart: {{ include "hookkeeper.chart" . }}
{{ include "hookkeeper.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "hookkeeper.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (printf "%s-controller-manager" (include "hookkeeper.fullname" .)) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "hookkeeper.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag | toString) }}
{{- end }}
{{- end }}

{{/* The port of a bind address such as ":8080" or "0.0.0.0:8080"; fails on anything else. */}}
{{- define "hookkeeper.portOf" -}}
{{- $addr := toString .addr }}
{{- if not (regexMatch ":[0-9]+$" $addr) }}
{{- fail (printf "%s must end in :<port>, got %q" .flag $addr) }}
{{- end }}
{{- regexFind "[0-9]+$" $addr }}
{{- end }}

{{/* "true" when the operator serves metrics (--metrics-bind-address is not "0"), else "". */}}
{{- define "hookkeeper.metricsEnabled" -}}
{{- if ne (toString .Values.operator.metricsBindAddress) "0" }}true{{ end }}
{{- end }}

{{- define "hookkeeper.metricsPort" -}}
{{- include "hookkeeper.portOf" (dict "flag" "operator.metricsBindAddress" "addr" .Values.operator.metricsBindAddress) }}
{{- end }}

{{- define "hookkeeper.probePort" -}}
{{- include "hookkeeper.portOf" (dict "flag" "operator.healthProbeBindAddress" "addr" .Values.operator.healthProbeBindAddress) }}
{{- end }}

{{/* Combinations that would install something broken. */}}
{{- define "hookkeeper.validate" -}}
{{- if and (gt (int .Values.replicas) 1) (not .Values.leaderElection.enabled) }}
{{- fail "replicas > 1 requires leaderElection.enabled: without it every replica reconciles every Webhook" }}
{{- end }}
{{- if and .Values.metrics.serviceMonitor.enabled (not .Values.metrics.service.enabled) }}
{{- fail "metrics.serviceMonitor.enabled requires metrics.service.enabled" }}
{{- end }}
{{- if and .Values.metrics.service.enabled (not (include "hookkeeper.metricsEnabled" .)) }}
{{- fail "metrics.service.enabled requires a metrics endpoint: operator.metricsBindAddress is \"0\"" }}
{{- end }}
{{- end }}
