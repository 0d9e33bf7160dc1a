// From check results to requirement statuses, the achieved SL-C vector and exit codes, plus the reporters
// (pure functions of the report).
import t from 'tap';
import { loadCatalog } from '../src/catalog/index.js';
import { aggregateRequirement, buildReport } from '../src/core/report.js';
import type { CheckResult } from '../src/core/result.js';
import { parseProfile } from '../src/profiles/load.js';
import { renderJunit } from '../src/reporters/junit.js';
import { renderMarkdown } from '../src/reporters/markdown.js';
import { writeReports } from '../src/reporters/index.js';

const catalog = loadCatalog();

const result = (id: string, requirements: string[], v: CheckResult['verdict']): CheckResult => ({
  id,
  title: id,
  target: 'plc',
  protocol: 'opcua',
  requirements,
  safety: 'passive',
  minSecurityLevel: 1,
  verdict: v,
  reason: `${id} was ${v}`,
  startedAt: '2026-11-20T00:00:00.000Z',
  durationMs: 5,
  steps: [],
  measurements: {},
  findings: [],
  evidence: [],
});

const status = (reqId: string, results: CheckResult[]) => aggregateRequirement(catalog.get(reqId)!, results).status;

t.test('requirement status aggregation', async (t) => {
  t.equal(status('CR 2.1', [result('a', ['CR 2.1'], 'pass'), result('b', ['CR 2.1'], 'fail')]), 'fail', 'any fail → fail');
  t.equal(status('CR 2.1', [result('a', ['CR 2.1'], 'pass'), result('b', ['CR 2.1'], 'error')]), 'inconclusive');
  t.equal(status('CR 2.1', [result('a', ['CR 2.1'], 'pass'), result('b', ['CR 2.1'], 'skipped')]), 'not-run', 'partial evidence is not a pass');
  t.equal(status('CR 2.1', [result('a', ['CR 2.1'], 'pass'), result('b', ['CR 2.1'], 'not-applicable')]), 'pass');
  t.equal(status('CR 2.1', [result('a', ['CR 2.1'], 'not-applicable')]), 'not-applicable');
  t.equal(status('CR 2.1', [result('a', ['CR 2.1'], 'waived')]), 'waived');
  t.equal(status('CR 2.1', [result('a', ['CR 2.1'], 'pass'), result('b', ['CR 2.1'], 'waived')]), 'waived', 'met only thanks to a waiver');
  t.equal(status('CR 2.1', [result('a', ['CR 2.1'], 'fail'), result('b', ['CR 2.1'], 'waived')]), 'fail', 'a waiver does not cover another failure');
  const manual = aggregateRequirement(catalog.get('CR 3.9')!, []);
  t.equal(manual.status, 'manual');
  t.ok(manual.manualEvidence && manual.manualEvidence.length > 10, 'a manual requirement says what to ask for');
  const partly = aggregateRequirement(catalog.get('CR 1.5')!, [result('a', ['CR 1.5'], 'pass')]);
  t.equal(partly.status, 'pass');
  t.ok(partly.manualEvidence, 'a partly testable pass still lists the documents it needs');
});

function report(results: CheckResult[], sl: 1 | 2 | 3 | 4, automated: string[]) {
  const { redacted } = parseProfile(
    `schemaVersion: 1
device: { vendor: A, model: B }
componentType: EDR
targetSecurityLevel: ${sl}
services: { opcua: [{ endpointUrl: "opc.tcp://127.0.0.1:4840" }] }
credentials: { op: { username: op, password: hidden-pw, role: read-only } }
`,
    'p.yaml',
    {},
  );
  return buildReport({
    tool: { name: 'otconform', version: '0.0.0' },
    catalog,
    knowledgeBase: { version: 'kb', sha256: 'x' },
    run: { id: 'r', startedAt: '2026-11-20T00:00:00.000Z', finishedAt: '2026-11-20T00:00:01.000Z', interrupted: false, allowDisruptive: false, host: 'h' },
    redactedProfile: redacted,
    observedDevice: { softwareVersion: '1.0' },
    targetSecurityLevel: sl,
    results,
    automatedRequirementIds: new Set(automated),
    exitCodeFor: (reqs, interrupted) => (interrupted ? 130 : reqs.some((r) => r.status === 'fail') ? 1 : 0),
  });
}

t.test('one requirement entry per requirement in scope, and the exit code follows failures', async (t) => {
  const r = report([result('a', ['CR 1.1'], 'pass')], 2, ['CR 1.1']);
  t.equal(r.requirements.length, catalog.inScope('EDR', 2).length);
  t.equal(r.summary.exitCode, 0);
  t.equal(r.profile.credentials.op?.password, '[REDACTED]');
  const failing = report([result('a', ['CR 1.1'], 'fail')], 2, ['CR 1.1']);
  t.equal(failing.summary.exitCode, 1);
  t.equal(failing.summary.requirements.fail, 1);
});

t.test('achieved SL-C per FR: the highest level whose automatable requirements all pass', async (t) => {
  // CR 1.1 applies from SL 1, CR 1.2 from SL 2, CR 2.7 from SL 3.
  const automated = ['CR 1.1', 'CR 1.2', 'CR 2.7', 'CR 2.1'];
  const r = report(
    [result('a', ['CR 1.1'], 'pass'), result('b', ['CR 1.2'], 'fail'), result('c', ['CR 2.1'], 'pass'), result('d', ['CR 2.7'], 'pass')],
    3,
    automated,
  );
  t.equal(r.achievedSecurityLevel.FR1, 1, 'CR 1.2 fails at SL 2, so FR1 reaches SL 1');
  t.equal(r.achievedSecurityLevel.FR2, 3, 'FR2 passes up to the target');
  t.equal(r.achievedSecurityLevel.FR5, 3, 'no automatable requirement: capped at the target');
  const low = report([result('a', ['CR 1.1'], 'fail')], 3, automated);
  t.equal(low.achievedSecurityLevel.FR1, 0);
  const capped = report([result('a', ['CR 1.1'], 'pass'), result('c', ['CR 2.1'], 'pass')], 1, automated);
  t.equal(capped.achievedSecurityLevel.FR2, 1, 'never above the target, which is all that was evaluated');
});

t.test('reporters render the same report; a broken reporter does not cost the others', async (t) => {
  const r = report([result('a', ['CR 1.1'], 'fail'), result('b', ['CR 1.1'], 'skipped')], 2, ['CR 1.1']);
  const xml = renderJunit(r);
  t.match(xml, /<testcase[^>]+name="a @ plc"[\s\S]*?<failure message="a was fail"/);
  t.match(xml, /<skipped message="skipped: b was skipped"/);
  const md = renderMarkdown(r);
  t.match(md, /\| a \| plc \| CR 1.1 \| passive \| \*\*fail\*\* \| a was fail \| +\|/);
  t.match(md, /## Evidence the auditor still needs/);
  const written: string[] = [];
  const errors: string[] = [];
  writeReports(
    r,
    (file) => written.push(file),
    (file) => errors.push(file),
    [
      { file: 'ok.txt', render: () => 'fine' },
      { file: 'broken.txt', render: () => { throw new Error('boom'); } },
      { file: 'also-ok.txt', render: () => 'fine' },
    ],
  );
  t.same(written, ['ok.txt', 'also-ok.txt']);
  t.same(errors, ['broken.txt']);
});
