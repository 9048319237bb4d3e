/**
 * The `Authorization` header sent to Pyroscope (--pyroscope-basic-auth-file or
 * --pyroscope-bearer-token-file), held so that it cannot leak by accident: printing, logging,
 * JSON or string interpolation shows `[redacted]`; only `header()` reveals it.
 */
import { inspect } from 'node:util';

export class PyroscopeAuth {
  readonly #header: string;

  private constructor(
    header: string,
    /** `basic` or `bearer`: safe to show. */
    readonly kind: 'basic' | 'bearer',
  ) {
    this.#header = header;
  }

  /** Grafana Cloud's form: the instance id as username, an access token as password. */
  static basic(username: string, password: string): PyroscopeAuth {
    return new PyroscopeAuth(`Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`, 'basic');
  }

  static bearer(token: string): PyroscopeAuth {
    return new PyroscopeAuth(`Bearer ${token}`, 'bearer');
  }

  header(): string {
    return this.#header;
  }

  toString(): string {
    return `[redacted ${this.kind} auth]`;
  }

  toJSON(): string {
    return this.toString();
  }

  [inspect.custom](): string {
    return this.toString();
  }
}
