/**
 * `--pushgateway`, `--pushgateway-job` and `--pushgateway-label` into where a run's metrics go:
 * the Pushgateway's URL and the group's key (job and labels). Every mistake names the flag.
 */
import type { Shard } from '../discover/shard.js';
import { METRIC_LABEL_NAMES } from './run-metrics.js';

export const DEFAULT_PUSHGATEWAY_JOB = 'kprofefe';

export interface PushgatewayTarget {
  /** As given, without a trailing slash; credentials in it (`https://user:password@…`) go out as basic auth. */
  readonly url: string;
  readonly job: string;
  /** The group's labels besides `job`: the `--pushgateway-label`s, and `shard` when the pods are sharded. */
  readonly grouping: Readonly<Record<string, string>>;
}

/** A bad `--pushgateway*` flag: a usage error. */
export class PushgatewayOptionError extends Error {
  override readonly name = 'PushgatewayOptionError';
}

export interface PushgatewayInput {
  readonly url: string | undefined;
  readonly job: string | undefined;
  readonly labels: readonly string[];
  readonly shard: Shard;
}

/** Prometheus's label name syntax; names starting with `__` are reserved for Prometheus itself. */
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** The push target, or undefined without `--pushgateway` (then the other two flags are mistakes). */
export function parsePushgatewayTarget(input: PushgatewayInput): PushgatewayTarget | undefined {
  if (input.url === undefined || input.url === '') {
    if (input.job !== undefined || input.labels.length > 0) throw new PushgatewayOptionError('--pushgateway-job and --pushgateway-label need --pushgateway');
    return undefined;
  }
  const job = input.job ?? DEFAULT_PUSHGATEWAY_JOB;
  pathSegment('--pushgateway-job', job, job);
  const grouping: Record<string, string> = {};
  for (const label of input.labels) {
    const [name, value] = labelOf(label);
    if (name in grouping) throw new PushgatewayOptionError(`--pushgateway-label: "${name}" is given twice`);
    grouping[name] = value;
  }
  if (input.shard.count > 1) {
    if ('shard' in grouping) throw new PushgatewayOptionError('--pushgateway-label: "shard" is set by kprofefe itself when --shard-count is more than 1');
    grouping.shard = String(input.shard.index);
  }
  return { url: pushgatewayUrl(input.url), job, grouping };
}

/** The URL to name in logs: no user name or password. */
export function displayUrl(url: string): string {
  const parsed = new URL(url);
  parsed.username = '';
  parsed.password = '';
  return parsed.toString().replace(/\/+$/, '');
}

function pushgatewayUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new PushgatewayOptionError(`--pushgateway "${value}": expected a URL such as http://prometheus-pushgateway:9091`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new PushgatewayOptionError(`--pushgateway "${displayUrl(value)}": only http:// and https:// URLs are supported`);
  if (url.search !== '' || url.hash !== '')
    throw new PushgatewayOptionError(`--pushgateway "${displayUrl(value)}": a URL without a query or fragment is expected`);
  return value.replace(/\/+$/, '');
}

function labelOf(text: string): [string, string] {
  const at = text.indexOf('=');
  if (at < 0) throw new PushgatewayOptionError(`--pushgateway-label "${text}": expected NAME=VALUE, e.g. cronjob=kprofefe`);
  const name = text.slice(0, at);
  const value = text.slice(at + 1);
  if (!LABEL_NAME.test(name) || name.startsWith('__')) {
    throw new PushgatewayOptionError(
      `--pushgateway-label "${text}": "${name}" is not a Prometheus label name (a letter or _, then letters, digits or _; not starting with __)`,
    );
  }
  if (name === 'job') throw new PushgatewayOptionError('--pushgateway-label: the job label is set with --pushgateway-job');
  if (METRIC_LABEL_NAMES.includes(name)) {
    throw new PushgatewayOptionError(`--pushgateway-label: "${name}" is a label of kprofefe's metrics; choose another name`);
  }
  pathSegment('--pushgateway-label', text, value);
  return [name, value];
}

/** The job and label values are segments of the push URL's path: the Pushgateway takes no empty one and no "/". */
function pathSegment(flag: string, given: string, value: string): void {
  if (value === '') throw new PushgatewayOptionError(`${flag} "${given}": the value may not be empty`);
  if (value.includes('/')) throw new PushgatewayOptionError(`${flag} "${given}": the value may not contain "/"`);
}
