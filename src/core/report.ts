// The canonical report model (report.json) and the aggregation from check results to requirement
// statuses and the achieved SL-C vector. Every other format is rendered from this one object.
import type { Catalog, FrId, Requirement } from '../catalog/index.js';
import type { Profile } from '../profiles/schema.js';
import { evaluateClaims, type ClaimResult, type LevelBlocker } from './claims.js';
import {
  CHECK_VERDICTS,
  REQUIREMENT_STATUSES,
  type CheckVerdict,
  type ComponentType,
  type RequirementStatus,
  type SecurityLevel,
} from './outcomes.js';
import { checkRef, type CheckResult, type WaiverTerms } from './result.js';
import {
  applyCheckWaiver,
  offendingResults,
  requirementWaiverFor,
  utcDate,
  waivedReason,
  waiverLedger,
  waiverTerms,
  type WaiverRecord,
} from './waivers.js';

export const REPORT_SCHEMA_VERSION = 1;

export interface RequirementResult {
  id: string;
  title: string;
  fr: FrId;
  kind: Requirement['kind'];
  testability: Requirement['testability'];
  status: RequirementStatus;
  /** One sentence: why this status. */
  reason: string;
  /** Check ids (with target) behind the status. */
  checks: string[];
  /** What the auditor should ask the supplier for, where automated evidence is absent or partial. */
  manualEvidence?: string;
  /** Set when status is 'waived': what it would have been without the waiver(s). */
  originalStatus?: 'fail' | 'inconclusive';
  /** Set when a requirement-level waiver applied (check-level waivers sit on the check results). */
  waiver?: WaiverTerms;
}

export interface Report {
  schemaVersion: typeof REPORT_SCHEMA_VERSION;
  tool: { name: string; version: string };
  catalog: { version: string; sha256: string };
  knowledgeBase: { version: string; sha256: string };
  run: {
    id: string;
    startedAt: string;
    finishedAt: string;
    interrupted: boolean;
    allowDisruptive: boolean;
    host: string;
  };
  /** Set when the run's bundle is signed (evidence/manifest.sig): whose key, so an auditor can compare it. */
  signer?: { algorithm: 'Ed25519'; fingerprint: string };
  device: { declared: Profile['device']; observed: Record<string, string> };
  componentType: ComponentType;
  targetSecurityLevel: SecurityLevel;
  /** The profile as loaded, with every secret replaced. */
  profile: Profile;
  summary: {
    checks: Record<CheckVerdict, number>;
    requirements: Record<RequirementStatus, number>;
    exitCode: number;
  };
  checks: CheckResult[];
  requirements: RequirementResult[];
  /** Per FR, the highest SL-C (0-4, capped at the target) at which every automatable requirement passed. */
  achievedSecurityLevel: Record<FrId, number>;
  /** Every waiver of the profile, with whether it was applied, unused, or expired (never applied). */
  waivers: WaiverRecord[];
  /**
   * The supplier's claims (profile `claims:`) beside what the checks measured, one entry per claim and measuring
   * check @ target. Evidence for the auditor: a contradiction changes no verdict and not the exit code.
   * Absent in reports written before claims existed.
   */
  claims?: ClaimResult[];
}

export interface ReportInput {
  tool: Report['tool'];
  catalog: Catalog;
  knowledgeBase: Report['knowledgeBase'];
  run: Report['run'];
  signer?: Report['signer'];
  redactedProfile: Profile;
  observedDevice: Record<string, string>;
  targetSecurityLevel: SecurityLevel;
  results: CheckResult[];
  /** Requirement ids that some loaded check covers, in any plan (for "automatable"). */
  automatedRequirementIds: ReadonlySet<string>;
  exitCodeFor: (requirements: RequirementResult[], interrupted: boolean) => number;
}

export function buildReport(input: ReportInput): Report {
  const componentType = input.redactedProfile.componentType;
  // Waivers are judged on the day the run started (UTC), the same day the runner used.
  const today = utcDate(input.run.startedAt);
  const waivers = input.redactedProfile.waivers;
  // The runner already applied check waivers before journaling; applying again is a no-op there and
  // makes the report a function of (profile, results) alone.
  const results = input.results.map((r) => applyCheckWaiver(r, waivers, today));
  const inScope = input.catalog.inScope(componentType, input.targetSecurityLevel);
  const requirements = inScope.map((req) => {
    const aggregated = aggregateRequirement(req, results);
    if (aggregated.status !== 'fail' && aggregated.status !== 'inconclusive') return aggregated;
    const w = requirementWaiverFor(req.id, offendingResults(req.id, results), waivers, today);
    if (!w) return aggregated;
    const terms = waiverTerms(w);
    return {
      ...aggregated,
      status: 'waived' as const,
      originalStatus: aggregated.status,
      waiver: terms,
      reason: waivedReason(terms, aggregated.reason),
      manualEvidence: aggregated.manualEvidence ?? req.auditorAsks,
    };
  });
  const achievedSecurityLevel = achievedLevels(input, requirements);
  const claims = evaluateClaims({
    claims: input.redactedProfile.claims,
    results,
    targetSecurityLevel: input.targetSecurityLevel,
    achievedSecurityLevel,
    levelBlockers: levelBlockers(input, requirements, achievedSecurityLevel),
  });
  const checks = countBy(results.map((r) => r.verdict), CHECK_VERDICTS);
  const reqCounts = countBy(requirements.map((r) => r.status), REQUIREMENT_STATUSES);
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: input.tool,
    catalog: { version: input.catalog.version, sha256: input.catalog.sha256 },
    knowledgeBase: input.knowledgeBase,
    run: input.run,
    ...(input.signer ? { signer: input.signer } : {}),
    device: { declared: input.redactedProfile.device, observed: input.observedDevice },
    componentType,
    targetSecurityLevel: input.targetSecurityLevel,
    profile: input.redactedProfile,
    summary: {
      checks,
      requirements: reqCounts,
      exitCode: input.exitCodeFor(requirements, input.run.interrupted),
    },
    checks: results,
    requirements,
    achievedSecurityLevel,
    waivers: waiverLedger(waivers, results, requirements, today),
    claims,
  };
}

/**
 * Status of one requirement from the checks that name it:
 * any fail → fail; else any error → inconclusive; else any skipped → not-run; else any waived → waived
 * (it is met only thanks to a countermeasure, even if other checks passed); all pass (or pass and
 * not-applicable) → pass; all not-applicable → not-applicable; none → manual.
 */
export function aggregateRequirement(req: Requirement, results: CheckResult[]): RequirementResult {
  const behind = results.filter((r) => r.requirements.includes(req.id));
  const base = {
    id: req.id,
    title: req.title,
    fr: req.fr,
    kind: req.kind,
    testability: req.testability,
    checks: behind.map(checkRef),
  };
  const by = (v: CheckVerdict) => behind.filter((r) => r.verdict === v);
  const names = (rs: CheckResult[]) => rs.map((r) => r.id).join(', ');
  const partlyNote = req.testability === 'partly' ? req.auditorAsks : undefined;

  if (behind.length === 0) {
    return {
      ...base,
      status: 'manual',
      reason:
        req.testability === 'documentary'
          ? 'Cannot be tested from the network; it needs documentary evidence.'
          : 'No automated check covers this requirement yet; it needs documentary or manual evidence.',
      manualEvidence: req.auditorAsks,
    };
  }
  if (by('fail').length > 0) {
    return { ...base, status: 'fail', reason: `Failed by ${names(by('fail'))}.`, manualEvidence: partlyNote };
  }
  if (by('error').length > 0) {
    return {
      ...base,
      status: 'inconclusive',
      reason: `${names(by('error'))} ended without a conclusion.`,
      manualEvidence: partlyNote,
    };
  }
  if (by('skipped').length > 0) {
    return {
      ...base,
      status: 'not-run',
      reason: `${names(by('skipped'))} did not run (see the check's reason), so the evidence is incomplete.`,
      manualEvidence: req.auditorAsks,
    };
  }
  const waived = by('waived');
  if (waived.length > 0) {
    const passed = by('pass').length > 0 ? `; passed by ${names(by('pass'))}` : '';
    const originalStatus = waived.some((r) => r.originalVerdict === 'fail')
      ? 'fail'
      : waived.some((r) => r.originalVerdict === 'error')
        ? 'inconclusive'
        : undefined;
    return {
      ...base,
      status: 'waived',
      ...(originalStatus ? { originalStatus } : {}),
      reason: `Waived by compensating countermeasure: ${waived.map(withCountermeasure).join(', ')}${passed}.`,
      manualEvidence: req.auditorAsks,
    };
  }
  if (by('pass').length > 0) {
    return {
      ...base,
      status: 'pass',
      reason:
        req.testability === 'partly'
          ? `Passed by ${names(by('pass'))}; the network test covers part of it, the rest needs documents.`
          : `Passed by ${names(by('pass'))}.`,
      manualEvidence: partlyNote,
    };
  }
  return {
    ...base,
    status: 'not-applicable',
    reason: `Every check behind it was not applicable: ${behind.map((r) => r.reason).join(' ')}`,
  };
}

function withCountermeasure(r: CheckResult): string {
  return r.waiver ? `${checkRef(r)} (${r.waiver.countermeasure})` : checkRef(r);
}

const SATISFIED: ReadonlySet<RequirementStatus> = new Set(['pass', 'not-applicable', 'waived']);

/**
 * For each FR, the highest level L (capped at the target, since higher levels were not evaluated) such
 * that every automatable requirement of that FR that applies at some level ≤ L is satisfied.
 * "Automatable" means: some loaded check covers it. Manual requirements do not count either way.
 */
function achievedLevels(input: ReportInput, evaluated: RequirementResult[]): Record<FrId, number> {
  const componentType = input.redactedProfile.componentType;
  const statusOf = new Map(evaluated.map((r) => [r.id, r.status]));
  const out = {} as Record<FrId, number>;
  for (const fr of input.catalog.frs) {
    let achieved = 0;
    for (let level = 1; level <= input.targetSecurityLevel; level++) {
      const needed = input.catalog
        .inScope(componentType, level as SecurityLevel)
        .filter((r) => r.fr === fr.id && input.automatedRequirementIds.has(r.id));
      const ok = needed.every((r) => SATISFIED.has(statusOf.get(r.id) ?? 'not-run'));
      if (!ok) break;
      achieved = level;
    }
    out[fr.id] = achieved;
  }
  return out;
}

/** Per FR, the automatable requirements at the level just above the achieved one that are not satisfied. */
function levelBlockers(
  input: ReportInput,
  evaluated: RequirementResult[],
  achieved: Record<FrId, number>,
): Record<FrId, LevelBlocker[]> {
  const byId = new Map(evaluated.map((r) => [r.id, r]));
  const out = {} as Record<FrId, LevelBlocker[]>;
  for (const fr of input.catalog.frs) {
    const level = achieved[fr.id] + 1;
    out[fr.id] =
      level > input.targetSecurityLevel
        ? []
        : input.catalog
            .inScope(input.redactedProfile.componentType, level as SecurityLevel)
            .filter((r) => r.fr === fr.id && input.automatedRequirementIds.has(r.id))
            .map((r) => byId.get(r.id))
            .filter((r): r is RequirementResult => r !== undefined && !SATISFIED.has(r.status))
            .map((r) => ({ id: r.id, status: r.status }));
  }
  return out;
}

function countBy<K extends string>(values: K[], keys: readonly K[]): Record<K, number> {
  const out = Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;
  for (const v of values) out[v] += 1;
  return out;
}
