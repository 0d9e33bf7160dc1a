// Ed25519 signing of a run's manifest: key generation, loading, fingerprints, and the detached signature.
// The manifest hashes every other file of the run, so one signature over its exact bytes covers the bundle.
// The signature is the raw 64 bytes, so `openssl pkeyutl -verify -pubin -inkey evidence/signer.pub.pem -rawin
// -in evidence/manifest.json -sigfile evidence/manifest.sig` checks it without otconform.
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { firstLine, UsageError } from '../core/errors.js';
import { MANIFEST_PATH } from './run-directory.js';

export const SIGNATURE_PATH = 'evidence/manifest.sig';
export const SIGNER_KEY_PATH = 'evidence/signer.pub.pem';
export const SIGNATURE_ALGORITHM = 'Ed25519';

/** What the report records about who signed its bundle. */
export interface SignerIdentity {
  algorithm: typeof SIGNATURE_ALGORITHM;
  /** "SHA256:<base64 without padding>" of the public key's SPKI DER, as ssh-keygen shows key fingerprints. */
  fingerprint: string;
}

export interface SigningKey extends SignerIdentity {
  privateKey: KeyObject;
  publicKey: KeyObject;
  publicPem: string;
}

export function generateSigningKeyPair(): { privatePem: string; publicPem: string; fingerprint: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    fingerprint: fingerprintOf(publicKey),
  };
}

export function fingerprintOf(publicKey: KeyObject): string {
  const der = publicKey.export({ type: 'spki', format: 'der' });
  return `SHA256:${createHash('sha256').update(der).digest('base64').replace(/=+$/, '')}`;
}

/** Reads an Ed25519 private key (PEM); anything else is a usage error that names the file, never its content. */
export function loadSigningKey(file: string): SigningKey {
  const text = readKeyFile(file, 'signing key');
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(text);
  } catch {
    // OpenSSL's decoder messages say nothing a user can act on; what the file should be does.
    const encrypted = /ENCRYPTED/.test(text) ? ' (this one is encrypted)' : '';
    throw new UsageError(`${file} is not an unencrypted Ed25519 private key in PEM${encrypted}; make one with \`otconform keygen\``);
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') {
    throw new UsageError(`${file} is a ${privateKey.asymmetricKeyType ?? 'unknown'} key; otconform signs with Ed25519 (\`otconform keygen\`)`);
  }
  const publicKey = createPublicKey(privateKey);
  return {
    algorithm: SIGNATURE_ALGORITHM,
    fingerprint: fingerprintOf(publicKey),
    privateKey,
    publicKey,
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

/** Reads an Ed25519 public key (PEM) that a bundle must have been signed with. */
export function loadPublicKey(file: string): KeyObject {
  const text = readKeyFile(file, 'public key');
  let key: KeyObject;
  try {
    key = parsePublicKey(text);
  } catch (err) {
    throw new UsageError(`${file} is not a public key in PEM (${firstLine(err)})`);
  }
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new UsageError(`${file} is a ${key.asymmetricKeyType ?? 'unknown'} key; otconform bundles are signed with Ed25519`);
  }
  return key;
}

/** A public key from PEM; a private key is refused, so a secret is never handed around as the "public" key. */
export function parsePublicKey(pem: string): KeyObject {
  if (/PRIVATE KEY/.test(pem)) throw new Error('this is a private key; give the public one');
  return createPublicKey(pem);
}

/**
 * Signs the run's manifest as it is on disk: writes evidence/manifest.sig and the signer's public key.
 * Must run after the manifest is final; these two files are the only ones the manifest does not list.
 */
export function signRunDirectory(root: string, key: SigningKey): void {
  const manifest = readFileSync(join(root, MANIFEST_PATH));
  writeFileSync(join(root, SIGNATURE_PATH), sign(null, manifest, key.privateKey));
  writeFileSync(join(root, SIGNER_KEY_PATH), key.publicPem);
}

function readKeyFile(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read the ${what} ${file}: ${(err as NodeJS.ErrnoException).code ?? firstLine(err)}`);
  }
}
