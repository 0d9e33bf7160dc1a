// The shape of a diff between two runs (and optionally an accepted baseline). `otconform diff --format json`
// prints exactly this object; DIFF_FORMAT_VERSION changes whenever a field changes meaning or goes away.
import type { CheckVerdict, RequirementStatus } from '../core/outcomes.js';
import type { Grade } from '../knowledge/types.js';

export const DIFF_FORMAT_VERSION = 1;

/** A verdict, or 'absent' when the run has no result for that check @ target. */
export type VerdictOrAbsent = CheckVerdict | 'absent';

/** What one side of a change looked like. */
export interface Observed {
  /** The finding's value, the measurement's value, or "serial …, sha256 …" of a certificate / the host key's fingerprint. */
  value: string;
  /** Findings only. */
  grade?: Grade;
  /** Measurements only, when the check gave one. */
  unit?: string;
  /** Certificates and host keys: the full SHA-256 fingerprint. */
  fingerprint?: string;
  /** Certificates: the serial number. */
  serial?: string;
}

/**
 * One difference inside one check's result.
 * finding: a graded observation (subject + value + grade) from report.json;
 * measurement: a named value from report.json (timings and rates are left out: they differ on every run);
 * certificate / host-key: an identity read from the check's evidence files (fingerprint, serial).
 */
export interface Change {
  kind: 'certificate' | 'host-key' | 'finding' | 'measurement';
  change: 'added' | 'removed' | 'changed';
  /** Finding subject, measurement name, or "certificate <subject DN>" / "SSH host key <type and size>". */
  subject: string;
  old?: Observed;
  new?: Observed;
}

interface CheckIdentity {
  check: string;
  target: string;
  /** How reports name it: "check @ target" (or just the check when it has no target). */
  ref: string;
}

/** A check @ target whose verdict differs between the runs (or that exists in only one of them). */
export interface VerdictChange extends CheckIdentity {
  old: VerdictOrAbsent;
  new: VerdictOrAbsent;
  /** The new run's one-sentence reason (the old run's when the check is gone). */
  reason: string;
  requirements: string[];
  /** What changed in its findings, measurements and identities, old → new (never filtered by the baseline). */
  changes: Change[];
}

/** A check @ target with the same verdict in both runs whose evidence changed. */
export interface Drift extends CheckIdentity {
  verdict: CheckVerdict;
  changes: Change[];
}

/** A check @ target present in one run only. */
export interface Presence extends CheckIdentity {
  verdict: CheckVerdict;
}

export interface RequirementChange {
  id: string;
  title: string;
  old: RequirementStatus | 'absent';
  new: RequirementStatus | 'absent';
}

export interface RunSummary {
  /** The run directory as given on the command line. */
  dir: string;
  runId: string;
  startedAt: string;
  interrupted: boolean;
  device: { vendor: string; model: string; firmware: string };
  componentType: string;
  targetSecurityLevel: number;
  toolVersion: string;
  knowledgeBaseVersion: string;
  /** The run's own exit code (0 pass, 1 a requirement failed, …). */
  exitCode: number;
}

export interface RunDiff {
  format: 'otconform-diff';
  formatVersion: typeof DIFF_FORMAT_VERSION;
  old: RunSummary;
  new: RunSummary;
  baseline: RunSummary | null;
  /** True when there is a new failure or a newly inconclusive result: the command then exits 1. */
  regression: boolean;
  /** Sentences that qualify the comparison (a different target SL, knowledge base, an interrupted run). */
  notes: string[];
  /** Now fail; before pass, not-applicable, skipped, waived, error or absent. */
  newFailures: VerdictChange[];
  /** Now error (no conclusion); before anything else. */
  newlyInconclusive: VerdictChange[];
  /** Before fail or error; now pass. */
  fixes: VerdictChange[];
  /** Every other verdict change between results present in both runs (e.g. pass → skipped, fail → waived). */
  otherVerdictChanges: VerdictChange[];
  /** Same verdict, different findings, measurements or identities. */
  drift: Drift[];
  added: Presence[];
  removed: Presence[];
  requirementChanges: RequirementChange[];
  /** What the baseline held back (empty without --baseline). */
  suppressedByBaseline: { newFailures: string[]; newlyInconclusive: string[]; driftChanges: number };
}
