// Words shared by the text and Markdown renderings of a diff, so both say the same thing.
import type { Change, Observed, RunDiff, RunSummary } from './types.js';

/** Change lines shown per check before "… and N more" (the JSON has them all). */
export const MAX_CHANGES_SHOWN = 12;

export const SIGN: Record<Change['change'], string> = { added: '+', removed: '-', changed: '~' };

/** "TLS_RSA_WITH_AES_128_CBC_SHA (weak)", "RSA 2048", "256 bits". */
export function observed(o: Observed | undefined): string {
  if (!o) return '';
  if (o.grade) return `${o.value} (${o.grade})`;
  return o.unit ? `${o.value} ${o.unit}` : o.value;
}

/** The value part of a change line: "new", "old", or "old → new" (just the grades when only they moved). */
export function changeValue(c: Change): string {
  if (c.change === 'added') return observed(c.new);
  if (c.change === 'removed') return observed(c.old);
  if (c.old && c.new && c.old.value === c.new.value && c.old.grade !== c.new.grade) return `${c.new.value}: ${c.old.grade} → ${c.new.grade}`;
  return `${observed(c.old)} → ${observed(c.new)}`;
}

/** The subject part: findings by their subject; measurements and identities say what they are. */
export function changeSubject(c: Change): string {
  return c.kind === 'measurement' ? `measured ${c.subject}` : c.subject;
}

export function runLine(r: RunSummary): string {
  const device = [r.device.vendor, r.device.model].filter(Boolean).join(' ');
  return [
    `run ${r.runId || '?'}`,
    r.startedAt ? `started ${r.startedAt}` : '',
    `${device || 'device ?'} firmware ${r.device.firmware || '?'}`,
    `${r.componentType} SL-C ${r.targetSecurityLevel}`,
    `otconform ${r.toolVersion}`,
    `exit ${r.exitCode}`,
  ]
    .filter(Boolean)
    .join(', ');
}

/** One sentence: what the diff found and how the command ends. */
export function verdictSentence(d: RunDiff, exitCode: number): string {
  const n = (count: number, one: string, many = `${one}s`) => `${count} ${count === 1 ? one : many}`;
  const parts = [
    n(d.newFailures.length, 'new failure'),
    `${d.newlyInconclusive.length} newly inconclusive`,
    n(d.fixes.length, 'fix', 'fixes'),
    `${n(d.drift.length, 'check')} with evidence drift`,
    `${d.added.length} added`,
    `${d.removed.length} removed`,
  ];
  const held = d.suppressedByBaseline.newFailures.length + d.suppressedByBaseline.newlyInconclusive.length;
  const baseline = d.baseline ? `; the baseline already had ${n(held, 'verdict change')} and ${n(d.suppressedByBaseline.driftChanges, 'drift line')}` : '';
  return `${parts.join(', ')}${baseline}. ${d.regression ? 'Regression' : 'No regression'} (exit ${exitCode}).`;
}
