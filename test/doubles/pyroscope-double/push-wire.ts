/**
 * The Pyroscope double's own reading of a PushRequest: a protobuf wire decoder written from the
 * field numbers in /work/shared/PYROSCOPE_API.md, and the JSON form, both without the sink's
 * schema code, so that a mistake in the sink's descriptors cannot be hidden by sharing them.
 * Unknown fields are skipped as any protobuf reader skips them (field 3, annotations, included).
 */

export interface WireLabel {
  name: string;
  value: string;
}

export interface WireSample {
  rawProfile: Buffer;
  id: string;
}

export interface WireSeries {
  labels: WireLabel[];
  samples: WireSample[];
}

export class WireError extends Error {
  override readonly name = 'WireError';
}

/** `PushRequest { repeated RawProfileSeries series = 1; }` */
export function decodePushRequest(bytes: Buffer): WireSeries[] {
  const series: WireSeries[] = [];
  readFields(bytes, 'push.v1.PushRequest', (field, value) => {
    if (field === 1) series.push(decodeSeries(asBytes(value, 'push.v1.PushRequest.series')));
  });
  return series;
}

/** `RawProfileSeries { repeated types.v1.LabelPair labels = 1; repeated RawSample samples = 2; }` */
function decodeSeries(bytes: Buffer): WireSeries {
  const series: WireSeries = { labels: [], samples: [] };
  readFields(bytes, 'push.v1.RawProfileSeries', (field, value) => {
    if (field === 1) series.labels.push(decodeLabel(asBytes(value, 'push.v1.RawProfileSeries.labels')));
    else if (field === 2) series.samples.push(decodeSample(asBytes(value, 'push.v1.RawProfileSeries.samples')));
  });
  return series;
}

/** `types.v1.LabelPair { string name = 1; string value = 2; }` */
function decodeLabel(bytes: Buffer): WireLabel {
  const label: WireLabel = { name: '', value: '' };
  readFields(bytes, 'types.v1.LabelPair', (field, value) => {
    if (field === 1) label.name = utf8(asBytes(value, 'types.v1.LabelPair.name'), 'types.v1.LabelPair.name');
    else if (field === 2) label.value = utf8(asBytes(value, 'types.v1.LabelPair.value'), 'types.v1.LabelPair.value');
  });
  return label;
}

/** `RawSample { bytes raw_profile = 1; string ID = 2; }` */
function decodeSample(bytes: Buffer): WireSample {
  const sample: WireSample = { rawProfile: Buffer.alloc(0), id: '' };
  readFields(bytes, 'push.v1.RawSample', (field, value) => {
    if (field === 1) sample.rawProfile = Buffer.from(asBytes(value, 'push.v1.RawSample.raw_profile'));
    else if (field === 2) sample.id = utf8(asBytes(value, 'push.v1.RawSample.ID'), 'push.v1.RawSample.ID');
  });
  return sample;
}

type FieldValue = { wire: 'varint' } | { wire: 'len'; bytes: Buffer } | { wire: 'fixed' };

function readFields(bytes: Buffer, message: string, onField: (field: number, value: FieldValue) => void): void {
  let pos = 0;
  while (pos < bytes.length) {
    const [tag, afterTag] = readVarint(bytes, pos, message);
    const field = Number(tag >> 3n);
    const wireType = Number(tag & 7n);
    if (field === 0) throw new WireError(`${message}: field number 0`);
    pos = afterTag;
    if (wireType === 0) {
      pos = readVarint(bytes, pos, message)[1];
      onField(field, { wire: 'varint' });
    } else if (wireType === 2) {
      const [length, afterLength] = readVarint(bytes, pos, message);
      const end = afterLength + Number(length);
      if (end > bytes.length) throw new WireError(`${message}: field ${field} runs past the end of the message`);
      onField(field, { wire: 'len', bytes: bytes.subarray(afterLength, end) });
      pos = end;
    } else if (wireType === 1 || wireType === 5) {
      pos += wireType === 1 ? 8 : 4;
      if (pos > bytes.length) throw new WireError(`${message}: field ${field} runs past the end of the message`);
      onField(field, { wire: 'fixed' });
    } else {
      throw new WireError(`${message}: field ${field} has wire type ${wireType}, which proto3 does not use`);
    }
  }
}

function readVarint(bytes: Buffer, start: number, message: string): [bigint, number] {
  let value = 0n;
  for (let pos = start, shift = 0n; pos < bytes.length && shift < 70n; pos++, shift += 7n) {
    const byte = bytes[pos] as number;
    value |= BigInt(byte & 0x7f) << shift;
    if (byte < 0x80) return [value, pos + 1];
  }
  throw new WireError(`${message}: truncated or overlong varint`);
}

function asBytes(value: FieldValue, field: string): Buffer {
  if (value.wire !== 'len') throw new WireError(`${field}: expected a length-delimited field, got wire type ${value.wire}`);
  return value.bytes;
}

function utf8(bytes: Buffer, field: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new WireError(`${field}: string field contains invalid UTF-8`);
  }
}

/**
 * The JSON form (Connect's JSON mapping: `series`, `labels`, `samples`, `rawProfile` base64 and
 * `ID`; protobuf JSON also accepts the proto field name `raw_profile`).
 */
export function decodePushRequestJson(text: string): WireSeries[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new WireError(`invalid JSON: ${(err as Error).message}`);
  }
  return list(object(doc, 'PushRequest').series, 'series').map((s, i) => {
    const series = object(s, `series[${i}]`);
    return {
      labels: list(series.labels, 'labels').map((l, j) => {
        const label = object(l, `series[${i}].labels[${j}]`);
        return { name: str(label.name, 'name'), value: str(label.value, 'value') };
      }),
      samples: list(series.samples, 'samples').map((x, j) => {
        const sample = object(x, `series[${i}].samples[${j}]`);
        return { rawProfile: Buffer.from(str(sample.rawProfile ?? sample.raw_profile, 'rawProfile'), 'base64'), id: str(sample.ID, 'ID') };
      }),
    };
  });
}

function object(value: unknown, what: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new WireError(`${what}: expected an object`);
  return value as Record<string, unknown>;
}

function list(value: unknown, what: string): unknown[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new WireError(`${what}: expected an array`);
  return value;
}

function str(value: unknown, what: string): string {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') throw new WireError(`${what}: expected a string`);
  return value;
}
