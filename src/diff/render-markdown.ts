// The diff as Markdown, for a pull-request or merge-request comment: a headline, a table per verdict
// section, drift as nested lists, requirement changes as a table. Text from the reports is escaped.
import { changeSubject, changeValue, MAX_CHANGES_SHOWN, runLine, SIGN, verdictSentence } from './describe.js';
import type { Change, Presence, RunDiff, VerdictChange } from './types.js';

export function renderMarkdown(d: RunDiff, exitCode: number): string {
  const out: string[] = [];
  out.push(`## otconform diff: ${d.regression ? '❌ regression' : '✅ no regression'}`, '', verdictSentence(d, exitCode), '');
  out.push(`- **old**: \`${code(d.old.dir)}\`: ${esc(runLine(d.old))}`);
  out.push(`- **new**: \`${code(d.new.dir)}\`: ${esc(runLine(d.new))}`);
  if (d.baseline) out.push(`- **baseline**: \`${code(d.baseline.dir)}\`: ${esc(runLine(d.baseline))}`);
  for (const note of d.notes) out.push(`- _${esc(note)}_`);

  verdictSection(out, 'New failures', d.newFailures);
  verdictSection(out, 'Newly inconclusive', d.newlyInconclusive);
  verdictSection(out, 'Fixes', d.fixes);
  verdictSection(out, 'Other verdict changes', d.otherVerdictChanges);

  if (d.drift.length > 0) {
    out.push('', `### Evidence drift, same verdict (${d.drift.length})`, '');
    for (const x of d.drift) {
      out.push(`- \`${code(x.ref)}\` (${x.verdict})`);
      changeList(out, x.changes);
    }
  }
  presenceSection(out, 'Checks added', d.added);
  presenceSection(out, 'Checks removed', d.removed);

  if (d.requirementChanges.length > 0) {
    out.push('', `### Requirement status changes (${d.requirementChanges.length})`, '', '| requirement | was | now | title |', '|---|---|---|---|');
    for (const r of d.requirementChanges) out.push(`| ${esc(r.id)} | ${r.old} | ${r.new} | ${esc(r.title)} |`);
  }
  const held = [...d.suppressedByBaseline.newFailures, ...d.suppressedByBaseline.newlyInconclusive];
  if (held.length > 0) out.push('', `<details><summary>Already in the baseline (${held.length})</summary>`, '', ...held.map((ref) => `- \`${code(ref)}\``), '', '</details>');
  return `${out.join('\n')}\n`;
}

function verdictSection(out: string[], title: string, items: VerdictChange[]): void {
  if (items.length === 0) return;
  out.push('', `### ${title} (${items.length})`, '', '| check | target | was | now | reason |', '|---|---|---|---|---|');
  for (const x of items) out.push(`| \`${code(x.check)}\` | ${esc(x.target)} | ${x.old} | **${x.new}** | ${esc(x.reason)} |`);
  const detailed = items.filter((x) => x.changes.length > 0);
  if (detailed.length === 0) return;
  out.push('', '<details><summary>What changed in their evidence</summary>', '');
  for (const x of detailed) {
    out.push(`- \`${code(x.ref)}\``);
    changeList(out, x.changes);
  }
  out.push('', '</details>');
}

function presenceSection(out: string[], title: string, items: Presence[]): void {
  if (items.length === 0) return;
  out.push('', `### ${title} (${items.length})`, '', '| check | target | verdict |', '|---|---|---|');
  for (const x of items) out.push(`| \`${code(x.check)}\` | ${esc(x.target)} | ${x.verdict} |`);
}

function changeList(out: string[], changes: Change[]): void {
  for (const c of changes.slice(0, MAX_CHANGES_SHOWN)) out.push(`  - \`${SIGN[c.change]}\` ${esc(changeSubject(c))}: ${esc(changeValue(c))}`);
  if (changes.length > MAX_CHANGES_SHOWN) out.push(`  - … and ${changes.length - MAX_CHANGES_SHOWN} more`);
}

/** Table cells and list items: no pipes, no line breaks, no stray emphasis, links or HTML (GFM leaves intraword _ alone). */
function esc(text: string): string {
  return text.replace(/\r?\n/g, ' ').replace(/([\\|*`<>[\]])/g, '\\$1');
}

/** Inside backticks only a backtick would end the span. */
function code(text: string): string {
  return text.replace(/`/g, "'");
}
