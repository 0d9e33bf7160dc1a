// The runner's own guarantees, with checks that touch no device: timeouts end a hung check, an exception
// becomes an error verdict, Ctrl-C stops cleanly, every result is journaled the moment it exists, and
// secrets never reach the run directory.
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import t from 'tap';
import { buildPlan } from '../src/core/planner.js';
import { runPlan } from '../src/core/runner.js';
import { verdict, type TestCase } from '../src/core/testcase.js';
import { syntheticCheck } from './helpers/synthetic-check.js';
import { Journal, JOURNAL_PATH } from '../src/evidence/journal.js';
import { MANIFEST_PATH, RunDirectory } from '../src/evidence/run-directory.js';
import { loadKnowledgeBase } from '../src/knowledge/index.js';
import { parseProfile } from '../src/profiles/load.js';
import type { ProtocolDrivers } from '../src/protocols/fixtures.js';

const PROFILE = `schemaVersion: 1
device: { vendor: A, model: B }
componentType: EDR
targetSecurityLevel: 1
services:
  opcua: [{ endpointUrl: "opc.tcp://127.0.0.1:4840" }]
credentials:
  op: { username: op, password: "Sup3r-Secret-PW", role: read-only }
timeouts: { checkMs: 1000 }
`;

// These checks never ask for a client; creating one would be a test bug.
const noDrivers: ProtocolDrivers = {
  createFixture: () => {
    throw new Error('no device in this test');
  },
  unreachable: async () => undefined,
  watchEssentialFunction: () => {
    throw new Error('no device in this test');
  },
  address: () => 'none',
};

const tc = (id: string, run: TestCase['run'], extra: Partial<TestCase> = {}): TestCase => syntheticCheck(id, { run, ...extra });

function setup(checks: TestCase[]) {
  const loaded = parseProfile(PROFILE, 'p.yaml', {});
  const root = mkdtempSync(join(tmpdir(), 'otconform-runner-test-'));
  const dir = new RunDirectory(root, loaded.secrets);
  const plan = buildPlan(checks, loaded.profile, { targetSecurityLevel: 1, allowDisruptive: false });
  const base = {
    profile: loaded.profile,
    targetSecurityLevel: 1 as const,
    kb: loadKnowledgeBase(),
    dir,
    journal: new Journal(dir),
    log: pino({ level: 'silent' }),
    drivers: noDrivers,
  };
  return { root, dir, plan, base, loaded };
}

t.test('verdicts, exceptions and timeouts all become results with reasons', async (t) => {
  const { root, plan, base } = setup([
    tc('a-pass', async (ctx) => {
      ctx.measure('answer', 42, 'units');
      ctx.attach('note.txt', 'the device said hello');
      return verdict.pass('it passed');
    }),
    tc('b-throws', async () => {
      throw new Error('socket hang up\nwith detail');
    }),
    tc('c-hangs', () => new Promise(() => {}), { timeoutMs: 200 }),
    tc('d-fail', async () => verdict.fail('it failed')),
  ]);
  const seen: string[] = [];
  const out = await runPlan(plan, { ...base, signal: new AbortController().signal, onCheckEnd: (r) => seen.push(r.id) });
  const byId = Object.fromEntries(out.results.map((r) => [r.id, r]));
  t.equal(byId['a-pass']?.verdict, 'pass');
  t.same(byId['a-pass']?.measurements.answer, { value: 42, unit: 'units' });
  t.same(byId['a-pass']?.evidence, ['evidence/a-pass/note.txt']);
  t.equal(byId['b-throws']?.verdict, 'error');
  t.equal(byId['b-throws']?.reason, 'The check could not finish: socket hang up.');
  t.equal(byId['c-hangs']?.verdict, 'error');
  t.match(byId['c-hangs']?.reason, /timed out after 200 ms/);
  t.equal(byId['d-fail']?.verdict, 'fail');
  t.same(seen, ['a-pass', 'b-throws', 'c-hangs', 'd-fail'], 'progress reported in order');
  const journal = readFileSync(join(root, JOURNAL_PATH), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  t.equal(journal.length, 4, 'one journal line per check');
  t.equal(journal[2].result.id, 'c-hangs');
});

t.test('an abort stops the running check and skips the rest, and the journal keeps what finished', async (t) => {
  const controller = new AbortController();
  const { root, plan, base } = setup([
    tc('a-first', async () => verdict.pass('done before the interrupt')),
    tc('b-interrupted', async (ctx) => {
      setTimeout(() => controller.abort(new Error('SIGINT')), 20);
      await ctx.sleep(10_000);
      return verdict.pass('never');
    }),
    tc('c-never', async () => verdict.pass('never')),
  ]);
  const started = Date.now();
  const out = await runPlan(plan, { ...base, signal: controller.signal });
  t.ok(Date.now() - started < 2000, 'the interrupt is honoured at once');
  t.ok(out.interrupted);
  t.same(
    out.results.map((r) => r.verdict),
    ['pass', 'error', 'skipped'],
  );
  t.match(out.results[1]?.reason, /interrupted/);
  t.match(out.results[2]?.reason, /interrupted before this check started/);
  t.equal(readFileSync(join(root, JOURNAL_PATH), 'utf8').trim().split('\n').length, 3);
});

t.test('secrets are scrubbed from evidence and the journal; the manifest hashes every file', async (t) => {
  const { root, dir, plan, base } = setup([
    tc('a-leaky', async (ctx) => {
      const pw = ctx.profile.credentials.op!.password;
      ctx.attach('transcript.txt', `login op/${pw}`);
      ctx.attach('data.json', { password: pw, nested: { echo: `x${pw}x` } });
      return verdict.fail(`device echoed ${pw}`);
    }),
  ]);
  await runPlan(plan, { ...base, signal: new AbortController().signal });
  dir.write('report.json', { note: 'Sup3r-Secret-PW' });
  const manifest = dir.writeManifest();
  const files = readdirSync(root, { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
  for (const f of files) {
    const text = readFileSync(join(f.parentPath, f.name), 'utf8');
    t.notMatch(text, /Sup3r-Secret-PW/, `${f.name} holds no secret`);
  }
  t.match(readFileSync(join(root, 'evidence/a-leaky/transcript.txt'), 'utf8'), /login op\/\[REDACTED\]/);
  t.same(
    manifest.files.map((f) => f.path),
    ['evidence/a-leaky/data.json', 'evidence/a-leaky/transcript.txt', JOURNAL_PATH, 'report.json'],
  );
  t.ok(manifest.files.every((f) => /^[0-9a-f]{64}$/.test(f.sha256)));
  t.notOk(manifest.files.some((f) => f.path === MANIFEST_PATH), 'the manifest does not list itself');
});
