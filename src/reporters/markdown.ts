// report.md: the summary a person reads first: identity, verdict counts, the SL-C vector, failures and
// what still needs documents.
import type { Report } from '../core/report.js';

export function renderMarkdown(report: Report): string {
  const d = report.device.declared;
  const lines: string[] = [];
  lines.push(`# otconform report: ${d.vendor} ${d.model}${d.firmware ? ` ${d.firmware}` : ''}`);
  lines.push('');
  lines.push(`- Component type: ${report.componentType}; target SL-C ${report.targetSecurityLevel}`);
  lines.push(`- Run ${report.run.id}: ${report.run.startedAt} → ${report.run.finishedAt}${report.run.interrupted ? ' (interrupted)' : ''}`);
  lines.push(`- Tool ${report.tool.name} ${report.tool.version}; catalog ${report.catalog.version}; knowledge base ${report.knowledgeBase.version}`);
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
      `| ${c.id} | ${cell(c.target)} | ${c.requirements.join(', ')} | ${c.safety} | **${c.verdict}** | ${cell(c.reason)} | ${cell(measured)} |`,
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
    lines.push(`| ${r.id} | ${cell(r.title)} | **${r.status}** | ${cell(r.reason)} |`);
  }
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

function countLine(counts: Record<string, number>): string {
  return Object.entries(counts)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${n} ${k}`)
    .join(', ');
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}
