// Waivers: compensating countermeasures the profile declares (IEC 62443-3-3 / 4-2 allow a requirement to be
// met by a documented countermeasure). A waiver never hides a finding: the waived result keeps what it
// originally concluded, and an expired waiver is not applied at all but flagged, so a lapsed risk decision
// shows up as the failure it is.
import type { Waiver } from '../profiles/schema.js';
import { checkRef, type CheckResult, type WaiverTerms } from './result.js';

export type WaiverStatus = 'applied' | 'unused' | 'expired';

/** One profile waiver as the report lists it: what it says, whether it took effect, and on what. */
export type WaiverRecord = Waiver & {
  status: WaiverStatus;
  /** Check refs ("id @ target") for check waivers, requirement ids for requirement waivers. */
  appliedTo: string[];
};

/** The UTC calendar day (YYYY-MM-DD) of an instant: the day a run is judged on. */
export function utcDate(at: Date | string): string {
  return new Date(at).toISOString().slice(0, 10);
}

/** A waiver is valid through its expiry day; ISO dates compare correctly as strings. */
export function isExpired(w: Pick<Waiver, 'expires'>, today: string): boolean {
  return w.expires < today;
}

export function waiverTerms(w: Waiver): WaiverTerms {
  return {
    countermeasure: w.countermeasure,
    justification: w.justification,
    ...(w.reference !== undefined ? { reference: w.reference } : {}),
    expires: w.expires,
  };
}

/** The reason of anything waived: the countermeasure first, then what was found, unchanged. */
export function waivedReason(terms: WaiverTerms, original: string): string {
  return `Waived until ${terms.expires} (${terms.countermeasure}): ${original}`;
}

/** The first unexpired check waiver naming this result's check, and its target when the waiver gives one. */
export function checkWaiverFor(result: Pick<CheckResult, 'id' | 'target'>, waivers: readonly Waiver[], today: string): Waiver | undefined {
  return waivers.find(
    (w) => w.check === result.id && (w.target === undefined || w.target === result.target) && !isExpired(w, today),
  );
}

/**
 * A failed or inconclusive result covered by a live check waiver becomes 'waived', keeping its original
 * verdict; anything else (a pass above all) is returned unchanged. Idempotent.
 */
export function applyCheckWaiver(result: CheckResult, waivers: readonly Waiver[], today: string): CheckResult {
  if (result.verdict !== 'fail' && result.verdict !== 'error') return result;
  const w = checkWaiverFor(result, waivers, today);
  if (!w) return result;
  const terms = waiverTerms(w);
  return { ...result, verdict: 'waived', originalVerdict: result.verdict, waiver: terms, reason: waivedReason(terms, result.reason) };
}

/** The results that make a requirement fail or inconclusive. */
export function offendingResults(requirementId: string, results: readonly CheckResult[]): CheckResult[] {
  return results.filter((r) => r.requirements.includes(requirementId) && (r.verdict === 'fail' || r.verdict === 'error'));
}

/**
 * The first unexpired requirement waiver for this requirement. A waiver with a target covers the
 * requirement only when every offending result is on that target: a countermeasure in front of one
 * service says nothing about another.
 */
export function requirementWaiverFor(
  requirementId: string,
  offending: readonly CheckResult[],
  waivers: readonly Waiver[],
  today: string,
): Waiver | undefined {
  return waivers.find(
    (w) =>
      w.requirement === requirementId &&
      !isExpired(w, today) &&
      (w.target === undefined || offending.every((r) => r.target === w.target)),
  );
}

/** Every profile waiver with its status; which waiver applied is re-derived by the same first-match rule. */
export function waiverLedger(
  waivers: readonly Waiver[],
  results: readonly CheckResult[],
  requirements: readonly { id: string; waiver?: WaiverTerms }[],
  today: string,
): WaiverRecord[] {
  return waivers.map((w) => {
    if (isExpired(w, today)) return { ...w, status: 'expired', appliedTo: [] };
    const appliedTo =
      w.check !== undefined
        ? results.filter((r) => r.originalVerdict !== undefined && checkWaiverFor(r, waivers, today) === w).map(checkRef)
        : requirements
            .filter((r) => r.waiver !== undefined && requirementWaiverFor(r.id, offendingResults(r.id, results), waivers, today) === w)
            .map((r) => r.id);
    return { ...w, status: appliedTo.length > 0 ? 'applied' : 'unused', appliedTo };
  });
}

/** How a waiver is named in messages: its scope and target. */
export function waiverScope(w: Waiver): string {
  const scope = w.check !== undefined ? `check ${w.check}` : `requirement ${w.requirement ?? '?'}`;
  return w.target !== undefined ? `${scope} @ ${w.target}` : scope;
}
