// One probe: a TCP connection, one hand-built hello, and the server's answer read only as far as needed.
// Every probe ends within its timeout and on abort, and always destroys its socket.
import net from 'node:net';
import { alertName, FlightReader, TlsWireError, type ServerFlight } from './wire.js';

export interface ProbeTarget {
  host: string;
  port: number;
}

export interface ProbeLimits {
  /** For connecting and for the whole answer. */
  timeoutMs: number;
  signal: AbortSignal;
}

export type ProbeAnswer =
  /** The server answered with (at least) a ServerHello or an SSL 2.0 SERVER-HELLO. */
  | { kind: 'hello'; flight: ServerFlight }
  | { kind: 'alert'; level: number; description: number; name: string }
  /** The server closed the connection without a word: how many stacks refuse what they do not support. */
  | { kind: 'closed' }
  | { kind: 'timeout' }
  /** Not a TLS answer at all (a plaintext service, garbage). */
  | { kind: 'not-tls'; message: string }
  /** The TCP connection itself failed. */
  | { kind: 'unreachable'; message: string };

export class ProbeAborted extends Error {
  override name = 'ProbeAborted';
}

export function probe(target: ProbeTarget, hello: Buffer, until: 'server-hello' | 'certificate' | 'key-exchange', limits: ProbeLimits): Promise<ProbeAnswer> {
  if (limits.signal.aborted) return Promise.reject(new ProbeAborted('the probe was aborted'));
  return new Promise((resolve, reject) => {
    const reader = new FlightReader(until);
    const socket = net.connect({ host: target.host, port: target.port });
    let connected = false;
    let settled = false;
    const finish = (answer: ProbeAnswer | Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      limits.signal.removeEventListener('abort', onAbort);
      socket.destroy();
      if (answer instanceof Error) reject(answer);
      else resolve(answer);
    };
    const fromFlight = (): ProbeAnswer => {
      const f = reader.flight;
      if (f.serverHello || f.ssl2) return { kind: 'hello', flight: f };
      if (f.alert) return { kind: 'alert', level: f.alert.level, description: f.alert.description, name: alertName(f.alert.description) };
      return { kind: 'closed' };
    };
    const onAbort = () => finish(new ProbeAborted('the probe was aborted'));
    const timer = setTimeout(() => {
      // What arrived before the deadline still counts (e.g. a ServerHello without the rest of the flight).
      const partial = fromFlight();
      finish(partial.kind === 'closed' ? { kind: 'timeout' } : partial);
    }, limits.timeoutMs);
    limits.signal.addEventListener('abort', onAbort, { once: true });
    socket.setNoDelay(true);
    socket.once('connect', () => {
      connected = true;
      socket.write(hello);
    });
    socket.on('data', (chunk: Buffer) => {
      try {
        if (reader.feed(chunk)) finish(fromFlight());
      } catch (err) {
        finish(err instanceof TlsWireError ? { kind: 'not-tls', message: err.message } : (err as Error));
      }
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      // A reset after the hello is a refusal like a close; before the connection it is unreachability.
      finish(connected ? fromFlight() : { kind: 'unreachable', message: err.code ?? err.message });
    });
    socket.on('close', () => finish(fromFlight()));
  });
}

/** One line for evidence: what the server answered. */
export function describeAnswer(a: ProbeAnswer): string {
  switch (a.kind) {
    case 'hello':
      return a.flight.ssl2 ? 'SSL 2.0 SERVER-HELLO' : a.flight.serverHello?.helloRetryRequest ? 'HelloRetryRequest' : 'ServerHello';
    case 'alert':
      return `alert ${a.name} (${a.description})`;
    case 'closed':
      return 'connection closed without an answer';
    case 'timeout':
      return 'no answer before the timeout';
    case 'not-tls':
      return `not TLS: ${a.message}`;
    case 'unreachable':
      return `unreachable: ${a.message}`;
  }
}
