import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { validateSchema } from './values-schema.js';
import { buildRenderer, CHART_DIR, ChartSchemaError, renderChart } from './render-chart.js';

type Schema = Record<string, any>;
const schema = JSON.parse(readFileSync(`${CHART_DIR}/values.schema.json`, 'utf8')) as Schema;
const defaults = parse(readFileSync(`${CHART_DIR}/values.yaml`, 'utf8')) as Record<string, unknown>;
const valuesFile = (name: string): string => fileURLToPath(new URL(`./values/${name}`, import.meta.url));

let renderer: string;
beforeAll(() => {
  renderer = buildRenderer();
});

function schemaErrorOf(fn: () => unknown): ChartSchemaError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ChartSchemaError) return error;
    throw error;
  }
  throw new Error('the values were accepted');
}

describe('values.schema.json', () => {
  it('accepts the chart defaults and every scenario values file', () => {
    expect(validateSchema(schema, defaults)).toEqual([]);
    for (const file of ['all-namespaces.yaml', 'external-collector.yaml', 'namespace-list.yaml', 'pushgateway.yaml', 'several-jobs.yaml', 'shards.yaml']) {
      expect(() => renderChart(renderer, { valuesFiles: [valuesFile(file)] }), file).not.toThrow();
    }
  });

  it.each([
    ['bad-concurrency-string.yaml', 'scrape.concurrency: got string "ten", want integer'],
    ['bad-unknown-key.yaml', 'scrape: unknown key "namespace"'],
    ['bad-unknown-top-key.yaml', 'values: unknown key "schedule" (known: nameOverride,'],
    ['bad-job-entry.yaml', 'jobs[0]: unknown key "concurrencyPolicy"'],
    ['bad-job-without-name.yaml', 'jobs[0]: name is required'],
    ['bad-profile-type.yaml', 'scrape.profileTypes[1]: "trace" is not one of'],
    ['bad-duration.yaml', 'scrape.cpuDuration: "30" does not match'],
    ['bad-shards.yaml', 'shards: 0 is less than 1'],
    ['bad-inline-headers.yaml', 'collector: unknown key "headers"'],
  ])('rejects %s: %s', (file, message) => {
    const error = schemaErrorOf(() => renderChart(renderer, { valuesFiles: [valuesFile(file)] }));
    expect(error.violations.map((v) => v.message).join('\n')).toContain(message);
  });

  it('rejects wrong types at every level, and a null that removes a required default', () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ shards: '3' }, 'shards: got string "3", want integer'],
      [{ scrape: { allNamespaces: 'yes' } }, 'scrape.allNamespaces: got string'],
      [{ scrape: { namespaces: 'payments' } }, 'scrape.namespaces: got string'],
      [{ scrape: { namespaces: ['Payments'] } }, 'scrape.namespaces[0]: "Payments" does not match'],
      [{ scrape: { logLevel: 'verbose' } }, 'scrape.logLevel: "verbose" is not one of'],
      [{ cronJob: { activeDeadlineSeconds: 0 } }, 'cronJob.activeDeadlineSeconds: 0 is less than 1'],
      [{ cronJob: { concurrencyPolicy: 'Sometimes' } }, 'cronJob.concurrencyPolicy'],
      [{ image: { digest: 'latest' } }, 'image.digest: "latest" does not match'],
      [{ collector: { url: 'profefe:10100' } }, 'collector.url: "profefe:10100" does not match'],
      [{ podAnnotations: { a: 1 } }, 'podAnnotations.a: got integer 1, want string'],
      [{ jobs: [{ name: 'Payments_1' }] }, 'jobs[0].name: "Payments_1" does not match'],
      [{ jobs: [{ name: 'a', concurrency: 1.5 }] }, 'jobs[0].concurrency: got number 1.5, want integer'],
      [{ tolerations: {} }, 'tolerations: got object'],
      [{ image: { repository: null } }, 'image: repository is required'],
      [{ scrape: { profileTypes: [] } }, 'scrape.profileTypes: must have at least 1 items'],
      [{ collector: { enabled: 'yes' } }, 'collector.enabled: got string "yes", want boolean'],
      [{ collector: { retention: '5 days' } }, 'collector.retention: "5 days" does not match'],
      [{ collector: { persistence: { size: 'ten gigs' } } }, 'collector.persistence.size: "ten gigs" does not match'],
      [{ collector: { persistence: { accessModes: ['ReadWriteSometimes'] } } }, 'collector.persistence.accessModes[0]: "ReadWriteSometimes" is not one of'],
      [{ collector: { image: { digest: 'latest' } } }, 'collector.image.digest: "latest" does not match'],
      [{ collector: { storage: '10Gi' } }, 'collector: unknown key "storage"'],
      [{ output: { sizeLimit: '1Gi' } }, 'output: unknown key "sizeLimit"'],
      [{ pushgateway: { url: 'pushgateway:9091' } }, 'pushgateway.url: "pushgateway:9091" does not match'],
      [{ prometheusRule: { enabled: 'true' } }, 'prometheusRule.enabled: got string "true", want boolean'],
      [{ prometheusRule: { alertLabels: { severity: 1 } } }, 'prometheusRule.alertLabels.severity: got integer 1, want string'],
      [{ cronJob: { intervalSeconds: -60 } }, 'cronJob.intervalSeconds: -60 is less than 0'],
      [{ jobs: [{ name: 'a', intervalSeconds: '10m' }] }, 'jobs[0].intervalSeconds: got string "10m", want integer'],
    ];
    for (const [values, message] of cases) {
      const error = schemaErrorOf(() => renderChart(renderer, { values }));
      expect(error.violations.map((v) => v.message).join('\n'), JSON.stringify(values)).toContain(message);
    }
  });

  it('lets a jobs entry set every scrape key, with the same definition', () => {
    const jobProperties = schema.properties.jobs.items.properties as Schema;
    for (const [key, definition] of Object.entries(schema.properties.scrape.properties as Schema)) {
      expect(jobProperties[key], key).toEqual(definition);
    }
    for (const key of ['schedule', 'timeZone', 'suspend', 'activeDeadlineSeconds', 'intervalSeconds']) {
      expect(jobProperties[key], key).toEqual(schema.properties.cronJob.properties[key]);
    }
    expect(jobProperties.shards).toEqual(schema.properties.shards);
  });

  it('describes exactly the keys values.yaml has', () => {
    // Every closed object of the schema lists the keys of the same object in values.yaml, and back.
    function walk(node: Schema, value: unknown, path: string): void {
      const resolved = typeof node.$ref === 'string' ? schema.definitions[node.$ref.split('/').pop() as string] : node;
      if (resolved.type !== 'object' || resolved.additionalProperties !== false) return;
      const object = value as Record<string, unknown>;
      expect(Object.keys(object).sort(), path).toEqual(Object.keys(resolved.properties).sort());
      for (const key of Object.keys(object)) walk(resolved.properties[key], object[key], `${path}.${key}`);
    }
    walk(schema, defaults, 'values');
  });

  it('is checked in strict mode: a keyword or format that would not be checked is an error, not ignored', () => {
    expect(() => validateSchema({ type: 'object', properties: { a: { type: 'string', format: 'uri' } } }, { a: 'x' })).toThrow(/unknown format "uri"/);
    expect(() => validateSchema({ type: 'object', properties: { a: { type: 'string', minimumLength: 1 } } }, { a: 'x' })).toThrow(
      /unknown keyword: "minimumLength"/,
    );
  });
});
