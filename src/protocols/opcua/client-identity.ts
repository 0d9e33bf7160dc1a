// The harness's own OPC UA application instance certificate (what it presents on secure channels).

import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { writeSelfSignedAppCertificate } from './app-certificate.js';

export interface ClientIdentity {
  certificateFile: string;
  privateKeyFile: string;
  /** Must equal the URI in the certificate's SAN; servers check it at CreateSession. */
  applicationUri: string;
}

/**
 * Creates a fresh self-signed RSA-2048/SHA-256 application certificate under pkiDir/identity-<id>/.
 * Each call makes a new key pair, so a new identity is one no server has seen before.
 */
export async function createClientIdentity(
  pkiDir: string,
  opts: { applicationUri?: string; subject?: string } = {},
): Promise<ClientIdentity> {
  const id = randomUUID().slice(0, 8);
  const applicationUri = opts.applicationUri ?? `urn:otconform:harness:${id}`;
  const dir = join(pkiDir, `identity-${id}`);
  const files = await writeSelfSignedAppCertificate(
    {
      applicationUri,
      commonName: opts.subject ?? `otconform harness ${id}`,
      organization: 'otconform',
      keyBits: 2048,
      signatureHash: 'sha256',
      dnsNames: ['localhost'],
    },
    { certificateFile: join(dir, 'certificate.pem'), privateKeyFile: join(dir, 'private_key.pem') },
  );
  return { certificateFile: files.certificateFile, privateKeyFile: files.privateKeyFile, applicationUri };
}
