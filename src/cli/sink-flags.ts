/**
 * kprofefe's sinks from its flags: every sink given is used, and each profile is stored in each.
 * The collectors first (--profefe-hostport, ...), then a directory: --output-dir when it is
 * given, and ./profiles when no other sink is (what kprofefe has always done without a collector).
 */
import type { SinkConfig } from '../sink/sink-config.js';
import { UsageError } from './usage-error.js';

export const DEFAULT_OUTPUT_DIR = './profiles';

/** `collectors`: one entry per collector flag, undefined when that flag is not given. `outputDir`: undefined when not given. */
export function sinkConfigs(collectors: ReadonlyArray<SinkConfig | undefined>, outputDir: string | undefined): SinkConfig[] {
  const sinks = collectors.filter((sink): sink is SinkConfig => sink !== undefined);
  if (outputDir === '') throw new UsageError('--output-dir: the directory may not be empty (leave the flag out for ./profiles when no other sink is given)');
  if (outputDir !== undefined || sinks.length === 0) sinks.push({ kind: 'directory', dir: outputDir ?? DEFAULT_OUTPUT_DIR });
  return sinks;
}
