// otconform's own OPC UA application certificate: created once per PKI folder and reused, because a real
// device's administrator adds it to the device's trust list and it must not change between runs.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir, hostname } from 'node:os';
import { join } from 'node:path';
import { writeSelfSignedAppCertificate } from './opcua/app-certificate.js';
import type { ClientIdentity } from './opcua/index.js';

export function defaultPkiDir(): string {
  return process.env.OTCONFORM_PKI ?? join(homedir(), '.config', 'otconform', 'pki');
}

export async function ensureHarnessIdentity(pkiDir: string): Promise<ClientIdentity & { created: boolean }> {
  const dir = join(pkiDir, 'harness');
  const meta = join(dir, 'identity.json');
  if (existsSync(meta)) {
    const identity = JSON.parse(readFileSync(meta, 'utf8')) as ClientIdentity;
    if (existsSync(identity.certificateFile) && existsSync(identity.privateKeyFile)) return { ...identity, created: false };
  }
  const applicationUri = `urn:otconform:harness:${hostname()}`;
  const files = await writeSelfSignedAppCertificate(
    { applicationUri, commonName: 'otconform', organization: 'otconform', keyBits: 2048, signatureHash: 'sha256', dnsNames: [hostname(), 'localhost'], validityDays: 825 },
    { certificateFile: join(dir, 'certificate.pem'), privateKeyFile: join(dir, 'private_key.pem') },
  );
  const identity: ClientIdentity = { certificateFile: files.certificateFile, privateKeyFile: files.privateKeyFile, applicationUri };
  writeFileSync(meta, `${JSON.stringify(identity, null, 2)}\n`);
  return { ...identity, created: true };
}
