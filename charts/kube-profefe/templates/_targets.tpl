{{/*
How kprofefe speaks to the pods (targets.*), checked: YAML read back with fromYaml, as
{args, mounts, volumes}. The CA (a ConfigMap or a Secret) and the bearer token (a Secret) are
mounted read-only as files; kprofefe reads them at the start of each run. Nothing is added with
the defaults.
*/}}
{{- define "kube-profefe.targets" -}}
{{- $targets := .Values.targets }}
{{- $ca := $targets.tls.ca }}
{{- $token := $targets.bearerTokenSecret }}
{{- $args := list }}
{{- $mounts := list }}
{{- $volumes := list }}
{{- if and $ca.configMap $ca.secret }}
{{- fail (printf "targets.tls.ca: set configMap (%s) or secret (%s), not both" $ca.configMap $ca.secret) }}
{{- end }}
{{- if and $targets.tls.insecureSkipVerify (or $ca.configMap $ca.secret $targets.tls.serverName) }}
{{- fail "targets.tls.insecureSkipVerify checks no certificate: set it, or targets.tls.ca / targets.tls.serverName, not both" }}
{{- end }}
{{- if ne $targets.scheme "http" }}
{{- $args = append $args (printf "--target-scheme=%s" $targets.scheme) }}
{{- end }}
{{- /* defaultMode 288 is 0440: readable by the owner and by the group, which fsGroup makes the pod's */}}
{{- if or $ca.configMap $ca.secret }}
{{- $caFile := include "kube-profefe.caFile" (dict "ca" $ca "name" "target-ca" "flag" "--target-ca-file") | fromYaml }}
{{- $args = append $args $caFile.arg }}
{{- $mounts = append $mounts $caFile.mount }}
{{- $volumes = append $volumes $caFile.volume }}
{{- end }}
{{- with $targets.tls.serverName }}
{{- $args = append $args (printf "--target-server-name=%s" .) }}
{{- end }}
{{- if $targets.tls.insecureSkipVerify }}
{{- $args = append $args "--target-insecure-skip-verify" }}
{{- end }}
{{- if $token.name }}
{{- $args = append $args (printf "--target-bearer-token-file=/etc/kprofefe/target-token/%s" $token.key) }}
{{- $mounts = append $mounts (dict "name" "target-token" "mountPath" "/etc/kprofefe/target-token" "readOnly" true) }}
{{- $volumes = append $volumes (dict "name" "target-token" "secret" (dict "secretName" $token.name "defaultMode" 288 "items" (list (dict "key" $token.key "path" $token.key)))) }}
{{- end }}
{{- toYaml (dict "args" $args "mounts" $mounts "volumes" $volumes) }}
{{- end }}
