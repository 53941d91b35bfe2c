{{- /* One type: its doc comment, validation and rules, where it is used, and its fields (for a
struct) or its values (for a string type with constants). Required is what controller-gen
makes of the field: optional when it carries +optional. */ -}}
{{- define "type" -}}
{{- $type := . -}}
{{- if markdownShouldRenderType $type }}

### {{ $type.Name }}
{{- if $type.IsAlias }}

Type: {{ markdownRenderTypeLink $type.UnderlyingType }}
{{- end }}
{{- with $type.Doc }}

{{ template "hk_text" . }}
{{- end }}
{{- with $type.GVK }}

`apiVersion: {{ .Group }}/{{ .Version }}`, `kind: {{ .Kind }}`
{{- range index $type.Markers "kubebuilder:resource" }}
{{- with .ShortName }}; short name{{ if gt (len .) 1 }}s{{ end }}: {{ range $i, $n := . }}{{ if $i }}, {{ end }}`{{ $n }}`{{ end }}{{ end }}
{{- end }}
{{- end }}
{{- $validation := list }}
{{- range $type.Validation }}{{ if not (or (eq . "Optional: {}") (eq . "Required: {}")) }}{{ $validation = append $validation . }}{{ end }}{{ end }}
{{- if $validation }}

Validation:
{{- range $validation }}
- {{ . }}
{{- end }}
{{- end }}
{{- with index $type.Markers "kubebuilder:validation:XValidation" }}

Rules (checked by the API server):
{{- range . }}
- {{ template "hk_text" .Message }}
{{- end }}
{{- end }}
{{- if $type.References }}

Appears in: {{ range $i, $r := $type.SortedReferences }}{{ if $i }}, {{ end }}{{ markdownRenderTypeLink $r }}{{ end }}
{{- end }}
{{- if $type.Members }}

| Field | Type | Required | Default | Description | Validation |
| --- | --- | --- | --- | --- | --- |
{{- if $type.GVK }}
| `apiVersion` | string | required | | `{{ $type.GVK.Group }}/{{ $type.GVK.Version }}` | |
| `kind` | string | required | | `{{ $type.GVK.Kind }}` | |
{{- end }}
{{- range $type.Members }}
{{- $field := . }}
{{- $checks := list }}
{{- range .Validation }}{{ if not (or (eq . "Optional: {}") (eq . "Required: {}")) }}{{ $checks = append $checks (. | replace "|" "\\|") }}{{ end }}{{ end }}
{{- /* crd-ref-docs copies a type's rules onto the fields of that type: those are listed with the type. */}}
{{- $inherited := list }}
{{- with .Type }}
{{- range index .Markers "kubebuilder:validation:XValidation" }}{{ $inherited = append $inherited .Message }}{{ end }}
{{- with .UnderlyingType }}{{ range index .Markers "kubebuilder:validation:XValidation" }}{{ $inherited = append $inherited .Message }}{{ end }}{{ end }}
{{- end }}
{{- range index .Markers "kubebuilder:validation:XValidation" }}{{ if not (has .Message $inherited) }}{{ $checks = append $checks (printf "Rule: %s" (.Message | replace "<" "&lt;" | replace ">" "&gt;" | replace "|" "\\|")) }}{{ end }}{{ end }}
| `{{ .Name }}` | {{ markdownRenderType .Type }} | {{ if eq .Name "metadata" }}required{{ else if or (index .Markers "optional") (index .Markers "kubebuilder:validation:Optional") (index .Markers "k8s:optional") }}optional{{ else }}required{{ end }} | {{ with .Default }}`{{ . | replace "{  }" "{}" | replace "|" "\\|" }}`{{ end }} | {{ if eq .Name "metadata" }}Standard object metadata; `name` is required.{{ else }}{{ template "hk_cell" .Doc }}{{ end }}{{ if and (eq .Name "conditions") (hasSuffix "Status" $type.Name) }} See [Status conditions](#status-conditions).{{ end }} | {{ join "<br />" $checks }} |
{{- end }}
{{- end }}
{{- if $type.EnumValues }}

| Value | Description |
| --- | --- |
{{- range $type.EnumValues }}
| `{{ .Name }}` | {{ template "hk_cell" .Doc }} |
{{- end }}
{{- end }}
{{- end }}
{{- end -}}
