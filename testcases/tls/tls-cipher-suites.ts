import { defineTestCase, verdict } from '../../src/core/testcase.js';
import type { Finding } from '../../src/knowledge/index.js';
import { conclude, distinct, failingByGrade, scan, tlsOffer, undecided, weakestOf, where } from './_support.js';

export default defineTestCase({
  id: 'tls-cipher-suites',
  title: 'The TLS endpoint accepts only sound cipher suites',
  description:
    'For every protocol version the server accepts, offers every cipher suite the knowledge base knows, removes ' +
    'the one the server picks and repeats until it refuses (as testssl.sh does), then sweeps the rest of the ' +
    'registered code space for suites the knowledge base lacks. Every accepted suite is graded for the target SL: ' +
    'anonymous, export, NULL, RC4 and DES suites fail everywhere, and static RSA or CBC suites fail where the SL asks for more.',
  requirements: ['CR 3.1', 'CR 4.1', 'CR 4.3'],
  minSecurityLevel: 1,
  componentTypes: 'all',
  protocol: 'tls',
  safety: 'passive',
  // A few hundred handshakes: seconds on loopback, but a slow embedded stack may need minutes.
  timeoutMs: 300_000,
  async run(ctx) {
    const scanned = await scan(ctx, 'enumerate the suites of each version', () => ctx.client.suites(tlsOffer(ctx.kb)));
    if ('outcome' in scanned) return scanned.outcome;
    const { versions, suites } = scanned.value;
    const perVersion = suites.map((s) => ({
      version: s.version,
      complete: s.complete,
      notes: s.notes,
      accepted: s.accepted.map((a) => ({ ...a, grade: ctx.kb.tlsCipherSuite(a.name).grade })),
      unknown: s.unknown,
    }));
    ctx.attach('suites.json', { versions, suites: perVersion });
    for (const s of suites) ctx.measure(`suites ${s.version}`, s.accepted.length + s.unknown.length);

    const findings: Finding[] = distinct(
      suites.flatMap((s) => [...s.accepted.map((a) => ctx.kb.tlsCipherSuite(a.name)), ...s.unknown.map((code) => ctx.kb.tlsCipherSuite(code))]),
    );
    for (const s of suites.filter((x) => !x.complete)) {
      findings.push(undecided('TLS cipher suites', s.version, `The enumeration of ${s.version} suites was cut short (${s.notes.join('; ')}), so more suites may be accepted.`));
    }
    const undecidedVersions = versions.filter((v) => v.offered === undefined).map((v) => v.version);
    for (const v of undecidedVersions) findings.push(undecided('TLS cipher suites', v, `Whether ${v} is offered could not be told, so its suites were not enumerated.`));
    if (findings.length === 0) {
      return verdict.inconclusive(`${where(ctx)} accepted no suite in any version, so there is nothing to grade.`);
    }
    const total = distinct(findings.filter((f) => f.subject === 'TLS cipher suite')).length;
    const span = suites.map((s) => `${s.version} ${s.accepted.length + s.unknown.length}`).join(', ');
    return conclude(ctx, findings, {
      fail: (j) => `${where(ctx)} accepts ${total} distinct suites (${span}); below SL ${ctx.targetSecurityLevel}: ${failingByGrade(j)}.`,
      pass: () => `${where(ctx)} accepts ${total} distinct suites (${span}), all meeting SL ${ctx.targetSecurityLevel}; the weakest is ${weakestOf(findings)?.value} (${weakestOf(findings)?.grade}).`,
    });
  },
});
