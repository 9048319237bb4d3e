/** Exit statuses shared by both CLIs, documented in the README. */
export const EXIT_OK = 0;
/** The run finished, but some profiles failed or some enabled pods were skipped. */
export const EXIT_PARTIAL = 1;
/** Nothing was attempted: bad flags, no cluster configuration, or the Kubernetes API refused. */
export const EXIT_CONFIG = 2;
/** Interrupted by SIGINT/SIGTERM. */
export const EXIT_INTERRUPTED = 130;
