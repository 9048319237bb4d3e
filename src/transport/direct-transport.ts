/**
 * kprofefe's transport: every request goes to the pod's own IP (`status.podIP`), nothing else.
 * Pods are many origins used once per run: a pod's profiles may share a connection, but idle
 * ones close after a second (the agent's `timeout` only destroys free sockets), so a large run
 * does not hold thousands of sockets open. HTTPS targets go through an https.Agent with the
 * run's CA, server name and verification (src/transport/target-access.ts), still to the pod IP.
 */
import { Agent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { Target } from '../discover/target.js';
import type { PodConnection, Transport } from '../run/transport.js';
import { httpsAgentOptions, PLAIN_TARGET_ACCESS, targetHeaders, type TargetAccess } from './target-access.js';

const POOL = { keepAlive: true, keepAliveMsecs: 1000, timeout: 1000, maxFreeSockets: 1 } as const;

export function directTransport(access: TargetAccess = PLAIN_TARGET_ACCESS): Transport {
  const agent = new Agent(POOL);
  const httpsAgent = new HttpsAgent({ ...POOL, ...httpsAgentOptions(access.tls) });
  const plain: PodConnection = { agent };
  const secure: PodConnection = { agent: httpsAgent, headers: targetHeaders({ scheme: 'https' }, access) };
  return {
    connect: async (target: Target) => (target.scheme === 'https' ? secure : plain),
    release: async () => {},
    close: async () => {
      agent.destroy();
      httpsAgent.destroy();
    },
  };
}
