{{- /*
The seconds between two runs of a schedule, for the alert on missed runs; 0 when the schedule
has no single interval this can read. Called with the schedule string. Read: every minute,
every N minutes (a step of N on the minute field, the rest stars), "M * * * *" and "@hourly"
(an hour), "M H * * *", "@daily" and "@midnight" (a day). With a step N that does not divide 60,
the gaps are N minutes or less: N is the longest.
*/}}
{{- define "kube-profefe.scheduleInterval" -}}
{{- $minute := "([0-9]|[1-5][0-9])" }}
{{- if eq . "* * * * *" }}
{{- 60 }}
{{- else if regexMatch "^\\*/([1-9]|[1-5][0-9]) \\* \\* \\* \\*$" . }}
{{- mul 60 (regexFind "[0-9]+" . | atoi) }}
{{- else if or (eq . "@hourly") (regexMatch (printf "^%s \\* \\* \\* \\*$" $minute) .) }}
{{- 3600 }}
{{- else if or (eq . "@daily") (eq . "@midnight") (regexMatch (printf "^%s ([0-9]|1[0-9]|2[0-3]) \\* \\* \\*$" $minute) .) }}
{{- 86400 }}
{{- else }}
{{- 0 }}
{{- end }}
{{- end }}
