import { DEFAULT_PROFILE_TYPES, parseProfileTypeList } from '../src/profile-types.js';
import { parseGoDuration } from '../src/units/go-duration.js';

/**
 * The W1 benchmark's command line. Its own flags are taken out; every other argument is passed
 * to kprofefe as is (after the flags the benchmark sets, so a passed flag wins), e.g.
 * `npm run bench -- --bench-pods 1000 --concurrency 64`.
 */

export interface W1Args {
  podCounts: number[];
  /** Go duration text, passed to kprofefe and honoured by the fake pods. */
  cpuDuration: string;
  cpuSeconds: number;
  /** Share of pods serving the 3.8 MB heap-large fixture as their heap profile. */
  largeHeapShare: number;
  /** Extra kprofefe arguments. */
  passthrough: string[];
  /** Profile types per pod: 6 by default, else as many as a passed --profile-types names. */
  profileTypeCount: number;
  /** Extra arguments for the node process running kprofefe (e.g. --cpu-prof). */
  nodeArgs: string[];
  /** Runs per pod count (the machine is shared: repeat to see the spread). */
  repeat: number;
  /** Preload bench/kprofefe-probe.mjs: memory by kind at the peak, main-thread busy time, GC. */
  probe: boolean;
  /** Run kprofefe as plain `node bin/kprofefe.js`, without the image's environment and node options. */
  plainNode: boolean;
  /** Another build of bin/kprofefe.js to measure (e.g. a patched copy), default this checkout's. */
  kprofefeBin: string | undefined;
  /** Pods serve HTTPS (a CA made by openssl, one certificate for pprof.bench); kprofefe gets --target-ca-file and --target-server-name. */
  https: boolean;
  help: boolean;
}

export const W1_USAGE = `usage: npm run bench -- [--bench-pods 100,1000,5000] [--cpu-duration 10s] [--large-heap-share 0.1] [--repeat 1] [--probe] [kprofefe flags...]

  --bench-pods LIST        pod counts to run, one kprofefe run each (default 100,1000,5000)
  --cpu-duration DUR       CPU profile duration, passed to kprofefe and honoured by the fake pods (default 10s)
  --large-heap-share F     share of pods whose heap profile is the 3.8 MB heap-large fixture (default 0.1)
  --repeat N               run each pod count N times (default 1; the machine is shared, so figures vary)
  --probe                  preload bench/kprofefe-probe.mjs into kprofefe: memory by kind at its peak, main-thread busy time, GC time
  --plain-node             run plain \`node bin/kprofefe.js\`; by default kprofefe runs as the image runs it (the Dockerfile's ENV and node options)
  --kprofefe-bin PATH      measure another build of bin/kprofefe.js (e.g. a patched copy) instead of this checkout's
  --node-arg ARG           option for the node process running kprofefe, repeatable (e.g. --node-arg=--cpu-prof)
  --https                  pods serve HTTPS (profefe.com/scheme: https), verified with a CA made for the run
  any other argument       passed to kprofefe, e.g. --concurrency 64 --cpu-concurrency 2048 --log-level debug
`;

const MAX_PODS = 20_000;

export function parseW1Args(argv: readonly string[]): W1Args {
  const result: W1Args = {
    podCounts: [100, 1_000, 5_000],
    cpuDuration: '10s',
    cpuSeconds: 10,
    largeHeapShare: 0.1,
    passthrough: [],
    profileTypeCount: DEFAULT_PROFILE_TYPES.length,
    nodeArgs: [],
    repeat: 1,
    probe: false,
    plainNode: false,
    kprofefeBin: undefined,
    https: false,
    help: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const [name, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = (): string => {
      if (inline !== undefined) return inline;
      const next = argv[i + 1];
      if (next === undefined) throw new Error(`${name} needs a value\n${W1_USAGE}`);
      i += 1;
      return next;
    };
    switch (name) {
      case '--bench-pods':
        result.podCounts = parsePodCounts(value());
        break;
      case '--cpu-duration':
        result.cpuDuration = value();
        result.cpuSeconds = parseSeconds(result.cpuDuration);
        break;
      case '--large-heap-share': {
        const text = value();
        const share = Number(text);
        if (!(share >= 0 && share <= 1)) throw new Error(`--large-heap-share "${text}": expected a number from 0 to 1`);
        result.largeHeapShare = share;
        break;
      }
      case '--node-arg':
        result.nodeArgs.push(value());
        break;
      case '--repeat': {
        const text = value();
        const n = Number(text);
        if (!Number.isInteger(n) || n < 1 || n > 10) throw new Error(`--repeat "${text}": expected a whole number from 1 to 10`);
        result.repeat = n;
        break;
      }
      case '--probe':
        result.probe = true;
        break;
      case '--plain-node':
        result.plainNode = true;
        break;
      case '--https':
        result.https = true;
        break;
      case '--kprofefe-bin':
        result.kprofefeBin = value();
        break;
      case '--help':
      case '-h':
        result.help = true;
        break;
      case '--':
        break;
      default:
        result.passthrough.push(arg);
        if (name === '--profile-types') {
          const list = inline ?? argv[i + 1] ?? '';
          const parsed = parseProfileTypeList(list);
          if ('types' in parsed) result.profileTypeCount = parsed.types.length;
        }
    }
  }
  return result;
}

function parsePodCounts(text: string): number[] {
  const counts = text.split(',').map((part) => {
    const n = Number(part.trim().replace(/_/g, ''));
    if (!Number.isInteger(n) || n < 1 || n > MAX_PODS) throw new Error(`--bench-pods "${text}": expected pod counts from 1 to ${MAX_PODS}, comma separated`);
    return n;
  });
  return counts;
}

/** Whole seconds of a Go duration (kprofefe's own parser; CPU profiles take whole seconds). */
function parseSeconds(text: string): number {
  let ms: number;
  try {
    ms = parseGoDuration(text);
  } catch (err) {
    throw new Error(`--cpu-duration "${text}": ${(err as Error).message}; expected a duration such as 10s or 1m`);
  }
  if (ms < 1000 || ms % 1000 !== 0) throw new Error(`--cpu-duration "${text}": expected whole seconds, at least 1s`);
  return ms / 1000;
}
