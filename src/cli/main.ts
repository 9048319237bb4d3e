/**
 * What both entry points (bin/kprofefe.js, bin/kubectl-profefe.js) do around their command: give it
 * the process's streams, environment and directory, and turn SIGINT/SIGTERM into an aborted signal
 * (in-flight requests are cancelled, nothing half-written is left). Never ends the process itself:
 * the bin passes what a second signal does and exits with the status this resolves to.
 */
/** What a command gets from its entry point: the process's streams and environment. */
export interface CliIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly env: NodeJS.ProcessEnv;
  /** Aborted on SIGINT/SIGTERM by the entry point. */
  readonly signal?: AbortSignal;
}

/** The I/O an entry point gives its command (kprofefe ignores `cwd`; the plugin resolves paths there). */
export interface MainIo extends CliIo {
  readonly signal: AbortSignal;
  readonly cwd: string;
}

/** A command line run: its arguments and I/O in, its exit status out. */
export type MainRun = (args: readonly string[], io: MainIo) => Promise<number>;

/**
 * Runs `run` with the process's arguments and I/O. The first SIGINT/SIGTERM aborts `io.signal`;
 * a second one calls `onSecondSignal` (the bin exits 130 there, without waiting for the run).
 */
export async function runMain(run: MainRun, onSecondSignal: () => void): Promise<number> {
  const controller = new AbortController();
  const stop = (): void => {
    if (controller.signal.aborted) onSecondSignal();
    else controller.abort();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  // A reader that goes away (`kprofefe --dry-run | head`) is not an error of ours.
  for (const stream of [process.stdout, process.stderr]) stream.on('error', ignoreClosedPipe);
  const status = await run(process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    signal: controller.signal,
    cwd: process.cwd(),
  });
  // Writes to a pipe are asynchronous: let them drain before the bin exits, or output is cut.
  await Promise.all([drained(process.stdout), drained(process.stderr)]);
  return status;
}

function drained(stream: NodeJS.WriteStream): Promise<void> {
  if (stream.destroyed || stream.writableEnded) return Promise.resolve();
  return new Promise((resolve) => stream.write('', () => resolve()));
}

function ignoreClosedPipe(err: NodeJS.ErrnoException): void {
  if (err.code !== 'EPIPE') throw err;
}
