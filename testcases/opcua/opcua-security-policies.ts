import { defineTestCase, verdict } from '../../src/core/testcase.js';
import type { Finding } from '../../src/knowledge/index.js';
import { label, listEndpoints, onePerPolicy } from './_support.js';

export default defineTestCase({
  id: 'opcua-security-policies',
  title: 'OPC UA endpoints offer only strong security policies and modes',
  description:
    'Lists the endpoints the server advertises and grades every security policy and message security mode ' +
    'against the knowledge base for the target SL-C. For each signed policy it also opens a secure channel, to ' +
    'say whether the policy is actually accepted or only advertised.',
  requirements: ['CR 3.1', 'CR 4.1', 'CR 4.3'],
  minSecurityLevel: 1,
  componentTypes: 'all',
  protocol: 'opcua',
  safety: 'passive',
  async run(ctx) {
    const endpoints = await listEndpoints(ctx);
    if (endpoints.length === 0) return verdict.inconclusive('The server advertised no endpoint at all.');

    const findings: Finding[] = [];
    const negotiation: Record<string, string> = {};
    for (const mode of new Set(endpoints.map((e) => e.securityMode))) {
      const f = ctx.kb.opcuaSecurityMode(mode);
      findings.push({ ...f, value: `mode ${f.value}` });
    }
    for (const e of onePerPolicy(endpoints)) {
      if (e.securityMode === 'None') {
        negotiation[e.securityPolicy] = 'advertised (no channel security to negotiate)';
      } else {
        const attempt = await ctx.step(`open a ${label(e)} channel`, () =>
          ctx.client.tryChannel({ securityPolicy: e.securityPolicy, securityMode: e.securityMode as 'Sign' | 'SignAndEncrypt' }),
        );
        negotiation[e.securityPolicy] = attempt.ok
          ? 'accepted'
          : attempt.statusCode === 'ClientCannotNegotiate'
            ? 'advertised; this client cannot negotiate it, so acceptance is unknown'
            : `advertised but not accepted (${attempt.statusCode ?? 'no status'})`;
      }
      const f = ctx.kb.opcuaSecurityPolicy(e.securityPolicyUri);
      findings.push({ ...f, value: `policy ${f.value} (${negotiation[e.securityPolicy]})` });
    }
    ctx.attach('negotiation.json', negotiation);
    ctx.measure('endpoints', endpoints.length);
    // For the supplier's claims (src/core/claims.ts): every policy a client can use, i.e. advertised and not refused.
    const usable = Object.entries(negotiation).filter(([, n]) => !n.startsWith('advertised but not accepted')).map(([p]) => p);
    ctx.measure('securityPolicies', usable.join(' ') || 'none');
    const judged = ctx.kb.judge(findings, ctx.targetSecurityLevel);
    const offered = [...new Set(endpoints.map(label))].join(', ');
    if (judged.verdict === 'pass') {
      return verdict.pass(`Every advertised policy and mode meets SL-C ${ctx.targetSecurityLevel} (${offered}).`, findings);
    }
    if (judged.verdict === 'fail') {
      const weak = judged.failing.map((f) => `${f.value} is ${f.grade}`).join('; ');
      return verdict.fail(`Weak security offered for SL-C ${ctx.targetSecurityLevel}: ${weak}.`, findings);
    }
    return verdict.inconclusive(judged.reason, findings);
  },
});

