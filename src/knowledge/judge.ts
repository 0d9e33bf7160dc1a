// Turns graded findings into a verdict for one security level. Pure: thresholds come from the caller
// (the knowledge base's grading.yaml), so a stricter SL changes the verdict without a code change.
import type { SecurityLevel } from '../core/outcomes.js';
import { ORDERED_GRADES, type Finding, type Grade, type Judgement, type KnownGrade } from './types.js';

/** 0 = broken … 3 = strong. */
export function gradeRank(grade: KnownGrade): number {
  return ORDERED_GRADES.indexOf(grade);
}

/** Whether a grade reaches the minimum; undefined for `unknown`, which is never a pass. */
export function meetsMinimum(grade: Grade, minimum: KnownGrade): boolean | undefined {
  return grade === 'unknown' ? undefined : gradeRank(grade) >= gradeRank(minimum);
}

const MAX_NAMED = 3;

function describe(f: Finding): string {
  return `${f.subject} "${f.value}" (${f.grade})`;
}

function nameSome(findings: readonly Finding[]): string {
  const named = findings.slice(0, MAX_NAMED).map(describe).join(', ');
  const rest = findings.length - MAX_NAMED;
  return rest > 0 ? `${named} and ${rest} more` : named;
}

/** Worst first; the sort is stable so equal grades keep the caller's order. */
function byGrade(findings: readonly Finding[]): Finding[] {
  const rank = (f: Finding) => (f.grade === 'unknown' ? -1 : gradeRank(f.grade));
  return [...findings].sort((a, b) => rank(a) - rank(b));
}

export function judgeFindings(findings: readonly Finding[], sl: SecurityLevel, minimum: KnownGrade): Judgement {
  const failing = byGrade(findings.filter((f) => meetsMinimum(f.grade, minimum) === false));
  const unknown = findings.filter((f) => f.grade === 'unknown');
  const bar = `SL ${sl} (needs ${minimum === 'strong' ? 'strong' : `${minimum} or better`})`;

  if (failing.length > 0) {
    const tail = unknown.length > 0 ? `; ${unknown.length} more could not be graded` : '';
    return { verdict: 'fail', failing, unknown, reason: `Fails ${bar}: ${nameSome(failing)}${tail}.` };
  }
  if (unknown.length > 0) {
    return {
      verdict: 'error',
      failing,
      unknown,
      reason: `Inconclusive at ${bar}: ${nameSome(unknown)} not in the knowledge base, though nothing graded falls below the minimum.`,
    };
  }
  if (findings.length === 0) {
    // Nothing observed is no evidence of conformance: never a silent pass.
    return { verdict: 'error', failing, unknown, reason: `Inconclusive at ${bar}: there were no findings to judge.` };
  }
  const weakest = byGrade(findings)[0]!;
  return {
    verdict: 'pass',
    failing,
    unknown,
    reason: `Meets ${bar}: all ${findings.length} finding(s) pass, the weakest being ${describe(weakest)}.`,
  };
}
