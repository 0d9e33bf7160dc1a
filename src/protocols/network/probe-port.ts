// One port of the sweep: a plain TCP connect, classified open / closed / filtered, and on an open port a short
// wait for whatever the server says on its own. Nothing is ever sent: unknown services on OT devices can be
// fragile, and a protocol probe aimed at the wrong protocol is exactly what upsets them.
import { connect, type Socket } from 'node:net';

export type PortState = 'open' | 'closed' | 'filtered' | 'error';

export interface PortProbe {
  port: number;
  /** open: connected; closed: refused (RST); filtered: no answer in time, or an ICMP unreachable; error: a local failure. */
  state: PortState;
  /** Time until connected or refused. */
  connectMs?: number;
  /** The error code or the timeout that decided the state. */
  detail?: string;
  /** What an open port's server sent before otconform sent anything (possibly empty). */
  greeting?: Buffer;
  /** The server closed the connection while otconform was listening. */
  peerClosed?: boolean;
}

export interface ProbeOptions {
  connectTimeoutMs: number;
  /** How long to wait for the first byte of a greeting; a greeting never takes longer than twice this in all. */
  listenMs: number;
  /** Once something has arrived: how long a silence ends the greeting. */
  quietMs: number;
  maxGreetingBytes: number;
  signal: AbortSignal;
}

/** Errors that mean the device (or something on the path) refused the connection outright. */
const REFUSED = new Set(['ECONNREFUSED', 'ECONNRESET']);
/** Errors that mean a router or the host said "unreachable": nmap calls these filtered too. */
const UNREACHABLE = new Set(['EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENETDOWN', 'ETIMEDOUT']);
/** How long a polite close (FIN) may take before the socket is destroyed. */
const CLOSE_GRACE_MS = 250;

export function probePort(address: string, port: number, o: ProbeOptions): Promise<PortProbe> {
  return new Promise((resolve) => {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    let socket: Socket;
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const chunks: Buffer[] = [];
    let bytes = 0;
    let connectMs: number | undefined;
    let peerClosed = false;

    const finish = (probe: Omit<PortProbe, 'port'>, polite: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      o.signal.removeEventListener('abort', onAbort);
      socket.removeAllListeners('data');
      socket.on('error', () => undefined); // late errors after the verdict are irrelevant
      if (!polite || socket.destroyed) {
        socket.destroy();
        resolve({ port, ...probe });
        return;
      }
      // A FIN rather than a RST: some embedded stacks log or mishandle abrupt resets.
      const grace = setTimeout(() => socket.destroy(), CLOSE_GRACE_MS);
      socket.once('close', () => {
        clearTimeout(grace);
        resolve({ port, ...probe });
      });
      socket.end();
      socket.resume();
    };
    const greetingResult = () => ({
      state: 'open' as const,
      connectMs,
      greeting: Buffer.concat(chunks, bytes),
      ...(peerClosed ? { peerClosed } : {}),
    });
    const onAbort = () => finish({ state: 'error', detail: 'aborted' }, false);

    if (o.signal.aborted) return resolve({ port, state: 'error', detail: 'aborted' });
    o.signal.addEventListener('abort', onAbort, { once: true });
    socket = connect({ host: address, port });
    timer = setTimeout(() => finish({ state: 'filtered', detail: `no answer within ${o.connectTimeoutMs} ms` }, false), o.connectTimeoutMs);

    socket.once('connect', () => {
      connectMs = elapsed();
      // A server that trickles bytes must not hold the sweep: the whole greeting ends by this deadline.
      const deadline = performance.now() + 2 * o.listenMs;
      clearTimeout(timer);
      timer = setTimeout(() => finish(greetingResult(), true), o.listenMs);
      socket.on('data', (chunk: Buffer) => {
        const room = o.maxGreetingBytes - bytes;
        chunks.push(chunk.subarray(0, room));
        bytes += Math.min(room, chunk.length);
        clearTimeout(timer);
        if (bytes >= o.maxGreetingBytes) return finish(greetingResult(), true);
        timer = setTimeout(() => finish(greetingResult(), true), Math.max(0, Math.min(o.quietMs, deadline - performance.now())));
      });
      socket.once('end', () => {
        peerClosed = true;
        finish(greetingResult(), false);
      });
    });
    socket.once('error', (err: NodeJS.ErrnoException) => {
      const code = err.code ?? err.message;
      if (connectMs !== undefined) {
        // The port was open; a reset while listening only ends the greeting.
        peerClosed = true;
        return finish({ ...greetingResult(), detail: code }, false);
      }
      const state: PortState = REFUSED.has(code) ? 'closed' : UNREACHABLE.has(code) ? 'filtered' : 'error';
      finish({ state, connectMs: elapsed(), detail: code }, false);
    });
  });
}
