import { defineTestCase, verdict } from '../../src/core/testcase.js';
import { describeReply, openLink, readVia, transportName, where, writeVia } from './_support.js';

export default defineTestCase({
  id: 'modbus-unauthenticated-write',
  title: 'Unauthenticated Modbus writes are refused',
  description:
    'For each address in the profile\'s safeWrites map only: reads the value, writes a different one as a client ' +
    'with no identity (over TLS: no client certificate), reads it back, then restores the original and checks the ' +
    'restore. A write that takes effect fails CR 2.1; a refused or ignored write passes.',
  requirements: ['CR 2.1'],
  minSecurityLevel: 1,
  componentTypes: 'all',
  protocol: 'modbus',
  safety: 'state-change',
  preconditions: ({ service }) =>
    service.safeWrites.length === 0 ? 'the profile lists no safeWrites addresses the probe may write' : undefined,
  async run(ctx) {
    const opened = await ctx.step('connect without credentials', () => openLink(ctx, { anonymous: true }));
    if ('refused' in opened) {
      return ctx.client.kind === 'tls'
        ? verdict.pass(`The Modbus/TCP Security service refused a client without a certificate: ${opened.refused}.`)
        : verdict.inconclusive(`The ${transportName(ctx)} service could not be reached: ${opened.refused}.`);
    }
    const { link } = opened;
    const attempts: Record<string, unknown>[] = [];
    const accepted: string[] = [];
    const unrestored: string[] = [];
    try {
      for (const { table, address } of ctx.service.safeWrites) {
        const at = where(table, address);
        const before = await ctx.step(`read ${at}`, () => readVia(link, table, address, 1));
        if (!before.ok) {
          attempts.push({ at, read: before.why });
          continue;
        }
        const original = before.values[0]!;
        const probe = table === 'coil' ? 1 - original : (original + 1) & 0xffff;
        const reply = await ctx.step(`write ${probe} to ${at}`, () => writeVia(link, table, address, probe));
        const after = await readVia(link, table, address, 1);
        const changed = after.ok && after.values[0] === probe;
        const attempt: Record<string, unknown> = { at, original, probe, reply: describeReply(reply), readBack: after.ok ? after.values[0] : after.why };
        if (changed || reply.kind === 'response') {
          // Whatever the reply said, put the original back.
          const restore = await ctx.step(`restore ${original} to ${at}`, () => writeVia(link, table, address, original));
          const check = await readVia(link, table, address, 1);
          attempt.restored = check.ok && check.values[0] === original;
          if (!attempt.restored) unrestored.push(`${at} (wrote ${original}: ${describeReply(restore)})`);
        }
        if (changed) accepted.push(at);
        attempts.push(attempt);
      }
    } finally {
      await link.close();
    }
    ctx.attach('writes.json', attempts);
    ctx.measure('writesAccepted', accepted.length, `of ${ctx.service.safeWrites.length}`);
    if (unrestored.length > 0) {
      return verdict.inconclusive(`RESTORE FAILED: the original value could not be written back to ${unrestored.join(', ')}; check the device now.`);
    }
    if (accepted.length > 0) {
      return verdict.fail(`${transportName(ctx)} accepted a write to ${accepted.join(', ')} from a client with no identity (the value was restored).`);
    }
    const refusals = attempts.filter((a) => typeof a.reply === 'string').map((a) => `${String(a.at)}: ${String(a.reply)}`);
    if (refusals.length === 0) {
      // Not even a read was served: a device that shuts out an unidentified client refuses its writes too.
      const shut = attempts.filter((a) => typeof a.read === 'string' && !/^no reply/.test(a.read));
      if (shut.length > 0 && shut.length === attempts.length) {
        return verdict.pass(`The device would not even serve a read to a client with no identity (${shut.map((a) => `${String(a.at)}: ${String(a.read)}`).join('; ')}), so no write could be attempted.`);
      }
      return verdict.inconclusive('No safe-write address could be read, so no write was attempted.');
    }
    if (attempts.every((a) => typeof a.reply === 'string' && /^no reply/.test(a.reply))) {
      return verdict.inconclusive(`The device never answered a write (${refusals.join('; ')}); silence proves no access control.`);
    }
    return verdict.pass(`The device refused or ignored every unauthenticated write (${refusals.join('; ')}).`);
  },
});
