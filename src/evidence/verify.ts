// Verifies a run directory against its manifest and, when signed, the manifest against its signature.
// Every problem names the file it is about, so an auditor knows which piece of evidence to distrust.
import { createHash, verify, type KeyObject } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { firstLine } from '../core/errors.js';
import { MANIFEST_PATH } from './run-directory.js';
import { fingerprintOf, parsePublicKey, SIGNATURE_PATH, SIGNER_KEY_PATH } from './signing.js';

/** The files the manifest cannot list: itself, and what is written after it. */
const UNLISTED = new Set([MANIFEST_PATH, SIGNATURE_PATH, SIGNER_KEY_PATH]);
const REPORT_PATH = 'report.json';

export interface VerifyProblem {
  /** Relative to the run directory. */
  file: string;
  problem: string;
}

export interface VerifyResult {
  problems: VerifyProblem[];
  /** Files whose sha256 and size matched the manifest. */
  filesVerified: number;
  /** unsigned: neither signature file is present; invalid: see problems. */
  signature: 'valid' | 'invalid' | 'unsigned';
  /** The embedded signer key's fingerprint, when it could be read. */
  signerFingerprint?: string;
}

interface ManifestFile {
  path: string;
  sha256: string;
  bytes: number;
}

/** trustedKey (--pubkey): the bundle must carry a valid signature by exactly this key. */
export function verifyRunDirectory(root: string, trustedKey?: KeyObject): VerifyResult {
  const problems: VerifyProblem[] = [];
  const problem = (file: string, text: string) => problems.push({ file, problem: text });

  const manifestBytes = readIfPresent(join(root, MANIFEST_PATH));
  if (!manifestBytes) {
    problem(MANIFEST_PATH, 'is missing, so nothing in this directory can be verified');
    return { problems, filesVerified: 0, signature: 'invalid' };
  }
  const listed = parseManifest(manifestBytes, (text) => problem(MANIFEST_PATH, text));

  let filesVerified = 0;
  const onDisk = new Set(listFiles(root));
  for (const entry of listed) {
    if (!onDisk.has(entry.path)) {
      problem(entry.path, 'was removed: the manifest lists it, the directory does not have it');
      continue;
    }
    const bytes = readIfPresent(join(root, entry.path));
    if (!bytes) {
      problem(entry.path, 'is not a readable file');
      continue;
    }
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    if (sha256 !== entry.sha256 || bytes.length !== entry.bytes) {
      problem(entry.path, `was changed: sha256 ${sha256} (${bytes.length} bytes), the manifest says ${entry.sha256} (${entry.bytes} bytes)`);
    } else {
      filesVerified++;
    }
  }
  const listedPaths = new Set(listed.map((e) => e.path));
  for (const path of [...onDisk].sort()) {
    if (!listedPaths.has(path) && !UNLISTED.has(path)) problem(path, 'was added: the manifest does not list it');
  }
  if (!listedPaths.has(REPORT_PATH) && onDisk.has(REPORT_PATH)) problem(REPORT_PATH, 'is not covered by the manifest');

  const signature = verifySignature(root, manifestBytes, onDisk, reportedSigner(root), trustedKey, problem);
  return { problems, filesVerified, ...signature };
}

function verifySignature(
  root: string,
  manifest: Buffer,
  onDisk: ReadonlySet<string>,
  reported: string | undefined,
  trustedKey: KeyObject | undefined,
  problem: (file: string, text: string) => void,
): Pick<VerifyResult, 'signature' | 'signerFingerprint'> {
  const hasSig = onDisk.has(SIGNATURE_PATH);
  const hasKey = onDisk.has(SIGNER_KEY_PATH);
  if (!hasSig && !hasKey) {
    if (reported) problem(SIGNATURE_PATH, `is missing, but report.json says the run was signed by ${reported}`);
    if (trustedKey) problem(SIGNATURE_PATH, `is missing: the bundle is unsigned, and --pubkey requires a signature by ${fingerprintOf(trustedKey)}`);
    return { signature: reported || trustedKey ? 'invalid' : 'unsigned' };
  }
  if (!hasSig) {
    problem(SIGNATURE_PATH, `is missing, though ${SIGNER_KEY_PATH} is present`);
    return { signature: 'invalid' };
  }
  if (!hasKey) {
    problem(SIGNER_KEY_PATH, `is missing, so ${SIGNATURE_PATH} cannot be checked`);
    return { signature: 'invalid' };
  }
  let signer: KeyObject;
  try {
    signer = parsePublicKey(readFileSync(join(root, SIGNER_KEY_PATH), 'utf8'));
    if (signer.asymmetricKeyType !== 'ed25519') throw new Error(`a ${signer.asymmetricKeyType ?? 'unknown'} key, not Ed25519`);
  } catch (err) {
    problem(SIGNER_KEY_PATH, `is not an Ed25519 public key (${firstLine(err)})`);
    return { signature: 'invalid' };
  }
  const signerFingerprint = fingerprintOf(signer);
  let ok = true;
  const fail = (file: string, text: string) => {
    ok = false;
    problem(file, text);
  };
  const sig = readFileSync(join(root, SIGNATURE_PATH));
  if (!safeVerify(manifest, signer, sig)) {
    fail(SIGNATURE_PATH, `does not verify ${MANIFEST_PATH} with ${SIGNER_KEY_PATH} (${signerFingerprint}): the manifest was edited, or the signature or key replaced`);
  }
  if (reported && reported !== signerFingerprint) {
    fail(SIGNER_KEY_PATH, `is key ${signerFingerprint}, but report.json says the run was signed by ${reported}`);
  } else if (!reported) {
    fail(REPORT_PATH, `names no signer, but the bundle carries a signature by ${signerFingerprint}`);
  }
  if (trustedKey) {
    const trusted = fingerprintOf(trustedKey);
    // The same fingerprint is the same key, so the signature check above already used it.
    if (trusted !== signerFingerprint) fail(SIGNATURE_PATH, `was made by key ${signerFingerprint}, not by the --pubkey key ${trusted}`);
  }
  return { signature: ok ? 'valid' : 'invalid', signerFingerprint };
}

function safeVerify(data: Buffer, key: KeyObject, signature: Buffer): boolean {
  try {
    return verify(null, data, key, signature);
  } catch {
    return false;
  }
}

/** The manifest's entries; anything malformed is reported and left out (its file then shows up as added). */
function parseManifest(bytes: Buffer, problem: (text: string) => void): ManifestFile[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    problem(`is not valid JSON (${firstLine(err)})`);
    return [];
  }
  const m = parsed as { algorithm?: unknown; files?: unknown };
  if (m?.algorithm !== 'sha256' || !Array.isArray(m.files)) {
    problem('is not an otconform manifest (expected algorithm "sha256" and a files list)');
    return [];
  }
  const seen = new Set<string>();
  const out: ManifestFile[] = [];
  for (const [i, raw] of m.files.entries()) {
    const e = raw as Partial<ManifestFile>;
    const wellFormed =
      typeof e?.path === 'string' &&
      typeof e.sha256 === 'string' &&
      /^[0-9a-f]{64}$/.test(e.sha256) &&
      Number.isInteger(e.bytes) &&
      !e.path.split('/').some((part) => part === '..' || part === '' || part === '.');
    if (!wellFormed) {
      problem(`entry ${i} is malformed (${JSON.stringify(raw)})`);
    } else if (UNLISTED.has(e.path!)) {
      problem(`lists ${e.path}, which it cannot cover`);
    } else if (seen.has(e.path!)) {
      problem(`lists ${e.path} twice`);
    } else {
      seen.add(e.path!);
      out.push(e as ManifestFile);
    }
  }
  return out;
}

/** The signer fingerprint report.json records (a changed report.json is reported by the hash check anyway). */
function reportedSigner(root: string): string | undefined {
  try {
    const report = JSON.parse(readFileSync(join(root, REPORT_PATH), 'utf8')) as { signer?: { fingerprint?: unknown } };
    return typeof report.signer?.fingerprint === 'string' ? report.signer.fingerprint : undefined;
  } catch {
    return undefined;
  }
}

/** A file's bytes; undefined when it is missing or not a readable file (a directory, a dangling link). */
function readIfPresent(file: string): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch {
    return undefined;
  }
}

/** Everything that is not a directory (a symlink or socket slipped in is "added" too), as run-relative paths. */
function listFiles(root: string): string[] {
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((e) => !e.isDirectory())
    .map((e) => relative(root, join(e.parentPath, e.name)).split(sep).join('/'));
}
