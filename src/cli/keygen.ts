// `otconform keygen [--out <prefix>]`: an Ed25519 key pair for `run --sign`, written as <prefix>.key.pem
// (mode 0600) and <prefix>.pub.pem. Existing files are never overwritten: a lost signing key would orphan
// every bundle it signed.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { UsageError } from '../core/errors.js';
import { generateSigningKeyPair } from '../evidence/signing.js';

export const DEFAULT_KEY_PREFIX = 'otconform-signing';

export interface KeygenFlags {
  out?: string;
}

export function keygenCommand(flags: KeygenFlags): void {
  const prefix = flags.out ?? DEFAULT_KEY_PREFIX;
  const privateFile = `${prefix}.key.pem`;
  const publicFile = `${prefix}.pub.pem`;
  const existing = [privateFile, publicFile].filter((f) => existsSync(f));
  if (existing.length > 0) {
    throw new UsageError(`${existing.join(' and ')} already exist${existing.length === 1 ? 's' : ''}; keygen never overwrites a key (choose another --out)`);
  }
  const pair = generateSigningKeyPair();
  mkdirSync(dirname(privateFile), { recursive: true });
  try {
    // 'wx' fails rather than overwrite, should a file appear between the check and the write.
    writeFileSync(privateFile, pair.privatePem, { mode: 0o600, flag: 'wx' });
    writeFileSync(publicFile, pair.publicPem, { mode: 0o644, flag: 'wx' });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new UsageError(`cannot write the key pair at ${prefix}: ${e.code ?? e.message}${e.path ? ` (${e.path})` : ''}`);
  }
  const print = (line: string) => process.stdout.write(`${line}\n`);
  print(`private key: ${privateFile} (mode 0600; keep it secret, pass it to \`otconform run --sign\`)`);
  print(`public key:  ${publicFile} (give it to auditors: \`otconform verify <run-dir> --pubkey ${publicFile}\`)`);
  print(`fingerprint: ${pair.fingerprint}`);
}
