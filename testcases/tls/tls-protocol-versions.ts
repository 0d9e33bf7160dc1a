import { defineTestCase, verdict } from '../../src/core/testcase.js';
import type { Finding } from '../../src/knowledge/index.js';
import { suiteCodeText } from '../../src/protocols/tls/wire.js';
import { conclude, scan, tlsOffer, undecided, where } from './_support.js';

export default defineTestCase({
  id: 'tls-protocol-versions',
  title: 'The TLS endpoint offers only current protocol versions',
  description:
    'Sends a hand-built hello for each of SSL 2.0, SSL 3.0, TLS 1.0, 1.1, 1.2 and 1.3 (offering every suite the ' +
    'knowledge base knows) and records which versions the server accepts. Every accepted version is graded for ' +
    'the target SL; SSL and TLS 1.0/1.1 fail, and TLS 1.2 fails at SL 4.',
  requirements: ['CR 3.1', 'CR 4.1', 'CR 4.3'],
  minSecurityLevel: 1,
  componentTypes: 'all',
  protocol: 'tls',
  safety: 'passive',
  async run(ctx) {
    const scanned = await scan(ctx, 'probe SSL 2.0 to TLS 1.3', () => ctx.client.versions(tlsOffer(ctx.kb)));
    if ('outcome' in scanned) return scanned.outcome;
    const versions = scanned.value;
    ctx.attach(
      'versions.json',
      versions.map((v) => ({ ...v, ...(v.suite === undefined ? {} : { suite: suiteCodeText(v.suite) }) })),
    );
    const offered = versions.filter((v) => v.offered === true).map((v) => v.version);
    ctx.measure('offered', offered.join(' ') || 'none');
    const findings: Finding[] = offered.map((v) => ctx.kb.tlsVersion(v));
    for (const v of versions.filter((x) => x.offered === undefined)) {
      findings.push(undecided('TLS version', v.version, `The server neither accepted nor refused ${v.version} (${v.answer}), so whether it is offered is unknown.`));
    }
    if (offered.length === 0 && findings.length === 0) {
      return verdict.inconclusive(`${where(ctx)} accepted none of SSL 2.0 to TLS 1.3 with any suite the knowledge base knows, so no version could be graded.`);
    }
    return conclude(ctx, findings, {
      fail: (j) =>
        `${where(ctx)} offers ${offered.join(', ')}; ${[...new Set(j.failing.map((f) => `${f.value} (${f.grade})`))].join(', ')} fall below SL ${ctx.targetSecurityLevel}.`,
      pass: () =>
        `${where(ctx)} offers only ${offered.join(' and ')}, which meet SL ${ctx.targetSecurityLevel}, and refuses every older version${offered.includes('TLSv1.3') ? '' : ' (TLS 1.3 is not offered)'}.`,
    });
  },
});
