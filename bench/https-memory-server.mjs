// The server of bench/https-memory.ts, in its own process: answers every request with the heap
// fixture after holding it `holdMs` (as a pod holds a CPU profile), over http or https; listens on
// 127.0.0.1 and sends its port to the parent.
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';

const [mode, certFile, keyFile, holdMs] = process.argv.slice(2);
const body = readFileSync(new URL('../test/fixtures/pprof/heap.pb.gz', import.meta.url));
const handler = (_req, res) => {
  setTimeout(() => {
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length });
    res.end(body);
  }, Number(holdMs));
};
const server = mode === 'https' ? createHttpsServer({ cert: readFileSync(certFile), key: readFileSync(keyFile) }, handler) : createHttpServer(handler);
server.listen(0, '127.0.0.1', () => process.send?.(server.address().port));
process.on('disconnect', () => process.exit(0));
