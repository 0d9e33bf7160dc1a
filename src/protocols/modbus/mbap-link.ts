// The raw link over Modbus TCP or Modbus/TCP Security: our own MBAP framing on a connected socket.
// Replies are matched by transaction id; bytes no request claims go to the inbox for collect().
// Also used borrowed, on a session's socket, with transaction ids modbus-serial never uses (see session).
import type { Socket } from 'node:net';
import { Inbox } from './inbox.js';
import { collectLogged, logExchange, sendChunks, toLinkReply } from './exchange-log.js';
import { closeSocket } from './tcp-open.js';
import type { LinkReply, ModbusLink, TlsFacts } from './types.js';
import { encodeMbap, takeMbapFrame } from './wire.js';
import { ms, type WireLog } from './wire-log.js';

export interface MbapLinkOptions {
  socket: Socket;
  kind: 'tcp' | 'tls';
  tls?: TlsFacts;
  unitId: number;
  timeoutMs: number;
  log: WireLog;
  signal?: AbortSignal;
  /** Transaction ids cycle within [first, last]; default the whole 16-bit range starting at 1. */
  transactionIds?: { first: number; last: number };
  /**
   * Borrowed: the socket belongs to someone else (a session). Frames with other transaction ids are
   * theirs, not inbox material, and close() only detaches.
   */
  borrowed?: boolean;
  onClose?: () => void;
}

interface Pending {
  request: Buffer;
  unitId: number;
  start: number;
  timer: NodeJS.Timeout;
  finish: (reply: LinkReply, replyBytes?: Buffer) => void;
}

export interface MbapLink extends ModbusLink {
  readonly kind: 'tcp' | 'tls';
}

export function createMbapLink(o: MbapLinkOptions): MbapLink {
  const { socket, log } = o;
  const ids = o.transactionIds ?? { first: 1, last: 0xffff };
  const pending = new Map<number, Pending>();
  const inbox = new Inbox();
  let nextId = ids.first;
  let rx: Buffer = Buffer.alloc(0);
  let closed = false;
  let closing: Promise<void> | undefined;

  const takeId = () => {
    const id = nextId;
    nextId = nextId >= ids.last ? ids.first : nextId + 1;
    return id;
  };

  const onData = (chunk: Buffer) => {
    if (pending.size === 0 && rx.length === 0) {
      if (!o.borrowed) inbox.push(chunk);
      return;
    }
    rx = rx.length === 0 ? chunk : Buffer.concat([rx, chunk]);
    for (let taken = takeMbapFrame(rx); taken; taken = takeMbapFrame(rx)) {
      const whole = rx.subarray(0, rx.length - taken.rest.length);
      rx = taken.rest;
      const p = pending.get(taken.frame.transactionId);
      if (p) p.finish(toLinkReply(taken.frame.pdu, ms(p.start)), whole);
      else if (!o.borrowed) inbox.push(whole);
    }
    // Nothing waits any more: what is left (garbage, a partial frame) belongs to collect().
    if (pending.size === 0 && rx.length > 0) {
      if (!o.borrowed) inbox.push(rx);
      rx = Buffer.alloc(0);
    }
  };

  const onError = (err: NodeJS.ErrnoException) => {
    // With TLS 1.3 a refused client certificate arrives here, after our handshake had completed.
    log.record('connection error', { message: err.message, ...(err.code ? { code: err.code } : {}) });
  };

  const onClose = () => {
    if (closed) return;
    closed = true;
    if (!closing) log.record('connection closed by the device');
    for (const p of [...pending.values()]) p.finish({ kind: 'closed', latencyMs: ms(p.start) });
    inbox.markClosed();
    detach();
    o.onClose?.();
  };

  const detach = () => {
    socket.off('data', onData);
    socket.off('error', onError);
    socket.off('close', onClose);
  };

  socket.on('data', onData);
  socket.on('error', onError);
  socket.on('close', onClose);
  if (socket.destroyed) queueMicrotask(onClose);

  const write = (bytes: Buffer) =>
    new Promise<boolean>((resolve) => {
      if (closed || socket.destroyed) return resolve(false);
      socket.write(bytes, (err) => resolve(!err));
    });

  const link: MbapLink = {
    kind: o.kind,
    ...(o.tls ? { tls: o.tls } : {}),
    get closed() {
      return closed;
    },

    frame(pdu, unitId) {
      return encodeMbap(takeId(), unitId ?? o.unitId, pdu);
    },

    request(pdu, opts) {
      const unitId = opts?.unitId ?? o.unitId;
      const timeoutMs = opts?.timeoutMs ?? o.timeoutMs;
      const start = performance.now();
      if (closed) {
        const reply: LinkReply = { kind: 'closed', latencyMs: 0 };
        logExchange(log, 'request', unitId, pdu, reply);
        return Promise.resolve(reply);
      }
      const id = takeId();
      return new Promise<LinkReply>((resolve) => {
        const p: Pending = {
          request: pdu,
          unitId,
          start,
          timer: setTimeout(() => p.finish({ kind: 'no-reply', latencyMs: ms(start) }), timeoutMs),
          finish: (reply, replyBytes) => {
            if (pending.get(id) !== p) return;
            clearTimeout(p.timer);
            pending.delete(id);
            logExchange(log, 'request', unitId, pdu, reply, replyBytes);
            resolve(reply);
          },
        };
        pending.set(id, p);
        void write(encodeMbap(id, unitId, pdu)).then((ok) => {
          if (!ok) p.finish({ kind: 'closed', latencyMs: ms(start) });
        });
      });
    },

    sendRaw(chunks, gapMs = 0) {
      return sendChunks(log, chunks, gapMs, write, o.signal);
    },

    collect(timeoutMs) {
      return collectLogged(log, inbox, timeoutMs, o.signal);
    },

    close() {
      closing ??= (async () => {
        if (o.borrowed) {
          for (const p of [...pending.values()]) p.finish({ kind: 'closed', latencyMs: ms(p.start) });
          detach();
          closed = true;
          return;
        }
        await closeSocket(socket);
        onClose();
      })();
      return closing;
    },
  };
  return link;
}
