// zod schemas for the YAML data files. Objects are strict so a typo in a key fails loudly
// instead of silently dropping a rule.
import { z } from 'zod';

const text = z.string().trim().min(1);
const knownGrade = z.enum(['broken', 'weak', 'acceptable', 'strong']);

/** Every graded entry carries its grade, a one-sentence reason and a citation. */
const cited = { grade: knownGrade, reason: text, source: text };
const citedRule = z.strictObject(cited);

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

const sizeRules = z
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
