#!/usr/bin/env node
// Entry point: the only place that ends the process. SIGINT/SIGTERM abort the run cleanly
// (in-flight requests are cancelled, nothing half-written is left); a second signal exits at once.
import { runKprofefe } from '../dist/cli/kprofefe.js';

const controller = new AbortController();
const stop = () => {
  if (controller.signal.aborted) process.exit(130);
  controller.abort();
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);

const status = await runKprofefe(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  signal: controller.signal,
});
// Keep-alive connections would otherwise hold the process open for seconds.
process.exit(status);
