// Requirements grouped by foundational requirement, each linking to the checks behind it, and the checklist
// of documentary evidence an auditor still has to collect.
import type { Report, RequirementResult } from '../../core/report.js';
import type { Anchors } from './anchors.js';
import { statusBadge } from './badges.js';
import { anchorId, html, type Markup } from './markup.js';

/** The IEC 62443 foundational requirements' names (the report carries only their ids). */
const FR_NAMES: Record<string, string> = {
  FR1: 'Identification and authentication control',
  FR2: 'Use control',
  FR3: 'System integrity',
  FR4: 'Data confidentiality',
  FR5: 'Restricted data flow',
  FR6: 'Timely response to events',
  FR7: 'Resource availability',
};

function frIds(report: Report): string[] {
  const ids = new Set<string>(Object.keys(report.achievedSecurityLevel));
  for (const r of report.requirements) ids.add(r.fr);
  return [...ids];
}

function requirementRow(r: RequirementResult, anchors: Anchors): Markup {
  const checks = r.checks.length === 0 ? html`<span class="muted">no automated check</span>` : html`<ul class="links">${r.checks.map((ref) => html`<li>${anchors.link(ref)}</li>`)}</ul>`;
  const waiver = r.waiver
    ? html`<p class="waiver-note">Requirement waiver until ${r.waiver.expires}: ${r.waiver.countermeasure} (${r.waiver.justification}${r.waiver.reference ? `; ${r.waiver.reference}` : ''})</p>`
    : '';
  return html`<tr id="${anchors.id(r.id) ?? anchorId('req', r.id)}" class="req status-${r.status}" data-status="${r.status}">
<th scope="row">${r.id}</th><td class="title">${r.title}</td><td class="status">${statusBadge(r)}</td>
<td>${r.reason}${waiver}${r.manualEvidence ? html`<p class="needs"><strong>Evidence needed:</strong> ${r.manualEvidence}</p>` : ''}</td><td>${checks}</td></tr>`;
}

export function requirementsSection(report: Report, anchors: Anchors): Markup {
  const groups = frIds(report).map((fr) => {
    const reqs = report.requirements.filter((r) => r.fr === fr);
    const achieved = report.achievedSecurityLevel[fr as keyof Report['achievedSecurityLevel']];
    return html`<section class="fr" id="${anchorId('fr', fr)}">
<h3>${fr} ${FR_NAMES[fr] ?? ''} <span class="fr-level">achieved SL-C ${achieved ?? '–'} of ${report.targetSecurityLevel}</span></h3>
${reqs.length === 0 ? html`<p class="muted">No requirement of ${fr} is in scope.</p>` : html`<table class="requirements"><thead><tr><th scope="col">Requirement</th><th scope="col">Title</th><th scope="col">Status</th><th scope="col">Why</th><th scope="col">Checks</th></tr></thead>
<tbody>${reqs.map((r) => requirementRow(r, anchors))}</tbody></table>`}
</section>`;
  });
  return html`<section id="requirements" aria-labelledby="requirements-title"><h2 id="requirements-title">Requirements by foundational requirement</h2>
<p>Every requirement in scope for component type ${report.componentType} at SL-C ${report.targetSecurityLevel}, with its status and the checks behind it.</p>
${groups}</section>`;
}

/** Why each requirement still needs documents, in the order an auditor works through them. */
const NEED_GROUPS: Array<{ title: string; matches: (r: RequirementResult) => boolean }> = [
  { title: 'No automated check covers these (status manual)', matches: (r) => r.status === 'manual' },
  { title: 'Their checks did not run, so the automated evidence is incomplete (status not-run)', matches: (r) => r.status === 'not-run' },
  { title: 'Tested only in part, or met by a countermeasure: the rest needs documents', matches: (r) => r.status !== 'manual' && r.status !== 'not-run' },
];

export function manualChecklistSection(report: Report, anchors: Anchors): Markup {
  const needed = report.requirements.filter((r) => r.manualEvidence || r.status === 'manual' || r.status === 'not-run');
  const groups = NEED_GROUPS.map((g) => {
    const items = needed.filter(g.matches);
    if (items.length === 0) return '';
    return html`<h3>${g.title} (${items.length})</h3><ul class="checklist">${items.map(
      (r) => html`<li data-status="${r.status}"><span class="box" aria-hidden="true">☐</span> ${anchors.link(r.id)} ${statusBadge(r)} <span class="req-title">${r.title}</span>: ${r.manualEvidence ?? r.reason}</li>`,
    )}</ul>`;
  });
  return html`<section id="manual-evidence" aria-labelledby="manual-title"><h2 id="manual-title">Evidence the auditor still needs (${needed.length})</h2>
${needed.length === 0 ? html`<p>Nothing: every requirement in scope was decided by automated checks alone.</p>` : html`<p>Ask the supplier for the following; tick each item once its evidence is on file.</p>${groups}`}
</section>`;
}
