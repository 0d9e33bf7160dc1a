import { defineTestCase, verdict } from '../../src/core/testcase.js';
import type { Finding } from '../../src/knowledge/index.js';
import { suiteCodeText } from '../../src/protocols/tls/wire.js';
import { conclude, distinct, failingByGrade, scan, tlsOffer, undecided, weakestOf, where } from './_support.js';

export default defineTestCase({
  id: 'tls-key-exchange-groups',
  title: 'The TLS endpoint agrees keys only over strong groups',
  description:
    'Finds every key-exchange group the server accepts: TLS 1.3 groups one at a time with an empty key_share ' +
    '(a HelloRetryRequest naming the group means it is supported), TLS 1.2 ECDHE curves one at a time (read back ' +
    'from ServerKeyExchange), and the prime size of every DHE suite. Each is graded for the target SL: ' +
    'curves below 112-bit strength and DH primes below 2048 bits fail.',
  requirements: ['CR 4.1', 'CR 4.3'],
  minSecurityLevel: 1,
  componentTypes: 'all',
  protocol: 'tls',
  safety: 'passive',
  // A few hundred handshakes: seconds on loopback, but a slow embedded stack may need minutes.
  timeoutMs: 300_000,
  async run(ctx) {
    const scanned = await scan(ctx, 'probe key-exchange groups', () => ctx.client.groups(tlsOffer(ctx.kb)));
    if ('outcome' in scanned) return scanned.outcome;
    const g = scanned.value;
    ctx.attach('groups.json', {
      ...g,
      ...(g.dhe ? { dhe: { version: g.dhe.version, primes: g.dhe.primes.map((p) => ({ ...p, suite: suiteCodeText(p.suite) })) } } : {}),
    });

    const findings: Finding[] = [];
    const supported13 = (g.tls13 ?? []).filter((r) => r.supported === true);
    const supported12 = (g.ecdhe?.groups ?? []).filter((r) => r.supported === true);
    for (const r of [...supported13, ...supported12]) findings.push(ctx.kb.tlsGroup(r.code));
    // A server that ignores the client's list still shows which curve it uses.
    for (const r of [...(g.tls13 ?? []), ...(g.ecdhe?.groups ?? [])]) if (r.used !== undefined) findings.push(ctx.kb.tlsGroup(r.used));
    for (const r of [...(g.tls13 ?? []), ...(g.ecdhe?.groups ?? [])].filter((x) => x.supported === undefined && x.used === undefined)) {
      findings.push(undecided('TLS key exchange group', r.name, `The probe for ${r.name} was answered ambiguously (${r.answer}).`));
    }
    const primes = g.dhe?.primes ?? [];
    for (const p of primes) {
      if (p.primeBits === undefined) findings.push(undecided('TLS DHE prime', p.name, `The ServerKeyExchange of ${p.name} could not be read (${p.answer}).`));
      else findings.push(ctx.kb.tlsDhePrime(p.primeBits));
    }
    for (const why of g.undecided) findings.push(undecided('TLS key exchange group', why, `The group scan is incomplete: ${why}.`));
    const graded = distinct(findings);
    if (g.tls13) ctx.measure('TLS 1.3 groups', supported13.map((r) => r.name).join(' ') || 'none');
    if (g.ecdhe) ctx.measure(`${g.ecdhe.version} ECDHE curves`, supported12.map((r) => r.name).join(' ') || 'none');
    if (g.dhe) ctx.measure(`${g.dhe.version} DHE primes`, [...new Set(primes.map((p) => p.primeBits ?? '?'))].join(' '), 'bits');

    if (graded.length === 0) {
      return verdict.inconclusive(
        `${where(ctx)} offers no ephemeral key exchange (no TLS 1.3, no ECDHE or DHE suite), so there is no group to grade; tls-cipher-suites grades its static key exchange.`,
      );
    }
    const summary = [
      g.tls13 ? `TLS 1.3 groups ${supported13.map((r) => r.name).join(', ') || 'none'}` : undefined,
      g.ecdhe ? `${g.ecdhe.version} curves ${supported12.map((r) => r.name).join(', ') || 'none'}` : undefined,
      g.dhe ? `${g.dhe.version} DHE primes of ${[...new Set(primes.map((p) => p.primeBits ?? '?'))].join('/')} bits` : undefined,
    ]
      .filter(Boolean)
      .join('; ');
    return conclude(ctx, graded, {
      fail: (j) => `${where(ctx)} agrees keys over ${summary}; below SL ${ctx.targetSecurityLevel}: ${failingByGrade(j)}.`,
      pass: () => `${where(ctx)} agrees keys over ${summary}, all meeting SL ${ctx.targetSecurityLevel}; the weakest is ${weakestOf(graded)?.value} (${weakestOf(graded)?.grade}).`,
    });
  },
});
