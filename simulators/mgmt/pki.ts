// Key material of the management services, created once in the PKI folder and reused across restarts:
// SSH host keys, and the HTTPS certificate (weak: self-signed RSA-1024 with a SHA-1 signature; hardened:
// the PLC device CA's RSA-2048/SHA-256 server certificate from simulators/modbus-plc/pki.ts).
// Each file is written to a temporary name and renamed into place, so two simulators starting at once
// never see half a file; a key and its certificate live in one file so they cannot mismatch.
//
//   <dir>/mgmt-ssh-host-<type>[-<bits>].key   <dir>/mgmt-web-selfsigned.pem (key + cert)   <dir>/mgmt-web-selfsigned.cert.pem

import { generateKeyPair, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { link, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import forge from 'node-forge';
import ssh2 from 'ssh2';
import { ensurePlcPki, readServerCredentials } from '../modbus-plc/pki.js';
import { PLC_ROLES } from '../modbus-plc/presets.js';
import type { SshBehaviour, WebTls } from './presets.js';

const { utils: sshUtils } = ssh2;
const generateKeyPairAsync = promisify(generateKeyPair);

export interface HostKeyFile {
  type: 'rsa' | 'ed25519';
  file: string;
  pem: string;
}

export interface WebCredentials {
  key: string;
  cert: string;
  /** The CA that issued cert (for the self-signed one: the certificate itself). */
  caFile: string;
}

/** The SSH host keys the preset asks for, created on first use. */
export async function ensureHostKeys(dir: string, keys: SshBehaviour['hostKeys']): Promise<HostKeyFile[]> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const out: HostKeyFile[] = [];
  for (const k of keys) {
    const file = join(dir, `mgmt-ssh-host-${k.type}${k.type === 'rsa' ? `-${k.bits ?? 3072}` : ''}.key`);
    if (!existsSync(file)) await publishOnce(file, await newHostKey(k.type, k.bits ?? 3072));
    out.push({ type: k.type, file, pem: await readFile(file, 'utf8') });
  }
  return out;
}

async function newHostKey(type: 'rsa' | 'ed25519', bits: number): Promise<string> {
  if (type === 'ed25519') return sshUtils.generateKeyPairSync('ed25519').private; // OpenSSH format; fast
  // PKCS#1 PEM, which ssh2 reads; async because a 3072-bit key takes a moment.
  const { privateKey } = await generateKeyPairAsync('rsa', {
    modulusLength: bits,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  });
  return privateKey;
}

/** The HTTPS key and certificate the preset asks for, created on first use. */
export async function ensureWebCredentials(dir: string, tls: WebTls): Promise<WebCredentials> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  if (tls.certificate === 'device-ca') {
    const files = await ensurePlcPki(dir, PLC_ROLES);
    const { key, cert } = await readServerCredentials(files);
    return { key, cert, caFile: files.caFile };
  }
  const bundle = join(dir, 'mgmt-web-selfsigned.pem');
  if (!existsSync(bundle)) await publishOnce(bundle, await selfSignedWeak());
  const text = await readFile(bundle, 'utf8');
  const key = pemBlock(text, 'RSA PRIVATE KEY');
  const cert = pemBlock(text, 'CERTIFICATE');
  const caFile = join(dir, 'mgmt-web-selfsigned.cert.pem');
  if (!existsSync(caFile) || (await readFile(caFile, 'utf8')) !== cert) await publish(caFile, cert);
  return { key, cert, caFile };
}

/** RSA-1024, SHA-1, CN=SIM-PLC, SAN IP 127.0.0.1, self-signed: the weak device's certificate. */
async function selfSignedWeak(): Promise<string> {
  const { publicKey, privateKey } = await generateKeyPairAsync('rsa', {
    modulusLength: 1024,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  });
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey);
  cert.serialNumber = `01${randomBytes(8).toString('hex')}`;
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + 3650 * 86_400_000);
  const subject = [
    { name: 'commonName', value: 'SIM-PLC' },
    { name: 'organizationName', value: 'otconform simulated devices' },
  ];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, keyCertSign: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(privateKey) as forge.pki.rsa.PrivateKey, forge.md.sha1.create());
  return `${privateKey.trim()}\n${forge.pki.certificateToPem(cert)}`;
}

function pemBlock(text: string, label: string): string {
  const m = new RegExp(`-----BEGIN ${label}-----[\\s\\S]+?-----END ${label}-----`).exec(text);
  if (!m) throw new Error(`no ${label} in the management PKI bundle`);
  return `${m[0]}\n`;
}

/** Like publish, but the first writer wins: a file another simulator published meanwhile is kept. */
async function publishOnce(file: string, content: string): Promise<void> {
  const tmp = `${file}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await writeFile(tmp, content, { mode: 0o600 });
    await link(tmp, file).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'EEXIST') throw err;
    });
  } finally {
    await rm(tmp, { force: true });
  }
}

/** Write to a temporary name, then rename into place (atomic on one file system). */
async function publish(file: string, content: string): Promise<void> {
  const tmp = `${file}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await writeFile(tmp, content, { mode: 0o600 });
    await rename(tmp, file);
  } finally {
    await rm(tmp, { force: true });
  }
}
