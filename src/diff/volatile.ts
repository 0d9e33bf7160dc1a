// What differs between two runs of an unchanged device, and so is not evidence drift: timings, rates and
// counters of the harness's own effort, and "days left" on a certificate, which shrinks by one every day.

import type { Measurement } from '../core/testcase.js';

/** Units of time and rate: a latency, a duration or a connection rate is measured anew each run. */
const VOLATILE_UNIT = /^(ms|s|µs|us|seconds?|minutes?)$|\/s$/i;

/**
 * Names of measurements that are statistics of a sample or the harness's own effort, not properties of the
 * device: timings (…Ms), rates, durations, latencies, how many connections the probe needed, and the
 * session-id entropy estimate (drawn from 16 random ids, so it moves a little every run).
 */
const VOLATILE_NAME = /\b(duration|rate|latency|separation|spread|connections)\b|entropy|waited/i;
/** camelCase timings: unknownUserMedianMs, baseline.longestGapMs, step1.monitorP95Ms. */
const TIMING_NAME = /Ms$|Rate$|Duration/;

export function isVolatileMeasurement(name: string, m: Measurement): boolean {
  return (m.unit !== undefined && VOLATILE_UNIT.test(m.unit)) || VOLATILE_NAME.test(name) || TIMING_NAME.test(name);
}

/** A finding value with its run-to-run noise masked, for comparison only (the raw value is what is shown). */
export function comparableValue(value: string): string {
  return value
    .replace(/\(\d+ days? left\)/g, '(… days left)')
    .replace(/\b\d+(\.\d+)? ?ms\b/g, '… ms');
}
