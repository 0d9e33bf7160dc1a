// Safe HTML building: every interpolated value is escaped unless it is markup this module built itself, so
// a device's answer (a banner, a certificate subject, an error page) can never become markup in report.html.

/** Markup that is already safe: produced by `html` or by the helpers below, never by concatenating input. */
export class Markup {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

export type Part = Markup | string | number | boolean | null | undefined | readonly Part[];

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes for text and for double- or single-quoted attribute values alike. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

function render(part: Part): string {
  if (part instanceof Markup) return part.value;
  if (Array.isArray(part)) return part.map(render).join('');
  if (part === null || part === undefined || part === false) return '';
  return escapeHtml(String(part));
}

/** Tagged template: literal text is markup, every ${value} is escaped (arrays joined, Markup kept). */
export function html(strings: TemplateStringsArray, ...values: Part[]): Markup {
  let out = strings[0]!;
  values.forEach((v, i) => {
    out += render(v) + strings[i + 1]!;
  });
  return new Markup(out);
}

/** An id for #anchors from any text: letters, digits, '-' and '_' only, so it is safe in href and id alike. */
export function anchorId(prefix: string, text: string): string {
  return `${prefix}-${text.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '')}`;
}

/**
 * The href of an evidence file: a relative path under evidence/ with every segment percent-encoded, so it
 * opens offline next to report.html. Anything else (absolute, a scheme, '..') gets no link at all.
 */
export function evidenceHref(path: string): string | undefined {
  const segments = path.split('/');
  if (segments[0] !== 'evidence' || segments.length < 2) return undefined;
  if (segments.some((s) => s === '' || s === '.' || s === '..' || s.includes('\\'))) return undefined;
  return segments.map(encodeURIComponent).join('/');
}
