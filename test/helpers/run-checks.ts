// Runs some checks through the real runner, the way `otconform run` does: parse a profile, create the protocol
// drivers, executeRun into a fresh run directory, and hand back the report with the lookups tests keep needing.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { executeRun } from '../../src/core/execute.js';
import type { SecurityLevel } from '../../src/core/outcomes.js';
import type { Report } from '../../src/core/report.js';
import { checkRef, type CheckResult } from '../../src/core/result.js';
import { parseProfile } from '../../src/profiles/load.js';
import { createDrivers } from '../../src/protocols/index.js';

export interface RunChecksOptions {
  /** The check ids to run (the CLI's --only). */
  checks: string[];
  allowDisruptive?: boolean;
  /** Overrides the profile's targetSecurityLevel. */
  targetSecurityLevel?: SecurityLevel;
  /** Must not exist yet or be empty; a fresh temporary directory when left out. */
  outDir?: string;
  /** The harness's own PKI (client certificates); a fresh temporary directory when left out. */
  pkiDir?: string;
  /** The drivers' connect timeout: a number, or 'profile' for the profile's timeouts.connectMs as the CLI does. */
  connectTimeoutMs?: number | 'profile';
  /** The profile's name in error messages. */
  profileName?: string;
}

export interface ChecksRun {
  report: Report;
  runDir: string;
  /** `check @ target` → verdict, for comparing a whole run at once. */
  verdicts: Record<string, CheckResult['verdict']>;
  /** Check id → result; when a check ran on several targets the last one wins (use report.checks then). */
  checks: Record<string, CheckResult>;
  /** Wall time of the run itself (drivers and runner), in ms. */
  ms: number;
  /** An evidence file a check wrote, as text. */
  evidenceText(check: string, file: string): string;
  /** An evidence file a check wrote, parsed as JSON. */
  evidenceJson<T = unknown>(check: string, file: string): T;
  /** Every evidence file the report lists, with its text (to prove no secret reached any of them). */
  evidenceFiles(): Array<{ path: string; text: string }>;
}

/** Tests keep waits short: a dead port should fail a test in seconds, not in the profile's default 5 s. */
const TEST_CONNECT_TIMEOUT_MS = 3000;

export async function runChecks(profileYaml: string, o: RunChecksOptions): Promise<ChecksRun> {
  const loaded = parseProfile(profileYaml, o.profileName ?? 'profile.yaml', {});
  const outDir = o.outDir ?? join(mkdtempSync(join(tmpdir(), 'otconform-test-run-')), 'run');
  const pkiDir = o.pkiDir ?? mkdtempSync(join(tmpdir(), 'otconform-test-client-'));
  const connectTimeoutMs = o.connectTimeoutMs === 'profile' ? loaded.profile.timeouts.connectMs : (o.connectTimeoutMs ?? TEST_CONNECT_TIMEOUT_MS);
  const drivers = await createDrivers({ pkiDir, connectTimeoutMs, profile: loaded.profile });
  const started = Date.now();
  try {
    const { report, runDir } = await executeRun({
      loaded,
      outDir,
      allowDisruptive: o.allowDisruptive ?? false,
      only: o.checks,
      verbosity: 'quiet',
      color: false,
      drivers,
      signal: new AbortController().signal,
      print: () => undefined,
      ...(o.targetSecurityLevel ? { targetSecurityLevel: o.targetSecurityLevel } : {}),
    });
    const ms = Date.now() - started;
    const evidenceText = (check: string, file: string) => readFileSync(join(runDir, 'evidence', check, file), 'utf8');
    return {
      report,
      runDir,
      verdicts: Object.fromEntries(report.checks.map((c) => [checkRef(c), c.verdict])),
      checks: Object.fromEntries(report.checks.map((c) => [c.id, c])),
      ms,
      evidenceText,
      evidenceJson: <T>(check: string, file: string) => JSON.parse(evidenceText(check, file)) as T,
      evidenceFiles: () => report.checks.flatMap((c) => c.evidence.map((path) => ({ path, text: readFileSync(join(runDir, path), 'utf8') }))),
    };
  } finally {
    drivers.dispose();
  }
}
