/**
 * The JSON-schema subset values.schema.json uses, checked the way Helm checks values before it
 * renders (draft-07 semantics). A schema keyword outside the subset is an error, never silently
 * ignored, so the chart cannot come to rely on a check that this validator does not make.
 */

type Schema = Record<string, unknown>;

const SUPPORTED = new Set([
  '$schema', 'title', 'description', 'definitions', '$ref',
  'type', 'enum', 'properties', 'required', 'additionalProperties',
  'items', 'minItems', 'uniqueItems',
  'minLength', 'maxLength', 'pattern', 'minimum', 'maximum',
]);

export interface SchemaViolation {
  /** Where in the values, e.g. `scrape.concurrency` or `jobs[1].name`. */
  readonly path: string;
  readonly message: string;
}

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function matchesType(value: unknown, type: string): boolean {
  const actual = typeOf(value);
  return actual === type || (type === 'number' && actual === 'integer');
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeOf(value) === 'object';
}

function childPath(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path === '' ? key : `${path}.${key}`;
}

export function validateSchema(root: Schema, value: unknown): SchemaViolation[] {
  const violations: SchemaViolation[] = [];

  function resolve(schema: Schema): Schema {
    const ref = schema.$ref;
    if (typeof ref !== 'string') return schema;
    const match = /^#\/definitions\/([^/]+)$/.exec(ref);
    const target = match?.[1] === undefined ? undefined : (root.definitions as Record<string, Schema> | undefined)?.[match[1]];
    if (target === undefined) throw new Error(`values.schema.json: unresolvable $ref ${ref}`);
    return resolve(target);
  }

  function check(schemaIn: Schema, v: unknown, path: string): void {
    const schema = resolve(schemaIn);
    for (const keyword of Object.keys(schema)) {
      if (!SUPPORTED.has(keyword)) throw new Error(`values.schema.json: keyword "${keyword}" is outside the supported subset (at ${path || 'the top'})`);
    }
    const where = path === '' ? 'values' : path;
    const fail = (message: string): void => {
      violations.push({ path: where, message: `${where}: ${message}` });
    };

    if (schema.type !== undefined) {
      const types = Array.isArray(schema.type) ? (schema.type as string[]) : [schema.type as string];
      if (!types.some((t) => matchesType(v, t))) {
        fail(`got ${typeOf(v)} ${JSON.stringify(v)}, want ${types.join(' or ')}`);
        return;
      }
    }
    if (Array.isArray(schema.enum) && !schema.enum.some((e) => JSON.stringify(e) === JSON.stringify(v))) {
      fail(`${JSON.stringify(v)} is not one of ${schema.enum.map((e) => JSON.stringify(e)).join(', ')}`);
    }
    if (typeof v === 'string') {
      const length = [...v].length;
      if (typeof schema.minLength === 'number' && length < schema.minLength) fail(`must have at least ${schema.minLength} characters`);
      if (typeof schema.maxLength === 'number' && length > schema.maxLength) fail(`must have at most ${schema.maxLength} characters`);
      if (typeof schema.pattern === 'string' && !new RegExp(schema.pattern, 'u').test(v)) {
        fail(`${JSON.stringify(v)} does not match ${schema.pattern}`);
      }
    }
    if (typeof v === 'number') {
      if (typeof schema.minimum === 'number' && v < schema.minimum) fail(`${v} is less than ${schema.minimum}`);
      if (typeof schema.maximum === 'number' && v > schema.maximum) fail(`${v} is more than ${schema.maximum}`);
    }
    if (Array.isArray(v)) {
      if (typeof schema.minItems === 'number' && v.length < schema.minItems) fail(`must have at least ${schema.minItems} items`);
      if (schema.uniqueItems === true) {
        const seen = new Set<string>();
        for (const item of v) {
          const key = JSON.stringify(item);
          if (seen.has(key)) fail(`${key} is listed twice`);
          seen.add(key);
        }
      }
      if (isPlainObject(schema.items)) v.forEach((item, i) => check(schema.items as Schema, item, childPath(path, i)));
    }
    if (isPlainObject(v)) {
      const properties = (schema.properties ?? {}) as Record<string, Schema>;
      for (const name of (schema.required ?? []) as string[]) {
        if (!(name in v)) fail(`${name} is required`);
      }
      for (const [key, item] of Object.entries(v)) {
        const property = properties[key];
        if (property !== undefined) check(property, item, childPath(path, key));
        else if (schema.additionalProperties === false) fail(`unknown key "${key}" (known: ${Object.keys(properties).join(', ')})`);
        else if (isPlainObject(schema.additionalProperties)) check(schema.additionalProperties, item, childPath(path, key));
      }
    }
  }

  check(root, value, '');
  return violations;
}
