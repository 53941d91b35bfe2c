{{- /* hk_text renders a doc comment as Markdown prose: < and > are escaped (so that "<name>" is
not read as an HTML tag) and so is | (so that it does not end a table cell). */ -}}
{{- define "hk_text" -}}
{{- . | trim | replace "<" "&lt;" | replace ">" "&gt;" | replace "|" "\\|" -}}
{{- end -}}

{{- /* hk_cell renders a doc comment in one table cell: as hk_text, with the comment's lines
joined and its paragraphs separated by <br />. */ -}}
{{- define "hk_cell" -}}
{{- . | trim | replace "<" "&lt;" | replace ">" "&gt;" | replace "|" "\\|" | replace "\n\n" "<br /><br />" | replace "\n" " " -}}
{{- end -}}
