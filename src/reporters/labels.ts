// The words every human-readable reporter uses for a verdict or status, so report.md and report.html never
// disagree, and a waived result always says what it was (a reader must never mistake it for a pass).
import type { RequirementResult } from '../core/report.js';
import type { CheckResult } from '../core/result.js';

export function checkVerdictText(c: Pick<CheckResult, 'verdict' | 'originalVerdict'>): string {
  return c.verdict === 'waived' && c.originalVerdict ? `waived (was ${c.originalVerdict})` : c.verdict;
}

export function requirementStatusText(r: Pick<RequirementResult, 'status' | 'originalStatus'>): string {
  return r.status === 'waived' && r.originalStatus ? `waived (was ${r.originalStatus})` : r.status;
}
