import { ApiException } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { KubeApiError, redactCredentials, toKubeApiError } from '../../src/kube/kube-api-error.js';

// Conversions that the fake API cannot provoke: errors built exactly as client-node and
// node-fetch build them (statuses the fake never sends, DNS failures, timeouts).
const call = { verb: 'list', resource: 'pods', namespace: 'shop', cluster: 'https://k8s.example:6443 (context "prod")' };

/** What node-fetch rejects with when the connection fails. */
function fetchError(url: string, code: string): Error {
  return Object.assign(new Error(`request to ${url} failed, reason: getaddrinfo ${code} k8s.example`), {
    name: 'FetchError',
    type: 'system',
    code,
    errno: code,
  });
}

describe('toKubeApiError', () => {
  it.each([
    [500, 'KUBE_HTTP_STATUS', /answered HTTP 500 to list pods in namespace "shop": etcd is down\. The server is overloaded or failing: retry later\./],
    [429, 'KUBE_HTTP_STATUS', /retry later/],
    [410, 'KUBE_EXPIRED', /410 Expired/],
    [404, 'KUBE_NOT_FOUND', /404 Not Found to list pods in namespace "shop": etcd is down/],
    [422, 'KUBE_BAD_REQUEST', /\(422\): etcd is down/],
  ] as const)('HTTP %i -> %s', (status, code, message) => {
    const body = JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', message: 'etcd is down', reason: 'InternalError', code: status });
    const err = toKubeApiError(new ApiException(status, 'Unknown API Status Code!', body, {}), call);
    expect(err).toBeInstanceOf(KubeApiError);
    expect(err).toMatchObject({ code, statusCode: status, reason: 'InternalError', verb: 'list', resource: 'pods', namespace: 'shop' });
    expect(err.message).toMatch(message);
  });

  it('names the server for DNS failures, with the cluster context', () => {
    const err = toKubeApiError(fetchError('https://k8s.example:6443/api/v1/namespaces/shop/pods?limit=500', 'ENOTFOUND'), call);
    expect(err.code).toBe('KUBE_UNREACHABLE');
    expect(err.message).toBe(
      'cannot list pods in namespace "shop": the Kubernetes API at https://k8s.example:6443 (context "prod") is unreachable: the host name does not resolve. ' +
        "Check that the cluster is up and that the kubeconfig cluster's server URL (or KUBERNETES_SERVICE_HOST/PORT in a pod) is right.",
    );
  });

  it('reports a request timeout as unreachable', () => {
    const timeout = Object.assign(new Error('network timeout at: https://k8s.example:6443/api/v1/pods'), { name: 'FetchError', type: 'request-timeout' });
    const err = toKubeApiError(timeout, { verb: 'list', resource: 'pods' });
    expect(err.code).toBe('KUBE_UNREACHABLE');
    expect(err.message).toBe(
      'cannot list pods in all namespaces: the Kubernetes API at the configured server did not answer in time. ' +
        "Check that the cluster is up and that the kubeconfig cluster's server URL (or KUBERNETES_SERVICE_HOST/PORT in a pod) is right.",
    );
  });

  it('keeps credentials out of messages, whatever the source says', () => {
    const body = JSON.stringify({ kind: 'Status', message: 'bad header Authorization: Bearer abc.def.ghi', reason: 'BadRequest', code: 400 });
    expect(toKubeApiError(new ApiException(400, 'x', body, {}), call).message).not.toContain('abc.def.ghi');
    const other = toKubeApiError(new Error('exec plugin said token=s3cr3t'), call);
    expect(other.code).toBe('KUBE_REQUEST');
    expect(other.message).not.toContain('s3cr3t');
    expect(redactCredentials('{"token":"xyz","password": "pw"}')).toBe('{"token":"[redacted]","password": "[redacted]"}');
  });

  it('returns a KubeApiError unchanged', () => {
    const err = new KubeApiError('KUBE_FORBIDDEN', 'm', call, { statusCode: 403 });
    expect(toKubeApiError(err, { verb: 'get', resource: 'x' })).toBe(err);
  });
});
