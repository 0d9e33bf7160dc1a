// The IEC 62443-4-2 requirement catalog: project-owned data in requirements.yaml, validated on load.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { HarnessError, UsageError } from '../core/errors.js';
import {
  COMPONENT_TYPES,
  EXIT,
  SECURITY_LEVELS,
  type ComponentType,
  type SecurityLevel,
} from '../core/outcomes.js';

export const FR_IDS = ['FR1', 'FR2', 'FR3', 'FR4', 'FR5', 'FR6', 'FR7'] as const;
export type FrId = (typeof FR_IDS)[number];

export const REQUIREMENT_KINDS = ['CR', 'RE', 'EDR', 'HDR', 'NDR', 'SAR'] as const;
export type RequirementKind = (typeof REQUIREMENT_KINDS)[number];

/** How far black-box testing can produce evidence: fully, partly, or only documents can. */
export const TESTABILITIES = ['automatable', 'partly', 'documentary'] as const;
export type Testability = (typeof TESTABILITIES)[number];

export const CONFIDENCES = ['high', 'medium', 'low'] as const;
export type Confidence = (typeof CONFIDENCES)[number];

export interface Requirement {
  id: string;
  fr: FrId;
  kind: RequirementKind;
  /** Only on RE entries: the id of the base requirement the enhancement extends. */
  parent?: string;
  /** SL-C levels at which this requirement applies. */
  sl: SecurityLevel[];
  componentTypes: ComponentType[];
  testability: Testability;
  confidence: Confidence;
  title: string;
  summary: string;
  auditorAsks: string;
  /** Only where secondary sources disagree: what is uncertain. */
  sourceNote?: string;
}

export interface FunctionalRequirement {
  id: FrId;
  name: string;
  summary: string;
}

export interface Catalog {
  version: string;
  /** Hex SHA-256 of the YAML file bytes, so reports can name the exact catalog they used. */
  sha256: string;
  frs: FunctionalRequirement[];
  requirements: Requirement[];
  /** Exact id first; falls back to normalizeRequirementId so 'cr1.1' finds 'CR 1.1'. */
  get(id: string): Requirement | undefined;
  has(id: string): boolean;
  /** Requirements that apply to this component type at this SL-C, in catalog order. */
  inScope(componentType: ComponentType, sl: SecurityLevel): Requirement[];
}

// ---------------------------------------------------------------- ids

/** Canonical form: prefix, space, FR number, dot, number, optionally space + RE(n). */
const CANONICAL_ID = /^(CR|EDR|HDR|NDR|SAR) ([1-9]\d*)\.([1-9]\d*)(?: RE\(([1-9]\d*)\))?$/;

// Tolerates case, missing or extra separators, leading zeros and RE written as 're1', 'RE 1', 'RE(1)' or '(1)'.
const LOOSE_ID =
  /^\s*(CR|EDR|HDR|NDR|SAR)[\s_-]*(\d+)\s*\.\s*(\d+)(?:[\s_-]*(?:RE[\s_-]*\(?\s*(\d+)\s*\)?|\(\s*(\d+)\s*\)))?\s*$/i;

/** Canonical id for a loosely written one, or undefined when it is not a requirement id at all. */
export function tryNormalizeRequirementId(s: string): string | undefined {
  const m = LOOSE_ID.exec(s);
  if (!m) return undefined;
  const [, prefix = '', major = '', minor = '', re1, re2] = m;
  const nums = [major, minor, re1 ?? re2].map((n) => (n === undefined ? undefined : Number.parseInt(n, 10)));
  // Zero is never a valid requirement or enhancement number.
  if (nums.some((n) => n === 0)) return undefined;
  const [a, b, re] = nums;
  return `${prefix.toUpperCase()} ${a}.${b}${re === undefined ? '' : ` RE(${re})`}`;
}

/**
 * 'cr1.1' → 'CR 1.1', 'CR 1.1 re(1)' / 'CR1.1RE1' → 'CR 1.1 RE(1)'.
 * Only the syntax is checked; whether the id exists is Catalog.has's job.
 * @throws UsageError when the input cannot be read as a requirement id.
 */
export function normalizeRequirementId(s: string): string {
  const id = tryNormalizeRequirementId(s);
  if (id === undefined) {
    throw new UsageError(`'${s}' is not a requirement id (expected something like "CR 1.1" or "CR 1.1 RE(1)")`);
  }
  return id;
}

// ---------------------------------------------------------------- schema

const nonEmpty = z.string().trim().min(1);

const requirementSchema = z
  .strictObject({
    id: z.string().regex(CANONICAL_ID, 'must be a canonical id such as "CR 1.1" or "EDR 2.4 RE(1)"'),
    fr: z.enum(FR_IDS),
    kind: z.enum(REQUIREMENT_KINDS),
    parent: z.string().optional(),
    sl: z.array(z.literal([...SECURITY_LEVELS])).min(1),
    componentTypes: z.array(z.enum(COMPONENT_TYPES)).min(1),
    testability: z.enum(TESTABILITIES),
    confidence: z.enum(CONFIDENCES),
    title: nonEmpty,
    summary: nonEmpty,
    auditorAsks: nonEmpty,
    sourceNote: nonEmpty.optional(),
  })
  .superRefine((r, ctx) => {
    const issue = (path: string, message: string): void => {
      ctx.addIssue({ code: 'custom', path: [path], message });
    };
    const m = CANONICAL_ID.exec(r.id);
    if (!m) return; // the regex issue is already reported
    const [, prefix, major, , re] = m;
    // The id encodes kind, FR and parent; the explicit fields must agree so nothing can drift.
    const expectedKind = re === undefined ? prefix : 'RE';
    if (r.kind !== expectedKind) issue('kind', `id ${r.id} implies kind ${expectedKind}, not ${r.kind}`);
    if (r.fr !== `FR${major}`) issue('fr', `id ${r.id} belongs to FR${major}, not ${r.fr}`);
    const base = r.id.replace(/ RE\(\d+\)$/, '');
    if (re !== undefined && r.parent !== base) issue('parent', `an enhancement needs parent: ${base}`);
    if (re === undefined && r.parent !== undefined) issue('parent', 'only RE entries have a parent');
    if (prefix !== 'CR' && (r.componentTypes.length !== 1 || r.componentTypes[0] !== prefix)) {
      issue('componentTypes', `a ${prefix} requirement applies to [${prefix}] only`);
    }
    if (!isStrictlyAscending(r.sl)) issue('sl', 'levels must be ascending without duplicates');
    if (!isStrictlyAscending(r.componentTypes.map((c) => COMPONENT_TYPES.indexOf(c)))) {
      issue('componentTypes', `must be unique and in the order ${COMPONENT_TYPES.join(', ')}`);
    }
  });

const catalogSchema = z
  .strictObject({
    version: z.string().regex(/^\d+\.\d+\.\d+$/, 'must be a semantic version like 1.0.0'),
    source: nonEmpty,
    functionalRequirements: z.array(
      z.strictObject({ id: z.enum(FR_IDS), name: nonEmpty, summary: nonEmpty }),
    ),
    requirements: z.array(requirementSchema).min(1),
  })
  .superRefine((doc, ctx) => {
    const frIds = doc.functionalRequirements.map((f) => f.id);
    if (frIds.join() !== FR_IDS.join()) {
      ctx.addIssue({
        code: 'custom',
        path: ['functionalRequirements'],
        message: `must list ${FR_IDS.join(', ')} once each, in order (found ${frIds.join(', ')})`,
      });
    }
    const byId = new Map<string, (typeof doc.requirements)[number]>();
    doc.requirements.forEach((r, i) => {
      if (byId.has(r.id)) {
        ctx.addIssue({ code: 'custom', path: ['requirements', i, 'id'], message: `duplicate id ${r.id}` });
      }
      byId.set(r.id, r);
    });
    doc.requirements.forEach((r, i) => {
      if (r.parent === undefined) return;
      const p = byId.get(r.parent);
      const path = ['requirements', i, 'parent'];
      if (!p) ctx.addIssue({ code: 'custom', path, message: `parent ${r.parent} is not in the catalog` });
      else if (p.kind === 'RE') ctx.addIssue({ code: 'custom', path, message: `parent ${r.parent} is itself an enhancement` });
    });
  });

function isStrictlyAscending(xs: readonly number[]): boolean {
  return xs.every((x, i) => i === 0 || x > (xs[i - 1] ?? Number.NEGATIVE_INFINITY));
}

// ---------------------------------------------------------------- loading

const CATALOG_URL = new URL('./requirements.yaml', import.meta.url);

/** Parses and validates catalog YAML; `origin` only labels error messages. Exported for tests. */
export function parseCatalog(bytes: Uint8Array | string, origin = 'requirements.yaml'): Catalog {
  const buf = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : Buffer.from(bytes);
  const sha256 = createHash('sha256').update(buf).digest('hex');

  let raw: unknown;
  try {
    raw = parseYaml(buf.toString('utf8'), { prettyErrors: true, uniqueKeys: true });
  } catch (err) {
    throw new HarnessError(`requirement catalog ${origin} is not valid YAML`, EXIT.internal, [
      err instanceof Error ? err.message : String(err),
    ]);
  }

  const result = catalogSchema.safeParse(raw);
  if (!result.success) {
    const details = result.error.issues.map((iss) => `${describePath(raw, iss.path)}: ${iss.message}`);
    throw new HarnessError(
      `requirement catalog ${origin} is malformed (${details.length} problem${details.length === 1 ? '' : 's'})`,
      EXIT.internal,
      details,
    );
  }
  const doc = result.data;

  const requirements: Requirement[] = doc.requirements.map((r) => deepFreeze({ ...r }));
  const byId = new Map(requirements.map((r) => [r.id, r] as const));
  const lookup = (id: string): Requirement | undefined => {
    const exact = byId.get(id);
    if (exact) return exact;
    const norm = tryNormalizeRequirementId(id);
    return norm === undefined ? undefined : byId.get(norm);
  };

  const catalog: Catalog = {
    version: doc.version,
    sha256,
    frs: doc.functionalRequirements.map((f) => deepFreeze({ ...f })),
    requirements,
    get: lookup,
    has: (id) => lookup(id) !== undefined,
    inScope: (ct, sl) => requirements.filter((r) => r.componentTypes.includes(ct) && r.sl.includes(sl)),
  };
  Object.freeze(catalog.frs);
  Object.freeze(catalog.requirements);
  return Object.freeze(catalog);
}

/** Names an issue's location by requirement id as well as by index, so a broken entry is easy to find. */
function describePath(raw: unknown, path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(top level)';
  const [head, index, ...rest] = path;
  if (head === 'requirements' && typeof index === 'number') {
    const reqs = (raw as { requirements?: unknown[] } | null)?.requirements;
    const id = (reqs?.[index] as { id?: unknown } | undefined)?.id;
    const label = typeof id === 'string' ? ` (${id})` : '';
    return `requirements[${index}]${label}${rest.length ? '.' + rest.map(String).join('.') : ''}`;
  }
  return path.map(String).join('.');
}

function deepFreeze<T extends object>(o: T): T {
  for (const v of Object.values(o)) if (v && typeof v === 'object') Object.freeze(v);
  return Object.freeze(o);
}

let cached: Catalog | undefined;

/** Loads src/catalog/requirements.yaml once per process; throws HarnessError (exit 4) if it is malformed. */
export function loadCatalog(): Catalog {
  cached ??= parseCatalog(readFileSync(CATALOG_URL), fileURLToPath(CATALOG_URL));
  return cached;
}

// ---------------------------------------------------------------- presentation

/** SL-C levels as shown in tables: runs of three or more as a range ("1-4", "2-4"), otherwise a list ("3,4", "4"). */
export function formatSlLevels(levels: readonly number[]): string {
  const sorted = [...new Set(levels)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === (sorted[j] ?? 0) + 1) j++;
    const run = sorted.slice(i, j + 1);
    parts.push(run.length >= 3 ? `${run[0]}-${run[run.length - 1]}` : run.join(','));
    i = j + 1;
  }
  return parts.join(',');
}

/** Plain-text table for `otconform catalog`: id, FR, SL-C, testability, title. */
export function formatCatalogTable(reqs: readonly Requirement[]): string {
  const header = ['ID', 'FR', 'SL-C', 'TESTABILITY', 'TITLE'];
  const rows = reqs.map((r) => [r.id, r.fr, formatSlLevels(r.sl), r.testability, r.title]);
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((row) => (row[c] ?? '').length)));
  // The last column is not padded, so lines carry no trailing spaces.
  const line = (cells: string[]): string =>
    cells.map((cell, c) => (c === cells.length - 1 ? cell : cell.padEnd(widths[c] ?? 0))).join('  ');
  const out = [line(header), line(widths.map((w) => '-'.repeat(w)))];
  if (rows.length === 0) out.push('(no requirements)');
  else out.push(...rows.map(line));
  return out.join('\n');
}
