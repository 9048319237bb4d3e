{{/*
Grafana Pyroscope as a sink of every run (pyroscope.*), checked: YAML read back with fromYaml, as
{args, mounts, volumes}. The credentials come from an existing Secret, mounted read-only as a
file; kprofefe reads it at the start of each run and never logs it. The CA of an https:// URL
(tls.ca: a ConfigMap or a Secret) is mounted read-only too. Nothing is added with the defaults.
*/}}
{{- define "kube-profefe.pyroscope" -}}
{{- $pyroscope := .Values.pyroscope }}
{{- $basic := $pyroscope.basicAuthSecret }}
{{- $token := $pyroscope.bearerTokenSecret }}
{{- $ca := $pyroscope.tls.ca }}
{{- $args := list }}
{{- $mounts := list }}
{{- $volumes := list }}
{{- if and $basic.name $token.name }}
{{- fail (printf "pyroscope: set basicAuthSecret.name (%s) or bearerTokenSecret.name (%s), not both" $basic.name $token.name) }}
{{- end }}
{{- if and (not $pyroscope.url) (or $pyroscope.tenant $basic.name $token.name) }}
{{- fail "pyroscope.tenant, pyroscope.basicAuthSecret and pyroscope.bearerTokenSecret need pyroscope.url" }}
{{- end }}
{{- if and $ca.configMap $ca.secret }}
{{- fail (printf "pyroscope.tls.ca: set configMap (%s) or secret (%s), not both" $ca.configMap $ca.secret) }}
{{- end }}
{{- if and (or $ca.configMap $ca.secret) (not $pyroscope.url) }}
{{- fail "pyroscope.tls.ca needs pyroscope.url" }}
{{- end }}
{{- if and (or $ca.configMap $ca.secret) (not (hasPrefix "https://" $pyroscope.url)) }}
{{- fail (printf "pyroscope.tls.ca needs an https:// pyroscope.url (%s)" $pyroscope.url) }}
{{- end }}
{{- with $pyroscope.url }}
{{- $args = append $args (printf "--pyroscope-url=%s" .) }}
{{- end }}
{{- with $pyroscope.tenant }}
{{- $args = append $args (printf "--pyroscope-tenant=%s" .) }}
{{- end }}
{{- $secret := dict }}
{{- if $basic.name }}
{{- $secret = dict "name" $basic.name "key" $basic.key "flag" "--pyroscope-basic-auth-file" }}
{{- else if $token.name }}
{{- $secret = dict "name" $token.name "key" $token.key "flag" "--pyroscope-bearer-token-file" }}
{{- end }}
{{- if $secret.name }}
{{- $args = append $args (printf "%s=/etc/kprofefe/pyroscope-auth/%s" $secret.flag $secret.key) }}
{{- $mounts = append $mounts (dict "name" "pyroscope-auth" "mountPath" "/etc/kprofefe/pyroscope-auth" "readOnly" true) }}
{{- /* defaultMode 288 is 0440: readable by the owner and by the group, which fsGroup makes the pod's */}}
{{- $volumes = append $volumes (dict "name" "pyroscope-auth" "secret" (dict "secretName" $secret.name "defaultMode" 288 "items" (list (dict "key" $secret.key "path" $secret.key)))) }}
{{- end }}
{{- if or $ca.configMap $ca.secret }}
{{- $caFile := include "kube-profefe.caFile" (dict "ca" $ca "name" "pyroscope-ca" "flag" "--pyroscope-ca-file") | fromYaml }}
{{- $args = append $args $caFile.arg }}
{{- $mounts = append $mounts $caFile.mount }}
{{- $volumes = append $volumes $caFile.volume }}
{{- end }}
{{- toYaml (dict "args" $args "mounts" $mounts "volumes" $volumes) }}
{{- end }}
