// One check's result on one target: the record the journal, the report and every reporter share.
import type { Finding } from '../knowledge/index.js';
import type { CheckVerdict, Protocol, SafetyClass, SecurityLevel } from './outcomes.js';
import type { Measurement } from './testcase.js';

export interface StepRecord {
  name: string;
  ok: boolean;
  durationMs: number;
  error?: string;
}

/** What a waiver (a compensating countermeasure from the profile) says, copied onto what it waived. */
export interface WaiverTerms {
  countermeasure: string;
  justification: string;
  reference?: string;
  /** YYYY-MM-DD; valid through that day (UTC). */
  expires: string;
}

export interface CheckResult {
  id: string;
  title: string;
  target: string;
  protocol: Protocol;
  requirements: string[];
  safety: SafetyClass;
  minSecurityLevel: SecurityLevel;
  verdict: CheckVerdict;
  reason: string;
  startedAt: string;
  durationMs: number;
  steps: StepRecord[];
  measurements: Record<string, Measurement>;
  findings: Finding[];
  /** Paths relative to the run directory. */
  evidence: string[];
  /** Set when verdict is 'waived': what the check concluded before the waiver. */
  originalVerdict?: 'fail' | 'error';
  /** Set when verdict is 'waived': the countermeasure that covers the finding. */
  waiver?: WaiverTerms;
}

/** How reports name one result: the check id, with its target when it has one. */
export function checkRef(r: Pick<CheckResult, 'id' | 'target'>): string {
  return r.target === '-' ? r.id : `${r.id} @ ${r.target}`;
}
