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

{{/*
The labels of every object: global.labels, then commonLabels, then the chart's own, which win.
*/}}
{{- define "hookkeeper.labels" -}}
{{- include "hookkeeper.labelsWith" (dict "ctx" . "extra" dict) }}
{{- end }}

{{/*
The labels of an object with further labels of its own (.extra, e.g. podLabels), which come
after the chart's own and before commonLabels and global.labels.
*/}}
{{- define "hookkeeper.labelsWith" -}}
{{- $ctx := .ctx }}
{{- $own := dict "helm.sh/chart" (include "hookkeeper.chart" $ctx) "app.kubernetes.io/version" $ctx.Chart.AppVersion "app.kubernetes.io/managed-by" $ctx.Release.Service }}
{{- $_ := merge $own (include "hookkeeper.selectorLabels" $ctx | fromYaml) }}
{{- $labels := merge (dict) $own (.extra | default dict) ($ctx.Values.commonLabels | default dict) (($ctx.Values.global | default dict).labels | default dict) }}
{{- toYaml $labels }}
{{- end }}

{{- define "hookkeeper.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (printf "%s-controller-manager" (include "hookkeeper.fullname" .)) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
The Secret that keys status.appliedSecretHash (--status-key-secret), in the release namespace:
named after the release, so that two releases in one namespace never share it.
*/}}
{{- define "hookkeeper.statusKeySecret" -}}
{{- .Values.operator.statusKeySecret | default (printf "%s-status-key" (include "hookkeeper.fullname" .)) }}
{{- end }}

{{/*
--provider-qps: name=qps[:burst] for each entry of providers, by name. The schema allows the
operator's provider names only, each with its qps.
*/}}
{{- define "hookkeeper.providerQps" -}}
{{- $items := list -}}
{{- range $name, $p := .Values.providers -}}
{{- if and $p (hasKey $p "qps") -}}
{{- $item := printf "%s=%v" $name (float64 $p.qps) -}}
{{- if hasKey $p "burst" -}}
{{- $item = printf "%s:%d" $item (int $p.burst) -}}
{{- end -}}
{{- $items = append $items $item -}}
{{- end -}}
{{- end -}}
{{- join "," $items -}}
{{- end -}}

{{/*
image.repository, its registry (the first part when it has a "." or ":", or is localhost)
replaced by global.imageRegistry when that is set.
*/}}
{{- define "hookkeeper.repository" -}}
{{- $repo := .Values.image.repository }}
{{- with (.Values.global | default dict).imageRegistry }}
{{- $parts := splitList "/" $repo }}
{{- $first := first $parts }}
{{- if and (gt (len $parts) 1) (or (contains "." $first) (contains ":" $first) (eq $first "localhost")) }}
{{- $repo = rest $parts | join "/" }}
{{- end }}
{{- $repo = printf "%s/%s" (trimSuffix "/" .) $repo }}
{{- end }}
{{- $repo }}
{{- end }}

{{- define "hookkeeper.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" (include "hookkeeper.repository" .) .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" (include "hookkeeper.repository" .) (default .Chart.AppVersion .Values.image.tag | toString) }}
{{- end }}
{{- end }}

{{/* global.imagePullSecrets, then imagePullSecrets, each name once. */}}
{{- define "hookkeeper.imagePullSecrets" -}}
{{- $seen := dict }}
{{- $secrets := list }}
{{- range concat ((.Values.global | default dict).imagePullSecrets | default list) (.Values.imagePullSecrets | default list) }}
{{- if not (hasKey $seen .name) }}
{{- $_ := set $seen .name true }}
{{- $secrets = append $secrets (dict "name" .name) }}
{{- end }}
{{- end }}
{{- with $secrets }}{{ toYaml . }}{{ end }}
{{- end }}

{{/*
A Go duration (operator.httpTimeout and the like) in whole seconds, rounded up: the sum of its
number-and-unit parts, as the schema's pattern lets them through.
*/}}
{{- define "hookkeeper.durationSeconds" -}}
{{- $units := dict "h" 3600.0 "m" 60.0 "s" 1.0 "ms" 0.001 "us" 0.000001 "µs" 0.000001 "ns" 0.000000001 }}
{{- $total := 0.0 }}
{{- range regexFindAll "[0-9]+(\\.[0-9]+)?(ns|us|µs|ms|s|m|h)" (toString .) -1 }}
{{- $unit := regexFind "(ns|us|µs|ms|s|m|h)$" . }}
{{- $total = addf $total (mulf (trimSuffix $unit . | float64) (get $units $unit)) }}
{{- end }}
{{- ceil $total | int }}
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

{{/*
"true" when the replicas share the work (--sharding): more than one replica, and sharding.enabled
not false; else "". One replica never shards: it would only add a Lease round to its start.
*/}}
{{- define "hookkeeper.sharding" -}}
{{- if and (gt (int .Values.replicaCount) 1) (ne (toString (get (.Values.sharding | default dict) "enabled")) "false") }}true{{ end }}
{{- end }}

{{/* "true" when the pods elect a leader (--leader-elect): asked for, and not sharding; else "". */}}
{{- define "hookkeeper.leaderElection" -}}
{{- if and .Values.leaderElection.enabled (not (include "hookkeeper.sharding" .)) }}true{{ end }}
{{- end }}

{{/* Combinations that would install something broken. */}}
{{- define "hookkeeper.validate" -}}
{{- if and (gt (int .Values.replicaCount) 1) (not (include "hookkeeper.sharding" .)) (not .Values.leaderElection.enabled) }}
{{- fail "replicaCount > 1 with sharding.enabled false requires leaderElection.enabled: without it every replica reconciles every Webhook" }}
{{- end }}
{{- if include "hookkeeper.sharding" . }}
{{- range .Values.extraEnv }}
{{- if eq (toString .name) "POD_NAME" }}
{{- fail "extraEnv: POD_NAME is the chart's own with sharding (replicaCount > 1): --shard-identity=$(POD_NAME) names each replica after its pod, and another value could give two pods one identity" }}
{{- end }}
{{- end }}
{{- end }}
{{- if and .Values.metrics.serviceMonitor.enabled (not .Values.metrics.service.enabled) }}
{{- fail "metrics.serviceMonitor.enabled requires metrics.service.enabled" }}
{{- end }}
{{- if and .Values.metrics.service.enabled (not (include "hookkeeper.metricsEnabled" .)) }}
{{- fail "metrics.service.enabled requires a metrics endpoint: operator.metricsBindAddress is \"0\"" }}
{{- end }}
{{- with .Values.metrics.podMonitor }}
{{- if .enabled }}
{{- if $.Values.metrics.serviceMonitor.enabled }}
{{- fail "metrics.podMonitor.enabled and metrics.serviceMonitor.enabled are exclusive: both would scrape the same pods; enable one" }}
{{- end }}
{{- if not (include "hookkeeper.metricsEnabled" $) }}
{{- fail "metrics.podMonitor.enabled requires a metrics endpoint: operator.metricsBindAddress is \"0\"" }}
{{- end }}
{{- if and (ne (toString $.Values.metrics.secure) "false") (not .authorization) }}
{{- fail "metrics.podMonitor.enabled with metrics.secure requires metrics.podMonitor.authorization (a PodMonitor cannot send Prometheus's own token file): e.g. {type: Bearer, credentials: {name: <Secret>, key: token}}" }}
{{- end }}
{{- end }}
{{- end }}
{{- $timeout := include "hookkeeper.durationSeconds" .Values.operator.httpTimeout | int }}
{{- if lt (int .Values.terminationGracePeriodSeconds) (add $timeout 5) }}
{{- fail (printf "terminationGracePeriodSeconds (%d) must be at least operator.httpTimeout (%s) plus 5 seconds of shutdown (3 s to write the queued Events, 2 s for the Lease): %d or more" (int .Values.terminationGracePeriodSeconds) (toString .Values.operator.httpTimeout) (add $timeout 5)) }}
{{- end }}
{{- include "hookkeeper.validateWatchNamespaces" . }}
{{- include "hookkeeper.validateEndpointAllowlist" . }}
{{- include "hookkeeper.validateAccountSecretNamespaces" . }}
{{- end }}

{{/*
watchNamespaces: a list of namespace names (DNS-1123 labels), each once. The operator refuses
anything else at start; the chart refuses it first, so that no Role lands in a namespace the
operator would not watch.
*/}}
{{- define "hookkeeper.validateWatchNamespaces" -}}
{{- with .Values.watchNamespaces }}
{{- if not (kindIs "slice" .) }}
{{- fail (printf "watchNamespaces must be a list of namespace names (watchNamespaces: [team-a, team-b]), got %q" (toString .)) }}
{{- end }}
{{- $seen := dict }}
{{- range . }}
{{- $ns := toString . }}
{{- if or (gt (len $ns) 63) (not (regexMatch "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$" $ns)) }}
{{- fail (printf "watchNamespaces: entry %q is not a namespace name (a DNS-1123 label: at most 63 lower-case letters, digits and '-', starting and ending with a letter or digit)" $ns) }}
{{- end }}
{{- if hasKey $seen $ns }}
{{- fail (printf "watchNamespaces: entry %q is listed twice" $ns) }}
{{- end }}
{{- $_ := set $seen $ns true }}
{{- end }}
{{- end }}
{{- end }}

{{/*
operator.accountSecretNamespaces: namespace names, each once, or "*" alone, as the operator
takes them. With watchNamespaces the chart grants the Secrets of each by a Role, which "*"
cannot be: refused there rather than granting every namespace's Secrets cluster-wide.
*/}}
{{- define "hookkeeper.validateAccountSecretNamespaces" -}}
{{- with .Values.operator.accountSecretNamespaces }}
{{- if not (kindIs "slice" .) }}
{{- fail (printf "operator.accountSecretNamespaces must be a list of namespace names (accountSecretNamespaces: [platform-credentials]) or [\"*\"], got %q" (toString .)) }}
{{- end }}
{{- $seen := dict }}
{{- range . }}
{{- $ns := toString . }}
{{- if and (ne $ns "*") (or (gt (len $ns) 63) (not (regexMatch "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$" $ns))) }}
{{- fail (printf "operator.accountSecretNamespaces: entry %q is neither a namespace name (a DNS-1123 label: at most 63 lower-case letters, digits and '-', starting and ending with a letter or digit) nor \"*\"" $ns) }}
{{- end }}
{{- if hasKey $seen $ns }}
{{- fail (printf "operator.accountSecretNamespaces: entry %q is listed twice" $ns) }}
{{- end }}
{{- $_ := set $seen $ns true }}
{{- end }}
{{- if and (has "*" .) (gt (len .) 1) }}
{{- fail "operator.accountSecretNamespaces: \"*\" admits every namespace and stands alone" }}
{{- end }}
{{- if and (has "*" .) $.Values.watchNamespaces }}
{{- fail "operator.accountSecretNamespaces: \"*\" needs the Secrets of every namespace, which a namespace-scoped install (watchNamespaces) does not grant: list the namespaces instead" }}
{{- end }}
{{- end }}
{{- end }}

{{/*
The namespaces where a ClusterAccount's credentials may be, as the operator resolves them:
operator.accountSecretNamespaces, else the release namespace (the operator's own). A JSON list.
*/}}
{{- define "hookkeeper.accountSecretNamespaces" -}}
{{- .Values.operator.accountSecretNamespaces | default (list .Release.Namespace) | toJson }}
{{- end }}

{{/*
endpointAllowlist: a list of host patterns and CIDRs, joined with commas into one flag. The
operator parses each entry; the chart refuses what cannot survive the join (commas, spaces,
empty entries) and URLs, a common mistake for a host.
*/}}
{{- define "hookkeeper.validateEndpointAllowlist" -}}
{{- with .Values.endpointAllowlist }}
{{- if not (kindIs "slice" .) }}
{{- fail (printf "endpointAllowlist must be a list of host patterns and CIDRs (endpointAllowlist: [\"*.corp.example\", 10.20.0.0/16]), got %q" (toString .)) }}
{{- end }}
{{- range . }}
{{- $entry := toString . }}
{{- if or (eq $entry "") (regexMatch "[,[:space:]]" $entry) }}
{{- fail (printf "endpointAllowlist: entry %q must be one non-empty host pattern or CIDR, without commas or spaces" $entry) }}
{{- end }}
{{- if contains "://" $entry }}
{{- fail (printf "endpointAllowlist: entry %q is a URL: give its host (or a *.domain pattern, or a CIDR)" $entry) }}
{{- end }}
{{- end }}
{{- end }}
{{- end }}
