// `otconform diff` on real run directories: the management simulator (simulators/mgmt) is started as the same
// device three times, on the same ports: the weak preset, the hardened preset, and the hardened preset again with
// a fresh PKI (a new certificate and host keys, as after a re-flash) and one more check. Each run is made once by
// the real runner; the diffs then go through the real CLI (bin/otconform.js) and through the pure module.
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { startManagementServices } from '../simulators/mgmt/index.js';
import { UsageError } from '../src/core/errors.js';
import type { Report } from '../src/core/report.js';
import { checkSchemaVersions, diffExitCode, diffRuns, loadRun, renderMarkdown, renderText, type RunDiff } from '../src/diff/index.js';
import { freePort } from './helpers/free-port.js';
import { runChecks } from './helpers/run-checks.js';

t.setTimeout(60_000);

const root = new URL('..', import.meta.url).pathname;
const BIN = join(root, 'bin/otconform.js');
const HOST = '127.0.0.1';
const CHECKS = ['tls-protocol-versions', 'tls-cipher-suites', 'tls-certificate', 'ssh-algorithms', 'network-port-inventory'];
const work = mkdtempSync(join(tmpdir(), 'otconform-diff-test-'));
t.teardown(() => rmSync(work, { recursive: true, force: true }));

// One device address for every build: the same SSH, HTTPS and console ports (the console only answers on weak).
const [sshPort, httpsPort, consolePort] = await Promise.all([freePort(), freePort(), freePort()]);

interface Cli {
  code: number | null;
  stdout: string;
  stderr: string;
}
function cli(...args: string[]): Promise<Cli> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'diff', ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}
// A missing run directory needs no run: its CLI process starts while the runs are made.
const missing = cli(join(work, 'no-such-run'), join(work, 'no-such-run-either'));

async function runDevice(name: string, preset: 'weak' | 'hardened', pki: string, checks: string[]): Promise<string> {
  const sim = await startManagementServices({ preset, pkiDir: join(work, pki), sshPort, httpsPort, plaintextPort: consolePort });
  try {
    const profile = JSON.stringify({
      schemaVersion: 1,
      device: { vendor: 'otconform simulated devices', model: 'SIM-PLC', firmware: name },
      componentType: 'EDR',
      targetSecurityLevel: 2,
      services: {
        ssh: [{ name: 'ssh', host: HOST, port: sshPort }],
        https: [{ name: 'web', url: `https://${HOST}:${httpsPort}`, caFile: sim.https.caFile }],
      },
      network: { ports: [sshPort, httpsPort, consolePort], connectionsPerSecond: 200, connectTimeoutMs: 300 },
    });
    const run = await runChecks(profile, { checks, outDir: join(work, name), pkiDir: join(work, 'client'), profileName: `${name}.yaml` });
    t.comment(`${name}: ${run.ms} ms, ${JSON.stringify(run.verdicts)}`);
    return run.runDir;
  } finally {
    await sim.stop();
  }
}

const started = Date.now();
const weak = await runDevice('weak', 'weak', 'pki-weak', CHECKS);
const hardened = await runDevice('hardened', 'hardened', 'pki-hardened', CHECKS);
const reflashed = await runDevice('reflashed', 'hardened', 'pki-reflashed', [...CHECKS, 'ssh-banner']);
t.comment(`three runs in ${Date.now() - started} ms`);

// Usage-error fixtures: a directory without report.json, one with broken JSON, one from a future schema.
const notRun = join(work, 'not-a-run');
mkdirSync(notRun);
const brokenJson = join(work, 'broken-json');
mkdirSync(brokenJson);
writeFileSync(join(brokenJson, 'report.json'), '{"schemaVersion": 1, "checks": [');
const future = join(work, 'future');
cpSync(hardened, future, { recursive: true });
const futureReport = JSON.parse(readFileSync(join(future, 'report.json'), 'utf8')) as Record<string, unknown>;
writeFileSync(join(future, 'report.json'), JSON.stringify({ ...futureReport, schemaVersion: 2 }));

// Each CLI process loads the whole CLI (~1.5 s of CPU), so only the exit codes and one rendering per format
// go through it; the other diffs call the module the command calls. The subtests await these results.
const cliStarted = Date.now();
const calls = {
  regression: cli(hardened, weak),
  fixes: cli(weak, hardened, '--format', 'json'),
  baseline: cli(hardened, weak, '--baseline', weak, '--format', 'markdown'),
};
void Promise.all(Object.values(calls)).then(() => t.comment(`${Object.keys(calls).length} CLI processes in ${Date.now() - cliStarted} ms`));

const diff = (o: string, n: string, b?: string): RunDiff => diffRuns({ old: loadRun(o), new: loadRun(n), ...(b ? { baseline: loadRun(b) } : {}) });
const refs = (xs: Array<{ ref: string }>) => xs.map((x) => x.ref).sort();
const show = (r: Cli) => `exit ${r.code}; stderr: ${r.stderr.slice(-800)}`;

t.test('hardened → weak: every check is a new failure, named with what changed; exit 1', async (t) => {
  const r = await calls.regression;
  t.equal(r.code, 1, show(r));
  t.equal(r.stderr, '');
  t.match(r.stdout, /^New failures \(5\)$/m);
  t.match(r.stdout, /^ {2}tls-cipher-suites @ web\s+pass → fail$/m, 'aligned: ref, old → new');
  t.match(r.stdout, /^ {6}\+ TLS cipher suite\s+TLS_DH_anon_\S+ \(broken\)$/m, 'a newly accepted suite, worst first');
  t.match(r.stdout, /^ {6}\+ TLS version\s+TLSv1 \(weak\)$/m);
  t.match(r.stdout, /^ {6}~ x509\.keySize\s+RSA 2048 \(acceptable\) → RSA 1024 \(broken\)$/m, 'a removal and an addition of one subject read as one change');
  t.match(r.stdout, /^ {2}network-port-inventory @ 127\.0\.0\.1\s+pass → fail$/m, 'the console port is newly open');
  t.match(r.stdout, new RegExp(`TCP ${consolePort}`), 'and it is named');
  t.match(r.stdout, /^Requirement status changes \(\d+\)$/m);
  t.match(r.stdout, /^ {2}CR 4\.3\s+pass → fail\s+\S/m);
  t.match(r.stdout, /5 new failures, 0 newly inconclusive, 0 fixes.*Regression \(exit 1\)\.$/m);
  t.notMatch(r.stdout, /[{}]"/, 'no raw JSON');
});

t.test('weak → hardened: fixes only; JSON in its documented shape; exit 0', async (t) => {
  const r = await calls.fixes;
  t.equal(r.code, 0, show(r));
  const d = JSON.parse(r.stdout) as RunDiff;
  t.match(d, { format: 'otconform-diff', formatVersion: 1, regression: false, baseline: null, newFailures: [], newlyInconclusive: [], added: [], removed: [] });
  t.same(refs(d.fixes), ['network-port-inventory @ 127.0.0.1', 'ssh-algorithms @ ssh', 'tls-certificate @ web', 'tls-cipher-suites @ web', 'tls-protocol-versions @ web']);
  t.ok(d.fixes.every((f) => f.old === 'fail' && f.new === 'pass'));
  const suites = d.fixes.find((f) => f.check === 'tls-cipher-suites')!;
  t.ok(suites.changes.some((c) => c.kind === 'finding' && c.change === 'removed' && c.old?.grade === 'broken'), 'the broken suites are gone');
  t.ok(suites.changes.some((c) => c.kind === 'finding' && c.change === 'added' && c.new?.value === 'TLS_AES_256_GCM_SHA384'), 'the TLS 1.3 suites are new');
  t.match(d.old, { dir: weak, device: { firmware: 'weak' }, exitCode: 1 });
  t.match(d.new, { dir: hardened, device: { firmware: 'hardened' }, exitCode: 0 });
  t.ok(d.requirementChanges.some((c) => c.id === 'CR 4.3' && c.old === 'fail' && c.new === 'pass'));
});

t.test('hardened → reflashed hardened: a new certificate is drift with the same verdict; an extra check is added', async (t) => {
  const d = diff(hardened, reflashed);
  t.equal(d.regression, false);
  t.same([d.newFailures, d.fixes, d.otherVerdictChanges, d.removed], [[], [], [], []]);
  t.same(d.added.map((a) => [a.ref, a.verdict]), [['ssh-banner @ ssh', 'pass']]);
  const cert = d.drift.find((x) => x.ref === 'tls-certificate @ web');
  t.equal(cert?.verdict, 'pass');
  const leaf = cert?.changes.find((c) => c.kind === 'certificate' && c.change === 'changed' && c.subject.startsWith('certificate CN=localhost'));
  t.ok(leaf, 'the leaf certificate is one changed line');
  t.not(leaf?.old?.serial, leaf?.new?.serial, 'a new serial');
  t.not(leaf?.old?.fingerprint, leaf?.new?.fingerprint, 'a new fingerprint');
  t.match(leaf?.new?.fingerprint, /^[0-9a-f]{64}$/);
  t.ok(cert?.changes.some((c) => c.kind === 'measurement' && c.subject === 'notAfter'), 'and its notAfter moved');
  t.notOk(d.drift.some((x) => x.ref === 'tls-cipher-suites @ web' || x.ref === 'tls-protocol-versions @ web'), 'an unchanged offer is no drift');
  t.notOk(d.drift.flatMap((x) => x.changes).some((c) => /duration|rate|connections/.test(c.subject)), 'timings and effort are not drift');

  const md = renderMarkdown(d, diffExitCode(d));
  t.match(md, /^## otconform diff: ✅ no regression$/m);
  t.match(md, /^### Evidence drift, same verdict \(\d+\)$/m);
  t.match(md, /^- `tls-certificate @ web` \(pass\)$/m);
  t.match(md, /^ {2}- `~` certificate CN=localhost, O=otconform simulated devices: serial \w+, sha256 [0-9a-f]{23}… → serial \w+, sha256 [0-9a-f]{23}…$/m);
  t.match(md, /^### Checks added \(1\)\n\n\| check \| target \| verdict \|\n\|---\|---\|---\|\n\| `ssh-banner` \| ssh \| pass \|$/m);
  const text = renderText(d, diffExitCode(d));
  t.match(text, /^Evidence drift, same verdict \(\d+\)\n(.*\n)*? {2}tls-certificate @ web\s+pass\n {6}~ certificate CN=\S+.* {2}serial \w+, sha256 \w+… → serial/m);
  t.match(text, /^Checks added \(1\)\n {2}ssh-banner @ ssh {2}pass$/m);
});

t.test('--baseline: failures the accepted baseline already had are not new; exit 0', async (t) => {
  const d = diff(hardened, weak, weak);
  t.same(d.newFailures, []);
  t.same(d.suppressedByBaseline.newFailures.length, 5);
  t.same(d.drift, [], 'every drift line is the baseline state');
  t.equal(diffExitCode(d), 0);
  t.ok(d.requirementChanges.length > 0, 'requirement changes are always shown');

  // A baseline that passed everything holds nothing back.
  const strict = diff(hardened, weak, reflashed);
  t.equal(strict.newFailures.length, 5);
  t.equal(diffExitCode(strict), 1);

  // Drift against a baseline: the reflashed certificate is new relative to old and baseline alike...
  t.ok(diff(hardened, reflashed, weak).drift.some((x) => x.ref === 'tls-certificate @ web'));
  // ...but not when the baseline already is the reflashed build.
  t.notOk(diff(hardened, reflashed, reflashed).drift.length, 'the baseline had every line of it');

  const r = await calls.baseline;
  t.equal(r.code, 0, show(r));
  t.match(r.stdout, /^## otconform diff: ✅ no regression$/m);
  t.match(r.stdout, /^- \*\*baseline\*\*: `.*\/weak`: run /m);
  t.match(r.stdout, /<summary>Already in the baseline \(5\)<\/summary>\n\n(- `.*`\n){5}/);
  t.match(r.stdout, /the baseline already had 5 verdict changes/);
  t.notOk(r.stdout.split('\n').some((l) => l.startsWith('|') && l.split(/(?<!\\)\|/).length !== 6), 'every table row has its 4 cells (pipes in reasons escaped)');
  t.equal(r.stdout, renderMarkdown(d, 0), 'the CLI prints the module rendering');
});

t.test('a result newly in error is listed apart and is a regression too', async (t) => {
  const base = loadRun(hardened);
  const report = structuredClone(base.report) as Report;
  const target = report.checks.find((c) => c.id === 'ssh-algorithms')!;
  Object.assign(target, { verdict: 'error', reason: 'The SSH server closed the connection before KEXINIT.', findings: [], measurements: {} });
  const d = diffRuns({ old: base, new: { dir: 'edited', report } });
  t.same(refs(d.newlyInconclusive), ['ssh-algorithms @ ssh']);
  t.same(d.newFailures, []);
  t.equal(diffExitCode(d), 1);
  t.match(renderText(d, 1), /^Newly inconclusive \(1\)\n {2}ssh-algorithms @ ssh {2}pass → error\n {6}The SSH server closed/m);
  // The same run against itself: nothing to say.
  const same = diffRuns({ old: base, new: base });
  t.match(renderText(same, 0), /^No differences\.$/m);
  t.equal(diffExitCode(same), 0);
});

t.test('bad input: one line, exit 2, no stack', async (t) => {
  const r = await missing;
  t.equal(r.code, 2, show(r));
  t.match(r.stderr, /^otconform: .*no-such-run: no such run directory\n$/, 'one line');
  t.equal(r.stdout, '', 'nothing on stdout');

  const usage = (f: () => unknown) => {
    try {
      f();
    } catch (err) {
      return err instanceof UsageError ? err.message : `not a UsageError: ${String(err)}`;
    }
    return 'no error';
  };
  t.match(usage(() => loadRun(notRun)), /not-a-run: not a run directory \(no report\.json\)$/);
  t.match(usage(() => loadRun(brokenJson)), /broken-json\/report\.json: not valid JSON/);
  t.match(usage(() => loadRun(join(weak, 'junit.xml'))), /junit\.xml: not a run directory/);
  t.match(usage(() => checkSchemaVersions([loadRun(hardened), loadRun(future)])), /future has report schema version 2 but .*hardened has 1; runs of different schema versions cannot be compared$/);
  t.match(usage(() => checkSchemaVersions([loadRun(future), loadRun(future)])), /has report schema version 2; this otconform reads version 1$/);
  t.equal(loadRun(join(weak, 'report.json')).report.run.id, loadRun(weak).report.run.id, 'report.json itself is accepted for its directory');
});
