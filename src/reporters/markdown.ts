// report.md: the summary a person reads first: identity, verdict counts, the SL-C vector, failures and
// what still needs documents.
import type { ClaimResult } from '../core/claims.js';
import type { Report } from '../core/report.js';
import { waiverScope } from '../core/waivers.js';
import { checkVerdictText as checkVerdict, requirementStatusText as requirementStatus } from './labels.js';

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
  lines.push(...claimsSection(report));
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

const CLAIM_STATUS: Record<ClaimResult['status'], string> = {
  consistent: 'consistent',
  contradicted: '**CONTRADICTED**',
  'not-measured': 'not measured',
};

/** The supplier's claims beside the measurements; contradictions first, since they are what the auditor needs. */
function claimsSection(report: Report): string[] {
  const claims = report.claims ?? [];
  if (claims.length === 0) return [];
  const lines = ['', '## Claims (what the supplier declares, compared with what was measured)', ''];
  const contradicted = claims.filter((c) => c.status === 'contradicted');
  lines.push(
    contradicted.length > 0
      ? `**${contradicted.length} claim result(s) contradicted by the measurements.** A contradiction changes no verdict and not the exit code; it is evidence for the auditor.`
      : 'No claim is contradicted by the measurements. Claims never change a verdict or the exit code.',
    '',
  );
  lines.push('| Claim | Claimed | Measured | Status | Measured by | Reason |');
  lines.push('|---|---|---|---|---|---|');
  const order = (c: ClaimResult) => (c.status === 'contradicted' ? 0 : c.status === 'not-measured' ? 1 : 2);
  for (const c of [...claims].sort((a, b) => order(a) - order(b))) {
    lines.push(
      `| ${c.claim} | ${cell(c.claimed)} | ${cell(c.measured)} | ${CLAIM_STATUS[c.status]} | ${cell(c.measuredBy ?? '-')} | ${cell(c.reason)} |`,
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
