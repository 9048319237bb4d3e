/**
 * kprofefe's observer: a JSON log line per problem (pods skipped, profiles failed), at info level
 * per cumulative profile and per empty window, and at debug level per stored profile; then one line for the run's outcome with the summary. Counting is
 * the run summary's, not this.
 */
import { skippedPodMessage } from '../discover/pod-targets.js';
import { podKey } from '../discover/target.js';
import { KubeApiError } from '../kube/kube-api-error.js';
import type { Logger } from '../log.js';
import type { RunObserver } from './run-observer.js';
import type { RunOutcome } from './run-outcome.js';
import { emptyWindowsNote, type RunSummaryJson } from './run-summary.js';

export function logObserver(log: Logger): RunObserver {
  return {
    podSkipped(pod, isError) {
      const where = { namespace: pod.namespace, pod: pod.name };
      if (pod.kind === 'missing') log.error(where, pod.reason);
      else if (pod.kind === 'invalid') log.error({ ...where, annotation: pod.problem.annotation, value: pod.problem.value }, skippedPodMessage(pod));
      else if (isError) log.error({ ...where, why: pod.why }, `pod ${podKey(pod)} cannot be scraped: ${pod.reason}`);
      else log.debug({ ...where, why: pod.why }, `pod not scraped: ${pod.reason}`);
    },
    profileCumulative(target, reason) {
      log.info(
        { namespace: target.pod.namespace, pod: target.pod.name, type: target.type, url: target.url },
        `${target.type} profile is cumulative, not a window (stored with delta=false): ${reason}`,
      );
    },
    profileEmpty(target, why) {
      log.info(
        { namespace: target.pod.namespace, pod: target.pod.name, type: target.type, url: target.url, seconds: target.seconds },
        `${target.type} profile of pod ${podKey(target.pod)}: empty window, not stored (in the ${target.seconds} s window: ${why})`,
      );
    },
    profileStored(target, location, bytes, sink) {
      log.debug({ namespace: target.pod.namespace, pod: target.pod.name, type: target.type, url: target.url, sink, location, bytes }, 'profile stored');
    },
    profileFailed(target, error, sink) {
      // No sink: the fetch failed, for every sink.
      log.warn({ namespace: target.pod.namespace, pod: target.pod.name, type: target.type, url: target.url, sink, reason: error.code }, error.message);
    },
  };
}

/** The run's last log line: how it ended, with the summary. */
export function logOutcome(log: Logger, { summary, ending }: RunOutcome): void {
  const report = summary.toJSON();
  switch (ending) {
    case 'list-failed':
      log.fatal({ summary: report }, listErrorMessage(summary.listError));
      return;
    case 'interrupted':
      log.warn({ summary: report }, 'run interrupted');
      return;
    case 'clean':
    case 'nothing-selected':
      log.info(
        { summary: report },
        `run finished: ${report.profilesStored} profiles stored from ${report.podsSelected} pods in ${sinkNames(report)}${emptyWindowsNote(report.profilesEmpty)}`,
      );
      return;
    case 'partial':
      log.warn(
        { summary: report },
        `run finished with failures: stored ${storedPerSink(report)}; ${report.profilesFailed} of ${report.profilesAttempted} profiles failed, ${report.podsSkipped} pods skipped${emptyWindowsNote(report.profilesEmpty)}`,
      );
  }
}

function sinkNames(report: RunSummaryJson): string {
  return report.sinks.map((counts) => counts.sink).join(', ');
}

/** `10/12 in profefe http://…, 12/12 in directory /p`: every sink, so the failing one is named. Empty windows were for no sink. */
function storedPerSink(report: RunSummaryJson): string {
  const forSinks = report.profilesAttempted - report.profilesEmpty;
  return report.sinks.map((counts) => `${counts.stored}/${forSinks} in ${counts.sink}`).join(', ');
}

export function listErrorMessage(err: unknown): string {
  if (err instanceof KubeApiError) return err.message;
  return `listing pods failed: ${err instanceof Error ? err.message : String(err)}`;
}
