import { defineTestCase, verdict } from '../../src/core/testcase.js';
import { openLink, readVia, transportName, where } from './_support.js';

export default defineTestCase({
  id: 'modbus-unauthenticated-read',
  title: 'Modbus data is not served to unauthenticated clients',
  description:
    'Reads the profile\'s readRegisters as a client that presents no identity (over TLS: no client certificate). ' +
    'Plain Modbus TCP and RTU cannot authenticate anyone, so a plain service that answers fails, and needs a ' +
    'waiver naming its compensating countermeasure; Modbus/TCP Security must refuse the client.',
  requirements: ['CR 1.1', 'CR 2.1'],
  minSecurityLevel: 1,
  componentTypes: 'all',
  protocol: 'modbus',
  safety: 'read',
  async run(ctx) {
    const opened = await ctx.step('connect without credentials', () => openLink(ctx, { anonymous: true }));
    if ('refused' in opened) {
      return ctx.client.kind === 'tls'
        ? verdict.pass(`The Modbus/TCP Security service refused a client without a certificate: ${opened.refused}.`)
        : verdict.inconclusive(`The ${transportName(ctx)} service could not be reached: ${opened.refused}.`);
    }
    const { link } = opened;
    const reads = [];
    try {
      for (const r of ctx.service.readRegisters) {
        const out = await ctx.step(`read ${where(r.table, r.address, r.count)}`, () => readVia(link, r.table, r.address, r.count));
        reads.push({ ...r, ...(out.ok ? { values: out.values } : { refused: out.why }) });
      }
    } finally {
      await link.close();
    }
    ctx.attach('reads.json', reads);
    const served = reads.filter((r) => 'values' in r);
    ctx.measure('rangesServed', served.length, `of ${reads.length}`);
    if (served.length === 0) {
      const silent = reads.every((r) => 'refused' in r && /^no reply/.test(String(r.refused)));
      if (silent) return verdict.inconclusive(`The device did not answer any read (${reads[0] && 'refused' in reads[0] ? reads[0].refused : ''}); a silent device proves no access control.`);
      return verdict.pass(`The device refused every read from an unauthenticated client (${reads.map((r) => ('refused' in r ? r.refused : '')).join('; ')}).`);
    }
    const first = served[0]!;
    if (ctx.client.kind === 'tls') {
      return verdict.fail(`The Modbus/TCP Security service served ${where(first.table, first.address, first.count)} to a client that presented no certificate.`);
    }
    const secure = ctx.profile.services.modbus.find((s) => s.tls);
    const alternative = secure
      ? `or switch plain Modbus off and use the Modbus/TCP Security service ${secure.name ?? `${secure.host}:${secure.port ?? 802}`}`
      : 'or move to Modbus/TCP Security (TLS with client certificates and roles)';
    const countermeasure =
      ctx.client.kind === 'rtu'
        ? 'physical access control for the serial line (a locked cabinet, no exposed RS-485 terminals)'
        : 'a conduit firewall that admits only the named SCADA/HMI hosts to the Modbus port';
    return verdict.fail(
      `${transportName(ctx)} served ${where(first.table, first.address, first.count)} to an unidentified client: the protocol cannot authenticate anyone. ` +
        `Keeping it needs a waiver naming a compensating countermeasure such as ${countermeasure}, ${alternative}.`,
    );
  },
});
