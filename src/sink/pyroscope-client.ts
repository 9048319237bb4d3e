/**
 * Pushes to Grafana Pyroscope: `POST {base}/push.v1.PusherService/Push`, Connect protocol, binary
 * protobuf, through @connectrpc/connect's Connect transport over Node's http(s) module. Each call
 * gets its own small transport whose HTTP client notes the answer's status: Connect turns a
 * proxy's 400 page into code `internal`, and Alloy's retry rule needs the status itself.
 * Credentials and headers are sent on every push and never appear in an error or a log.
 */
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { rootCertificates } from 'node:tls';
import { Code, ConnectError, createClient } from '@connectrpc/connect';
import { validateReadWriteMaxBytes, type UniversalClientFn } from '@connectrpc/connect/protocol';
import { codeToString, createTransport } from '@connectrpc/connect/protocol-connect';
import { createNodeHttpClient } from '@connectrpc/connect-node';
import type { PyroscopeAuth } from './pyroscope-auth.js';
import { codedError, tlsFailure } from '../transport/tls-failure.js';
import { PyroscopeError } from './pyroscope-error.js';
import { type PushRequest, PusherService } from './pyroscope-schema.js';

export interface PyroscopeClientOptions {
  /** Pyroscope's base URL, e.g. `http://pyroscope:4040` (the push API lies below it). */
  readonly baseUrl: string;
  /** Sent as `X-Scope-OrgID` (multi-tenant servers). */
  readonly tenant?: string;
  readonly auth?: PyroscopeAuth;
  /** Extra headers for every push (a proxy's); never logged. */
  readonly headers?: Readonly<Record<string, string>>;
  /** PEM CA certificates trusted besides Node's bundled ones (--pyroscope-ca-file; https only). */
  readonly ca?: string;
  /** One push, as Alloy's 10 s default. */
  readonly timeoutMs: number;
}

export class PyroscopeClient {
  readonly baseUrl: string;
  private readonly timeoutMs: number;
  private readonly headers: Record<string, string>;
  private readonly agent: HttpAgent;

  constructor(options: PyroscopeClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs;
    this.headers = requestHeaders(options);
    this.agent = /^https:/i.test(this.baseUrl) ? new HttpsAgent({ keepAlive: true, ca: trustedCas(options.ca) }) : new HttpAgent({ keepAlive: true });
  }

  /** Resolves when Pyroscope answered 200; rejects with a PyroscopeError. */
  async push(request: PushRequest, signal?: AbortSignal): Promise<void> {
    let status: number | undefined;
    const transport = this.transport((answered) => {
      status = answered;
    });
    const client = createClient(PusherService, transport);
    try {
      await client.push(request, { headers: this.headers, timeoutMs: this.timeoutMs, signal });
    } catch (err) {
      throw this.toError(err, status, signal);
    }
  }

  close(): void {
    this.agent.destroy();
  }

  private transport(onStatus: (status: number) => void) {
    const nodeClient = createNodeHttpClient({ httpVersion: '1.1', nodeOptions: { agent: this.agent } });
    const httpClient: UniversalClientFn = async (request) => {
      const response = await nodeClient(request);
      onStatus(response.status);
      return response;
    };
    return createTransport({
      baseUrl: this.baseUrl,
      httpClient,
      useBinaryFormat: true,
      interceptors: [],
      acceptCompression: [],
      sendCompression: null,
      ...validateReadWriteMaxBytes(undefined, undefined, undefined),
    });
  }

  private toError(err: unknown, status: number | undefined, signal: AbortSignal | undefined): PyroscopeError {
    const connectError = ConnectError.from(err);
    const base = { baseUrl: this.baseUrl, cause: err };
    if (signal?.aborted) return new PyroscopeError({ ...base, kind: 'aborted' });
    if (status === undefined) {
      const coded = codedError(err);
      const tls = tlsFailure(coded?.code, coded?.message ?? '');
      if (tls !== undefined) return new PyroscopeError({ ...base, kind: 'tls', tls });
      if (connectError.code === Code.DeadlineExceeded) return new PyroscopeError({ ...base, kind: 'timeout', timeoutMs: this.timeoutMs });
      return new PyroscopeError({ ...base, kind: 'network' });
    }
    if (status === 200) return new PyroscopeError({ ...base, kind: 'bad-reply', status, serverMessage: connectError.rawMessage });
    // Without a Connect body the message is Connect's `HTTP <status>`: say nothing rather than repeat the status.
    const serverMessage = connectError.rawMessage === `HTTP ${status}` ? '' : connectError.rawMessage;
    return new PyroscopeError({ ...base, kind: 'status', status, code: codeToString(connectError.code), serverMessage });
  }
}

/**
 * Node's `ca` option replaces its bundled root CAs rather than adding to them: the private CA goes
 * with the bundled roots, so a publicly trusted certificate (a gateway, Grafana Cloud) still works.
 */
function trustedCas(ca: string | undefined): string[] | undefined {
  return ca === undefined ? undefined : [...rootCertificates, ca];
}

function requestHeaders(options: PyroscopeClientOptions): Record<string, string> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.tenant !== undefined && options.tenant !== '') headers['X-Scope-OrgID'] = options.tenant;
  if (options.auth !== undefined) headers.Authorization = options.auth.header();
  return headers;
}
