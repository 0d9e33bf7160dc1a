// One article per check result: verdict and reason first, then what an auditor needs to retrace it:
// waiver, graded findings, measurements (with charts for load checks), steps with timings, evidence files.
import type { Report } from '../../core/report.js';
import { checkRef, type CheckResult } from '../../core/result.js';
import type { Anchors } from './anchors.js';
import { gradeBadge, verdictBadge } from './badges.js';
import { loadCharts } from './charts.js';
import { anchorId, evidenceHref, html, type Markup } from './markup.js';

function ms(n: number): string {
  return n >= 10_000 ? `${(n / 1000).toFixed(1)} s` : `${Math.round(n)} ms`;
}

function waiverBox(c: CheckResult): Markup | '' {
  if (!c.waiver) return '';
  const w = c.waiver;
  return html`<div class="waiver-box"><strong>Waived</strong>${c.originalVerdict ? html` — the check's own verdict was <strong>${c.originalVerdict.toUpperCase()}</strong>` : ''}.
<dl class="facts"><dt>Countermeasure</dt><dd>${w.countermeasure}</dd><dt>Justification</dt><dd>${w.justification}</dd>${w.reference ? html`<dt>Reference</dt><dd>${w.reference}</dd>` : ''}<dt>Expires</dt><dd>${w.expires}</dd></dl></div>`;
}

function findings(c: CheckResult): Markup | '' {
  if (c.findings.length === 0) return '';
  return html`<h4>Findings (${c.findings.length})</h4><table class="findings"><thead><tr><th scope="col">Subject</th><th scope="col">Value</th><th scope="col">Grade</th><th scope="col">Why</th><th scope="col">Source</th></tr></thead>
<tbody>${c.findings.map((f) => html`<tr class="grade-${f.grade}"><td>${f.subject}</td><td><code>${f.value}</code></td><td>${gradeBadge(f.grade)}</td><td>${f.reason}</td><td class="source">${f.source}</td></tr>`)}</tbody></table>`;
}

function measurements(c: CheckResult, report: Report): Markup | '' {
  const entries = Object.entries(c.measurements);
  if (entries.length === 0) return '';
  return html`<h4>Measurements</h4>${loadCharts(c, report.profile) ?? ''}<table class="measurements"><tbody>${entries.map(
    ([name, m]) => html`<tr><th scope="row">${name}</th><td>${String(m.value)}${m.unit ? ` ${m.unit}` : ''}</td></tr>`,
  )}</tbody></table>`;
}

function steps(c: CheckResult): Markup | '' {
  if (c.steps.length === 0) return '';
  return html`<h4>Steps</h4><table class="steps"><thead><tr><th scope="col">Step</th><th scope="col">Result</th><th scope="col">Time</th></tr></thead>
<tbody>${c.steps.map((s) => html`<tr><td>${s.name}${s.error ? html`<div class="step-error">${s.error}</div>` : ''}</td><td>${s.ok ? 'done' : html`<strong>failed</strong>`}</td><td class="num">${ms(s.durationMs)}</td></tr>`)}</tbody></table>`;
}

function evidence(c: CheckResult): Markup {
  if (c.evidence.length === 0) return html`<h4>Evidence</h4><p class="muted">This check kept no evidence files.</p>`;
  return html`<h4>Evidence</h4><ul class="evidence">${c.evidence.map((path) => {
    const href = evidenceHref(path);
    return html`<li>${href ? html`<a class="evidence-link" href="${href}">${path}</a>` : html`<code>${path}</code>`}</li>`;
  })}</ul>`;
}

function checkArticle(c: CheckResult, report: Report, anchors: Anchors): Markup {
  const ref = checkRef(c);
  return html`<article class="check verdict-${c.verdict}" id="${anchors.id(ref) ?? anchorId('check', ref)}" data-verdict="${c.verdict}">
<h3><span class="check-id">${c.id}</span>${c.target !== '-' ? html` <span class="at">@ ${c.target}</span>` : ''} ${verdictBadge(c)}</h3>
<p class="check-title">${c.title}</p>
<p class="reason"><strong>Reason:</strong> <span class="reason-text">${c.reason}</span></p>
<dl class="facts meta"><dt>Target</dt><dd>${c.target} (${c.protocol})</dd><dt>Requirements</dt><dd>${c.requirements.map((id, i) => html`${i > 0 ? ', ' : ''}${anchors.link(id)}`)}</dd>
<dt>Safety class</dt><dd>${c.safety}</dd><dt>From SL-C</dt><dd>${c.minSecurityLevel}</dd><dt>Started</dt><dd><time datetime="${c.startedAt}">${c.startedAt}</time>, took ${ms(c.durationMs)}</dd></dl>
${waiverBox(c)}${findings(c)}${measurements(c, report)}${steps(c)}${evidence(c)}
</article>`;
}

export function checksSection(report: Report, anchors: Anchors): Markup {
  return html`<section id="checks" aria-labelledby="checks-title"><h2 id="checks-title">Checks (${report.checks.length})</h2>
<p>Evidence links are relative to this file: they open offline as long as report.html stays in its run directory.</p>
${report.checks.length === 0 ? html`<p class="muted">No check ran.</p>` : report.checks.map((c) => checkArticle(c, report, anchors))}
</section>`;
}
