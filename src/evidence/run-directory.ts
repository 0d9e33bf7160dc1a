// The run directory: every file the run writes goes through here, so each one is scrubbed of secrets
// and can be listed in the manifest with its sha256.
import { createHash } from 'node:crypto';
import { appendFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import type { SecretRegistry } from '../core/secrets.js';

export const MANIFEST_PATH = 'evidence/manifest.json';

export interface ManifestEntry {
  path: string;
  sha256: string;
  bytes: number;
}

export interface Manifest {
  algorithm: 'sha256';
  createdAt: string;
  files: ManifestEntry[];
}

export class RunDirectory {
  constructor(
    readonly root: string,
    private readonly secrets: SecretRegistry,
  ) {
    mkdirSync(join(root, 'evidence'), { recursive: true });
  }

  /** Writes a file (text is scrubbed of secrets; objects become JSON) and returns its path relative to the run. */
  write(relPath: string, content: string | Buffer | object): string {
    const safe = safeRelative(relPath);
    const full = join(this.root, safe);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, this.scrub(content));
    return safe;
  }

  /** Appends one line; used by the journal, which must survive a crash mid-run. */
  appendLine(relPath: string, line: string): void {
    const full = join(this.root, safeRelative(relPath));
    mkdirSync(dirname(full), { recursive: true });
    appendFileSync(full, `${this.secrets.redact(line)}\n`);
  }

  /** Hashes every file in the run directory (except the manifest itself) into evidence/manifest.json. */
  writeManifest(now = new Date()): Manifest {
    const files = listFiles(this.root)
      .map((full) => relative(this.root, full).split(sep).join('/'))
      .filter((p) => p !== MANIFEST_PATH)
      .sort()
      .map((path) => {
        const bytes = readFileSync(join(this.root, path));
        return { path, sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length };
      });
    const manifest: Manifest = { algorithm: 'sha256', createdAt: now.toISOString(), files };
    writeFileSync(join(this.root, MANIFEST_PATH), `${JSON.stringify(manifest, null, 2)}\n`);
    return manifest;
  }

  private scrub(content: string | Buffer | object): string | Buffer {
    if (Buffer.isBuffer(content)) {
      // Binary artifacts (certificates) carry no profile secrets; text ones are scrubbed below.
      return content;
    }
    const text = typeof content === 'string' ? content : `${JSON.stringify(content, jsonReplacer, 2)}\n`;
    return this.secrets.redact(text);
  }
}

/** Buffers become base64 so a certificate attached inside an object stays readable JSON. */
function jsonReplacer(_key: string, value: unknown): unknown {
  if (value && typeof value === 'object' && (value as { type?: string }).type === 'Buffer' && 'data' in value) {
    return { base64: Buffer.from((value as { data: number[] }).data).toString('base64') };
  }
  return value;
}

function safeRelative(relPath: string): string {
  const cleaned = relPath.replace(/\\/g, '/').replace(/^\/+/, '');
  if (cleaned.split('/').some((part) => part === '..' || part === '')) {
    throw new Error(`artifact path escapes the run directory: ${relPath}`);
  }
  return cleaned;
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}
