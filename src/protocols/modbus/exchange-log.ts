// One transcript entry per exchange: what was asked (function code, address, bytes) and what came back.
import { parseReply } from './wire.js';
import type { LinkReply } from './types.js';
import { hex, type WireLog } from './wire-log.js';

/** Function codes whose PDU starts with a 16-bit address after the function code. */
const ADDRESSED = new Set([0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x0f, 0x10, 0x16, 0x17]);

export function describePdu(pdu: Buffer): { fc?: number; address?: number } {
  const fc = pdu[0];
  if (fc === undefined) return {};
  return ADDRESSED.has(fc) && pdu.length >= 3 ? { fc, address: pdu.readUInt16BE(1) } : { fc };
}

export function toLinkReply(pdu: Buffer, latencyMs: number): LinkReply {
  const parsed = parseReply(pdu);
  return parsed?.kind === 'exception'
    ? { kind: 'exception', functionCode: parsed.functionCode, exceptionCode: parsed.exceptionCode, latencyMs }
    : { kind: 'response', pdu, latencyMs };
}

export function logExchange(
  log: WireLog,
  via: string,
  unitId: number,
  request: Buffer,
  reply: LinkReply,
  replyBytes?: Buffer,
): void {
  log.record(`${via} ${reply.kind}`, {
    ...describePdu(request),
    unitId,
    request: hex(request),
    ...(reply.kind === 'exception' ? { exceptionCode: reply.exceptionCode } : {}),
    ...(replyBytes ? { reply: hex(replyBytes) } : {}),
    latencyMs: reply.latencyMs,
  });
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0 || signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
