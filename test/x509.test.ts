// Real certificates made at test time: RSA with node-forge (keys from node:crypto, which is fast),
// EC and EdDSA with the openssl CLI because forge cannot build them.
import { createHash, generateKeyPairSync, X509Certificate } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import forge from 'node-forge';
import t from 'tap';
import { CertificateParseError, gradeCertificate, loadKnowledgeBase, parseCertificate, type Finding } from '../src/knowledge/index.js';

const kb = loadKnowledgeBase();
const OPENSSL = '/usr/bin/openssl';
const DAY = 86_400_000;

interface ForgeSpec {
  bits: number;
  hash: 'sha1' | 'sha256' | 'sha384';
  notBefore: Date;
  notAfter: Date;
  commonName: string;
  uris?: string[];
  /** Signed by this CA instead of self-signed. */
  issuer?: { cert: forge.pki.Certificate; key: forge.pki.rsa.PrivateKey };
  ca?: boolean;
}

function forgeCert(spec: ForgeSpec): { der: Buffer; cert: forge.pki.Certificate; key: forge.pki.rsa.PrivateKey } {
  const pair = generateKeyPairSync('rsa', {
    modulusLength: spec.bits,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  });
  const key = forge.pki.privateKeyFromPem(pair.privateKey);
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(pair.publicKey);
  cert.serialNumber = '01' + forge.util.bytesToHex(forge.random.getBytesSync(8));
  cert.validity.notBefore = spec.notBefore;
  cert.validity.notAfter = spec.notAfter;
  const subject = [
    { name: 'commonName', value: spec.commonName },
    { name: 'organizationName', value: 'otconform test' },
  ];
  cert.setSubject(subject);
  cert.setIssuer(spec.issuer ? spec.issuer.cert.subject.attributes : subject);
  const altNames = [
    ...(spec.uris ?? []).map((value) => ({ type: 6, value })),
    { type: 2, value: 'localhost' },
    { type: 7, ip: '127.0.0.1' },
    { type: 7, ip: '::1' },
  ];
  cert.setExtensions([{ name: 'basicConstraints', cA: spec.ca ?? false }, { name: 'subjectAltName', altNames }]);
  cert.sign(spec.issuer?.key ?? key, forge.md[spec.hash].create());
  const der = Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(cert)).getBytes(), 'binary');
  return { der, cert, key };
}

const tmp = mkdtempSync(join(tmpdir(), 'otconform-x509-'));
t.teardown(() => rmSync(tmp, { recursive: true, force: true }));

/** A self-signed certificate from the openssl CLI, as DER. */
function opensslCert(name: string, newkey: string[], extra: string[] = []): Buffer {
  const out = join(tmp, `${name}.der`);
  execFileSync(
    OPENSSL,
    ['req', '-x509', ...newkey, '-nodes', '-keyout', join(tmp, `${name}.key`), '-out', out, '-outform', 'DER', '-days', '365', '-subj', `/CN=${name}/O=otconform test`, ...extra],
    { stdio: 'pipe' },
  );
  return readFileSync(out);
}

const bySubject = (findings: Finding[], subject: string) => findings.filter((f) => f.subject === subject);
const one = (findings: Finding[], subject: string): Finding => {
  const found = bySubject(findings, subject);
  if (found.length !== 1) throw new Error(`expected one ${subject} finding, got ${found.length}`);
  return found[0]!;
};

// A fixed clock keeps the forge certificates' validity findings deterministic.
const NOW = new Date('2025-06-01T00:00:00Z');

t.test('RSA 1024 / SHA-1, expired: broken everywhere', async (t) => {
  const { der } = forgeCert({
    bits: 1024,
    hash: 'sha1',
    notBefore: new Date('2020-01-01T00:00:00Z'),
    notAfter: new Date('2021-01-01T00:00:00Z'),
    commonName: 'weak device',
    uris: ['urn:otconform:weak'],
  });
  const facts = parseCertificate(der);
  t.match(facts, {
    keyType: 'RSA',
    keyBits: 1024,
    signatureAlgorithm: 'sha1WithRSAEncryption',
    signatureHash: 'sha1',
    notBefore: '2020-01-01T00:00:00.000Z',
    notAfter: '2021-01-01T00:00:00.000Z',
    selfSigned: true,
    sanUris: ['urn:otconform:weak'],
    sanDns: ['localhost'],
    sanIps: ['127.0.0.1', '::1'],
  });
  t.match(facts.subject, /CN=weak device/);
  t.equal(facts.subject, facts.issuer);
  t.equal(facts.sha256Fingerprint, createHash('sha256').update(der).digest('hex'));
  t.equal(facts.serialNumber.toLowerCase().replace(/^0+/, ''), new X509Certificate(der).serialNumber.toLowerCase().replace(/^0+/, ''));

  const findings = gradeCertificate(kb, facts, { now: NOW, requireApplicationUri: true });
  t.match(one(findings, 'x509.keySize'), { value: 'RSA 1024', grade: 'broken' });
  t.match(one(findings, 'x509.signatureHash'), { value: 'sha1', grade: 'broken' });
  t.match(one(findings, 'x509.validity'), { grade: 'broken', value: /^expired/ });
  t.match(one(findings, 'x509.lifetime'), { grade: 'strong', value: '1.0 years' });
  t.match(one(findings, 'x509.applicationUri'), { grade: 'strong', value: 'urn:otconform:weak' });
  t.match(one(findings, 'x509.selfSigned'), { grade: 'strong', reason: /^Note/ });
  for (const f of findings) t.ok(f.reason.length > 0 && f.source.length > 0, `${f.subject} is cited`);

  const j = kb.judge(findings, 1);
  t.equal(j.verdict, 'fail');
  t.same(j.failing.map((f) => f.subject), ['x509.keySize', 'x509.signatureHash', 'x509.validity']);
});

t.test('RSA 2048 / SHA-256 with applicationUri', async (t) => {
  const uri = 'urn:otconform:device:server';
  const { der } = forgeCert({
    bits: 2048,
    hash: 'sha256',
    notBefore: new Date('2025-01-01T00:00:00Z'),
    notAfter: new Date('2027-01-01T00:00:00Z'),
    commonName: 'good device',
    uris: [uri],
  });
  const facts = parseCertificate(der);
  t.match(facts, { keyType: 'RSA', keyBits: 2048, signatureAlgorithm: 'sha256WithRSAEncryption', signatureHash: 'sha256', sanUris: [uri] });

  const findings = gradeCertificate(kb, facts, { now: NOW, expectedApplicationUri: uri });
  t.match(one(findings, 'x509.keySize'), { value: 'RSA 2048', grade: 'acceptable' });
  t.match(one(findings, 'x509.signatureHash'), { value: 'sha256', grade: 'acceptable' });
  t.match(one(findings, 'x509.validity'), { grade: 'strong', value: /^valid until 2027-01-01/ });
  t.match(one(findings, 'x509.applicationUri'), { grade: 'strong', value: uri });
  t.equal(kb.judge(findings, 3).verdict, 'pass', 'passes SL 3');
  t.equal(kb.judge(findings, 4).verdict, 'fail', 'fails SL 4 on key size and hash');

  const mismatch = gradeCertificate(kb, facts, { now: NOW, expectedApplicationUri: 'urn:otconform:other' });
  t.match(one(mismatch, 'x509.applicationUri'), { grade: 'broken', value: /server advertises urn:otconform:other/ });
  t.equal(kb.judge(mismatch, 1).verdict, 'fail', 'a mismatched applicationUri fails SL 1');

  const present = gradeCertificate(kb, facts, { now: NOW, requireApplicationUri: true });
  t.match(one(present, 'x509.applicationUri'), { grade: 'strong', value: uri });
  t.same(bySubject(gradeCertificate(kb, facts, { now: NOW }), 'x509.applicationUri'), [], 'not checked unless asked');
});

t.test('missing applicationUri, validity edges and lifetime', async (t) => {
  const { der } = forgeCert({
    bits: 2048,
    hash: 'sha256',
    notBefore: new Date('2025-01-01T00:00:00Z'),
    notAfter: new Date('2050-01-01T00:00:00Z'),
    commonName: 'no uri',
  });
  const facts = parseCertificate(der);
  t.same(facts.sanUris, []);
  t.equal(facts.notAfter, '2050-01-01T00:00:00.000Z', 'GeneralizedTime (year 2050+) is read correctly');

  const findings = gradeCertificate(kb, facts, { now: NOW, requireApplicationUri: true });
  t.match(one(findings, 'x509.applicationUri'), { grade: 'broken', value: /no URI/ });
  t.match(one(findings, 'x509.lifetime'), { grade: 'weak', value: '25.0 years' });
  t.match(one(gradeCertificate(kb, facts, { now: NOW, expectedApplicationUri: 'urn:x' }), 'x509.applicationUri'), { grade: 'broken' });

  t.match(one(gradeCertificate(kb, facts, { now: new Date('2024-12-31T00:00:00Z') }), 'x509.validity'), {
    grade: 'broken',
    value: /^not valid before/,
  });
  t.match(one(gradeCertificate(kb, facts, { now: new Date(Date.parse(facts.notAfter) - 10 * DAY) }), 'x509.validity'), {
    grade: 'weak',
    value: /\(10 days left\)/,
  });
});

t.test('CA-signed certificate is not self-signed', async (t) => {
  const ca = forgeCert({
    bits: 2048,
    hash: 'sha256',
    notBefore: new Date('2025-01-01T00:00:00Z'),
    notAfter: new Date('2030-01-01T00:00:00Z'),
    commonName: 'test CA',
    ca: true,
  });
  const leaf = forgeCert({
    bits: 2048,
    hash: 'sha384',
    notBefore: new Date('2025-01-01T00:00:00Z'),
    notAfter: new Date('2026-01-01T00:00:00Z'),
    commonName: 'leaf',
    uris: ['urn:leaf'],
    issuer: { cert: ca.cert, key: ca.key },
  });
  const facts = parseCertificate(leaf.der);
  t.equal(facts.selfSigned, false);
  t.match(facts.issuer, /CN=test CA/);
  t.equal(facts.signatureHash, 'sha384');
  const findings = gradeCertificate(kb, facts, { now: NOW });
  t.same(bySubject(findings, 'x509.selfSigned'), []);
  t.match(one(findings, 'x509.signatureHash'), { grade: 'strong' });
  t.equal(parseCertificate(ca.der).selfSigned, true);
});

t.test('EC P-256 from openssl', async (t) => {
  const der = opensslCert('ec-p256', ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1'], [
    '-sha256',
    '-addext',
    'subjectAltName=URI:urn:otconform:ec,DNS:ec.local,IP:10.0.0.1',
  ]);
  const facts = parseCertificate(der);
  t.match(facts, {
    keyType: 'EC',
    curve: 'prime256v1',
    keyBits: 256,
    signatureAlgorithm: 'ecdsa-with-SHA256',
    signatureHash: 'sha256',
    selfSigned: true,
    sanUris: ['urn:otconform:ec'],
    sanDns: ['ec.local'],
    sanIps: ['10.0.0.1'],
  });
  const findings = gradeCertificate(kb, facts, { now: new Date(), expectedApplicationUri: 'urn:otconform:ec' });
  t.match(one(findings, 'x509.keySize'), { value: 'EC P-256', grade: 'strong' });
  t.match(one(findings, 'x509.validity'), { grade: 'strong' });
  t.equal(kb.judge(findings, 3).verdict, 'pass');
  t.equal(kb.judge(findings, 4).verdict, 'fail', 'SHA-256 is below the SL 4 bar');
});

t.test('EC P-384 / SHA-384 passes SL 4', async (t) => {
  const der = opensslCert('ec-p384', ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:secp384r1'], ['-sha384']);
  const facts = parseCertificate(der);
  t.match(facts, { keyType: 'EC', curve: 'secp384r1', signatureAlgorithm: 'ecdsa-with-SHA384', signatureHash: 'sha384' });
  const findings = gradeCertificate(kb, facts, { now: new Date() });
  t.equal(kb.judge(findings, 4).verdict, 'pass', kb.judge(findings, 4).reason);
});

t.test('Ed25519 from openssl', async (t) => {
  const der = opensslCert('ed25519', ['-newkey', 'ed25519']);
  const facts = parseCertificate(der);
  t.match(facts, { keyType: 'Ed25519', signatureAlgorithm: 'Ed25519', signatureHash: 'sha512', selfSigned: true });
  t.equal(facts.curve, undefined);
  const findings = gradeCertificate(kb, facts, { now: new Date() });
  t.match(one(findings, 'x509.keySize'), { value: 'Ed25519', grade: 'strong' });
  t.match(one(findings, 'x509.signatureHash'), { grade: 'strong' });
});

t.test('RSASSA-PSS signature hash comes from the parameters', async (t) => {
  const der = opensslCert('rsa-pss', ['-newkey', 'rsa:2048'], ['-sha384', '-sigopt', 'rsa_padding_mode:pss', '-sigopt', 'rsa_pss_saltlen:48']);
  const facts = parseCertificate(der);
  t.match(facts, { keyType: 'RSA', keyBits: 2048, signatureAlgorithm: 'RSASSA-PSS', signatureHash: 'sha384', selfSigned: true });
});

t.test('a curve the knowledge base does not know is unknown, never passed', async (t) => {
  const der = opensslCert('ec-k1', ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:secp256k1'], ['-sha256']);
  const facts = parseCertificate(der);
  t.equal(facts.curve, 'secp256k1');
  const findings = gradeCertificate(kb, facts, { now: new Date() });
  t.match(one(findings, 'x509.keySize'), { grade: 'unknown', value: 'EC secp256k1', reason: /not in the knowledge base/ });
  for (const sl of [1, 2, 3] as const) t.equal(kb.judge(findings, sl).verdict, 'error', `inconclusive at SL ${sl}`);

  t.equal(kb.x509SignatureHash('whirlpool').grade, 'unknown');
  t.equal(kb.x509Key('GOST R 34.10').grade, 'unknown');
  t.equal(kb.x509Key('RSA').grade, 'unknown', 'RSA without a size cannot be graded');
});

t.test('garbage is rejected with a parse error', async (t) => {
  t.throws(() => parseCertificate(Buffer.from('not a certificate')), CertificateParseError);
  t.throws(() => parseCertificate(Buffer.alloc(0)), CertificateParseError);
});
