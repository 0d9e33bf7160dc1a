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

/**
 * Writes raw chunks with gapMs of silence between them, stopping when the link is gone (collect() then reports
 * the close). One transcript entry per call, not per chunk: a byte-at-a-time probe would flood the transcript.
 */
export async function sendChunks(
  log: WireLog,
  chunks: Buffer[],
  gapMs: number,
  write: (chunk: Buffer) => Promise<boolean>,
  signal?: AbortSignal,
): Promise<void> {
  let sent = 0;
  for (const [i, chunk] of chunks.entries()) {
    if (i > 0) await sleep(gapMs, signal);
    if (!(await write(chunk))) break;
    sent++;
  }
  log.record('sendRaw', {
    chunks: chunks.length,
    gapMs,
    bytes: hex(Buffer.concat(chunks)),
    ...(sent < chunks.length ? { note: `link closed after ${sent} chunks` } : {}),
  });
}

export async function collectLogged(
  log: WireLog,
  inbox: { collect(timeoutMs: number, signal?: AbortSignal): Promise<{ bytes: Buffer; closed: boolean }> },
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<{ bytes: Buffer; closed: boolean }> {
  const got = await inbox.collect(timeoutMs, signal);
  log.record('collect', { bytes: hex(got.bytes), length: got.bytes.length, closed: got.closed, waitedMs: timeoutMs });
  return got;
}
