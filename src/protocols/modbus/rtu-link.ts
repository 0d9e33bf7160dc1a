// The raw link over Modbus RTU: our own RTU framing on a serial port the link owns. The line is
// half-duplex with one master, so requests run one at a time. A reply is complete when its function code
// says how long it is, or after a silence (for codes whose length the header does not tell).
import type { SerialPort } from 'serialport';
import { Inbox } from './inbox.js';
import { collectLogged, logExchange, sendChunks, toLinkReply } from './exchange-log.js';
import { closeSerial } from './serial-open.js';
import type { LinkReply, ModbusLink } from './types.js';
import { decodeRtu, encodeRtu, expectedRtuResponseLength } from './wire.js';
import { hex, ms, type WireLog } from './wire-log.js';

export interface RtuLinkOptions {
  port: SerialPort;
  baudRate: number;
  unitId: number;
  timeoutMs: number;
  log: WireLog;
  signal?: AbortSignal;
  onClose?: () => void;
}

/**
 * How long the line must stay quiet before a frame of unknown length counts as complete. The standard's
 * 3.5 characters is far below what USB adapters and ptys deliver in one go, so allow much more.
 */
export function rtuSilenceMs(baudRate: number): number {
  const charMs = (11 * 1000) / baudRate;
  return Math.max(30, Math.ceil(3.5 * charMs * 4));
}

interface Awaiting {
  request: Buffer;
  unitId: number;
  start: number;
  finish: (reply: LinkReply, replyBytes?: Buffer) => void;
}

export function createRtuLink(o: RtuLinkOptions): ModbusLink {
  const { port, log } = o;
  const inbox = new Inbox();
  const silenceMs = rtuSilenceMs(o.baudRate);
  let rx: Buffer = Buffer.alloc(0);
  let awaiting: Awaiting | undefined;
  let silence: NodeJS.Timeout | undefined;
  let queue: Promise<unknown> = Promise.resolve();
  let closed = false;
  let closing: Promise<void> | undefined;

  /** Tries to complete the awaited reply from rx; atSilence: the line went quiet, take what is there. */
  const settle = (atSilence: boolean) => {
    const a = awaiting;
    if (!a) return;
    while (rx.length > 0 && awaiting === a) {
      const need = expectedRtuResponseLength(rx);
      let frame: Buffer;
      if (need !== undefined && rx.length >= need) frame = rx.subarray(0, need);
      else if (atSilence) frame = rx;
      else return;
      rx = rx.subarray(frame.length);
      const decoded = decodeRtu(frame);
      if (decoded?.crcOk && decoded.unitId === a.unitId) {
        a.finish(toLinkReply(Buffer.from(decoded.pdu), ms(a.start)), frame);
      } else {
        // Not our answer (bad CRC, another unit, noise): a real master drops it; keep it for collect().
        const reason = decoded ? (decoded.crcOk ? `unit ${decoded.unitId}` : 'bad CRC') : 'too short';
        log.record('frame ignored', { bytes: hex(frame), reason });
        inbox.push(Buffer.from(frame));
      }
    }
  };

  const onData = (chunk: Buffer) => {
    if (!awaiting) {
      inbox.push(chunk);
      return;
    }
    rx = rx.length === 0 ? chunk : Buffer.concat([rx, chunk]);
    clearTimeout(silence);
    settle(false);
    if (awaiting && rx.length > 0) silence = setTimeout(() => settle(true), silenceMs);
  };

  const onError = (err: Error) => log.record('serial port error', { message: err.message });

  const onClose = () => {
    if (closed) return;
    closed = true;
    if (!closing) log.record('serial port closed');
    awaiting?.finish({ kind: 'closed', latencyMs: ms(awaiting.start) });
    inbox.markClosed();
    port.off('data', onData);
    port.off('error', onError);
    port.off('close', onClose);
    o.onClose?.();
  };

  port.on('data', onData);
  port.on('error', onError);
  port.on('close', onClose);

  /** Writes and waits until the bytes left the UART (tcdrain), so gaps between chunks are real. */
  const writeDrained = (bytes: Buffer) =>
    new Promise<boolean>((resolve) => {
      if (closed || !port.isOpen) return resolve(false);
      port.write(bytes);
      port.drain((err) => resolve(!err));
    });

  const exclusive = <T>(work: () => Promise<T>): Promise<T> => {
    const run = queue.then(work, work);
    queue = run.catch(() => undefined);
    return run;
  };

  const exchange = (pdu: Buffer, unitId: number, timeoutMs: number): Promise<LinkReply> => {
    const start = performance.now();
    const sent = encodeRtu(unitId, pdu);
    if (closed) {
      const reply: LinkReply = { kind: 'closed', latencyMs: 0 };
      logExchange(log, 'request', unitId, pdu, reply);
      return Promise.resolve(reply);
    }
    // Whatever arrived before this request is not its answer.
    if (rx.length > 0) inbox.push(rx);
    rx = Buffer.alloc(0);
    return new Promise<LinkReply>((resolve) => {
      const timer = setTimeout(() => a.finish({ kind: 'no-reply', latencyMs: ms(start) }), timeoutMs);
      const a: Awaiting = {
        request: pdu,
        unitId,
        start,
        finish: (reply, replyBytes) => {
          if (awaiting !== a) return;
          awaiting = undefined;
          clearTimeout(timer);
          clearTimeout(silence);
          if (rx.length > 0) inbox.push(rx);
          rx = Buffer.alloc(0);
          logExchange(log, 'request', unitId, pdu, reply, replyBytes);
          resolve(reply);
        },
      };
      awaiting = a;
      void writeDrained(sent).then((ok) => {
        if (!ok) a.finish({ kind: 'closed', latencyMs: ms(start) });
      });
    });
  };

  return {
    kind: 'rtu',
    get closed() {
      return closed;
    },
    frame(pdu, unitId) {
      return encodeRtu(unitId ?? o.unitId, pdu);
    },
    request(pdu, opts) {
      return exclusive(() => exchange(pdu, opts?.unitId ?? o.unitId, opts?.timeoutMs ?? o.timeoutMs));
    },
    sendRaw(chunks, gapMs = 0) {
      return exclusive(() => sendChunks(log, chunks, gapMs, writeDrained, o.signal));
    },
    collect(timeoutMs) {
      return collectLogged(log, inbox, timeoutMs, o.signal);
    },
    close() {
      closing ??= (async () => {
        await closeSerial(port);
        onClose();
      })();
      return closing;
    },
  };
}
