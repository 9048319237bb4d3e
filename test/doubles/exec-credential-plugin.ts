import { writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * A kubeconfig `exec` credential plugin (client.authentication.k8s.io/v1beta1): a Node script that
 * prints an ExecCredential with the token it is given in its environment, like
 * `aws eks get-token` or `gke-gcloud-auth-plugin` print theirs. Returns the kubeconfig `exec` entry.
 */
export async function writeExecCredentialPlugin(dir: string, token: string): Promise<Record<string, unknown>> {
  const script = path.join(dir, 'exec-credential-plugin.mjs');
  await writeFile(
    script,
    `process.stdout.write(JSON.stringify({ apiVersion: 'client.authentication.k8s.io/v1beta1', kind: 'ExecCredential', status: { token: process.env.FAKE_EXEC_TOKEN } }));\n`,
  );
  return {
    apiVersion: 'client.authentication.k8s.io/v1beta1',
    command: process.execPath,
    args: [script],
    env: [{ name: 'FAKE_EXEC_TOKEN', value: token }],
    interactiveMode: 'Never',
  };
}
