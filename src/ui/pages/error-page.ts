/** A page that could not be shown: the message, and while the source is unavailable, a reload every few seconds until it is back. */
import type { UiFailure } from '../errors.js';
import { html } from '../html.js';
import { notice, page } from './layout.js';
import type { PageResult } from './page-context.js';

export const RETRY_SECONDS = 3;

export function errorPage(failure: UiFailure): PageResult {
  const title =
    failure.kind === 'unavailable'
      ? 'The profile source is not answering'
      : failure.kind === 'bad-request'
        ? 'This link cannot be shown'
        : 'These profiles cannot be shown';
  const retry =
    failure.kind === 'unavailable'
      ? html`<p class="retry">Trying again every ${RETRY_SECONDS} seconds; this page comes back by itself when the source answers.</p>`
      : '';
  return {
    status: failure.status,
    body: page(title, html`${notice('error', html`<span class="error-message">${failure.message}</span>`)}${retry}`, {
      refreshSeconds: failure.kind === 'unavailable' ? RETRY_SECONDS : undefined,
    }),
  };
}
