/**
 * kprofefe's transport: every request goes to the pod's own IP (`status.podIP`), nothing else.
 * Pods are many origins used once per run: a pod's profiles may share a connection, but idle
 * ones close after a second (the agent's `timeout` only destroys free sockets), so a large run
 * does not hold thousands of sockets open.
 */
import { Agent } from 'node:http';
import type { PodConnection, Transport } from '../run/transport.js';

export function directTransport(): Transport {
  const agent = new Agent({ keepAlive: true, keepAliveMsecs: 1000, timeout: 1000, maxFreeSockets: 1 });
  const connection: PodConnection = { agent };
  return {
    connect: async () => connection,
    release: async () => {},
    close: async () => {
      agent.destroy();
    },
  };
}
