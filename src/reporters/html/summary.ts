// The summary at the top of report.html: who was tested, against what, with what outcome, by which tool.
import type { Report } from '../../core/report.js';
import { checkRef } from '../../core/result.js';
import { CHECK_VERDICTS, REQUIREMENT_STATUSES } from '../../core/outcomes.js';
import { waiverScope } from '../../core/waivers.js';
import { claimBadge, statusCountBadge, verdictBadge, verdictCountBadge, waiverBadge } from './badges.js';
import { frChart } from './charts.js';
import { anchorId, html, type Markup } from './markup.js';
import type { Anchors } from './anchors.js';

export function deviceName(report: Report): string {
  const d = report.device.declared;
  return [d.vendor, d.model, d.firmware].filter(Boolean).join(' ');
}

function outcomeSentence(report: Report): string {
  if (report.run.interrupted) return 'The run was interrupted; the report covers what finished.';
  switch (report.summary.exitCode) {
    case 0:
      return `No requirement fails at target SL-C ${report.targetSecurityLevel}.`;
    case 1:
      return `At least one requirement fails at target SL-C ${report.targetSecurityLevel}.`;
    default:
      return `The run ended with exit code ${report.summary.exitCode}.`;
  }
}

function durationText(fromIso: string, toIso: string): string {
  const ms = Date.parse(toIso) - Date.parse(fromIso);
  return Number.isFinite(ms) ? `${(ms / 1000).toFixed(1)} s` : '';
}

function identity(report: Report): Markup {
  const d = report.device.declared;
  const declared = Object.entries(d).filter(([, v]) => v !== undefined && v !== '');
  const observed = Object.entries(report.device.observed);
  return html`<table class="identity"><thead><tr><th scope="col">Declared (profile)</th><th scope="col">Observed (what the device reported)</th></tr></thead>
<tbody><tr><td><dl>${declared.map(([k, v]) => html`<dt>${k}</dt><dd>${String(v)}</dd>`)}</dl></td>
<td>${observed.length === 0 ? html`<p class="muted">The device reported nothing about itself.</p>` : html`<dl>${observed.map(([k, v]) => html`<dt>${k}</dt><dd><code>${v}</code></dd>`)}</dl>`}</td></tr></tbody></table>`;
}

function counts(report: Report): Markup {
  const verdicts = CHECK_VERDICTS.map(
    (v) => html`<li class="${report.summary.checks[v] === 0 ? 'zero' : ''}"><span class="count">${report.summary.checks[v]}</span> ${verdictCountBadge(v)}</li>`,
  );
  const statuses = REQUIREMENT_STATUSES.map(
    (s) => html`<li class="${report.summary.requirements[s] === 0 ? 'zero' : ''}"><span class="count">${report.summary.requirements[s]}</span> ${statusCountBadge(s)}</li>`,
  );
  return html`<div class="counts"><div><h3>Check results (${report.checks.length})</h3><ul class="count-list" id="check-counts">${verdicts}</ul></div>
<div><h3>Requirements in scope (${report.requirements.length})</h3><ul class="count-list" id="requirement-counts">${statuses}</ul></div></div>`;
}

function provenance(report: Report): Markup {
  const run = report.run;
  return html`<dl class="facts" id="provenance">
<dt>Tool</dt><dd>${report.tool.name} ${report.tool.version}</dd>
<dt>Catalog</dt><dd>${report.catalog.version} <code class="hash">sha256 ${report.catalog.sha256}</code></dd>
<dt>Knowledge base</dt><dd>${report.knowledgeBase.version} <code class="hash">sha256 ${report.knowledgeBase.sha256}</code></dd>
<dt>Run</dt><dd><code>${run.id}</code> on ${run.host}</dd>
<dt>Started</dt><dd><time datetime="${run.startedAt}">${run.startedAt}</time></dd>
<dt>Finished</dt><dd><time datetime="${run.finishedAt}">${run.finishedAt}</time> (${durationText(run.startedAt, run.finishedAt)})${run.interrupted ? html` <strong>interrupted</strong>` : ''}</dd>
<dt>Disruptive checks</dt><dd>${run.allowDisruptive ? 'allowed on the command line' : 'not allowed (read-only run)'}</dd>
<dt>Signature</dt><dd id="signer">${
    report.signer
      ? html`${report.signer.algorithm} key <code>${report.signer.fingerprint}</code>: the bundle is signed (evidence/manifest.sig); check it with <code>otconform verify</code> and compare the fingerprint with the one the lab publishes.`
      : 'not signed'
  }</dd>
</dl>`;
}

function waivers(report: Report, anchors: Anchors): Markup {
  if (report.waivers.length === 0) return html`<p>The profile declares no waivers.</p>`;
  const expired = report.waivers.filter((w) => w.status === 'expired').length;
  const rows = report.waivers.map(
    (w) => html`<tr class="waiver-${w.status}"><td>${waiverScope(w)}</td><td>${waiverBadge(w.status)}</td><td>${w.countermeasure}</td><td>${w.justification}</td><td>${w.reference ?? ''}</td><td>${w.expires}</td>
<td>${w.appliedTo.length === 0 ? html`<span class="muted">nothing</span>` : w.appliedTo.map((ref, i) => html`${i > 0 ? ', ' : ''}${anchors.link(ref)}`)}</td></tr>`,
  );
  return html`${expired > 0 ? html`<p class="alert"><strong>${expired} waiver(s) expired before this run and were not applied; what they covered is reported as found.</strong></p>` : ''}
<table class="waivers"><thead><tr><th scope="col">Scope</th><th scope="col">Status</th><th scope="col">Countermeasure</th><th scope="col">Justification</th><th scope="col">Reference</th><th scope="col">Expires</th><th scope="col">Applied to</th></tr></thead>
<tbody>${rows}</tbody></table>`;
}

/** The supplier's claims beside what was measured; contradictions first, since they are what an auditor asks about. */
function claims(report: Report, anchors: Anchors): Markup {
  const list = report.claims ?? [];
  if (list.length === 0) return html`<p>The profile declares no claims.</p>`;
  const order = { contradicted: 0, 'not-measured': 1, consistent: 2 } as const;
  const rows = [...list]
    .sort((a, b) => order[a.status] - order[b.status])
    .map(
      (c) => html`<tr class="claim-${c.status}"><td><code>${c.claim}</code></td><td>${claimBadge(c.status)}</td><td>${c.claimed}</td><td>${c.measured}</td>
<td>${c.measuredBy && report.checks.some((r) => checkRef(r) === c.measuredBy) ? anchors.link(c.measuredBy) : (c.measuredBy ?? '')}</td><td>${c.reason}</td></tr>`,
    );
  const contradicted = list.filter((c) => c.status === 'contradicted').length;
  return html`${contradicted > 0 ? html`<p class="alert"><strong>${contradicted} claim(s) contradicted by the measurements.</strong> A contradiction changes no verdict; it is evidence for the auditor.</p>` : ''}
<table class="claims"><thead><tr><th scope="col">Claim</th><th scope="col">Status</th><th scope="col">Claimed</th><th scope="col">Measured</th><th scope="col">Measured by</th><th scope="col">Why</th></tr></thead>
<tbody>${rows}</tbody></table>`;
}

function checkIndex(report: Report, anchors: Anchors): Markup {
  const rows = report.checks.map(
    (c) => html`<tr><td>${anchors.link(checkRef(c))}</td><td>${c.requirements.map((id, i) => html`${i > 0 ? ', ' : ''}${anchors.link(id)}`)}</td><td>${verdictBadge(c)}</td></tr>`,
  );
  return html`<table class="check-index"><thead><tr><th scope="col">Check</th><th scope="col">Requirements</th><th scope="col">Verdict</th></tr></thead><tbody>${rows}</tbody></table>`;
}

export function summarySection(report: Report, anchors: Anchors): Markup {
  return html`<section id="summary" aria-labelledby="summary-title">
<h2 id="summary-title">Summary</h2>
<p class="outcome exit-${report.summary.exitCode}" id="outcome">${outcomeSentence(report)}</p>
<dl class="facts" id="scope">
<dt>Device</dt><dd id="device-name">${deviceName(report)}</dd>
<dt>Component type</dt><dd>${report.componentType}</dd>
<dt>Target</dt><dd id="target-sl">SL-C ${report.targetSecurityLevel}</dd>
<dt>Exit code</dt><dd>${report.summary.exitCode}</dd>
</dl>
<h3>Identity</h3>
${identity(report)}
<h3 id="${anchorId('sec', 'fr-chart')}">Achieved SL-C per foundational requirement</h3>
<figure class="fr-figure">${frChart(report)}
<figcaption>Each bar is the highest SL-C (up to the target) at which every automatable requirement of that FR is met; the dashed line is the target, SL-C ${report.targetSecurityLevel}. Manual requirements count neither way.</figcaption></figure>
${counts(report)}
<h3>Checks at a glance</h3>
${checkIndex(report, anchors)}
<h3 id="waivers">Waivers (compensating countermeasures)</h3>
${waivers(report, anchors)}
<h3 id="claims">Supplier claims</h3>
${claims(report, anchors)}
<h3>Tool, data and run</h3>
${provenance(report)}
</section>`;
}
