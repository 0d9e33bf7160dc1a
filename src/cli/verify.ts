// `otconform verify <run-dir> [--pubkey <file>]`: recompute every hash of a run bundle and check its signature.
// Exit 0 when it verifies; 5 (EXIT.evidenceInvalid) naming each file that does not; 2 for a bad argument.
import { existsSync, statSync } from 'node:fs';
import { HarnessError, UsageError } from '../core/errors.js';
import { EXIT } from '../core/outcomes.js';
import { loadPublicKey, SIGNATURE_PATH, SIGNER_KEY_PATH } from '../evidence/signing.js';
import { verifyRunDirectory } from '../evidence/verify.js';

export interface VerifyFlags {
  pubkey?: string;
}

export function verifyCommand(runDir: string, flags: VerifyFlags): void {
  if (!existsSync(runDir) || !statSync(runDir).isDirectory()) throw new UsageError(`${runDir} is not a run directory`);
  const trustedKey = flags.pubkey ? loadPublicKey(flags.pubkey) : undefined;
  const result = verifyRunDirectory(runDir, trustedKey);
  if (result.problems.length > 0) {
    throw new HarnessError(
      `${runDir} does NOT verify: ${result.problems.length} problem(s)`,
      EXIT.evidenceInvalid,
      result.problems.map((p) => `${p.file} ${p.problem}`),
    );
  }
  const print = (line: string) => process.stdout.write(`${line}\n`);
  const files = `${result.filesVerified} file(s) match the manifest`;
  if (result.signature === 'unsigned') {
    print(`verified: ${files}; the bundle is UNSIGNED, so this shows only that the files match the manifest, not who wrote them`);
  } else if (trustedKey) {
    print(`verified: ${files}; signed by the --pubkey key ${result.signerFingerprint}`);
  } else {
    print(`verified: ${files}; the manifest is signed by the key in ${SIGNER_KEY_PATH}, ${result.signerFingerprint} (${SIGNATURE_PATH})`);
    print('Whether to trust that key is the auditor\'s call: compare the fingerprint with the one the supplier published, or pass --pubkey');
  }
}
