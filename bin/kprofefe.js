#!/usr/bin/env node
// Entry point: the only place that ends the process. SIGINT/SIGTERM abort the run cleanly (see
// src/cli/main.ts); a second signal exits 130 at once. Exiting with the status also stops
// keep-alive connections from holding the process open for seconds.
import { runKprofefe } from '../dist/cli/kprofefe.js';
import { runMain } from '../dist/cli/main.js';

process.exit(await runMain(runKprofefe, () => process.exit(130)));
