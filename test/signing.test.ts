// Signed, tamper-evident run bundles, as a user meets them: `otconform keygen`, a real `otconform run --sign`
// (the TLS protocol-version check against the management simulator's HTTPS service, started here), then
// `otconform verify` on the bundle and on copies tampered with one way each; every failure must name the file.
// CLI processes cost ~2 s each (node-opcua loads at start-up), so only five are spawned, a few at a time; the
// other cases call the same functions in this process.
import { spawn } from 'node:child_process';
import { createHash, createPublicKey, generateKeyPairSync, verify, type KeyObject } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import t, { type Test } from 'tap';
import { startManagementServices } from '../simulators/mgmt/index.js';
import type { Report } from '../src/core/report.js';
import { keygenCommand } from '../src/cli/keygen.js';
import { verifyCommand } from '../src/cli/verify.js';
import { loadSigningKey, signRunDirectory } from '../src/evidence/signing.js';
import { verifyRunDirectory } from '../src/evidence/verify.js';
import { runChecks } from './helpers/run-checks.js';

t.setTimeout(60_000);

const root = new URL('..', import.meta.url).pathname;
const BIN = join(root, 'bin/otconform.js');
const work = mkdtempSync(join(tmpdir(), 'otconform-signing-test-'));
t.teardown(() => rmSync(work, { recursive: true, force: true }));
const STACK_LINE = /^\s+at /m;
const EVIDENCE_INVALID = 5;

interface Cli {
  code: number | null;
  stdout: string;
  stderr: string;
}

let running = 0;
const queue: Array<() => void> = [];
async function cli(...args: string[]): Promise<Cli> {
  if (running >= 3) await new Promise<void>((r) => queue.push(r));
  running++;
  try {
    return await new Promise<Cli>((resolve, reject) => {
      const child = spawn(process.execPath, [BIN, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      const killer = setTimeout(() => child.kill('SIGKILL'), 40_000);
      child.once('error', reject);
      child.once('close', (code) => {
        clearTimeout(killer);
        resolve({ code, stdout, stderr });
      });
    });
  } finally {
    running--;
    queue.shift()?.();
  }
}

const mgmt = await startManagementServices({ preset: 'hardened', pkiDir: join(work, 'mgmt-pki') });
t.teardown(() => mgmt.stop());
const profileYaml = `
schemaVersion: 1
device: { vendor: otconform tests, model: signed bundle, firmware: "1" }
componentType: EDR
targetSecurityLevel: 2
services:
  https:
    - { name: web, url: "https://127.0.0.1:${mgmt.https.port}", caFile: ${mgmt.https.caFile} }
`;
const profileFile = join(work, 'device.yaml');
writeFileSync(profileFile, profileYaml);
const runArgs = (out: string, key: string) =>
  ['run', '--profile', profileFile, '--check', 'tls-protocol-versions', '--out', out, '--pki', join(work, 'pki'), '--sign', key];

const keyA = join(work, 'keys', 'lab-a');
const keyB = join(work, 'keys', 'lab-b');
const garbageKey = join(work, 'garbage.pem');
writeFileSync(garbageKey, 'not a key\n');
const signedRun = join(work, 'signed');
const badKeyRun = join(work, 'bad-key-run');

// Independent of the code under test: the fingerprint is sha256 over the SPKI DER, as "SHA256:<base64>".
const fingerprintOfFile = (file: string) =>
  `SHA256:${createHash('sha256').update(createPublicKey(readFileSync(file)).export({ type: 'spki', format: 'der' })).digest('base64').replace(/=+$/, '')}`;

// Phase 1: keygen, a run with a bad key, and an unsigned run (in process). Key B is made in process too.
const [genA, badKey, unsigned] = await Promise.all([
  cli('keygen', '--out', keyA),
  cli(...runArgs(badKeyRun, garbageKey)),
  runChecks(profileYaml, { checks: ['tls-protocol-versions'], outDir: join(work, 'unsigned'), pkiDir: join(work, 'pki-unsigned') }),
]);
captureStdout(() => keygenCommand({ out: keyB }));
// Phase 2: the signed run with the key keygen made.
const signed = await cli(...runArgs(signedRun, `${keyA}.key.pem`));
const fpA = fingerprintOfFile(`${keyA}.pub.pem`);
const fpB = fingerprintOfFile(`${keyB}.pub.pem`);

/** A copy of the signed run, changed one way. */
function tampered(name: string, tamper: (dir: string) => void): string {
  const dir = join(work, `tampered-${name}`);
  cpSync(signedRun, dir, { recursive: true });
  tamper(dir);
  return dir;
}
const reportByteChanged = tampered('report-byte', (d) => {
  const bytes = readFileSync(join(d, 'report.json'));
  bytes.write('f', bytes.indexOf('"verdict": "pass"') + '"verdict": "'.length); // "pass" -> "fass": one byte
  writeFileSync(join(d, 'report.json'), bytes);
});
// Phase 3: verify through the CLI: intact with --pubkey, one byte changed, another key required.
const [verifyPinned, verifyByte, verifyOtherKey] = await Promise.all([
  cli('verify', signedRun, '--pubkey', `${keyA}.pub.pem`),
  cli('verify', reportByteChanged),
  cli('verify', signedRun, '--pubkey', `${keyB}.pub.pem`),
]);

t.test('keygen writes an Ed25519 pair, the private key 0600, and prints the public key file and its fingerprint', async (t) => {
  t.equal(genA.code, 0, genA.stderr);
  t.equal(statSync(`${keyA}.key.pem`).mode & 0o777, 0o600, 'the private key is readable by its owner only');
  t.equal(createPublicKey(readFileSync(`${keyA}.pub.pem`)).asymmetricKeyType, 'ed25519');
  t.match(genA.stdout, `${keyA}.pub.pem`, 'names the public key file');
  t.match(genA.stdout, `fingerprint: ${fpA}`, 'prints the sha256 fingerprint of the SPKI DER');
  t.notMatch(genA.stdout + genA.stderr, /PRIVATE KEY/, 'never prints the private key');
  t.not(fpA, fpB, 'every pair is new');
});

t.test('keygen refuses to overwrite an existing key', async (t) => {
  const before = readFileSync(`${keyA}.key.pem`, 'utf8');
  t.throws(() => keygenCommand({ out: keyA }), { exitCode: 2, message: /lab-a\.key\.pem and .*lab-a\.pub\.pem already exist; keygen never overwrites/ });
  t.equal(readFileSync(`${keyA}.key.pem`, 'utf8'), before, 'the existing private key is untouched');
  unlinkSync(`${keyB}.pub.pem`);
  t.throws(() => keygenCommand({ out: keyB }), { exitCode: 2, message: /lab-b\.key\.pem already exists/ }, 'not even half a pair');
});

t.test('a bad --sign key is a usage error before any check runs', async (t) => {
  t.equal(badKey.code, 2, badKey.stderr);
  t.match(badKey.stderr, /^otconform: .*garbage\.pem is not an unencrypted Ed25519 private key in PEM/);
  t.notMatch(badKey.stderr, STACK_LINE);
  t.equal(badKey.stdout, '', 'no check ran');
  t.notOk(existsSync(badKeyRun), 'no run directory was created');
  t.throws(() => loadSigningKey(`${keyA}.pub.pem`), { exitCode: 2, message: /lab-a\.pub\.pem is not an unencrypted Ed25519 private key/ }, 'a public key');
  t.throws(() => loadSigningKey(join(work, 'no-such.pem')), { exitCode: 2, message: /cannot read the signing key .*no-such\.pem: ENOENT/ });
  const rsa = join(work, 'rsa.pem');
  writeFileSync(rsa, generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }));
  t.throws(() => loadSigningKey(rsa), { exitCode: 2, message: /rsa\.pem is a rsa key; otconform signs with Ed25519/ });
});

t.test('a signed run: signature over the exact manifest bytes, manifest covering every other file, fingerprint in the report', async (t) => {
  t.equal(signed.code, 0, signed.stderr);
  t.match(signed.stdout, `Ed25519 key ${fpA}`);
  const report = JSON.parse(readFileSync(join(signedRun, 'report.json'), 'utf8')) as Report;
  t.same(report.signer, { algorithm: 'Ed25519', fingerprint: fpA });
  t.equal(report.checks[0]?.verdict, 'pass', 'the check really ran against the hardened HTTPS service');
  t.match(readFileSync(join(signedRun, 'report.md'), 'utf8'), `Signed: Ed25519 key ${fpA}`);
  t.notOk(unsigned.report.signer, 'an unsigned run names no signer');

  const manifestBytes = readFileSync(join(signedRun, 'evidence/manifest.json'));
  const signature = readFileSync(join(signedRun, 'evidence/manifest.sig'));
  t.equal(signature.length, 64, 'a raw Ed25519 signature');
  t.ok(verify(null, manifestBytes, createPublicKey(readFileSync(`${keyA}.pub.pem`)), signature), 'node:crypto verifies it with the keygen public key');
  t.equal(fingerprintOfFile(join(signedRun, 'evidence/signer.pub.pem')), fpA, 'the embedded key is the signer');

  const listed = (JSON.parse(manifestBytes.toString()) as { files: Array<{ path: string }> }).files.map((f) => f.path);
  const onDisk = readdirSync(signedRun, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(signedRun, join(e.parentPath, e.name)).split(sep).join('/'))
    .filter((p) => !['evidence/manifest.json', 'evidence/manifest.sig', 'evidence/signer.pub.pem'].includes(p))
    .sort();
  t.same(listed, onDisk, 'the manifest lists every file but itself and the signature files');
  for (const f of ['report.json', 'report.md', 'junit.xml', 'journal.jsonl', 'otconform.log']) t.ok(listed.includes(f), `covers ${f}`);
  t.ok(listed.some((p) => p.startsWith('evidence/tls-protocol-versions/')), 'covers the check evidence');
});

const fails = (t: Test, r: Cli, file: RegExp, what: string) => {
  t.equal(r.code, EVIDENCE_INVALID, `${what}: exit ${EVIDENCE_INVALID}`);
  t.match(r.stderr, /does NOT verify/, what);
  t.match(r.stderr, file, `${what}: names the file`);
  t.notMatch(r.stdout, /verified/, what);
  t.notMatch(r.stderr, STACK_LINE, what);
};

t.test('otconform verify: the intact bundle passes; a changed byte and a bundle signed by another key fail, exit 5', async (t) => {
  t.equal(verifyPinned.code, 0, verifyPinned.stderr);
  t.match(verifyPinned.stdout, /^verified: \d+ file\(s\) match the manifest/);
  t.match(verifyPinned.stdout, `signed by the --pubkey key ${fpA}`);
  fails(t, verifyByte, /\n {2}- report\.json was changed: sha256/, 'one byte of report.json changed');
  fails(t, verifyOtherKey, new RegExp(`- evidence/manifest\\.sig was made by key ${reEscape(fpA)}, not by the --pubkey key ${reEscape(fpB)}`), 'another key than --pubkey');
});

t.test('verify without --pubkey trusts the embedded key only as far as the auditor does; an unsigned bundle says so', async (t) => {
  const embedded = captureStdout(() => verifyCommand(signedRun, {}));
  t.match(embedded, /^verified: \d+ file\(s\) match the manifest/);
  t.match(embedded, fpA, 'prints the embedded key\'s fingerprint');
  t.match(embedded, /auditor's call/, 'says trusting the embedded key is up to the auditor');
  t.match(captureStdout(() => verifyCommand(unsigned.runDir, {})), /^verified: .*UNSIGNED/, 'unsigned: hashes verified, and it says it is unsigned');
  t.throws(() => verifyCommand(unsigned.runDir, { pubkey: `${keyA}.pub.pem` }), { exitCode: EVIDENCE_INVALID, message: /does NOT verify/ }, 'unsigned with --pubkey fails');
  t.throws(() => verifyCommand(join(work, 'nowhere'), {}), { exitCode: 2, message: /is not a run directory/ });
  t.throws(() => verifyCommand(signedRun, { pubkey: `${keyA}.key.pem` }), { exitCode: 2, message: /not a public key/ }, 'a private key as --pubkey');
});

t.test('verify names the file for every other kind of tampering', async (t) => {
  const pubA = createPublicKey(readFileSync(`${keyA}.pub.pem`));
  const problemsOf = (dir: string, key?: KeyObject) => verifyRunDirectory(dir, key).problems.map((p) => `${p.file} ${p.problem}`);
  const evidenceFile = readdirSync(join(signedRun, 'evidence/tls-protocol-versions'))[0]!;

  t.same(problemsOf(signedRun, pubA), [], 'the intact bundle');
  t.match(problemsOf(tampered('removed', (d) => unlinkSync(join(d, 'evidence/tls-protocol-versions', evidenceFile)))), [
    `evidence/tls-protocol-versions/${evidenceFile} was removed`,
  ], 'an evidence file removed');
  t.match(problemsOf(tampered('added', (d) => writeFileSync(join(d, 'evidence/tls-protocol-versions/extra.json'), '{}\n'))), [
    'evidence/tls-protocol-versions/extra.json was added',
  ], 'a file added');
  const editCreatedAt = (d: string) => {
    const file = join(d, 'evidence/manifest.json');
    writeFileSync(file, readFileSync(file, 'utf8').replace(/"createdAt": "[^"]+"/, '"createdAt": "2020-01-01T00:00:00.000Z"'));
  };
  t.match(problemsOf(tampered('manifest', editCreatedAt)), [/^evidence\/manifest\.sig does not verify evidence\/manifest\.json/], 'the manifest edited');

  // A file forged and its manifest entry edited to match: the hashes agree, the signature does not.
  const forged = tampered('entry', (d) => {
    writeFileSync(join(d, 'junit.xml'), 'forged\n');
    const file = join(d, 'evidence/manifest.json');
    const manifest = JSON.parse(readFileSync(file, 'utf8')) as { files: Array<{ path: string; sha256: string; bytes: number }> };
    Object.assign(manifest.files.find((f) => f.path === 'junit.xml')!, { sha256: createHash('sha256').update('forged\n').digest('hex'), bytes: 7 });
    writeFileSync(file, `${JSON.stringify(manifest, null, 2)}\n`);
  });
  t.match(problemsOf(forged, pubA), [/^evidence\/manifest\.sig does not verify/], 'only the signature fails, once');
  t.equal(problemsOf(forged, pubA).length, 1);

  // Re-signed by another key without touching report.json: the embedded key no longer matches the report.
  const resigned = tampered('resigned', (d) => signRunDirectory(d, loadSigningKey(`${keyB}.key.pem`)));
  t.match(problemsOf(resigned), [/^evidence\/signer\.pub\.pem is key .*, but report\.json says the run was signed by/]);
  const stripped = tampered('stripped', (d) => ['manifest.sig', 'signer.pub.pem'].forEach((f) => unlinkSync(join(d, 'evidence', f))));
  t.match(problemsOf(stripped), [/^evidence\/manifest\.sig is missing, but report\.json says the run was signed by/], 'signature removed');
  t.same(problemsOf(join(work, 'nowhere')), ['evidence/manifest.json is missing, so nothing in this directory can be verified']);

  const plain = verifyRunDirectory(unsigned.runDir);
  t.same(plain.problems, [], 'an unsigned bundle verifies its hashes');
  t.equal(plain.signature, 'unsigned');
  t.match(problemsOf(unsigned.runDir, pubA), [/^evidence\/manifest\.sig is missing: the bundle is unsigned, and --pubkey requires a signature by /], 'unsigned with --pubkey');
});

/** Runs a command in this process and returns what it printed (kept off the test's own stdout). */
function captureStdout(command: () => void): string {
  const write = process.stdout.write;
  let out = '';
  process.stdout.write = ((chunk: string) => ((out += chunk), true)) as typeof process.stdout.write;
  try {
    command();
  } finally {
    process.stdout.write = write;
  }
  return out;
}

function reEscape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
