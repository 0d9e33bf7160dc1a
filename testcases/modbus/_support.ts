// Shared by the Modbus checks: opening a raw link that may be refused, describing replies in words,
// and reading or writing through the link with the wire codec.
import type { CheckContext } from '../../src/core/testcase.js';
import type { LinkReply, ModbusConnectOptions, ModbusLink } from '../../src/protocols/modbus/types.js';
import {
  EXCEPTION_NAMES,
  parseReadValues,
  readRequest,
  writeSingleRequest,
  type RegisterTable,
} from '../../src/protocols/modbus/wire.js';

export type Ctx = CheckContext<'modbus'>;

export function transportName(ctx: Ctx): string {
  return ctx.client.kind === 'rtu' ? 'Modbus RTU' : ctx.client.kind === 'tls' ? 'Modbus/TCP Security' : 'Modbus TCP';
}

/** A link, or why the device would not let us open one (TLS handshake refused, connection refused, …). */
export async function openLink(ctx: Ctx, options: ModbusConnectOptions = {}): Promise<{ link: ModbusLink } | { refused: string }> {
  try {
    return { link: await ctx.client.link(options) };
  } catch (err) {
    return { refused: (err as Error).message };
  }
}

export function describeReply(r: LinkReply): string {
  switch (r.kind) {
    case 'response':
      return `a normal response (${r.latencyMs} ms)`;
    case 'exception':
      return `exception ${String(r.exceptionCode).padStart(2, '0')} (${EXCEPTION_NAMES[r.exceptionCode] ?? 'unknown'})`;
    case 'no-reply':
      return `no reply within ${r.latencyMs} ms`;
    case 'closed':
      return 'the connection closed';
  }
}

export type ReadOutcome = { ok: true; values: number[] } | { ok: false; reply: LinkReply; why: string };

export async function readVia(link: ModbusLink, table: RegisterTable, address: number, count: number): Promise<ReadOutcome> {
  const reply = await link.request(readRequest(table, address, count));
  if (reply.kind === 'response') {
    const values = parseReadValues(table, count, reply.pdu);
    if (values) return { ok: true, values };
    return { ok: false, reply, why: 'a response that does not parse as the values asked for' };
  }
  return { ok: false, reply, why: describeReply(reply) };
}

export async function writeVia(link: ModbusLink, table: 'holding' | 'coil', address: number, value: number): Promise<LinkReply> {
  return link.request(writeSingleRequest(table, address, value));
}

export function where(table: RegisterTable, address: number, count = 1): string {
  const name = { holding: 'holding register', input: 'input register', coil: 'coil', discrete: 'discrete input' }[table];
  return count > 1 ? `${name}s ${address}..${address + count - 1}` : `${name} ${address}`;
}
