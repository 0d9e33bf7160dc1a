// The network client checks receive: resolves the host once and runs the bounded connect sweep against it,
// recording what it did in the check's transcript.
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { Transcript } from '../../core/transcript.js';
import type { NetworkTarget } from '../../profiles/services.js';
import { sweepPorts, type SweepResult } from './sweep.js';

export interface FixtureOptions {
  signal: AbortSignal;
  connectTimeoutMs: number;
}

export type { PortProbe, PortState } from './probe-port.js';
export type { SweepResult } from './sweep.js';

/** Once a greeting has started: this much silence ends it. */
const QUIET_MS = 300;
/** Enough for any ident line, FTP/SMTP banner or login prompt; a server that keeps talking is cut off here. */
const MAX_GREETING_BYTES = 2048;

export class NetworkFixture {
  constructor(
    readonly service: NetworkTarget,
    readonly transcript: Transcript,
    readonly options: FixtureOptions,
  ) {}

  /**
   * How long an open port is given to greet: twice the connect timeout (a device slow to accept is slow to
   * talk too), at least 1 s, at most 5 s.
   */
  get listenMs(): number {
    return Math.min(5000, Math.max(1000, 2 * this.service.settings.connectTimeoutMs));
  }

  /** Connects to every port once, at the profile's rate, and listens on the open ones without sending anything. */
  async sweep(ports: readonly number[]): Promise<SweepResult & { host: string }> {
    const { host, settings } = this.service;
    const address = await this.resolve(host);
    this.transcript.record('sweep start', {
      host,
      address,
      ports: ports.length,
      connectionsPerSecond: settings.connectionsPerSecond,
      connectTimeoutMs: settings.connectTimeoutMs,
      listenMs: this.listenMs,
    });
    const result = await sweepPorts({
      address,
      ports,
      connectionsPerSecond: settings.connectionsPerSecond,
      connectTimeoutMs: settings.connectTimeoutMs,
      listenMs: this.listenMs,
      quietMs: QUIET_MS,
      maxGreetingBytes: MAX_GREETING_BYTES,
      signal: this.options.signal,
      onPort: (p) => {
        if (p.state !== 'open') return;
        this.transcript.record('open', {
          port: p.port,
          connectMs: p.connectMs,
          greetingBytes: p.greeting?.length ?? 0,
          ...(p.greeting?.length ? { greetingHex: p.greeting.subarray(0, 256).toString('hex') } : {}),
          ...(p.peerClosed ? { peerClosed: true } : {}),
        });
      },
    });
    this.transcript.record('sweep end', { counts: result.counts, durationMs: result.durationMs, achievedRate: result.achievedRate, concurrency: result.concurrency });
    return { host, ...result };
  }

  private async resolve(host: string): Promise<string> {
    if (isIP(host)) return host;
    const { signal } = this.options;
    signal.throwIfAborted();
    let onAbort: (() => void) | undefined;
    // dns.lookup cannot be cancelled; the race at least stops waiting for it.
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => reject(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      return (await Promise.race([lookup(host), aborted])).address;
    } catch (err) {
      if (signal.aborted) throw err;
      throw new Error(`cannot resolve ${host}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    } finally {
      if (onAbort) signal.removeEventListener('abort', onAbort);
    }
  }

  async close(): Promise<void> {}
}
