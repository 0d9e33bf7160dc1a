// `otconform diff <old-run> <new-run> [--baseline <run>] [--format text|json|markdown]`: what changed between
// two runs of the same device. Exit 1 on a new failure or a newly inconclusive result, 0 otherwise, 2 on bad input.
import { checkSchemaVersions, diffExitCode, diffRuns, loadRun, renderJson, renderMarkdown, renderText } from '../diff/index.js';

export const DIFF_FORMATS = ['text', 'json', 'markdown'] as const;

export const DIFF_HELP = `
Compares the report.json of two run directories, check @ target by check @ target:
  new failures        now fail; before pass, not-applicable, skipped, waived, error, or absent
  newly inconclusive  now error (no conclusion); before anything else
  fixes               before fail or error; now pass
  other changes       any other verdict change (e.g. pass -> skipped, fail -> waived)
  evidence drift      same verdict, but findings (subject, value, grade), measurements, or the certificates
                      and SSH host keys named in the evidence changed; timings, rates and a certificate's
                      "days left" are not compared
  added / removed     checks present in one run only (an added check that fails is a new failure too)
  requirements        requirement statuses that changed

--baseline <run> holds back what an accepted baseline already had: a failure counts as new only if that
check @ target did not fail in the baseline run either (newly inconclusive: was not error there), and a drift
line is shown only if the new run differs from the baseline in that finding, measurement or identity too.
A check the baseline lacks holds nothing back. Fixes, added/removed checks and requirement changes are always shown.

--format json prints one object, {format: "otconform-diff", formatVersion: 1, old, new, baseline, regression,
notes, newFailures, newlyInconclusive, fixes, otherVerdictChanges, drift, added, removed, requirementChanges,
suppressedByBaseline}; src/diff/types.ts documents every field. --format markdown suits a pull-request comment.

Exit codes: 0 no new failure and nothing newly inconclusive; 1 a new failure or a newly inconclusive result;
2 a run directory is missing, has no readable report.json, or the runs' schema versions differ.`;

export async function diffCommand(
  oldDir: string,
  newDir: string,
  opts: { baseline?: string; format: (typeof DIFF_FORMATS)[number] },
): Promise<void> {
  const old = loadRun(oldDir);
  const next = loadRun(newDir);
  const baseline = opts.baseline ? loadRun(opts.baseline) : undefined;
  checkSchemaVersions([old, next, ...(baseline ? [baseline] : [])]);
  const diff = diffRuns({ old, new: next, ...(baseline ? { baseline } : {}) });
  const exitCode = diffExitCode(diff);
  const text = opts.format === 'json' ? renderJson(diff) : opts.format === 'markdown' ? renderMarkdown(diff, exitCode) : renderText(diff, exitCode);
  process.stdout.write(text);
  process.exitCode = exitCode;
}
