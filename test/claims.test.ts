// Claims-based testing: the supplier's claims (profile `claims:`) set beside what the checks measured.
// Pure unit tests of the comparison rules, then one real run per preset of the management simulator
// (weak and hardened at once) with the same claims: weak contradicts every one, hardened confirms every one,
// and in neither do the claims change a verdict or the exit code.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { startManagementServices } from '../simulators/mgmt/index.js';
import { loadCatalog } from '../src/catalog/index.js';
import { CLAIM_RULES, evaluateClaims, evaluateLevel, evaluateRule, timingToleranceMs } from '../src/core/claims.js';
import { loadTestCases } from '../src/core/loader.js';
import { buildReport, type Report } from '../src/core/report.js';
import type { CheckResult } from '../src/core/result.js';
import type { Measurement } from '../src/core/testcase.js';
import { summaryTable } from '../src/reporters/console.js';
import { runChecks } from './helpers/run-checks.js';
import { simPasswords } from './helpers/sim-accounts.js';

t.setTimeout(60_000);

const result = (id: string, values: Record<string, Measurement['value']>, verdict: CheckResult['verdict'] = 'pass'): CheckResult => ({
  id,
  title: id,
  target: 'dev',
  protocol: 'https',
  requirements: [],
  safety: 'read',
  minSecurityLevel: 1,
  verdict,
  reason: `${id} was ${verdict}`,
  startedAt: '2026-11-20T00:00:00.000Z',
  durationMs: 1,
  steps: [],
  measurements: Object.fromEntries(Object.entries(values).map(([k, value]) => [k, { value }])),
  findings: [],
  evidence: [],
});

const rule = (claim: string) => CLAIM_RULES.find((r) => r.claim === claim)!;
/** The status of one claim against one result's measurements. */
const judge = (claim: string, claimed: number | string | string[], check: string, values: Record<string, Measurement['value']>, verdict?: CheckResult['verdict']) =>
  evaluateRule(rule(claim), claimed, [result(check, values, verdict)])[0]!;
const statusOf = (...a: Parameters<typeof judge>) => judge(...a).status;

t.test('lockout threshold', async (t) => {
  const s = (v: Measurement['value']) => statusOf('lockout.threshold', 5, 'https-login-lockout', { failuresUntilLockout: v });
  t.equal(s(5), 'consistent', 'locks after 5 as claimed');
  t.equal(s(3), 'consistent', 'locks sooner: stricter, not a contradiction');
  t.match(judge('lockout.threshold', 5, 'ssh-login-lockout', { failuresUntilLockout: 3 }).reason, /stricter/);
  t.equal(s(6), 'contradicted', 'locks later than claimed');
  t.equal(s('none within 6'), 'contradicted', 'never locks within 6 failures');
  t.equal(s('none within 5'), 'contradicted', '5 failures sent without a lock disprove a lock after 5');
  t.equal(s('none within 4'), 'not-measured', 'the probe stopped below the claim');
  const r = judge('lockout.threshold', 5, 'https-login-lockout', { failuresUntilLockout: 5 });
  t.match(r, { claim: 'lockout.threshold', claimed: '5 failures', measured: 'locks after 5 failures', measuredBy: 'https-login-lockout @ dev' });
});

t.test('lockout duration: the claim must lie in the measured interval ± the tolerance', async (t) => {
  t.equal(timingToleranceMs(3000), 500);
  t.equal(timingToleranceMs(60_000), 6000);
  const s = (claimed: number | string, v: Record<string, Measurement['value']>) => statusOf('lockout.durationMs', claimed, 'ssh-login-lockout', v);
  const unlocked = { failuresUntilLockout: 5, lockoutDurationMinMs: 2900, lockoutDurationMaxMs: 3300 };
  t.equal(s(3000, unlocked), 'consistent');
  t.equal(s(3700, unlocked), 'consistent', 'within max + 10 % … at least 500 ms');
  t.equal(s(3900, unlocked), 'contradicted', 'beyond the tolerance');
  t.equal(s(2000, unlocked), 'contradicted', 'shorter than measured');
  t.equal(s('until-admin', unlocked), 'contradicted', 'it unlocked by itself');
  const still = { failuresUntilLockout: 5, lockoutStillLockedAfterMs: 10_000 };
  t.equal(s('until-admin', still), 'consistent', 'still locked when the probe gave up');
  t.equal(s(3000, still), 'contradicted', 'still locked long after the claimed duration');
  t.equal(s(60_000, still), 'not-measured', 'the probe gave up before the claim');
  t.equal(s(3000, { failuresUntilLockout: 'none within 6' }), 'contradicted', 'no lock at all');
  t.equal(s(3000, { failuresUntilLockout: 5, lockoutDuration: 'not measured' }), 'not-measured', 'locked, duration unknown');
});

t.test('idle timeout', async (t) => {
  const s = (check: string, v: Record<string, Measurement['value']>, claimed = 2000) => statusOf('sessionIdleTimeoutMs', claimed, check, v);
  t.equal(s('ssh-idle-timeout', { idleEndedAfterMs: 2010 }), 'consistent', 'SSH: the end seen at the claimed time');
  t.equal(s('ssh-idle-timeout', { idleEndedAfterMs: 900 }), 'consistent', 'SSH: sooner is stricter');
  t.equal(s('ssh-idle-timeout', { idleEndedAfterMs: 3000 }), 'contradicted', 'SSH: ended later than claimed');
  t.equal(s('https-idle-timeout', { idleEndedWithinMs: 4000 }), 'consistent', 'web: ended within the probe wait, claim below it');
  t.equal(s('https-idle-timeout', { idleEndedWithinMs: 4000 }, 900_000), 'consistent', 'web: ended far sooner than a long claim');
  t.equal(s('https-idle-timeout', { idleStillOpenAfterMs: 4000 }), 'contradicted', 'still open after waiting past the claim');
  t.equal(s('ssh-idle-timeout', { idleStillOpenAfterMs: 3500 }, 900_000), 'not-measured', 'the probe did not wait as long as the claim');
  t.equal(s('ssh-idle-timeout', { idleStillOpenAfterMs: 2400 }), 'not-measured', 'waited the claim but not its tolerance');
});

t.test('session limit', async (t) => {
  const s = (v: Measurement['value'], claimed = 3) => statusOf('maxSessions', claimed, 'https-session-limit', { sessionLimit: v });
  t.equal(s(3), 'consistent');
  t.equal(s(2), 'consistent', 'fewer is stricter');
  t.equal(s(5), 'contradicted');
  t.equal(s('none within 6'), 'contradicted', '6 sessions accepted, 3 claimed');
  t.equal(s('none within 3'), 'not-measured', 'the probe opened no more than the claim');
});

t.test('TLS versions and OPC UA policies: anything outside the claimed set contradicts', async (t) => {
  const tls = (offered: string) => statusOf('tlsVersions', ['TLSv1.2', 'TLSv1.3'], 'tls-protocol-versions', { offered });
  t.equal(tls('TLSv1.2 TLSv1.3'), 'consistent');
  t.equal(tls('TLSv1.3'), 'consistent', 'a subset is consistent');
  t.equal(tls('TLSv1 TLSv1.1 TLSv1.2'), 'contradicted');
  t.match(judge('tlsVersions', ['TLSv1.2'], 'tls-protocol-versions', { offered: 'TLSv1 TLSv1.2' }).reason, /accepts TLSv1, outside/);
  const policies = (p: string) =>
    statusOf('opcuaSecurityPolicies', ['http://opcfoundation.org/UA/SecurityPolicy#Basic256Sha256', 'aes256_sha256_rsapss'], 'opcua-security-policies', { securityPolicies: p });
  t.equal(policies('Basic256Sha256 Aes256_Sha256_RsaPss'), 'consistent', 'names match URIs and any case');
  t.equal(policies('None Basic256Sha256'), 'contradicted', 'None is outside the claim');
  // A check that ended without a conclusion can disprove a claim, never confirm one.
  t.equal(statusOf('tlsVersions', ['TLSv1.2'], 'tls-protocol-versions', { offered: 'TLSv1.2' }, 'error'), 'not-measured');
  t.equal(statusOf('tlsVersions', ['TLSv1.2'], 'tls-protocol-versions', { offered: 'TLSv1 TLSv1.2' }, 'error'), 'contradicted');
});

t.test('claims nothing measured', async (t) => {
  const none = evaluateRule(rule('maxSessions'), 3, []);
  t.match(none, [{ status: 'not-measured', measuredBy: null, measured: '-', reason: /none of .* ran/ }]);
  const skipped = evaluateRule(rule('maxSessions'), 3, [result('ssh-session-limit', {}, 'skipped')]);
  t.match(skipped, [{ status: 'not-measured', reason: /ssh-session-limit @ dev: skipped/ }]);
  t.same(evaluateClaims({ claims: undefined, results: [], targetSecurityLevel: 3, achievedSecurityLevel: levels(3), levelBlockers: blockers() }), [], 'no claims, no entries');
  const two = evaluateRule(rule('tlsVersions'), ['TLSv1.2'], [
    { ...result('tls-protocol-versions', { offered: 'TLSv1.2' }), target: 'web' },
    { ...result('tls-protocol-versions', { offered: 'TLSv1 TLSv1.2' }), target: 'modbus-tls' },
  ]);
  t.match(two, [{ status: 'consistent', measuredBy: 'tls-protocol-versions @ web' }, { status: 'contradicted', measuredBy: 'tls-protocol-versions @ modbus-tls' }], 'one entry per target');
});

function levels(n: number) {
  return { FR1: n, FR2: n, FR3: n, FR4: n, FR5: n, FR6: n, FR7: n };
}
function blockers(fr1: { id: string; status: 'fail' | 'inconclusive' | 'not-run' }[] = []) {
  const none = { FR1: [], FR2: [], FR3: [], FR4: [], FR5: [], FR6: [], FR7: [] };
  return { ...none, FR1: fr1 };
}

t.test('SL-C per FR', async (t) => {
  const s = (claimed: number, achieved: number, target: number, b: Parameters<typeof blockers>[0] = []) =>
    evaluateLevel('FR1', claimed, { targetSecurityLevel: target, achievedSecurityLevel: { ...levels(3), FR1: achieved }, levelBlockers: blockers(b) }).status;
  t.equal(s(2, 3, 3), 'consistent');
  t.equal(s(3, 3, 3), 'consistent');
  t.equal(s(3, 1, 3, [{ id: 'CR 1.11', status: 'fail' }]), 'contradicted', 'a failed requirement below the claim');
  t.equal(s(3, 1, 3, [{ id: 'CR 1.11', status: 'not-run' }]), 'not-measured', 'not run is no contradiction');
  t.equal(s(4, 3, 3), 'not-measured', 'the run stopped at the target');
});

// ---- One real run per preset: the mgmt simulator's web UI, four checks, the same claims on both. ----

const CHECKS = ['https-login-lockout', 'https-idle-timeout', 'https-session-limit', 'tls-protocol-versions'];
const PASSWORDS = { weak: simPasswords('weak'), hardened: simPasswords('hardened') } as const;

const profileFor = (preset: 'weak' | 'hardened', port: number) => `
schemaVersion: 1
device: { vendor: otconform simulated devices, model: SIM-PLC ${preset} }
componentType: EDR
targetSecurityLevel: 3
services:
  https:
    - name: web
      url: https://127.0.0.1:${port}
      login: { form: { path: /login, usernameField: username, passwordField: password } }
      protectedPath: /api/status
      logoutPath: /logout
      timeoutMs: 3000
credentials:
  operator: { username: operator, password: "${PASSWORDS[preset].operator}", role: read-only, protocols: [https] }
  lockprobe: { username: lockprobe, password: "${PASSWORDS[preset].lockprobe}", role: read-only, protocols: [https] }
policy: { idleTimeoutMaxMs: 3000, lockoutDurationMaxMs: 10000 }
safety:
  allowLoginAttempts: true
  allowDisruptive: true
  lockoutAccount: lockprobe
  alternateSourceAddress: 127.0.0.2
  maxLoginAttempts: 6
  loginAttemptsPerSecond: 50
  maxSessions: 6
claims:
  lockout: { threshold: 5, durationMs: 3000 }
  sessionIdleTimeoutMs: 2000
  maxSessions: 3
  tlsVersions: [TLSv1.2, TLSv1.3]
`;

const MEASURED_BY: Record<string, string> = {
  'lockout.threshold': 'https-login-lockout',
  'lockout.durationMs': 'https-login-lockout',
  sessionIdleTimeoutMs: 'https-idle-timeout',
  maxSessions: 'https-session-limit',
  tlsVersions: 'tls-protocol-versions',
};
const CLAIMS = Object.keys(MEASURED_BY);

async function run(preset: 'weak' | 'hardened') {
  const mgmt = await startManagementServices({ preset, pkiDir: mkdtempSync(join(tmpdir(), `otconform-claims-pki-${preset}-`)) });
  try {
    return await runChecks(profileFor(preset, mgmt.https.port), { checks: CHECKS, allowDisruptive: true, profileName: `claims-${preset}.yaml` });
  } finally {
    await mgmt.stop();
  }
}

/** The report rebuilt from the same results without the claims: everything but `claims` must be identical. */
async function withoutClaims(report: Report): Promise<Report> {
  const catalog = loadCatalog();
  const checks = await loadTestCases(catalog);
  const { claims: _dropped, ...profile } = report.profile;
  return buildReport({
    tool: report.tool,
    catalog,
    knowledgeBase: report.knowledgeBase,
    run: report.run,
    redactedProfile: profile,
    observedDevice: report.device.observed,
    targetSecurityLevel: report.targetSecurityLevel,
    results: report.checks,
    automatedRequirementIds: new Set(checks.flatMap((c) => c.requirements)),
    exitCodeFor: () => report.summary.exitCode,
  });
}

t.test('real runs: weak contradicts its claims, hardened keeps them, no verdict changes', async (t) => {
  const started = Date.now();
  const [weak, hardened] = await Promise.all([run('weak'), run('hardened')]);
  t.comment(`both runs took ${Date.now() - started} ms`);

  for (const [preset, r, verdict, status] of [
    ['weak', weak, 'fail', 'contradicted'],
    ['hardened', hardened, 'pass', 'consistent'],
  ] as const) {
    t.test(preset, async (t) => {
      t.same(r.verdicts, Object.fromEntries(CHECKS.map((c) => [`${c} @ web`, verdict])), `every check is ${verdict} on ${preset}`);
      const claims = r.report.claims ?? [];
      for (const c of claims) t.comment(`${c.claim} [${c.status}] claimed ${c.claimed}, measured ${c.measured} by ${c.measuredBy}: ${c.reason}`);
      t.same(claims.map((c) => c.claim), CLAIMS, 'one entry per claim, each measured on the one web target');
      t.same(claims.map((c) => c.status), CLAIMS.map(() => status), `every claim is ${status}`);
      t.same(claims.map((c) => c.measuredBy), CLAIMS.map((c) => `${MEASURED_BY[c]} @ web`), 'each names the check @ target that measured it');
      const byClaim = (claim: string) => claims.find((c) => c.claim === claim)!;
      if (preset === 'weak') {
        t.match(byClaim('lockout.threshold').measured, /no lockout within 6/);
        t.match(byClaim('sessionIdleTimeoutMs').measured, /still open after/);
        t.match(byClaim('maxSessions').measured, /no limit within 6/);
        t.match(byClaim('tlsVersions').reason, /TLSv1, TLSv1\.1, outside/);
      } else {
        t.match(byClaim('lockout.threshold').measured, 'locks after 5 failures');
        t.match(byClaim('maxSessions').measured, '3 concurrent sessions');
        t.match(byClaim('tlsVersions').measured, 'TLSv1.2, TLSv1.3');
      }

      // The claims are evidence only: the same results without them give the same report (verdicts, exit code).
      const { claims: _a, profile: _p, ...withClaims } = r.report;
      const { claims: _b, profile: _q, ...rebuilt } = await withoutClaims(r.report);
      t.same(rebuilt, withClaims, 'removing the claims changes nothing else in the report');
      t.equal(r.report.summary.exitCode, preset === 'weak' ? 1 : 0, 'the exit code follows the requirements alone');

      const md = readFileSync(join(r.runDir, 'report.md'), 'utf8');
      t.match(md, /## Claims/, 'report.md has a Claims section');
      if (preset === 'weak') {
        t.match(md, /\*\*5 claim result\(s\) contradicted by the measurements\.\*\* A contradiction changes no verdict/);
        t.equal(md.match(/\*\*CONTRADICTED\*\*/g)?.length, 5, 'every contradiction is listed');
      } else t.match(md, /No claim is contradicted/);
      const json = JSON.parse(readFileSync(join(r.runDir, 'report.json'), 'utf8')) as Report;
      t.same(json.claims, claims, 'report.json carries the claims');
      const n = preset === 'weak' ? 5 : 0;
      t.match(summaryTable(r.report, r.runDir), new RegExp(`claims\\s+${n} contradicted, ${5 - n} consistent, 0 not measured`), 'the console summary counts the contradictions');
    });
  }
  t.ok(Date.now() - started < 25_000, 'both runs together stay under 25 s');
});
