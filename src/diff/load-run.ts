// Opens a run directory for a diff: its report.json, checked just enough that the diff can trust its shape,
// and a lazy reader for the identities its evidence names. Every problem is one UsageError line (exit 2).
import { readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { UsageError } from '../core/errors.js';
import { REPORT_SCHEMA_VERSION, type Report } from '../core/report.js';
import type { CheckResult } from '../core/result.js';
import type { Identity } from './compare-results.js';
import { evidenceIdentities } from './evidence-identities.js';

export interface LoadedRun {
  /** As the user named it. */
  dir: string;
  report: Report;
  /** The certificates and host keys a result's evidence names (read on demand). */
  identities(result: CheckResult): Identity[];
}

/** Loads a run directory (or its report.json given directly). */
export function loadRun(given: string): LoadedRun {
  let dir = given;
  let stat;
  try {
    stat = statSync(given);
  } catch {
    throw new UsageError(`${given}: no such run directory`);
  }
  if (stat.isFile() && basename(given) === 'report.json') dir = dirname(given);
  else if (!stat.isDirectory()) throw new UsageError(`${given}: not a run directory (give the directory that holds report.json)`);
  const path = join(dir, 'report.json');
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(code === 'ENOENT' ? `${given}: not a run directory (no report.json)` : `${path}: cannot be read (${code ?? 'error'})`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${path}: not valid JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  const report = asReport(parsed, path);
  return { dir: given, report, identities: (result) => evidenceIdentities(dir, result) };
}

/** Every run of a diff must share one schema version, the one this otconform reads. */
export function checkSchemaVersions(runs: LoadedRun[]): void {
  const first = runs[0];
  for (const r of runs.slice(1)) {
    if (first && r.report.schemaVersion !== first.report.schemaVersion) {
      throw new UsageError(
        `${r.dir} has report schema version ${r.report.schemaVersion} but ${first.dir} has ${first.report.schemaVersion}; runs of different schema versions cannot be compared`,
      );
    }
  }
  for (const r of runs) {
    if (r.report.schemaVersion !== REPORT_SCHEMA_VERSION) {
      throw new UsageError(`${r.dir} has report schema version ${String(r.report.schemaVersion)}; this otconform reads version ${REPORT_SCHEMA_VERSION}`);
    }
  }
}

/** The fields the diff relies on; anything else may be missing from a report by another tool version. */
function asReport(value: unknown, path: string): Report {
  const bad = (why: string) => new UsageError(`${path}: not an otconform report (${why})`);
  if (!isObject(value)) throw bad('not a JSON object');
  if (typeof value.schemaVersion !== 'number') throw bad('no schemaVersion');
  if (!Array.isArray(value.checks)) throw bad('no checks');
  if (!Array.isArray(value.requirements)) throw bad('no requirements');
  if (!isObject(value.run)) throw bad('no run');
  value.checks.forEach((c, i) => {
    if (!isObject(c) || typeof c.id !== 'string' || typeof c.target !== 'string' || typeof c.verdict !== 'string') {
      throw bad(`checks[${i}] has no id, target or verdict`);
    }
    if (!Array.isArray(c.findings) || !isObject(c.measurements) || !Array.isArray(c.evidence)) {
      throw bad(`checks[${i}] has no findings, measurements or evidence`);
    }
  });
  value.requirements.forEach((r, i) => {
    if (!isObject(r) || typeof r.id !== 'string' || typeof r.status !== 'string') throw bad(`requirements[${i}] has no id or status`);
  });
  return value as unknown as Report;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
