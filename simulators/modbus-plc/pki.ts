// The simulator's Modbus/TCP Security PKI, made with node-forge: a device CA, the server certificate it
// issues (RSA-2048/SHA-256, SAN IP 127.0.0.1 and DNS localhost) and one client certificate per role, the
// role carried in the Modbus role extension (Modbus/TCP Security spec: OID 1.3.6.1.4.1.50316.802.1, an
// ASN.1 UTF8String). Created once per folder and reused, so clients configured with these files keep
// working across restarts. Two simulators starting at once race safely: each builds a complete set in a
// temporary folder, and a rename publishes it (the loser uses the winner's).
//
//   <dir>/ca.cert.pem ca.key.pem server.cert.pem server.key.pem <role>.cert.pem <role>.key.pem

import { generateKeyPair, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import forge from 'node-forge';
import type { PlcPresetName, PlcRole } from './presets.js';

const generateKeyPairAsync = promisify(generateKeyPair);

export const MODBUS_ROLE_OID = '1.3.6.1.4.1.50316.802.1';
const KEY_BITS = 2048;
const CA_VALIDITY_DAYS = 3650;
const LEAF_VALIDITY_DAYS = 825;

export interface CertificateFiles {
  certificateFile: string;
  privateKeyFile: string;
}

export interface PlcPkiFiles {
  dir: string;
  caFile: string;
  caKeyFile: string;
  server: CertificateFiles;
  clients: Record<PlcRole, CertificateFiles>;
}

/** ~/.config/otconform/sim-pki/<preset>, unless OTCONFORM_SIM_PKI names a folder. */
export function defaultSimPkiDir(preset: PlcPresetName): string {
  return process.env.OTCONFORM_SIM_PKI ?? join(homedir(), '.config', 'otconform', 'sim-pki', preset);
}

export function pkiFiles(dir: string, roles: readonly PlcRole[]): PlcPkiFiles {
  const pair = (name: string): CertificateFiles => ({
    certificateFile: join(dir, `${name}.cert.pem`),
    privateKeyFile: join(dir, `${name}.key.pem`),
  });
  const clients = Object.fromEntries(roles.map((r) => [r, pair(r)])) as Record<PlcRole, CertificateFiles>;
  return { dir, caFile: join(dir, 'ca.cert.pem'), caKeyFile: join(dir, 'ca.key.pem'), server: pair('server'), clients };
}

/** The PKI in dir, created on first use. */
export async function ensurePlcPki(dir: string, roles: readonly PlcRole[]): Promise<PlcPkiFiles> {
  const files = pkiFiles(dir, roles);
  if (complete(files)) return files;
  const staging = join(dirname(dir), `.${basename(dir)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    await writePki(pkiFiles(staging, roles), roles);
    try {
      // Atomic: replaces a missing or empty folder, fails if another process published first.
      await rename(staging, dir);
    } catch {
      if (!complete(files)) await publishFileByFile(staging, files, roles); // a folder holding other things
    }
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  if (!complete(files)) throw new Error(`could not create the simulator PKI in ${dir}`);
  return files;
}

function complete(f: PlcPkiFiles): boolean {
  return [f.caFile, f.caKeyFile, f.server.certificateFile, f.server.privateKeyFile, ...Object.values(f.clients).flatMap((c) => [c.certificateFile, c.privateKeyFile])].every(
    (p) => existsSync(p),
  );
}

/** Into a folder that already holds other things: each file renamed into place on its own. */
async function publishFileByFile(staging: string, target: PlcPkiFiles, roles: readonly PlcRole[]): Promise<void> {
  const from = pkiFiles(staging, roles);
  const pairs: Array<[string, string]> = [
    ...roles.flatMap((r): Array<[string, string]> => [
      [from.clients[r].privateKeyFile, target.clients[r].privateKeyFile],
      [from.clients[r].certificateFile, target.clients[r].certificateFile],
    ]),
    [from.server.privateKeyFile, target.server.privateKeyFile],
    [from.server.certificateFile, target.server.certificateFile],
    [from.caKeyFile, target.caKeyFile],
    [from.caFile, target.caFile],
  ];
  for (const [a, b] of pairs) await rename(a, b);
}

async function writePki(files: PlcPkiFiles, roles: readonly PlcRole[]): Promise<void> {
  await mkdir(files.dir, { recursive: true, mode: 0o700 });
  const ca = await newKeyPair();
  const caCert = buildCertificate({
    subject: [{ name: 'commonName', value: 'otconform SIM-PLC device CA' }, ...ORG],
    publicKey: ca.publicKey,
    issuer: null,
    signer: ca.privateKey,
    validityDays: CA_VALIDITY_DAYS,
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    ],
  });
  await writePair(files.caFile, files.caKeyFile, caCert, ca.privateKeyPem);
  const issue = { cert: caCert, privateKey: ca.privateKey };

  const server = await newKeyPair();
  const serverCert = buildCertificate({
    subject: [{ name: 'commonName', value: 'localhost' }, ...ORG],
    publicKey: server.publicKey,
    issuer: issue.cert,
    signer: issue.privateKey,
    validityDays: LEAF_VALIDITY_DAYS,
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }, { type: 2, value: 'localhost' }] },
    ],
  });
  await writePair(files.server.certificateFile, files.server.privateKeyFile, serverCert, server.privateKeyPem);

  for (const role of roles) {
    const client = await issueClientCertificate({ caCertPem: forge.pki.certificateToPem(caCert), caKeyPem: ca.privateKeyPem }, { commonName: `sim-plc ${role}`, role });
    await writeFile(files.clients[role].certificateFile, client.certificatePem);
    await writeFile(files.clients[role].privateKeyFile, client.privateKeyPem, { mode: 0o600 });
  }
}

/**
 * A client certificate issued by the given CA, with the Modbus role extension when role is given.
 * Exported so tests and tools can make certificates without a role, or from another CA.
 */
export async function issueClientCertificate(
  ca: { caCertPem: string; caKeyPem: string },
  spec: { commonName: string; role?: string; validityDays?: number },
): Promise<{ certificatePem: string; privateKeyPem: string }> {
  const key = await newKeyPair();
  const caCert = forge.pki.certificateFromPem(ca.caCertPem);
  const cert = buildCertificate({
    subject: [{ name: 'commonName', value: spec.commonName }, ...ORG],
    publicKey: key.publicKey,
    issuer: caCert,
    signer: forge.pki.privateKeyFromPem(ca.caKeyPem),
    validityDays: spec.validityDays ?? LEAF_VALIDITY_DAYS,
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', clientAuth: true },
      ...(spec.role === undefined ? [] : [roleExtension(spec.role)]),
    ],
  });
  return { certificatePem: forge.pki.certificateToPem(cert), privateKeyPem: key.privateKeyPem };
}

/** The role a client certificate (DER) carries, or undefined when it has none or cannot be read. */
export function roleOfCertificate(der: Buffer): string | undefined {
  try {
    const cert = forge.pki.certificateFromAsn1(forge.asn1.fromDer(forge.util.createBuffer(der.toString('binary'))));
    const ext = (cert.extensions as Array<{ id?: string; value?: unknown }>).find((e) => e.id === MODBUS_ROLE_OID);
    if (typeof ext?.value !== 'string') return undefined;
    const value = forge.asn1.fromDer(ext.value);
    if (value.type !== forge.asn1.Type.UTF8 || typeof value.value !== 'string') return undefined;
    return forge.util.decodeUtf8(value.value);
  } catch {
    return undefined; // e.g. an EC certificate, which forge cannot parse: no role, so no access
  }
}

function roleExtension(role: string) {
  return {
    id: MODBUS_ROLE_OID,
    critical: false,
    value: forge.asn1.create(forge.asn1.Class.UNIVERSAL, forge.asn1.Type.UTF8, false, forge.util.encodeUtf8(role)),
  };
}

const ORG = [{ name: 'organizationName', value: 'otconform simulated devices' }];

interface KeyPair {
  publicKey: forge.pki.PublicKey;
  privateKey: forge.pki.PrivateKey;
  privateKeyPem: string;
}

/** Keys from node:crypto (native, fast); forge only assembles and signs the certificates. */
async function newKeyPair(): Promise<KeyPair> {
  const { publicKey, privateKey } = await generateKeyPairAsync('rsa', {
    modulusLength: KEY_BITS,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return { publicKey: forge.pki.publicKeyFromPem(publicKey), privateKey: forge.pki.privateKeyFromPem(privateKey), privateKeyPem: privateKey };
}

function buildCertificate(spec: {
  subject: forge.pki.CertificateField[];
  publicKey: forge.pki.PublicKey;
  /** null: self-signed. */
  issuer: forge.pki.Certificate | null;
  signer: forge.pki.PrivateKey;
  validityDays: number;
  extensions: object[];
}): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = spec.publicKey;
  cert.serialNumber = `01${randomBytes(15).toString('hex')}`; // leading 01: a positive DER INTEGER
  cert.validity.notBefore = new Date(Date.now() - 60_000); // tolerate small clock skew
  cert.validity.notAfter = new Date(Date.now() + spec.validityDays * 86_400_000);
  cert.setSubject(spec.subject);
  cert.setIssuer(spec.issuer ? spec.issuer.subject.attributes : spec.subject);
  cert.setExtensions([
    ...spec.extensions,
    { name: 'subjectKeyIdentifier' },
    ...(spec.issuer ? [{ name: 'authorityKeyIdentifier', keyIdentifier: authorityKeyId(spec.issuer) }] : []),
  ]);
  cert.sign(spec.signer as forge.pki.rsa.PrivateKey, forge.md.sha256.create());
  return cert;
}

/** forge's authorityKeyIdentifier wants the issuer's key id as bytes. */
function authorityKeyId(issuer: forge.pki.Certificate): string {
  return issuer.generateSubjectKeyIdentifier().getBytes();
}

async function writePair(certFile: string, keyFile: string, cert: forge.pki.Certificate, keyPem: string): Promise<void> {
  await writeFile(certFile, forge.pki.certificateToPem(cert));
  await writeFile(keyFile, keyPem, { mode: 0o600 });
}

/** The PEM texts the TLS server needs. */
export async function readServerCredentials(files: PlcPkiFiles): Promise<{ key: string; cert: string; ca: string }> {
  const [key, cert, ca] = await Promise.all([
    readFile(files.server.privateKeyFile, 'utf8'),
    readFile(files.server.certificateFile, 'utf8'),
    readFile(files.caFile, 'utf8'),
  ]);
  return { key, cert, ca };
}
