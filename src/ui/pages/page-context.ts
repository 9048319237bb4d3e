/** What a page handler gets, and what it returns. */
import type { UiBackend } from '../backend.js';
import type { SafeHtml } from '../html.js';

export interface PageContext {
  readonly backend: UiBackend;
  readonly url: URL;
  /** `http://127.0.0.1:PORT`: for the links printed as commands (go tool pprof). */
  readonly origin: string;
  /** Aborted when the browser goes away. */
  readonly signal: AbortSignal;
}

export interface PageResult {
  readonly status: number;
  readonly body: SafeHtml;
}
