// What a web page says to a person, for comparing two answers: the visible text without markup, and without
// the parts that change on every request (ids, times, numbers, tokens), so equal answers compare equal.
import { createHash } from 'node:crypto';

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

/** The text a browser would show: scripts, styles, comments and tags removed, entities decoded, spaces collapsed. */
// An unclosed comment, script or tag runs to the end of the text (as in a browser); the `|$` alternatives also
// keep these patterns linear on a hostile page full of unclosed '<'.
export function visibleText(html: string): string {
  return html
    .replace(/<!--[\s\S]*?(?:-->|$)/g, ' ')
    .replace(/<(script|style|noscript|template)\b[\s\S]*?(?:<\/\1\s*>|$)/gi, ' ')
    .replace(/<[^>]*(?:>|$)/g, ' ')
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (m, e: string) => {
      if (e[0] === '#') {
        const code = e[1]?.toLowerCase() === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
        return Number.isFinite(code) && code > 0 && code < 0x110000 ? String.fromCodePoint(code) : ' ';
      }
      return ENTITIES[e.toLowerCase()] ?? m;
    })
    .replace(/\s+/g, ' ')
    .trim();
}

/** Replaces what varies between two identical answers: UUIDs, long hex/base64 tokens, times, dates and numbers. */
export function withoutVolatile(text: string): string {
  return text
    .replace(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '<id>')
    // Long runs with a digit; the digit test is done outside the regex, a lookahead would be quadratic on 'a-a-a-…'.
    .replace(/\b[A-Za-z0-9_-]{16,}={0,2}/g, (run) => (/\d/.test(run) ? '<token>' : run))
    .replace(/\b[0-9a-f]{8,}\b/gi, '<token>')
    .replace(/\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?/g, '<time>')
    .replace(/\b\d{1,2}:\d{2}(:\d{2})?\b/g, '<time>')
    .replace(/\d+(\.\d+)?/g, '#');
}

const MAX_ANSWER_CHARS = 400;

/**
 * The normalised answer of one HTTP response: status, where it redirects (path only) and its visible text,
 * volatile parts removed. Headers and cookies are left out on purpose: they carry session ids and dates.
 */
export function normalisedAnswer(status: number, text: string, location?: string, contentType?: string, secrets: readonly string[] = []): string {
  const shown = hide(contentType && /json/i.test(contentType) ? text.replace(/\s+/g, ' ').trim() : visibleText(text), secrets);
  const where = location ? ` -> ${withoutVolatile(hide(locationPath(location), secrets))}` : '';
  const full = withoutVolatile(shown);
  // A long page keeps its beginning readable and a digest of the whole, so a message far down still tells answers apart.
  const body = full.length > MAX_ANSWER_CHARS ? `${full.slice(0, MAX_ANSWER_CHARS)}… #${createHash('sha256').update(full).digest('hex').slice(0, 12)}` : full;
  return `${status}${where}${body ? `: ${body}` : ''}`;
}

/** Secrets shorter than this are not masked: they would mangle ordinary words, and probes use long random ones. */
const MIN_SECRET_CHARS = 4;

/** A page that echoes the submitted password (e.g. "wrong password 'x'") must not carry it into transcripts or reasons. */
function hide(text: string, secrets: readonly string[]): string {
  return secrets.reduce((t, s) => (s.length >= MIN_SECRET_CHARS ? t.split(s).join('<secret>') : t), text);
}

/** "/login" from "https://host:8443/login?next=x" or "/login?next=x", without the query. */
export function locationPath(location: string): string {
  try {
    return new URL(location, 'https://device.invalid').pathname;
  } catch {
    return location.split('?')[0] ?? location;
  }
}
