// The Modbus client a check drives: sessions (typed, through modbus-serial), raw links (our codec) and
// bare sockets (load generators), for Modbus TCP, Modbus/TCP Security and Modbus RTU. It tracks all it
// opened, closes everything on close() or when the run's signal aborts, and on a serial line lets only
// one session or link own the port at a time.
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { UsageError } from '../../core/errors.js';
import type { Transcript } from '../../core/transcript.js';
import type { ModbusService } from '../../profiles/schema.js';
import { modbusAddress, modbusPort } from '../../profiles/services.js';
import { createMbapLink } from './mbap-link.js';
import { createRtuLink } from './rtu-link.js';
import { openSerial } from './serial-open.js';
import { createSession } from './session.js';
import { rtuSessionLine, tcpSessionLine } from './session-lines.js';
import { clientTls, tlsFacts } from './tls-setup.js';
import { closeSocket, guardErrors, openTcp, upgradeTls } from './tcp-open.js';
import type {
  ModbusClientFixture,
  ModbusConnectOptions,
  ModbusLink,
  ModbusSession,
  ModbusTransportKind,
  TlsFacts,
} from './types.js';
import { boundedLog, ms, type WireLog } from './wire-log.js';

export interface ModbusFixtureOptions {
  signal?: AbortSignal;
  /** Bounds each connect step: TCP connect, TLS handshake, serial open. */
  connectTimeoutMs: number;
  /** Transcript entries before only counting (default 500). */
  logLimit?: number;
}

interface Closeable {
  close(): Promise<void>;
}

export function createModbusFixture(
  service: ModbusService,
  transcript: Transcript,
  opts: ModbusFixtureOptions,
): ModbusClientFixture {
  return new ModbusFixture(service, transcript, opts);
}

class ModbusFixture implements ModbusClientFixture {
  readonly kind: ModbusTransportKind;
  readonly address: string;
  readonly unitId: number;
  private readonly log: WireLog;
  private readonly open = new Set<Closeable>();
  private closing: Promise<void> | undefined;
  /** RTU: the session or link that has the serial port, and the queue that hands it over. */
  private lineOwner: Closeable | undefined;
  private lineQueue: Promise<unknown> = Promise.resolve();
  private readonly onAbort = () => void this.close();

  constructor(
    private readonly service: ModbusService,
    transcript: Transcript,
    private readonly opts: ModbusFixtureOptions,
  ) {
    this.kind = service.serial ? 'rtu' : service.tls ? 'tls' : 'tcp';
    this.address = modbusAddress(service);
    this.unitId = service.unitId;
    this.log = boundedLog(transcript, opts.logLimit);
    opts.signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  async session(options: ModbusConnectOptions = {}): Promise<ModbusSession> {
    const timeoutMs = options.timeoutMs ?? this.service.timeoutMs;
    const signal = this.opts.signal;
    if (this.kind === 'rtu') {
      return this.takeLine(async () => {
        const line = await rtuSessionLine({
          serial: this.serial(),
          unitId: this.unitId,
          timeoutMs,
          connectTimeoutMs: this.opts.connectTimeoutMs,
          log: this.log,
          ...(signal ? { signal } : {}),
        });
        this.log.record('session opened', { transport: 'rtu', address: this.address });
        return this.track(createSession({ kind: 'rtu', line, unitId: this.unitId, timeoutMs, log: this.log }));
      });
    }
    const { socket, tls } = await this.connect(options);
    try {
      const line = await tcpSessionLine({
        socket,
        host: this.host(),
        port: modbusPort(this.service),
        kind: this.kind,
        unitId: this.unitId,
        timeoutMs,
        log: this.log,
        ...(signal ? { signal } : {}),
      });
      return this.track(createSession({ kind: this.kind, ...(tls ? { tls } : {}), line, unitId: this.unitId, timeoutMs, log: this.log }));
    } catch (err) {
      socket.destroy();
      throw err;
    }
  }

  async link(options: ModbusConnectOptions = {}): Promise<ModbusLink> {
    const timeoutMs = options.timeoutMs ?? this.service.timeoutMs;
    const signal = this.opts.signal;
    if (this.kind === 'rtu') {
      return this.takeLine(async () => {
        const serial = this.serial();
        const port = await openSerial(serial, this.opts.connectTimeoutMs, signal);
        this.log.record('link opened', { transport: 'rtu', address: this.address });
        return this.track(
          createRtuLink({ port, baudRate: serial.baudRate, unitId: this.unitId, timeoutMs, log: this.log, ...(signal ? { signal } : {}) }),
        );
      });
    }
    const { socket, tls } = await this.connect(options);
    return this.track(
      createMbapLink({
        socket,
        kind: this.kind,
        ...(tls ? { tls } : {}),
        unitId: this.unitId,
        timeoutMs,
        log: this.log,
        ...(signal ? { signal } : {}),
      }),
    );
  }

  async socket(options: ModbusConnectOptions = {}): Promise<Socket> {
    if (this.kind === 'rtu') {
      throw new UsageError(`socket() is for Modbus TCP; ${this.address} is a serial line (use link())`);
    }
    const { socket } = await this.connect(options);
    const handle: Closeable = { close: () => closeSocket(socket) };
    this.track(handle);
    socket.once('close', () => this.open.delete(handle));
    return socket;
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      this.opts.signal?.removeEventListener('abort', this.onAbort);
      await Promise.all([...this.open].map((c) => c.close().catch(() => undefined)));
      this.open.clear();
      this.log.flush();
    })();
    return this.closing;
  }

  /** TCP connect, and the TLS handshake for a TLS service; records how long each took. */
  private async connect(options: ModbusConnectOptions): Promise<{ socket: Socket; tls?: TlsFacts }> {
    this.assertOpen();
    const host = this.host();
    const port = modbusPort(this.service);
    const where = `${host}:${port}`;
    const timeoutMs = this.opts.connectTimeoutMs;
    const signal = this.opts.signal;
    // Read the certificate files before touching the network: a profile mistake is not a device fault.
    const tlsSetup = this.kind === 'tls' ? clientTls(this.service, options) : undefined;
    const started = performance.now();
    let socket: Socket;
    try {
      socket = await openTcp(host, port, timeoutMs, signal);
    } catch (err) {
      this.log.record('connect failed', { address: where, message: (err as Error).message });
      throw err;
    }
    const tcpMs = ms(started);
    if (!tlsSetup) {
      this.log.record('connected', { address: where, tcpMs });
      return this.guard(socket);
    }
    const handshakeStart = performance.now();
    const request = {
      presented: tlsSetup.presented,
      ...(tlsSetup.options.minVersion ? { minVersion: tlsSetup.options.minVersion } : {}),
      ...(tlsSetup.options.maxVersion ? { maxVersion: tlsSetup.options.maxVersion } : {}),
      ...(tlsSetup.options.ciphers ? { ciphers: tlsSetup.options.ciphers } : {}),
    };
    let secure: TLSSocket;
    try {
      secure = await upgradeTls(socket, tlsSetup.options, where, timeoutMs, signal);
    } catch (err) {
      this.log.record('tls handshake failed', { address: where, ...request, message: (err as Error).message });
      throw err;
    }
    const tls = tlsFacts(secure, tlsSetup.verifies);
    this.log.record('tls handshake', {
      address: where,
      ...request,
      protocol: tls.protocol,
      cipher: tls.cipher.standardName ?? tls.cipher.name,
      authorized: tls.authorized,
      ...(tls.authorizationError ? { authorizationError: tls.authorizationError } : {}),
      tcpMs,
      handshakeMs: ms(handshakeStart),
    });
    return { ...this.guard(secure), tls };
  }

  /** A socket that appears after close() started is closed at once. */
  private guard(socket: Socket): { socket: Socket } {
    guardErrors(socket);
    if (this.closing) {
      socket.destroy();
      this.assertOpen();
    }
    return { socket };
  }

  /** RTU: waits its turn, closes whatever has the port, then opens the next owner. */
  private takeLine<T extends Closeable>(openNext: () => Promise<T>): Promise<T> {
    const run = this.lineQueue.then(async () => {
      this.assertOpen();
      if (this.lineOwner) {
        this.log.record('serial port handed over', { note: 'only one session or link may use the serial port' });
        await this.lineOwner.close();
        this.lineOwner = undefined;
      }
      const owner = await openNext();
      this.lineOwner = owner;
      return owner;
    });
    this.lineQueue = run.catch(() => undefined);
    return run;
  }

  private track<T extends Closeable>(resource: T): T {
    if (this.closing) {
      void resource.close();
      this.assertOpen();
    }
    this.open.add(resource);
    const close = resource.close.bind(resource);
    // Forget it once closed, so a long check does not accumulate closed handles.
    resource.close = () => {
      this.open.delete(resource);
      if (this.lineOwner === resource) this.lineOwner = undefined;
      return close();
    };
    return resource;
  }

  private assertOpen(): void {
    if (this.closing) throw new Error(`the Modbus fixture for ${this.address} is closed`);
  }

  private host(): string {
    if (!this.service.host) throw new UsageError(`${this.address} has no host`);
    return this.service.host;
  }

  private serial(): NonNullable<ModbusService['serial']> {
    if (!this.service.serial) throw new UsageError(`${this.address} has no serial settings`);
    return this.service.serial;
  }
}
