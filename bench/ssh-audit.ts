// otconform's SSH audit beside ssh-audit 2.5.0 (the comparison reference): the same servers scanned by both,
// wall time measured, and every offered algorithm's classification compared. test/ssh-audit-agreement.test.ts
// uses the same runner, parser and comparison, so the benchmark and the test cannot disagree on "agree".
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import ssh2 from 'ssh2';
import { startManagementServices } from '../simulators/mgmt/index.js';
import { loadKnowledgeBase, type Finding, type KnowledgeBase, type KnownGrade } from '../src/knowledge/index.js';
import type { SshAuditLevel } from '../src/knowledge/ssh-knowledge.js';
import { ssh2Supported } from '../src/protocols/ssh/algorithms.js';
import { probeHostKey, type HostKeyProbe } from '../src/protocols/ssh/host-keys.js';
import { readServerHello, type ServerHello } from '../src/protocols/ssh/kexinit.js';
import { gradeOffer, gradeServedKey, worse } from '../testcases/ssh/_support.js';

const run = promisify(execFile);
const { Server, utils } = ssh2;

export type AuditFamily = 'kex' | 'key' | 'enc' | 'mac';
const OUR_FAMILY = { kex: 'kex', key: 'hostKey', enc: 'cipher', mac: 'mac' } as const;

/** What ssh-audit -j prints (2.5.0), as far as the comparison needs it. */
export interface SshAuditJson {
  banner: { raw: string };
  kex: { algorithm: string; keysize?: number }[];
  key: { algorithm: string; keysize?: number }[];
  enc: string[];
  mac: string[];
  compression: string[];
  fingerprints: { hostkey: string; hash_alg: string; hash: string }[];
}

export interface SshAuditScan {
  json: SshAuditJson;
  /** "kex:diffie-hellman-group1-sha1" -> fail, from the batch output. */
  levels: Map<string, SshAuditLevel>;
  /** Wall time of one ssh-audit scan (the batch run). */
  ms: number;
}

/** ssh-audit's version ("2.5.0"), or undefined when it is not installed. */
export async function sshAuditVersion(): Promise<string | undefined> {
  try {
    const { stdout } = await run('ssh-audit', ['-h'], { timeout: 10_000 }).catch((e: { stdout?: string; code?: unknown }) => {
      // ssh-audit -h exits non-zero; its help text still names the version.
      if (typeof e.stdout === 'string' && e.stdout.length > 0) return { stdout: e.stdout };
      throw e;
    });
    return /ssh-audit v(\d+\.\d+\.\d+)/.exec(stdout)?.[1];
  } catch {
    return undefined;
  }
}

/** ssh-audit exits 1-3 for findings; only its output matters. */
async function sshAudit(args: string[]): Promise<string> {
  try {
    return (await run('ssh-audit', args, { timeout: 30_000, maxBuffer: 4 * 1024 * 1024 })).stdout;
  } catch (e) {
    const out = (e as { stdout?: string }).stdout;
    if (typeof out === 'string' && out.length > 0) return out;
    throw e;
  }
}

/** Runs ssh-audit twice (JSON for the lists, batch text for the levels); async, so a server in this process keeps answering. */
export async function runSshAudit(port: number, host = '127.0.0.1'): Promise<SshAuditScan> {
  const json = JSON.parse(await sshAudit(['-j', '-p', String(port), host])) as SshAuditJson;
  // Timed: one ordinary scan, which is what a user runs (the JSON run only adds the lists for the comparison).
  const started = performance.now();
  const batch = await sshAudit(['-b', '-n', '-p', String(port), host]);
  return { json, levels: parseBatchLevels(batch), ms: Math.round(performance.now() - started) };
}

const LINE = /^\((kex|key|enc|mac)\) (\S+)(?: \(\d+-bit[^)]*\))?(?:\s+-- \[(fail|warn|info)\] (.*?))?\s*$/;

/** The worst level ssh-audit prints per algorithm; "unknown algorithm" warnings become unknown. */
export function parseBatchLevels(text: string): Map<string, SshAuditLevel> {
  const levels = new Map<string, SshAuditLevel>();
  const rank: Record<SshAuditLevel, number> = { pass: 0, unknown: 1, warn: 2, fail: 3 };
  for (const line of text.split(/\r?\n/)) {
    const m = LINE.exec(line);
    if (!m) continue;
    const key = `${m[1]}:${m[2]}`;
    const level: SshAuditLevel = m[3] === 'fail' ? 'fail' : m[3] === 'warn' ? (m[4] === 'unknown algorithm' ? 'unknown' : 'warn') : 'pass';
    const prior = levels.get(key);
    if (!prior || rank[level] > rank[prior]) levels.set(key, level);
  }
  return levels;
}

export interface OurScan {
  hello: ServerHello;
  probes: HostKeyProbe[];
  /** "kex:name" -> the level our grade corresponds to (marker for kex-list markers). */
  levels: Map<string, SshAuditLevel | 'marker' | 'not graded'>;
  findings: Map<string, Finding>;
  ms: number;
}

/** The ssh-audit level a grade stands for; a name ssh-audit does not know is expected to be unknown to it. */
function levelOf(kb: KnowledgeBase, family: AuditFamily, name: string, grade: Finding['grade']): SshAuditLevel | 'not graded' {
  const entry = kb.ssh.entries(OUR_FAMILY[family]).find((e) => e.name === name);
  if (grade === 'unknown') return 'not graded';
  if (entry?.sshAudit === 'unknown') return 'unknown';
  const map: Record<KnownGrade, SshAuditLevel> = { broken: 'fail', weak: 'warn', acceptable: 'pass', strong: 'pass' };
  return map[grade];
}

/** What otconform's ssh-algorithms and ssh-host-keys checks read and grade, without the runner around them. */
export async function ourScan(kb: KnowledgeBase, port: number, host = '127.0.0.1', timeoutMs = 5000): Promise<OurScan> {
  const started = performance.now();
  const service = { host, port, timeoutMs };
  const hello = await readServerHello(host, port, { timeoutMs });
  if (!hello.kexinit) throw new Error(`${host}:${port} speaks SSH-1 only`);
  const probes: HostKeyProbe[] = [];
  for (const algorithm of hello.kexinit.hostKey) probes.push(await probeHostKey(service, algorithm));
  const ms = Math.round(performance.now() - started);

  const findings = new Map<string, Finding>();
  const levels: OurScan['levels'] = new Map();
  const graded = gradeOffer(kb, hello.kexinit);
  for (const name of graded.markers) levels.set(`kex:${name}`, 'marker');
  const families: [AuditFamily, string[]][] = [
    ['kex', graded.offered.kex],
    ['key', graded.offered.hostKey],
    ['enc', graded.offered.cipher],
    ['mac', graded.offered.mac],
  ];
  for (const [family, names] of families) {
    for (const name of names) {
      let f = kb.ssh.algorithm(OUR_FAMILY[family], name);
      // A served RSA key smaller than 2048 bits fails every algorithm it serves, as in ssh-audit.
      const probe = family === 'key' ? probes.find((p) => p.algorithm === name) : undefined;
      if (probe?.status === 'served' && (probe.key.keyType === 'rsa' || probe.key.keyType === 'dsa')) f = worse(f, gradeServedKey(kb, probe));
      findings.set(`${family}:${name}`, f);
      levels.set(`${family}:${name}`, levelOf(kb, family, name, f.grade));
    }
  }
  return { hello, probes, levels, findings, ms };
}

export interface Comparison {
  agree: boolean;
  /** One line per difference: lists, fingerprints or classifications. */
  differences: string[];
  compared: number;
}

export function compareScans(ours: OurScan, theirs: SshAuditScan): Comparison {
  const differences: string[] = [];
  const k = ours.hello.kexinit!;
  const sameList = (what: string, a: readonly string[], b: readonly string[]) => {
    if (a.join(',') !== b.join(',')) differences.push(`${what}: otconform read [${a.join(',')}], ssh-audit [${b.join(',')}]`);
  };
  sameList('kex list', k.kex, theirs.json.kex.map((e) => e.algorithm));
  sameList('host key list', k.hostKey, theirs.json.key.map((e) => e.algorithm));
  sameList('cipher list (server to client)', k.cipherS2c, theirs.json.enc);
  sameList('MAC list (server to client)', k.macS2c, theirs.json.mac);
  sameList('compression list', k.compressionS2c, theirs.json.compression);
  if (ours.hello.ident !== theirs.json.banner.raw) differences.push(`identification: "${ours.hello.ident}" vs "${theirs.json.banner.raw}"`);

  // Every fingerprint ssh-audit took must be one of the keys we fetched.
  const ourPrints = new Set(ours.probes.flatMap((p) => (p.status === 'served' ? [p.key.fingerprint] : [])));
  for (const f of theirs.json.fingerprints.filter((f) => f.hash_alg === 'SHA256')) {
    if (!ourPrints.has(`SHA256:${f.hash}`)) differences.push(`host key ${f.hostkey} SHA256:${f.hash} was not among the keys otconform fetched`);
  }

  let compared = 0;
  for (const [key, level] of theirs.levels) {
    const ourLevel = ours.levels.get(key);
    compared++;
    if (ourLevel === undefined) differences.push(`${key}: ssh-audit says ${level}, otconform did not see it`);
    else if (ourLevel === 'marker') {
      if (level === 'fail' || level === 'warn') differences.push(`${key}: ssh-audit says ${level}, otconform treats it as an extension marker`);
    } else if (ourLevel !== level) {
      const f = ours.findings.get(key);
      differences.push(`${key}: ssh-audit says ${level}, otconform grades it ${f?.grade ?? '?'} (${ourLevel})`);
    }
  }
  for (const key of ours.levels.keys()) if (!theirs.levels.has(key)) differences.push(`${key}: otconform saw it, ssh-audit did not list it`);
  return { agree: differences.length === 0, differences, compared };
}

/** An ssh2 server offering every algorithm ssh2 supports, with Ed25519, RSA 2048 and ECDSA host keys. */
export async function startWideServer(): Promise<{ port: number; stop(): Promise<void> }> {
  const rsa = utils.generateKeyPairSync('rsa', { bits: 2048 }).private;
  const server = new Server({
    hostKeys: [
      utils.generateKeyPairSync('ed25519').private,
      rsa,
      utils.generateKeyPairSync('ecdsa', { bits: 256 }).private,
      utils.generateKeyPairSync('ecdsa', { bits: 384 }).private,
      utils.generateKeyPairSync('ecdsa', { bits: 521 }).private,
    ],
    algorithms: {
      // ssh2's server cannot serve group exchange, so it is left out of its offer.
      kex: ssh2Supported.kex.filter((k) => !k.includes('group-exchange')) as ssh2.KexAlgorithm[],
      cipher: [...ssh2Supported.cipher] as ssh2.CipherAlgorithm[],
      hmac: [...ssh2Supported.mac] as ssh2.MacAlgorithm[],
      compress: [...ssh2Supported.compression] as ssh2.CompressionAlgorithm[],
    },
  }, (client) => {
    client.on('error', () => {});
    client.on('authentication', (ctx) => ctx.reject(['publickey']));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as { port: number }).port;
  return { port, stop: () => new Promise<void>((r) => server.close(() => r())) };
}

export interface BenchRow {
  label: string;
  oursMs: number;
  sshAuditMs?: number;
  /** oursMs / sshAuditMs: below 1 means otconform was faster. */
  ratio?: number;
  agree?: boolean;
}

/** The median of `runs` scans each, against the weak and hardened simulators and the wide ssh2 server. */
export async function benchSshAudit(runs = 5): Promise<BenchRow[]> {
  const kb = loadKnowledgeBase();
  const version = await sshAuditVersion();
  const pki = mkdtempSync(join(tmpdir(), 'otconform-bench-ssh-'));
  const rows: BenchRow[] = [];
  const targets: { label: string; start: () => Promise<{ port: number; stop(): Promise<void> }> }[] = [
    { label: 'ssh audit, weak simulator', start: async () => { const m = await startManagementServices({ preset: 'weak', pkiDir: join(pki, 'weak') }); return { port: m.ssh.port, stop: m.stop }; } },
    { label: 'ssh audit, hardened simulator', start: async () => { const m = await startManagementServices({ preset: 'hardened', pkiDir: join(pki, 'hardened') }); return { port: m.ssh.port, stop: m.stop }; } },
    { label: 'ssh audit, every ssh2 algorithm', start: startWideServer },
  ];
  try {
    for (const target of targets) {
      const server = await target.start();
      try {
        const ours: OurScan[] = [];
        const theirs: SshAuditScan[] = [];
        for (let i = 0; i < runs; i++) {
          ours.push(await ourScan(kb, server.port));
          if (version) theirs.push(await runSshAudit(server.port));
        }
        const oursMs = median(ours.map((s) => s.ms));
        if (!version) {
          rows.push({ label: `${target.label} (ssh-audit not installed)`, oursMs });
          continue;
        }
        const sshAuditMs = median(theirs.map((s) => s.ms));
        const agree = compareScans(ours[0]!, theirs[0]!).agree;
        rows.push({ label: target.label, oursMs, sshAuditMs, ratio: Math.round((oursMs / sshAuditMs) * 1000) / 1000, agree });
      } finally {
        await server.stop();
      }
    }
  } finally {
    rmSync(pki, { recursive: true, force: true });
  }
  return rows;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}
