/**
 * A certificate authority made per test with the real `openssl` (a checked prerequisite): a CA
 * certificate, and server certificates it signs for given DNS names and IP addresses, as a
 * cluster's cert-manager or a service mesh would issue them. Everything lives in a temp dir.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface Issued {
  readonly cert: string;
  readonly key: string;
  readonly certFile: string;
  readonly keyFile: string;
}

export interface TestCa extends Issued {
  readonly dir: string;
  /** A server certificate signed by this CA, for `dns` names and `ips` (subjectAltName), valid `days` (default 10; -1: expired a day ago). */
  issue(name: string, san: { dns?: readonly string[]; ips?: readonly string[]; days?: number }): Promise<Issued>;
}

/** Arguments without spaces, written as one line. */
const words = (line: string): string[] => line.split(' ');

async function openssl(args: readonly string[], cwd: string): Promise<void> {
  await run('openssl', args, { cwd });
}

async function issued(dir: string, name: string): Promise<Issued> {
  const certFile = join(dir, `${name}.crt`);
  const keyFile = join(dir, `${name}.key`);
  return { cert: await readFile(certFile, 'utf8'), key: await readFile(keyFile, 'utf8'), certFile, keyFile };
}

/** A new CA (P-256, valid 10 days) named `commonName`. */
export async function makeTestCa(commonName = 'kube-profefe test CA'): Promise<TestCa> {
  const dir = await mkdtemp(join(tmpdir(), 'test-ca-'));
  const extensions = ['-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'];
  await openssl(
    [...words('req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 10 -keyout ca.key -out ca.crt'), '-subj', `/CN=${commonName}`, ...extensions],
    dir,
  );
  const ca = await issued(dir, 'ca');
  return {
    ...ca,
    dir,
    issue: async (name, san) => {
      const names = [...(san.dns ?? []).map((d) => `DNS:${d}`), ...(san.ips ?? []).map((ip) => `IP:${ip}`)];
      await writeFile(
        join(dir, `${name}.ext`),
        `basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=${names.join(',')}\n`,
      );
      await openssl(
        [...words(`req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ${name}.key -out ${name}.csr`), '-subj', `/CN=${name}`],
        dir,
      );
      await openssl(
        words(`x509 -req -in ${name}.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days ${san.days ?? 10} -extfile ${name}.ext -out ${name}.crt`),
        dir,
      );
      return issued(dir, name);
    },
  };
}
