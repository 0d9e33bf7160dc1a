// Loads a device profile: YAML → schema validation → ${env:NAME} secrets resolved and registered for redaction.
// Every problem is reported with its path (and line, where the YAML gives one) and exits 2, never as a stack trace.
import { readFileSync } from 'node:fs';
import { isMap, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { UsageError } from '../core/errors.js';
import { REDACTED, SecretRegistry } from '../core/secrets.js';
import { profileSchema, type Profile } from './schema.js';

export interface LoadedProfile {
  path: string;
  /** Validated, with defaults filled in and secrets resolved. Never write this anywhere. */
  profile: Profile;
  /** The same profile with every secret replaced, safe for reports and logs. */
  redacted: Profile;
  secrets: SecretRegistry;
}

const ENV_REFERENCE = /\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}/g;
const IS_ONLY_ENV_REFERENCE = /^\$\{env:[A-Za-z_][A-Za-z0-9_]*\}$/;
/** Fields whose literal values are secrets even when written inline. */
const SECRET_FIELDS = new Set(['password', 'privateKeyPassphrase']);

export function loadProfile(path: string, env: NodeJS.ProcessEnv = process.env): LoadedProfile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read profile ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  return parseProfile(text, path, env);
}

export function parseProfile(text: string, path: string, env: NodeJS.ProcessEnv = process.env): LoadedProfile {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new UsageError(
      `profile ${path} is not valid YAML`,
      doc.errors.map((e) => {
        const pos = lines.linePos(e.pos[0]);
        return `line ${pos.line}, column ${pos.col}: ${e.message.split('\n')[0]}`;
      }),
    );
  }
  const raw: unknown = doc.toJS();
  const parsed = profileSchema.safeParse(raw);
  if (!parsed.success) {
    throw new UsageError(
      `profile ${path} does not match the schema (${parsed.error.issues.length} problem(s))`,
      parsed.error.issues.flatMap((issue) => describeIssue(issue, doc, lines)),
    );
  }

  const secrets = new SecretRegistry();
  const missing: string[] = [];
  const profile = mapStrings(parsed.data, (value, keyPath) => {
    const field = keyPath[keyPath.length - 1];
    const resolved = value.replace(ENV_REFERENCE, (_, name: string) => {
      const v = env[name];
      if (v === undefined || v === '') {
        missing.push(`${formatPath(keyPath)}: environment variable ${name} is not set`);
        return '';
      }
      secrets.add(v);
      return v;
    });
    if (typeof field === 'string' && SECRET_FIELDS.has(field)) secrets.add(resolved);
    return resolved;
  });
  if (missing.length > 0) throw new UsageError(`profile ${path} refers to missing secrets`, missing);

  const redacted = mapStrings(parsed.data, (value, keyPath) => {
    const field = keyPath[keyPath.length - 1];
    // An ${env:NAME} reference names where the secret lives, not the secret: keep it, it helps the reader.
    if (typeof field === 'string' && SECRET_FIELDS.has(field) && !IS_ONLY_ENV_REFERENCE.test(value)) return REDACTED;
    return value;
  });
  return { path, profile, redacted, secrets };
}

function describeIssue(issue: z.core.$ZodIssue, doc: Document, lines: LineCounter): string[] {
  const at = (path: PropertyKey[]) => {
    const line = lineOf(doc, lines, path);
    return `${formatPath(path)}${line ? ` (line ${line})` : ''}`;
  };
  // One line per unknown field, pointing at the field itself rather than its section.
  if (issue.code === 'unrecognized_keys') return issue.keys.map((k) => `${at([...issue.path, k])}: unknown field`);
  const problem = issue.code === 'invalid_type' && /received undefined/.test(issue.message) ? 'is required' : issue.message;
  return [`${at(issue.path)}: ${problem}`];
}

function lineOf(doc: Document, lines: LineCounter, path: readonly PropertyKey[]): number | undefined {
  // Walk down as far as the path exists, so a missing field points at its parent.
  for (let depth = path.length; depth >= 0; depth--) {
    const node = doc.getIn(path.slice(0, depth) as unknown[], true) as { range?: [number, number, number] } | undefined;
    if (node && (isMap(node) || isSeq(node) || node.range)) {
      const offset = node.range?.[0];
      if (offset !== undefined) return lines.linePos(offset).line;
    }
  }
  return undefined;
}

export function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(top level)';
  return path
    .map((k, i) => (typeof k === 'number' ? `[${k}]` : i === 0 ? String(k) : `.${String(k)}`))
    .join('');
}

function mapStrings<T>(value: T, fn: (s: string, path: PropertyKey[]) => string, path: PropertyKey[] = []): T {
  if (typeof value === 'string') return fn(value, path) as T;
  if (Array.isArray(value)) return value.map((v, i) => mapStrings(v, fn, [...path, i])) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, mapStrings(v, fn, [...path, k])]),
    ) as T;
  }
  return value;
}
