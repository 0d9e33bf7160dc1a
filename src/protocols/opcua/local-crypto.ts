// What the local Node runtime can do cryptographically, for policies it may be unable to speak.
// Node >= 20.11 / 18.19 refuse RSA PKCS#1 v1.5 *decryption* (CVE-2023-46809, Marvin attack) unless
// started with --security-revert=CVE-2023-46809. Basic128Rsa15 needs it for the OpenSecureChannel
// answer, so without it the client cannot complete that handshake whatever the device does.

import { constants, generateKeyPairSync, privateDecrypt, publicEncrypt, type KeyObject } from 'node:crypto';

let pkcs1v15Decrypt: boolean | undefined;

export function canDecryptRsaPkcs1v15(): boolean {
  if (pkcs1v15Decrypt !== undefined) return pkcs1v15Decrypt;
  // A 512-bit key is plenty to probe the runtime and generates in a few ms.
  const { publicKey, privateKey }: { publicKey: KeyObject; privateKey: KeyObject } = generateKeyPairSync('rsa', {
    modulusLength: 512,
  });
  try {
    const sealed = publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_PADDING }, Buffer.from('probe'));
    privateDecrypt({ key: privateKey, padding: constants.RSA_PKCS1_PADDING }, sealed);
    pkcs1v15Decrypt = true;
  } catch {
    pkcs1v15Decrypt = false;
  }
  return pkcs1v15Decrypt;
}

/** Policies whose asymmetric encryption is RSA PKCS#1 v1.5. */
const PKCS1V15_POLICIES = new Set(['Basic128Rsa15', 'Basic128', 'Basic192Rsa15', 'Basic256Rsa15']);

/** Why the local client cannot negotiate this policy, or null when it can. */
export function localNegotiationBlocker(securityPolicy: string): string | null {
  if (PKCS1V15_POLICIES.has(securityPolicy) && !canDecryptRsaPkcs1v15()) {
    return (
      `local Node ${process.version} refuses RSA PKCS#1 v1.5 decryption (CVE-2023-46809), ` +
      `so this client cannot negotiate ${securityPolicy}; run node with --security-revert=CVE-2023-46809 to test it`
    );
  }
  return null;
}
