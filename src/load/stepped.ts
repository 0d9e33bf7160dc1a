// The shape every DoS check shares: a quiet baseline, then load in steps of rising intensity while the
// essential-function monitor watches, with recovery verified after each step. The first failing step ends
// the ramp: loading a device that already lost its control function proves nothing more and risks more.
import type { EssentialFunctionWatch, MonitorStats } from '../core/monitoring.js';

export interface StepThresholds {
  /** Longest tolerated gap between healthy observations of the essential function. */
  maxGapMs: number;
  maxRecoveryMs: number;
  /** p95 reply time of the monitor's reads. */
  maxMonitorLatencyMs: number;
}

export interface StepResult<G> {
  label: string;
  load: G;
  monitor: MonitorStats;
  /** Time after the load stopped until the function was healthy and the service answered again; undefined = not within the bound. */
  recoveryMs: number | undefined;
  /** When recovery missed the bound: how long it took after all (the check waits, bounded, so the next check starts on a healthy device). */
  lateRecoveryMs?: number | undefined;
  problems: string[];
}

export interface SteppedLoadResult<G> {
  baseline: MonitorStats;
  /** Set when the function was not healthy before any load: nothing can be concluded. */
  unhealthyBaseline?: string;
  /** How long the check waited for the function to become healthy before loading it (0 when it already was). */
  baselineWaitMs: number;
  steps: StepResult<G>[];
}

export async function runSteppedLoad<G>(o: {
  watch: EssentialFunctionWatch;
  baselineMs: number;
  steps: { label: string; run: (signal: AbortSignal) => Promise<G> }[];
  thresholds: StepThresholds;
  /** A fresh request to the loaded service after the load; undefined when it answered, else why not. */
  serviceAnswers: () => Promise<string | undefined>;
  signal: AbortSignal;
  sleep: (ms: number) => Promise<void>;
}): Promise<SteppedLoadResult<G>> {
  const { watch, thresholds } = o;
  // A device an earlier check left degraded gets the same bounded time to recover as a failed step does,
  // so one slow recovery does not make every later load check inconclusive.
  const start = watch.now();
  const patience = LATE_RECOVERY_FACTOR * thresholds.maxRecoveryMs;
  let baseline: MonitorStats;
  let lastWindowStart: number;
  for (;;) {
    lastWindowStart = watch.now();
    await o.sleep(o.baselineMs);
    baseline = watch.stats(lastWindowStart);
    if (healthyBaseline(baseline, thresholds) || watch.now() - start >= patience) break;
  }
  const result: SteppedLoadResult<G> = { baseline, steps: [], baselineWaitMs: lastWindowStart - start };
  if (!healthyBaseline(baseline, thresholds)) {
    result.unhealthyBaseline =
      `within ${patience} ms the monitor never saw a healthy ${o.baselineMs} ms window; in the last one it saw ${baseline.reads} read(s), ${baseline.failedReads} failed, ` +
      `and a longest gap of ${baseline.longestGapMs} ms (tolerated: ${thresholds.maxGapMs} ms)`;
    return result;
  }
  for (const step of o.steps) {
    const from = watch.now();
    const load = await step.run(o.signal);
    const loadEnd = watch.now();
    const monitor = watch.stats(from, loadEnd);
    const recoveryMs = await recover(o, loadEnd);
    const problems: string[] = [];
    if (monitor.longestGapMs > thresholds.maxGapMs) {
      problems.push(`the essential function went ${monitor.longestGapMs} ms without a healthy observation (tolerated: ${thresholds.maxGapMs} ms)`);
    }
    if (monitor.latencyMs.p95 > thresholds.maxMonitorLatencyMs) {
      problems.push(`the monitor's reads took ${monitor.latencyMs.p95} ms at p95 (tolerated: ${thresholds.maxMonitorLatencyMs} ms)`);
    }
    let lateRecoveryMs: number | undefined;
    if (recoveryMs === undefined) {
      lateRecoveryMs = await recover(o, loadEnd, LATE_RECOVERY_FACTOR * thresholds.maxRecoveryMs);
      problems.push(
        `the device had not recovered ${thresholds.maxRecoveryMs} ms after the load stopped` +
          (lateRecoveryMs === undefined ? ` (nor within ${LATE_RECOVERY_FACTOR * thresholds.maxRecoveryMs} ms)` : ` (it took ${lateRecoveryMs} ms)`),
      );
    }
    result.steps.push({ label: step.label, load, monitor, recoveryMs, ...(recoveryMs === undefined ? { lateRecoveryMs } : {}), problems });
    if (problems.length > 0 || o.signal.aborted) break;
  }
  return result;
}

/** How much longer than the pass bound a failed recovery is still waited for. */
const LATE_RECOVERY_FACTOR = 4;

function healthyBaseline(b: MonitorStats, t: StepThresholds): boolean {
  return b.reads > 0 && b.failedReads <= b.reads / 2 && b.longestGapMs <= t.maxGapMs;
}

/** ms from the end of the load until the function is healthy and the service answers, or undefined. */
async function recover(
  o: { watch: EssentialFunctionWatch; thresholds: StepThresholds; serviceAnswers: () => Promise<string | undefined>; signal: AbortSignal },
  loadEnd: number,
  bound = o.thresholds.maxRecoveryMs,
): Promise<number | undefined> {
  const healthyAfter = await o.watch.waitHealthy(Math.max(0, bound - (o.watch.now() - loadEnd)), o.signal);
  if (healthyAfter === undefined) return undefined;
  while (o.watch.now() - loadEnd <= bound && !o.signal.aborted) {
    if ((await o.serviceAnswers()) === undefined) {
      const took = o.watch.now() - loadEnd;
      return took <= bound ? took : undefined;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return undefined;
}
