{{/*
Grafana Pyroscope as a sink of every run (pyroscope.*), checked: YAML read back with fromYaml, as
{args, mounts, volumes}. The credentials come from an existing Secret, mounted read-only as a
file; kprofefe reads it at the start of each run and never logs it. Nothing is added with the
defaults.
*/}}
{{- define "kube-profefe.pyroscope" -}}
{{- $pyroscope := .Values.pyroscope }}
{{- $basic := $pyroscope.basicAuthSecret }}
{{- $token := $pyroscope.bearerTokenSecret }}
{{- $args := list }}
{{- $mounts := list }}
{{- $volumes := list }}
{{- if and $basic.name $token.name }}
{{- fail (printf "pyroscope: set basicAuthSecret.name (%s) or bearerTokenSecret.name (%s), not both" $basic.name $token.name) }}
{{- end }}
{{- if and (not $pyroscope.url) (or $pyroscope.tenant $basic.name $token.name) }}
{{- fail "pyroscope.tenant, pyroscope.basicAuthSecret and pyroscope.bearerTokenSecret need pyroscope.url" }}
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
{{- toYaml (dict "args" $args "mounts" $mounts "volumes" $volumes) }}
{{- end }}
