// The essential-function monitor's contract: disruptive checks watch what the device must keep doing
// (a heartbeat, a process value) while they load it, and report the numbers. Implemented in src/monitor.

export interface MonitorSample {
  /** Milliseconds since the watch started. */
  atMs: number;
  ok: boolean;
  value?: number;
  latencyMs?: number;
  error?: string;
}

export interface StalePeriod {
  fromMs: number;
  toMs: number;
  durationMs: number;
}

export interface MonitorStats {
  fromMs: number;
  toMs: number;
  reads: number;
  failedReads: number;
  /** Reply times of the monitor's reads, in ms. */
  latencyMs: { p50: number; p95: number; p99: number; max: number };
  /** Longest time without a healthy observation (a change, for a heartbeat; an in-range value, for a range). */
  longestGapMs: number;
  /** Periods longer than the function's own tolerance (mustChangeWithinMs). */
  stalePeriods: StalePeriod[];
  outOfRange: number;
}

export interface EssentialFunctionWatch {
  readonly name: string;
  /** Human-readable: what is watched, where, and the tolerance. */
  readonly describe: string;
  readonly toleranceMs: number | undefined;
  /** Milliseconds since the watch started. */
  now(): number;
  stats(fromMs: number, toMs?: number): MonitorStats;
  /** Waits until the function is healthy again; the ms it took, or undefined if not within timeoutMs. */
  waitHealthy(timeoutMs: number, signal?: AbortSignal): Promise<number | undefined>;
  samples(): MonitorSample[];
  stop(): Promise<void>;
}
