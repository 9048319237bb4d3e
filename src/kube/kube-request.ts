import { request } from 'undici';
import type { KubeAccess } from './kube-access.js';
import { httpStatusError, toKubeApiError, type KubeApiCall } from './kube-api-error.js';

/**
 * One JSON request to the Kubernetes API with the KubeAccess's headers and TLS settings (plain
 * undici, no client-node): the parsed answer, or a KubeApiError naming the call for anything else
 * (a non-2xx status with its Status message, no answer, a credential that cannot be obtained).
 */

export interface KubeJsonRequest {
  readonly method?: 'GET' | 'POST';
  /** Below the server URL, e.g. `/api/v1/namespaces/shop/pods`. */
  readonly path: string;
  /** Query parameters; undefined values are left out. */
  readonly query?: Readonly<Record<string, string | undefined>>;
  /** Sent as JSON (POST). */
  readonly body?: unknown;
  readonly signal?: AbortSignal;
}

export async function kubeJson<T>(access: KubeAccess, req: KubeJsonRequest, call: KubeApiCall): Promise<T> {
  const url = new URL(`${access.server}${req.path}`);
  for (const [key, value] of Object.entries(req.query ?? {})) if (value !== undefined) url.searchParams.set(key, value);
  try {
    const { headers, dispatcher } = await access.requestOptions();
    const body = req.body === undefined ? undefined : JSON.stringify(req.body);
    const res = await request(url, {
      method: req.method ?? 'GET',
      dispatcher,
      headers: { ...headers, accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body,
      signal: req.signal,
    });
    const text = await res.body.text();
    if (res.statusCode < 200 || res.statusCode > 299) throw httpStatusError(res.statusCode, text, call);
    return JSON.parse(text) as T;
  } catch (err) {
    throw toKubeApiError(err, call);
  }
}

/** GET `path` (with `query`) and parse the JSON answer. */
export function getKubeJson<T>(
  access: KubeAccess,
  path: string,
  query: Record<string, string | undefined>,
  call: KubeApiCall,
  signal?: AbortSignal,
): Promise<T> {
  return kubeJson<T>(access, { path, query, signal }, call);
}
