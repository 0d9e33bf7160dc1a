// Loads every check in testcases/ and validates its metadata against the catalog before anything runs,
// so a typo in a requirement id is a load error, not a silently uncovered requirement.
import { readdirSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Catalog } from '../catalog/index.js';
import { UsageError } from './errors.js';
import { COMPONENT_TYPES, PROTOCOLS, SAFETY_CLASSES, SECURITY_LEVELS } from './outcomes.js';
import type { TestCase } from './testcase.js';

export const TESTCASES_DIR = new URL('../../testcases/', import.meta.url).pathname;

export async function loadTestCases(catalog: Catalog, dir: string = TESTCASES_DIR): Promise<TestCase[]> {
  const files = listCheckFiles(dir);
  const problems: string[] = [];
  const checks: TestCase[] = [];
  for (const file of files) {
    const where = relative(process.cwd(), file) || file;
    let mod: { default?: unknown };
    try {
      mod = (await import(pathToFileURL(file).href)) as { default?: unknown };
    } catch (err) {
      problems.push(`${where}: cannot be loaded: ${(err as Error).message.split('\n')[0]}`);
      continue;
    }
    const check = mod.default as TestCase | undefined;
    const fileProblems = validateCheck(check, basename(file).replace(/\.ts$/, ''), catalog);
    if (fileProblems.length > 0) problems.push(...fileProblems.map((p) => `${where}: ${p}`));
    else checks.push({ ...(check as TestCase), file: where });
  }
  const seen = new Set<string>();
  for (const c of checks) {
    if (seen.has(c.id)) problems.push(`duplicate check id ${c.id}`);
    seen.add(c.id);
  }
  if (problems.length > 0) throw new UsageError('invalid check definitions', problems);
  return checks.sort((a, b) => a.id.localeCompare(b.id));
}

function listCheckFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') && !e.name.startsWith('_'))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

export function validateCheck(check: TestCase | undefined, fileId: string, catalog: Catalog): string[] {
  if (!check || typeof check !== 'object') return ['has no default export made with defineTestCase()'];
  const problems: string[] = [];
  if (check.id !== fileId) problems.push(`id "${check.id}" must equal the file name "${fileId}"`);
  if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(check.id ?? '')) problems.push('id must be kebab-case');
  if (!check.title?.trim()) problems.push('title is empty');
  if (!check.description?.trim()) problems.push('description is empty');
  if (!Array.isArray(check.requirements) || check.requirements.length === 0) problems.push('names no requirement');
  for (const id of check.requirements ?? []) {
    if (!catalog.has(id)) problems.push(`requirement "${id}" is not in the catalog`);
  }
  if (!(SECURITY_LEVELS as readonly number[]).includes(check.minSecurityLevel))
    problems.push('minSecurityLevel must be 1-4');
  if (
    check.componentTypes !== 'all' &&
    (!Array.isArray(check.componentTypes) ||
      check.componentTypes.some((t) => !(COMPONENT_TYPES as readonly string[]).includes(t)))
  )
    problems.push(`componentTypes must be 'all' or a list of ${COMPONENT_TYPES.join('/')}`);
  if (!(PROTOCOLS as readonly string[]).includes(check.protocol)) problems.push(`unknown protocol "${check.protocol}"`);
  if (!(SAFETY_CLASSES as readonly string[]).includes(check.safety))
    problems.push(`safety must be one of ${SAFETY_CLASSES.join(', ')}`);
  if (check.locksAccounts && check.safety !== 'auth-attempt')
    problems.push('a check that locks accounts must be classed auth-attempt');
  if (typeof check.run !== 'function') problems.push('has no run() function');
  return problems;
}
