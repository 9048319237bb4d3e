/** A profile that vanishes between the listing and the download, as a collector shows it. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A proxy to the collector that answers 404 "nothing found" for one profile's download, as if it was deleted after the listing. */
export async function vanishingProxy(target: string, id: string): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    if (req.url === `/api/0/profiles/${id}`) {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ code: 404, error: 'nothing found' }));
      return;
    }
    void fetch(new URL(req.url ?? '/', target), { method: req.method }).then(
      async (reply) => {
        res.writeHead(reply.status, { 'content-type': reply.headers.get('content-type') ?? 'application/octet-stream' });
        res.end(Buffer.from(await reply.arrayBuffer()));
      },
      () => res.destroy(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
