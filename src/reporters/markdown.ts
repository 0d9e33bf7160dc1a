// report.md: the summary a person reads first: identity, verdict counts, the SL-C vector, failures and
// what still needs documents.
import type { Report, RequirementResult } from '../core/report.js';
import type { CheckResult } from '../core/result.js';
import { waiverScope } from '../core/waivers.js';

export function renderMarkdown(report: Report): string {
  const d = report.device.declared;
  const lines: string[] = [];
  lines.push(`# otconform report: ${d.vendor} ${d.model}${d.firmware ? ` ${d.firmware}` : ''}`);
  lines.push('');
  lines.push(`- Component type: ${report.componentType}; target SL-C ${report.targetSecurityLevel}`);
  lines.push(`- Run ${report.run.id}: ${report.run.startedAt} → ${report.run.finishedAt}${report.run.interrupted ? ' (interrupted)' : ''}`);
  lines.push(`- Tool ${report.tool.name} ${report.tool.version}; catalog ${report.catalog.version}; knowledge base ${report.knowledgeBase.version}`);
  if (report.signer) {
    lines.push(`- Signed: ${report.signer.algorithm} key ${report.signer.fingerprint} (evidence/manifest.sig; check with \`otconform verify\`)`);
  }
  const observed = Object.entries(report.device.observed);
  if (observed.length > 0) lines.push(`- Device reports: ${observed.map(([k, v]) => `${k} = ${v}`).join('; ')}`);
  lines.push(`- Exit code: ${report.summary.exitCode}`);
  lines.push('');
  lines.push('## Achieved SL-C per foundational requirement');
  lines.push('');
  lines.push(`| ${Object.keys(report.achievedSecurityLevel).join(' | ')} |`);
  lines.push(`|${Object.keys(report.achievedSecurityLevel).map(() => '---').join('|')}|`);
  lines.push(`| ${Object.values(report.achievedSecurityLevel).join(' | ')} |`);
  lines.push('');
  lines.push('## Checks');
  lines.push('');
  lines.push(countLine(report.summary.checks));
  lines.push('');
  lines.push('| Check | Target | Requirements | Safety | Verdict | Reason | Measured |');
  lines.push('|---|---|---|---|---|---|---|');
  for (const c of report.checks) {
    const measured = Object.entries(c.measurements)
      .map(([k, m]) => `${k} = ${String(m.value)}${m.unit ? ` ${m.unit}` : ''}`)
      .join('; ');
    lines.push(
      `| ${c.id} | ${cell(c.target)} | ${c.requirements.join(', ')} | ${c.safety} | **${checkVerdict(c)}** | ${cell(c.reason)} | ${cell(measured)} |`,
    );
  }
  lines.push('');
  lines.push('## Requirements');
  lines.push('');
  lines.push(countLine(report.summary.requirements));
  lines.push('');
  lines.push('| Requirement | Title | Status | Reason |');
  lines.push('|---|---|---|---|');
  for (const r of report.requirements) {
    lines.push(`| ${r.id} | ${cell(r.title)} | **${requirementStatus(r)}** | ${cell(r.reason)} |`);
  }
  lines.push('');
  lines.push(...waiverSection(report));
  const manual = report.requirements.filter((r) => r.manualEvidence);
  if (manual.length > 0) {
    lines.push('');
    lines.push('## Evidence the auditor still needs');
    lines.push('');
    for (const r of manual) lines.push(`- **${r.id}** (${r.status}): ${r.manualEvidence}`);
  }
  lines.push('');
  return lines.join('\n');
}

/** A waived result always shows what it was, so a reader never mistakes it for a pass. */
function checkVerdict(c: CheckResult): string {
  return c.verdict === 'waived' && c.originalVerdict ? `waived (was ${c.originalVerdict})` : c.verdict;
}

function requirementStatus(r: RequirementResult): string {
  return r.status === 'waived' && r.originalStatus ? `waived (was ${r.originalStatus})` : r.status;
}

const WAIVER_STATUS: Record<Report['waivers'][number]['status'], string> = {
  applied: 'applied',
  unused: 'unused (nothing it covers failed)',
  expired: '**EXPIRED: not applied**',
};

function waiverSection(report: Report): string[] {
  const lines = ['## Waivers (compensating countermeasures)', ''];
  if (report.waivers.length === 0) return [...lines, 'The profile declares no waivers.'];
  const expired = report.waivers.filter((w) => w.status === 'expired').length;
  if (expired > 0) {
    lines.push(`**${expired} waiver(s) expired before this run and were not applied; what they covered is reported as found.**`, '');
  }
  lines.push('| Scope | Countermeasure | Justification | Reference | Expires | Status | Applied to |');
  lines.push('|---|---|---|---|---|---|---|');
  for (const w of report.waivers) {
    lines.push(
      `| ${cell(waiverScope(w))} | ${cell(w.countermeasure)} | ${cell(w.justification)} | ${cell(w.reference ?? '')} | ${w.expires} | ${WAIVER_STATUS[w.status]} | ${cell(w.appliedTo.join(', '))} |`,
    );
  }
  return lines;
}

function countLine(counts: Record<string, number>): string {
  return Object.entries(counts)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${n} ${k}`)
    .join(', ');
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}
