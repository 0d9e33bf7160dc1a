// The diff of two runs (old → new), optionally against an accepted baseline run. Pure: it works on Report
// objects, and asks each run for the identities (certificates, host keys) its evidence names only for the
// results it compares.
//
// Verdicts are compared per check @ target:
//   new failure        now fail; before anything else (pass, not-applicable, skipped, waived, error, absent)
//   newly inconclusive now error; before anything else
//   fix                before fail or error; now pass
//   other change       any other verdict change between results present in both runs
// The baseline holds back what it already had: a failure counts as new only if that check @ target did not
// fail in the baseline either (newly inconclusive: was not error there), and a drift line is shown only if
// the new run's state of that finding, measurement or identity differs from the baseline's too. A check the
// baseline lacks holds nothing back. Fixes, added/removed checks and requirement changes are always shown.
import type { CheckVerdict } from '../core/outcomes.js';
import type { Report } from '../core/report.js';
import { checkRef, type CheckResult } from '../core/result.js';
import { baselineHas, itemChanges, itemsOf, toChanges, type Identity, type ItemMap } from './compare-results.js';
import {
  DIFF_FORMAT_VERSION,
  type Drift,
  type Presence,
  type RequirementChange,
  type RunDiff,
  type RunSummary,
  type VerdictChange,
  type VerdictOrAbsent,
} from './types.js';

export interface RunInput {
  dir: string;
  report: Report;
  /** The certificates and host keys a result's evidence names; leave out to compare report.json alone. */
  identities?(result: CheckResult): Identity[];
}

export interface DiffInput {
  old: RunInput;
  new: RunInput;
  baseline?: RunInput;
}

export function diffRuns(input: DiffInput): RunDiff {
  const oldBy = byRef(input.old.report);
  const newBy = byRef(input.new.report);
  const baseBy = input.baseline ? byRef(input.baseline.report) : undefined;
  const itemCache = new Map<CheckResult, ItemMap>();
  const items = (side: RunInput, r: CheckResult): ItemMap => {
    let m = itemCache.get(r);
    if (!m) itemCache.set(r, (m = itemsOf(r, side.identities?.(r) ?? [])));
    return m;
  };

  const out: RunDiff = {
    format: 'otconform-diff',
    formatVersion: DIFF_FORMAT_VERSION,
    old: summary(input.old),
    new: summary(input.new),
    baseline: input.baseline ? summary(input.baseline) : null,
    regression: false,
    notes: notes(input),
    newFailures: [],
    newlyInconclusive: [],
    fixes: [],
    otherVerdictChanges: [],
    drift: [],
    added: [],
    removed: [],
    requirementChanges: requirementChanges(input.old.report, input.new.report),
    suppressedByBaseline: { newFailures: [], newlyInconclusive: [], driftChanges: 0 },
  };

  const refs = [...new Set([...oldBy.keys(), ...newBy.keys()])].sort();
  for (const ref of refs) {
    const o = oldBy.get(ref);
    const n = newBy.get(ref);
    const b = baseBy?.get(ref);
    const was: VerdictOrAbsent = o?.verdict ?? 'absent';
    const now: VerdictOrAbsent = n?.verdict ?? 'absent';
    const changesOldToNew = () => (o && n ? toChanges(itemChanges(items(input.old, o), items(input.new, n))) : []);
    const verdictChange = (): VerdictChange => {
      const r = (n ?? o)!;
      return { check: r.id, target: r.target, ref, old: was, new: now, reason: r.reason, requirements: r.requirements, changes: changesOldToNew() };
    };

    if (now === 'fail' && was !== 'fail') {
      if (b?.verdict === 'fail') out.suppressedByBaseline.newFailures.push(ref);
      else out.newFailures.push(verdictChange());
    } else if (now === 'error' && was !== 'error') {
      if (b?.verdict === 'error') out.suppressedByBaseline.newlyInconclusive.push(ref);
      else out.newlyInconclusive.push(verdictChange());
    }
    if (!o) {
      out.added.push(presence(n!));
      continue;
    }
    if (!n) {
      out.removed.push(presence(o));
      continue;
    }
    if (was !== now) {
      if (now === 'pass' && (was === 'fail' || was === 'error')) out.fixes.push(verdictChange());
      else if (now !== 'fail' && now !== 'error') out.otherVerdictChanges.push(verdictChange());
      continue;
    }
    // Same verdict: evidence drift, less what the baseline already had.
    let atomic = itemChanges(items(input.old, o), items(input.new, n));
    if (b && input.baseline) {
      const baseItems = items(input.baseline, b);
      const kept = atomic.filter((c) => !baselineHas(c, baseItems));
      out.suppressedByBaseline.driftChanges += atomic.length - kept.length;
      atomic = kept;
    }
    if (atomic.length > 0) out.drift.push({ check: n.id, target: n.target, ref, verdict: n.verdict, changes: toChanges(atomic) } satisfies Drift);
  }
  out.regression = out.newFailures.length > 0 || out.newlyInconclusive.length > 0;
  return out;
}

function byRef(report: Report): Map<string, CheckResult> {
  const m = new Map<string, CheckResult>();
  for (const r of report.checks) if (!m.has(checkRef(r))) m.set(checkRef(r), r);
  return m;
}

function presence(r: CheckResult): Presence {
  return { check: r.id, target: r.target, ref: checkRef(r), verdict: r.verdict as CheckVerdict };
}

function requirementChanges(o: Report, n: Report): RequirementChange[] {
  const oldBy = new Map(o.requirements.map((r) => [r.id, r]));
  const newBy = new Map(n.requirements.map((r) => [r.id, r]));
  const out: RequirementChange[] = [];
  // Catalog order (the new run's, then anything only the old one had).
  const ids = [...new Set([...newBy.keys(), ...oldBy.keys()])];
  for (const id of ids) {
    const a = oldBy.get(id);
    const b = newBy.get(id);
    if (a && b && a.status === b.status) continue;
    out.push({ id, title: (b ?? a)!.title ?? '', old: a?.status ?? 'absent', new: b?.status ?? 'absent' });
  }
  return out;
}

function summary(side: RunInput): RunSummary {
  const r = side.report;
  const declared = (r.device?.declared ?? {}) as Partial<RunSummary['device']>;
  return {
    dir: side.dir,
    runId: r.run?.id ?? '',
    startedAt: r.run?.startedAt ?? '',
    interrupted: r.run?.interrupted === true,
    device: { vendor: declared.vendor ?? '', model: declared.model ?? '', firmware: declared.firmware ?? '' },
    componentType: r.componentType ?? '',
    targetSecurityLevel: r.targetSecurityLevel ?? 0,
    toolVersion: r.tool?.version ?? '',
    knowledgeBaseVersion: r.knowledgeBase?.version ?? '',
    exitCode: r.summary?.exitCode ?? -1,
  };
}

/** What makes the comparison less than like for like; said once, above the differences. */
function notes(input: DiffInput): string[] {
  const out: string[] = [];
  const runs: Array<[string, RunInput]> = [['old', input.old], ['new', input.new], ...(input.baseline ? [['baseline', input.baseline] as [string, RunInput]] : [])];
  const differs = (label: string, get: (r: Report) => unknown, why: string) => {
    const values = runs.map(([, s]) => String(get(s.report) ?? '?'));
    if (new Set(values).size > 1) out.push(`${label} differs (${runs.map(([name], i) => `${name} ${values[i]}`).join(', ')}): ${why}`);
  };
  differs('The target SL-C', (r) => r.targetSecurityLevel, 'grades turn into verdicts per SL, so verdicts may differ for that reason alone.');
  differs('The component type', (r) => r.componentType, 'requirements in scope differ.');
  differs('The knowledge base', (r) => `${r.knowledgeBase?.version} (${r.knowledgeBase?.sha256?.slice(0, 12)})`, 'a grade may have changed because the knowledge did, not the device.');
  for (const [name, s] of runs) {
    if (s.report.run?.interrupted) out.push(`The ${name} run was interrupted: checks it did not reach show as missing.`);
  }
  return out;
}
