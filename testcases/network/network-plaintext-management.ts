import { defineTestCase, verdict } from '../../src/core/testcase.js';
import type { Finding } from '../../src/knowledge/index.js';
import { surveyHost } from './_support.js';

export default defineTestCase({
  id: 'network-plaintext-management',
  title: 'No management protocol carries credentials or commands in clear',
  description:
    'The same rate-limited TCP connect sweep as network-port-inventory; each open port is named by what its server ' +
    'says on its own (SSH ident, Telnet negotiation, FTP 220, RFB, a login prompt), else by the profile\'s declaration. ' +
    'Nothing is ever sent, so silent services are not guessed from their port number. Any open plaintext management ' +
    'protocol (Telnet, FTP, HTTP, RFB 3.3, a bare login console) fails; a port that cannot be identified is inconclusive.',
  requirements: ['CR 4.1'],
  minSecurityLevel: 1,
  componentTypes: 'all',
  protocol: 'network',
  safety: 'read',
  async run(ctx) {
    const surveyed = await surveyHost(ctx);
    if ('refused' in surveyed) return verdict.inconclusive(surveyed.refused);
    const { survey } = surveyed;
    const findings: Finding[] = [];
    const portOf = new Map<Finding, number>();
    const outOfScope: string[] = [];
    for (const row of survey.rows) {
      if (row.state !== 'open') continue;
      const id = survey.identities.get(row.port)!;
      const f = ctx.kb.network.managementFinding(id);
      if (f) {
        findings.push(f);
        portOf.set(f, row.port);
      } else outOfScope.push(`${row.port} ${id.service?.name ?? '?'}`);
    }
    ctx.attach('management-protocols.json', { judged: findings, notManagement: outOfScope });

    const openCount = survey.sweep.counts.open;
    if (findings.length === 0) {
      if (survey.untrustworthy) return verdict.inconclusive(`No management protocol is open among the ${survey.rows.length} swept ports, but ${survey.untrustworthy}.`);
      return verdict.pass(
        `None of the ${openCount} open ports on ${survey.host} carries a management protocol${outOfScope.length ? ` (${outOfScope.join(', ')} are not management protocols; process protocols are judged by their own checks)` : ''}.`,
      );
    }
    const judged = ctx.kb.judge(findings, ctx.targetSecurityLevel);
    if (judged.verdict === 'fail') {
      // Name the port and the evidence (the greeting or the declaration) of every failing protocol.
      const named = judged.failing.map((f) => `${f.value} (${survey.identities.get(portOf.get(f)!)?.evidence ?? 'no evidence'})`);
      const unknownTail = judged.unknown.length ? `; ${judged.unknown.length} more open port(s) could not be judged without a probe` : '';
      return verdict.fail(`Plaintext or broken management protocol open on ${survey.host}: ${named.join('; ')}${unknownTail}.`, findings);
    }
    if (judged.verdict === 'error') {
      return verdict.inconclusive(
        `No open management protocol is known to be in clear, but ${judged.unknown.map((f) => f.value).join(', ')} cannot be judged without a protocol probe, which otconform does not send; the findings say why for each (declare unidentified ports in the profile, or review them by hand).`,
        findings,
      );
    }
    if (survey.untrustworthy) return verdict.inconclusive(`Every open management protocol is encrypted, but ${survey.untrustworthy}.`, findings);
    return verdict.pass(`Every open management protocol on ${survey.host} is encrypted: ${findings.map((f) => f.value).join(', ')}.`, findings);
  },
});
