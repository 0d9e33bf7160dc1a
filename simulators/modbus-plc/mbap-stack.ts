// The MBAP (Modbus TCP) stack behind both the plain port and Modbus/TCP Security: framing, admission,
// rate limiting and what a malformed or incomplete frame does, all as the preset's MbapStackBehaviour says.

import type { Socket } from 'node:net';
import { encodeMbap, MAX_PDU_LENGTH, MBAP_HEADER_LENGTH, takeMbapFrame, type MbapFrame } from '../../src/protocols/modbus/wire.js';
import type { PlcDevice } from './device.js';
import type { AccessPath, MbapStackBehaviour } from './presets.js';
import { TokenBucket } from './token-bucket.js';

/** node reads a socket in chunks of at most 64 KiB; a full chunk may end mid-frame without any malice. */
const SOCKET_READ_CHUNK = 65536;
/** Unit id + PDU. */
const MAX_MBAP_LENGTH = MAX_PDU_LENGTH + 1;

export class MbapStack {
  /** Every admitted socket, TLS handshakes still in progress included (they count toward the limit). */
  private readonly admitted = new Set<Socket>();
  private readonly connections = new Set<MbapConnection>();
  private readonly detach: Array<() => void> = [];

  constructor(
    private readonly device: PlcDevice,
    private readonly behaviour: MbapStackBehaviour,
  ) {
    if (behaviour.partialFrameBlocksScan) {
      this.detach.push(device.addScanBlocker(() => [...this.connections].some((c) => c.holdsPartialFrame)));
    }
    this.detach.push(device.onWatchdogReset(() => this.dropAll()));
  }

  /**
   * Called for every accepted TCP connection, before any TLS handshake. Returns false when the connection
   * was closed at once: the device is resetting, or the connection limit is reached.
   */
  admit(socket: Socket): boolean {
    socket.on('error', () => {}); // resets by peers are normal here; 'close' does the bookkeeping
    const limit = this.behaviour.maxConnections;
    if (this.device.resetting || (limit !== null && this.admitted.size >= limit)) {
      socket.destroy();
      return false;
    }
    this.admitted.add(socket);
    socket.once('close', () => this.admitted.delete(socket));
    this.device.connectionOpened();
    return true;
  }

  /** Starts serving MBAP on an admitted socket (a TLS socket once its handshake is done). */
  serve(socket: Socket, access: AccessPath): void {
    const connection = new MbapConnection(socket, access, this.device, this.behaviour);
    this.connections.add(connection);
    socket.once('close', () => this.connections.delete(connection));
  }

  dropAll(): void {
    for (const socket of this.admitted) socket.destroy();
    for (const c of this.connections) c.close();
  }

  close(): void {
    for (const fn of this.detach.splice(0)) fn();
    this.dropAll();
  }
}

class MbapConnection {
  private buffer: Buffer = Buffer.alloc(0);
  private partialTimer: NodeJS.Timeout | undefined;
  private readonly bucket: TokenBucket | undefined;
  private closed = false;

  constructor(
    private readonly socket: Socket,
    private readonly access: AccessPath,
    private readonly device: PlcDevice,
    private readonly behaviour: MbapStackBehaviour,
  ) {
    const limit = behaviour.rateLimit;
    this.bucket = limit ? new TokenBucket(limit.requestsPerSecond, limit.burst) : undefined;
    socket.on('error', () => {});
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.once('close', () => this.markClosed());
  }

  get holdsPartialFrame(): boolean {
    return !this.closed && this.buffer.length > 0;
  }

  close(): void {
    this.markClosed();
    this.socket.destroy();
  }

  private markClosed(): void {
    this.closed = true;
    clearTimeout(this.partialTimer);
  }

  private onData(chunk: Buffer): void {
    if (this.closed) return;
    let buf = this.buffer.length > 0 ? Buffer.concat([this.buffer, chunk]) : chunk;
    let tookFrame = false;
    while (buf.length > 0) {
      if (tookFrame && this.behaviour.segmentEndsOnFrame && chunk.length < SOCKET_READ_CHUNK && !looksLikeFrameStart(buf)) {
        return this.malformed(); // the length field was smaller than the data that followed it
      }
      if (buf.length < MBAP_HEADER_LENGTH) break;
      const length = buf.readUInt16BE(4);
      if (length < 2 || length > MAX_MBAP_LENGTH || (this.behaviour.checkProtocolId && buf.readUInt16BE(2) !== 0)) {
        return this.malformed();
      }
      const taken = takeMbapFrame(buf);
      if (!taken) break;
      buf = taken.rest;
      tookFrame = true;
      this.handle(taken.frame);
      if (this.closed) return;
    }
    this.buffer = buf;
    this.trackPartialFrame(tookFrame);
  }

  /** A frame still incomplete after partialFrameTimeoutMs, counted from its first byte, closes the connection. */
  private trackPartialFrame(newFrameStarted: boolean): void {
    const timeout = this.behaviour.partialFrameTimeoutMs;
    if (this.buffer.length === 0 || timeout === null) {
      clearTimeout(this.partialTimer);
      this.partialTimer = undefined;
      return;
    }
    if (this.partialTimer && !newFrameStarted) return; // a slow drip does not buy more time
    clearTimeout(this.partialTimer);
    this.partialTimer = setTimeout(() => this.close(), timeout);
    this.partialTimer.unref();
  }

  private handle(frame: MbapFrame): void {
    if (this.bucket && !this.bucket.take()) return; // over the rate limit: dropped without an answer
    this.device.submit({
      pdu: frame.pdu,
      access: this.access,
      alive: () => !this.closed,
      reply: (pdu) => {
        if (!this.closed) this.socket.write(encodeMbap(frame.transactionId, frame.unitId, pdu));
      },
    });
  }

  private malformed(): void {
    this.buffer = Buffer.alloc(0);
    if (this.behaviour.onMalformedFrame === 'watchdog-reset') this.device.watchdogReset();
    this.close();
  }
}

/** Whether bytes left after a frame can be the start of another one. */
function looksLikeFrameStart(buf: Buffer): boolean {
  return buf.length >= MBAP_HEADER_LENGTH && buf.readUInt16BE(2) === 0;
}
