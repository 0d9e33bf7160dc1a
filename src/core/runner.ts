// Runs a plan: one check at a time (a device is one shared resource, and parallel probes would distort
// timing-based measurements), each under its own timeout, each result journaled the moment it exists.
import { setMaxListeners } from 'node:events';
import type { Logger } from 'pino';
import type { Journal } from '../evidence/journal.js';
import type { RunDirectory } from '../evidence/run-directory.js';
import type { Finding, KnowledgeBase } from '../knowledge/index.js';
import type { Profile } from '../profiles/schema.js';
import type { Fixture, ProtocolDrivers } from '../protocols/fixtures.js';
import type { SecurityLevel } from './outcomes.js';
import type { PlanItem } from './planner.js';
import type { CheckResult, StepRecord } from './result.js';
import { createTranscript } from './transcript.js';
import { firstLine } from './errors.js';
import type { EssentialFunctionWatch } from './monitoring.js';
import type { CheckContext, Measurement } from './testcase.js';
import { applyCheckWaiver, utcDate } from './waivers.js';

export interface RunnerOptions {
  profile: Profile;
  targetSecurityLevel: SecurityLevel;
  kb: KnowledgeBase;
  dir: RunDirectory;
  journal: Journal;
  log: Logger;
  drivers: ProtocolDrivers;
  /** Aborted on Ctrl-C: the running check is stopped, the rest are reported as skipped. */
  signal: AbortSignal;
  onCheckStart?: (item: PlanItem, index: number, total: number) => void;
  onCheckEnd?: (result: CheckResult, index: number, total: number) => void;
  /** The UTC day (YYYY-MM-DD) waivers are judged on; an expired one is not applied. Defaults to today. */
  today?: string;
}

export interface RunnerOutput {
  results: CheckResult[];
  observedDevice: Record<string, string>;
  interrupted: boolean;
}

class CheckTimeout extends Error {}

export async function runPlan(plan: PlanItem[], o: RunnerOptions): Promise<RunnerOutput> {
  const results: CheckResult[] = [];
  const observedDevice: Record<string, string> = {};
  const pacer = createPacer(1000 / o.profile.safety.loginAttemptsPerSecond);
  const multiTarget = new Set(plan.filter((i) => i.serviceIndex > 0).map((i) => i.check.protocol));
  const today = o.today ?? utcDate(new Date());

  for (const [index, item] of plan.entries()) {
    o.onCheckStart?.(item, index, plan.length);
    let result: CheckResult;
    if (o.signal.aborted) {
      result = skeleton(item, 'skipped', 'the run was interrupted before this check started');
    } else if (!item.decision.run) {
      result = skeleton(item, item.decision.verdict, item.decision.reason);
    } else {
      const evidenceDir = `evidence/${item.check.id}${multiTarget.has(item.check.protocol) ? `/${item.serviceIndex}` : ''}`;
      result = await runOne(item, evidenceDir, o, pacer, observedDevice);
    }
    // Before journaling, so the journal and the progress line already say what the report will say.
    result = applyCheckWaiver(result, o.profile.waivers, today);
    results.push(result);
    o.journal.append({ type: 'check', at: new Date().toISOString(), result });
    o.onCheckEnd?.(result, index, plan.length);
  }
  return { results, observedDevice, interrupted: o.signal.aborted };
}

async function runOne(
  item: PlanItem,
  evidenceDir: string,
  o: RunnerOptions,
  pacer: () => Promise<void>,
  observedDevice: Record<string, string>,
): Promise<CheckResult> {
  const { check } = item;
  const result = skeleton(item, 'error', '');
  const started = Date.now();
  const timeoutMs = (typeof check.timeoutMs === 'function' ? check.timeoutMs(o.profile) : check.timeoutMs) ?? o.profile.timeouts.checkMs;
  const controller = new AbortController();
  // Load checks legitimately have many connections waiting on this signal at once.
  setMaxListeners(1000, controller.signal);
  const onRunAbort = () => controller.abort(o.signal.reason);
  o.signal.addEventListener('abort', onRunAbort, { once: true });
  const timer = setTimeout(() => controller.abort(new CheckTimeout(`timed out after ${timeoutMs} ms`)), timeoutMs);
  const transcript = createTranscript();
  const log = o.log.child({ check: check.id, target: item.targetLabel });
  let fixture: Fixture | undefined;
  const watches: EssentialFunctionWatch[] = [];

  const attach = (name: string, content: string | Buffer | object) => {
    result.evidence.push(o.dir.write(`${evidenceDir}/${name}`, content));
  };
  const ctx: CheckContext<typeof check.protocol> = {
    profile: o.profile,
    service: item.service!,
    get client() {
      fixture ??= o.drivers.createFixture(check.protocol, item.service!, transcript, controller.signal);
      return fixture as CheckContext<typeof check.protocol>['client'];
    },
    targetSecurityLevel: o.targetSecurityLevel,
    kb: o.kb,
    signal: controller.signal,
    log,
    step: async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
      const t0 = Date.now();
      transcript.record(`step: ${name}`);
      try {
        const value = await fn();
        result.steps.push({ name, ok: true, durationMs: Date.now() - t0 });
        return value;
      } catch (err) {
        result.steps.push({ name, ok: false, durationMs: Date.now() - t0, error: firstLine(err) });
        throw err;
      }
    },
    attach,
    measure: (name, value, unit) => {
      result.measurements[name] = unit === undefined ? { value } : ({ value, unit } satisfies Measurement);
    },
    observeDevice: (facts) => {
      for (const [k, v] of Object.entries(facts)) if (v) observedDevice[k] = v;
    },
    sleep: (ms) => abortableSleep(ms, controller.signal),
    paceLogin: async () => {
      await pacer();
      if (controller.signal.aborted) throw controller.signal.reason;
    },
    watchEssentialFunction: async () => {
      const fn = o.profile.essentialFunctions[0];
      if (!fn) return undefined;
      const watch = await o.drivers.watchEssentialFunction(fn, o.profile, controller.signal);
      watches.push(watch);
      return watch;
    },
    credentialFor: (roles) => {
      const wanted = Array.isArray(roles) ? roles : [roles];
      const lockout = o.profile.safety.lockoutAccount;
      return Object.entries(o.profile.credentials)
        .filter(([name, c]) => name !== lockout && (!c.protocols || (c.protocols as string[]).includes(check.protocol)))
        .map(([, c]) => c)
        .sort((a, b) => wanted.indexOf(a.role) - wanted.indexOf(b.role))
        .find((c) => wanted.includes(c.role));
    },
  };

  log.debug({ safety: check.safety }, 'check started');
  try {
    const outcome = await Promise.race([check.run(ctx), rejectOnAbort(controller.signal)]);
    result.verdict = outcome.verdict;
    result.reason = outcome.reason;
    result.findings = outcome.findings ?? [];
  } catch (err) {
    const reason = controller.signal.reason;
    result.verdict = 'error';
    if (reason instanceof CheckTimeout) result.reason = `The check ${reason.message} without a conclusion.`;
    else if (o.signal.aborted) result.reason = 'The run was interrupted while this check was running.';
    else result.reason = `The check could not finish: ${firstLine(err)}.`;
    log.warn({ err: firstLine(err) }, 'check ended without a verdict');
    log.debug({ stack: (err as Error)?.stack }, 'check error detail');
  } finally {
    clearTimeout(timer);
    o.signal.removeEventListener('abort', onRunAbort);
    for (const w of watches) await w.stop().catch((err: unknown) => log.debug({ err: firstLine(err) }, 'stopping the monitor failed'));
    await fixture?.close().catch((err: unknown) => log.debug({ err: firstLine(err) }, 'closing the client failed'));
  }
  result.durationMs = Date.now() - started;
  if (transcript.entries.length > 0) attach('transcript.json', transcript.entries);
  if (result.findings.length > 0) attach('findings.json', result.findings);
  return result;
}

function skeleton(item: PlanItem, verdict: CheckResult['verdict'], reason: string): CheckResult {
  const { check } = item;
  return {
    id: check.id,
    title: check.title,
    target: item.targetLabel,
    protocol: check.protocol,
    requirements: [...check.requirements],
    safety: check.safety,
    minSecurityLevel: check.minSecurityLevel,
    verdict,
    reason,
    startedAt: new Date().toISOString(),
    durationMs: 0,
    steps: [] as StepRecord[],
    measurements: {},
    findings: [] as Finding[],
    evidence: [],
  };
}

function rejectOnAbort(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}

export function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Spaces calls at least intervalMs apart across the whole run (the profile's login rate limit). */
function createPacer(intervalMs: number): () => Promise<void> {
  let next = 0;
  return async () => {
    const now = Date.now();
    const wait = Math.max(0, next - now);
    next = Math.max(now, next) + intervalMs;
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  };
}
