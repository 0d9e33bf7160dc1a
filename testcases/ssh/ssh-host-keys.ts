import { defineTestCase, verdict } from '../../src/core/testcase.js';
import type { Finding } from '../../src/knowledge/index.js';
import { gradeServedKey, nameFailing } from './_support.js';

export default defineTestCase({
  id: 'ssh-host-keys',
  title: 'The SSH host keys are of sound type and size',
  description:
    'For every host key algorithm the server offers, completes one handshake that offers only that algorithm and ' +
    'records the key the server presents (and whether its signature verified): type, size or curve, fingerprint. RSA and DSA keys are ' +
    'graded by size (RSA below 2048 bits is broken, as in ssh-audit), elliptic-curve and EdDSA keys by curve. ' +
    'A key the harness cannot fetch is reported as not graded, never as a pass.',
  requirements: ['CR 4.3'],
  minSecurityLevel: 1,
  componentTypes: 'all',
  protocol: 'ssh',
  safety: 'passive',
  async run(ctx) {
    const hello = await ctx.step('read the offered host key algorithms', () => ctx.client.hello());
    const offered = hello.kexinit?.hostKey ?? [];
    if (offered.length === 0) return verdict.inconclusive(`The server (${hello.ident}) offers no host key algorithm the harness could read.`);
    const probes = await ctx.step(`fetch the host key of each of ${offered.length} algorithm(s)`, () => ctx.client.hostKeys(offered));
    ctx.attach('host-keys.json', probes);

    // One finding per distinct key: an RSA key serves ssh-rsa, rsa-sha2-256 and rsa-sha2-512 alike.
    const findings: Finding[] = [];
    const byFingerprint = new Map<string, string[]>();
    for (const p of probes) {
      if (p.status !== 'served') {
        findings.push({
          subject: 'ssh.hostKeySize',
          value: p.algorithm,
          grade: 'unknown',
          reason: `The key offered under ${p.algorithm} was not read (${p.why}), so it cannot be graded and must be reviewed by hand.`,
          source: `otconform knowledge base ${ctx.kb.version}`,
        });
        continue;
      }
      const seen = byFingerprint.get(p.key.fingerprint);
      if (seen) {
        seen.push(p.algorithm);
        continue;
      }
      byFingerprint.set(p.key.fingerprint, [p.algorithm]);
      findings.push(gradeServedKey(ctx.kb, p));
    }
    const keys = [...byFingerprint.entries()].map(([fingerprint, algorithms]) => ({ fingerprint, algorithms }));
    ctx.attach('distinct-keys.json', keys);
    ctx.measure('distinct host keys', keys.length, 'keys');
    ctx.observeDevice({ 'ssh.hostKeys': keys.map((k) => `${k.algorithms[0]} ${k.fingerprint}`).join('; ') });

    const judged = ctx.kb.judge(findings, ctx.targetSecurityLevel);
    if (judged.verdict === 'fail') {
      return verdict.fail(`The server holds host keys below SL-C ${ctx.targetSecurityLevel}: ${nameFailing(judged.failing)}.`, findings);
    }
    if (judged.verdict === 'error') return verdict.inconclusive(judged.reason, findings);
    return verdict.pass(
      `All ${keys.length} host key(s) meet SL-C ${ctx.targetSecurityLevel}: ${findings.map((f) => f.value).join(', ')}.`,
      findings,
    );
  },
});
