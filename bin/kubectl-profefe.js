#!/usr/bin/env node
// Entry point of the kubectl plugin (`kubectl profefe ...`, or kubectl-profefe on PATH): the only
// place that ends the process. SIGINT/SIGTERM cancel the command (in-flight requests are aborted,
// nothing half-written is left); a second signal exits at once.
import { runKubectlProfefe } from '../dist/cli/kubectl-profefe.js';

const controller = new AbortController();
const stop = () => {
  if (controller.signal.aborted) process.exit(130);
  controller.abort();
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);

const status = await runKubectlProfefe(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  signal: controller.signal,
  cwd: process.cwd(),
});
// Keep-alive connections would otherwise hold the process open for seconds.
process.exit(status);
