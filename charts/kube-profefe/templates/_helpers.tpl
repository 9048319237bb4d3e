{{/*
The chart name. Cut to 63 characters because Kubernetes names and label values are DNS-1123
labels, which may not be longer; trimSuffix drops a "-" the cut may leave at the end, which a
DNS label may not end with.
*/}}
{{- define "kube-profefe.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
The full name, prefix of every resource name: "<release>-<chart>", or the release name alone when
it already contains the chart name. Cut to 63 characters for the same reason as the name.
*/}}
{{- define "kube-profefe.fullname" -}}
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

{{/*
Chart name and version, for the helm.sh/chart label ("+" is not allowed in label values).
*/}}
{{- define "kube-profefe.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Labels of every object.
*/}}
{{- define "kube-profefe.labels" -}}
helm.sh/chart: {{ include "kube-profefe.chart" . }}
{{ include "kube-profefe.selectorLabels" . }}
{{- if .Chart.AppVersion }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/*
Labels that identify the release's objects.
*/}}
{{- define "kube-profefe.selectorLabels" -}}
app.kubernetes.io/name: {{ include "kube-profefe.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/*
The ServiceAccount the scraper pods run as.
*/}}
{{- define "kube-profefe.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "kube-profefe.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create is false: name an existing ServiceAccount" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
The image reference: by digest when one is given, else by tag (default: the appVersion).
*/}}
{{- define "kube-profefe.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{/*
The scrape jobs, resolved: YAML {jobs: [...]}, read back with fromYaml. Each job is the defaults
(scrape.*, shards, and the per-job keys of cronJob) overridden key by key by its entry of
.Values.jobs, plus "cronJobName". Without .Values.jobs there is one job, named "default".
An entry that sets namespaces or allNamespaces takes neither from the defaults (its namespaces
replace the default "all namespaces"). A job's namespaces default to the release namespace.
"intervalSeconds" is resolved: when 0, read from the schedule (0 when it cannot be).
*/}}
{{- define "kube-profefe.jobs" -}}
{{- $fullname := include "kube-profefe.fullname" . }}
{{- $defaults := deepCopy .Values.scrape }}
{{- $_ := set $defaults "shards" .Values.shards }}
{{- range $key := list "schedule" "timeZone" "suspend" "activeDeadlineSeconds" "intervalSeconds" }}
{{- $_ := set $defaults $key (get $.Values.cronJob $key) }}
{{- end }}
{{- $jobs := list }}
{{- $cronJobNames := dict }}
{{- $entries := .Values.jobs | default (list (dict "name" "default")) }}
{{- range $i, $entry := $entries }}
{{- $job := deepCopy $defaults }}
{{- $entrySetsNamespaces := or (hasKey $entry "namespaces") (hasKey $entry "allNamespaces") }}
{{- if $entrySetsNamespaces }}
{{- $_ := set $job "namespaces" (list) }}
{{- $_ := set $job "allNamespaces" false }}
{{- end }}
{{- range $key, $value := $entry }}
{{- $_ := set $job $key $value }}
{{- end }}
{{- $cronJobName := $fullname | trunc 52 | trimSuffix "-" }}
{{- if $.Values.jobs }}
{{- $cronJobName = printf "%s-%s" $fullname $job.name | trunc 52 | trimSuffix "-" }}
{{- end }}
{{- if hasKey $cronJobNames $cronJobName }}
{{- fail (printf "jobs[%d] (%s): its CronJob name %q is already used by job %q; job names must differ within the first 52 characters of \"<fullname>-<name>\"" $i $job.name $cronJobName (get $cronJobNames $cronJobName)) }}
{{- end }}
{{- $_ := set $cronJobNames $cronJobName $job.name }}
{{- $_ := set $job "cronJobName" $cronJobName }}
{{- if and $job.allNamespaces $job.namespaces }}
{{- if $entrySetsNamespaces }}
{{- fail (printf "jobs[%d] (%s): set allNamespaces or namespaces, not both" $i $job.name) }}
{{- end }}
{{- fail (printf "scrape.namespaces is set (%s) while scrape.allNamespaces is true (the default): set scrape.allNamespaces=false to scrape only those namespaces" (join ", " $job.namespaces)) }}
{{- end }}
{{- if not (or $job.allNamespaces $job.namespaces) }}
{{- $_ := set $job "namespaces" (list $.Release.Namespace) }}
{{- end }}
{{- if not (int $job.intervalSeconds) }}
{{- $_ := set $job "intervalSeconds" (include "kube-profefe.scheduleInterval" $job.schedule | atoi) }}
{{- end }}
{{- $jobs = append $jobs $job }}
{{- end }}
{{- toYaml (dict "jobs" $jobs) }}
{{- end }}

{{/*
kprofefe's arguments for one job. Called with (dict "root" $ "job" $job).
*/}}
{{- define "kube-profefe.args" -}}
{{- $root := .root }}
{{- $job := .job }}
{{- $args := list }}
{{- if $job.allNamespaces }}
{{- $args = append $args "--all-namespaces" }}
{{- else }}
{{- range $job.namespaces }}
{{- $args = append $args (printf "--namespace=%s" .) }}
{{- end }}
{{- end }}
{{- with $job.selector }}
{{- $args = append $args (printf "--selector=%s" .) }}
{{- end }}
{{- $args = append $args (printf "--profile-types=%s" (join "," $job.profileTypes)) }}
{{- $args = append $args (printf "--cpu-duration=%s" $job.cpuDuration) }}
{{- $args = append $args (printf "--concurrency=%d" (int $job.concurrency)) }}
{{- $args = append $args (printf "--cpu-concurrency=%d" (int $job.cpuConcurrency)) }}
{{- $args = append $args (printf "--timeout=%s" $job.timeout) }}
{{- $args = append $args (printf "--max-profile-size=%s" $job.maxProfileSize) }}
{{- $args = append $args (printf "--max-inflight-bytes=%s" $job.maxInflightBytes) }}
{{- $args = append $args (printf "--log-level=%s" $job.logLevel) }}
{{- $destination := include "kube-profefe.destination" $root | fromYaml }}
{{- if $destination.collectorUrl }}
{{- $args = append $args (printf "--profefe-hostport=%s" $destination.collectorUrl) }}
{{- if $root.Values.collector.headersSecret.name }}
{{- $args = append $args (printf "--profefe-header-file=%s" (include "kube-profefe.headersFile" $root)) }}
{{- end }}
{{- end }}
{{- if $destination.outputDir }}
{{- $args = append $args (printf "--output-dir=%s" $destination.outputDir) }}
{{- end }}
{{- $args = concat $args (include "kube-profefe.pyroscope" $root | fromYaml).args }}
{{- $args = concat $args (include "kube-profefe.targets" $root | fromYaml).args }}
{{- if gt (int $job.shards) 1 }}
{{- $args = append $args (printf "--shard-count=%d" (int $job.shards)) }}
{{- end }}
{{- with $root.Values.pushgateway.url }}
{{- $args = append $args (printf "--pushgateway=%s" .) }}
{{- $args = append $args (printf "--pushgateway-label=cronjob=%s" $job.cronJobName) }}
{{- end }}
{{- if $job.dryRun }}
{{- $args = append $args "--dry-run" }}
{{- end }}
{{- range $job.extraArgs }}
{{- $args = append $args . }}
{{- end }}
{{- range $job.pods }}
{{- $args = append $args . }}
{{- end }}
{{- toYaml $args }}
{{- end }}

{{/*
Where the headers Secret is mounted, and the file kprofefe reads.
*/}}
{{- define "kube-profefe.headersDir" -}}
/etc/kprofefe/profefe-headers
{{- end }}
{{- define "kube-profefe.headersFile" -}}
{{ include "kube-profefe.headersDir" . }}/{{ .Values.collector.headersSecret.key }}
{{- end }}

{{/*
A CA bundle from an existing ConfigMap or Secret (.ca: {configMap, secret, key}), mounted
read-only at /etc/kprofefe/<.name> and passed to kprofefe as <.flag>: YAML of {arg, mount,
volume}, read back with fromYaml. Shared by targets.tls.ca and pyroscope.tls.ca.
*/}}
{{- define "kube-profefe.caFile" -}}
{{- $dir := printf "/etc/kprofefe/%s" .name }}
{{- $items := list (dict "key" .ca.key "path" .ca.key) }}
{{- /* defaultMode 288 is 0440: readable by the owner and by the group, which fsGroup makes the pod's */}}
{{- $volume := dict "name" .name }}
{{- if .ca.configMap }}
{{- $_ := set $volume "configMap" (dict "name" .ca.configMap "defaultMode" 288 "items" $items) }}
{{- else }}
{{- $_ := set $volume "secret" (dict "secretName" .ca.secret "defaultMode" 288 "items" $items) }}
{{- end }}
{{- toYaml (dict "arg" (printf "%s=%s/%s" .flag $dir .ca.key) "mount" (dict "name" .name "mountPath" $dir "readOnly" true) "volume" $volume) }}
{{- end }}
