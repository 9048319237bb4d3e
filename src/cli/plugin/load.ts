/**
 * `kubectl profefe load FILE...`: uploads local pprof files to the collector. Each file is checked
 * (readable, a pprof profile with samples, a known type) and uploaded on its own: a bad file is
 * reported with its name and what to do, and the others are still uploaded.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Command } from 'commander';
import { EXIT_OK, EXIT_PARTIAL } from '../../exit-codes.js';
import { renderList, type Column } from '../../output/render.js';
import { decodeCheckedProfile, type Profile } from '../../pprof/decode-profile.js';
import { detectProfileType } from '../../pprof/detect-type.js';
import { checkProfile, InvalidProfileError } from '../../pprof/valid-profile.js';
import { encodeLabels, labelsToRecord } from '../../profefe/labels.js';
import type { ProfefeClient, ProfileItem } from '../../profefe/profefe-client.js';
import { ProfefeError } from '../../profefe/profefe-error.js';
import { PROFILE_TYPE_SPECS, type CollectorType } from '../../profile-types.js';
import { UsageError } from '../usage-error.js';
import { setAction } from './action.js';
import { withCollector } from './collector-connect.js';
import { addCollectorOptions, type CollectorFlags } from './collector-options.js';
import type { PluginIo } from './context.js';
import { addOutputOption, outputFormat } from './output-format.js';
import { labelsFlag, mergeLabels, typeFlag } from './query-options.js';

const FORMATS = ['table', 'wide', 'json', 'yaml'] as const;

export interface LoadedFile {
  readonly file: string;
  readonly id: string;
  readonly type: string;
  readonly service: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly created_at: string;
  readonly url: string;
}

const COLUMNS: readonly Column<LoadedFile>[] = [
  { header: 'file', value: (f) => f.file },
  { header: 'id', value: (f) => f.id },
  { header: 'type', value: (f) => f.type },
  { header: 'url', value: (f) => f.url },
];
const WIDE_COLUMNS: readonly Column<LoadedFile>[] = [
  { header: 'labels', value: (f) => (Object.keys(f.labels).length === 0 ? '<none>' : encodeLabels(f.labels)) },
];

interface Flags extends CollectorFlags {
  service?: string;
  type?: string;
  labels?: string;
  output: string;
}

interface UploadPlan {
  readonly service: string;
  /** From --type; undefined: detected per file. */
  readonly forced: { readonly name: string; readonly type: CollectorType; readonly labels: Readonly<Record<string, string>> } | undefined;
  readonly labels: Readonly<Record<string, string>>;
}

/** A file that could not be uploaded; the message starts with the file name. */
class FileFailure extends Error {}

export function loadCommand(): Command {
  const command = new Command('load')
    .description('Upload local pprof files (gzipped or not) to the collector')
    .argument('<files...>', 'pprof profile files, e.g. as saved by go tool pprof or curl /debug/pprof/heap')
    .option('--service <name>', 'service to store the profiles under (required)')
    .option('--type <type>', 'profile type of every file (default: read from each profile)')
    .option('--labels <k=v,...>', 'labels to store with every profile, e.g. env=staging,version=1.2')
    .addHelpText(
      'after',
      `
Each uploaded file is listed with its id and download URL on stdout (through the API server's
service proxy: the API path, for kubectl get --raw). A file that cannot be uploaded (missing,
empty, not pprof, refused by the collector) is reported on stderr, the others are still uploaded,
and the exit status is 1.

Examples:
  kubectl profefe load cpu.pb.gz heap.pb.gz --service api
  kubectl profefe load allocs.pb.gz --service api --labels env=staging -o json`,
    );
  addOutputOption(command, FORMATS, 'table');
  addCollectorOptions(command);
  return setAction(command, async (cmd, { io }) => {
    const flags = cmd.opts<Flags>();
    const output = outputFormat(flags.output, FORMATS);
    const plan = uploadPlan(flags);
    const { loaded, failed, stoppedBy } = await withCollector(cmd, io, (client) => uploadFiles(cmd.args, plan, client, io));
    if (loaded.length > 0 || stoppedBy === undefined) io.stdout.write(renderList(loaded, { output, columns: COLUMNS, wideColumns: WIDE_COLUMNS }));
    if (stoppedBy !== undefined) throw stoppedBy;
    if (failed > 0) {
      io.stderr.write(`${loaded.length} of ${cmd.args.length} files uploaded, ${failed} failed\n`);
      return EXIT_PARTIAL;
    }
    return EXIT_OK;
  });
}

interface UploadOutcome {
  readonly loaded: LoadedFile[];
  readonly failed: number;
  /** A failure that is not one file's (the API server refused the upload): it stops the load, what was uploaded is still listed. */
  readonly stoppedBy: unknown;
}

/** Uploads the files one by one; a file that cannot be uploaded is reported on stderr and the others go on. */
async function uploadFiles(files: readonly string[], plan: UploadPlan, client: ProfefeClient, io: PluginIo): Promise<UploadOutcome> {
  const loaded: LoadedFile[] = [];
  let failed = 0;
  for (const file of files) {
    if (io.signal?.aborted) break;
    try {
      loaded.push(await loadFile(file, plan, client, io));
    } catch (err) {
      if (!(err instanceof FileFailure)) return { loaded, failed, stoppedBy: err };
      failed++;
      io.stderr.write(`error: ${err.message}\n`);
    }
  }
  return { loaded, failed, stoppedBy: undefined };
}

function uploadPlan(flags: Flags): UploadPlan {
  const service = flags.service?.trim() ?? '';
  if (service === '') throw new UsageError('--service is required: the collector stores every profile under a service name');
  const labels = labelsFlag(flags.labels);
  if (flags.type === undefined) return { service, forced: undefined, labels };
  const selected = typeFlag(flags.type, false);
  return { service, forced: { name: flags.type.trim().toLowerCase(), ...selected }, labels: mergeLabels(labels, selected.labels) };
}

async function loadFile(file: string, plan: UploadPlan, client: ProfefeClient, io: PluginIo): Promise<LoadedFile> {
  const bytes = await readProfileFile(file, io);
  let profile: Profile;
  try {
    profile = await uploadableProfile(bytes, file);
  } catch (err) {
    if (err instanceof InvalidProfileError) throw new FileFailure(`${err.message}; it was not uploaded`);
    throw err;
  }
  const detected = detectProfileType(profile);
  let type: CollectorType;
  let labels = plan.labels;
  if (plan.forced) {
    type = plan.forced.type;
    if (detected !== undefined && PROFILE_TYPE_SPECS[detected].collectorType !== type) {
      io.stderr.write(`warning: ${file} looks like a ${detected} profile; uploading it as --type ${plan.forced.name}\n`);
    }
  } else {
    if (detected === undefined) {
      throw new FileFailure(
        `${file}: cannot tell the profile type from its sample types; give it with --type (see "kubectl profefe get profile-types"); it was not uploaded`,
      );
    }
    const spec = PROFILE_TYPE_SPECS[detected];
    type = spec.collectorType;
    try {
      labels = mergeLabels(plan.labels, spec.collectorLabels);
    } catch (err) {
      if (err instanceof UsageError) throw new FileFailure(`${file} is a ${detected} profile: ${err.message}; it was not uploaded`);
      throw err;
    }
  }
  let item: ProfileItem;
  try {
    item = await client.upload(bytes, { service: plan.service, type, labels }, { signal: io.signal });
  } catch (err) {
    if (err instanceof ProfefeError) throw new FileFailure(`${file}: ${err.message}`);
    throw err;
  }
  return {
    file,
    id: item.id,
    type: item.type,
    service: item.service,
    labels: labelsToRecord(item.labels),
    created_at: item.created_at,
    url: client.profileUrl(item.id),
  };
}

/**
 * The profile in a file to upload: the check the scraper runs on every body it fetches (the same
 * rules, refusing with the same reasons), then pprof-format decodes it to tell its type. Throws
 * InvalidProfileError.
 */
export async function uploadableProfile(bytes: Uint8Array, file: string, options: { maxInflatedBytes?: number } = {}): Promise<Profile> {
  await checkProfile(bytes, { subject: { kind: 'named', name: file }, maxInflatedBytes: options.maxInflatedBytes });
  return decodeCheckedProfile(bytes, file);
}

async function readProfileFile(file: string, io: PluginIo): Promise<Buffer> {
  try {
    return await readFile(resolve(io.cwd ?? process.cwd(), file));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'no such file; check the path'
        : code === 'EISDIR'
          ? 'is a directory; name the profile files in it'
          : code === 'EACCES'
            ? 'permission denied; check the file mode'
            : `cannot be read (${code ?? (err as Error).message})`;
    throw new FileFailure(`${file}: ${why}; it was not uploaded`);
  }
}
