// Agreement with testssl.sh: the TLS audit and testssl scan the same two real node:tls servers (weak and
// hardened, test/helpers/tls-servers.ts) and must report the same protocol versions, the same cipher suites
// per version, and the same certificate facts (key type and size, signature hash, name match, chain of trust).
// Skipped when testssl is not installed; in CI (process.env.CI) its absence fails.
// testssl's per-protocol cipher enumeration (-E) dominates the time: about 40 s for the weak server alone.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { findTestssl, fromAudit, fromTestssl, runTestssl } from './helpers/testssl.js';
import { startReferenceTlsServer } from './helpers/tls-servers.js';

t.setTimeout(240_000);

const testssl = findTestssl();
if (!testssl) {
  if (process.env.CI) t.fail('testssl is not installed, and CI must compare the TLS audit with it (apt-get install testssl.sh)');
  else t.test('agreement with testssl', { skip: 'testssl is not installed (install the Debian package testssl.sh to run this comparison)' }, () => {});
} else {
  const dir = mkdtempSync(join(tmpdir(), 'otconform-testssl-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const [weak, hardened] = await Promise.all([startReferenceTlsServer('weak'), startReferenceTlsServer('hardened')]);
  t.teardown(() => Promise.all([weak.stop(), hardened.stop()]));

  // Both testssl scans run at once (each is mostly single-threaded bash); ours run meanwhile.
  const scans = await Promise.all(
    [
      { server: weak, caFile: undefined },
      { server: hardened, caFile: hardened.caFile },
    ].map(async ({ server, caFile }) => {
      const theirs = runTestssl(testssl, `127.0.0.1:${server.port}`, caFile ? ['--add-ca', caFile] : [], dir);
      const ours = await fromAudit(server, caFile ? { caFile } : {});
      return { server, ours, theirs: await theirs };
    }),
  );

  for (const { server, ours, theirs } of scans) {
    t.test(`${server.preset} server: the audit agrees with testssl`, async (t) => {
      const expected = fromTestssl(theirs.entries);
      t.comment(`ours: ${ours.ms} ms, ${ours.connections} connections; testssl -p -E -S: ${(theirs.ms / 1000).toFixed(1)} s`);
      t.same(ours.result.versions, expected.versions, 'the same protocol versions are offered');
      t.same(ours.result.suites, expected.suites, 'the same cipher suites are accepted, version by version');
      t.same(ours.result.certificate, expected.certificate, 'the same certificate facts (key, signature hash, name, chain)');
    });
  }
  t.test('the reference servers are what the agreement is about', async (t) => {
    const weakScan = scans.find((s) => s.server.preset === 'weak')!;
    t.same(weakScan.ours.result.certificate, { key: 'RSA 1024', signatureHash: 'sha1', nameMatches: false, chainTrusted: false, selfSigned: true });
    t.ok((weakScan.ours.result.suites['TLSv1.2'] ?? []).length > 50, 'the weak server accepts dozens of TLS 1.2 suites');
  });
}
