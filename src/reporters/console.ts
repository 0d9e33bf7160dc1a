// What a person sees in the terminal: one line per finished check, then a summary table.
import type { Report } from '../core/report.js';
import type { CheckResult } from '../core/result.js';
import { waiverScope } from '../core/waivers.js';

const SYMBOL: Record<CheckResult['verdict'], string> = {
  pass: 'PASS',
  fail: 'FAIL',
  error: 'ERR ',
  'not-applicable': 'N/A ',
  skipped: 'SKIP',
  waived: 'WAIV',
};

const COLOR: Record<CheckResult['verdict'], number> = {
  pass: 32,
  fail: 31,
  error: 33,
  'not-applicable': 90,
  skipped: 90,
  waived: 36,
};

export function progressLine(result: CheckResult, index: number, total: number, color: boolean): string {
  const n = String(index + 1).padStart(String(total).length);
  const label = paint(SYMBOL[result.verdict], COLOR[result.verdict], color);
  const time = result.durationMs > 0 ? ` (${(result.durationMs / 1000).toFixed(1)} s)` : '';
  return `[${n}/${total}] ${label} ${result.id}${time}: ${result.reason}`;
}

export function summaryTable(report: Report, runDir: string, color = false): string {
  const c = report.summary.checks;
  const r = report.summary.requirements;
  const frs = Object.entries(report.achievedSecurityLevel)
    .map(([fr, level]) => `${fr}:${level}`)
    .join(' ');
  const rows: [string, string][] = [
    ['device', `${report.device.declared.vendor} ${report.device.declared.model} (${report.componentType}, target SL-C ${report.targetSecurityLevel})`],
    ['checks', `${c.pass} pass, ${c.fail} fail, ${c.error} error, ${c['not-applicable']} n/a, ${c.skipped} skipped, ${c.waived} waived`],
    [
      'requirements',
      `${r.pass} pass, ${r.fail} fail, ${r.inconclusive} inconclusive, ${r['not-run']} not-run, ${r.manual} manual, ${r['not-applicable']} n/a, ${r.waived} waived`,
    ],
    ['achieved SL-C', frs],
    ...waiverRow(report),
    ...claimsRow(report),
    ['report', runDir],
    ['exit code', String(report.summary.exitCode)],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  const table = rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`);
  return [...table, ...expiredWarnings(report, color)].join('\n');
}

function waiverRow(report: Report): [string, string][] {
  if (report.waivers.length === 0) return [];
  const n = (status: string) => report.waivers.filter((w) => w.status === status).length;
  return [['waivers', `${n('applied')} applied, ${n('unused')} unused, ${n('expired')} expired`]];
}

/** Contradicted claims are counted here and listed in report.md; they change no verdict and not the exit code. */
function claimsRow(report: Report): [string, string][] {
  const claims = report.claims ?? [];
  if (claims.length === 0) return [];
  const n = (status: string) => claims.filter((c) => c.status === status).length;
  return [['claims', `${n('contradicted')} contradicted, ${n('consistent')} consistent, ${n('not-measured')} not measured (see report.md)`]];
}

/** One line per expired waiver: a lapsed risk decision must be noticed, not just counted. */
function expiredWarnings(report: Report, color: boolean): string[] {
  return report.waivers
    .filter((w) => w.status === 'expired')
    .map(
      (w) =>
        `  ${paint('warning:', 33, color)} the waiver for ${waiverScope(w)} expired on ${w.expires} and was not applied (${w.countermeasure})`,
    );
}

export function paint(text: string, code: number, color: boolean): string {
  return color ? `\x1b[${code}m${text}\x1b[0m` : text;
}
