// The TLS audit through the real runner, against real TLS servers on loopback: a weak and a hardened node:tls
// server (test/helpers/tls-servers.ts), the management simulator's HTTPS service in both presets, and the PLC
// simulator's Modbus/TCP Security endpoint, which demands a client certificate. Every TLS check must fail on
// the weak servers and pass on the hardened ones; a stricter SL must turn a pass into a fail.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';
import t from 'tap';
import { startManagementServices } from '../simulators/mgmt/index.js';
import { startPlcSimulator } from '../simulators/modbus-plc/index.js';
import { loadKnowledgeBase } from '../src/knowledge/index.js';
import type { SecurityLevel } from '../src/core/outcomes.js';
import { runChecks } from './helpers/run-checks.js';
import { startLegacySslServer, startReferenceTlsServer, type ReferenceTlsServer } from './helpers/tls-servers.js';

t.setTimeout(90_000);

const TLS_CHECKS = ['tls-protocol-versions', 'tls-cipher-suites', 'tls-key-exchange-groups', 'tls-certificate'];
const scratch = mkdtempSync(join(tmpdir(), 'otconform-tls-audit-'));
t.teardown(() => rmSync(scratch, { recursive: true, force: true }));

const [weak, hardened] = await Promise.all([startReferenceTlsServer('weak'), startReferenceTlsServer('hardened')]);
t.teardown(() => Promise.all([weak.stop(), hardened.stop()]));

function profileYaml(services: string, sl = 2): string {
  return `
schemaVersion: 1
device: { vendor: otconform tests, model: TLS endpoint, firmware: "1" }
componentType: EDR
targetSecurityLevel: ${sl}
services:
${services}
`;
}

const tlsService = (name: string, s: ReferenceTlsServer, withCa: boolean) =>
  `  tls:\n    - { name: ${name}, host: 127.0.0.1, port: ${s.port}${withCa ? `, caFile: ${s.caFile}` : ''} }\n`;

let runs = 0;
/** The drivers wait as long as the profile says, like the CLI: the silent-server case sets a short connect timeout. */
const run = (yaml: string, sl?: SecurityLevel) =>
  runChecks(yaml, {
    checks: TLS_CHECKS,
    outDir: join(scratch, `run-${++runs}`),
    pkiDir: join(scratch, 'pki'),
    connectTimeoutMs: 'profile',
    profileName: 'tls.yaml',
    ...(sl ? { targetSecurityLevel: sl } : {}),
  });

t.test('the knowledge base grades groups, DHE primes and certificate chains', async (t) => {
  const kb = loadKnowledgeBase();
  t.match(kb.tlsGroup('P-256'), { subject: 'TLS key exchange group', value: 'secp256r1', grade: 'strong' }, 'by alias');
  t.equal(kb.tlsGroup(29).value, 'x25519', 'by code point');
  t.equal(kb.tlsGroup('0x0013').grade, 'broken', 'secp192r1 by hex code point');
  t.equal(kb.tlsGroup(0x9999).grade, 'unknown', 'an unknown group is unknown, never a pass');
  t.same([4096, 3072, 2048, 1024, 512].map((b) => kb.tlsDhePrime(b).grade), ['strong', 'strong', 'acceptable', 'weak', 'broken']);
  t.equal(kb.tlsCertificateChain('unverified', 'issued by X').grade, 'unknown', 'an unverifiable chain is unknown');
  t.equal(kb.tlsCertificateName('127.0.0.1', 'not in SAN').grade, 'weak');
  const codes = kb.tlsGroups().map((g) => g.code);
  t.equal(new Set(codes).size, codes.length, 'every group has its own code point');
  for (const g of kb.tlsGroups()) t.equal(kb.tlsGroup(g.code).value, g.name, `${g.name} answers to its code point`);
});

t.test('the weak server fails every TLS check, naming the worst findings', async (t) => {
  const { report, evidenceJson, verdicts, ms } = await run(profileYaml(tlsService('weak', weak, false)));
  t.same(verdicts, Object.fromEntries(TLS_CHECKS.map((id) => [`${id} @ weak`, 'fail'])), 'all four checks fail');
  t.comment(`weak: four checks in ${ms} ms, ${weak.connections()} connections to the server`);
  const reason = (id: string) => report.checks.find((c) => c.id === id)?.reason ?? '';
  t.match(reason('tls-protocol-versions'), /TLSv1 \(weak\).*TLSv1\.1 \(weak\)/, 'names TLS 1.0 and 1.1');
  t.match(reason('tls-cipher-suites'), /broken \(.*anon/i, 'names broken anonymous suites');
  t.match(reason('tls-key-exchange-groups'), /secp192r1/, 'names the 96-bit curve');
  t.match(reason('tls-key-exchange-groups'), /1024 bits/, 'names the 1024-bit DHE prime');
  t.match(reason('tls-certificate'), /RSA 1024/, 'names the 1024-bit key');
  t.match(reason('tls-certificate'), /sha1/, 'names the SHA-1 signature');
  t.match(reason('tls-certificate'), /does not name 127\.0\.0\.1/, 'names the host mismatch');

  const suites = evidenceJson<{ suites: { version: string; accepted: unknown[] }[] }>('tls-cipher-suites', 'suites.json');
  t.same(
    suites.suites.map((s) => [s.version, s.accepted.length]),
    [['TLSv1', 16], ['TLSv1.1', 16], ['TLSv1.2', 56]],
    'the full scan is attached as evidence: every suite of every version',
  );
  const versions = report.checks.find((c) => c.id === 'tls-protocol-versions');
  t.equal(versions?.measurements.offered?.value, 'TLSv1 TLSv1.1 TLSv1.2');
});

t.test('the hardened server passes every TLS check', async (t) => {
  const { report, evidenceJson, verdicts, ms } = await run(profileYaml(tlsService('hardened', hardened, true)));
  t.same(verdicts, Object.fromEntries(TLS_CHECKS.map((id) => [`${id} @ hardened`, 'pass'])), 'all four checks pass');
  for (const c of report.checks) t.comment(`${c.id}: ${c.durationMs} ms, ${String(c.measurements.connections?.value)} connections — ${c.reason}`);
  t.comment(`hardened: four checks in ${ms} ms`);
  const groups = evidenceJson<{ tls13: { name: string; supported: boolean }[] }>('tls-key-exchange-groups', 'groups.json');
  t.same(
    groups.tls13.filter((g) => g.supported).map((g) => g.name).sort(),
    ['secp256r1', 'secp384r1', 'x25519'],
    'TLS 1.3 groups found through HelloRetryRequests',
  );
});

t.test('a stricter SL turns the hardened server\'s TLS 1.2 into a failure', async (t) => {
  const { report } = await run(profileYaml(tlsService('hardened', hardened, true)), 4);
  const versions = report.checks.find((c) => c.id === 'tls-protocol-versions');
  t.equal(versions?.verdict, 'fail', 'TLS 1.2 (acceptable) is below SL 4');
  t.match(versions?.reason, /TLSv1\.2 \(acceptable\)/);
});

t.test('a certificate that does not chain to the profile\'s CA fails', async (t) => {
  // The hardened server's certificate, checked against the weak server's (unrelated) certificate as CA.
  const yaml = profileYaml(`  tls:\n    - { name: wrong-ca, host: 127.0.0.1, port: ${hardened.port}, caFile: ${weak.caFile} }\n`);
  const { report } = await run(yaml);
  const cert = report.checks.find((c) => c.id === 'tls-certificate');
  t.equal(cert?.verdict, 'fail');
  t.match(cert?.reason, /broken/);
  t.match(JSON.stringify(cert?.findings), /does not verify against/);
});

t.test('SSL 2.0 and SSL 3.0, which node:tls cannot speak, are found with hand-built hellos', async (t) => {
  const legacy = await startLegacySslServer();
  t.teardown(() => legacy.stop());
  const { report, evidenceJson } = await run(profileYaml(`  tls:\n    - { name: legacy, host: 127.0.0.1, port: ${legacy.port} }\n`));
  const check = (id: string) => report.checks.find((c) => c.id === id);
  t.equal(check('tls-protocol-versions')?.verdict, 'fail');
  t.equal(check('tls-protocol-versions')?.measurements.offered?.value, 'SSLv2 SSLv3', 'SSL 2.0 and 3.0 are offered, nothing else');
  t.match(check('tls-protocol-versions')?.reason, /SSLv2 \(broken\).*SSLv3 \(broken\)/);
  const suites = evidenceJson<{ suites: { version: string; accepted: { name: string }[] }[] }>('tls-cipher-suites', 'suites.json');
  t.same(
    suites.suites.map((s) => [s.version, s.accepted.map((a) => a.name).sort()]),
    [['SSLv3', ['TLS_RSA_WITH_3DES_EDE_CBC_SHA', 'TLS_RSA_WITH_RC4_128_SHA']]],
    'the SSL 3.0 suites are enumerated',
  );
  t.equal(check('tls-cipher-suites')?.verdict, 'fail');
  t.equal(check('tls-certificate')?.verdict, 'fail', check('tls-certificate')?.reason ?? '');
  const cert = evidenceJson<{ handshake: { source: string; nodeTlsError: string } }>('tls-certificate', 'certificate.json');
  t.equal(cert.handshake.source, 'raw handshake', 'node:tls cannot connect, so the certificate is read from the SSL 3.0 handshake');
  t.equal(check('tls-certificate')?.verdict, 'fail');
  t.match(check('tls-certificate')?.reason, /RSA 1024/);
  t.equal(check('tls-key-exchange-groups')?.verdict, 'error', 'no ephemeral key exchange: nothing to grade, so inconclusive');
});

t.test('a service that does not speak TLS is inconclusive, not a pass', async (t) => {
  const plain = net.createServer((socket) => {
    socket.on('error', () => {});
    socket.once('data', () => socket.end('HTTP/1.0 400 Bad Request\r\n\r\n'));
  });
  await new Promise<void>((resolve) => plain.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => plain.close(() => resolve())));
  const { port } = plain.address() as net.AddressInfo;
  const { report } = await run(profileYaml(`  tls:\n    - { name: plaintext, host: 127.0.0.1, port: ${port} }\n`));
  for (const c of report.checks) {
    t.equal(c.verdict, 'error', `${c.id} is inconclusive`);
    t.match(c.reason, /does not answer in TLS|handshake failed|closed the connection/, `${c.id} says why`);
  }
});

t.test('a service that never answers is given up on quickly, and is inconclusive', async (t) => {
  const silent = net.createServer((socket) => socket.on('error', () => {}));
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  t.teardown(() => {
    silent.close();
  });
  const { port } = silent.address() as net.AddressInfo;
  const { report, ms } = await run(`${profileYaml(`  tls:\n    - { name: silent, host: 127.0.0.1, port: ${port} }\n`)}timeouts: { connectMs: 200 }\n`);
  for (const c of report.checks) t.equal(c.verdict, 'error', `${c.id}: ${c.reason}`);
  t.ok(ms < 10_000, `four checks gave up after ${ms} ms, not after hundreds of timeouts`);
});

t.test('the management simulator\'s HTTPS service, both presets', async (t) => {
  // The weak web UI offers a 192-bit curve and 1024-bit DHE, so its groups fail too.
  const expected = {
    weak: { 'tls-protocol-versions': 'fail', 'tls-cipher-suites': 'fail', 'tls-key-exchange-groups': 'fail', 'tls-certificate': 'fail' },
    hardened: { 'tls-protocol-versions': 'pass', 'tls-cipher-suites': 'pass', 'tls-key-exchange-groups': 'pass', 'tls-certificate': 'pass' },
  } as const;
  for (const preset of ['weak', 'hardened'] as const) {
    const mgmt = await startManagementServices({ preset, pkiDir: join(scratch, `mgmt-${preset}`) });
    try {
      const yaml = profileYaml(`  https:\n    - { name: web, url: "https://127.0.0.1:${mgmt.https.port}", caFile: ${mgmt.https.caFile} }\n`);
      const { report } = await run(yaml);
      const mine = Object.fromEntries(report.checks.filter((c) => TLS_CHECKS.includes(c.id)).map((c) => [c.id, c.verdict]));
      t.same(mine, expected[preset], `${preset}: the TLS checks reach their known verdicts`);
      for (const c of report.checks) if (c.verdict !== expected[preset][c.id as keyof (typeof expected)['weak']]) t.comment(`${c.id}: ${c.reason}`);
    } finally {
      await mgmt.stop();
    }
  }
});

t.test('a Modbus/TCP Security endpoint that demands a client certificate scans fine', async (t) => {
  const pkiDir = join(scratch, 'plc-pki');
  const sim = await startPlcSimulator({ preset: 'hardened', port: 0, tlsPort: 0, pkiDir });
  t.teardown(() => sim.stop());
  const yaml = profileYaml(`  modbus:
    - name: plc-tls
      host: 127.0.0.1
      port: ${sim.tlsPort}
      tls:
        clientCertificate: { certificateFile: ${join(pkiDir, 'operator.cert.pem')}, privateKeyFile: ${join(pkiDir, 'operator.key.pem')} }
        caFile: ${join(pkiDir, 'ca.cert.pem')}
`);
  const { report, evidenceJson } = await run(yaml);
  for (const c of report.checks) t.comment(`${c.id}: ${c.verdict} — ${c.reason}`);
  t.ok(report.checks.length === 4 && report.checks.every((c) => c.verdict === 'pass' || c.verdict === 'fail'), 'every check reaches a verdict');
  const cert = evidenceJson<{ handshake: { source: string; clientCertificate: string; authorized: boolean } }>('tls-certificate', 'certificate.json');
  t.same(
    { source: cert.handshake.source, clientCertificate: cert.handshake.clientCertificate, authorized: cert.handshake.authorized },
    { source: 'node:tls', clientCertificate: 'presented', authorized: true },
    'the chain came from a full handshake with the profile\'s client certificate and verified against its CA',
  );
  t.equal(report.checks.find((c) => c.id === 'tls-protocol-versions')?.measurements.offered?.value, 'TLSv1.2 TLSv1.3');
  t.equal(report.checks.find((c) => c.id === 'tls-certificate')?.verdict, 'pass', 'the device CA-issued RSA-2048 SHA-256 certificate passes');
});
