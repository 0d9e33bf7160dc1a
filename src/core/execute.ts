// One run end to end: profile → plan → reachability → checks → report, journal and manifest.
// The CLI's `run` and `demo` both come through here; protocol drivers are handed in, never imported.
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { loadCatalog } from '../catalog/index.js';
import { Journal } from '../evidence/journal.js';
import { RunDirectory } from '../evidence/run-directory.js';
import { signRunDirectory, type SigningKey } from '../evidence/signing.js';
import { loadKnowledgeBase } from '../knowledge/index.js';
import type { LoadedProfile } from '../profiles/load.js';
import { serviceTargets } from '../profiles/services.js';
import type { ProtocolDrivers } from '../protocols/fixtures.js';
import { progressLine, summaryTable } from '../reporters/console.js';
import { writeReports } from '../reporters/index.js';
import { UnreachableError, UsageError } from './errors.js';
import { loadTestCases } from './loader.js';
import { createLogger, type Verbosity } from './logging.js';
import { EXIT, PROTOCOLS, type SecurityLevel } from './outcomes.js';
import { buildPlan } from './planner.js';
import { buildReport, type Report, type RequirementResult } from './report.js';
import { runPlan } from './runner.js';
import { utcDate } from './waivers.js';

export interface ExecuteOptions {
  loaded: LoadedProfile;
  /** Overrides the profile's targetSecurityLevel. */
  targetSecurityLevel?: SecurityLevel;
  outDir: string;
  allowDisruptive: boolean;
  only?: string[];
  verbosity: Verbosity;
  color: boolean;
  drivers: ProtocolDrivers;
  signal: AbortSignal;
  /** Where progress and the summary go (stdout in the CLI). */
  print: (line: string) => void;
  /** Shows which check is running now (a transient status line on a terminal); optional. */
  status?: (text: string) => void;
  /** Signs the manifest (evidence/manifest.sig) and records the key's fingerprint in the report. */
  signer?: SigningKey;
}

export interface ExecuteResult {
  report: Report;
  runDir: string;
  exitCode: number;
}

export const TOOL = readToolIdentity();

export async function executeRun(o: ExecuteOptions): Promise<ExecuteResult> {
  const { profile, redacted, secrets } = o.loaded;
  const targetSecurityLevel = o.targetSecurityLevel ?? (profile.targetSecurityLevel as SecurityLevel);
  const catalog = loadCatalog();
  const kb = loadKnowledgeBase();
  const checks = await loadTestCases(catalog);
  if (o.only) {
    const unknown = o.only.filter((id) => !checks.some((c) => c.id === id));
    if (unknown.length > 0) throw new UsageError(`unknown check id(s): ${unknown.join(', ')}`, ['see `otconform list`']);
  }
  const plan = buildPlan(checks, profile, { targetSecurityLevel, allowDisruptive: o.allowDisruptive, only: o.only });

  await assertReachable(o, profile.timeouts.connectMs);

  const runDir = resolve(o.outDir);
  if (existsSync(runDir) && readdirSync(runDir).length > 0) {
    throw new UsageError(`${runDir} is not empty; choose a new --out directory so runs never mix their evidence`);
  }
  const dir = new RunDirectory(runDir, secrets);
  const logger = createLogger({ file: join(runDir, 'otconform.log'), verbosity: o.verbosity, secrets, color: o.color });
  o.drivers.useLogger?.(logger.log);
  const journal = new Journal(dir);
  const runId = `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomBytes(3).toString('hex')}`;
  const startedAt = new Date().toISOString();
  logger.log.info({ runId, profile: o.loaded.path, targetSecurityLevel, checks: plan.length, runDir }, 'run started');
  journal.append({ type: 'run-start', at: startedAt, runId, targetSecurityLevel, checks: plan.length });

  const output = await runPlan(plan, {
    profile,
    targetSecurityLevel,
    kb,
    dir,
    journal,
    log: logger.log,
    drivers: o.drivers,
    signal: o.signal,
    // The same day buildReport derives from run.startedAt, so runner and report agree on expiry.
    today: utcDate(startedAt),
    onCheckStart: (item, i, total) => item.decision.run && o.status?.(`[${i + 1}/${total}] running ${item.check.id} ...`),
    onCheckEnd: (result, i, total) => {
      o.status?.('');
      o.print(progressLine(result, i, total, o.color));
    },
  });

  const finishedAt = new Date().toISOString();
  journal.append({ type: 'run-end', at: finishedAt, interrupted: output.interrupted });
  const report = buildReport({
    tool: TOOL,
    catalog,
    knowledgeBase: { version: kb.version, sha256: kb.sha256 },
    run: { id: runId, startedAt, finishedAt, interrupted: output.interrupted, allowDisruptive: o.allowDisruptive, host: hostname() },
    ...(o.signer ? { signer: { algorithm: o.signer.algorithm, fingerprint: o.signer.fingerprint } } : {}),
    redactedProfile: { ...redacted, targetSecurityLevel },
    observedDevice: output.observedDevice,
    targetSecurityLevel,
    results: output.results,
    automatedRequirementIds: new Set(checks.flatMap((c) => c.requirements)),
    exitCodeFor,
  });
  writeReports(
    report,
    (file, content) => dir.write(file, content),
    (file, err) => logger.log.error({ file, err: (err as Error).message }, 'a reporter failed; the others were written'),
  );
  logger.log.info({ exitCode: report.summary.exitCode }, 'run finished');
  // The log is closed first so that the manifest hashes its final bytes.
  await logger.close();
  dir.writeManifest();
  // After the manifest, over its exact bytes: the signature files are the only ones it does not list.
  if (o.signer) signRunDirectory(runDir, o.signer);
  o.print('');
  o.print(summaryTable(report, runDir, o.color));
  return { report, runDir, exitCode: report.summary.exitCode };
}

function exitCodeFor(requirements: RequirementResult[], interrupted: boolean): number {
  if (interrupted) return EXIT.interrupted;
  return requirements.some((r) => r.status === 'fail') ? EXIT.requirementFailed : EXIT.ok;
}

/** Every declared service must answer before any check runs; otherwise exit 3 within the connect timeout. */
async function assertReachable(o: ExecuteOptions, timeoutMs: number): Promise<void> {
  // Derived targets (every TLS endpoint, every host) are covered by the services they come from.
  const declared = PROTOCOLS.filter((p) => p !== 'network');
  const probes = declared.flatMap((protocol) =>
    serviceTargets(o.loaded.profile, protocol).filter((s) => !('via' in s) || s.via === 'tls').map(async (service) => {
      const why = await o.drivers.unreachable(protocol, service, timeoutMs);
      return why ? `${o.drivers.address(protocol, service)}: ${why}` : undefined;
    }),
  );
  const problems = (await Promise.all(probes)).filter((p): p is string => p !== undefined);
  if (problems.length > 0) {
    throw new UnreachableError('the device cannot be reached; no check was run', problems);
  }
}

function readToolIdentity(): { name: string; version: string } {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    name: string;
    version: string;
  };
  return { name: pkg.name, version: pkg.version };
}
