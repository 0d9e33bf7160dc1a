// Typed requests through modbus-serial, the same for TCP, TLS and RTU. One request at a time (the RTU
// client cannot match concurrent replies). Every call is bounded: modbus-serial never notices a closed
// connection while it waits, so a dropped line or a missing reply rejects here instead of hanging.
import { ModbusClosedError, ModbusTimeoutError } from './errors.js';
import { readDeviceIdRounds } from './device-id.js';
import { asModbusSerialError, type ModbusClient } from './modbus-serial-client.js';
import { ModbusExceptionError, type LinkReply, type ModbusSession, type ModbusTransportKind, type TlsFacts } from './types.js';
import { readRequest, writeSingleRequest, type RegisterTable } from './wire.js';
import { hex, ms, type WireLog } from './wire-log.js';

/** Slack past modbus-serial's own timeout before our guard gives up on it. */
const GUARD_SLACK_MS = 250;

/** What a session runs on: a connected modbus-serial client and a way to send our own PDUs beside it. */
export interface SessionLine {
  readonly client: ModbusClient;
  /** Why the line is gone, once it is. */
  readonly dropped: string | undefined;
  /** Calls back once when the line drops; returns the unsubscribe. */
  onDrop(listener: (why: string) => void): () => void;
  /** Runs fn with raw request access (our own codec) on the same line. */
  withRaw<T>(fn: (request: (pdu: Buffer) => Promise<LinkReply>) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface SessionOptions {
  kind: ModbusTransportKind;
  tls?: TlsFacts;
  line: SessionLine;
  unitId: number;
  timeoutMs: number;
  log: WireLog;
  onClose?: () => void;
}

export function createSession(o: SessionOptions): ModbusSession {
  const { line, log } = o;
  let queue: Promise<unknown> = Promise.resolve();
  let closing: Promise<void> | undefined;

  const exclusive = <T>(work: () => Promise<T>): Promise<T> => {
    const run = queue.then(work, work);
    queue = run.catch(() => undefined);
    return run;
  };

  /** One bounded call; errors become ModbusExceptionError, ModbusTimeoutError or ModbusClosedError. */
  const call = <T>(label: string, request: Buffer, work: () => Promise<T>, brief: (v: T) => unknown): Promise<T> =>
    exclusive(async () => {
      const fc = request[0]!;
      const start = performance.now();
      const entry = { fc, ...(request.length >= 3 ? { address: request.readUInt16BE(1) } : {}), unitId: o.unitId, request: hex(request) };
      if (closing || line.dropped) {
        const err = new ModbusClosedError(`${label}: the connection is closed${line.dropped ? ` (${line.dropped})` : ''}`);
        log.record(`${label} closed`, { ...entry, latencyMs: 0 });
        throw err;
      }
      let unsubscribe = () => {};
      let guard: NodeJS.Timeout | undefined;
      const op = work();
      op.catch(() => undefined); // it may settle after the race is decided
      try {
        const value = await Promise.race([
          op,
          new Promise<never>((_, reject) => {
            unsubscribe = line.onDrop((why) =>
              reject(new ModbusClosedError(`${label}: the connection closed before the device answered (${why})`)),
            );
            guard = setTimeout(() => reject(new ModbusTimeoutError(o.timeoutMs, label)), o.timeoutMs + GUARD_SLACK_MS);
          }),
        ]);
        log.record(`${label} response`, { ...entry, result: brief(value), latencyMs: ms(start) });
        return value;
      } catch (err) {
        const mapped = mapError(err, fc, label, o.timeoutMs);
        const kind =
          mapped instanceof ModbusExceptionError
            ? 'exception'
            : mapped instanceof ModbusTimeoutError
              ? 'no-reply'
              : mapped instanceof ModbusClosedError
                ? 'closed'
                : 'error';
        log.record(`${label} ${kind}`, {
          ...entry,
          ...(mapped instanceof ModbusExceptionError ? { exceptionCode: mapped.exceptionCode } : { message: mapped.message }),
          latencyMs: ms(start),
        });
        throw mapped;
      } finally {
        unsubscribe();
        clearTimeout(guard);
      }
    });

  const c = line.client;
  const session: ModbusSession = {
    kind: o.kind,
    ...(o.tls ? { tls: o.tls } : {}),

    read(table: RegisterTable, address: number, count: number) {
      const label = `read ${table}`;
      const request = readRequest(table, address, count);
      const brief = (v: number[]) => (v.length <= 16 ? v : [...v.slice(0, 16), `… ${v.length - 16} more`]);
      switch (table) {
        case 'holding':
          return call(label, request, async () => (await c.readHoldingRegisters(address, count)).data, brief);
        case 'input':
          return call(label, request, async () => (await c.readInputRegisters(address, count)).data, brief);
        case 'coil':
          return call(label, request, async () => bits((await c.readCoils(address, count)).data, count), brief);
        case 'discrete':
          return call(label, request, async () => bits((await c.readDiscreteInputs(address, count)).data, count), brief);
      }
    },

    async write(table, address, value) {
      const request = writeSingleRequest(table, address, value);
      await call(
        `write ${table}`,
        request,
        async () => {
          if (table === 'coil') await c.writeCoil(address, value !== 0);
          else await c.writeRegister(address, value & 0xffff);
        },
        () => 'ok',
      );
    },

    readDeviceIdentification() {
      return exclusive(async () => {
        if (closing || line.dropped) {
          throw new ModbusClosedError(`read device identification: the connection is closed${line.dropped ? ` (${line.dropped})` : ''}`);
        }
        const id = await line.withRaw((request) => readDeviceIdRounds(request, o.timeoutMs));
        log.record('device identification', {
          conformityLevel: id.conformityLevel,
          moreFollows: id.moreFollows,
          objects: Object.fromEntries(id.objects),
        });
        return id;
      });
    },

    close() {
      closing ??= (async () => {
        await line.close();
        o.onClose?.();
      })();
      return closing;
    },
  };
  return session;
}

/** Coils and discrete inputs as 0/1; modbus-serial pads them to whole bytes. */
function bits(data: boolean[], count: number): number[] {
  return data.slice(0, count).map((b) => (b ? 1 : 0));
}

function mapError(err: unknown, fc: number, label: string, timeoutMs: number): Error {
  if (err instanceof ModbusClosedError || err instanceof ModbusTimeoutError || err instanceof ModbusExceptionError) return err;
  const e = asModbusSerialError(err);
  if (typeof e.modbusCode === 'number') return new ModbusExceptionError(fc, e.modbusCode);
  if (e.name === 'TransactionTimedOutError') return new ModbusTimeoutError(timeoutMs, label);
  if (e.name === 'PortNotOpenError') return new ModbusClosedError(`${label}: the connection is closed`);
  // CRC or length errors: the device answered, but not with a valid reply.
  return new Error(`${label}: invalid reply (${e.message ?? 'unknown error'})`);
}

