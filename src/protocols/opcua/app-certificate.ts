// Self-signed OPC UA application instance certificates (Part 6 §6.2.2), made with node-forge.
// We make them ourselves rather than through node-opcua's certificate manager because we need
// control over key size and signature hash: the weak simulator must present a deliberately
// weak certificate (RSA 1024 / SHA-1), which node-opcua never generates.
// Keys come from node:crypto (native, fast); forge only assembles and signs the X.509 structure.

import { generateKeyPair, randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { promisify } from 'node:util';
import forge from 'node-forge';

const generateKeyPairAsync = promisify(generateKeyPair);

export type CertificateSignatureHash = 'sha1' | 'sha256';

export interface AppCertificateSpec {
  applicationUri: string;
  /** Common name of the subject (and issuer: the certificate is self-signed). */
  commonName: string;
  organization?: string;
  keyBits: number;
  signatureHash: CertificateSignatureHash;
  dnsNames?: string[];
  ipAddresses?: string[];
  validityDays?: number;
}

export interface AppCertificateFiles {
  certificateFile: string;
  privateKeyFile: string;
  certificateDer: Buffer;
}

/** Creates the key pair and certificate and writes both as PEM (key unencrypted: test material only). */
export async function writeSelfSignedAppCertificate(
  spec: AppCertificateSpec,
  files: { certificateFile: string; privateKeyFile: string },
): Promise<AppCertificateFiles> {
  const { publicKey, privateKey } = await generateKeyPairAsync('rsa', {
    modulusLength: spec.keyBits,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  const cert = buildCertificate(spec, publicKey, privateKey);
  const certificatePem = forge.pki.certificateToPem(cert);
  await mkdir(dirname(files.certificateFile), { recursive: true });
  await mkdir(dirname(files.privateKeyFile), { recursive: true });
  await writeFile(files.certificateFile, certificatePem);
  await writeFile(files.privateKeyFile, privateKey, { mode: 0o600 });
  const certificateDer = Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(cert)).getBytes(), 'binary');
  return { ...files, certificateDer };
}

function buildCertificate(spec: AppCertificateSpec, publicKeyPem: string, privateKeyPem: string): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKeyPem);
  // Positive serial: a leading 0x01 byte keeps the DER INTEGER from being read as negative.
  cert.serialNumber = `01${randomBytes(15).toString('hex')}`;
  const notBefore = new Date(Date.now() - 60_000); // tolerate small clock skew between client and server
  const notAfter = new Date(notBefore.getTime() + (spec.validityDays ?? 365) * 86_400_000);
  cert.validity.notBefore = notBefore;
  cert.validity.notAfter = notAfter;
  const subject = [{ name: 'commonName', value: spec.commonName }];
  if (spec.organization) subject.push({ name: 'organizationName', value: spec.organization });
  cert.setSubject(subject);
  cert.setIssuer(subject);
  const altNames: Array<{ type: number; value?: string; ip?: string }> = [
    { type: 6, value: spec.applicationUri }, // URI: OPC UA peers match it against the ApplicationDescription
    ...(spec.dnsNames ?? []).map((value) => ({ type: 2, value })),
    ...(spec.ipAddresses ?? []).map((ip) => ({ type: 7, ip })),
  ];
  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    // keyCertSign: Part 6 asks self-signed application certificates to be able to verify themselves.
    {
      name: 'keyUsage',
      critical: true,
      digitalSignature: true,
      nonRepudiation: true,
      keyEncipherment: true,
      dataEncipherment: true,
      keyCertSign: true,
    },
    { name: 'extKeyUsage', serverAuth: true, clientAuth: true },
    { name: 'subjectAltName', altNames },
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: true },
  ]);
  const md = spec.signatureHash === 'sha1' ? forge.md.sha1.create() : forge.md.sha256.create();
  cert.sign(forge.pki.privateKeyFromPem(privateKeyPem) as forge.pki.rsa.PrivateKey, md);
  return cert;
}
