// report.html: one self-contained page (inline CSS and SVG, no scripts, no fetches) rendered from the report
// alone, for reading in a browser or printing. Everything the device said is escaped (see html/markup.ts) and
// a Content-Security-Policy forbids scripts and every load, as a second line of defence.
import type { Report } from '../core/report.js';
import { buildAnchors } from './html/anchors.js';
import { checksSection } from './html/checks.js';
import { html, Markup } from './html/markup.js';
import { manualChecklistSection, requirementsSection } from './html/requirements.js';
import { STYLES } from './html/styles.js';
import { deviceName, summarySection } from './html/summary.js';

const CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'";

export function renderHtml(report: Report): string {
  const anchors = buildAnchors(report);
  const name = deviceName(report);
  const page = html`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>otconform report: ${name}</title>
<style>${new Markup(STYLES)}</style>
</head>
<body>
<header class="top"><h1>otconform report: <span id="title-device">${name}</span></h1>
<p class="subtitle">IEC 62443-4-2, ${report.componentType}, target SL-C ${report.targetSecurityLevel} · run ${report.run.id}</p></header>
<nav class="toc" aria-label="Contents"><ul><li><a href="#summary">Summary</a></li><li><a href="#waivers">Waivers</a></li><li><a href="#requirements">Requirements</a></li><li><a href="#manual-evidence">Evidence still needed</a></li><li><a href="#checks">Checks</a></li></ul></nav>
<main>
${summarySection(report, anchors)}
${requirementsSection(report, anchors)}
${manualChecklistSection(report, anchors)}
${checksSection(report, anchors)}
<details class="profile"><summary>The profile as loaded (secrets redacted; also in report.json)</summary><pre>${JSON.stringify(report.profile, null, 2)}</pre></details>
</main>
<footer>Rendered from report.json (schema version ${report.schemaVersion}) by ${report.tool.name} ${report.tool.version}. <a href="report.json">report.json</a> is the canonical record; <a href="evidence/manifest.json">evidence/manifest.json</a> hashes every file of this run directory.</footer>
</body>
</html>
`;
  return page.value;
}
