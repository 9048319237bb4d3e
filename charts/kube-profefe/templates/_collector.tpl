{{/*
The collector's name (Deployment, Service, PersistentVolumeClaim): "<fullname>-collector", the full
name cut so that the whole stays a 63-character DNS label.
*/}}
{{- define "kube-profefe.collectorName" -}}
{{- printf "%s-collector" (include "kube-profefe.fullname" . | trunc 53 | trimSuffix "-") }}
{{- end }}

{{/*
Labels that select the collector's pod, and that `kubectl profefe` finds its Service by:
app.kubernetes.io/name=<chart name> and app.kubernetes.io/component=collector.
*/}}
{{- define "kube-profefe.collectorSelectorLabels" -}}
{{ include "kube-profefe.selectorLabels" . }}
app.kubernetes.io/component: collector
{{- end }}

{{/*
The collector's image: by digest when one is given, else by tag.
*/}}
{{- define "kube-profefe.collectorImage" -}}
{{- with .Values.collector.image }}
{{- if .digest }}
{{- printf "%s@%s" .repository .digest }}
{{- else }}
{{- printf "%s:%s" .repository .tag }}
{{- end }}
{{- end }}
{{- end }}

{{/*
The port profefe listens on and its Service serves (profefe's default, the one clients assume).
*/}}
{{- define "kube-profefe.collectorPort" -}}
10100
{{- end }}

{{/*
Where the data volume is mounted in the collector, and badger's directory in it (a subdirectory,
which badger creates, so that a volume's lost+found is not in badger's way).
*/}}
{{- define "kube-profefe.collectorDataDir" -}}
/var/lib/profefe
{{- end }}

{{/*
The URL of the chart's collector Service from inside the cluster.
*/}}
{{- define "kube-profefe.collectorServiceUrl" -}}
{{- printf "http://%s.%s.svc:%s" (include "kube-profefe.collectorName" .) .Release.Namespace (include "kube-profefe.collectorPort" .) }}
{{- end }}
