import { defineTestCase } from '../../src/core/testcase.js';
import { gradeCertificate, parseCertificate, type CertificateFacts, type Finding } from '../../src/knowledge/index.js';
import type { TlsChainState } from '../../src/knowledge/types.js';
import { conclude, failingByGrade, scan, tlsOffer, weakestOf, where } from './_support.js';

export default defineTestCase({
  id: 'tls-certificate',
  title: 'The TLS server certificate is strong, valid, names the device and chains to its CA',
  description:
    'Fetches the server certificate chain with a real handshake (presenting the profile\'s client certificate where ' +
    'the endpoint demands one), then grades the leaf\'s key and signature hash, its validity and lifetime, whether it ' +
    'names the host the profile dials, and whether it chains to the profile\'s CA file (or a system root). Keys and ' +
    'signature hashes of intermediate certificates are graded too.',
  requirements: ['CR 1.9', 'CR 4.3'],
  minSecurityLevel: 1,
  componentTypes: 'all',
  protocol: 'tls',
  safety: 'passive',
  async run(ctx) {
    const scanned = await scan(ctx, 'fetch the certificate chain', () => ctx.client.certificate(tlsOffer(ctx.kb)));
    if ('outcome' in scanned) return scanned.outcome;
    const cert = scanned.value;
    const facts: CertificateFacts[] = cert.chain.map((der) => parseCertificate(der));
    const leaf = facts[0]!;
    cert.chain.forEach((der, i) => ctx.attach(i === 0 ? 'leaf.der' : `chain-${i}.der`, der));
    const { chain: _der, ...handshake } = cert;
    ctx.attach('certificate.json', { handshake, certificates: facts });
    ctx.measure('key', `${leaf.keyType}${leaf.keyBits ? ` ${leaf.keyBits}` : ''}${leaf.curve ? ` ${leaf.curve}` : ''}`);
    ctx.measure('signatureHash', leaf.signatureHash);
    ctx.measure('notAfter', leaf.notAfter);
    ctx.measure('chainLength', cert.chain.length);

    // gradeCertificate's self-signed note is written for OPC UA trust lists; TLS grades the chain itself below.
    const findings: Finding[] = gradeCertificate(ctx.kb, leaf, { now: new Date() }).filter((f) => f.subject !== 'x509.selfSigned');
    facts.slice(1).forEach((c, i) => {
      const label = (subject: string): ((f: Finding) => Finding) => (f) => ({ ...f, subject: `${subject} (chain certificate ${i + 1}: ${c.subject})` });
      findings.push(label('x509.keySize')(ctx.kb.x509Key(c.keyType, c.keyBits, c.curve)));
      // A self-signed trust anchor's own signature is never checked by clients, so its hash does not matter.
      if (!c.selfSigned) findings.push(label('x509.signatureHash')(ctx.kb.x509SignatureHash(c.signatureHash)));
    });
    findings.push(ctx.kb.tlsCertificateName(cert.expectedName, cert.nameMismatch));
    const state: TlsChainState = cert.authorized
      ? 'trusted'
      : ctx.service.caFile
        ? 'untrusted'
        : leaf.selfSigned
          ? 'self-signed'
          : 'unverified';
    const anchor = ctx.service.caFile ? `the profile's CA file ${ctx.service.caFile}` : 'the system roots';
    const detail =
      state === 'trusted'
        ? `verified against ${anchor}`
        : state === 'untrusted'
          ? `does not verify against ${anchor} (${cert.authorizationError ?? 'no reason given'})`
          : state === 'self-signed'
            ? `self-signed (${leaf.subject}); the profile names no CA file`
            : `issued by ${leaf.issuer}; the profile names no CA file and no system root applies (${cert.authorizationError ?? 'unverified'})`;
    findings.push(ctx.kb.tlsCertificateChain(state, detail));

    const key = `${leaf.keyType}${leaf.keyBits ? `-${leaf.keyBits}` : ''}${leaf.curve ? ` ${leaf.curve}` : ''}`;
    return conclude(ctx, findings, {
      fail: (j) => `The certificate of ${where(ctx)} (${key}, ${leaf.signatureHash}) falls below SL ${ctx.targetSecurityLevel}: ${failingByGrade(j)}.`,
      pass: () =>
        `The certificate of ${where(ctx)} (${key}, ${leaf.signatureHash}, valid until ${leaf.notAfter.slice(0, 10)}) names ${cert.expectedName} and chains to ${anchor}; the weakest finding is ${weakestOf(findings)?.subject} ${weakestOf(findings)?.value} (${weakestOf(findings)?.grade}).`,
    });
  },
});
