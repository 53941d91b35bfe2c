{{- /* The page: one section per API group version. Based on crd-ref-docs' markdown templates. */ -}}
{{- define "gvList" -}}
{{- $groupVersions := . -}}

# API reference
{{- range $groupVersions }}

{{ template "gvDetails" . }}
{{- end }}

{{- end -}}
