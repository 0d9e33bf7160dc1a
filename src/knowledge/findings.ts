// Building findings: one graded observation from a data entry, or an honest "unknown" for what the data lacks.
import type { Finding, KnownGrade } from './types.js';

export function finding(subject: string, value: string, e: { grade: KnownGrade; reason: string; source: string }): Finding {
  return { subject, value, grade: e.grade, reason: e.reason, source: e.source };
}

export function unknownFinding(subject: string, value: string, what: string, version: string, reason?: string): Finding {
  return {
    subject,
    value,
    grade: 'unknown',
    reason: reason ?? `${what} "${value}" is not in the knowledge base, so it cannot be graded and must be reviewed by hand.`,
    source: `otconform knowledge base ${version}`,
  };
}
