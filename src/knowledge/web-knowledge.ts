// Web UI weakness knowledge: security headers, version disclosure, session cookie attributes, session-id
// strength, session behaviour, error-page leaks and the system use notification. Every rule is data in
// data/web.yaml; the functions here only match observations against it and never name a header value themselves.
import { z } from 'zod';
import { finding, unknownFinding } from './findings.js';
import { cited, citedRule, text } from './schema.js';
import type { Finding } from './types.js';


/** A regular expression written in the data; it must compile (checked at load time). */
const pattern = text.refine(
  (p) => {
    try {
      new RegExp(p);
      return true;
    } catch {
      return false;
    }
  },
  { message: 'must be a valid regular expression' },
);

const headerName = z.string().regex(/^[A-Za-z0-9-]+$/, 'must be an HTTP header name');

/** One way a control can be met or missed: a header whose value matches (and, for HSTS, a long enough max-age). */
const headerOutcome = z.strictObject({
  header: headerName,
  /** Case-insensitive; absent = any value. */
  pattern: pattern.optional(),
  /** The max-age directive must be at least this many seconds. */
  maxAgeAtLeast: z.number().int().nonnegative().optional(),
  ...cited,
});

const headerControl = z.strictObject({
  name: text,
  /** every: judged on every page; authenticated: only on pages served with a session. */
  appliesTo: z.enum(['every', 'authenticated']),
  /** Read top-down; the first outcome that matches grades the control. */
  outcomes: z.array(headerOutcome).min(1),
  /** None of the outcomes' headers is present. A present header that no outcome matches is graded unknown. */
  absent: citedRule,
});

const cookieAttribute = z.strictObject({
  attribute: z.enum(['Secure', 'HttpOnly', 'SameSite']),
  present: citedRule.optional(),
  /** For attributes with a value (SameSite): graded by value, case-insensitive. */
  values: z.array(z.strictObject({ value: text, ...cited })).optional(),
  missing: citedRule,
});

const sizeRule = z.strictObject({ minBits: z.number().nonnegative(), ...cited });

const errorLeak = z.strictObject({
  name: text,
  pattern,
  ignoreCase: z.boolean().default(false),
  ...cited,
});

const noticePhrase = z.strictObject({
  /** restriction: use is limited to authorised users; monitoring: use is monitored or recorded. */
  kind: z.enum(['restriction', 'monitoring']),
  pattern,
  reason: text,
  source: text,
});

const behaviourNames = ['rotatedAtLogin', 'notRotatedAtLogin', 'invalidatedAtLogout', 'validAfterLogout', 'endedWhenIdle', 'validWhenIdle', 'sessionsLimited', 'sessionsUnlimited'] as const;
export type WebBehaviour = (typeof behaviourNames)[number];

/** Ways a set of session ids is predictable whatever its entropy estimate. */
export type SessionIdPattern = 'sequential' | 'timestamp' | 'repeated';

export const webDataSchema = z.strictObject({
  headerControls: z.array(headerControl).min(1),
  versionDisclosure: z.strictObject({
    /** Headers that name the server software. */
    headers: z.array(headerName).min(1),
    /** A version number inside such a header. */
    versionPattern: pattern,
    version: citedRule,
    productOnly: citedRule,
    none: citedRule,
  }),
  cookieAttributes: z.array(cookieAttribute).min(1),
  sessionIds: z.strictObject({
    /** How many ids the entropy probe collects. */
    sampleSize: z.number().int().min(4).max(64),
    /** The fewest ids it needs for an estimate at all. */
    minimumSample: z.number().int().min(4),
    /** Graded by estimated bits, top-down; the last rule has minBits 0. */
    entropy: z
      .array(sizeRule)
      .min(1)
      .refine((rules) => rules.every((r, i) => i === 0 || r.minBits < rules[i - 1]!.minBits), { message: 'minBits must strictly decrease' })
      .refine((rules) => rules[rules.length - 1]?.minBits === 0, { message: 'the last rule must have minBits: 0' }),
    sequential: citedRule,
    timestamp: citedRule,
    repeated: citedRule,
    /** A timestamp inside an id counts when it lies this close to the time the id was collected. */
    timestampWindowSeconds: z.number().int().positive(),
  }),
  behaviours: z.strictObject(Object.fromEntries(behaviourNames.map((n) => [n, citedRule])) as Record<WebBehaviour, typeof citedRule>),
  errorLeaks: z.array(errorLeak).min(1),
  noErrorLeak: citedRule,
  useNotification: z.strictObject({
    phrases: z.array(noticePhrase).min(1),
    /** Both a restriction and a monitoring phrase. */
    complete: citedRule,
    /** Only one kind. */
    partial: citedRule,
    missing: citedRule,
  }),
});
export type WebData = z.infer<typeof webDataSchema>;

/** The attributes of one Set-Cookie line that matter here. */
export interface CookieFacts {
  name: string;
  secure: boolean;
  httpOnly: boolean;
  sameSite?: string;
}

export interface ErrorLeak {
  name: string;
  /** The matched text, shortened. */
  excerpt: string;
  finding: Finding;
}

export interface NoticeMatch {
  kind: 'restriction' | 'monitoring';
  excerpt: string;
}

export interface WebKnowledge {
  /** One finding per header control; pages served with a session also get the 'authenticated' controls. Subject 'web.header'. */
  securityHeaders(headers: Readonly<Record<string, string>>, authenticated: boolean): Finding[];
  /** One finding per disclosing header present, or one 'none' finding. Subject 'web.versionDisclosure'. */
  versionDisclosure(headers: Readonly<Record<string, string>>): Finding[];
  /** One finding per cookie attribute rule. Subject 'web.cookie.<Attribute>'. */
  cookieAttributes(cookie: CookieFacts): Finding[];
  readonly sessionIdSampleSize: number;
  readonly sessionIdMinimumSample: number;
  readonly timestampWindowSeconds: number;
  /** The bits the data asks for at the lowest passing grade (acceptable), for descriptions and reasons. */
  readonly sessionIdMinimumBits: number;
  /** Subject 'web.sessionId.entropy', value e.g. "≤ 24 bits". */
  sessionIdEntropy(bits: number): Finding;
  /** Subject 'web.sessionId.pattern'. */
  sessionIdPattern(kind: SessionIdPattern, evidence: string): Finding;
  /** A graded behaviour of the session handling (rotation, logout, idle end, limits). Subject 'web.session'. */
  behaviour(name: WebBehaviour, evidence: string): Finding;
  /** What an error page leaks, by the data's patterns; empty when nothing matches. */
  errorLeaks(body: string): ErrorLeak[];
  /** The finding for an error page that leaks nothing. Subject 'web.errorPage'. */
  noErrorLeak(where: string): Finding;
  /** Looks for a system use notification in visible page text. Subject 'web.useNotification'. */
  useNotification(visibleText: string): { finding: Finding; matches: NoticeMatch[] };
}

const EXCERPT = 120;
/** Error pages are small; a hostile page is only searched this far, so a slow pattern in the data cannot hang a check. */
const MAX_ERROR_PAGE_CHARS = 64 * 1024;
const shorten = (s: string) => (s.length > EXCERPT ? `${s.slice(0, EXCERPT - 1)}…` : s);

export function buildWebKnowledge(data: WebData, version: string, problems: string[]): WebKnowledge {
  const controls = data.headerControls.map((c) => ({
    ...c,
    outcomes: c.outcomes.map((o) => ({ ...o, re: o.pattern ? new RegExp(o.pattern, 'i') : undefined, key: o.header.toLowerCase() })),
  }));
  const names = new Set<string>();
  for (const c of controls) {
    if (names.has(c.name)) problems.push(`web.yaml: header control "${c.name}" is listed twice`);
    names.add(c.name);
  }
  const attributes = new Set<string>();
  for (const a of data.cookieAttributes) {
    if (attributes.has(a.attribute)) problems.push(`web.yaml: cookie attribute ${a.attribute} is listed twice`);
    attributes.add(a.attribute);
    if ((a.present === undefined) === (a.values === undefined)) problems.push(`web.yaml: cookie attribute ${a.attribute} needs exactly one of present or values`);
  }
  if (data.sessionIds.minimumSample > data.sessionIds.sampleSize) problems.push('web.yaml: sessionIds.minimumSample exceeds sampleSize');
  const acceptable = data.sessionIds.entropy.filter((r) => r.grade === 'acceptable' || r.grade === 'strong');
  const minimumBits = acceptable.length > 0 ? Math.min(...acceptable.map((r) => r.minBits)) : Infinity;
  if (!Number.isFinite(minimumBits)) problems.push('web.yaml: sessionIds.entropy has no acceptable rule');
  const disclosure = data.versionDisclosure;
  const versionRe = new RegExp(disclosure.versionPattern);
  const leaks = data.errorLeaks.map((l) => ({ ...l, re: new RegExp(l.pattern, l.ignoreCase ? 'i' : '') }));
  const phrases = data.useNotification.phrases.map((p) => ({ ...p, re: new RegExp(p.pattern, 'i') }));
  if (!phrases.some((p) => p.kind === 'restriction')) problems.push('web.yaml: useNotification has no restriction phrase');

  const lower = (headers: Readonly<Record<string, string>>) => new Map(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));

  return {
    securityHeaders(headers, authenticated) {
      const h = lower(headers);
      const out: Finding[] = [];
      for (const c of controls) {
        if (c.appliesTo === 'authenticated' && !authenticated) continue;
        const subject = 'web.header';
        const match = c.outcomes.find((o) => {
          const value = h.get(o.key);
          if (value === undefined) return false;
          if (o.re && !o.re.test(value)) return false;
          if (o.maxAgeAtLeast !== undefined) {
            const age = /max-age\s*=\s*"?(\d+)"?/i.exec(value)?.[1];
            if (age === undefined || Number(age) < o.maxAgeAtLeast) return false;
          }
          return true;
        });
        const present = [...new Set(c.outcomes.map((o) => o.header))].filter((name) => h.has(name.toLowerCase()));
        const shown = present.map((name) => `${name}: ${shorten(h.get(name.toLowerCase()) ?? '')}`).join(' | ');
        if (match) out.push(finding(subject, `${c.name} (${match.header}: ${shorten(h.get(match.key) ?? '')})`, match));
        else if (present.length === 0) out.push(finding(subject, `${c.name} (missing)`, c.absent));
        else out.push(unknownFinding(subject, `${c.name} (${shown})`, 'Header value', version));
      }
      return out;
    },

    versionDisclosure(headers) {
      const h = lower(headers);
      const subject = 'web.versionDisclosure';
      const out: Finding[] = [];
      for (const name of disclosure.headers) {
        const value = h.get(name.toLowerCase());
        if (value === undefined) continue;
        out.push(finding(subject, `${name}: ${shorten(value)}`, versionRe.test(value) ? disclosure.version : disclosure.productOnly));
      }
      return out.length > 0 ? out : [finding(subject, `none of ${disclosure.headers.join(', ')}`, disclosure.none)];
    },

    cookieAttributes(cookie) {
      const out: Finding[] = [];
      for (const a of data.cookieAttributes) {
        const subject = `web.cookie.${a.attribute}`;
        if (a.attribute === 'SameSite') {
          const v = cookie.sameSite?.trim();
          if (!v) {
            out.push(finding(subject, `${cookie.name}: no SameSite`, a.missing));
            continue;
          }
          const rule = a.values?.find((r) => r.value.toLowerCase() === v.toLowerCase());
          out.push(rule ? finding(subject, `${cookie.name}: SameSite=${rule.value}`, rule) : unknownFinding(subject, `${cookie.name}: SameSite=${v}`, 'SameSite value', version));
          continue;
        }
        const has = a.attribute === 'Secure' ? cookie.secure : cookie.httpOnly;
        out.push(finding(subject, `${cookie.name}: ${has ? a.attribute : `no ${a.attribute}`}`, has && a.present ? a.present : a.missing));
      }
      return out;
    },

    sessionIdSampleSize: data.sessionIds.sampleSize,
    sessionIdMinimumSample: data.sessionIds.minimumSample,
    timestampWindowSeconds: data.sessionIds.timestampWindowSeconds,
    sessionIdMinimumBits: minimumBits,

    sessionIdEntropy(bits) {
      const rule = data.sessionIds.entropy.find((r) => bits >= r.minBits);
      const value = `at most ${Math.round(bits)} bits`;
      return rule ? finding('web.sessionId.entropy', value, rule) : unknownFinding('web.sessionId.entropy', value, 'Entropy', version);
    },

    sessionIdPattern(kind, evidence) {
      return finding('web.sessionId.pattern', `${kind}: ${shorten(evidence)}`, data.sessionIds[kind]);
    },

    behaviour(name, evidence) {
      return finding('web.session', `${name}: ${shorten(evidence)}`, data.behaviours[name]);
    },

    errorLeaks(body) {
      const out: ErrorLeak[] = [];
      const searched = body.length > MAX_ERROR_PAGE_CHARS ? body.slice(0, MAX_ERROR_PAGE_CHARS) : body;
      for (const l of leaks) {
        const m = l.re.exec(searched);
        if (m) out.push({ name: l.name, excerpt: shorten(m[0]), finding: finding('web.errorPage', `${l.name}: ${shorten(m[0])}`, l) });
      }
      return out;
    },

    noErrorLeak(where) {
      return finding('web.errorPage', `no leak on ${where}`, data.noErrorLeak);
    },

    useNotification(visible) {
      const matches: NoticeMatch[] = [];
      for (const p of phrases) {
        const m = p.re.exec(visible);
        if (m) matches.push({ kind: p.kind, excerpt: shorten(m[0]) });
      }
      const kinds = new Set(matches.map((m) => m.kind));
      const subject = 'web.useNotification';
      const shown = matches.map((m) => `"${m.excerpt}"`).join(', ');
      const n = data.useNotification;
      const f =
        kinds.size === 2
          ? finding(subject, shown, n.complete)
          : kinds.size === 1
            ? finding(subject, shown, n.partial)
            : finding(subject, 'none on the login page', n.missing);
      return { finding: f, matches };
    },
  };
}
