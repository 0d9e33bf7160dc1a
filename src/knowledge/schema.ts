// zod schemas for the YAML data files. Objects are strict so a typo in a key fails loudly
// instead of silently dropping a rule.
import { z } from 'zod';

export const text = z.string().trim().min(1);
export const knownGrade = z.enum(['broken', 'weak', 'acceptable', 'strong']);

/** Every graded entry carries its grade, a one-sentence reason and a citation. */
export const cited = { grade: knownGrade, reason: text, source: text };
/** A rule that is nothing but a graded, cited verdict. */
export const citedRule = z.strictObject(cited);

const slRule = z.strictObject(cited);
export const gradingSchema = z.strictObject({
  version: text,
  minimumGrade: z.strictObject({ 1: slRule, 2: slRule, 3: slRule, 4: slRule }),
});

export const policiesSchema = z.strictObject({
  policies: z
    .array(z.strictObject({ name: text, uri: z.url(), ...cited }))
    .min(1),
});

export const modesSchema = z.strictObject({
  modes: z.array(z.strictObject({ name: text, aliases: z.array(text).default([]), ...cited })).min(1),
});

/** Graded key sizes, largest first, ending with a minBits: 0 catch-all (X.509 and SSH host keys share it). */
export const sizeRules = z
  .array(z.strictObject({ minBits: z.number().int().nonnegative(), ...cited }))
  .min(1)
  // Rules are read top-down, so they must be in descending order and end with a catch-all.
  .refine((rules) => rules.every((r, i) => i === 0 || r.minBits < rules[i - 1]!.minBits), {
    message: 'minBits must strictly decrease from one rule to the next',
  })
  .refine((rules) => rules[rules.length - 1]?.minBits === 0, { message: 'the last rule must have minBits: 0' });

export const x509Schema = z.strictObject({
  rsaKeySizes: sizeRules,
  dsaKeySizes: sizeRules,
  ecCurves: z.array(z.strictObject({ name: text, aliases: z.array(text).default([]), ...cited })).min(1),
  keyTypes: z.array(z.strictObject({ name: text, ...cited })).min(1),
  signatureHashes: z.array(z.strictObject({ name: text, ...cited })).min(1),
  validity: z.strictObject({
    notYetValid: citedRule,
    expired: citedRule,
    expiringSoon: z.strictObject({ withinDays: z.number().int().positive(), ...cited }),
    valid: citedRule,
  }),
  lifetime: z
    .array(z.strictObject({ maxYears: z.number().positive().optional(), ...cited }))
    .min(1)
    .refine((rules) => rules.every((r, i) => i === 0 || (r.maxYears ?? Infinity) > (rules[i - 1]!.maxYears ?? Infinity)), {
      message: 'maxYears must strictly increase from one rule to the next',
    })
    .refine((rules) => rules[rules.length - 1]?.maxYears === undefined, {
      message: 'the last lifetime rule must have no maxYears (it catches the rest)',
    }),
  applicationUri: z.strictObject({ matches: citedRule, present: citedRule, missing: citedRule, mismatch: citedRule }),
  selfSigned: citedRule,
});
export type X509Rules = z.infer<typeof x509Schema>;

const protocol = z.enum(['opcua', 'ssh', 'http', 'telnet', 'ftp']);
export const credentialsSchema = z.strictObject({
  limits: z
    .partialRecord(protocol, z.strictObject({ maxPerUsername: z.number().int().positive(), reason: text, source: text }))
    .default({}),
  credentials: z
    .array(
      z.strictObject({
        username: text,
        // An empty password is a real default (e.g. root with no password), so only require a string.
        password: z.string(),
        protocols: z.array(protocol).min(1),
        reason: text,
        source: text,
        note: text.optional(),
      }),
    )
    .min(1),
});
export type CredentialsData = z.infer<typeof credentialsSchema>;

/** Code point as OpenSSL and IANA print it, e.g. "0xC0,0x2F". */
const suiteCode = z.string().regex(/^0x[0-9A-F]{2},0x[0-9A-F]{2}$/, 'must look like "0xC0,0x2F" (upper-case hex)');

export const tlsSchema = z.strictObject({
  versions: z.array(z.strictObject({ name: text, aliases: z.array(text).default([]), ...cited })).min(1),
  suites: z
    .array(
      z.strictObject({
        iana: text,
        /** Omitted where OpenSSL uses the IANA name (TLS 1.3). */
        openssl: text.optional(),
        /** Older OpenSSL spellings, e.g. EDH-RSA-DES-CBC3-SHA. */
        aliases: z.array(text).default([]),
        code: suiteCode,
        ...cited,
      }),
    )
    .min(1),
  /** Key-exchange groups by IANA code point (TLS Supported Groups registry). */
  groups: z
    .array(
      z.strictObject({
        name: text,
        aliases: z.array(text).default([]),
        code: z.number().int().min(0).max(0xffff),
        kind: z.enum(['ec', 'ffdhe', 'hybrid']),
        ...cited,
      }),
    )
    .min(1),
  /** The prime of a TLS 1.2 DHE key exchange, by size. */
  dhePrimeSizes: sizeRules,
  certificate: z.strictObject({
    name: z.strictObject({ matches: citedRule, mismatch: citedRule }),
    chain: z.strictObject({ trusted: citedRule, untrusted: citedRule, selfSigned: citedRule }),
  }),
});
export type TlsData = z.infer<typeof tlsSchema>;

/** Hex bytes separated by single spaces, e.g. "05 FF FF 12 34"; at most one PDU (253 bytes). */
const hexPdu = z
  .string()
  .regex(/^[0-9A-Fa-f]{2}( [0-9A-Fa-f]{2}){0,252}$/, 'must be hex bytes separated by single spaces, e.g. "05 FF FF 12 34"');

export const modbusFunctionCodesSchema = z.strictObject({
  functionCodes: z
    .array(
      z
        .strictObject({
          code: z.number().int().min(1).max(127),
          /** The last code of a range (the user-defined ranges); a single code when absent. */
          through: z.number().int().min(1).max(127).optional(),
          /** MEI type, for function 43 only. */
          mei: z.number().int().min(0).max(255).optional(),
          name: text,
          category: z.enum(['data-read', 'data-write', 'diagnostic', 'identification', 'file', 'program', 'vendor']),
          exposure: z.enum(['needed', 'review', 'avoid']),
          reason: text,
          source: text,
          /** null: no request to the code can be shown to leave the device unchanged, so it is never sent. */
          probe: hexPdu.nullable(),
          probeNote: text,
        })
        .refine((e) => e.through === undefined || e.through > e.code, { message: 'through must be greater than code' })
        .refine((e) => e.mei === undefined || (e.code === 43 && e.through === undefined), { message: 'mei applies to function 43 only' }),
    )
    .min(1),
});
export type ModbusFunctionCodesData = z.infer<typeof modbusFunctionCodesSchema>;
