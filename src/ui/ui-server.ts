/**
 * The local web UI's HTTP server: pages, /api/ JSON, /download (the merged .pb.gz) and /assets/.
 * Binds to loopback by default; answers only requests addressed to the host it listens on (a page
 * of another site cannot reach it through DNS rebinding); every page carries a Content-Security-
 * Policy that allows scripts from /assets/ only, so no inline script, and nothing from elsewhere.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { API_ROUTES } from './api.js';
import { asset } from './assets.js';
import type { UiBackend } from './backend.js';
import { downloadResponse } from './download.js';
import { describeFailure } from './errors.js';
import type { SafeHtml } from './html.js';
import { breakdownPage } from './pages/breakdown-page.js';
import { comparePage } from './pages/compare-page.js';
import { errorPage } from './pages/error-page.js';
import { fleetPage } from './pages/fleet-page.js';
import type { PageContext, PageResult } from './pages/page-context.js';
import { servicePage, servicesPage } from './pages/services-page.js';
import { viewPage } from './pages/view-page.js';

const PAGES: Readonly<Record<string, (ctx: PageContext) => Promise<PageResult>>> = {
  '/': servicesPage,
  '/service': servicePage,
  '/view': viewPage,
  '/compare': comparePage,
  '/breakdown': breakdownPage,
  '/fleet': fleetPage,
};

const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

export interface UiServerOptions {
  readonly host: string;
  /** 0: any free port. */
  readonly port: number;
}

export interface UiServer {
  /** `http://127.0.0.1:PORT/` */
  readonly url: string;
  close(): Promise<void>;
}

export async function startUiServer(backend: UiBackend, options: UiServerOptions): Promise<UiServer> {
  let origin = '';
  const allowedHosts = new Set<string>();
  const server = createServer((req, res) => {
    handle(req, res, backend, origin, allowedHosts).catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(`internal error: ${err instanceof Error ? err.message : String(err)}\n`);
    });
  });
  await listen(server, options);
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  origin = `http://${host}:${port}`;
  for (const name of [host, 'localhost', '127.0.0.1', '[::1]']) allowedHosts.add(`${name}:${port}`);
  return { url: `${origin}/`, close: () => closeServer(server) };
}

async function handle(req: IncomingMessage, res: ServerResponse, backend: UiBackend, origin: string, allowedHosts: ReadonlySet<string>): Promise<void> {
  if (!allowedHosts.has(req.headers.host ?? '')) return plain(res, 421, `this UI answers only at ${origin}/\n`);
  if (req.method !== 'GET' && req.method !== 'HEAD') return plain(res, 405, 'only GET\n');
  const url = new URL(req.url ?? '/', origin);
  const controller = new AbortController();
  res.on('close', () => controller.abort());
  const ctx: PageContext = { backend, url, origin, signal: controller.signal };
  const path = url.pathname;
  const found = asset(path);
  if (found) return send(res, 200, found.type, found.body, { 'cache-control': 'no-cache' });
  const api = API_ROUTES[path];
  if (api) return answerJson(res, ctx, api);
  if (path === '/download') return answerDownload(res, ctx);
  const page = PAGES[path];
  if (!page) return plain(res, 404, `no page at ${path}: start at ${origin}/\n`);
  let result: PageResult;
  try {
    result = await page(ctx);
  } catch (err) {
    result = errorPage(describeFailure(err));
  }
  return sendHtml(res, result.status, result.body);
}

async function answerJson(res: ServerResponse, ctx: PageContext, api: (ctx: PageContext) => Promise<unknown>): Promise<void> {
  try {
    send(res, 200, 'application/json; charset=utf-8', JSON.stringify(await api(ctx)));
  } catch (err) {
    const failure = describeFailure(err);
    send(res, failure.status, 'application/json; charset=utf-8', JSON.stringify({ error: failure.message, kind: failure.kind }));
  }
}

async function answerDownload(res: ServerResponse, ctx: PageContext): Promise<void> {
  try {
    const download = await downloadResponse(ctx);
    if (download === undefined) return plain(res, 404, 'no profiles in this range: nothing to download\n');
    res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': 'application/octet-stream', 'content-disposition': `attachment; filename="${download.file}"` });
    res.end(download.bytes);
  } catch (err) {
    const failure = describeFailure(err);
    plain(res, failure.status, `${failure.message}\n`);
  }
}

function sendHtml(res: ServerResponse, status: number, body: SafeHtml): void {
  send(res, status, 'text/html; charset=utf-8', body.text);
}

function plain(res: ServerResponse, status: number, text: string): void {
  send(res, status, 'text/plain; charset=utf-8', text);
}

function send(res: ServerResponse, status: number, type: string, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { ...SECURITY_HEADERS, ...headers, 'content-type': type, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function listen(server: Server, options: UiServerOptions): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
