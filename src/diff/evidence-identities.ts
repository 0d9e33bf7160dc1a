// The certificates and SSH host keys a check's evidence names, so a rotated certificate or a new host key
// shows up in a diff even when every finding and the verdict stay the same. Read only when a diff needs it
// (a result present in both runs), only from JSON evidence inside the run directory, and only small files.
import { readFileSync, statSync } from 'node:fs';
import { resolve, sep } from 'node:path';
import type { CheckResult } from '../core/result.js';
import type { Identity } from './compare-results.js';

/** Larger evidence (load-step samples, long transcripts) carries no identities worth the time to parse. */
const MAX_EVIDENCE_BYTES = 1_000_000;
/** The runner's own files: transcripts and the findings already in report.json. */
const SKIPPED = /(^|\/)(transcript|findings)\.json$/;
const MAX_DEPTH = 8;

export function evidenceIdentities(runDir: string, result: CheckResult): Identity[] {
  const root = resolve(runDir);
  const found = new Map<string, Identity>();
  for (const rel of result.evidence) {
    if (!rel.endsWith('.json') || SKIPPED.test(rel)) continue;
    const full = resolve(root, rel);
    if (!full.startsWith(root + sep)) continue; // a report must not make us read outside its run
    const parsed = readSmallJson(full);
    if (parsed !== undefined) collect(parsed, 0, found);
  }
  return [...found.values()];
}

function readSmallJson(path: string): unknown {
  try {
    if (statSync(path).size > MAX_EVIDENCE_BYTES) return undefined;
    return JSON.parse(readFileSync(path, 'utf8')) as unknown;
  } catch {
    return undefined; // missing or unreadable evidence: the diff simply has no identity for it
  }
}

/**
 * X.509 facts carry `sha256Fingerprint` (src/knowledge/x509.ts); SSH host keys an OpenSSH-style
 * `fingerprint: "SHA256:…"` (src/protocols/ssh/host-key-blob.ts). Cookie fingerprints ("#…") are not identities.
 */
function collect(node: unknown, depth: number, found: Map<string, Identity>): void {
  if (depth > MAX_DEPTH || node === null || typeof node !== 'object') return;
  if (Array.isArray(node)) {
    for (const v of node) collect(v, depth + 1, found);
    return;
  }
  const o = node as Record<string, unknown>;
  if (typeof o.sha256Fingerprint === 'string') {
    const key = `certificate:${o.sha256Fingerprint}`;
    if (!found.has(key)) {
      found.set(key, {
        kind: 'certificate',
        label: typeof o.subject === 'string' && o.subject ? o.subject : 'certificate',
        fingerprint: o.sha256Fingerprint,
        ...(typeof o.serialNumber === 'string' ? { serial: o.serialNumber } : {}),
      });
    }
  } else if (typeof o.fingerprint === 'string' && o.fingerprint.startsWith('SHA256:')) {
    const key = `host-key:${o.fingerprint}`;
    if (!found.has(key)) found.set(key, { kind: 'host-key', label: hostKeyLabel(o), fingerprint: o.fingerprint });
  }
  for (const v of Object.values(o)) collect(v, depth + 1, found);
}

function hostKeyLabel(o: Record<string, unknown>): string {
  const type = typeof o.type === 'string' ? o.type : typeof o.keyType === 'string' ? o.keyType : undefined;
  const size = typeof o.bits === 'number' ? ` ${o.bits}` : '';
  const curve = typeof o.curve === 'string' ? ` ${o.curve}` : '';
  if (type) return `${type}${size}${curve}`;
  if (Array.isArray(o.algorithms)) return o.algorithms.filter((a) => typeof a === 'string').join(', ') || 'host key';
  return 'host key';
}
