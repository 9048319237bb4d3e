import type { ProfileType } from '../profile-types.js';
import type { TargetScheme } from './annotations.js';

/** The facts about a pod that targets and labels are built from. */
export interface PodInfo {
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
  /** `status.podIP`: the only address the scraper ever connects to. */
  readonly ip: string;
  readonly node: string | undefined;
  /** The owning workload (ReplicaSet resolved to its Deployment), when there is one. */
  readonly workload: { readonly kind: string; readonly name: string } | undefined;
}

/** One pod × one profile type: everything needed to fetch a profile and store it. */
export interface Target {
  readonly pod: PodInfo;
  readonly type: ProfileType;
  /** Service name the profile is stored under. */
  readonly service: string;
  /** http, or https (TLS to the pod IP): the profefe.com/scheme annotation, else --target-scheme. */
  readonly scheme: TargetScheme;
  /** The pod port the profile is fetched from (on `pod.ip`, or through a transport's forward). */
  readonly port: number;
  /** The request path: `<prefix>/<endpoint>[?seconds=N]`. */
  readonly path: string;
  /** `<scheme>://<podIP>:<port><path>`: for messages and dry runs; fetching uses `port` and `path`. */
  readonly url: string;
  /** For window profiles (cpu, allocs, block, mutex): how long the pod profiles, in seconds (`?seconds=N`). */
  readonly seconds: number | undefined;
  /** Labels pushed with the profile: namespace, pod, node, workload, extra labels. */
  readonly labels: Readonly<Record<string, string>>;
}

/** `namespace/name`: how messages and maps name a pod. */
export const podKey = (pod: Pick<PodInfo, 'namespace' | 'name'>): string => `${pod.namespace}/${pod.name}`;
