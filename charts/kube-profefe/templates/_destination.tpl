{{/*
Where kprofefe keeps the profiles, checked: YAML read back with fromYaml, either
{collectorUrl} (the chart's collector Service, or collector.url), {outputDir, outputClaim} (a
PersistentVolumeClaim), or {} when Pyroscope (pyroscope.url, _pyroscope.tpl) is the only sink.
Fails on values that would lose profiles or that contradict each other.
*/}}
{{- define "kube-profefe.destination" -}}
{{- $collector := .Values.collector }}
{{- $output := .Values.output }}
{{- if and $collector.enabled $collector.url }}
{{- fail (printf "collector.url is set (%s) while collector.enabled is true: set collector.enabled=false to push to that collector, or leave collector.url empty to push to the chart's own collector" $collector.url) }}
{{- end }}
{{- $url := $collector.url }}
{{- if $collector.enabled }}
{{- $url = include "kube-profefe.collectorServiceUrl" . }}
{{- end }}
{{- if $url }}
collectorUrl: {{ $url | quote }}
{{- /* A claim beside a collector: every profile goes to both (kprofefe's sinks). */}}
{{- if $output.existingClaim }}
outputDir: {{ $output.dir | quote }}
outputClaim: {{ $output.existingClaim | quote }}
{{- end }}
{{- else }}
{{- if $collector.headersSecret.name }}
{{- fail "collector.headersSecret.name is set but there is no collector (collector.enabled is false and collector.url is empty): headers are only sent to a collector" }}
{{- end }}
{{- if $output.existingClaim }}
outputDir: {{ $output.dir | quote }}
outputClaim: {{ $output.existingClaim | quote }}
{{- else if not .Values.pyroscope.url }}
{{- fail "nowhere to keep profiles: collector.enabled is false, collector.url is empty and output.existingClaim is empty. Set collector.enabled=true (the chart's profefe collector), collector.url=<URL of an existing profefe collector>, output.existingClaim=<an existing PersistentVolumeClaim> to write profiles to output.dir, or pyroscope.url=<Grafana Pyroscope's URL>" }}
{{- end }}
{{- end }}
{{- end }}
