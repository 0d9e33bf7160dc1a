// The SSH knowledge base agrees with ssh-audit 2.5.0, the comparison reference: entry by entry against its
// algorithm database, and live, algorithm by algorithm, on real ssh2 servers that both tools scan.
// Skipped with a message when ssh-audit is not installed here; in CI (process.env.CI) that is a failure.
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { compareScans, ourScan, runSshAudit, sshAuditVersion, startWideServer } from '../bench/ssh-audit.js';
import { startManagementServices } from '../simulators/mgmt/index.js';
import { DEFAULT_DATA_DIR, loadKnowledgeBase, loadKnowledgeBaseFrom } from '../src/knowledge/index.js';
import { SSH_ALGORITHM_FAMILIES, type SshAuditLevel } from '../src/knowledge/ssh-knowledge.js';
import { ssh2Supported } from '../src/protocols/ssh/algorithms.js';

t.setTimeout(60_000);
const run = promisify(execFile);
const kb = loadKnowledgeBase();
const REFERENCE_VERSION = '2.5.0';

/** ssh-audit's own database, dumped by its Python package: family -> name -> level (fail | warn | pass). */
const DUMP = `
import json
from ssh_audit.ssh2_kexdb import SSH2_KexDB
out = {}
for family, algs in SSH2_KexDB.ALGORITHMS.items():
    out[family] = {}
    for name, desc in algs.items():
        fail = len(desc) > 1 and any(x for x in desc[1] if x)
        warn = len(desc) > 2 and any(x for x in desc[2] if x)
        out[family][name] = 'fail' if fail else 'warn' if warn else 'pass'
print(json.dumps(out))
`;
const FAMILY = { kex: 'kex', hostKey: 'key', cipher: 'enc', mac: 'mac' } as const;

/** The Python that runs ssh-audit (its shebang), which is the one that can import its package. */
function sshAuditPython(): string {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const script = join(dir, 'ssh-audit');
    if (!existsSync(script)) continue;
    const shebang = /^#!\s*(\S+)(?:\s+(\S+))?/.exec(readFileSync(script, 'utf8').split('\n')[0] ?? '');
    if (!shebang) break;
    // "#!/usr/bin/env python3" names the interpreter in its argument.
    return shebang[1]!.endsWith('/env') && shebang[2] ? shebang[2] : shebang[1]!;
  }
  return 'python3';
}

t.test('ssh-audit agreement', async (t) => {
  const version = await sshAuditVersion();
  if (!version) {
    if (process.env.CI) return void t.fail('ssh-audit is not installed, and CI must compare against it (apt-get install ssh-audit)');
    process.stderr.write('\n!!! SSH-AUDIT AGREEMENT SKIPPED: ssh-audit is not installed (apt-get install ssh-audit)\n\n');
    return void t.pass('ssh-audit agreement', { skip: 'ssh-audit is not installed here; install it (apt-get install ssh-audit) to compare the SSH grades' });
  }
  t.comment(`ssh-audit ${version}`);

  t.test('every graded name matches ssh-audit\'s database', async (t) => {
    if (version !== REFERENCE_VERSION) {
      if (process.env.CI) return void t.fail(`the data is classified against ssh-audit ${REFERENCE_VERSION}, but ${version} is installed`);
      return void t.pass('database comparison', { skip: `the data is classified against ssh-audit ${REFERENCE_VERSION}; ${version} is installed` });
    }
    let db: Record<string, Record<string, 'fail' | 'warn' | 'pass'>>;
    try {
      db = JSON.parse((await run(sshAuditPython(), ['-c', DUMP], { timeout: 20_000 })).stdout) as typeof db;
    } catch (err) {
      if (process.env.CI) return void t.fail(`cannot read ssh-audit's database through Python: ${(err as Error).message}`);
      return void t.pass('database comparison', { skip: `cannot read ssh-audit's database through Python (${(err as Error).message.split('\n')[0]})` });
    }
    const mismatches: string[] = [];
    let compared = 0;
    for (const family of ['kex', 'hostKey', 'cipher', 'mac'] as const) {
      const theirs = db[FAMILY[family]] ?? {};
      for (const e of kb.ssh.entries(family)) {
        const level: SshAuditLevel = theirs[e.name] ?? 'unknown';
        compared++;
        if (level !== e.sshAudit) mismatches.push(`${family} ${e.name}: ssh.yaml records ${e.sshAudit}, ssh-audit's database says ${level}`);
      }
      // Every non-GSS name ssh-audit classifies is in the data (GSS-API key exchange is out of scope).
      for (const name of Object.keys(theirs)) {
        const known = kb.ssh.entries(family).some((e) => e.name === name) || (family === 'kex' && kb.ssh.marker(name));
        if (!known && !name.startsWith('gss-')) mismatches.push(`${family} ${name}: in ssh-audit's database, missing from ssh.yaml`);
      }
    }
    for (const m of kb.ssh.markers()) {
      const level: SshAuditLevel = db.kex?.[m.name] ?? 'unknown';
      if (level !== m.sshAudit) mismatches.push(`marker ${m.name}: ssh.yaml records ${m.sshAudit}, ssh-audit says ${level}`);
    }
    t.same(mismatches, [], `${compared} graded names agree with ssh-audit's database`);
  });

  t.test('the loader refuses a grade that contradicts the recorded ssh-audit level', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'otconform-ssh-kb-'));
    cpSync(DEFAULT_DATA_DIR, dir, { recursive: true });
    const file = join(dir, 'ssh.yaml');
    const text = readFileSync(file, 'utf8');
    const edited = text.replace(/(- name: hmac-md5\n    grade: )broken/, '$1strong');
    t.not(edited, text, 'the edit applies');
    writeFileSync(file, edited);
    const err = (() => {
      try {
        loadKnowledgeBaseFrom(dir);
      } catch (e) {
        return e as { details?: string[] };
      }
      return undefined;
    })();
    t.ok(err?.details?.some((d) => /mac "hmac-md5" is graded strong, but ssh-audit says fail/.test(d)), 'the contradiction is named');
  });

  t.test('every algorithm ssh2 can negotiate is graded', async (t) => {
    const missing = SSH_ALGORITHM_FAMILIES.flatMap((family) => {
      const names = { kex: ssh2Supported.kex, hostKey: ssh2Supported.hostKey, cipher: ssh2Supported.cipher, mac: ssh2Supported.mac, compression: ssh2Supported.compression }[family];
      return names.filter((n) => kb.ssh.algorithm(family, n).grade === 'unknown').map((n) => `${family} ${n}`);
    });
    t.same(missing, []);
  });

  const pki = mkdtempSync(join(tmpdir(), 'otconform-ssh-agree-'));
  const servers = [
    { label: 'weak simulator', start: async () => { const m = await startManagementServices({ preset: 'weak', pkiDir: join(pki, 'weak') }); return { port: m.ssh.port, stop: m.stop }; } },
    { label: 'hardened simulator', start: async () => { const m = await startManagementServices({ preset: 'hardened', pkiDir: join(pki, 'hardened') }); return { port: m.ssh.port, stop: m.stop }; } },
    { label: 'ssh2 server offering every algorithm it supports', start: startWideServer },
  ];
  for (const server of servers) {
    t.test(`live scan: ${server.label}`, async (t) => {
      const s = await server.start();
      t.teardown(() => s.stop());
      const ours = await ourScan(kb, s.port);
      const theirs = await runSshAudit(s.port);
      const result = compareScans(ours, theirs);
      t.comment(`otconform ${ours.ms} ms, ssh-audit ${theirs.ms} ms, ${result.compared} algorithms compared`);
      t.ok(result.compared >= 5, 'ssh-audit classified the offer');
      t.same(result.differences, [], 'lists, host key fingerprints and every classification agree');
      // The comparison can fail: one classification flipped on ssh-audit's side is a difference.
      const [key, level] = [...theirs.levels].find(([, l]) => l === 'fail' || l === 'pass')!;
      const tampered = { ...theirs, levels: new Map(theirs.levels).set(key, level === 'fail' ? 'pass' : 'fail') };
      t.ok(compareScans(ours, tampered).differences.some((d) => d.startsWith(`${key}: ssh-audit says`)), `a flipped level of ${key} is caught`);
    });
  }
});
