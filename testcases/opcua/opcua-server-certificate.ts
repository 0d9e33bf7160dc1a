import { defineTestCase, verdict } from '../../src/core/testcase.js';
import { gradeCertificate, parseCertificate, type Finding } from '../../src/knowledge/index.js';
import { listEndpoints } from './_support.js';

export default defineTestCase({
  id: 'opcua-server-certificate',
  title: 'The OPC UA server certificate is strong and well-formed',
  description:
    'Takes every distinct application certificate the endpoints present and grades its key type and size, ' +
    'signature hash, validity window and the applicationUri in its subjectAltName against the knowledge base ' +
    'for the target SL-C.',
  requirements: ['CR 1.9', 'CR 4.3'],
  minSecurityLevel: 1,
  componentTypes: 'all',
  protocol: 'opcua',
  safety: 'passive',
  async run(ctx) {
    const endpoints = await listEndpoints(ctx);
    const byFingerprint = new Map<string, { der: Buffer; applicationUri: string }>();
    for (const e of endpoints) {
      if (!e.serverCertificateDer || e.serverCertificateDer.length === 0) continue;
      const facts = parseCertificate(e.serverCertificateDer);
      byFingerprint.set(facts.sha256Fingerprint, { der: e.serverCertificateDer, applicationUri: e.applicationUri });
    }
    if (byFingerprint.size === 0) {
      return verdict.fail('No endpoint presents an application certificate, so clients cannot authenticate the server.');
    }
    const findings: Finding[] = [];
    const summaries: string[] = [];
    let n = 0;
    for (const { der, applicationUri } of byFingerprint.values()) {
      n++;
      const facts = parseCertificate(der);
      ctx.attach(`server-certificate-${n}.der`, der);
      ctx.attach(`server-certificate-${n}.json`, facts);
      findings.push(
        ...gradeCertificate(ctx.kb, facts, { now: new Date(), expectedApplicationUri: applicationUri, requireApplicationUri: true }),
      );
      summaries.push(`${facts.keyType}${facts.keyBits ? `-${facts.keyBits}` : facts.curve ? ` ${facts.curve}` : ''} ${facts.signatureAlgorithm}`);
    }
    ctx.measure('certificates', byFingerprint.size);
    const judged = ctx.kb.judge(findings, ctx.targetSecurityLevel);
    if (judged.verdict === 'pass') {
      return verdict.pass(`The server certificate (${summaries.join('; ')}) meets SL-C ${ctx.targetSecurityLevel}.`, findings);
    }
    if (judged.verdict === 'fail') {
      const problems = [...new Set(judged.failing.map((f) => `${f.subject} ${f.value} is ${f.grade}`))].join('; ');
      return verdict.fail(`The server certificate (${summaries.join('; ')}) falls short of SL-C ${ctx.targetSecurityLevel}: ${problems}.`, findings);
    }
    return verdict.inconclusive(judged.reason, findings);
  },
});
