// The diff for a terminal: one section per kind of difference, names and verdicts in aligned columns, and
// under each check its changed findings, measurements and identities as +/-/~ lines. Empty sections are left out.
import { changeSubject, changeValue, MAX_CHANGES_SHOWN, runLine, SIGN, verdictSentence } from './describe.js';
import type { Change, Presence, RunDiff, VerdictChange } from './types.js';

export function renderText(d: RunDiff, exitCode: number): string {
  const out: string[] = [];
  const runs: Array<[string, RunDiff['old']]> = [['old', d.old], ['new', d.new], ...(d.baseline ? [['baseline', d.baseline] as [string, RunDiff['old']]] : [])];
  out.push('otconform diff');
  const w = Math.max(...runs.map(([label]) => label.length));
  for (const [label, r] of runs) out.push(`  ${label.padEnd(w)}  ${r.dir}`, `  ${''.padEnd(w)}  ${runLine(r)}`);
  for (const note of d.notes) out.push(`  note: ${note}`);

  verdictSection(out, 'New failures', d.newFailures);
  verdictSection(out, 'Newly inconclusive', d.newlyInconclusive);
  verdictSection(out, 'Fixes', d.fixes);
  verdictSection(out, 'Other verdict changes', d.otherVerdictChanges);

  if (d.drift.length > 0) {
    out.push('', `Evidence drift, same verdict (${d.drift.length})`);
    const width = Math.max(...d.drift.map((x) => x.ref.length));
    for (const x of d.drift) {
      out.push(`  ${x.ref.padEnd(width)}  ${x.verdict}`);
      changeLines(out, x.changes);
    }
  }
  presenceSection(out, 'Checks added', d.added);
  presenceSection(out, 'Checks removed', d.removed);

  if (d.requirementChanges.length > 0) {
    out.push('', `Requirement status changes (${d.requirementChanges.length})`);
    const width = Math.max(...d.requirementChanges.map((r) => r.id.length));
    const from = Math.max(...d.requirementChanges.map((r) => r.old.length));
    for (const r of d.requirementChanges) out.push(`  ${r.id.padEnd(width)}  ${r.old.padEnd(from)} → ${r.new}  ${r.title}`.trimEnd());
  }
  if (d.suppressedByBaseline.newFailures.length + d.suppressedByBaseline.newlyInconclusive.length > 0) {
    out.push('', 'Already in the baseline (not counted as new)');
    for (const ref of d.suppressedByBaseline.newFailures) out.push(`  ${ref}  fail`);
    for (const ref of d.suppressedByBaseline.newlyInconclusive) out.push(`  ${ref}  error`);
  }
  const nothing = [d.newFailures, d.newlyInconclusive, d.fixes, d.otherVerdictChanges, d.drift, d.added, d.removed, d.requirementChanges].every((s) => s.length === 0);
  out.push('', nothing ? 'No differences.' : '', verdictSentence(d, exitCode));
  return `${out.filter((line, i, all) => !(line === '' && all[i - 1] === '')).join('\n')}\n`;
}

function verdictSection(out: string[], title: string, items: VerdictChange[]): void {
  if (items.length === 0) return;
  out.push('', `${title} (${items.length})`);
  const width = Math.max(...items.map((x) => x.ref.length));
  const from = Math.max(...items.map((x) => x.old.length));
  for (const x of items) {
    out.push(`  ${x.ref.padEnd(width)}  ${x.old.padEnd(from)} → ${x.new}`);
    out.push(`      ${x.reason}`);
    changeLines(out, x.changes);
  }
}

function presenceSection(out: string[], title: string, items: Presence[]): void {
  if (items.length === 0) return;
  out.push('', `${title} (${items.length})`);
  const width = Math.max(...items.map((x) => x.ref.length));
  for (const x of items) out.push(`  ${x.ref.padEnd(width)}  ${x.verdict}`);
}

const MAX_SUBJECT_COLUMN = 24;

function changeLines(out: string[], changes: Change[]): void {
  const shown = changes.slice(0, MAX_CHANGES_SHOWN);
  // Pad subjects to a common column, but a long one (a chain certificate's) must not push every value off screen.
  const width = Math.min(MAX_SUBJECT_COLUMN, Math.max(0, ...shown.map((c) => changeSubject(c).length)));
  for (const c of shown) out.push(`      ${SIGN[c.change]} ${changeSubject(c).padEnd(width)}  ${changeValue(c)}`);
  if (changes.length > shown.length) out.push(`      … and ${changes.length - shown.length} more (--format json lists them all)`);
}
