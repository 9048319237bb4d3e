/** The flags of bench/merge.ts. */
export interface MergeBenchArgs {
  /** N for our merge: N copies of the fixture. */
  copies: number[];
  /** N for go tool pprof -proto (it needs minutes and gigabytes per ten copies). */
  goCopies: number[];
  goDeadlineSeconds: number;
  goMaxRssMiB: number;
  /** downloadAndFold's concurrency in our merge process. */
  concurrency: number;
  repeat: number;
  fixture: string;
  verify: boolean;
  help: boolean;
}

export const MERGE_BENCH_USAGE = `node --import tsx bench/merge.ts [flags]   (npm run bench:merge -- [flags] builds dist/ first)
  --copies 10,120         N for our merge (N copies of the fixture), default 10,120
  --go-copies 10,30       N for go tool pprof -proto, default 10,30
  --go-deadline 900       seconds before a go run is killed, default 900
  --go-max-rss-mib 12288  RSS at which a go run is killed, default 12288
  --concurrency 4         profiles read at once by our merge, default 4
  --repeat 1              runs of each
  --fixture PATH          default test/fixtures/pprof/heap-large.pb.gz
  --no-verify             skip comparing our output with go's (go tool pprof -top per sample type)
`;

export function parseMergeBenchArgs(argv: readonly string[]): MergeBenchArgs {
  const args: MergeBenchArgs = {
    copies: [10, 120],
    goCopies: [10, 30],
    goDeadlineSeconds: 900,
    goMaxRssMiB: 12288,
    concurrency: 4,
    repeat: 1,
    fixture: 'test/fixtures/pprof/heap-large.pb.gz',
    verify: true,
    help: false,
  };
  const list = (value: string | undefined): number[] =>
    (value ?? '')
      .split(',')
      .filter((s) => s !== '')
      .map(positive);
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i]!.split('=', 2) as [string, string | undefined];
    const value = (): string => inline ?? argv[++i] ?? '';
    if (flag === '--copies') args.copies = list(value());
    else if (flag === '--go-copies') args.goCopies = list(value());
    else if (flag === '--go-deadline') args.goDeadlineSeconds = positive(value());
    else if (flag === '--go-max-rss-mib') args.goMaxRssMiB = positive(value());
    else if (flag === '--concurrency') args.concurrency = positive(value());
    else if (flag === '--repeat') args.repeat = positive(value());
    else if (flag === '--fixture') args.fixture = value();
    else if (flag === '--no-verify') args.verify = false;
    else if (flag === '--help' || flag === '-h') args.help = true;
    else throw new Error(`unknown flag ${flag}\n${MERGE_BENCH_USAGE}`);
  }
  return args;
}

function positive(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`expected a positive integer, got ${JSON.stringify(text)}`);
  return n;
}
