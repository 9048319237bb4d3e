import { gunzipSync, gzipSync } from 'node:zlib';
import { Code, ConnectError, createClient } from '@connectrpc/connect';
import { compressionGzip, createConnectTransport } from '@connectrpc/connect-node';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PusherService } from '../../src/sink/pyroscope-schema.js';
import { codedError } from '../../src/transport/tls-failure.js';
import { rejectionOf } from '../expect-rejection.js';
import { fixture } from './fixtures.js';
import { PUSH_PATH, type PyroscopeDouble, startPyroscopeDouble } from './pyroscope-double.js';
import { makeTestCa, type TestCa } from './test-ca.js';

const CPU_LABELS = [
  { name: '__name__', value: 'process_cpu' },
  { name: 'service_name', value: 'checkout' },
];

let double: PyroscopeDouble;
beforeEach(async () => {
  double = await startPyroscopeDouble();
});
afterEach(async () => {
  await double.close();
});

/** The real Connect client of @connectrpc/connect-node, as an application would use it. */
function connectClient(options: { json?: boolean; gzip?: boolean; url?: string } = {}) {
  const transport = createConnectTransport({
    baseUrl: options.url ?? double.url,
    httpVersion: '1.1',
    useBinaryFormat: options.json !== true,
    sendCompression: options.gzip ? compressionGzip : undefined,
    compressMinBytes: 0,
  });
  return createClient(PusherService, transport);
}

function pushOf(labels: { name: string; value: string }[], raw: Buffer, id = 'b2a4c1d0-0000-4000-8000-000000000001') {
  return { series: [{ labels, samples: [{ rawProfile: raw, ID: id }] }] };
}

// A hand-written protobuf encoder for the same messages: the double must read bytes that did not
// come from protobuf-es either.
function varint(n: number): Buffer {
  const out: number[] = [];
  let v = n;
  while (v >= 0x80) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return Buffer.from(out);
}
function lenField(field: number, bytes: Buffer): Buffer {
  return Buffer.concat([varint((field << 3) | 2), varint(bytes.length), bytes]);
}
function handEncoded(labels: { name: string; value: string }[], raw: Buffer, id: string): Buffer {
  const labelBytes = labels.map((l) => lenField(1, Buffer.concat([lenField(1, Buffer.from(l.name)), lenField(2, Buffer.from(l.value))])));
  const sample = lenField(2, Buffer.concat([lenField(1, raw), lenField(2, Buffer.from(id))]));
  // field 3 (annotations) and an unknown varint field 9: both must be skipped.
  const extra = Buffer.concat([lenField(3, lenField(1, Buffer.from('x'))), varint((9 << 3) | 0), varint(300)]);
  return lenField(1, Buffer.concat([...labelBytes, sample, extra]));
}

async function post(body: Buffer | string, headers: Record<string, string> = { 'content-type': 'application/proto' }, path = PUSH_PATH) {
  const res = await fetch(`${double.url}${path}`, { method: 'POST', headers, body });
  return { status: res.status, contentType: res.headers.get('content-type'), text: await res.text() };
}

async function connectFailure(promise: Promise<unknown>): Promise<ConnectError> {
  return rejectionOf(promise, ConnectError);
}

describe('pyroscope double: what it accepts', () => {
  it('stores a binary push from the real Connect client: labels, sample id and the bytes as sent', async () => {
    await connectClient().push(pushOf(CPU_LABELS, fixture('cpu')));
    expect(double.profiles).toHaveLength(1);
    const [stored] = double.profiles;
    expect(stored?.labels).toEqual({ __name__: 'process_cpu', service_name: 'checkout' });
    expect(stored?.id).toBe('b2a4c1d0-0000-4000-8000-000000000001');
    expect(stored?.rawProfile.equals(fixture('cpu'))).toBe(true);
    expect(stored?.profile.sample.length).toBeGreaterThan(0);
    expect(double.pushes[0]?.headers['content-type']).toBe('application/proto');
    expect(double.pushes[0]?.status).toBe(200);
  });

  it('takes the JSON form too, and answers {} in JSON', async () => {
    await connectClient({ json: true }).push(pushOf(CPU_LABELS, fixture('heap')));
    expect(double.profiles[0]?.rawProfile.equals(fixture('heap'))).toBe(true);
    const raw = await post(JSON.stringify({ series: [{ labels: CPU_LABELS, samples: [{ ID: 'j1', rawProfile: fixture('cpu').toString('base64') }] }] }), {
      'content-type': 'application/json',
    });
    expect(raw).toEqual({ status: 200, contentType: 'application/json', text: '{}' });
    expect(double.profiles[1]?.id).toBe('j1');
  });

  it('decodes bytes encoded by hand from the field numbers, skipping annotations and unknown fields; answers an empty proto', async () => {
    const res = await post(handEncoded(CPU_LABELS, fixture('goroutine'), 'hand-1'), { 'content-type': 'application/proto', 'connect-protocol-version': '1' });
    expect(res).toEqual({ status: 200, contentType: 'application/proto', text: '' });
    expect(double.profiles[0]).toMatchObject({ id: 'hand-1', labels: { service_name: 'checkout' } });
    expect(double.profiles[0]?.rawProfile.equals(fixture('goroutine'))).toBe(true);
  });

  it('takes a gzip-compressed request (Content-Encoding) and an uncompressed pprof', async () => {
    await connectClient({ gzip: true }).push(pushOf(CPU_LABELS, fixture('mutex')));
    expect(double.pushes[0]?.headers['content-encoding']).toBe('gzip');
    await connectClient().push(pushOf(CPU_LABELS, gunzipSync(fixture('block'))));
    expect(double.profiles.map((p) => p.profile.sampleType.length)).toEqual([2, 2]);
  });

  it('records the tenant, and requires one when multi-tenant', async () => {
    const multi = await startPyroscopeDouble({ requireTenant: true });
    try {
      const err = await connectFailure(connectClient({ url: multi.url }).push(pushOf(CPU_LABELS, fixture('cpu'))));
      expect(err.code).toBe(Code.Unauthenticated);
      expect(err.rawMessage).toBe('no org id');
      expect(multi.pushes[0]?.status).toBe(401);
      await connectClient({ url: multi.url }).push(pushOf(CPU_LABELS, fixture('cpu')), { headers: { 'X-Scope-OrgID': 'team-a' } });
      expect(multi.profiles[0]?.tenant).toBe('team-a');
    } finally {
      await multi.close();
    }
  });

  it('as a gateway with credentials: another Authorization gets its 401 page, not a Connect error', async () => {
    const gated = await startPyroscopeDouble({ authorization: 'Bearer t0ken' });
    try {
      const res = await fetch(`${gated.url}${PUSH_PATH}`, { method: 'POST', headers: { 'content-type': 'application/proto' }, body: '' });
      expect(res.status).toBe(401);
      expect(await res.text()).toBe('Unauthorized\n');
      await connectClient({ url: gated.url }).push(pushOf(CPU_LABELS, fixture('cpu')), { headers: { authorization: 'Bearer t0ken' } });
      expect(gated.profiles).toHaveLength(1);
    } finally {
      await gated.close();
    }
  });
});

describe("pyroscope double: the server's checks, with Connect's error shapes", () => {
  async function rejected(labels: { name: string; value: string }[], raw = fixture('cpu')) {
    const res = await post(handEncoded(labels, raw, 'x'));
    expect(res.contentType).toBe('application/json');
    return { status: res.status, body: JSON.parse(res.text) as { code: string; message: string } };
  }

  it('service_name is required', async () => {
    expect(await rejected([{ name: '__name__', value: 'process_cpu' }])).toEqual({
      status: 400,
      body: { code: 'invalid_argument', message: `invalid labels '{__name__="process_cpu"}' with error: service name is not provided` },
    });
  });

  it('__name__ must be a valid metric name', async () => {
    const { body } = await rejected([{ name: 'service_name', value: 's' }]);
    expect(body.message).toBe(`invalid labels '{service_name="s"}' with error: invalid metric name`);
  });

  it('label names must be Prometheus label names, without duplicates', async () => {
    const bad = await rejected([...CPU_LABELS, { name: 'app.kubernetes.io/name', value: 'x' }]);
    expect(bad.body.message).toContain(`with error: invalid label name 'app.kubernetes.io/name'`);
    const digit = await rejected([...CPU_LABELS, { name: '1team', value: 'x' }]);
    expect(digit.body.message).toContain(`invalid label name '1team'`);
    const dup = await rejected([...CPU_LABELS, { name: 'pod', value: 'a' }, { name: 'pod', value: 'b' }]);
    expect(dup.body.message).toBe(`profile with labels '{__name__="process_cpu", pod="a", pod="b", service_name="checkout"}' has duplicate label name: 'pod'`);
  });

  it('at most 30 label names: 30 pass, 31 do not', async () => {
    const extra = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `l${String(i).padStart(2, '0')}`, value: 'v' }));
    expect((await post(handEncoded([...CPU_LABELS, ...extra(28)], fixture('cpu'), 'ok'))).status).toBe(200);
    const res = await rejected([...CPU_LABELS, ...extra(29)]);
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/^profile series '\{__name__="process_cpu", l00="v", .*\}' has 31 label names; limit 30$/);
  });

  it('at most 4 MiB uncompressed: heap-large (3.7 MiB gzipped, 7.3 MiB raw) is refused with both sizes', async () => {
    const res = await rejected(CPU_LABELS, fixture('heap-large'));
    expect(res.status).toBe(400);
    expect(res.body.message).toBe(
      `the profile with labels '{__name__="process_cpu", service_name="checkout"}' exceeds the size limit (max_profile_size_byte, actual: 7684613, limit: 4194304)`,
    );
    expect(double.profiles).toHaveLength(0);
  });

  it('a sample that is not pprof, and a push without samples, are invalid_argument', async () => {
    const notPprof = await rejected(CPU_LABELS, Buffer.from('<html>not a profile</html>'));
    expect(notPprof.body.code).toBe('invalid_argument');
    expect(notPprof.body.message).toMatch(/^failed to parse profile/);
    const truncated = await rejected(CPU_LABELS, fixture('cpu').subarray(0, 100));
    expect(truncated.body.message).toMatch(/^failed to decompress profile/);
    const empty = await post(lenField(1, lenField(1, Buffer.concat([lenField(1, Buffer.from('service_name')), lenField(2, Buffer.from('s'))]))));
    expect(JSON.parse(empty.text)).toEqual({ code: 'invalid_argument', message: 'no profiles received' });
  });

  it('profiles older than reject-older-than, when the limit is set', async () => {
    const strict = await startPyroscopeDouble({ limits: { rejectOlderThanMs: 3_600_000 } });
    try {
      const err = await connectFailure(connectClient({ url: strict.url }).push(pushOf(CPU_LABELS, fixture('cpu'))));
      expect(err.code).toBe(Code.InvalidArgument);
      expect(err.rawMessage).toMatch(/is too old: .* is older than the tenant's reject-older-than window$/);
    } finally {
      await strict.close();
    }
  });

  it('bytes that are not a PushRequest: invalid_argument from the codec', async () => {
    const res = await post(Buffer.from([0x0a, 0x05, 0x01]));
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text)).toEqual({
      code: 'invalid_argument',
      message: 'unmarshal into push.v1.PushRequest: push.v1.PushRequest: field 1 runs past the end of the message',
    });
  });

  it('the real client sees the code and message', async () => {
    const err = await connectFailure(connectClient().push(pushOf([{ name: '__name__', value: 'memory' }], fixture('heap'))));
    expect(err.code).toBe(Code.InvalidArgument);
    expect(err.rawMessage).toBe(`invalid labels '{__name__="memory"}' with error: service name is not provided`);
  });

  it('HTTP outside the Connect call: 404 elsewhere, 405 for GET, 415 for another content type', async () => {
    expect((await post('', { 'content-type': 'application/proto' }, '/ingest')).status).toBe(404);
    expect((await fetch(`${double.url}${PUSH_PATH}`)).status).toBe(405);
    const res = await fetch(`${double.url}${PUSH_PATH}`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body: '' });
    expect(res.status).toBe(415);
    expect(res.headers.get('accept-post')).toBe('application/json, application/proto');
    expect(double.pushes).toHaveLength(0);
  });

  it('an unknown Content-Encoding is unimplemented (501); a bad gzip is invalid_argument', async () => {
    const br = await post(Buffer.from('x'), { 'content-type': 'application/proto', 'content-encoding': 'br' });
    expect([br.status, JSON.parse(br.text).code]).toEqual([501, 'unimplemented']);
    const gz = await post(gzipSync(handEncoded(CPU_LABELS, fixture('cpu'), 'z')).subarray(0, 50), {
      'content-type': 'application/proto',
      'content-encoding': 'gzip',
    });
    expect([gz.status, JSON.parse(gz.text).code]).toEqual([400, 'invalid_argument']);
  });
});

describe('pyroscope double: scripted failures', () => {
  it('failNext answers Connect errors with the current status mapping, then works again', async () => {
    double.failNext(1, 'resource_exhausted', 'rate limited');
    double.failNext(1, 'unavailable');
    const client = connectClient();
    const limited = await connectFailure(client.push(pushOf(CPU_LABELS, fixture('cpu'))));
    expect([limited.code, limited.rawMessage]).toEqual([Code.ResourceExhausted, 'rate limited']);
    const unavailable = await connectFailure(client.push(pushOf(CPU_LABELS, fixture('cpu'))));
    expect(unavailable.code).toBe(Code.Unavailable);
    await client.push(pushOf(CPU_LABELS, fixture('cpu')));
    expect(double.pushes.map((p) => p.status)).toEqual([429, 503, 200]);
    expect(double.profiles).toHaveLength(1);
  });

  it("failNextRaw answers a proxy's page; Connect derives the code from the status", async () => {
    double.failNextRaw(1, 502, '<html>bad gateway</html>');
    const err = await connectFailure(connectClient().push(pushOf(CPU_LABELS, fixture('cpu'))));
    expect(err.code).toBe(Code.Unavailable);
    expect(err.rawMessage).toBe('HTTP 502');
  });

  it('while down, connections are dropped: the client gets a connection error', async () => {
    double.setDown(true);
    const err = await connectFailure(connectClient().push(pushOf(CPU_LABELS, fixture('cpu'))));
    expect([Code.Unavailable, Code.Aborted, Code.Internal]).toContain(err.code);
    double.setDown(false);
    await connectClient().push(pushOf(CPU_LABELS, fixture('cpu')));
    expect(double.profiles).toHaveLength(1);
  });

  it('hangNext leaves a push unanswered until the client gives up', async () => {
    double.hangNext(1);
    const err = await connectFailure(connectClient().push(pushOf(CPU_LABELS, fixture('cpu')), { timeoutMs: 200 }));
    expect(err.code).toBe(Code.DeadlineExceeded);
  });
});

describe('pyroscope double: over HTTPS (tls option)', () => {
  let ca: TestCa;
  let secure: PyroscopeDouble;
  beforeAll(async () => {
    ca = await makeTestCa('pyroscope double CA');
    secure = await startPyroscopeDouble({ tls: await ca.issue('pyroscope', { ips: ['127.0.0.1'] }) });
  }, 60_000);
  afterAll(async () => {
    await secure?.close();
  });

  function httpsClient(trusted: string | undefined) {
    const transport = createConnectTransport({ baseUrl: secure.url, httpVersion: '1.1', nodeOptions: { ca: trusted, agent: false } });
    return createClient(PusherService, transport);
  }

  it('serves https:// and stores a push from a client that trusts its CA; a client that does not is refused in the handshake', async () => {
    expect(secure.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    await httpsClient(ca.cert).push(pushOf(CPU_LABELS, fixture('cpu')));
    expect(secure.profiles.map((p) => p.labels)).toEqual([{ __name__: 'process_cpu', service_name: 'checkout' }]);
    const before = secure.connections;
    const err = await connectFailure(httpsClient(undefined).push(pushOf(CPU_LABELS, fixture('cpu'))));
    expect(codedError(err)?.code).toBe('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    expect(secure.connections).toBe(before + 1);
    expect(secure.pushes).toHaveLength(1);
  });
});
