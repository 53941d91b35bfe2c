{{- /* One group version: its kinds first, each followed by its Spec and Status, then every
other type in alphabetical order. */ -}}
{{- define "gvDetails" -}}
{{- $gv := . -}}

## {{ $gv.GroupVersionString }}

{{ template "hk_text" $gv.Doc }}

{{- if $gv.Kinds }}

Kinds:
{{- range $gv.SortedKinds }}
- {{ $gv.TypeForKind . | markdownRenderTypeLink }}
{{- end }}
{{- end }}

{{- $first := dict }}
{{- range $gv.SortedKinds }}
{{- $_ := set $first . true }}
{{- $_ := set $first (printf "%sSpec" .) true }}
{{- $_ := set $first (printf "%sStatus" .) true }}
{{- end }}

{{- range $gv.SortedKinds }}
{{- template "type" ($gv.TypeForKind .) }}
{{- with $gv.TypeForKind (printf "%sSpec" .) }}{{ template "type" . }}{{ end }}
{{- with $gv.TypeForKind (printf "%sStatus" .) }}{{ template "type" . }}{{ end }}
{{- end }}

{{- range $gv.SortedTypes }}
{{- if not (hasKey $first .Name) }}{{ template "type" . }}{{ end }}
{{- end }}

{{- end -}}
