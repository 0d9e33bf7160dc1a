// How guessable a set of session ids is, from the ids alone. The entropy estimate is an upper bound: it counts
// the character positions that varied and the alphabet they used, as if every varying position were uniformly
// random; a generator that is less random than that (a counter, a clock, a weak PRNG) has less. Patterns that
// make ids predictable whatever the estimate (increasing ids, embedded timestamps, repeats) are detected apart.
import { fingerprint } from './client.js';

/** Standard id alphabets, smallest first; the estimate uses the smallest one that covers every varying character. */
const ALPHABETS: ReadonlyArray<{ name: string; chars: string }> = [
  { name: 'decimal', chars: '0123456789' },
  { name: 'hex (lower case)', chars: '0123456789abcdef' },
  { name: 'hex (upper case)', chars: '0123456789ABCDEF' },
  { name: 'base32', chars: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567' },
  { name: 'lower-case alphanumeric', chars: '0123456789abcdefghijklmnopqrstuvwxyz' },
  { name: 'upper-case alphanumeric', chars: '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ' },
  { name: 'alphanumeric', chars: '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz' },
  { name: 'base64url', chars: '-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz' },
  { name: 'base64', chars: '+/0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz' },
];

export interface SessionIdSample {
  id: string;
  /** When the device issued it (epoch ms), for timestamp detection. */
  at: number;
}

export interface SessionIdAnalysis {
  count: number;
  distinct: number;
  minLength: number;
  maxLength: number;
  alphabet: { name: string; size: number };
  /** Positions (from the left) whose character differed between ids. */
  varyingPositions: number;
  /** varyingPositions × log2(alphabet size): an upper bound on the entropy per id. */
  bitsUpperBound: number;
  /** Set when every id is greater (or every id smaller) than the one issued before it. */
  sequential?: string;
  /** Set when most ids contain the time they were issued. */
  timestamp?: string;
  /** Set when an id was issued twice. */
  repeated?: string;
}

/**
 * A session id as evidence may show it: its ends (an eighth of it at each end, so a long random id keeps three
 * quarters hidden and a short one shows almost nothing), its length and a fingerprint. Ids are bearer secrets,
 * and a weak device keeps them valid after logout; the analysis itself works on the full ids.
 */
export function maskId(id: string): string {
  const shown = Math.floor(id.length / 8);
  return `${id.slice(0, shown)}…${shown > 0 ? id.slice(-shown) : ''} (${id.length} chars, #${fingerprint(id)})`;
}

export function analyseSessionIds(samples: readonly SessionIdSample[], timestampWindowSeconds: number): SessionIdAnalysis {
  const ids = samples.map((s) => s.id);
  const lengths = ids.map((id) => id.length);
  const minLength = Math.min(...lengths);
  const maxLength = Math.max(...lengths);
  const varying: number[] = [];
  const varyingChars = new Set<string>();
  for (let i = 0; i < maxLength; i++) {
    // A position missing from a shorter id counts as varying: the length itself carries information.
    const seen = new Set(ids.map((id) => id[i] ?? '\0'));
    if (seen.size > 1) {
      varying.push(i);
      for (const c of seen) if (c !== '\0') varyingChars.add(c);
    }
  }
  const alphabet = pickAlphabet(varyingChars, ids);
  const analysis: SessionIdAnalysis = {
    count: ids.length,
    distinct: new Set(ids).size,
    minLength,
    maxLength,
    alphabet: { name: alphabet.name, size: alphabet.chars.length },
    varyingPositions: varying.length,
    bitsUpperBound: varying.length * Math.log2(Math.max(alphabet.chars.length, 1)),
  };
  const repeated = ids.find((id, i) => ids.indexOf(id) !== i);
  if (repeated !== undefined) analysis.repeated = `an id was issued ${ids.filter((id) => id === repeated).length} times`;
  const seq = monotonic(ids, alphabet.chars);
  if (seq) analysis.sequential = `all ${ids.length} ids ${seq} in the order they were issued (first ${maskId(ids[0]!)}, last ${maskId(ids[ids.length - 1]!)})`;
  const stamped = samples.map((s) => embeddedTime(s.id, s.at, timestampWindowSeconds)).filter((t): t is string => t !== undefined);
  if (stamped.length >= Math.ceil(samples.length / 2)) analysis.timestamp = `${stamped.length} of ${samples.length} ids contain the time they were issued, e.g. ${stamped[0]}`;
  return analysis;
}

function pickAlphabet(varyingChars: Set<string>, ids: readonly string[]): { name: string; chars: string } {
  const covers = (chars: string) => [...varyingChars].every((c) => chars.includes(c));
  const found = ALPHABETS.find((a) => covers(a.chars));
  if (found) return found;
  // Anything else: the characters the ids use at all (at least those seen), an honest upper bound for the sample.
  const used = new Set(ids.join(''));
  return { name: `${used.size} distinct characters`, chars: [...used].sort().join('') };
}

/** 'increase' or 'decrease' when every id compares so to its predecessor as a number in the alphabet. */
function monotonic(ids: readonly string[], alphabet: string): 'increase' | 'decrease' | undefined {
  if (ids.length < 3) return undefined;
  const width = Math.max(...ids.map((id) => id.length));
  const key = (id: string) => id.padStart(width, '\0');
  const cmp = (a: string, b: string) => {
    const x = key(a);
    const y = key(b);
    for (let i = 0; i < width; i++) {
      const d = rank(x[i]!, alphabet) - rank(y[i]!, alphabet);
      if (d !== 0) return d;
    }
    return 0;
  };
  const steps = ids.slice(1).map((id, i) => cmp(id, ids[i]!));
  if (steps.every((d) => d > 0)) return 'increase';
  if (steps.every((d) => d < 0)) return 'decrease';
  return undefined;
}

function rank(c: string, alphabet: string): number {
  const i = alphabet.indexOf(c);
  return i >= 0 ? i + 1 : c === '\0' ? 0 : alphabet.length + 1 + c.charCodeAt(0);
}

/**
 * A run of hex or decimal digits inside the id that reads as a Unix time (seconds or milliseconds) within the
 * window around the moment the id was issued; returns a description, or undefined.
 */
function embeddedTime(id: string, at: number, windowSeconds: number): string | undefined {
  const nearSeconds = (v: number) => Math.abs(v - at / 1000) <= windowSeconds;
  const nearMs = (v: number) => Math.abs(v - at) <= windowSeconds * 1000;
  const scans: Array<{ re: RegExp; radix: number; lengths: number[] }> = [
    { re: /[0-9a-fA-F]+/g, radix: 16, lengths: [8, 11, 12] },
    { re: /\d+/g, radix: 10, lengths: [10, 13] },
  ];
  for (const { re, radix, lengths } of scans) {
    for (const m of id.matchAll(re)) {
      const run = m[0];
      for (const len of lengths) {
        for (let i = 0; i + len <= run.length; i++) {
          const digits = run.slice(i, i + len);
          const v = parseInt(digits, radix);
          if (nearMs(v)) return `"${digits}" (${radix === 16 ? 'hex' : 'decimal'}) = ${new Date(v).toISOString()} in milliseconds`;
          if (nearSeconds(v)) return `"${digits}" (${radix === 16 ? 'hex' : 'decimal'}) = ${new Date(v * 1000).toISOString()} in seconds`;
        }
      }
    }
  }
  return undefined;
}
