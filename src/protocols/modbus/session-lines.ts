// The two kinds of line a session runs on. TCP/TLS: modbus-serial on a socket we opened (it accepts an
// external net.Socket, which a TLSSocket is); our own FC 43 frames travel on the same socket with
// transaction ids above modbus-serial's (it counts modulo 256), so neither side takes the other's reply.
// RTU: modbus-serial's buffered RTU port, which owns the serial port; our own frames need the port to
// ourselves, so the session closes modbus-serial's port, borrows the line, and reopens it.
import type { Socket } from 'node:net';
import { serialConnectError } from './errors.js';
import { createMbapLink } from './mbap-link.js';
import { asModbusSerialError, ModbusRTU, type ModbusClient } from './modbus-serial-client.js';
import { createRtuLink } from './rtu-link.js';
import { closeSerial, openSerial, type SerialSettings } from './serial-open.js';
import type { SessionLine } from './session.js';
import { closeSocket } from './tcp-open.js';
import type { LinkReply } from './types.js';
import type { WireLog } from './wire-log.js';

/** Transaction ids for our own frames on a session's socket: never below 256, where modbus-serial counts. */
const RAW_IDS = { first: 0x8000, last: 0xffff };

class Drops {
  why: string | undefined;
  private readonly listeners = new Set<(why: string) => void>();
  on(listener: (why: string) => void): () => void {
    if (this.why !== undefined) {
      const why = this.why;
      queueMicrotask(() => listener(why));
      return () => {};
    }
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  drop(why: string): void {
    if (this.why !== undefined) return;
    this.why = why;
    for (const l of [...this.listeners]) l(why);
    this.listeners.clear();
  }
}

export interface TcpLineOptions {
  socket: Socket;
  host: string;
  port: number;
  kind: 'tcp' | 'tls';
  unitId: number;
  timeoutMs: number;
  log: WireLog;
  signal?: AbortSignal;
}

export async function tcpSessionLine(o: TcpLineOptions): Promise<SessionLine> {
  const { socket, log } = o;
  const drops = new Drops();
  let lastError: string | undefined;
  let closingByUs = false;
  let rawIds = RAW_IDS.first;
  socket.on('error', (err: NodeJS.ErrnoException) => {
    lastError = err.code ? `${err.message} (${err.code})` : err.message;
    log.record('connection error', { message: err.message, ...(err.code ? { code: err.code } : {}) });
  });
  socket.once('close', () => {
    if (!closingByUs) log.record('connection closed by the device', lastError ? { error: lastError } : undefined);
    drops.drop(closingByUs ? 'closed by the harness' : lastError ? `closed by the device: ${lastError}` : 'closed by the device');
  });
  if (socket.destroyed) drops.drop(lastError ?? 'closed before the session started');

  const client: ModbusClient = new ModbusRTU();
  client.on('error', () => undefined);
  try {
    await client.connectTCP(o.host, { port: o.port, socket });
  } catch (err) {
    // A TLS 1.3 device that refuses our certificate closes right after the handshake: that is a session whose
    // requests report the close, not a failure to connect.
    if (drops.why === undefined && !socket.destroyed) throw err;
  }
  // After connecting: set before, modbus-serial would also arm an idle timeout on the socket.
  client.setID(o.unitId);
  client.setTimeout(o.timeoutMs);

  return {
    client,
    get dropped() {
      return drops.why;
    },
    onDrop: (listener) => drops.on(listener),
    async withRaw(fn) {
      // Each use gets fresh ids inside the range, so a late reply to an earlier use cannot match.
      const first = rawIds;
      rawIds = rawIds + 16 > RAW_IDS.last ? RAW_IDS.first : rawIds + 16;
      const link = createMbapLink({
        socket,
        kind: o.kind,
        unitId: o.unitId,
        timeoutMs: o.timeoutMs,
        log,
        borrowed: true,
        transactionIds: { first, last: first + 15 },
        ...(o.signal ? { signal: o.signal } : {}),
      });
      try {
        return await fn((pdu) => link.request(pdu));
      } finally {
        await link.close();
      }
    },
    async close() {
      closingByUs = true;
      // Not client.close(): its callback waits for a 'close' event that never comes if the device closed first.
      await closeSocket(socket);
    },
  };
}

export interface RtuLineOptions {
  serial: SerialSettings;
  unitId: number;
  timeoutMs: number;
  connectTimeoutMs: number;
  log: WireLog;
  signal?: AbortSignal;
}

export async function rtuSessionLine(o: RtuLineOptions): Promise<SessionLine> {
  const { serial, log } = o;
  const drops = new Drops();
  let borrowing = false;
  let closingByUs = false;

  const client: ModbusClient = new ModbusRTU();
  client.on('error', (err) => log.record('serial port error', { message: asModbusSerialError(err).message ?? 'unknown' }));
  client.on('close', () => {
    if (borrowing || closingByUs) return;
    log.record('serial port closed');
    drops.drop('the serial port closed');
  });

  const connect = async () => {
    const opening = client.connectRTUBuffered(serial.path, {
      baudRate: serial.baudRate,
      parity: serial.parity,
      dataBits: serial.dataBits,
      stopBits: serial.stopBits,
    });
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        opening,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`did not open within ${o.connectTimeoutMs} ms`)), o.connectTimeoutMs);
        }),
      ]);
    } catch (err) {
      // If it opens after we gave up, release it.
      opening.then(() => client.close(() => undefined), () => undefined);
      throw serialConnectError(serial.path, err instanceof Error ? err : new Error(asModbusSerialError(err).message ?? String(err)));
    } finally {
      clearTimeout(timer);
    }
  };

  const release = () =>
    new Promise<void>((resolve) => {
      if (!client.isOpen) return resolve();
      const timer = setTimeout(resolve, 1000);
      client.close(() => {
        clearTimeout(timer);
        resolve();
      });
    });

  await connect();
  client.setID(o.unitId);
  client.setTimeout(o.timeoutMs);

  return {
    client,
    get dropped() {
      return drops.why;
    },
    onDrop: (listener) => drops.on(listener),
    async withRaw(fn) {
      borrowing = true;
      await release();
      try {
        const port = await openSerial(serial, o.connectTimeoutMs, o.signal);
        const link = createRtuLink({
          port,
          baudRate: serial.baudRate,
          unitId: o.unitId,
          timeoutMs: o.timeoutMs,
          log,
          ...(o.signal ? { signal: o.signal } : {}),
        });
        try {
          return await fn((pdu): Promise<LinkReply> => link.request(pdu));
        } finally {
          await link.close();
          await closeSerial(port);
        }
      } finally {
        try {
          if (!closingByUs) await connect();
        } catch (err) {
          drops.drop(`could not reopen the serial port: ${(err as Error).message}`);
        }
        borrowing = false;
      }
    },
    async close() {
      closingByUs = true;
      drops.drop('closed by the harness');
      await release();
    },
  };
}
