// Claims-based testing: the supplier declares in the profile what the device does (`claims:`), and the report
// sets each claim beside what the checks measured. Pure: (claims, check results, achieved SL-C) → ClaimResult[].
//
// Which measurement answers which claim is data (CLAIM_RULES below), not branches in the checks: a check only
// measures, under a stable name, and a rule names the checks, the measurements and the comparison.
//
// Statuses: `consistent` (the measurements agree with the claim), `contradicted` (they disprove it),
// `not-measured` (no check measured it, or what was measured cannot decide). A claim is a promise of at least
// this much protection: a device that is stricter than claimed (locks sooner, allows fewer sessions, offers
// fewer TLS versions) is consistent, and the reason says it is stricter. A contradiction never changes a
// verdict or the exit code: it is evidence for the auditor that the supplier's documentation is wrong.
import type { FrId } from '../catalog/index.js';
import type { Claims } from '../profiles/schema.js';
import type { RequirementStatus } from './outcomes.js';
import { checkRef, type CheckResult } from './result.js';
import type { Measurement } from './testcase.js';

export const CLAIM_STATUSES = ['consistent', 'contradicted', 'not-measured'] as const;
export type ClaimStatus = (typeof CLAIM_STATUSES)[number];

/** One claim compared with one measurement (or with none). The report's `claims[]` holds these. */
export interface ClaimResult {
  /** The claim's path under the profile's `claims`, e.g. "lockout.threshold", "securityLevels.FR1". */
  claim: string;
  /** The claimed value, as text. */
  claimed: string;
  /** What was measured, as text; "-" when nothing measured it. */
  measured: string;
  status: ClaimStatus;
  /** The check @ target whose measurements answered it; "achieved SL-C" for SL claims; null when none did. */
  measuredBy: string | null;
  /** One sentence: why this status. */
  reason: string;
}

/** What a failed or undecided requirement contributes to an SL claim: the level just above the achieved one. */
export interface LevelBlocker {
  id: string;
  status: RequirementStatus;
}

export interface ClaimsInput {
  claims: Claims | undefined;
  results: readonly CheckResult[];
  targetSecurityLevel: number;
  achievedSecurityLevel: Record<FrId, number>;
  /** Per FR: the automatable requirements at level achieved + 1 that are not satisfied (empty at the target). */
  levelBlockers: Record<FrId, LevelBlocker[]>;
}

type ClaimValue = number | string | readonly string[];
type Values = Record<string, Measurement['value']>;
interface Judgement {
  status: ClaimStatus;
  measured: string;
  reason: string;
}

/**
 * How a claimed value is compared with one result's measurements. Returns undefined when the result holds
 * none of the measurements the rule needs (the check did not get that far).
 */
type Comparator = (claimed: ClaimValue, m: Values) => Judgement | undefined;

/**
 * Timing tolerance: a claimed time agrees with a measured one within ±max(500 ms, 10 % of the claim). The device's
 * timer and the probe's do not start at the same instant, the probes poll at intervals, and devices round their
 * timers; a smaller tolerance would report contradictions that are only jitter.
 */
export function timingToleranceMs(claimedMs: number): number {
  return Math.max(500, Math.round(claimedMs * 0.1));
}

const ms = (n: number) => `${Math.round(n)} ms`;
const num = (v: Measurement['value'] | undefined) => (typeof v === 'number' ? v : undefined);
/** "none within N" → N: the probe's bound, reached without meeting the limit. */
const noneWithin = (v: Measurement['value'] | undefined) => {
  const match = typeof v === 'string' ? /^none within (\d+)$/.exec(v) : null;
  return match ? Number(match[1]) : undefined;
};

const COMPARATORS = {
  /** Round k of the probe sends k consecutive failures; the account must lock by the claimed count. */
  lockoutThreshold(claimed, m) {
    const c = claimed as number;
    const locked = num(m.failuresUntilLockout);
    const bound = noneWithin(m.failuresUntilLockout);
    if (locked !== undefined) {
      if (locked > c) return { status: 'contradicted', measured: `locks after ${locked} failures`, reason: `The account locked only after ${locked} consecutive failed logins, more than the claimed ${c}.` };
      return {
        status: 'consistent',
        measured: `locks after ${locked} failures`,
        reason: locked === c ? `The account locked after ${c} consecutive failed logins, as claimed.` : `The account locked after ${locked} consecutive failed logins, sooner (stricter) than the claimed ${c}.`,
      };
    }
    if (bound === undefined) return undefined;
    if (bound >= c) return { status: 'contradicted', measured: `no lockout within ${bound} failures`, reason: `The account did not lock after ${bound} consecutive failed logins, although the claim is a lock after ${c}.` };
    return { status: 'not-measured', measured: `no lockout within ${bound} failures`, reason: `The probe stopped at ${bound} consecutive failures (safety.maxLoginAttempts), below the claimed ${c}, so the claim was not reached.` };
  },

  /** The lock's duration lies in [min, max] (conservative bounds from the probes); "until-admin" never unlocks. */
  lockoutDuration(claimed, m) {
    const min = num(m.lockoutDurationMinMs);
    const max = num(m.lockoutDurationMaxMs);
    const stillLocked = num(m.lockoutStillLockedAfterMs);
    const claimText = claimed === 'until-admin' ? 'a lock until an administrator unlocks it' : `a lock of ${ms(claimed as number)}`;
    if (min !== undefined && max !== undefined) {
      const measured = `unlocked after ${ms(min)}–${ms(max)}`;
      if (claimed === 'until-admin') return { status: 'contradicted', measured, reason: `The account unlocked by itself after between ${ms(min)} and ${ms(max)}, although the claim is ${claimText}.` };
      const c = claimed as number;
      const tol = timingToleranceMs(c);
      return c >= min - tol && c <= max + tol
        ? { status: 'consistent', measured, reason: `The account unlocked after between ${ms(min)} and ${ms(max)}, which agrees with the claimed ${ms(c)} (±${ms(tol)}).` }
        : { status: 'contradicted', measured, reason: `The account unlocked after between ${ms(min)} and ${ms(max)}, not after the claimed ${ms(c)} (±${ms(tol)}).` };
    }
    if (stillLocked !== undefined) {
      const measured = `still locked after ${ms(stillLocked)}`;
      if (claimed === 'until-admin') {
        return { status: 'consistent', measured, reason: `The account was still locked after ${ms(stillLocked)}, as long as the probe waited (policy.lockoutDurationMaxMs), which agrees with ${claimText}.` };
      }
      const c = claimed as number;
      const tol = timingToleranceMs(c);
      return stillLocked > c + tol
        ? { status: 'contradicted', measured, reason: `The account was still locked after ${ms(stillLocked)}, longer than the claimed ${ms(c)} (+${ms(tol)}).` }
        : { status: 'not-measured', measured, reason: `The probe stopped waiting after ${ms(stillLocked)} (policy.lockoutDurationMaxMs), before the claimed ${ms(c)} (+${ms(tol)}) had passed.` };
    }
    const bound = noneWithin(m.failuresUntilLockout);
    if (bound !== undefined) return { status: 'contradicted', measured: `no lockout within ${bound} failures`, reason: `The account never locked within ${bound} consecutive failed logins, so there is no lock to last ${claimed === 'until-admin' ? 'until an administrator unlocks it' : ms(claimed as number)}.` };
    if (num(m.failuresUntilLockout) !== undefined) return { status: 'not-measured', measured: 'locked; duration not measured', reason: 'The account locked, but the probe could not measure how long the lock lasted.' };
    return undefined;
  },

  /**
   * The SSH probe sees the session end (exact); the web probe asks once after its wait (the end lies within it);
   * either may see the session still open after its wait (the timeout is longer than that).
   */
  idleTimeout(claimed, m) {
    const c = claimed as number;
    const tol = timingToleranceMs(c);
    const endedAfter = num(m.idleEndedAfterMs);
    const endedWithin = num(m.idleEndedWithinMs);
    const stillOpen = num(m.idleStillOpenAfterMs);
    if (endedAfter !== undefined) {
      const measured = `ended after ${ms(endedAfter)}`;
      if (endedAfter > c + tol) return { status: 'contradicted', measured, reason: `The device ended the idle session after ${ms(endedAfter)}, later than the claimed ${ms(c)} (+${ms(tol)}).` };
      const stricter = endedAfter < c - tol ? ', sooner (stricter) than' : ', which agrees with';
      return { status: 'consistent', measured, reason: `The device ended the idle session after ${ms(endedAfter)}${stricter} the claimed ${ms(c)}.` };
    }
    if (endedWithin !== undefined) {
      return {
        status: 'consistent',
        measured: `ended within ${ms(endedWithin)}`,
        reason: `The device ended the idle session within ${ms(endedWithin)} (the probe asks once after its wait, so it cannot see exactly when), which agrees with the claimed ${ms(c)}.`,
      };
    }
    if (stillOpen !== undefined) {
      const measured = `still open after ${ms(stillOpen)}`;
      return stillOpen >= c + tol
        ? { status: 'contradicted', measured, reason: `The idle session still worked after ${ms(stillOpen)}, longer than the claimed ${ms(c)} (+${ms(tol)}).` }
        : { status: 'not-measured', measured, reason: `The probe waited only ${ms(stillOpen)} (policy.idleTimeoutMaxMs), less than the claimed ${ms(c)} (+${ms(tol)}), so the claim was not reached.` };
    }
    return undefined;
  },

  /** The limit is the most concurrent sessions the device kept; "none within N" means N were all accepted. */
  sessionLimit(claimed, m) {
    const c = claimed as number;
    const limit = num(m.sessionLimit);
    const bound = noneWithin(m.sessionLimit);
    if (limit !== undefined) {
      const measured = `${limit} concurrent sessions`;
      if (limit > c) return { status: 'contradicted', measured, reason: `The device allowed ${limit} concurrent sessions of one account, more than the claimed ${c}.` };
      return {
        status: 'consistent',
        measured,
        reason: limit === c ? `The device allowed ${c} concurrent sessions of one account, as claimed.` : `The device allowed ${limit} concurrent sessions of one account, fewer (stricter) than the claimed ${c}.`,
      };
    }
    if (bound === undefined) return undefined;
    const measured = `no limit within ${bound} sessions`;
    return bound > c
      ? { status: 'contradicted', measured, reason: `The device accepted ${bound} concurrent sessions of one account, more than the claimed ${c}.` }
      : { status: 'not-measured', measured, reason: `The probe opened at most ${bound} sessions (safety.maxSessions), not more than the claimed ${c}, so the claim was not reached.` };
  },

  /** Everything the device offers must be in the claimed set (names compared without case, URIs by their name). */
  subset(claimed, m) {
    const value = Object.values(m)[0];
    if (typeof value !== 'string') return undefined;
    const allowed = new Set((claimed as readonly string[]).map(policyName));
    const offered = value === 'none' ? [] : value.split(/\s+/).filter((v) => v.length > 0);
    const extra = offered.filter((v) => !allowed.has(policyName(v)));
    const measured = offered.length > 0 ? offered.join(', ') : 'none';
    if (extra.length > 0) return { status: 'contradicted', measured, reason: `The device accepts ${extra.join(', ')}, outside the claimed ${(claimed as readonly string[]).join(', ')}.` };
    return { status: 'consistent', measured, reason: `The device accepts only ${measured}, all within the claimed ${(claimed as readonly string[]).join(', ')}.` };
  },
} satisfies Record<string, Comparator>;

type ComparatorName = keyof typeof COMPARATORS;

export interface ClaimRule {
  /** The claim's path under `claims`. */
  claim: 'lockout.threshold' | 'lockout.durationMs' | 'sessionIdleTimeoutMs' | 'maxSessions' | 'opcuaSecurityPolicies' | 'tlsVersions';
  /** The checks that measure it (every target of each). */
  checks: readonly string[];
  /** The measurement names the comparison reads. */
  measurements: readonly string[];
  compare: ComparatorName;
  /** The claimed value's unit, for the report. */
  unit?: string;
}

const LOCKOUT_CHECKS = ['ssh-login-lockout', 'https-login-lockout', 'opcua-login-lockout'];

/** Which measurement answers which claim. SL claims are answered by the achieved SL-C vector instead. */
export const CLAIM_RULES: readonly ClaimRule[] = [
  { claim: 'lockout.threshold', checks: LOCKOUT_CHECKS, measurements: ['failuresUntilLockout'], compare: 'lockoutThreshold', unit: 'failures' },
  {
    claim: 'lockout.durationMs',
    checks: LOCKOUT_CHECKS,
    measurements: ['lockoutDurationMinMs', 'lockoutDurationMaxMs', 'lockoutStillLockedAfterMs', 'failuresUntilLockout'],
    compare: 'lockoutDuration',
    unit: 'ms',
  },
  {
    claim: 'sessionIdleTimeoutMs',
    checks: ['ssh-idle-timeout', 'https-idle-timeout'],
    measurements: ['idleEndedAfterMs', 'idleEndedWithinMs', 'idleStillOpenAfterMs'],
    compare: 'idleTimeout',
    unit: 'ms',
  },
  { claim: 'maxSessions', checks: ['ssh-session-limit', 'https-session-limit', 'opcua-session-limit'], measurements: ['sessionLimit'], compare: 'sessionLimit', unit: 'sessions' },
  { claim: 'opcuaSecurityPolicies', checks: ['opcua-security-policies'], measurements: ['securityPolicies'], compare: 'subset' },
  { claim: 'tlsVersions', checks: ['tls-protocol-versions'], measurements: ['offered'], compare: 'subset' },
];

export function evaluateClaims(input: ClaimsInput): ClaimResult[] {
  const claims = input.claims;
  if (!claims) return [];
  const out: ClaimResult[] = [];
  for (const rule of CLAIM_RULES) {
    const claimed = claimValue(claims, rule.claim);
    if (claimed !== undefined) out.push(...evaluateRule(rule, claimed, input.results));
  }
  for (const [fr, claimed] of Object.entries(claims.securityLevels ?? {}) as [FrId, number | undefined][]) {
    if (claimed !== undefined) out.push(evaluateLevel(fr, claimed, input));
  }
  return out;
}

/** One entry per result that measured the claim; one not-measured entry when none did. */
export function evaluateRule(rule: ClaimRule, claimed: ClaimValue, results: readonly CheckResult[]): ClaimResult[] {
  const base = { claim: rule.claim, claimed: claimedText(claimed, rule.unit) };
  const candidates = results.filter((r) => rule.checks.includes(r.id));
  const out: ClaimResult[] = [];
  for (const r of candidates) {
    const values: Values = {};
    for (const name of rule.measurements) {
      const m = r.measurements[name];
      if (m !== undefined) values[name] = m.value;
    }
    const j = Object.keys(values).length > 0 ? COMPARATORS[rule.compare](claimed, values) : undefined;
    if (!j) continue;
    // A check that ended without a conclusion may have measured only part: its facts can contradict a claim,
    // but they are not enough to confirm one.
    const judged: Judgement =
      r.verdict === 'error' && j.status === 'consistent'
        ? { ...j, status: 'not-measured', reason: `${checkRef(r)} ended without a conclusion, so its partial measurement does not confirm the claim: ${j.reason}` }
        : j;
    out.push({ ...base, ...judged, measuredBy: checkRef(r) });
  }
  if (out.length > 0) return out;
  const why =
    candidates.length === 0
      ? `none of ${rule.checks.join(', ')} ran in this run`
      : `no result of ${rule.checks.join(', ')} measured it (${candidates.map((r) => `${checkRef(r)}: ${r.verdict}`).join('; ')})`;
  return [{ ...base, measured: '-', status: 'not-measured', measuredBy: null, reason: `Not measured: ${why}.` }];
}

/** An SL claim holds when the achieved SL-C (automatable requirements only) reaches it. */
export function evaluateLevel(fr: FrId, claimed: number, input: Pick<ClaimsInput, 'targetSecurityLevel' | 'achievedSecurityLevel' | 'levelBlockers'>): ClaimResult {
  const achieved = input.achievedSecurityLevel[fr] ?? 0;
  const base = { claim: `securityLevels.${fr}`, claimed: `SL-C ${claimed}`, measured: `SL-C ${achieved}`, measuredBy: 'achieved SL-C' };
  const scope = 'counting the automatable requirements only; documentary ones are for the auditor';
  if (achieved >= claimed) {
    return { ...base, status: 'consistent', reason: `${fr} achieved SL-C ${achieved}, at least the claimed ${claimed} (${scope}).` };
  }
  if (achieved >= input.targetSecurityLevel) {
    return {
      ...base,
      status: 'not-measured',
      reason: `The run tested ${fr} up to SL-C ${input.targetSecurityLevel} (the target), below the claimed ${claimed}; run with --sl ${claimed} to test the claim.`,
    };
  }
  const blockers = input.levelBlockers[fr] ?? [];
  const failed = blockers.filter((b) => b.status === 'fail');
  const list = (bs: LevelBlocker[]) => bs.map((b) => b.id).join(', ');
  if (failed.length > 0) {
    return {
      ...base,
      status: 'contradicted',
      reason: `${fr} achieved only SL-C ${achieved}, below the claimed ${claimed}: ${list(failed)} failed at SL-C ${achieved + 1} (see the requirements for the checks).`,
    };
  }
  return {
    ...base,
    status: 'not-measured',
    reason: `${fr} achieved only SL-C ${achieved} because ${blockers.length > 0 ? `${list(blockers)} ${blockers.length === 1 ? 'was' : 'were'} not decided (${[...new Set(blockers.map((b) => b.status))].join(', ')})` : 'some requirements were not decided'}, so the claimed ${claimed} is neither confirmed nor disproved.`,
  };
}

function claimValue(claims: Claims, path: ClaimRule['claim']): ClaimValue | undefined {
  switch (path) {
    case 'lockout.threshold':
      return claims.lockout?.threshold;
    case 'lockout.durationMs':
      return claims.lockout?.durationMs;
    default:
      return claims[path];
  }
}

function claimedText(v: ClaimValue, unit?: string): string {
  if (typeof v === 'number') return unit ? `${v} ${unit}` : String(v);
  if (typeof v === 'string') return v;
  return v.join(', ');
}

/** "http://opcfoundation.org/UA/SecurityPolicy#Basic256Sha256" and "basic256sha256" name the same policy. */
function policyName(v: string): string {
  return (v.includes('#') ? v.slice(v.lastIndexOf('#') + 1) : v).toLowerCase();
}
