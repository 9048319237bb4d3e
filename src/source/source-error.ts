/**
 * A source that cannot be used, in words a person can act on: the message names the directory or
 * file and what to do. `kind` says what the front end makes of it: `unavailable` (the source itself
 * cannot be opened: a missing or unreadable directory; a configuration mistake), `unreadable` (a
 * stored profile cannot be read for another reason than being gone), `bad-id` (an id that is not
 * one of the source's: a path out of the directory, a name that is not a stored profile's).
 */
export type SourceErrorKind = 'unavailable' | 'unreadable' | 'bad-id';

export class SourceError extends Error {
  override readonly name = 'SourceError';
  constructor(
    readonly kind: SourceErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
