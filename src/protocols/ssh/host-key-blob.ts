// Reads an SSH public key blob (RFC 4253, 6.6; RFC 5656, 3.1; RFC 8709, 4) for what grading needs: the key
// type, its size (RSA modulus, DSA p) or curve, and the OpenSSH-style SHA-256 fingerprint.
import { createHash } from 'node:crypto';

export interface HostKeyFacts {
  /** The blob's own type string, e.g. "ssh-rsa" (an RSA key also serves rsa-sha2-256/512). */
  blobType: string;
  keyType: 'rsa' | 'dsa' | 'ecdsa' | 'ed25519' | 'ed448' | 'other';
  /** RSA modulus or DSA p in bits; the curve size for ECDSA and EdDSA. */
  bits?: number;
  /** ECDSA curve identifier, e.g. "nistp256". */
  curve?: string;
  /** "SHA256:<base64 without padding>", as ssh-keygen -l prints it. */
  fingerprint: string;
}

/** Keys are a few kilobytes at most; a longer blob is refused rather than parsed. */
const MAX_BLOB = 16 * 1024;

const CURVE_BITS: Record<string, number> = { nistp256: 256, nistp384: 384, nistp521: 521 };

export function parseHostKeyBlob(blob: Buffer): HostKeyFacts {
  if (blob.length > MAX_BLOB) throw new Error(`the host key blob is ${blob.length} bytes, more than ${MAX_BLOB}`);
  const fingerprint = `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
  let at = 0;
  const field = (what: string): Buffer => {
    if (blob.length < at + 4) throw new Error(`the host key blob ends before its ${what}`);
    const length = blob.readUInt32BE(at);
    if (blob.length < at + 4 + length) throw new Error(`the host key blob's ${what} claims ${length} bytes, more than the blob holds`);
    const value = blob.subarray(at + 4, at + 4 + length);
    at += 4 + length;
    return value;
  };
  const blobType = field('type').toString('latin1');
  if (blobType === 'ssh-rsa') {
    field('exponent');
    return { blobType, keyType: 'rsa', bits: mpintBits(field('modulus')), fingerprint };
  }
  if (blobType === 'ssh-dss') return { blobType, keyType: 'dsa', bits: mpintBits(field('p')), fingerprint };
  if (blobType.startsWith('ecdsa-sha2-')) {
    const curve = field('curve').toString('latin1');
    const bits = CURVE_BITS[curve];
    return { blobType, keyType: 'ecdsa', curve, ...(bits ? { bits } : {}), fingerprint };
  }
  if (blobType === 'ssh-ed25519') return { blobType, keyType: 'ed25519', bits: 256, fingerprint };
  if (blobType === 'ssh-ed448') return { blobType, keyType: 'ed448', bits: 456, fingerprint };
  return { blobType, keyType: 'other', fingerprint };
}

/** Bit length of an SSH mpint (two's complement, big-endian, possibly with a leading zero byte). */
function mpintBits(value: Buffer): number {
  let i = 0;
  while (i < value.length && value[i] === 0) i++;
  if (i === value.length) return 0;
  return (value.length - i - 1) * 8 + (32 - Math.clz32(value[i]!));
}
