// Paces load generators: a fixed number of events per second over a bounded time, abortable.
import { performance } from 'node:perf_hooks';

/**
 * Calls fire() ratePerSecond times a second for durationMs (ticks of 10 ms carry the fractional part,
 * so low rates stay exact). Resolves with how many times it fired.
 */
export async function paced(
  ratePerSecond: number,
  durationMs: number,
  signal: AbortSignal,
  fire: () => void,
): Promise<number> {
  const t0 = performance.now();
  let fired = 0;
  while (!signal.aborted) {
    const elapsed = performance.now() - t0;
    if (elapsed >= durationMs) break;
    const due = Math.floor((elapsed / 1000) * ratePerSecond) + 1;
    while (fired < due && !signal.aborted) {
      fire();
      fired++;
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  return fired;
}

export function rate(count: number, ms: number): number {
  return ms > 0 ? Math.round((count / ms) * 1000) : 0;
}
