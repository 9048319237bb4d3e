// Preload for `node --import` (e.g. via NODE_OPTIONS): appends the URL of every module the ESM
// loader resolves to the file named by RECORD_IMPORTS, so a test can see which modules a CLI loaded.
import { register } from 'node:module';

register('./record-imports-hooks.mjs', import.meta.url);
