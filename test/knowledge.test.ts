import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { getCiphers } from 'node:tls';
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
  type ModbusFunctionCodeEntry,
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
  t.ok(kb.defaultCredentials('telnet').some((c) => c.username === 'admin' && c.password === '1234'), 'but kept where no limit applies');

  for (const p of CREDENTIAL_PROTOCOLS) {
    const list = kb.defaultCredentials(p);
    t.ok(list.length > 0, `${p} has defaults`);
    t.ok(list.every((c) => c.source.length > 0), `${p} entries are cited`);
  }
  const ssh = kb.defaultCredentials('ssh');
  t.ok(ssh.some((c) => c.username === 'root' && c.password === 'root'), 'the likeliest root pair is kept for SSH');
  t.notOk(ssh.some((c) => c.username === 'root' && c.password === 'wago'), 'later root pairs are dropped by the SSH limit');
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
  writeFileSync(join(dir, 'unregistered.yaml'), 'suites: []\n');
  expectError(dir, /unregistered\.yaml: no schema/, 'an unregistered data file');

  dir = dataCopy(t);
  edit(dir, 'tls.yaml', 'openssl: ECDHE-RSA-AES128-SHA\n', 'openssl: ECDHE-RSA-AES128-SHA\n    aliases: [AES128-SHA]\n');
  expectError(dir, /tls\.yaml: .*both answer to "aes128sha"/, 'two suites answering to one name');

  dir = dataCopy(t);
  edit(dir, 'tls.yaml', 'code: "0xC0,0x2F"', 'code: "C02F"');
  expectError(dir, /tls\.yaml: suites\.\d+\.code/, 'a malformed code point');

  dir = dataCopy(t);
  edit(dir, 'modbus-function-codes.yaml', 'probe: "05 FF FF 12 34"', 'probe: "06 FF FF 12 34"');
  expectError(dir, /modbus-function-codes\.yaml: the probe of "Write Single Coil" does not start with function code 5/, 'a probe for the wrong code');

  dir = dataCopy(t);
  edit(dir, 'modbus-function-codes.yaml', 'through: 110', 'through: 126');
  expectError(dir, /both cover function 12[56]/, 'overlapping function codes');

  dir = dataCopy(t);
  edit(dir, 'modbus-function-codes.yaml', 'probe: "2B 0E 01 00"', 'probe: "2B0E0100"');
  expectError(dir, /modbus-function-codes\.yaml: functionCodes\.\d+\.probe/, 'a probe that is not spaced hex bytes');

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

t.test('TLS protocol versions', async (t) => {
  t.match(kb.tlsVersion('TLSv1.3'), { subject: 'TLS version', value: 'TLSv1.3', grade: 'strong' });
  t.equal(kb.tlsVersion('TLSv1.2').grade, 'acceptable');
  for (const v of ['SSLv2', 'SSLv3']) t.equal(kb.tlsVersion(v).grade, 'broken', `${v} is broken`);
  for (const v of ['TLSv1', 'TLSv1.1']) {
    t.equal(kb.tlsVersion(v).grade, 'weak', `${v} is weak`);
    t.match(kb.tlsVersion(v).source, /RFC 8996/);
  }
  t.equal(kb.tlsVersion('TLS 1.0').value, 'TLSv1', 'spelled with a space');
  t.equal(kb.tlsVersion('tlsv1.0').value, 'TLSv1');
  t.equal(kb.tlsVersion('0x0303').value, 'TLSv1.2', 'by version number');
  t.equal(kb.tlsVersion('TLSv1.1').value, 'TLSv1.1', 'TLSv1.1 is not mistaken for TLSv1');
  for (const unknown of ['TLSv1.4', 'unknown', 'DTLSv1.2']) {
    const f = kb.tlsVersion(unknown);
    t.equal(f.grade, 'unknown', `${unknown} is unknown`);
    t.match(f.reason, /not in the knowledge base/);
  }
  t.same(
    SECURITY_LEVELS.map((sl) => kb.judge([kb.tlsVersion('TLSv1.2')], sl).verdict),
    ['pass', 'pass', 'pass', 'fail'],
    'TLS 1.2 meets SL 1-3; SL 4 asks for TLS 1.3 only',
  );
  t.equal(kb.judge([kb.tlsVersion('TLSv1')], 1).verdict, 'fail', 'TLS 1.0 fails SL 1');
});

t.test('TLS cipher suites: by IANA name, OpenSSL name and code point', async (t) => {
  const pairs: [string, string, string][] = [
    ['TLS_AES_256_GCM_SHA384', 'TLS_AES_256_GCM_SHA384', 'strong'],
    ['TLS_CHACHA20_POLY1305_SHA256', 'TLS_CHACHA20_POLY1305_SHA256', 'strong'],
    ['TLS_AES_128_GCM_SHA256', 'TLS_AES_128_GCM_SHA256', 'strong'],
    ['TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384', 'ECDHE-RSA-AES256-GCM-SHA384', 'strong'],
    ['TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', 'ECDHE-ECDSA-AES128-GCM-SHA256', 'strong'],
    ['TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256', 'ECDHE-ECDSA-CHACHA20-POLY1305', 'strong'],
    ['TLS_DHE_RSA_WITH_AES_256_GCM_SHA384', 'DHE-RSA-AES256-GCM-SHA384', 'acceptable'],
    ['TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA', 'ECDHE-RSA-AES128-SHA', 'acceptable'],
    ['TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384', 'ECDHE-ECDSA-AES256-SHA384', 'acceptable'],
    ['TLS_RSA_WITH_AES_128_CBC_SHA', 'AES128-SHA', 'weak'],
    ['TLS_RSA_WITH_AES_256_CBC_SHA', 'AES256-SHA', 'weak'],
    ['TLS_RSA_WITH_AES_128_GCM_SHA256', 'AES128-GCM-SHA256', 'weak'],
    ['TLS_DHE_DSS_WITH_AES_256_GCM_SHA384', 'DHE-DSS-AES256-GCM-SHA384', 'weak'],
    ['TLS_PSK_WITH_AES_128_GCM_SHA256', 'PSK-AES128-GCM-SHA256', 'weak'],
    ['TLS_RSA_WITH_3DES_EDE_CBC_SHA', 'DES-CBC3-SHA', 'broken'],
    ['TLS_RSA_WITH_RC4_128_SHA', 'RC4-SHA', 'broken'],
    ['TLS_RSA_WITH_RC4_128_MD5', 'RC4-MD5', 'broken'],
    ['TLS_RSA_WITH_NULL_SHA256', 'NULL-SHA256', 'broken'],
    ['TLS_RSA_EXPORT_WITH_RC4_40_MD5', 'EXP-RC4-MD5', 'broken'],
    ['TLS_DH_anon_WITH_AES_128_CBC_SHA', 'ADH-AES128-SHA', 'broken'],
    ['TLS_ECDH_anon_WITH_AES_256_CBC_SHA', 'AECDH-AES256-SHA', 'broken'],
  ];
  for (const [iana, openssl, grade] of pairs) {
    const byIana = kb.tlsCipherSuite(iana);
    t.match(byIana, { subject: 'TLS cipher suite', value: iana, grade }, `${iana} is ${grade}`);
    t.same(kb.tlsCipherSuite(openssl), byIana, `${openssl} = ${iana}`);
    t.same(kb.tlsCipherSuite(openssl.toLowerCase()), byIana, 'tls.getCiphers() spelling');
  }
  t.equal(kb.tlsCipherSuite('0xC0,0x2F').value, 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', 'by code point');
  t.equal(kb.tlsCipherSuite('EDH-RSA-DES-CBC3-SHA').value, 'TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA', 'an older OpenSSL spelling');
  t.match(kb.tlsCipherSuite('DES-CBC3-SHA').source, /Sweet32/);
  t.match(kb.tlsCipherSuite('RC4-SHA').source, /RFC 7465/);
  t.match(kb.tlsCipherSuite('AES128-SHA').reason, /forward secrecy/);

  for (const unknown of ['TLS_ROT13_WITH_NOTHING', 'ECDHE-RSA-AES512-GCM-SHA1024', '0x00,0x63']) {
    const f = kb.tlsCipherSuite(unknown);
    t.equal(f.grade, 'unknown', `${unknown} is unknown`);
    t.equal(f.value, unknown);
    t.match(f.reason, /not in the knowledge base/);
    for (const sl of SECURITY_LEVELS) t.equal(kb.judge([f, kb.tlsCipherSuite('TLS_AES_256_GCM_SHA384')], sl).verdict, 'error', `an unknown suite is never a pass at SL ${sl}`);
  }
});

t.test('every cipher suite Node.js can negotiate is graded', async (t) => {
  const missing = getCiphers().filter((name) => kb.tlsCipherSuite(name).grade === 'unknown');
  t.same(missing, [], `all ${getCiphers().length} suites of tls.getCiphers() are known`);

  // The full OpenSSL list (anonymous, NULL, ARIA, Camellia ... at security level 0), when the command-line
  // tool is the same OpenSSL as Node's; another version may list suites Node cannot negotiate.
  let listing: string | undefined;
  try {
    if (execFileSync('openssl', ['version'], { encoding: 'utf8' }).includes(` ${process.versions.openssl} `)) {
      listing = execFileSync('openssl', ['ciphers', '-V', '-stdname', 'ALL:COMPLEMENTOFALL:@SECLEVEL=0'], { encoding: 'utf8' });
    }
  } catch {
    listing = undefined;
  }
  if (!listing) {
    t.pass('no matching openssl command-line tool; tls.getCiphers() was checked');
    return;
  }
  const rows = listing
    .trim()
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .map(([code, , iana, , openssl]) => ({ code: code!, iana: iana!, openssl: openssl! }));
  t.ok(rows.length > 100, `${rows.length} suites listed by openssl`);
  for (const r of rows) {
    const f = kb.tlsCipherSuite(r.iana);
    if (f.grade === 'unknown') {
      t.fail(`${r.iana} (${r.openssl}) is not graded`);
      continue;
    }
    t.same(kb.tlsCipherSuite(r.openssl), f, `${r.openssl} = ${r.iana}`);
    t.equal(kb.tlsCipherSuite(r.code).value, r.iana, `${r.code} = ${r.iana}`);
  }
});

t.test('Modbus function codes: every public code, the user-defined ranges and cited vendor codes', async (t) => {
  const all = kb.modbusFunctionCodes();
  const publicCodes = [1, 2, 3, 4, 5, 6, 7, 8, 11, 12, 15, 16, 17, 20, 21, 22, 23, 24];
  for (const code of publicCodes) t.ok(kb.modbusFunctionCode(code), `function ${code} is known`);
  t.equal(kb.modbusFunctionCode(43, 13)?.category, 'program', '43/13 CANopen');
  t.equal(kb.modbusFunctionCode(43, 14)?.category, 'identification', '43/14 device identification');
  t.equal(kb.modbusFunctionCode(43), undefined, '43 needs its MEI type');
  t.equal(kb.modbusFunctionCode(43, 99), undefined);
  for (const code of [65, 68, 72, 100, 105, 110]) t.match(kb.modbusFunctionCode(code), { category: 'vendor', exposure: 'avoid' }, `user-defined ${code}`);
  for (const code of [64, 73, 99, 111, 50]) t.equal(kb.modbusFunctionCode(code), undefined, `${code} is not known`);
  t.match(kb.modbusFunctionCode(90), { category: 'vendor', exposure: 'avoid' }, 'Schneider UMAS');
  t.match(kb.modbusFunctionCode(90)?.source, /UMAS/);

  for (const e of all) {
    t.ok(e.reason.length > 20 && e.source.length > 10 && e.probeNote.length > 20, `function ${label(e)} is explained and cited`);
    if (['diagnostic', 'file', 'program', 'vendor'].includes(e.category)) t.equal(e.exposure, 'avoid', `${label(e)} (${e.category}) is avoid`);
    if (['data-read', 'data-write'].includes(e.category)) t.equal(e.exposure, 'review', `${label(e)} (${e.category}) is review`);
  }
  t.match(kb.modbusFunctionCode(8)?.source, /Modbus Application Protocol Specification V1\.1b3, 6\.8/);

  const probe = kb.modbusFunctionCode(5)!.probe!;
  probe[3] = 0xff;
  t.equal(kb.modbusFunctionCode(5)!.probe![3], 0x12, 'probes are fresh copies');
});

function label(e: ModbusFunctionCodeEntry): string {
  return e.through !== undefined ? `${e.code}-${e.through}` : e.mei !== undefined ? `${e.code}/${e.mei}` : String(e.code);
}

/**
 * Why each probe cannot change state, re-derived from the bytes (Modbus Application Protocol V1.1b3, 6).
 * A code with a probe but no rule here fails: a new probe needs a reviewer to write down why it is safe.
 */
const SAFE_PROBE: Record<number, (pdu: Buffer) => string | undefined> = {
  1: readRequest(2000),
  2: readRequest(2000),
  3: readRequest(125),
  4: readRequest(125),
  // FC 5: only 0x0000 and 0xFF00 are values; anything else must be refused and not affect the output.
  5: (p) => (p.length === 5 && ![0x0000, 0xff00].includes(p.readUInt16BE(3)) ? undefined : 'FC 5 with a legal value'),
  // FC 6: every value is legal, so the probe must end before the value.
  6: (p) => (p.length < 5 ? undefined : 'FC 6 with a complete value'),
  7: (p) => (p.length === 1 ? undefined : 'FC 7 takes no data'),
  8: (p) => (p.length >= 3 && p.readUInt16BE(1) === 0x0000 ? undefined : 'FC 8 with a sub-function other than Return Query Data'),
  11: (p) => (p.length === 1 ? undefined : 'FC 11 takes no data'),
  12: (p) => (p.length === 1 ? undefined : 'FC 12 takes no data'),
  15: writeMultiple,
  16: writeMultiple,
  17: (p) => (p.length === 1 ? undefined : 'FC 17 takes no data'),
  20: (p) => (p.length >= 2 && p[1] === p.length - 2 && p[2] === 6 ? undefined : 'FC 20 is not a well-formed read'),
  // FC 21: no sub-request at all, so nothing to write.
  21: (p) => (p.length === 2 && p[1] === 0 ? undefined : 'FC 21 carries a sub-request'),
  // FC 22: cut off before the OR mask, and AND 0xFFFF leaves the register unchanged whatever the OR mask.
  22: (p) => (p.length < 7 && p.length >= 5 && p.readUInt16BE(3) === 0xffff ? undefined : 'FC 22 could change bits'),
  // FC 23: write quantity 0 and byte count 0.
  23: (p) => (p.length === 10 && p.readUInt16BE(7) === 0 && p[9] === 0 ? undefined : 'FC 23 carries a write'),
  24: (p) => (p.length === 3 ? undefined : 'FC 24 is not a plain queue read'),
  // FC 43: only MEI 14, read code 1 (basic stream), object 0.
  43: (p) => (p.equals(Buffer.from([0x2b, 0x0e, 0x01, 0x00])) ? undefined : 'FC 43 other than 43/14 read code 1 object 0'),
  // FC 90 (UMAS): only function 0x02, read PLC identification, session 0.
  90: (p) => (p.equals(Buffer.from([0x5a, 0x00, 0x02])) ? undefined : 'FC 90 other than the UMAS identification read'),
};

function readRequest(max: number): (p: Buffer) => string | undefined {
  return (p) => (p.length === 5 && p.readUInt16BE(3) >= 1 && p.readUInt16BE(3) <= max ? undefined : 'not a well-formed read');
}

function writeMultiple(p: Buffer): string | undefined {
  return p.length === 6 && p.readUInt16BE(3) === 0 && p[5] === 0 ? undefined : 'a write with a non-zero quantity or values';
}

t.test('every Modbus probe parses and never contains a valid write', async (t) => {
  const probed = kb.modbusFunctionCodes().filter((e) => e.probe);
  t.ok(probed.length >= 20, `${probed.length} probes`);
  for (const e of probed) {
    const pdu = e.probe!;
    t.ok(pdu.length >= 1 && pdu.length <= 253, `${label(e)}: one PDU`);
    t.equal(pdu[0], e.code, `${label(e)}: starts with its function code`);
    t.ok(pdu[0]! < 0x80, `${label(e)}: a request, not an exception`);
    if (e.mei !== undefined) t.equal(pdu[1], e.mei, `${label(e)}: carries its MEI type`);
    const rule = SAFE_PROBE[e.code];
    if (!rule) {
      t.fail(`${label(e)} has a probe but no safety rule in this test`);
      continue;
    }
    t.equal(rule(pdu), undefined, `${label(e)}: ${pdu.toString('hex')} cannot change state`);
  }
  for (const e of kb.modbusFunctionCodes().filter((x) => !x.probe)) {
    t.ok(e.exposure === 'avoid' && e.probeNote.startsWith('Not probed'), `${label(e)} is never sent and says why`);
  }
  t.notOk(kb.modbusFunctionCode(43, 13)?.probe, 'CANopen 43/13 is never sent');
  t.notOk(kb.modbusFunctionCode(125)?.probe, 'firmware replacement is never sent');
});
