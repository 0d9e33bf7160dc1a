// testssl.sh as a reference for the TLS audit: finding it, running it with only the flags the comparison
// needs, and putting its findings and the audit's side by side in one shape (shared by
// test/tls-testssl.test.ts and bench/tls-audit.ts).
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTranscript } from '../../src/core/transcript.js';
import { loadKnowledgeBase, parseCertificate } from '../../src/knowledge/index.js';
import { suiteKex, TlsAuditFixture, type TlsOffer } from '../../src/protocols/tls/fixture.js';
import { parseSuiteCode, suiteCodeText } from '../../src/protocols/tls/wire.js';
import type { ReferenceTlsServer } from './tls-servers.js';

/** testssl's own limit: a hung scan is killed rather than left to the tap timeout. */
export const TESTSSL_LIMIT_MS = 200_000;
/** Only what the comparison needs: protocols (-p), ciphers per protocol (-E), server defaults incl. certificate (-S). */
export const TESTSSL_FLAGS = ['--quiet', '--warnings', 'off', '--color', '0', '--nodns', 'none', '-p', '-E', '-S'];

export function findTestssl(): string | undefined {
  for (const bin of [process.env.TESTSSL, 'testssl', 'testssl.sh']) {
    if (!bin) continue;
    const r = spawnSync(bin, ['--version'], { stdio: 'ignore', timeout: 20_000 });
    if (r.status === 0) return bin;
  }
  return undefined;
}

export interface TestsslEntry {
  id: string;
  finding: string;
}

export function runTestssl(bin: string, target: string, extra: string[], dir: string): Promise<{ entries: TestsslEntry[]; ms: number }> {
  const jsonFile = join(dir, `${target.replace(/[^0-9a-z]/gi, '_')}.json`);
  const started = Date.now();
  return new Promise((resolve, reject) => {
    // Its own process group, so a timeout can end testssl together with the openssl processes it starts.
    const child = spawn(bin, [...TESTSSL_FLAGS, ...extra, '--jsonfile', jsonFile, target], { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        /* already gone */
      }
      reject(new Error(`testssl did not finish within ${TESTSSL_LIMIT_MS} ms`));
    }, TESTSSL_LIMIT_MS);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('exit', () => {
      clearTimeout(timer);
      try {
        resolve({ entries: JSON.parse(readFileSync(jsonFile, 'utf8')) as TestsslEntry[], ms: Date.now() - started });
      } catch (err) {
        reject(new Error(`testssl wrote no usable JSON (${(err as Error).message}); stderr: ${stderr}`));
      }
    });
  });
}

const TESTSSL_VERSION_IDS: Record<string, string> = {
  SSLv2: 'SSLv2',
  SSLv3: 'SSLv3',
  TLS1: 'TLSv1',
  TLS1_1: 'TLSv1.1',
  TLS1_2: 'TLSv1.2',
  TLS1_3: 'TLSv1.3',
};
const TESTSSL_CIPHER_PROTOCOLS: Record<string, string> = { ssl2: 'SSLv2', ssl3: 'SSLv3', tls1: 'TLSv1', tls1_1: 'TLSv1.1', tls1_2: 'TLSv1.2', tls1_3: 'TLSv1.3' };

/** What testssl found, in the audit's vocabulary. */
export function fromTestssl(entries: TestsslEntry[]) {
  const finding = (id: string) => entries.find((e) => e.id === id)?.finding ?? '';
  const versions = Object.fromEntries(
    Object.entries(TESTSSL_VERSION_IDS).map(([id, name]) => [name, /^offered/.test(finding(id)) ? true : /^not offered/.test(finding(id)) ? false : finding(id)]),
  );
  const suites: Record<string, string[]> = {};
  for (const e of entries) {
    const m = /^cipher-(ssl2|ssl3|tls1|tls1_1|tls1_2|tls1_3)_x([0-9a-f]+)$/.exec(e.id);
    if (!m) continue;
    const version = TESTSSL_CIPHER_PROTOCOLS[m[1]!]!;
    (suites[version] ??= []).push(suiteCodeText(parseInt(m[2]!, 16)));
  }
  for (const list of Object.values(suites)) list.sort();
  const keySize = /^(\w+) (\d+) bits/.exec(finding('cert_keySize'));
  return {
    versions,
    suites,
    certificate: {
      key: keySize ? `${keySize[1]} ${keySize[2]}` : finding('cert_keySize'),
      // "SHA1 with RSA", "SHA256 with RSA", "ECDSA with SHA384" -> the hash.
      signatureHash: (/SHA\d+/i.exec(finding('cert_signatureAlgorithm'))?.[0] ?? finding('cert_signatureAlgorithm')).toLowerCase(),
      nameMatches: /^Ok via/i.test(finding('cert_trust')),
      chainTrusted: /^passed/i.test(finding('cert_chain_of_trust')),
      selfSigned: /self signed/i.test(finding('cert_chain_of_trust')),
    },
  };
}

export function offerOf(): TlsOffer {
  const kb = loadKnowledgeBase();
  return {
    suites: kb.tlsCipherSuites().map((s) => ({ code: parseSuiteCode(s.code), name: s.iana, kex: suiteKex(s.iana) })),
    groups: kb.tlsGroups().map((g) => ({ code: g.code, name: g.name, kind: g.kind })),
  };
}

/** The audit's findings, in the same shape; with groups, the full audit (what the four TLS checks scan). */
export async function fromAudit(server: ReferenceTlsServer, o: { caFile?: string; groups?: boolean } = {}) {
  const fixture = new TlsAuditFixture(
    { name: server.preset, host: '127.0.0.1', port: server.port, via: 'tls', ...(o.caFile ? { caFile: o.caFile } : {}) },
    createTranscript(),
    { signal: new AbortController().signal, connectTimeoutMs: 5000 },
  );
  const offer = offerOf();
  const started = Date.now();
  const { versions, suites } = await fixture.suites(offer);
  if (o.groups) await fixture.groups(offer);
  const cert = await fixture.certificate(offer);
  const ms = Date.now() - started;
  const leaf = parseCertificate(cert.chain[0]!);
  return {
    ms,
    connections: fixture.connections,
    result: {
      versions: Object.fromEntries(versions.map((v) => [v.version, v.offered])),
      suites: Object.fromEntries(suites.map((s) => [s.version, [...s.accepted.map((a) => a.code), ...s.unknown].sort()])),
      certificate: {
        key: `${leaf.keyType} ${leaf.keyBits}`,
        signatureHash: leaf.signatureHash,
        nameMatches: cert.nameMismatch === undefined,
        chainTrusted: cert.authorized,
        selfSigned: leaf.selfSigned,
      },
    },
  };
}
