import { defineTestCase, verdict } from '../../src/core/testcase.js';
import type { ModbusLink } from '../../src/protocols/modbus/types.js';
import { decodeRtu, encodeMbap, encodeRtu, parseReply, readRequest, takeMbapFrame } from '../../src/protocols/modbus/wire.js';
import { openLink, readVia, transportName } from './_support.js';

/** What a robust device may do with the frame: drop it, close the connection, or answer with one exception. */
type Acceptable = 'no-reply' | 'closed' | `exception ${number}`;

interface MalformedCase {
  id: string;
  /** What is wrong with the frame, and what the specification requires. */
  what: string;
  transports: ('tcp' | 'rtu')[];
  acceptable: Acceptable[];
  /** The bytes to send (chunks with gapMs of silence between them). */
  build(unitId: number, framing: 'tcp' | 'rtu'): { chunks: Buffer[]; gapMs?: number };
}

const TID = 0x7a01;
const read1 = readRequest('holding', 0, 1);
const framed = (unitId: number, framing: 'tcp' | 'rtu', pdu: Buffer) => ({
  chunks: [framing === 'tcp' ? encodeMbap(TID, unitId, pdu) : encodeRtu(unitId, pdu)],
});

// The cases are data: each cites the rule it probes (MB = Modbus Application Protocol v1.1b3,
// TCP = Modbus Messaging on TCP/IP v1.0b, RTU = Modbus over Serial Line v1.02).
const CASES: MalformedCase[] = [
  {
    id: 'mbap-length-longer-than-frame',
    what: 'MBAP length says 20 bytes follow, only 6 arrive (TCP 3.1.3): the device must wait or time out, never answer or stall',
    transports: ['tcp'],
    acceptable: ['no-reply', 'closed'],
    build: (u) => ({ chunks: [encodeMbap(TID, u, read1, 20)] }),
  },
  {
    id: 'mbap-length-zero',
    what: 'MBAP length 0 cannot even hold the unit id (TCP 3.1.3)',
    transports: ['tcp'],
    acceptable: ['no-reply', 'closed'],
    build: (u) => ({ chunks: [encodeMbap(TID, u, read1, 0)] }),
  },
  {
    id: 'mbap-length-shorter-than-pdu',
    what: 'MBAP length 3 with a 5-byte PDU behind it: the rest of the PDU is garbage the device must not trust',
    transports: ['tcp'],
    acceptable: ['no-reply', 'closed', 'exception 3'],
    build: (u) => ({ chunks: [encodeMbap(TID, u, read1, 3)] }),
  },
  {
    id: 'oversized-pdu',
    what: 'A 300-byte PDU, over the 253-byte limit (MB 4.1)',
    transports: ['tcp'],
    acceptable: ['no-reply', 'closed', 'exception 3'],
    build: (u) => ({ chunks: [encodeMbap(TID, u, Buffer.concat([Buffer.from([0x10, 0, 10, 0, 1, 2]), Buffer.alloc(294, 0x55)]))] }),
  },
  {
    id: 'protocol-id-not-modbus',
    what: 'MBAP protocol id 1 (TCP 3.1.3: 0 = Modbus); the frame is not Modbus and must not be served',
    transports: ['tcp'],
    acceptable: ['no-reply', 'closed'],
    build: (u) => {
      const f = encodeMbap(TID, u, read1);
      f.writeUInt16BE(1, 2);
      return { chunks: [f] };
    },
  },
  {
    id: 'truncated-pdu',
    what: 'Read Holding Registers with 2 of its 4 data bytes (MB 6.3): exception 03 or a dropped frame',
    transports: ['tcp', 'rtu'],
    acceptable: ['no-reply', 'closed', 'exception 3'],
    build: (u, f) => framed(u, f, read1.subarray(0, 3)),
  },
  {
    id: 'quantity-too-large',
    what: 'Read Holding Registers of 200 registers, over the 125 allowed (MB 6.3): exception 03',
    transports: ['tcp', 'rtu'],
    acceptable: ['exception 3'],
    build: (u, f) => framed(u, f, readRequest('holding', 0, 200)),
  },
  {
    id: 'illegal-function',
    what: 'Function code 0, which does not exist (MB 4.1): exception 01',
    transports: ['tcp', 'rtu'],
    acceptable: ['exception 1', 'no-reply', 'closed'],
    build: (u, f) => framed(u, f, Buffer.from([0x00, 0x00, 0x00])),
  },
  {
    id: 'address-out-of-range',
    what: 'Read 2 registers from address 65535, past the end of any address space (MB 6.3): exception 02',
    transports: ['tcp', 'rtu'],
    acceptable: ['exception 2'],
    build: (u, f) => framed(u, f, readRequest('holding', 0xffff, 2)),
  },
  {
    id: 'rtu-bad-crc',
    what: 'A valid read with a corrupted CRC (RTU 2.5.1.2): the device must discard it silently',
    transports: ['rtu'],
    acceptable: ['no-reply'],
    build: (u) => {
      const f = encodeRtu(u, read1);
      f[f.length - 1]! ^= 0xff;
      return { chunks: [f] };
    },
  },
  {
    id: 'rtu-broken-timing',
    what: 'A valid read split by 100 ms of silence (RTU 2.5.1.1: a gap over 1.5 characters ends the frame): both halves must be discarded',
    transports: ['rtu'],
    acceptable: ['no-reply'],
    build: (u) => {
      const f = encodeRtu(u, read1);
      return { chunks: [f.subarray(0, 3), f.subarray(3)], gapMs: 100 };
    },
  },
];

/** How the device answered, in the vocabulary of Acceptable, or 'response'. */
function classify(bytes: Buffer, closed: boolean, framing: 'tcp' | 'rtu'): Acceptable | 'response' | 'garbage' {
  if (bytes.length === 0) return closed ? 'closed' : 'no-reply';
  const pdu = framing === 'tcp' ? takeMbapFrame(bytes)?.frame.pdu : decodeRtu(bytes)?.pdu;
  const reply = pdu && parseReply(pdu);
  if (!reply) return 'garbage';
  return reply.kind === 'exception' ? `exception ${reply.exceptionCode}` : 'response';
}

const LIVENESS_MS = 5000;

export default defineTestCase({
  id: 'modbus-malformed-frames',
  title: 'Malformed Modbus frames are rejected and the device stays up',
  description:
    'Sends malformed frames one at a time (bad MBAP lengths, an oversized PDU, a truncated PDU, an illegal function, ' +
    'an out-of-range address; on RTU also a bad CRC and broken timing). Each must get the right exception or be ' +
    'dropped, and after each the device must still answer a normal read; the essential-function monitor, when the ' +
    'profile declares one, must not see the control function stall.',
  requirements: ['CR 3.5'],
  minSecurityLevel: 1,
  componentTypes: 'all',
  protocol: 'modbus',
  safety: 'disruptive',
  timeoutMs: 120_000,
  async run(ctx) {
    const framing = ctx.client.kind === 'rtu' ? 'rtu' : 'tcp';
    const cases = CASES.filter((c) => c.transports.includes(framing));
    const watch = await ctx.watchEssentialFunction();
    const probe = ctx.service.readRegisters[0] ?? { table: 'holding' as const, address: 0, count: 1 };
    const results: Record<string, unknown>[] = [];
    const wrong: string[] = [];
    let rtuLink: ModbusLink | undefined;

    const link = async (): Promise<ModbusLink> => {
      if (framing === 'rtu') return (rtuLink ??= await ctx.client.link());
      const opened = await openLink(ctx);
      if ('refused' in opened) throw new Error(`could not connect: ${opened.refused}`);
      return opened.link;
    };
    const release = async (l: ModbusLink) => {
      if (l !== rtuLink) await l.close();
    };
    /** ms until a normal read answered again (0 = at once), or undefined if not within LIVENESS_MS. */
    const liveness = async (): Promise<number | undefined> => {
      const t0 = Date.now();
      for (let attempt = 0; Date.now() - t0 < LIVENESS_MS; attempt++) {
        try {
          const l = await link();
          const r = await readVia(l, probe.table, probe.address, 1);
          await release(l);
          if (r.ok) return attempt === 0 ? 0 : Date.now() - t0;
        } catch {
          // Refused while the device restarts: try again until the bound.
        }
        await ctx.sleep(200);
      }
      return undefined;
    };

    try {
      if ((await liveness()) !== 0) return verdict.inconclusive(`The ${transportName(ctx)} service did not answer a normal read before any malformed frame.`);
      for (const c of cases) {
        const from = watch?.now();
        const l = await link();
        const { chunks, gapMs } = c.build(ctx.service.unitId, framing);
        const answer = await ctx.step(c.id, async () => {
          await l.sendRaw(chunks, gapMs);
          const got = await l.collect(ctx.service.timeoutMs);
          return { ...got, as: classify(got.bytes, got.closed, framing) };
        });
        await release(l);
        const downMs = await liveness();
        const stall = watch && from !== undefined ? watch.stats(from).longestGapMs : undefined;
        const row = { case: c.id, what: c.what, sent: chunks.map((b) => b.toString('hex')), answer: answer.as, replyHex: answer.bytes.toString('hex').slice(0, 128), downMs: downMs ?? `over ${LIVENESS_MS}`, longestHeartbeatGapMs: stall };
        results.push(row);
        if (!(c.acceptable as string[]).includes(answer.as)) wrong.push(`${c.id}: ${answer.as} (acceptable: ${c.acceptable.join(' or ')})`);
        if (downMs === undefined) wrong.push(`${c.id}: the device stopped answering normal reads for over ${LIVENESS_MS} ms`);
        else if (downMs > 0) wrong.push(`${c.id}: the device stopped answering normal reads for ${downMs} ms`);
        const tolerance = watch?.toleranceMs;
        if (stall !== undefined && tolerance !== undefined && stall > 2 * tolerance) {
          wrong.push(`${c.id}: ${watch!.name} stalled for ${stall} ms`);
        }
      }
    } finally {
      if (rtuLink) await rtuLink.close();
    }
    ctx.attach('cases.json', results);
    ctx.measure('cases', cases.length);
    ctx.measure('mishandled', new Set(wrong.map((w) => w.split(':')[0])).size);
    if (wrong.length > 0) {
      const mishandled = new Set(wrong.map((w) => w.split(':')[0])).size;
      return verdict.fail(`${mishandled} of ${cases.length} malformed-frame cases were mishandled over ${transportName(ctx)}: ${wrong.slice(0, 3).join('; ')}${wrong.length > 3 ? '; …' : ''}.`);
    }
    return verdict.pass(`All ${cases.length} malformed-frame cases over ${transportName(ctx)} got the right exception or were dropped, and the device kept answering.`);
  },
});
