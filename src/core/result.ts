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
}
