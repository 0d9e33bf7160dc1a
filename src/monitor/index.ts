// The essential-function monitor: watches a heartbeat or a process value over its own connection while
// a disruptive check loads the device, and turns the reads into the numbers the report shows (reply
// times, the longest gap without a healthy observation, stale periods, recovery time).
import { performance } from 'node:perf_hooks';
import { firstLine } from '../core/errors.js';
import type { EssentialFunctionWatch, MonitorSample, MonitorStats, StalePeriod } from '../core/monitoring.js';
import type { EssentialFunction, Profile } from '../profiles/schema.js';

/** Reads one numeric value; each read is a fresh request over a connection the source keeps open. */
export interface ValueReader {
  /** Where the value is read, for messages, e.g. "holding register 0 at modbus://127.0.0.1:5020". */
  readonly where: string;
  read(): Promise<number>;
  close(): Promise<void>;
}

export interface MonitorSources {
  /** Opens a reader for the function's modbus or opcua target. */
  open(fn: EssentialFunction, profile: Profile): Promise<ValueReader>;
}

/** Samples kept per watch; at the default 50 ms poll this is over half an hour. */
const MAX_SAMPLES = 40_000;

export async function watchEssentialFunction(
  fn: EssentialFunction,
  profile: Profile,
  sources: MonitorSources,
  signal: AbortSignal,
): Promise<EssentialFunctionWatch> {
  const reader = await sources.open(fn, profile);
  const t0 = performance.now();
  const now = () => Math.round(performance.now() - t0);
  const samples: MonitorSample[] = [];
  /** Times (ms) of healthy observations: a heartbeat change, and/or an in-range value. */
  const healthy: number[] = [];
  let previous: number | undefined;
  let stopped = false;

  const isHealthy = (value: number): boolean => {
    const changed = fn.mustChangeWithinMs === undefined || (previous !== undefined && value !== previous);
    const inRange = fn.range === undefined || (value >= fn.range.min && value <= fn.range.max);
    return changed && inRange;
  };

  const loop = (async () => {
    while (!stopped && !signal.aborted) {
      const started = performance.now();
      try {
        const value = await reader.read();
        const latencyMs = Math.round(performance.now() - started);
        const atMs = now();
        const inRange = fn.range === undefined || (value >= fn.range.min && value <= fn.range.max);
        if (isHealthy(value)) healthy.push(atMs);
        previous = value;
        push({ atMs, ok: inRange, value, latencyMs, ...(inRange ? {} : { error: 'out of range' }) });
      } catch (err) {
        push({ atMs: now(), ok: false, latencyMs: Math.round(performance.now() - started), error: firstLine(err) });
      }
      const wait = fn.pollMs - (performance.now() - started);
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
  })();

  function push(s: MonitorSample) {
    samples.push(s);
    if (samples.length > MAX_SAMPLES) samples.splice(0, samples.length - MAX_SAMPLES);
  }

  const tolerance = fn.mustChangeWithinMs ?? fn.pollMs * 4;
  const describe =
    `${fn.name}: ${reader.where}` +
    (fn.mustChangeWithinMs !== undefined ? `, must change within ${fn.mustChangeWithinMs} ms` : '') +
    (fn.range ? `, must stay within [${fn.range.min}, ${fn.range.max}]` : '');

  return {
    name: fn.name,
    describe,
    toleranceMs: fn.mustChangeWithinMs,
    now,
    samples: () => [...samples],
    stats: (fromMs, toMs) => computeStats(samples, healthy, fromMs, toMs ?? now(), tolerance),
    async waitHealthy(timeoutMs, waitSignal) {
      const start = now();
      const deadline = start + timeoutMs;
      while (now() <= deadline && !signal.aborted && !waitSignal?.aborted) {
        // Healthy again: two healthy observations since we started waiting, within the tolerance of each other,
        // and the latest read answered.
        const since = healthy.filter((t) => t >= start);
        const last = samples[samples.length - 1];
        if (since.length >= 2 && since[since.length - 1]! - since[since.length - 2]! <= tolerance && last?.ok) {
          return since[since.length - 1]! - start;
        }
        await new Promise((r) => setTimeout(r, Math.min(20, fn.pollMs)));
      }
      return undefined;
    },
    async stop() {
      stopped = true;
      await loop;
      await reader.close();
    },
  };
}

export function computeStats(
  samples: readonly MonitorSample[],
  healthy: readonly number[],
  fromMs: number,
  toMs: number,
  toleranceMs: number,
): MonitorStats {
  const window = samples.filter((s) => s.atMs >= fromMs && s.atMs <= toMs);
  const latencies = window.map((s) => s.latencyMs ?? 0).sort((a, b) => a - b);
  const marks = [fromMs, ...healthy.filter((t) => t > fromMs && t <= toMs), toMs];
  let longestGapMs = 0;
  const stalePeriods: StalePeriod[] = [];
  for (let i = 1; i < marks.length; i++) {
    const gap = marks[i]! - marks[i - 1]!;
    longestGapMs = Math.max(longestGapMs, gap);
    if (gap > toleranceMs) stalePeriods.push({ fromMs: marks[i - 1]!, toMs: marks[i]!, durationMs: gap });
  }
  return {
    fromMs,
    toMs,
    reads: window.length,
    failedReads: window.filter((s) => !s.ok && s.error !== 'out of range').length,
    latencyMs: {
      p50: percentile(latencies, 0.5),
      p95: percentile(latencies, 0.95),
      p99: percentile(latencies, 0.99),
      max: latencies[latencies.length - 1] ?? 0,
    },
    longestGapMs,
    stalePeriods,
    outOfRange: window.filter((s) => s.error === 'out of range').length,
  };
}

function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}
