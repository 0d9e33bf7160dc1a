import { defineTestCase, verdict } from '../../src/core/testcase.js';
import { gradeOffer, nameFailing } from './_support.js';

export default defineTestCase({
  id: 'ssh-algorithms',
  title: 'The SSH server offers only sound key exchange, host key, cipher and MAC algorithms',
  description:
    "Reads the server's identification and its unencrypted KEXINIT over raw TCP (no login, nothing negotiated) " +
    'and grades every offered key exchange, host key algorithm, cipher, MAC and compression method, plus the ' +
    "offer's exposure to the Terrapin prefix truncation, against the knowledge base, whose grades agree with " +
    'ssh-audit 2.5.0. Any offered algorithm below the target SL fails, because a client or attacker can pick it.',
  requirements: ['CR 4.3', 'CR 3.1', 'CR 4.1'],
  minSecurityLevel: 1,
  componentTypes: 'all',
  protocol: 'ssh',
  safety: 'passive',
  async run(ctx) {
    const hello = await ctx.step('read the identification string and KEXINIT', () => ctx.client.hello());
    ctx.observeDevice({ 'ssh.ident': hello.ident });
    ctx.attach('server-hello.json', hello);
    const findings = [ctx.kb.ssh.protocolVersion(hello.protocolVersion)];
    if (!hello.kexinit) {
      return verdict.fail(`The server announces "${hello.ident}" and speaks only SSH-1, which has broken integrity protection.`, findings);
    }
    const graded = gradeOffer(ctx.kb, hello.kexinit);
    findings.push(...graded.findings);
    ctx.attach('offer.json', { ...graded.offered, markers: graded.markers, firstKexPacketFollows: hello.kexinit.firstKexPacketFollows });
    for (const [family, names] of Object.entries(graded.offered)) ctx.measure(`${family} offered`, names.length, 'algorithms');

    const judged = ctx.kb.judge(findings, ctx.targetSecurityLevel);
    if (judged.verdict === 'fail') {
      return verdict.fail(`The SSH server offers algorithms below SL-C ${ctx.targetSecurityLevel}: ${nameFailing(judged.failing)}.`, findings);
    }
    if (judged.verdict === 'error') return verdict.inconclusive(judged.reason, findings);
    return verdict.pass(
      `All ${Object.values(graded.offered).flat().length} offered algorithms meet SL-C ${ctx.targetSecurityLevel} and the offer is not open to Terrapin (${hello.ident}).`,
      findings,
    );
  },
});
