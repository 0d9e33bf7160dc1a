import { defineTestCase, verdict } from '../../src/core/testcase.js';
import { gradeCertificate, parseCertificate, type Finding } from '../../src/knowledge/index.js';
import { MODBUS_TLS_PORT } from '../../src/profiles/services.js';
import { tcpUnreachable } from '../../src/protocols/tcp-reachability.js';
import { throwawayCertificate } from '../../src/protocols/throwaway-certificate.js';
import type { ModbusConnectOptions } from '../../src/protocols/modbus/types.js';
import { openLink, readVia } from './_support.js';

const LEGACY_VERSIONS = ['TLSv1', 'TLSv1.1'] as const;

export default defineTestCase({
  id: 'modbus-tls-security',
  title: 'Modbus/TCP Security is offered, with mutual authentication and strong TLS',
  description:
    'On a Modbus/TCP Security service: records the negotiated TLS version and cipher suite, tries TLS 1.0 and 1.1, ' +
    'grades the server certificate, and checks that clients with no certificate or an untrusted one are refused. ' +
    'On a plain Modbus TCP device with no secure service declared, looks for one on port 802; its absence fails.',
  requirements: ['CR 1.2', 'CR 3.1', 'CR 4.3'],
  minSecurityLevel: 1,
  componentTypes: 'all',
  protocol: 'modbus',
  safety: 'read',
  applicable: ({ profile, service }) => {
    if (service.serial) return 'Modbus RTU has no secure variant; physical access control is its countermeasure';
    if (!service.tls && profile.services.modbus.some((s) => s.tls)) return 'the device\'s Modbus/TCP Security service is checked instead';
    return true;
  },
  async run(ctx) {
    if (ctx.client.kind !== 'tls') {
      const host = ctx.service.host!;
      const closed = await ctx.step(`look for Modbus/TCP Security on ${host}:${MODBUS_TLS_PORT}`, () =>
        tcpUnreachable(host, MODBUS_TLS_PORT, ctx.profile.timeouts.connectMs),
      );
      if (!closed) {
        return verdict.inconclusive(
          `Port ${MODBUS_TLS_PORT} (Modbus/TCP Security) is open on ${host} but the profile does not declare it; add it under services.modbus with tls to test it.`,
        );
      }
      return verdict.fail(
        `The device offers only plain Modbus TCP (no Modbus/TCP Security service declared, and port ${MODBUS_TLS_PORT} is closed: ${closed}), so Modbus traffic is neither authenticated nor protected.`,
      );
    }

    const findings: Finding[] = [];
    const problems: string[] = [];
    // 1. The normal handshake with the profile's client certificate.
    const opened = await ctx.step('handshake with the profile\'s client certificate', () => openLink(ctx));
    if ('refused' in opened) return verdict.inconclusive(`The TLS handshake with the profile's client certificate failed: ${opened.refused}.`);
    const tls = opened.link.tls;
    const works = await readVia(opened.link, ctx.service.readRegisters[0]?.table ?? 'holding', ctx.service.readRegisters[0]?.address ?? 0, 1);
    await opened.link.close();
    if (!tls) return verdict.inconclusive('The adapter reported no TLS details for the handshake.');
    ctx.attach('handshake.json', { protocol: tls.protocol, cipher: tls.cipher, serverCertificateVerified: tls.authorized, authorizationError: tls.authorizationError, readWithCertificate: works.ok ? 'answered' : works.why });
    if (tls.protocol) findings.push(ctx.kb.tlsVersion(tls.protocol));
    findings.push(ctx.kb.tlsCipherSuite(tls.cipher.standardName ?? tls.cipher.name));
    ctx.measure('negotiated', `${tls.protocol ?? '?'} ${tls.cipher.standardName ?? tls.cipher.name}`);

    // 2. The server certificate.
    if (tls.peerCertificate) {
      const facts = parseCertificate(tls.peerCertificate);
      ctx.attach('server-certificate.der', tls.peerCertificate);
      ctx.attach('server-certificate.json', facts);
      findings.push(...gradeCertificate(ctx.kb, facts, { now: new Date() }));
    } else {
      problems.push('the server presented no certificate');
    }

    // 3. Legacy protocol versions must be refused.
    const legacy: Record<string, string> = {};
    for (const version of LEGACY_VERSIONS) {
      const o: ModbusConnectOptions = { tls: { minVersion: version, maxVersion: version } };
      const r = await ctx.step(`offer only ${version}`, () => openLink(ctx, o));
      if ('link' in r) {
        legacy[version] = 'accepted';
        await r.link.close();
        findings.push(ctx.kb.tlsVersion(version));
      } else {
        legacy[version] = `refused: ${r.refused}`;
      }
    }
    ctx.attach('legacy-versions.json', legacy);

    // 4. Mutual authentication: no certificate, and an untrusted one, must not get data.
    const intruders: [string, ModbusConnectOptions][] = [
      ['no client certificate', { anonymous: true }],
      ['an untrusted self-signed client certificate', { clientCertificate: throwawayCertificate() }],
    ];
    const clientAuth: Record<string, string> = {};
    for (const [who, options] of intruders) {
      const r = await ctx.step(`connect with ${who}`, () => openLink(ctx, options));
      if ('refused' in r) {
        clientAuth[who] = `refused at the handshake: ${r.refused}`;
        continue;
      }
      const read = await readVia(r.link, 'holding', ctx.service.readRegisters[0]?.address ?? 0, 1);
      await r.link.close();
      clientAuth[who] = read.ok ? 'served data' : `refused: ${read.why}`;
      if (read.ok) problems.push(`a client with ${who} was served data`);
      else if (read.reply.kind === 'no-reply') problems.push(`a client with ${who} got no answer but the connection stayed open (inconclusive refusal)`);
    }
    ctx.attach('client-authentication.json', clientAuth);

    const judged = ctx.kb.judge(findings, ctx.targetSecurityLevel);
    if (problems.length > 0) {
      return verdict.fail(`Modbus/TCP Security is offered but ${problems.join('; ')}.`, findings);
    }
    if (judged.verdict === 'fail') {
      const weak = [...new Set(judged.failing.map((f) => `${f.subject} ${f.value} is ${f.grade}`))].join('; ');
      return verdict.fail(`Modbus/TCP Security with mutual authentication is offered, but ${weak} (SL-C ${ctx.targetSecurityLevel}).`, findings);
    }
    if (judged.verdict === 'error') return verdict.inconclusive(judged.reason, findings);
    return verdict.pass(
      `Modbus/TCP Security negotiates ${tls.protocol} with ${tls.cipher.standardName ?? tls.cipher.name}, refuses TLS 1.0/1.1, and refuses clients without a trusted certificate.`,
      findings,
    );
  },
});
