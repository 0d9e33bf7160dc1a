// Value-based redaction: every secret the harness learns (profile passwords, values read from environment
// variables) is registered here, and every byte written to reports, evidence, the journal and the logs
// passes through redact(). Path-based redaction alone would miss a password echoed inside a transcript.

export const REDACTED = '[REDACTED]';

/** Secrets shorter than this are not scrubbed from free text: replacing every "1" would destroy evidence. */
const MIN_SCRUBBED_LENGTH = 4;

export class SecretRegistry {
  private readonly values = new Set<string>();
  private pattern: RegExp | undefined;

  add(value: string): void {
    if (value.length === 0 || this.values.has(value)) return;
    this.values.add(value);
    // The same secret as it appears inside serialized JSON (quotes and backslashes escaped).
    this.values.add(JSON.stringify(value).slice(1, -1));
    this.pattern = undefined;
  }

  get size(): number {
    return this.values.size;
  }

  has(value: string): boolean {
    return this.values.has(value);
  }

  redact(text: string): string {
    const pattern = this.compile();
    return pattern ? text.replace(pattern, REDACTED) : text;
  }

  private compile(): RegExp | undefined {
    if (this.pattern) return this.pattern;
    const scrubbable = [...this.values].filter((v) => v.length >= MIN_SCRUBBED_LENGTH);
    if (scrubbable.length === 0) return undefined;
    // Longest first, so a secret that contains another is replaced whole.
    scrubbable.sort((a, b) => b.length - a.length);
    this.pattern = new RegExp(scrubbable.map(escapeRegExp).join('|'), 'g');
    return this.pattern;
  }
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
