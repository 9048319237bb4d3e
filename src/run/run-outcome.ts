/** How a run ended, and the exit status both command lines return for it. */
import { EXIT_CONFIG, EXIT_INTERRUPTED, EXIT_OK, EXIT_PARTIAL } from '../exit-codes.js';
import type { RunSummary } from './run-summary.js';

export type RunEnding =
  /** Every profile stored (or an empty window), no pod asked for was skipped. */
  | 'clean'
  /** Some profile failed, or a pod asked for was skipped or missing. */
  | 'partial'
  /** SIGINT/SIGTERM: profiles in flight were cancelled, nothing partial was written. */
  | 'interrupted'
  /** The Kubernetes API failed the pod listing (what was already listed was still scraped). */
  | 'list-failed'
  /** The selection found no pod to profile, and the front end asked for at least one. */
  | 'nothing-selected';

export interface RunOutcome {
  readonly summary: RunSummary;
  readonly ending: RunEnding;
  readonly status: number;
}

const STATUS: Readonly<Record<RunEnding, number>> = {
  clean: EXIT_OK,
  partial: EXIT_PARTIAL,
  interrupted: EXIT_INTERRUPTED,
  'list-failed': EXIT_CONFIG,
  'nothing-selected': EXIT_PARTIAL,
};

/** An interruption explains everything after it, so it is checked first. */
export function runOutcome(summary: RunSummary, interrupted: boolean, requireTargets: boolean): RunOutcome {
  const ending = runEnding(summary, interrupted, requireTargets);
  return { summary, ending, status: STATUS[ending] };
}

function runEnding(summary: RunSummary, interrupted: boolean, requireTargets: boolean): RunEnding {
  if (interrupted) return 'interrupted';
  if (summary.listError !== undefined) return 'list-failed';
  if (requireTargets && summary.podsSelected + summary.podsSkipped + summary.podsMissing === 0) return 'nothing-selected';
  return summary.clean ? 'clean' : 'partial';
}
