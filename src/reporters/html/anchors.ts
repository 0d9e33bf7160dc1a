// Every requirement and check result gets one stable, unique #anchor, so links between them always resolve.
import type { Report } from '../../core/report.js';
import { checkRef } from '../../core/result.js';
import { anchorId, html, type Markup } from './markup.js';

export interface Anchors {
  /** The anchor id of a requirement id or a check ref ("id @ target"), if the report has it. */
  id(ref: string): string | undefined;
  /** A link to it, or the plain text when the report has no such requirement or check. */
  link(ref: string, text?: string): Markup;
}

export function buildAnchors(report: Report): Anchors {
  const ids = new Map<string, string>();
  const taken = new Set<string>();
  const add = (ref: string, prefix: string) => {
    if (ids.has(ref)) return;
    let id = anchorId(prefix, ref);
    for (let n = 2; taken.has(id); n++) id = `${anchorId(prefix, ref)}-${n}`;
    ids.set(ref, id);
    taken.add(id);
  };
  for (const r of report.requirements) add(r.id, 'req');
  for (const c of report.checks) add(checkRef(c), 'check');
  return {
    id: (ref) => ids.get(ref),
    link: (ref, text = ref) => {
      const id = ids.get(ref);
      return id ? html`<a href="#${id}">${text}</a>` : html`<span>${text}</span>`;
    },
  };
}
