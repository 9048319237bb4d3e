/**
 * kprofefe's sink flags into the run's sinks (in-process, no network): every sink given is used,
 * collectors first, then the directory; ./profiles only when no other sink is given.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { parseKprofefeArgs } from '../../src/cli/kprofefe-options.js';
import { UsageError } from '../../src/cli/usage-error.js';

beforeEach(() => {
  vi.stubEnv('PROFEFE_HOSTPORT', '');
  vi.stubEnv('PYROSCOPE_URL', '');
});
afterEach(() => {
  vi.unstubAllEnvs();
});

const kinds = (args: string[]) => parseKprofefeArgs(args, {}).sinks.map((sink) => (sink.kind === 'directory' ? `directory ${sink.dir}` : sink.kind));

describe('kprofefe sinks from flags', () => {
  it('no sink flag: ./profiles, as always', () => {
    expect(kinds([])).toEqual(['directory ./profiles']);
  });

  it('--profefe-hostport alone: the collector only (no directory)', () => {
    expect(kinds(['--profefe-hostport', 'http://collector:10100'])).toEqual(['profefe']);
  });

  it('--output-dir alone: that directory', () => {
    expect(kinds(['--output-dir', '/data/p'])).toEqual(['directory /data/p']);
  });

  it('--profefe-hostport, --pyroscope-url and --output-dir: all three, collectors first', () => {
    expect(kinds(['--output-dir', '/data/p', '--pyroscope-url', 'http://pyroscope:4040', '--profefe-hostport', 'http://collector:10100'])).toEqual([
      'profefe',
      'pyroscope',
      'directory /data/p',
    ]);
    expect(kinds(['--pyroscope-url', 'http://pyroscope:4040'])).toEqual(['pyroscope']);
  });

  it('PROFEFE_HOSTPORT and an explicit --output-dir: both', () => {
    vi.stubEnv('PROFEFE_HOSTPORT', 'http://collector:10100');
    expect(kinds(['--output-dir', '/data/p'])).toEqual(['profefe', 'directory /data/p']);
    expect(kinds([])).toEqual(['profefe']);
  });

  it('--output-dir "": a usage error naming the flag', () => {
    expect(() => kinds(['--output-dir', ''])).toThrow(UsageError);
    expect(() => kinds(['--output-dir', ''])).toThrow('--output-dir: the directory may not be empty');
  });
});
