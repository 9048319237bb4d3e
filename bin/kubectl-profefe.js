#!/usr/bin/env node
// Entry point of the kubectl plugin (`kubectl profefe ...`, or kubectl-profefe on PATH): the only
// place that ends the process. SIGINT/SIGTERM cancel the command (see src/cli/main.ts); a second
// signal exits 130 at once. Exiting with the status also stops keep-alive connections from holding
// the process open for seconds.
import { runKubectlProfefe } from '../dist/cli/kubectl-profefe.js';
import { runMain } from '../dist/cli/main.js';

process.exit(await runMain(runKubectlProfefe, () => process.exit(130)));
