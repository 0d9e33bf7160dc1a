// Known answers: the demo, run as a user runs it (the CLI, the PLC simulator as a child process with its OPC UA,
// Modbus, SSH and HTTPS services, real protocols over loopback), must reach exactly the verdicts in
// simulators/modbus-plc/expected/<preset>.yaml, and its run directories must be complete, hashed, and free of
// the profiles' secrets. One test file per preset, so tap runs the two demos beside the other test files.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { parse } from 'yaml';
import type { Report } from '../../src/core/report.js';
import { checkRef } from '../../src/core/result.js';
import { loadProfile } from '../../src/profiles/load.js';

const root = new URL('../..', import.meta.url).pathname;

/** Runs `otconform demo --preset <preset> --allow-disruptive` and checks its run directory against the known answers. */
export function knownAnswers(preset: 'weak' | 'hardened'): void {
  const out = mkdtempSync(join(tmpdir(), `otconform-known-answers-${preset}-`));
  t.setTimeout(400_000);
  const demo = spawnSync(process.execPath, [join(root, 'bin/otconform.js'), 'demo', '--preset', preset, '--allow-disruptive', '--out', out, '--no-color'], {
    encoding: 'utf8',
    timeout: 380_000,
  });
  t.equal(demo.status, 0, `the demo completes (stderr: ${demo.stderr.slice(-2000)})`);
  t.match(demo.stdout, /== demo summary ==/, 'the demo prints its summary table');

  t.test(`preset ${preset}`, async (t) => {
    const dir = join(out, preset);
    const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as Report;
    const expected = parse(readFileSync(join(root, 'simulators/modbus-plc/expected', `${preset}.yaml`), 'utf8')) as Record<string, string>;
    const actual = Object.fromEntries(report.checks.map((c) => [checkRef(c), c.verdict]));
    t.same(actual, expected, 'every check reaches its known verdict');
    for (const c of report.checks) t.ok(c.reason.length > 10, `${c.id} gives a reason`);
    t.equal(report.summary.exitCode, preset === 'weak' ? 1 : 0, 'exit code: 1 when a requirement fails');

    if (preset === 'weak') {
      // The demo's weak simulator really speaks Basic128Rsa15, and the child probe proves it.
      const negotiation = JSON.parse(readFileSync(join(dir, 'evidence/opcua-security-policies/negotiation.json'), 'utf8'));
      t.equal(negotiation.Basic128Rsa15, 'accepted', 'Basic128Rsa15 is reported as actually accepted, not only advertised');
    }
    t.match(report.device.observed, { applicationUri: /urn:/, 'modbus.vendorName': 'otconform simulated devices' }, 'the observed identity is recorded');

    // Load checks report numbers, not only verdicts.
    const flood = report.checks.find((c) => c.id === 'modbus-request-flood' && c.verdict !== 'not-applicable');
    t.ok(flood && Object.keys(flood.measurements).some((k) => k.endsWith('.longestGapMs')), 'the request flood reports heartbeat gaps');
    t.ok(flood && Object.keys(flood.measurements).some((k) => k.endsWith('.answeredPerSecond')), 'the request flood reports the sustained rate');
    if (preset === 'hardened') {
      // Plain Modbus stays on under the profile's waiver: the original verdict and the countermeasure are kept.
      const waived = report.checks.find((c) => c.verdict === 'waived');
      t.equal(waived?.originalVerdict, 'fail', 'the waived result keeps its original verdict');
      t.match(waived?.waiver?.countermeasure ?? '', /firewall/, 'and names the compensating countermeasure');
      t.match(report.waivers, [{ status: 'applied' }], 'the report lists the waiver as applied');
    }
    // The management interfaces report what they measured, not only verdicts.
    const measured = (id: string) => report.checks.find((c) => c.id === id)?.measurements ?? {};
    if (preset === 'hardened') {
      t.ok(Object.keys(measured('https-login-lockout')).length > 0, 'the web lockout probe reports its measurements');
      t.ok(Object.keys(measured('ssh-idle-timeout')).length > 0, 'the SSH idle probe reports when the session ended');
    } else {
      const sweep = report.checks.find((c) => c.id === 'network-port-inventory');
      t.match(sweep?.reason ?? '', /Telnet/, 'the sweep names the undeclared plaintext console');
    }
    t.equal(report.requirements.length, new Set(report.requirements.map((r) => r.id)).size, 'one entry per requirement');
    const written = readdirSync(dir, { recursive: true, encoding: 'utf8' });
    for (const file of ['report.json', 'report.md', 'junit.xml', 'journal.jsonl', 'otconform.log', 'evidence/manifest.json']) {
      t.ok(written.includes(file), `${file} is written`);
    }

    const manifest = JSON.parse(readFileSync(join(dir, 'evidence/manifest.json'), 'utf8')) as { files: { path: string; sha256: string }[] };
    for (const f of manifest.files) {
      const actualHash = createHash('sha256').update(readFileSync(join(dir, f.path))).digest('hex');
      if (actualHash !== f.sha256) t.fail(`${f.path} does not match the manifest`);
    }
    t.ok(manifest.files.length >= 10, 'the manifest covers the evidence');

    const journal = readFileSync(join(dir, 'journal.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string });
    t.equal(journal.filter((e) => e.type === 'check').length, report.checks.length, 'every result was journaled');

    // Secrets: no password from the profile anywhere in the run directory, including the log.
    const { profile } = loadProfile(join(root, 'device-profiles', `sim-plc-${preset}.yaml`));
    const passwords = Object.values(profile.credentials).map((c) => c.password);
    for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile())) {
      const text = readFileSync(join(entry.parentPath, entry.name), 'latin1');
      const leaked = passwords.filter((p) => text.includes(p));
      if (leaked.length > 0) t.fail(`${entry.name} leaks a profile password`);
    }
    t.pass('no profile password appears in the run directory');
  });
}
