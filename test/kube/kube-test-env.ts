import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import type { KubeAccess } from '../../src/kube/kube-access.js';
import { startFakeKubeApi, type FakeKubeApi, type FakeKubeApiOptions } from '../doubles/fake-kube-api.js';

/**
 * Per test: a temporary directory, at most one fake Kubernetes API and the accesses loaded
 * against it, all closed and removed after the test.
 */
export function useKubeTestEnv(prefix: string) {
  let dir = '';
  let api: FakeKubeApi | undefined;
  const accesses: KubeAccess[] = [];

  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  });
  afterEach(async () => {
    await Promise.all(accesses.splice(0).map((a) => a.close()));
    await api?.close();
    api = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  return {
    get dir(): string {
      return dir;
    },
    async startApi(opts: FakeKubeApiOptions = {}): Promise<FakeKubeApi> {
      api = await startFakeKubeApi(opts);
      return api;
    },
    /** Stops the fake API now (a test of an unreachable server). */
    async closeApi(): Promise<void> {
      await api?.close();
      api = undefined;
    },
    track(access: KubeAccess): KubeAccess {
      accesses.push(access);
      return access;
    },
  };
}
