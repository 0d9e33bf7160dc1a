import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { parse as parseYaml } from 'yaml';
import { SECURITY_LEVELS } from '../src/core/outcomes.js';
import {
  CREDENTIAL_PROTOCOLS,
  DEFAULT_DATA_DIR,
  KnowledgeBaseError,
  loadKnowledgeBase,
  loadKnowledgeBaseFrom,
  type Finding,
} from '../src/knowledge/index.js';

const kb = loadKnowledgeBase();
const POLICY = 'http://opcfoundation.org/UA/SecurityPolicy#';

/** A copy of the bundled data in a temp dir, for tests that break it on purpose. */
function dataCopy(t: { teardown(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'otconform-kb-'));
  cpSync(DEFAULT_DATA_DIR, dir, { recursive: true });
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function edit(dir: string, file: string, from: string | RegExp, to: string): void {
  const path = join(dir, file);
  const before = readFileSync(path, 'utf8');
  const after = before.replace(from, to);
  if (after === before) throw new Error(`test setup: ${String(from)} not found in ${file}`);
  writeFileSync(path, after);
}

t.test('every data entry carries a reason and a source', async (t) => {
  const files = readdirSync(DEFAULT_DATA_DIR).filter((f) => f.endsWith('.yaml'));
  t.ok(files.length >= 5, 'all data files are present');
  let entries = 0;
  const walk = (node: unknown, path: string): void => {
    if (Array.isArray(node)) return node.forEach((n, i) => walk(n, `${path}[${i}]`));
    if (node === null || typeof node !== 'object') return;
    const o = node as Record<string, unknown>;
    // Anything that grades, lists a credential or sets a limit is an entry that must be cited.
    if ('grade' in o || 'username' in o || 'maxPerUsername' in o) {
      entries++;
      t.ok(typeof o.reason === 'string' && o.reason.trim().length > 0, `${path} has a reason`);
      t.ok(typeof o.source === 'string' && o.source.trim().length > 0, `${path} has a source`);
    }
    for (const [k, v] of Object.entries(o)) walk(v, `${path}.${k}`);
  };
  for (const f of files) walk(parseYaml(readFileSync(join(DEFAULT_DATA_DIR, f), 'utf8')), f);
  t.ok(entries > 50, `${entries} cited entries`);
});

t.test('version and sha256', async (t) => {
  t.match(kb.version, /\S/);
  t.match(kb.sha256, /^[0-9a-f]{64}$/);
  t.equal(loadKnowledgeBase(), kb, 'loadKnowledgeBase is cached');
  t.equal(loadKnowledgeBaseFrom(DEFAULT_DATA_DIR).sha256, kb.sha256, 'a fresh load hashes the same');
  const dir = dataCopy(t);
  t.equal(loadKnowledgeBaseFrom(dir).sha256, kb.sha256, 'the hash depends on content, not location');
  edit(dir, 'opcua-security-modes.yaml', 'aliases: ["3"]', 'aliases: ["3", "sign+encrypt"]');
  t.not(loadKnowledgeBaseFrom(dir).sha256, kb.sha256, 'any data change changes the hash');
});

t.test('minimum grade per security level', async (t) => {
  t.same(
    SECURITY_LEVELS.map((sl) => kb.minimumGrade(sl)),
    ['acceptable', 'acceptable', 'acceptable', 'strong'],
  );
});

t.test('OPC UA security policies', async (t) => {
  const basic = kb.opcuaSecurityPolicy(`${POLICY}Basic256Sha256`);
  t.match(basic, { subject: 'opcua.securityPolicy', value: 'Basic256Sha256', grade: 'acceptable' });
  t.same(kb.opcuaSecurityPolicy('Basic256Sha256'), basic, 'short name = full URI');
  t.same(kb.opcuaSecurityPolicy(' basic256sha256 '), basic, 'case and whitespace do not matter');
  t.equal(kb.opcuaSecurityPolicy('Aes128Sha256RsaOaep').grade, 'strong', 'punctuation-free spelling');
  t.equal(kb.opcuaSecurityPolicy('None').grade, 'broken');
  t.equal(kb.opcuaSecurityPolicy(`${POLICY}Basic128Rsa15`).grade, 'broken');
  t.equal(kb.opcuaSecurityPolicy('Basic256').grade, 'weak');
  t.equal(kb.opcuaSecurityPolicy('Aes256_Sha256_RsaPss').grade, 'strong');
  for (const ecc of ['ECC_nistP256', 'ECC_nistP384', 'ECC_brainpoolP256r1', 'ECC_brainpoolP384r1', 'ECC_curve25519', 'ECC_curve448']) {
    t.not(kb.opcuaSecurityPolicy(`${POLICY}${ecc}`).grade, 'unknown', `${ecc} is graded`);
  }
  for (const unknown of [`${POLICY}Basic192Rsa15`, 'Rot13', 'http://example.com/policy#Basic256Sha256']) {
    const f = kb.opcuaSecurityPolicy(unknown);
    t.equal(f.grade, 'unknown', `${unknown} is unknown`);
    t.equal(f.value, unknown);
    t.match(f.reason, /not in the knowledge base/);
  }
});

t.test('OPC UA message security modes', async (t) => {
  t.match(kb.opcuaSecurityMode('None'), { subject: 'opcua.securityMode', value: 'None', grade: 'broken' });
  t.equal(kb.opcuaSecurityMode('Sign').grade, 'acceptable');
  t.equal(kb.opcuaSecurityMode('SignAndEncrypt').grade, 'strong');
  t.equal(kb.opcuaSecurityMode('3').value, 'SignAndEncrypt', 'numeric enumeration value');
  t.equal(kb.opcuaSecurityMode('MessageSecurityMode.Sign').value, 'Sign', 'enum-qualified name');
  t.equal(kb.opcuaSecurityMode('SignAndCompress').grade, 'unknown');
});

t.test('verdicts per security level', async (t) => {
  const verdict = (findings: Finding[], sl: 1 | 2 | 3 | 4) => kb.judge(findings, sl).verdict;
  const basic = kb.opcuaSecurityPolicy('Basic256Sha256');
  t.same([1, 2, 3, 4].map((sl) => verdict([basic], sl as 1)), ['pass', 'pass', 'pass', 'fail'], 'Basic256Sha256 passes SL 3, fails SL 4');
  t.equal(verdict([kb.opcuaSecurityPolicy('None')], 1), 'fail', 'None fails SL 1');
  t.equal(verdict([kb.opcuaSecurityPolicy('Basic256')], 1), 'fail', 'Basic256 fails SL 1');
  t.equal(verdict([kb.opcuaSecurityPolicy('Aes256_Sha256_RsaPss'), kb.opcuaSecurityMode('SignAndEncrypt')], 4), 'pass');
  t.equal(verdict([kb.opcuaSecurityMode('Sign')], 3), 'pass');
  t.equal(verdict([kb.opcuaSecurityMode('Sign')], 4), 'fail');

  const unknown = kb.opcuaSecurityPolicy(`${POLICY}Unheard_Of`);
  for (const sl of SECURITY_LEVELS) {
    const j = kb.judge([unknown, kb.opcuaSecurityPolicy('Aes256_Sha256_RsaPss')], sl);
    t.equal(j.verdict, 'error', `an unknown policy is inconclusive at SL ${sl}, never a pass`);
    t.same(j.unknown, [unknown]);
    t.match(j.reason, /Unheard_Of/);
  }
  const mixed = kb.judge([unknown, kb.opcuaSecurityPolicy('Basic128Rsa15'), kb.opcuaSecurityPolicy('Basic256')], 2);
  t.equal(mixed.verdict, 'fail', 'a known failure outweighs an unknown');
  t.same(mixed.failing.map((f) => f.value), ['Basic128Rsa15', 'Basic256'], 'failing is worst first');
  t.match(mixed.reason, /^Fails SL 2 .*Basic128Rsa15.*broken.*Basic256.*weak.*1 more could not be graded\.$/);

  const empty = kb.judge([], 1);
  t.equal(empty.verdict, 'error', 'no findings is no evidence');
  t.match(kb.judge([basic], 2).reason, /^Meets SL 2 .*Basic256Sha256/);
});

t.test('a stricter SL never gives a kinder verdict', async (t) => {
  const all = [
    ...['None', 'Basic128Rsa15', 'Basic256', 'Basic256Sha256', 'Aes128_Sha256_RsaOaep', 'Aes256_Sha256_RsaPss', 'ECC_nistP256'].map((p) =>
      kb.opcuaSecurityPolicy(p),
    ),
    ...['None', 'Sign', 'SignAndEncrypt'].map((m) => kb.opcuaSecurityMode(m)),
  ];
  for (const f of all) {
    const verdicts = SECURITY_LEVELS.map((sl) => kb.judge([f], sl).verdict);
    const firstFail = verdicts.indexOf('fail');
    if (firstFail >= 0) t.ok(verdicts.slice(firstFail).every((v) => v === 'fail'), `${f.value}: ${verdicts.join(' ')}`);
  }
});

t.test('default credentials', async (t) => {
  const opcua = kb.defaultCredentials('opcua');
  t.ok(opcua.some((c) => c.username === 'admin' && c.password === 'admin'), 'admin/admin applies to OPC UA');
  const perUser = new Map<string, number>();
  for (const c of opcua) perUser.set(c.username.toLowerCase(), (perUser.get(c.username.toLowerCase()) ?? 0) + 1);
  t.ok([...perUser.values()].every((n) => n <= 2), 'at most 2 passwords per OPC UA username');
  t.notOk(opcua.some((c) => c.username === 'admin' && c.password === '1234'), 'the third admin entry is dropped for OPC UA');
  t.ok(kb.defaultCredentials('http').some((c) => c.username === 'admin' && c.password === '1234'), 'but kept where no limit applies');

  for (const p of CREDENTIAL_PROTOCOLS) {
    const list = kb.defaultCredentials(p);
    t.ok(list.length > 0, `${p} has defaults`);
    t.ok(list.every((c) => c.source.length > 0), `${p} entries are cited`);
  }
  const ssh = kb.defaultCredentials('ssh');
  t.ok(ssh.some((c) => c.username === 'root' && c.password === 'wago'));
  t.ok(kb.defaultCredentials('ftp').some((c) => c.username === 'Administrator' && c.password === '1'), 'quoted numeric password stays a string');
  t.ok(kb.defaultCredentials('telnet').some((c) => c.username === 'root' && c.password === ''), 'empty passwords are kept');

  const total = (parseYaml(readFileSync(join(DEFAULT_DATA_DIR, 'default-credentials.yaml'), 'utf8')) as { credentials: unknown[] }).credentials.length;
  t.ok(total >= 15 && total <= 40, `${total} credential entries`);
});

t.test('the accessor enforces the limit whatever the data says', async (t) => {
  const dir = dataCopy(t);
  edit(dir, 'default-credentials.yaml', 'maxPerUsername: 2', 'maxPerUsername: 1');
  const opcua = loadKnowledgeBaseFrom(dir).defaultCredentials('opcua');
  t.same(
    opcua.filter((c) => c.username === 'admin').map((c) => c.password),
    ['admin'],
    'only the first, most likely admin password is kept',
  );
});

t.test('malformed data fails loudly', async (t) => {
  const expectError = (dir: string, pattern: RegExp, what: string) => {
    try {
      loadKnowledgeBaseFrom(dir);
      t.fail(`${what}: loaded without error`);
    } catch (e) {
      t.type(e, KnowledgeBaseError, what);
      t.match((e as KnowledgeBaseError).details.join('\n'), pattern, what);
    }
  };
  let dir = dataCopy(t);
  edit(dir, 'opcua-security-policies.yaml', 'grade: weak', 'grade: meh');
  expectError(dir, /opcua-security-policies\.yaml: policies\.\d+\.grade/, 'an invalid grade');

  dir = dataCopy(t);
  edit(dir, 'x509.yaml', /\n\s+reason: SHA-1 chosen-prefix.*/, '');
  expectError(dir, /x509\.yaml: signatureHashes\.\d+\.reason/, 'a missing reason');

  dir = dataCopy(t);
  edit(dir, 'grading.yaml', 'version: "2025.1"', 'version: "2025.1"\nversoin: "typo"');
  expectError(dir, /grading\.yaml: .*versoin/, 'an unknown key');

  dir = dataCopy(t);
  edit(dir, 'opcua-security-modes.yaml', 'aliases: ["2"]', 'aliases: ["2", "None"]');
  expectError(dir, /both answer to "none"/, 'an ambiguous alias');

  dir = dataCopy(t);
  edit(dir, 'default-credentials.yaml', 'password: "wago"\n    protocols: [http, ssh]', 'password: "wago"\n    protocols: [http, smb]');
  expectError(dir, /default-credentials\.yaml: credentials\.\d+\.protocols/, 'an unknown protocol');

  dir = dataCopy(t);
  edit(dir, 'default-credentials.yaml', 'password: "1"', 'password: 1');
  expectError(dir, /default-credentials\.yaml: credentials\.\d+\.password/, 'an unquoted numeric password');

  dir = dataCopy(t);
  writeFileSync(join(dir, 'tls.yaml'), 'suites: []\n');
  expectError(dir, /tls\.yaml: no schema/, 'an unregistered data file');

  dir = dataCopy(t);
  rmSync(join(dir, 'x509.yaml'));
  expectError(dir, /x509\.yaml: missing/, 'a missing data file');

  dir = dataCopy(t);
  edit(dir, 'grading.yaml', 'minimumGrade:', 'minimumGrade:\nminimumGrade:');
  expectError(dir, /grading\.yaml: YAML error/, 'a duplicate YAML key');
});

t.test('the shared data cannot be changed by a caller', async (t) => {
  t.throws(() => {
    (kb.x509.validity.expiringSoon as { withinDays: number }).withinDays = 1;
  }, TypeError);
  t.equal(kb.x509.validity.expiringSoon.withinDays, 30);
  const f = kb.opcuaSecurityPolicy('None');
  f.grade = 'strong';
  t.equal(kb.opcuaSecurityPolicy('None').grade, 'broken', 'findings are fresh copies');
});
