/**
 * values.schema.json checked as Helm checks values before it renders: JSON Schema draft-07 (Ajv's
 * default class, not Ajv2019/Ajv2020), every violation reported. Ajv runs in strict mode, so a keyword or format it
 * would not check is an error when the schema is compiled, never silently ignored: the chart cannot
 * come to rely on a check that is not made.
 *
 * Ajv's errors are written as "where: problem", where being the values path (`scrape.concurrency`,
 * `jobs[1].name`, `values` for the top) and the problem naming the offending value or key.
 */
// The draft-07 class, the one `import Ajv from 'ajv'` means; named, because under NodeNext the
// default import of this CommonJS package is typed as the whole module, not the class.
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';

export interface SchemaViolation {
  /** Where in the values, e.g. `scrape.concurrency` or `jobs[1].name`. */
  readonly path: string;
  readonly message: string;
}

const ajv = new Ajv({ strict: true, allErrors: true, verbose: true });
/** By schema text: renderChart reads values.schema.json afresh for every render, and compiling is the slow part. */
const compiled = new Map<string, ValidateFunction>();

function compile(schema: Record<string, unknown>): ValidateFunction {
  const key = JSON.stringify(schema);
  let validate = compiled.get(key);
  if (validate === undefined) {
    validate = ajv.compile(schema);
    compiled.set(key, validate);
  }
  return validate;
}

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

/** `/jobs/0/name` (a JSON pointer into value) as `jobs[0].name`. */
function valuesPath(pointer: string, value: unknown): string {
  let path = '';
  let node = value;
  for (const raw of pointer.split('/').slice(1)) {
    const segment = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    path = Array.isArray(node) ? `${path}[${segment}]` : path === '' ? segment : `${path}.${segment}`;
    node = (node as Record<string, unknown> | undefined)?.[segment];
  }
  return path === '' ? 'values' : path;
}

function problem(error: ErrorObject): string {
  const data: unknown = error.data;
  const p = error.params as Record<string, any>;
  switch (error.keyword) {
    case 'type':
      return `got ${typeOf(data)} ${JSON.stringify(data)}, want ${[p.type].flat().join(' or ')}`;
    case 'enum':
      return `${JSON.stringify(data)} is not one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'pattern':
      return `${JSON.stringify(data)} does not match ${p.pattern}`;
    case 'minimum':
      return `${String(data)} is less than ${p.limit}`;
    case 'maximum':
      return `${String(data)} is more than ${p.limit}`;
    case 'required':
      return `${p.missingProperty} is required`;
    case 'additionalProperties': {
      const known = Object.keys((error.parentSchema?.properties ?? {}) as Record<string, unknown>);
      return `unknown key "${p.additionalProperty}" (known: ${known.join(', ')})`;
    }
    case 'minItems':
      return `must have at least ${p.limit} items`;
    case 'minLength':
      return `must have at least ${p.limit} characters`;
    case 'maxLength':
      return `must have at most ${p.limit} characters`;
    case 'uniqueItems':
      return `${JSON.stringify((data as unknown[])[p.i])} is listed twice`;
    default:
      return `${error.message ?? error.keyword} (${JSON.stringify(data)})`;
  }
}

/** The violations of `value` against `schema`, none when it conforms; throws when the schema itself is rejected. */
export function validateSchema(schema: Record<string, unknown>, value: unknown): SchemaViolation[] {
  const validate = compile(schema);
  if (validate(value)) return [];
  return (validate.errors ?? []).map((error) => {
    const path = valuesPath(error.instancePath, value);
    return { path, message: `${path}: ${problem(error)}` };
  });
}
