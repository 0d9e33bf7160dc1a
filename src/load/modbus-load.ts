// Modbus/TCP load generators for the DoS checks and the benchmark: a request flood, a connection flood
// and slow-drip partial frames. They pipeline their own MBAP frames over sockets the adapter opens, so
// the harness, not a client library, sets the pace.
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { encodeMbap, readRequest, takeMbapFrame } from '../protocols/modbus/wire.js';
import { holdConnectionsAtRate, type HoldStats } from './hold.js';
import { paced, rate } from './pacing.js';

export type OpenSocket = () => Promise<Socket>;

export interface RequestFloodStats {
  targetRate: number;
  durationMs: number;
  sent: number;
  answered: number;
  exceptions: number;
  /** Requests sent per second, as achieved. */
  sentPerSecond: number;
  /** Replies received per second: the rate the device actually sustained. */
  answeredPerSecond: number;
  connectionsOpened: number;
  connectionsClosedByDevice: number;
  connectFailures: number;
}

/** One pipelining connection: counts replies as MBAP frames arrive. */
class FloodConnection {
  private buf: Buffer = Buffer.alloc(0);
  private tid = 0;
  closedByDevice = false;
  constructor(
    readonly socket: Socket,
    private readonly onReply: (isException: boolean) => void,
    onClose: () => void,
  ) {
    socket.on('data', (d: Buffer) => {
      this.buf = Buffer.concat([this.buf, d]);
      for (let t = takeMbapFrame(this.buf); t; t = takeMbapFrame(this.buf)) {
        this.buf = t.rest;
        this.onReply(((t.frame.pdu[0] ?? 0) & 0x80) !== 0);
      }
    });
    socket.on('error', () => undefined);
    socket.once('close', () => {
      this.closedByDevice = true;
      onClose();
    });
  }
  get usable(): boolean {
    return !this.closedByDevice && !this.socket.destroyed && this.socket.writable;
  }
  send(unitId: number, pdu: Buffer): void {
    this.tid = (this.tid + 1) & 0xffff;
    this.socket.write(encodeMbap(this.tid, unitId, pdu));
  }
  destroy(): void {
    this.socket.removeAllListeners('close');
    this.socket.destroy();
  }
}

/**
 * Sends read requests at targetRate per second, spread over `connections` sockets, for durationMs. A socket
 * the device closes is replaced (at most once per 100 ms), since a device that drops a flooding client is
 * allowed to. targetRate Infinity keeps up to `window` requests outstanding per connection instead.
 */
export async function modbusRequestFlood(o: {
  open: OpenSocket;
  unitId: number;
  targetRate: number;
  durationMs: number;
  connections: number;
  signal: AbortSignal;
  pdu?: Buffer;
  window?: number;
}): Promise<RequestFloodStats> {
  const pdu = o.pdu ?? readRequest('holding', 0, 1);
  const stats: RequestFloodStats = {
    targetRate: o.targetRate,
    durationMs: 0,
    sent: 0,
    answered: 0,
    exceptions: 0,
    sentPerSecond: 0,
    answeredPerSecond: 0,
    connectionsOpened: 0,
    connectionsClosedByDevice: 0,
    connectFailures: 0,
  };
  const conns: FloodConnection[] = [];
  const outstanding = new Map<FloodConnection, number>();
  let lastReconnect = 0;
  let stopping = false;

  const connect = async (): Promise<FloodConnection | undefined> => {
    try {
      const socket = await o.open();
      stats.connectionsOpened++;
      const c: FloodConnection = new FloodConnection(
        socket,
        (isException) => {
          stats.answered++;
          if (isException) stats.exceptions++;
          outstanding.set(c, Math.max(0, (outstanding.get(c) ?? 1) - 1));
          if (o.targetRate === Infinity && !stopping) topUp(c);
        },
        () => {
          if (!stopping) stats.connectionsClosedByDevice++;
        },
      );
      outstanding.set(c, 0);
      return c;
    } catch {
      stats.connectFailures++;
      return undefined;
    }
  };
  const topUp = (c: FloodConnection) => {
    const window = o.window ?? 32;
    while (c.usable && (outstanding.get(c) ?? 0) < window) {
      c.send(o.unitId, pdu);
      stats.sent++;
      outstanding.set(c, (outstanding.get(c) ?? 0) + 1);
    }
  };

  for (let i = 0; i < o.connections; i++) {
    const c = await connect();
    if (c) conns.push(c);
  }
  const t0 = performance.now();
  let next = 0;
  const replaceClosed = () => {
    const now = performance.now();
    if (now - lastReconnect < 100) return;
    const dead = conns.findIndex((c) => !c.usable);
    if (dead < 0) return;
    lastReconnect = now;
    conns.splice(dead, 1);
    void connect().then((c) => {
      if (!c) return;
      if (stopping) c.destroy();
      else {
        conns.push(c);
        if (o.targetRate === Infinity) topUp(c);
      }
    });
  };
  if (o.targetRate === Infinity) {
    conns.forEach(topUp);
    await paced(100, o.durationMs, o.signal, replaceClosed);
  } else {
    await paced(o.targetRate, o.durationMs, o.signal, () => {
      replaceClosed();
      const usable = conns.filter((c) => c.usable);
      const c = usable[next++ % Math.max(1, usable.length)];
      if (!c) return;
      c.send(o.unitId, pdu);
      stats.sent++;
    });
  }
  stats.durationMs = Math.round(performance.now() - t0);
  // Replies still in flight count only if they arrive promptly.
  await new Promise((r) => setTimeout(r, 100));
  stopping = true;
  conns.forEach((c) => c.destroy());
  stats.sentPerSecond = rate(stats.sent, stats.durationMs);
  stats.answeredPerSecond = rate(stats.answered, stats.durationMs);
  return stats;
}

export interface ConnectionFloodStats extends HoldStats {
  targetRate: number;
  /** Of the held connections, how many answered their one read. */
  answered: number;
}

/** Opens new connections at targetRate per second and holds them (each sends one read), then closes them all. */
export async function modbusConnectionFlood(o: {
  open: OpenSocket;
  unitId: number;
  targetRate: number;
  durationMs: number;
  signal: AbortSignal;
}): Promise<ConnectionFloodStats> {
  let answered = 0;
  const held = await holdConnectionsAtRate({
    open: o.open,
    targetRate: o.targetRate,
    durationMs: o.durationMs,
    signal: o.signal,
    settleMs: 2000,
    onHeld: (socket) => {
      socket.once('data', () => answered++);
      socket.write(encodeMbap(1, o.unitId, readRequest('holding', 0, 1)));
    },
  });
  return { targetRate: o.targetRate, ...held, answered };
}

export interface SlowDripStats {
  connections: number;
  durationMs: number;
  bytesSent: number;
  /** Connections the device closed while their frame was incomplete (a partial-frame timeout at work). */
  closedByDevice: number;
  /** Longest time a connection was held open by the device with an incomplete frame. */
  longestHeldMs: number;
  connectFailures: number;
}

/**
 * Each connection sends a valid read request one byte every byteIntervalMs, so the device always holds a
 * partial frame. A connection the device closes is reopened (the attacker persists) after 100 ms.
 */
export async function modbusSlowDrip(o: {
  open: OpenSocket;
  unitId: number;
  connections: number;
  durationMs: number;
  byteIntervalMs: number;
  signal: AbortSignal;
}): Promise<SlowDripStats> {
  const stats: SlowDripStats = {
    connections: o.connections,
    durationMs: 0,
    bytesSent: 0,
    closedByDevice: 0,
    longestHeldMs: 0,
    connectFailures: 0,
  };
  const frame = encodeMbap(1, o.unitId, readRequest('holding', 0, 1));
  const t0 = performance.now();
  const deadline = t0 + o.durationMs;
  const live = new Set<Socket>();
  const dripper = async () => {
    while (performance.now() < deadline && !o.signal.aborted) {
      let socket: Socket;
      try {
        socket = await o.open();
      } catch {
        stats.connectFailures++;
        await sleep(100);
        continue;
      }
      live.add(socket);
      const opened = performance.now();
      let closed = false;
      socket.on('error', () => undefined);
      socket.once('close', () => (closed = true));
      for (let i = 0; !closed && performance.now() < deadline && !o.signal.aborted; i = (i + 1) % frame.length) {
        socket.write(frame.subarray(i, i + 1));
        stats.bytesSent++;
        await sleep(o.byteIntervalMs);
      }
      stats.longestHeldMs = Math.max(stats.longestHeldMs, Math.round(performance.now() - opened));
      if (closed && performance.now() < deadline) {
        stats.closedByDevice++;
        await sleep(100);
      }
      live.delete(socket);
      socket.destroy();
    }
  };
  await Promise.all(Array.from({ length: o.connections }, dripper));
  for (const s of live) s.destroy();
  stats.durationMs = Math.round(performance.now() - t0);
  return stats;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
