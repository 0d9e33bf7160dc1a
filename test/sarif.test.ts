// report.sarif through the real runner: fast TLS, SSH and sweep checks against two instances of the management
// simulator's weak preset (so every port differs between the two runs), with a check waiver and a requirement
// waiver. The log is checked against the SARIF 2.1.0 rules code-scanning uploads depend on, and its fingerprints
// must survive a second run while telling targets and devices apart.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { startManagementServices, type MgmtServices } from '../simulators/mgmt/index.js';
import type { Report } from '../src/core/report.js';
import { checkRef } from '../src/core/result.js';
import { buildSarif, FINGERPRINT_KEY, fingerprint, renderSarif, SARIF_SCHEMA, securitySeverity, SEVERITY } from '../src/reporters/sarif.js';
import { runChecks } from './helpers/run-checks.js';

t.setTimeout(60_000);

const CHECKS = ['tls-protocol-versions', 'tls-certificate', 'ssh-algorithms', 'ssh-banner', 'network-port-inventory'];
const PASSWORD = 'Sarif-Secret-Pa55-7Q';

const scratch = mkdtempSync(join(tmpdir(), 'otconform-sarif-'));
t.teardown(() => rmSync(scratch, { recursive: true, force: true }));
const [simA, simB] = await Promise.all(
  ['a', 'b'].map((n) => startManagementServices({ preset: 'weak', pkiDir: join(scratch, `pki-${n}`) })),
);
t.teardown(() => Promise.all([simA!.stop(), simB!.stop()]));

/** The HTTPS endpoint is audited twice: as the web service and as a TLS service of its own, i.e. two targets. */
function profileFor(sim: MgmtServices, model = 'SIM-PLC weak'): string {
  return JSON.stringify({
    schemaVersion: 1,
    device: { vendor: 'otconform simulated devices', model, firmware: '1' },
    componentType: 'EDR',
    targetSecurityLevel: 2,
    services: {
      ssh: [{ name: 'ssh', host: '127.0.0.1', port: sim.ssh.port }],
      https: [{ name: 'web', url: `https://127.0.0.1:${sim.https.port}` }],
      tls: [{ name: 'web-again', host: '127.0.0.1', port: sim.https.port }],
    },
    credentials: { operator: { username: 'operator', password: PASSWORD, role: 'read-only' } },
    network: { ports: [sim.ssh.port, sim.https.port, sim.plaintext!.port], connectionsPerSecond: 200, connectTimeoutMs: 300 },
    waivers: [
      {
        check: 'tls-certificate',
        target: 'web',
        countermeasure: 'The web UI is reachable only from the engineering VLAN.',
        justification: 'Replacing the certificate needs the 2027 firmware.',
        reference: 'RA-0042',
        expires: '2099-12-31',
      },
      {
        requirement: 'CR 1.12',
        countermeasure: 'Maintenance staff sign the access policy.',
        justification: 'The login banner is shown on the engineering workstation.',
        reference: 'RA-0043',
        expires: '2099-12-31',
      },
    ],
  });
}

let runs = 0;
const run = async (sim: MgmtServices) => {
  const r = await runChecks(profileFor(sim), { checks: CHECKS, outDir: join(scratch, `run-${++runs}`), pkiDir: join(scratch, 'client') });
  const file = join(r.runDir, 'report.sarif');
  return { ...r, file, sarif: existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as SarifLog) : undefined };
};
const first = await run(simA!);
const second = await run(simB!);

interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level: string;
  message: { text: string };
  locations: Array<{
    physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } };
    logicalLocations?: Array<{ name: string; fullyQualifiedName?: string; kind?: string }>;
  }>;
  partialFingerprints: Record<string, string>;
  suppressions?: Array<{ kind: string; status?: string; justification?: string; properties?: Record<string, unknown> }>;
  properties: { target: string; verdict: string };
}
interface SarifRule {
  id: string;
  name: string;
  shortDescription: { text: string };
  fullDescription: { text: string };
  help: { text: string; markdown?: string };
  defaultConfiguration: { level: string };
  properties: { tags: string[]; requirements: string[]; safety: string; 'security-severity'?: string };
}
interface SarifLog {
  $schema: string;
  version: string;
  runs: Array<{
    tool: { driver: { name: string; version: string; rules: SarifRule[] } };
    automationDetails: { id: string };
    invocations: Array<{ executionSuccessful: boolean; startTimeUtc: string; endTimeUtc: string }>;
    results: SarifResult[];
    properties: Record<string, unknown>;
  }>;
}

const LEVELS = ['none', 'note', 'warning', 'error'];
const UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

/**
 * The SARIF 2.1.0 rules (OASIS schema and GitHub's ingestion) that a log must meet to upload and display:
 * required properties, enums, no nulls, rule references that resolve, relative artifact uris (GitHub rejects
 * other schemes) that exist in the run directory, 1-based lines, string fingerprints, valid suppressions.
 */
function sarifProblems(log: SarifLog, runDir: string): string[] {
  const problems: string[] = [];
  const need = (ok: unknown, what: string) => ok || problems.push(what);
  const walk = (v: unknown, path: string): void => {
    if (v === null) problems.push(`${path} is null`);
    else if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${path}[${i}]`));
    else if (typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, `${path}.${k}`);
  };
  walk(log, '$');
  need(log.version === '2.1.0', 'version is 2.1.0');
  need(Array.isArray(log.runs) && log.runs.length > 0, 'runs is a non-empty array');
  for (const [r, run] of log.runs.entries()) {
    const at = `runs[${r}]`;
    need(typeof run.tool?.driver?.name === 'string' && run.tool.driver.name.length > 0, `${at}.tool.driver.name`);
    const rules = run.tool.driver.rules;
    need(new Set(rules.map((x) => x.id)).size === rules.length, `${at}: rule ids are unique`);
    for (const rule of rules) {
      need(typeof rule.id === 'string' && rule.id.length > 0, `${at}: rule id`);
      need(!/\s/.test(rule.name), `${rule.id}: name has no spaces`);
      for (const m of [rule.shortDescription, rule.fullDescription, rule.help]) need(typeof m?.text === 'string' && m.text.length > 0, `${rule.id}: message text`);
      need(LEVELS.includes(rule.defaultConfiguration.level), `${rule.id}: default level`);
      need(rule.properties.tags.every((tag) => typeof tag === 'string'), `${rule.id}: tags are strings`);
      const sev = rule.properties['security-severity'];
      if (sev !== undefined) need(typeof sev === 'string' && /^\d+(\.\d+)?$/.test(sev) && Number(sev) <= 10, `${rule.id}: security-severity is a 0-10 number as a string`);
    }
    for (const inv of run.invocations) {
      need(typeof inv.executionSuccessful === 'boolean', `${at}: invocation.executionSuccessful is required`);
      need(UTC.test(inv.startTimeUtc) && UTC.test(inv.endTimeUtc), `${at}: invocation times are UTC date-times`);
    }
    need(typeof run.automationDetails?.id === 'string', `${at}: automationDetails.id`);
    for (const res of run.results) {
      const rat = `${res.ruleId} @ ${res.properties?.target}`;
      need(rules[res.ruleIndex]?.id === res.ruleId, `${rat}: ruleIndex points at its rule`);
      need(LEVELS.includes(res.level), `${rat}: level`);
      need(typeof res.message?.text === 'string' && res.message.text.length > 0, `${rat}: message.text`);
      need(res.locations.length >= 1 && res.locations.length <= 10, `${rat}: 1-10 locations (GitHub)`);
      for (const loc of res.locations) {
        const uri = loc.physicalLocation?.artifactLocation?.uri;
        need(typeof uri === 'string' && uri.length > 0, `${rat}: artifactLocation.uri`);
        need(!/^[a-z][a-z0-9+.-]*:/i.test(uri) && !uri.startsWith('/') && !/[\s\\]/.test(uri), `${rat}: uri ${uri} is a relative reference`);
        need(existsSync(join(runDir, uri)), `${rat}: ${uri} exists in the run directory`);
        need(Number.isInteger(loc.physicalLocation.region.startLine) && loc.physicalLocation.region.startLine >= 1, `${rat}: startLine ≥ 1`);
      }
      need(Object.values(res.partialFingerprints ?? {}).length > 0, `${rat}: partialFingerprints`);
      need(Object.values(res.partialFingerprints ?? {}).every((v) => typeof v === 'string'), `${rat}: fingerprints are strings`);
      for (const s of res.suppressions ?? []) {
        need(['inSource', 'external'].includes(s.kind), `${rat}: suppression kind`);
        need(s.status === undefined || ['accepted', 'underReview', 'rejected'].includes(s.status), `${rat}: suppression status`);
      }
    }
  }
  return problems;
}

const byRef = (sarif: SarifLog) => new Map(sarif.runs[0]!.results.map((r) => [`${r.ruleId} @ ${r.properties.target}`, r]));

t.test('every run directory gets a report.sarif that meets SARIF 2.1.0', async (t) => {
  t.comment(`runs: ${first.ms} ms and ${second.ms} ms; ${Object.entries(first.verdicts).map(([k, v]) => `${k}: ${v}`).join(', ')}`);
  t.ok(first.sarif, 'report.sarif exists and parses');
  const sarif = first.sarif!;
  t.equal(sarif.version, '2.1.0');
  t.equal(sarif.$schema, SARIF_SCHEMA);
  t.match(sarif.$schema, /^https:\/\/docs\.oasis-open\.org\/sarif\/sarif\/v2\.1\.0\/.*sarif-schema-2\.1\.0\.json$/);
  t.same(sarifProblems(sarif, first.runDir), [], 'no SARIF problems');
  t.same(sarifProblems(second.sarif!, second.runDir), [], 'no SARIF problems in the second run either');
  const broken = JSON.parse(JSON.stringify(sarif)) as SarifLog;
  const res = broken.runs[0]!.results[0]!;
  res.level = 'fatal';
  res.locations[0]!.physicalLocation.artifactLocation.uri = 'ssh://127.0.0.1:22';
  res.ruleIndex = 99;
  (broken.runs[0]!.invocations[0] as { executionSuccessful: unknown }).executionSuccessful = null;
  t.equal(sarifProblems(broken, first.runDir).length, 6, 'the checker itself catches a bad level, uri, rule index and a null');
  const manifest = JSON.parse(readFileSync(join(first.runDir, 'evidence/manifest.json'), 'utf8')) as { files: { path: string }[] };
  t.ok(manifest.files.some((f) => f.path === 'report.sarif'), 'the manifest hashes it');

  const run = sarif.runs[0]!;
  t.equal(run.tool.driver.name, 'otconform');
  t.equal(run.tool.driver.version, first.report.tool.version);
  t.same(run.invocations[0], { ...run.invocations[0], executionSuccessful: true, startTimeUtc: first.report.run.startedAt, endTimeUtc: first.report.run.finishedAt });
  t.match(run.properties, {
    device: { declared: { vendor: 'otconform simulated devices', model: 'SIM-PLC weak' } },
    targetSecurityLevel: 2,
    catalog: { version: first.report.catalog.version },
    knowledgeBase: { version: first.report.knowledgeBase.version },
  });
});

t.test('one rule per check, one result per failed, inconclusive or waived check result', async (t) => {
  const run = first.sarif!.runs[0]!;
  t.same(run.tool.driver.rules.map((r) => r.id).sort(), [...CHECKS].sort(), 'every check has a rule');
  for (const rule of run.tool.driver.rules) {
    const check = first.report.checks.find((c) => c.id === rule.id)!;
    t.equal(rule.shortDescription.text, check.title, `${rule.id}: short description is the title`);
    t.match(rule.help.text, new RegExp(check.requirements[0]!.replace('.', '\\.')), `${rule.id}: help names the requirements`);
    t.match(rule.help.text, /To resolve:/, `${rule.id}: help says what to do`);
    t.same(rule.properties.requirements, check.requirements);
    t.equal(rule.properties.safety, check.safety);
    t.ok(rule.properties.tags.includes('security') && rule.properties.tags.includes('iec62443'), `${rule.id}: tags`);
  }
  const offending = first.report.checks.filter((c) => ['fail', 'error', 'waived'].includes(c.verdict));
  t.equal(offending.length, 7, 'the weak device fails all seven check results (one of them waived)');
  t.same([...byRef(first.sarif!).keys()].sort(), offending.map(checkRef).sort(), 'a result for each of them');
  for (const c of offending) {
    const res = byRef(first.sarif!).get(checkRef(c))!;
    t.equal(res.level, 'error', `${checkRef(c)}: a failure is an error`);
    t.ok(res.message.text.startsWith(c.reason), `${checkRef(c)}: the message is the verdict's reason`);
    t.ok(res.partialFingerprints[FINGERPRINT_KEY], `${checkRef(c)}: fingerprint`);
  }
  const ssh = byRef(first.sarif!).get('ssh-algorithms @ ssh')!;
  t.match(ssh.locations[0]!, {
    physicalLocation: { artifactLocation: { uri: 'evidence/ssh-algorithms/findings.json' }, region: { startLine: 1 } },
    logicalLocations: [{ name: 'ssh', fullyQualifiedName: `ssh://127.0.0.1:${simA!.ssh.port}` }],
  }, 'located at its evidence, and at the service by name and address');
  const rule = (id: string) => first.sarif!.runs[0]!.tool.driver.rules.find((r) => r.id === id)!;
  t.equal(rule('ssh-algorithms').properties['security-severity'], SEVERITY.broken, 'broken SSH algorithms are critical');
  t.equal(rule('ssh-banner').properties['security-severity'], SEVERITY.failed, 'a behavioural failure is high');
});

t.test('fingerprints are stable across runs and tell targets and devices apart', async (t) => {
  t.not(simA!.ssh.port, simB!.ssh.port, 'the second device listens on other ports');
  const a = byRef(first.sarif!);
  const b = byRef(second.sarif!);
  t.same([...a.keys()].sort(), [...b.keys()].sort(), 'the same findings');
  for (const [ref, res] of a) t.equal(res.partialFingerprints[FINGERPRINT_KEY], b.get(ref)!.partialFingerprints[FINGERPRINT_KEY], `${ref}: same fingerprint`);
  const fps = [...a.values()].map((r) => r.partialFingerprints[FINGERPRINT_KEY]);
  t.equal(new Set(fps).size, fps.length, 'every result has its own fingerprint');
  t.not(
    a.get('tls-protocol-versions @ web')!.partialFingerprints[FINGERPRINT_KEY],
    a.get('tls-protocol-versions @ web-again')!.partialFingerprints[FINGERPRINT_KEY],
    'the same check on two targets differs',
  );
  const otherDevice: Report = { ...first.report, device: { ...first.report.device, declared: { ...first.report.device.declared, model: 'SIM-PLC 2' } } };
  const c = first.report.checks[0]!;
  t.not(fingerprint(otherDevice, c), fingerprint(first.report, c), 'another model differs');
  const newFirmware: Report = { ...first.report, device: { ...first.report.device, declared: { ...first.report.device.declared, firmware: '2' } } };
  t.equal(fingerprint(newFirmware, c), fingerprint(first.report, c), 'a firmware update keeps the alert');
});

t.test('waived results appear with an external suppression carrying the justification', async (t) => {
  const results = byRef(first.sarif!);
  const waived = results.get('tls-certificate @ web')!;
  t.equal(first.verdicts['tls-certificate @ web'], 'waived');
  t.equal(waived.level, 'error', 'it keeps the level of what it was');
  t.match(waived.suppressions, [
    {
      kind: 'external',
      status: 'accepted',
      justification: 'Replacing the certificate needs the 2027 firmware.',
      properties: { countermeasures: ['The web UI is reachable only from the engineering VLAN.'], references: ['RA-0042'], expires: '2099-12-31' },
    },
  ]);
  t.notOk(results.get('tls-certificate @ web-again')!.suppressions, 'the waiver names only the web target');
  const banner = results.get('ssh-banner @ ssh')!;
  t.equal(first.verdicts['ssh-banner @ ssh'], 'fail', 'a requirement waiver leaves the check failed');
  t.match(banner.suppressions, [{ kind: 'external', justification: 'The login banner is shown on the engineering workstation.' }], 'but its only requirement is waived, so it is suppressed');
  t.notOk(results.get('ssh-algorithms @ ssh')!.suppressions, 'an unwaived failure has no suppression');
});

t.test('no secret reaches the SARIF log', async (t) => {
  t.notOk(readFileSync(first.file, 'utf8').includes(PASSWORD), 'not in report.sarif');
  t.notOk(renderSarif(first.report).includes(PASSWORD), 'not even before the run directory scrubs it');
});

t.test('an inconclusive result is a warning; severity follows the worst grade', async (t) => {
  const report: Report = {
    ...first.report,
    checks: first.report.checks.map((c) => (c.id === 'ssh-banner' ? { ...c, verdict: 'error' as const, reason: 'The server closed the connection.' } : c)),
  };
  const res = buildSarif(report).runs[0]!.results.find((r) => r.ruleId === 'ssh-banner')!;
  t.equal(res.level, 'warning');
  t.equal(res.message.text, 'The server closed the connection. [ssh: ssh://127.0.0.1:' + simA!.ssh.port + ']');
  const base = first.report.checks.find((c) => c.id === 'ssh-banner')!;
  const grade = (verdict: 'fail' | 'error' | 'pass', ...grades: Array<'broken' | 'weak' | 'acceptable' | 'strong' | 'unknown'>) => ({
    ...base,
    verdict,
    findings: grades.map((g) => ({ subject: 's', value: g, grade: g, reason: 'r', source: 's' })),
  });
  t.equal(securitySeverity([grade('fail', 'strong', 'weak', 'broken')]), SEVERITY.broken);
  t.equal(securitySeverity([grade('fail', 'weak', 'acceptable')]), SEVERITY.weak);
  t.equal(securitySeverity([grade('fail', 'acceptable', 'strong')]), SEVERITY.belowLevel, 'fails only because the SL-C is strict');
  t.equal(securitySeverity([grade('fail')]), SEVERITY.failed);
  t.equal(securitySeverity([grade('error', 'unknown')]), SEVERITY.inconclusive);
  t.equal(securitySeverity([grade('pass', 'strong')]), undefined, 'nothing to score');
  t.equal(securitySeverity([{ ...grade('fail', 'weak'), verdict: 'waived', originalVerdict: 'fail' }]), SEVERITY.weak, 'a waived risk keeps its score');
});
