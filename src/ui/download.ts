/** /download: the merged profile of a view as a .pb.gz file (what the page's go tool pprof command opens). */
import type { PageContext } from './pages/page-context.js';
import { downloadName } from './pages/view-parts.js';
import { sourceQuery, viewParams } from './view-params.js';

export async function downloadResponse(ctx: PageContext): Promise<{ bytes: Buffer; file: string } | undefined> {
  const view = viewParams(ctx.url.searchParams);
  const outcome = await ctx.backend.merge(sourceQuery(view, ctx.backend.now()), ctx.signal);
  if (outcome.bytes === undefined) return undefined;
  return { bytes: outcome.bytes, file: downloadName(view) };
}
