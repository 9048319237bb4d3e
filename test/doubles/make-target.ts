import type { Target } from '../../src/discover/target.js';
import type { ProfileType } from '../../src/profile-types.js';
import type { ScrapedProfile } from '../../src/scrape/scraped-profile.js';

/** A Target as podTargets builds it, for tests of the stages after discovery. */
export function makeTarget(type: ProfileType, overrides: { ip?: string; url?: string; seconds?: number; labels?: Record<string, string> } = {}): Target {
  const ip = overrides.ip ?? '127.0.0.1';
  return {
    pod: { namespace: 'shop', name: 'checkout-7d9f', uid: 'uid-1', ip, node: 'node-a', workload: { kind: 'Deployment', name: 'checkout' } },
    type,
    service: 'checkout',
    ...location(overrides.url ?? `http://${ip}:6060/debug/pprof/${type}`),
    seconds: overrides.seconds,
    labels: { namespace: 'shop', pod: 'checkout-7d9f', ...overrides.labels },
  };
}

export function scrapedProfile(type: ProfileType, body: Buffer, labels?: Record<string, string>): ScrapedProfile {
  return { target: makeTarget(type, { labels }), body, scrapedAt: new Date() };
}

/** The scheme, port, path and URL of a target fetched from `url`. */
function location(url: string): Pick<Target, 'scheme' | 'port' | 'path' | 'url'> {
  const parsed = new URL(url);
  const scheme = parsed.protocol === 'https:' ? 'https' : 'http';
  return { scheme, port: Number(parsed.port || (scheme === 'https' ? 443 : 80)), path: `${parsed.pathname}${parsed.search}`, url };
}
