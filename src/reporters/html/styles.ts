// report.html's only stylesheet, inline so the file works offline and alone. Colours always come with a
// symbol and a word (see badges.ts); print keeps them (print-color-adjust) and lays pages out sensibly.
export const STYLES = `
:root { --fg: #1f2328; --muted: #656d76; --line: #d0d7de; --bg-soft: #f6f8fa; --accent: #0969da; }
* { box-sizing: border-box; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; color: var(--fg); margin: 0; }
main, header.top, nav.toc, footer { max-width: 1200px; margin: 0 auto; padding: 0 24px; }
header.top { padding-top: 20px; }
h1 { font-size: 1.6em; margin: 0 0 4px; }
h2 { font-size: 1.3em; border-bottom: 2px solid var(--line); padding-bottom: 4px; margin-top: 36px; }
h3 { font-size: 1.08em; margin: 22px 0 8px; }
h4 { font-size: .95em; margin: 14px 0 6px; color: var(--muted); text-transform: uppercase; letter-spacing: .03em; }
a { color: var(--accent); }
code { font: .88em/1.3 ui-monospace, "DejaVu Sans Mono", monospace; overflow-wrap: anywhere; }
code.hash { color: var(--muted); font-size: .78em; }
.muted, .zero { color: var(--muted); }
.subtitle { color: var(--muted); margin: 0; }
nav.toc ul { list-style: none; display: flex; flex-wrap: wrap; gap: 6px 18px; padding: 8px 0; margin: 0; border-bottom: 1px solid var(--line); }
table { border-collapse: collapse; width: 100%; margin: 6px 0 12px; }
th, td { border: 1px solid var(--line); padding: 5px 8px; text-align: left; vertical-align: top; overflow-wrap: break-word; }
thead th { background: var(--bg-soft); font-size: .9em; }
td.num { text-align: right; white-space: nowrap; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 14px; margin: 8px 0; }
dl.facts dt { font-weight: 600; }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }
table.identity dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 10px; margin: 0; }
table.identity dt { font-weight: 600; }
table.identity dd { margin: 0; }
.outcome { font-size: 1.1em; font-weight: 600; padding: 8px 12px; border-left: 6px solid #1a7f37; background: #dafbe1; }
.outcome:not(.exit-0) { border-color: #b42318; background: #fee4e2; }
.alert { border-left: 6px solid #b42318; background: #fee4e2; padding: 6px 10px; }
.badge { display: inline-block; white-space: nowrap; font-size: .82em; font-weight: 700; padding: 1px 8px; border-radius: 10px; border: 1px solid; }
.tone-pass { color: #116329; background: #dafbe1; border-color: #1a7f37; }
.tone-fail { color: #a40e26; background: #fee4e2; border-color: #b42318; }
.tone-inconclusive { color: #7a4d00; background: #fff3c4; border-color: #bf8700; }
.tone-not-run { color: #424a53; background: #eaeef2; border-color: #6e7781; border-style: dashed; }
.tone-waived { color: #5a32a3; background: #efe5ff; border-color: #8250df; }
.tone-manual { color: #0b4f9c; background: #ddf0ff; border-color: #218bff; }
.tone-not-applicable { color: #57606a; background: #f6f8fa; border-color: #afb8c1; }
.tone-weak { color: #953800; background: #fff1e5; border-color: #e16f24; }
.tone-acceptable { color: #0b4f9c; background: #f1f8ff; border-color: #54aeff; }
ul.count-list { list-style: none; padding: 0; margin: 0; display: flex; flex-wrap: wrap; gap: 6px 16px; }
ul.count-list .count { font-weight: 700; font-variant-numeric: tabular-nums; }
.counts { display: grid; grid-template-columns: 1fr 1fr; gap: 16px; }
figure.fr-figure { margin: 8px 0; }
figcaption { color: var(--muted); font-size: .88em; max-width: 60em; }
svg.chart { display: block; max-width: 100%; height: auto; font: 12px system-ui, "DejaVu Sans", sans-serif; }
svg .grid { stroke: #eaeef2; }
svg .axis { fill: #57606a; }
svg .value { fill: #1f2328; font-weight: 700; }
svg .chart-title { fill: #1f2328; font-weight: 600; }
svg .bar-met rect, svg rect.bar-met { fill: #2da44e; }
svg .bar-short rect, svg rect.bar-short { fill: #cf222e; }
svg .target { stroke: #1f2328; stroke-width: 2; stroke-dasharray: 6 4; }
svg .target-label { fill: #1f2328; font-weight: 600; }
.load-charts { display: flex; flex-wrap: wrap; gap: 8px 24px; margin: 6px 0; }
.fr-level { font-weight: 400; color: var(--muted); font-size: .9em; margin-left: 8px; }
table.requirements th[scope=row] { white-space: nowrap; }
table.requirements td.status { white-space: nowrap; }
tr.req:target, article.check:target { outline: 3px solid var(--accent); outline-offset: 2px; background: #f1f8ff; }
tr.req, article.check { scroll-margin-top: 12px; }
p.needs { margin: 6px 0 0; font-size: .9em; }
.waiver-note { margin: 6px 0 0; font-size: .9em; color: #5a32a3; }
ul.links { margin: 0; padding-left: 16px; }
ul.checklist { list-style: none; padding-left: 0; }
ul.checklist li { padding: 4px 0; border-bottom: 1px dotted var(--line); }
ul.checklist .box { font-size: 1.15em; margin-right: 4px; }
ul.checklist .req-title { font-weight: 600; }
article.check { border: 1px solid var(--line); border-left: 6px solid #afb8c1; border-radius: 4px; padding: 4px 16px 10px; margin: 16px 0; }
article.verdict-pass { border-left-color: #1a7f37; }
article.verdict-fail { border-left-color: #b42318; }
article.verdict-error { border-left-color: #bf8700; }
article.verdict-waived { border-left-color: #8250df; }
article.check h3 { margin-top: 10px; }
article.check .at { font-weight: 400; color: var(--muted); }
.check-title { margin: 0 0 6px; color: var(--muted); }
.reason { font-size: 1.02em; }
.reason-text { white-space: pre-wrap; }
.waiver-box { border: 1px solid #8250df; background: #faf5ff; padding: 6px 10px; border-radius: 4px; }
.step-error { color: #a40e26; font-size: .9em; }
td.source { font-size: .85em; color: var(--muted); }
ul.evidence { columns: 2; padding-left: 18px; }
details.profile pre { background: var(--bg-soft); padding: 10px; overflow: auto; font-size: .8em; }
footer { color: var(--muted); font-size: .85em; padding: 24px; }
@media (max-width: 800px) { .counts { grid-template-columns: 1fr; } ul.evidence { columns: 1; } }
@media print {
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  body { font-size: 10.5pt; }
  main, header.top, footer { max-width: none; padding: 0; }
  nav.toc, details.profile { display: none; }
  a { color: inherit; text-decoration: none; }
  h2, h3, h4 { break-after: avoid; page-break-after: avoid; }
  tr, li, figure, svg, .waiver-box, dl.facts { break-inside: avoid; page-break-inside: avoid; }
  thead { display: table-header-group; }
  #requirements, #manual-evidence, #checks { break-before: page; page-break-before: always; }
  article.check { break-inside: auto; }
  article.check h3 + .check-title, article.check .reason { break-before: avoid; }
  tr.req:target, article.check:target { outline: none; background: none; }
  ul.evidence { columns: 1; }
}
@page { margin: 14mm 12mm; }
`;
