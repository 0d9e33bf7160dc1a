// The plan and its safety gates: nothing that can lock, write or load a device runs without both opt-ins,
// and every check that does not run says why.
import t from 'tap';
import { buildPlan } from '../src/core/planner.js';
import type { TestCase } from '../src/core/testcase.js';
import { syntheticCheck } from './helpers/synthetic-check.js';
import { parseProfile } from '../src/profiles/load.js';
import type { SafetyClass } from '../src/core/outcomes.js';

const profileText = (safety: string) => `schemaVersion: 1
device: { vendor: A, model: B }
componentType: EDR
targetSecurityLevel: 2
services:
  opcua: [{ endpointUrl: "opc.tcp://127.0.0.1:4840" }]
credentials:
  lock: { username: l, password: lock-password, role: read-only }
safety: ${safety}
`;

const check = (id: string, safety: SafetyClass, extra: Partial<TestCase> = {}): TestCase =>
  syntheticCheck(id, { safety, ...extra });

const ALL: TestCase[] = [
  check('a-passive', 'passive'),
  check('b-read', 'read'),
  check('c-auth', 'auth-attempt'),
  check('d-lock', 'auth-attempt', { locksAccounts: true }),
  check('e-write', 'state-change'),
  check('f-flood', 'disruptive'),
  check('g-sl3', 'passive', { minSecurityLevel: 3 }),
  check('h-ndr', 'passive', { componentTypes: ['NDR'] }),
  check('i-na', 'passive', { applicable: () => 'no such feature' }),
];

function decisions(safety: string, allowDisruptive: boolean) {
  const { profile } = parseProfile(profileText(safety), 'p.yaml', {});
  return Object.fromEntries(
    buildPlan(ALL, profile, { targetSecurityLevel: 2, allowDisruptive }).map((i) => [
      i.check.id,
      i.decision.run ? 'run' : `${i.decision.verdict}: ${i.decision.reason}`,
    ]),
  );
}

t.test('read-only by default: only passive and read checks run', async (t) => {
  const d = decisions('{}', true);
  t.equal(d['a-passive'], 'run');
  t.equal(d['b-read'], 'run');
  t.match(d['c-auth'], /^skipped: .*allowLoginAttempts/);
  t.match(d['e-write'], /^skipped: .*profile does not set safety.allowDisruptive/);
  t.match(d['f-flood'], /^skipped: .*profile does not set safety.allowDisruptive/);
});

t.test('login attempts need the profile; the lockout probe also needs a named account', async (t) => {
  const d = decisions('{ allowLoginAttempts: true }', false);
  t.equal(d['c-auth'], 'run');
  t.match(d['d-lock'], /^skipped: .*lockoutAccount/);
  t.equal(decisions('{ allowLoginAttempts: true, lockoutAccount: lock }', false)['d-lock'], 'run');
});

t.test('state-change and disruptive checks need the profile AND the command line', async (t) => {
  t.match(decisions('{ allowDisruptive: true }', false)['e-write'], /lacks --allow-disruptive/);
  t.match(decisions('{ allowDisruptive: false }', true)['f-flood'], /profile does not set/);
  t.equal(decisions('{ allowDisruptive: true }', true)['e-write'], 'run');
  t.equal(decisions('{ allowDisruptive: true }', true)['f-flood'], 'run');
});

t.test('level, component type and applicability give not-applicable with a reason', async (t) => {
  const d = decisions('{}', false);
  t.match(d['g-sl3'], /^not-applicable: required from SL-C 3; the target is SL-C 2/);
  t.match(d['h-ndr'], /^not-applicable: applies to NDR components/);
  t.equal(d['i-na'], 'not-applicable: no such feature');
});

t.test('checks that lock accounts run after the others, and disruptive checks last of all', async (t) => {
  const { profile } = parseProfile(profileText('{ allowLoginAttempts: true, lockoutAccount: lock }'), 'p.yaml', {});
  const plan = buildPlan(ALL, profile, { targetSecurityLevel: 2, allowDisruptive: false });
  const ids = plan.map((i) => i.check.id);
  t.equal(ids[ids.length - 1], 'f-flood', 'the disruptive check is last');
  t.equal(ids[ids.length - 2], 'd-lock', 'the account-locking check comes just before it');
});
