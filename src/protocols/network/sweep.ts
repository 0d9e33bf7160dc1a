// The bounded TCP connect sweep: a fixed port list, new connections paced to the profile's rate, a small
// pool of connections in flight, a timeout per port, and an abort that closes everything at once.
import { setMaxListeners } from 'node:events';
import { probePort, type PortProbe, type PortState } from './probe-port.js';
import { createStartPacer } from './start-pacer.js';

export interface SweepOptions {
  /** Already resolved: the sweep must not send one DNS query per port. */
  address: string;
  ports: readonly number[];
  connectionsPerSecond: number;
  connectTimeoutMs: number;
  listenMs: number;
  quietMs: number;
  maxGreetingBytes: number;
  signal: AbortSignal;
  /** Called once per port as soon as it is classified. */
  onPort?: (probe: PortProbe) => void;
}

export interface SweepResult {
  address: string;
  /** One entry per port, ascending. */
  ports: PortProbe[];
  counts: Record<PortState, number>;
  durationMs: number;
  /** Connections in flight at most (connect plus the greeting wait). */
  concurrency: number;
  /** New connections per second actually achieved, from the first start to the last. */
  achievedRate: number;
}

/** Enough to keep the rate when every port times out, never more than this many open at once. */
const MAX_IN_FLIGHT = 64;

export function sweepConcurrency(connectionsPerSecond: number, connectTimeoutMs: number, portCount: number): number {
  const needed = Math.ceil((connectionsPerSecond * connectTimeoutMs) / 1000) + 1;
  return Math.max(1, Math.min(MAX_IN_FLIGHT, needed, portCount));
}

export async function sweepPorts(o: SweepOptions): Promise<SweepResult> {
  const started = performance.now();
  const concurrency = sweepConcurrency(o.connectionsPerSecond, o.connectTimeoutMs, o.ports.length);
  // One listener on the caller's signal; every socket and wait of the sweep listens to this one instead.
  const inner = new AbortController();
  setMaxListeners(2 * concurrency + 10, inner.signal);
  const forward = () => inner.abort(o.signal.reason);
  if (o.signal.aborted) forward();
  else o.signal.addEventListener('abort', forward, { once: true });
  const signal = inner.signal;
  const pacer = createStartPacer(o.connectionsPerSecond, signal);
  const queue = [...o.ports];
  const results: PortProbe[] = [];

  const worker = async () => {
    for (let port = queue.shift(); port !== undefined; port = queue.shift()) {
      await pacer.next();
      const probe = await probePort(o.address, port, { ...o, signal });
      results.push(probe);
      o.onPort?.(probe);
    }
  };
  // allSettled, so an abort rejects only after every socket is closed.
  const outcomes = await Promise.allSettled(Array.from({ length: concurrency }, worker));
  o.signal.removeEventListener('abort', forward);
  if (signal.aborted) throw signal.reason;
  const failed = outcomes.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;

  results.sort((a, b) => a.port - b.port);
  const counts: Record<PortState, number> = { open: 0, closed: 0, filtered: 0, error: 0 };
  for (const r of results) counts[r.state]++;
  const span = pacer.firstAt !== undefined && pacer.lastAt !== undefined ? pacer.lastAt - pacer.firstAt : 0;
  return {
    address: o.address,
    ports: results,
    counts,
    durationMs: Math.round(performance.now() - started),
    concurrency,
    achievedRate: pacer.granted > 1 && span > 0 ? Math.round(((pacer.granted - 1) * 1000 * 10) / span) / 10 : 0,
  };
}
