// Waivers (compensating countermeasures): a failed or inconclusive result they cover is reported as waived,
// keeping what it was; a pass is never waived; an expired waiver is never applied and is flagged in every
// output.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import t from 'tap';
import { loadCatalog } from '../src/catalog/index.js';
import { buildPlan } from '../src/core/planner.js';
import { buildReport } from '../src/core/report.js';
import type { CheckResult } from '../src/core/result.js';
import { runPlan } from '../src/core/runner.js';
import { verdict } from '../src/core/testcase.js';
import { applyCheckWaiver, isExpired, utcDate } from '../src/core/waivers.js';
import { Journal, JOURNAL_PATH } from '../src/evidence/journal.js';
import { RunDirectory } from '../src/evidence/run-directory.js';
import { loadKnowledgeBase } from '../src/knowledge/index.js';
import { parseProfile } from '../src/profiles/load.js';
import type { Waiver } from '../src/profiles/schema.js';
import type { ProtocolDrivers } from '../src/protocols/fixtures.js';
import { summaryTable } from '../src/reporters/console.js';
import { renderJunit } from '../src/reporters/junit.js';
import { renderMarkdown } from '../src/reporters/markdown.js';
import { syntheticCheck } from './helpers/synthetic-check.js';

const catalog = loadCatalog();
const RUN_DAY = '2026-11-20';
const FIREWALL = 'conduit firewall admits only the SCADA server';

function profileWith(waivers: string) {
  return parseProfile(
    `schemaVersion: 1
device: { vendor: A, model: B }
componentType: EDR
targetSecurityLevel: 2
services:
  opcua:
    - { name: plc, endpointUrl: "opc.tcp://127.0.0.1:4840" }
    - { name: hmi, endpointUrl: "opc.tcp://127.0.0.1:4841" }
waivers:
${waivers}
`,
    'p.yaml',
    {},
  );
}

const result = (id: string, requirements: string[], v: CheckResult['verdict'], target = 'plc'): CheckResult => ({
  id,
  title: id,
  target,
  protocol: 'opcua',
  requirements,
  safety: 'passive',
  minSecurityLevel: 1,
  verdict: v,
  reason: `${id} was ${v}.`,
  startedAt: `${RUN_DAY}T00:00:00.000Z`,
  durationMs: 5,
  steps: [],
  measurements: {},
  findings: [],
  evidence: [],
});

function report(waivers: string, results: CheckResult[]) {
  const { redacted } = profileWith(waivers);
  return buildReport({
    tool: { name: 'otconform', version: '0.0.0' },
    catalog,
    knowledgeBase: { version: 'kb', sha256: 'x' },
    run: { id: 'r', startedAt: `${RUN_DAY}T08:00:00.000Z`, finishedAt: `${RUN_DAY}T08:00:01.000Z`, interrupted: false, allowDisruptive: false, host: 'h' },
    redactedProfile: redacted,
    observedDevice: {},
    targetSecurityLevel: 2,
    results,
    automatedRequirementIds: new Set(results.flatMap((r) => r.requirements)),
    exitCodeFor: (reqs, interrupted) => (interrupted ? 130 : reqs.some((r) => r.status === 'fail') ? 1 : 0),
  });
}

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

t.test('dates: valid through the expiry day, judged in UTC', async (t) => {
  t.equal(utcDate('2026-11-20T23:59:59.999Z'), '2026-11-20');
  t.equal(utcDate(new Date('2026-11-21T00:30:00+02:00')), '2026-11-20', 'a local time after midnight is still the previous UTC day');
  t.notOk(isExpired({ expires: '2026-11-20' }, '2026-11-20'), 'valid on its expiry day');
  t.ok(isExpired({ expires: '2026-11-19' }, '2026-11-20'));
});

t.test('the runner waives a covered fail or error before journaling; passes, other targets and expired waivers stay as found', async (t) => {
  const loaded = profileWith(`  - { check: a-fail, countermeasure: "${FIREWALL}", justification: "only the SCADA server can reach it", reference: RA-17, expires: "2027-12-31" }
  - { check: b-error, target: plc, countermeasure: "monitored by the IDS", justification: "alerts within a minute", reference: RA-1, expires: "2027-12-31" }
  - { check: c-pass, countermeasure: "nothing needed", justification: "n/a", reference: RA-1, expires: "2027-12-31" }
  - { check: d-expired, countermeasure: "old firewall rule", justification: "was reviewed in 2024", reference: RA-1, expires: "2026-11-19" }`);
  const checks = [
    syntheticCheck('a-fail', { run: async () => verdict.fail('anonymous sessions are accepted') }),
    syntheticCheck('b-error', { run: async () => { throw new Error('socket hang up'); } }),
    syntheticCheck('c-pass', { run: async () => verdict.pass('fine') }),
    syntheticCheck('d-expired', { run: async () => verdict.fail('still failing') }),
  ];
  const root = mkdtempSync(join(tmpdir(), 'otconform-waivers-test-'));
  const dir = new RunDirectory(root, loaded.secrets);
  const plan = buildPlan(checks, loaded.profile, { targetSecurityLevel: 2, allowDisruptive: false });
  const progress: string[] = [];
  const out = await runPlan(plan, {
    profile: loaded.profile,
    targetSecurityLevel: 2,
    kb: loadKnowledgeBase(),
    dir,
    journal: new Journal(dir),
    log: pino({ level: 'silent' }),
    drivers: noDrivers,
    signal: new AbortController().signal,
    today: RUN_DAY,
    onCheckEnd: (r) => progress.push(`${r.id}@${r.target}:${r.verdict}`),
  });
  const by = (id: string, target: string) => out.results.find((r) => r.id === id && r.target === target)!;

  const a = by('a-fail', 'plc');
  t.equal(a.verdict, 'waived');
  t.equal(a.originalVerdict, 'fail');
  t.same(a.waiver, { countermeasure: FIREWALL, justification: 'only the SCADA server can reach it', reference: 'RA-17', expires: '2027-12-31' });
  t.equal(a.reason, `Waived until 2027-12-31 (${FIREWALL}): anonymous sessions are accepted`);
  t.equal(by('a-fail', 'hmi').verdict, 'waived', 'a waiver without a target covers every service');

  t.equal(by('b-error', 'plc').verdict, 'waived', 'an inconclusive result can be waived');
  t.equal(by('b-error', 'plc').originalVerdict, 'error');
  t.equal(by('b-error', 'hmi').verdict, 'error', 'a waiver with a target covers only that service');
  t.notOk(by('b-error', 'hmi').waiver);

  t.equal(by('c-pass', 'plc').verdict, 'pass', 'a pass is never waived');
  t.notOk(by('c-pass', 'plc').originalVerdict);
  t.equal(by('d-expired', 'plc').verdict, 'fail', 'an expired waiver is not applied');

  t.ok(progress.includes('a-fail@plc:waived'), 'the progress line already shows the waiver');
  const journal = readFileSync(join(root, JOURNAL_PATH), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { result: CheckResult });
  const journaled = journal.find((l) => l.result.id === 'a-fail' && l.result.target === 'plc')!.result;
  t.equal(journaled.verdict, 'waived', 'the journal holds the waived result');
  t.equal(journaled.originalVerdict, 'fail');
  t.equal(journaled.waiver?.countermeasure, FIREWALL);
});

t.test('applying a check waiver is idempotent', async (t) => {
  const w: Waiver[] = [{ check: 'a', countermeasure: 'cm', justification: 'j', reference: 'RA-1', expires: '2030-01-01' }];
  const once = applyCheckWaiver(result('a', ['CR 1.1'], 'fail'), w, RUN_DAY);
  t.same(applyCheckWaiver(once, w, RUN_DAY), once);
});

t.test('check waivers in the report: the requirement is waived (was fail), satisfied, and the exit code is 0', async (t) => {
  const r = report(`  - { check: a, target: plc, countermeasure: "${FIREWALL}", justification: j, reference: RA-1, expires: "2027-12-31" }`, [
    result('a', ['CR 1.1'], 'fail'),
    result('b', ['CR 1.1'], 'pass'),
  ]);
  t.equal(r.checks[0]?.verdict, 'waived', 'buildReport applies check waivers too, for results that bypassed the runner');
  const cr11 = r.requirements.find((q) => q.id === 'CR 1.1')!;
  t.equal(cr11.status, 'waived', 'met only thanks to a countermeasure, even though another check passed');
  t.equal(cr11.originalStatus, 'fail');
  t.match(cr11.reason, /a @ plc.*passed by b/);
  t.equal(r.summary.exitCode, 0);
  t.equal(r.summary.checks.waived, 1);
  t.equal(r.achievedSecurityLevel.FR1, 2, 'waived counts as satisfied for the achieved SL-C');
  t.same(r.waivers.map((w) => [w.status, w.appliedTo]), [['applied', ['a @ plc']]]);
});

t.test('requirement waivers change the requirement, never the check results', async (t) => {
  const r = report(
    `  - { requirement: "CR 2.1", countermeasure: "${FIREWALL}", justification: j, reference: RA-9, expires: "2027-12-31" }
  - { requirement: "CR 1.1", countermeasure: "unused one", justification: j, reference: RA-1, expires: "2027-12-31" }`,
    [result('a', ['CR 2.1'], 'fail'), result('b', ['CR 2.1'], 'error'), result('c', ['CR 1.1'], 'pass')],
  );
  const cr21 = r.requirements.find((q) => q.id === 'CR 2.1')!;
  t.equal(cr21.status, 'waived');
  t.equal(cr21.originalStatus, 'fail');
  t.same(cr21.waiver, { countermeasure: FIREWALL, justification: 'j', reference: 'RA-9', expires: '2027-12-31' });
  t.match(cr21.reason, /^Waived until 2027-12-31 \(conduit firewall admits only the SCADA server\): Failed by a\./);
  t.same(r.checks.map((c) => c.verdict), ['fail', 'error', 'pass'], 'check results are untouched');
  t.equal(r.requirements.find((q) => q.id === 'CR 1.1')!.status, 'pass', 'a passing requirement is not waived');
  t.equal(r.summary.exitCode, 0);
  t.same(
    r.waivers.map((w) => [w.requirement, w.status, w.appliedTo]),
    [
      ['CR 2.1', 'applied', ['CR 2.1']],
      ['CR 1.1', 'unused', []],
    ],
  );

  const inconclusive = report(`  - { requirement: "CR 2.1", countermeasure: cm, justification: j, reference: RA-1, expires: "2027-12-31" }`, [
    result('b', ['CR 2.1'], 'error'),
  ]);
  t.equal(inconclusive.requirements.find((q) => q.id === 'CR 2.1')!.originalStatus, 'inconclusive');
});

t.test('a requirement waiver with a target covers the requirement only when every failure is on that target', async (t) => {
  const waiver = `  - { requirement: "CR 2.1", target: plc, countermeasure: cm, justification: j, reference: RA-1, expires: "2027-12-31" }`;
  const onPlc = report(waiver, [result('a', ['CR 2.1'], 'fail', 'plc'), result('a', ['CR 2.1'], 'pass', 'hmi')]);
  t.equal(onPlc.requirements.find((q) => q.id === 'CR 2.1')!.status, 'waived');
  const onBoth = report(waiver, [result('a', ['CR 2.1'], 'fail', 'plc'), result('a', ['CR 2.1'], 'fail', 'hmi')]);
  t.equal(onBoth.requirements.find((q) => q.id === 'CR 2.1')!.status, 'fail');
  t.equal(onBoth.summary.exitCode, 1);
  t.equal(onBoth.waivers[0]?.status, 'unused');
});

t.test('an expired waiver is not applied and is flagged in report.json, the console and report.md', async (t) => {
  const r = report(
    `  - { check: a, countermeasure: "old firewall rule", justification: j, reference: RA-1, expires: "2026-11-19" }
  - { requirement: "CR 2.1", countermeasure: "old segmentation", justification: j, reference: RA-1, expires: "2025-01-01" }
  - { check: b, countermeasure: "${FIREWALL}", justification: j, reference: RA-1, expires: "2026-11-20" }`,
    [result('a', ['CR 1.1'], 'fail'), result('c', ['CR 2.1'], 'fail'), result('b', ['CR 1.2'], 'error')],
  );
  t.equal(r.checks[0]?.verdict, 'fail');
  t.equal(r.requirements.find((q) => q.id === 'CR 2.1')!.status, 'fail');
  t.equal(r.checks[2]?.verdict, 'waived', 'valid on its expiry day');
  t.same(r.waivers.map((w) => w.status), ['expired', 'expired', 'applied']);
  t.equal(r.summary.exitCode, 1);

  const console = summaryTable(r, '/tmp/run');
  const warnings = console.split('\n').filter((l) => /warning:/.test(l));
  t.equal(warnings.length, 2, 'one warning line per expired waiver');
  t.match(warnings[0], /check a expired on 2026-11-19 and was not applied \(old firewall rule\)/);
  t.match(warnings[1], /requirement CR 2\.1 expired on 2025-01-01/);
  t.match(console, /waivers\s+1 applied, 0 unused, 2 expired/);
  t.match(summaryTable(r, '/tmp/run', true), /\x1b\[33mwarning:/, 'coloured on a terminal');

  const md = renderMarkdown(r);
  t.match(md, /## Waivers \(compensating countermeasures\)/);
  t.match(md, /2 waiver\(s\) expired before this run and were not applied/);
  t.match(md, /\| check a \| old firewall rule \| j \| RA-1 \| 2026-11-19 \| \*\*EXPIRED: not applied\*\* \|  \|/);
  t.match(md, /\| check b \| conduit firewall admits only the SCADA server \| j \| RA-1 \| 2026-11-20 \| applied \| b @ plc \|/);
});

t.test('report.md, junit.xml and the console show a waived result as waived, what it was, and the countermeasure', async (t) => {
  const r = report(
    `  - { check: a, countermeasure: "${FIREWALL}", justification: "only the SCADA server", reference: RA-17, expires: "2027-12-31" }
  - { check: z, countermeasure: "never used", justification: j, reference: RA-1, expires: "2027-12-31" }`,
    [result('a', ['CR 1.1'], 'fail'), result('b', ['CR 2.1'], 'fail')],
  );
  const md = renderMarkdown(r);
  t.match(md, /\| a \| plc \| CR 1\.1 \| passive \| \*\*waived \(was fail\)\*\* \| Waived until 2027-12-31 \(conduit firewall admits only the SCADA server\): a was fail\. \|/);
  t.match(md, /\| CR 1\.1 \| [^|]+ \| \*\*waived \(was fail\)\*\* \|/);
  t.match(md, /\| check z \| never used \| j \| RA-1 \| 2027-12-31 \| unused/);
  t.notMatch(md, /EXPIRED/);

  const xml = renderJunit(r);
  t.match(xml, /<testsuites[^>]+failures="1"/, 'the waived check is not counted as a failure');
  const waivedCase = /<testcase[^>]+name="a @ plc"[^>]*>([\s\S]*?)<\/testcase>/.exec(xml)?.[1] ?? '';
  t.notMatch(waivedCase, /<failure|<error|<skipped/, 'a passing testcase');
  t.match(waivedCase, /<system-out>WAIVED \(was fail\): Waived until 2027-12-31[\s\S]*countermeasure: conduit firewall[\s\S]*reference: RA-17[\s\S]*<\/system-out>/);

  const console = summaryTable(r, '/tmp/run');
  t.match(console, /1 fail, 0 error, 0 n\/a, 0 skipped, 1 waived/);
  t.match(console, /waivers\s+1 applied, 1 unused, 0 expired/);
  t.notMatch(console, /warning:/);
});

t.test('no waivers: report.md says so and the console adds no row', async (t) => {
  const r = report('  []', [result('a', ['CR 1.1'], 'pass')]);
  t.same(r.waivers, []);
  t.match(renderMarkdown(r), /## Waivers \(compensating countermeasures\)\n\nThe profile declares no waivers\./);
  t.notMatch(summaryTable(r, '/tmp/run'), /waivers/);
});
