/**
 * kprofefe's --pushgateway flags into the push target (in-process, no network): the grouping key,
 * and a usage error naming the flag for every mistake.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseKprofefeArgs } from '../../src/cli/kprofefe-options.js';
import { UsageError } from '../../src/cli/usage-error.js';
import { displayUrl } from '../../src/metrics/pushgateway-target.js';

afterEach(() => {
  vi.unstubAllEnvs();
});

const parse = (args: string[], env: NodeJS.ProcessEnv = {}) => parseKprofefeArgs(args, env).pushgateway;

function usageError(args: string[]): string {
  try {
    parse(args);
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return (err as Error).message;
  }
  throw new Error(`no usage error for ${args.join(' ')}`);
}

describe('kprofefe --pushgateway flags', () => {
  it('without --pushgateway (nor PUSHGATEWAY_URL) nothing is pushed', () => {
    vi.stubEnv('PUSHGATEWAY_URL', '');
    expect(parse([])).toBeUndefined();
  });

  it('job kprofefe by default, labels in the grouping key, a trailing slash dropped', () => {
    expect(parse(['--pushgateway', 'http://pgw:9091/', '--pushgateway-label', 'cronjob=kprofefe', '--pushgateway-label', 'cluster=eu-1'])).toEqual({
      url: 'http://pgw:9091',
      job: 'kprofefe',
      grouping: { cronjob: 'kprofefe', cluster: 'eu-1' },
    });
    expect(parse(['--pushgateway', 'https://pgw.example/prefix', '--pushgateway-job', 'profiling', '--pushgateway-label', 'a=b=c'])).toEqual({
      url: 'https://pgw.example/prefix',
      job: 'profiling',
      grouping: { a: 'b=c' },
    });
  });

  it('shard=<index> joins the grouping key when --shard-count is more than 1 (the index from --shard-index or JOB_COMPLETION_INDEX)', () => {
    expect(parse(['--pushgateway', 'http://pgw:9091', '--shard-count', '3', '--shard-index', '2'])?.grouping).toEqual({ shard: '2' });
    expect(parse(['--pushgateway', 'http://pgw:9091', '--shard-count', '2'], { JOB_COMPLETION_INDEX: '1' })?.grouping).toEqual({ shard: '1' });
    expect(parse(['--pushgateway', 'http://pgw:9091', '--shard-count', '1'])?.grouping).toEqual({});
    // With one shard, a label named shard is the user's own.
    expect(parse(['--pushgateway', 'http://pgw:9091', '--pushgateway-label', 'shard=blue'])?.grouping).toEqual({ shard: 'blue' });
  });

  it('PUSHGATEWAY_URL stands for --pushgateway; the flag wins', () => {
    vi.stubEnv('PUSHGATEWAY_URL', 'http://from-env:9091');
    expect(parse([])?.url).toBe('http://from-env:9091');
    expect(parse(['--pushgateway', 'http://from-flag:9091'])?.url).toBe('http://from-flag:9091');
  });

  it('credentials in the URL are kept for the push, never shown', () => {
    expect(parse(['--pushgateway', 'https://kprofefe:s3cr3t@pgw:9091'])?.url).toBe('https://kprofefe:s3cr3t@pgw:9091');
    expect(displayUrl('https://kprofefe:s3cr3t@pgw:9091/prefix/')).toBe('https://pgw:9091/prefix');
    expect(usageError(['--pushgateway', 'ftp://kprofefe:s3cr3t@pgw'])).not.toContain('s3cr3t');
  });

  it.each([
    [['--pushgateway', 'not a url'], '--pushgateway "not a url": expected a URL'],
    [['--pushgateway', 'ftp://pgw'], '--pushgateway "ftp://pgw": only http:// and https://'],
    [['--pushgateway', 'http://pgw:9091/?x=1'], '--pushgateway'],
    [['--pushgateway-label', 'cronjob=x'], '--pushgateway-job and --pushgateway-label need --pushgateway'],
    [['--pushgateway-job', 'x'], '--pushgateway-job and --pushgateway-label need --pushgateway'],
    [['--pushgateway', 'http://pgw', '--pushgateway-label', 'cronjob'], '--pushgateway-label "cronjob": expected NAME=VALUE'],
    [['--pushgateway', 'http://pgw', '--pushgateway-label', '1st=x'], '--pushgateway-label "1st=x": "1st" is not a Prometheus label name'],
    [['--pushgateway', 'http://pgw', '--pushgateway-label', 'cron-job=x'], '"cron-job" is not a Prometheus label name'],
    [['--pushgateway', 'http://pgw', '--pushgateway-label', '__name__=x'], '"__name__" is not a Prometheus label name'],
    [['--pushgateway', 'http://pgw', '--pushgateway-label', '=x'], '--pushgateway-label "=x"'],
    [['--pushgateway', 'http://pgw', '--pushgateway-label', 'job=x'], '--pushgateway-label: the job label is set with --pushgateway-job'],
    [['--pushgateway', 'http://pgw', '--pushgateway-label', 'type=x'], `--pushgateway-label: "type" is a label of kprofefe's metrics`],
    [['--pushgateway', 'http://pgw', '--pushgateway-label', 'reason=x'], `--pushgateway-label: "reason" is a label of kprofefe's metrics`],
    [['--pushgateway', 'http://pgw', '--pushgateway-label', 'sink=x'], `--pushgateway-label: "sink" is a label of kprofefe's metrics`],
    [['--pushgateway', 'http://pgw', '--pushgateway-label', 'a=1', '--pushgateway-label', 'a=2'], '--pushgateway-label: "a" is given twice'],
    [['--pushgateway', 'http://pgw', '--pushgateway-label', 'a='], '--pushgateway-label "a=": the value may not be empty'],
    [['--pushgateway', 'http://pgw', '--pushgateway-label', 'a=b/c'], '--pushgateway-label "a=b/c": the value may not contain "/"'],
    [['--pushgateway', 'http://pgw', '--pushgateway-job', 'a/b'], '--pushgateway-job "a/b": the value may not contain "/"'],
    [['--pushgateway', 'http://pgw', '--pushgateway-job', ''], '--pushgateway-job "": the value may not be empty'],
    [
      ['--pushgateway', 'http://pgw', '--shard-count', '2', '--pushgateway-label', 'shard=0'],
      '"shard" is set by kprofefe itself when --shard-count is more than 1',
    ],
  ])('%j: %s', (args, message) => {
    vi.stubEnv('PUSHGATEWAY_URL', '');
    expect(usageError(args)).toContain(message);
  });
});
