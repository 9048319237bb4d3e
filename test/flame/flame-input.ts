/** What the flame tests draw: a fixture or a synthetic pprof-format Profile, read as the plugin reads profiles (flame-profile.ts). */
import type { Profile } from 'pprof-format';
import { type FlameProfile, readFlameProfile } from '../../src/flame/flame-profile.js';
import { fixture, type PprofFixtureName } from '../doubles/fixtures.js';

export function fixtureFlame(name: PprofFixtureName): FlameProfile {
  return readFlameProfile(fixture(name), `${name}.pb.gz`);
}

export function profileFlame(profile: Profile): FlameProfile {
  return readFlameProfile(profile.encode(), 'synthetic profile');
}
