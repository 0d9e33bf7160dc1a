// The monitor's arithmetic: gaps, stale periods and latency percentiles from samples. The monitor against a
// real simulator under real load is covered by the DoS checks' tests (test/dos.test.ts).
import t from 'tap';
import type { MonitorSample } from '../src/core/monitoring.js';
import { computeStats } from '../src/monitor/index.js';

const sample = (atMs: number, latencyMs: number, ok = true): MonitorSample => ({ atMs, ok, latencyMs, value: atMs });

t.test('a steady heartbeat has gaps of one poll and no stale period', async (t) => {
  const samples = Array.from({ length: 20 }, (_, i) => sample(i * 50, 2));
  const healthy = samples.map((s) => s.atMs);
  const s = computeStats(samples, healthy, 0, 950, 500);
  t.equal(s.reads, 20);
  t.equal(s.longestGapMs, 50);
  t.same(s.stalePeriods, []);
  t.equal(s.latencyMs.p50, 2);
});

t.test('a stall shows as the longest gap and one stale period', async (t) => {
  const healthy = [0, 50, 100, 1400, 1450];
  const samples = [...healthy.map((at) => sample(at, 3)), sample(1390, 1290)];
  const s = computeStats(samples, healthy, 0, 1500, 500);
  t.equal(s.longestGapMs, 1300);
  t.same(s.stalePeriods, [{ fromMs: 100, toMs: 1400, durationMs: 1300 }]);
  t.equal(s.latencyMs.max, 1290);
  t.equal(s.latencyMs.p99, 1290);
});

t.test('no healthy observation in the window: the whole window is one gap', async (t) => {
  const s = computeStats([sample(10, 5, false)], [], 0, 2000, 500);
  t.equal(s.longestGapMs, 2000);
  t.equal(s.failedReads, 1);
  t.equal(s.stalePeriods.length, 1);
});

t.test('a window counts only its own samples and observations', async (t) => {
  const healthy = [0, 100, 200, 300, 2000, 2100];
  const samples = healthy.map((at) => sample(at, 1));
  const s = computeStats(samples, healthy, 1900, 2200, 500);
  t.equal(s.reads, 2);
  t.equal(s.longestGapMs, 100);
});
