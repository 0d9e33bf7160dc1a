// Inline SVG charts: the achieved SL-C per FR against the target, and a load check's steps (longest
// heartbeat gap and recovery time against their tolerances). Every bar also carries its number as text.
import type { Report } from '../../core/report.js';
import type { CheckResult } from '../../core/result.js';
import type { Profile } from '../../profiles/schema.js';
import { html, type Markup } from './markup.js';

export function frChart(report: Report): Markup {
  const entries = Object.entries(report.achievedSecurityLevel);
  const target = report.targetSecurityLevel;
  const barW = 44;
  const gap = 18;
  const left = 34;
  const top = 14;
  const plotH = 128;
  const width = left + entries.length * (barW + gap) + 80;
  const height = top + plotH + 34;
  const y = (level: number) => top + plotH - (level / 4) * plotH;
  const gridLines = [0, 1, 2, 3, 4].map(
    (l) => html`<line class="grid" x1="${left}" x2="${width - 80}" y1="${y(l)}" y2="${y(l)}"/><text class="axis" x="${left - 8}" y="${y(l) + 4}" text-anchor="end">${l}</text>`,
  );
  const bars = entries.map(([fr, level], i) => {
    const x = left + gap / 2 + i * (barW + gap);
    const met = level >= target;
    const h = Math.max(level, 0) * (plotH / 4);
    return html`<g class="${met ? 'bar-met' : 'bar-short'}"><title>${fr}: achieved SL-C ${level} of target ${target}</title>
<rect x="${x}" y="${y(level)}" width="${barW}" height="${h}"/>
<text class="value" x="${x + barW / 2}" y="${y(level) - 4}" text-anchor="middle">${level}</text>
<text class="axis" x="${x + barW / 2}" y="${top + plotH + 16}" text-anchor="middle">${fr}</text>
<text class="axis mark" x="${x + barW / 2}" y="${top + plotH + 29}" text-anchor="middle">${met ? '✓' : '✗'}</text></g>`;
  });
  const label = entries.map(([fr, l]) => `${fr} ${l}`).join(', ');
  return html`<svg class="chart fr-chart" role="img" aria-label="${`Achieved SL-C per FR (target ${target}): ${label}`}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" xmlns="http://www.w3.org/2000/svg">
<title>Achieved SL-C per foundational requirement; dashed line: target SL-C ${target}</title>
${gridLines}${bars}
<line class="target" x1="${left}" x2="${width - 80}" y1="${y(target)}" y2="${y(target)}"/>
<text class="target-label" x="${width - 76}" y="${y(target) + 4}">target ${target}</text>
</svg>`;
}

/** One load step as the DoS checks measure it (testcases/dos/_support.ts: "step<n> <label>.<name>"). */
export interface LoadStep {
  label: string;
  longestGapMs?: number;
  recoveryMs?: number | 'not recovered';
}

const STEP_MEASUREMENT = /^step(\d+) (.*)\.(longestGapMs|recoveryMs)$/;

export function loadSteps(measurements: CheckResult['measurements']): LoadStep[] {
  const steps = new Map<number, LoadStep>();
  for (const [name, m] of Object.entries(measurements)) {
    const match = STEP_MEASUREMENT.exec(name);
    if (!match) continue;
    const n = Number(match[1]);
    const step = steps.get(n) ?? { label: `step${n} ${match[2]!}` };
    if (match[3] === 'longestGapMs' && typeof m.value === 'number') step.longestGapMs = m.value;
    if (match[3] === 'recoveryMs') step.recoveryMs = typeof m.value === 'number' ? m.value : 'not recovered';
    steps.set(n, step);
  }
  return [...steps.entries()].sort(([a], [b]) => a - b).map(([, s]) => s);
}

/**
 * The tolerances the load checks judged against, from the profile the same way they derive them
 * (testcases/dos/_support.ts thresholds(): maxGapMs defaults to twice the first essential function's
 * mustChangeWithinMs, or 2 s without one).
 */
export function loadTolerances(profile: Profile): { maxGapMs: number; maxRecoveryMs: number } {
  const dos = profile.safety.dos;
  const fallback = profile.essentialFunctions[0]?.mustChangeWithinMs ?? 1000;
  return { maxGapMs: dos.maxGapMs ?? 2 * fallback, maxRecoveryMs: dos.maxRecoveryMs };
}

interface Row {
  label: string;
  value: number | 'not recovered' | undefined;
}

/** Horizontal bars for one metric with its tolerance as a dashed line; a bar over it is marked in words too. */
function barPanel(title: string, rows: Row[], tolerance: number): Markup {
  const labelW = 190;
  const barMax = 300;
  const rowH = 22;
  // Room for the title, then the tolerance label on a line of its own.
  const top = 36;
  const width = labelW + barMax + 150;
  const height = top + rows.length * rowH + 8;
  const numbers = rows.map((r) => (typeof r.value === 'number' ? r.value : 0));
  const scale = barMax / Math.max(tolerance * 1.25, ...numbers, 1);
  const tolX = labelW + tolerance * scale;
  const bars = rows.map((r, i) => {
    const y = top + i * rowH;
    const missing = r.value === undefined;
    const over = r.value === 'not recovered' || (typeof r.value === 'number' && r.value > tolerance);
    const w = r.value === 'not recovered' ? barMax : typeof r.value === 'number' ? Math.max(r.value * scale, 1) : 0;
    const text = missing ? 'not measured' : r.value === 'not recovered' ? 'not recovered ✗' : `${r.value} ms${over ? ' ✗ over' : ''}`;
    return html`<text class="axis" x="${labelW - 8}" y="${y + 14}" text-anchor="end">${r.label}</text>
<rect class="${over ? 'bar-short' : 'bar-met'}" x="${labelW}" y="${y + 3}" width="${w}" height="${rowH - 8}"><title>${r.label}: ${text}</title></rect>
<text class="value" x="${labelW + w + 6}" y="${y + 14}">${text}</text>`;
  });
  return html`<svg class="chart load-chart" role="img" aria-label="${`${title}, tolerance ${tolerance} ms`}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" xmlns="http://www.w3.org/2000/svg">
<text class="chart-title" x="0" y="14">${title}</text>
${bars}
<line class="target" x1="${tolX}" x2="${tolX}" y1="${top - 4}" y2="${height - 4}"/>
<text class="target-label" x="${tolX + 4}" y="${top - 6}">tolerance ${tolerance} ms</text>
</svg>`;
}

/** The load check's charts, or nothing when the check wrote no per-step measurements. */
export function loadCharts(check: CheckResult, profile: Profile): Markup | undefined {
  const steps = loadSteps(check.measurements);
  if (steps.length === 0) return undefined;
  const limits = loadTolerances(profile);
  const baseline = check.measurements['baseline.longestGapMs']?.value;
  const gapRows: Row[] = [
    ...(typeof baseline === 'number' ? [{ label: 'baseline (no load)', value: baseline }] : []),
    ...steps.map((s) => ({ label: s.label, value: s.longestGapMs })),
  ];
  return html`<div class="load-charts">${barPanel('Longest heartbeat gap per step', gapRows, limits.maxGapMs)}${barPanel(
    'Recovery after each step',
    steps.map((s) => ({ label: s.label, value: s.recoveryMs })),
    limits.maxRecoveryMs,
  )}</div>`;
}
