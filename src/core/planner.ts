// The plan: every check × every declared service of its protocol, each either run or given its reason
// not to (not-applicable, or skipped by a safety gate or a missing precondition). Nothing is dropped silently.
import type { Profile } from '../profiles/schema.js';
import { serviceLabel, serviceTargets } from '../profiles/services.js';
import type { SafetyClass, SecurityLevel } from './outcomes.js';
import type { PlanContext, ServiceOf, TestCase } from './testcase.js';

export interface RunOptions {
  targetSecurityLevel: SecurityLevel;
  /** The command line's half of the double opt-in for state-change and disruptive checks. */
  allowDisruptive: boolean;
  /** Only these check ids, when given. */
  only?: string[];
}

export type PlanDecision = { run: true } | { run: false; verdict: 'not-applicable' | 'skipped'; reason: string };

export interface PlanItem {
  check: TestCase;
  /** Undefined when the device declares no service of the check's protocol. */
  service: ServiceOf<TestCase['protocol']> | undefined;
  serviceIndex: number;
  targetLabel: string;
  decision: PlanDecision;
}

export function buildPlan(checks: TestCase[], profile: Profile, options: RunOptions): PlanItem[] {
  const items: PlanItem[] = [];
  for (const check of checks) {
    if (options.only && !options.only.includes(check.id)) continue;
    const services = serviceTargets(profile, check.protocol);
    if (services.length === 0) {
      items.push({
        check,
        service: undefined,
        serviceIndex: -1,
        targetLabel: '-',
        decision: notApplicable(`the device declares no ${check.protocol} service`),
      });
      continue;
    }
    services.forEach((service, serviceIndex) => {
      const targetLabel = serviceLabel(check.protocol, service);
      items.push({ check, service, serviceIndex, targetLabel, decision: decide(check, { profile, service }, options) });
    });
  }
  return items.sort((a, b) => runOrder(a.check) - runOrder(b.check));
}

/**
 * Checks that can lock an account run after the others, so a lockout never starves the checks that need a
 * login; disruptive checks run last, so a device they leave degraded cannot spoil another verdict, and the
 * load checks (resource availability, CR 7.1) last of all, since they are the ones that leave it degraded.
 */
function runOrder(check: TestCase): number {
  if (check.safety === 'disruptive') return check.requirements.includes('CR 7.1') ? 3 : 2;
  return check.locksAccounts ? 1 : 0;
}

function decide(check: TestCase, ctx: PlanContext<TestCase['protocol']>, options: RunOptions): PlanDecision {
  const { profile } = ctx;
  if (check.minSecurityLevel > options.targetSecurityLevel) {
    return notApplicable(
      `required from SL-C ${check.minSecurityLevel}; the target is SL-C ${options.targetSecurityLevel}`,
    );
  }
  if (check.componentTypes !== 'all' && !check.componentTypes.includes(profile.componentType)) {
    return notApplicable(`applies to ${check.componentTypes.join('/')} components; this one is ${profile.componentType}`);
  }
  const applicable = check.applicable?.(ctx) ?? true;
  if (applicable !== true) return notApplicable(applicable);
  const gate = safetyGate(check.safety, profile, options.allowDisruptive);
  if (gate) return { run: false, verdict: 'skipped', reason: gate };
  if (check.locksAccounts && !profile.safety.lockoutAccount) {
    return { run: false, verdict: 'skipped', reason: 'the profile names no safety.lockoutAccount that may be locked' };
  }
  const missing = check.preconditions?.(ctx);
  if (missing) return { run: false, verdict: 'skipped', reason: missing };
  return { run: true };
}

/** Why a check of this safety class may not run, or undefined when it may. */
export function safetyGate(safety: SafetyClass, profile: Profile, allowDisruptiveFlag: boolean): string | undefined {
  switch (safety) {
    case 'passive':
    case 'read':
      return undefined;
    case 'auth-attempt':
      return profile.safety.allowLoginAttempts
        ? undefined
        : 'sends login attempts, and the profile does not set safety.allowLoginAttempts';
    case 'state-change':
    case 'disruptive': {
      const missing = [
        profile.safety.allowDisruptive ? undefined : 'the profile does not set safety.allowDisruptive',
        allowDisruptiveFlag ? undefined : 'the command line lacks --allow-disruptive',
      ].filter(Boolean);
      return missing.length === 0 ? undefined : `${safety} check: ${missing.join(' and ')}`;
    }
  }
}

function notApplicable(reason: string): PlanDecision {
  return { run: false, verdict: 'not-applicable', reason };
}
