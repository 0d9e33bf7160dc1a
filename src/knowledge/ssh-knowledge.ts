// SSH weakness knowledge: the schema of data/ssh.yaml and pure lookups over it. Grades follow ssh-audit
// 2.5.0's classification (the loader refuses an entry whose grade contradicts its recorded sshAudit level).
import { z } from 'zod';
import { finding, unknownFinding } from './findings.js';
import { cited, citedRule, sizeRules, text } from './schema.js';
import type { Finding, KnownGrade } from './types.js';

/** What ssh-audit 2.5.0 says about a name: its worst level, or unknown when its database lacks the name. */
export const SSH_AUDIT_LEVELS = ['fail', 'warn', 'pass', 'unknown'] as const;
export type SshAuditLevel = (typeof SSH_AUDIT_LEVELS)[number];
const sshAudit = z.enum(SSH_AUDIT_LEVELS);

export const SSH_ALGORITHM_FAMILIES = ['kex', 'hostKey', 'cipher', 'mac', 'compression'] as const;
export type SshAlgorithmFamily = (typeof SSH_ALGORITHM_FAMILIES)[number];

export const HOST_KEY_TYPES = ['rsa', 'dsa', 'ecdsa', 'ed25519', 'ed448', 'other'] as const;
export type HostKeyType = (typeof HOST_KEY_TYPES)[number];

const algorithm = { name: text, ...cited, sshAudit };

export const sshDataSchema = z.strictObject({
  protocolVersions: z.array(z.strictObject({ name: text, ...cited })).min(1),
  kex: z.array(z.strictObject(algorithm)).min(1),
  markers: z.array(z.strictObject({ name: text, meaning: text, source: text, sshAudit })).default([]),
  hostKey: z.array(z.strictObject({ ...algorithm, keyType: z.enum(HOST_KEY_TYPES) })).min(1),
  hostKeySizes: z.strictObject({ rsa: sizeRules, dsa: sizeRules }),
  cipher: z.array(z.strictObject({ ...algorithm, terrapin: z.enum(['always', 'with-etm']).optional() })).min(1),
  mac: z.array(z.strictObject({ ...algorithm, etm: z.boolean().default(false) })).min(1),
  compression: z.array(z.strictObject({ name: text, ...cited })).min(1),
  terrapin: z.strictObject({ mitigated: citedRule, exposed: citedRule, notExposed: citedRule }),
  authMethods: z.array(z.strictObject({ name: text, ...cited })).min(1),
  noneAccepted: citedRule,
});
export type SshData = z.infer<typeof sshDataSchema>;

/** One algorithm as the knowledge base holds it (for listings, tests and the ssh-audit comparison). */
export interface SshAlgorithmEntry {
  family: SshAlgorithmFamily;
  name: string;
  grade: KnownGrade;
  reason: string;
  source: string;
  /** Absent for compression, which ssh-audit does not classify. */
  sshAudit?: SshAuditLevel;
  keyType?: HostKeyType;
}

export interface SshMarker {
  name: string;
  meaning: string;
  source: string;
  sshAudit: SshAuditLevel;
}

/** What a server offers, as its KEXINIT lists it (both directions merged for ciphers and MACs). */
export interface SshOffer {
  kex: readonly string[];
  ciphers: readonly string[];
  macs: readonly string[];
}

export interface SshKnowledge {
  /** Grades the protocol version of the identification string ('2.0', '1.99', '1.5'). */
  protocolVersion(version: string): Finding;
  /** Grades one offered name of a family; a name the data lacks is an `unknown` finding. */
  algorithm(family: SshAlgorithmFamily, name: string): Finding;
  /** A kex name-list entry that signals an extension (ext-info-s, kex-strict-s-v00@openssh.com), not an algorithm. */
  marker(name: string): SshMarker | undefined;
  /** Which key a host-key algorithm carries, so the served key's size can be graded; undefined when unknown. */
  hostKeyType(algorithm: string): HostKeyType | undefined;
  /** Grades an RSA or DSA host key by size. */
  hostKeySize(keyType: 'rsa' | 'dsa', bits: number): Finding;
  /** Whether the offer is open to the Terrapin prefix truncation (CVE-2023-48795). */
  terrapin(offer: SshOffer): Finding;
  /** Grades a user-authentication method the server lists. */
  authMethod(name: string): Finding;
  /** The finding for an account that the `none` method lets in. */
  noneAccepted(username: string): Finding;
  /** Every algorithm of a family, in data order. */
  entries(family: SshAlgorithmFamily): readonly SshAlgorithmEntry[];
  /** Every marker, in data order. */
  markers(): readonly SshMarker[];
}

const SUBJECTS: Record<SshAlgorithmFamily, { subject: string; what: string }> = {
  kex: { subject: 'ssh.kex', what: 'Key exchange algorithm' },
  hostKey: { subject: 'ssh.hostKey', what: 'Host key algorithm' },
  cipher: { subject: 'ssh.cipher', what: 'Cipher' },
  mac: { subject: 'ssh.mac', what: 'MAC algorithm' },
  compression: { subject: 'ssh.compression', what: 'Compression method' },
};

/** The grades each ssh-audit level allows: the agreement the data promises. */
const ALLOWED: Record<SshAuditLevel, readonly KnownGrade[]> = {
  fail: ['broken'],
  warn: ['weak'],
  pass: ['acceptable', 'strong'],
  unknown: ['broken', 'weak', 'acceptable', 'strong'],
};

export function gradesAllowedBy(level: SshAuditLevel): readonly KnownGrade[] {
  return ALLOWED[level];
}

export function buildSshKnowledge(data: SshData, version: string, problems: string[]): SshKnowledge {
  const file = 'ssh.yaml';
  const families: Record<SshAlgorithmFamily, SshAlgorithmEntry[]> = {
    kex: data.kex.map((e) => ({ family: 'kex', ...e })),
    hostKey: data.hostKey.map((e) => ({ family: 'hostKey', ...e })),
    cipher: data.cipher.map(({ terrapin: _t, ...e }) => ({ family: 'cipher', ...e })),
    mac: data.mac.map(({ etm: _e, ...e }) => ({ family: 'mac', ...e })),
    compression: data.compression.map((e) => ({ family: 'compression', ...e })),
  };

  // SSH names are exact, case-sensitive strings (RFC 4251, 6), so the index is too.
  const byName = {} as Record<SshAlgorithmFamily, Map<string, SshAlgorithmEntry>>;
  for (const family of SSH_ALGORITHM_FAMILIES) {
    const map = new Map<string, SshAlgorithmEntry>();
    for (const e of families[family]) {
      if (map.has(e.name)) problems.push(`${file}: ${family} "${e.name}" is listed twice`);
      if (e.sshAudit && !ALLOWED[e.sshAudit].includes(e.grade)) {
        problems.push(`${file}: ${family} "${e.name}" is graded ${e.grade}, but ssh-audit says ${e.sshAudit} (allowed: ${ALLOWED[e.sshAudit].join(' or ')})`);
      }
      map.set(e.name, e);
    }
    byName[family] = map;
  }
  const markers = new Map(data.markers.map((m) => [m.name, m]));
  if (markers.size !== data.markers.length) problems.push(`${file}: a marker is listed twice`);
  for (const m of data.markers) {
    if (byName.kex.has(m.name)) problems.push(`${file}: "${m.name}" is both a kex algorithm and a marker`);
  }
  const chachaLike = new Set(data.cipher.filter((c) => c.terrapin === 'always').map((c) => c.name));
  const cbcLike = new Set(data.cipher.filter((c) => c.terrapin === 'with-etm').map((c) => c.name));
  const etm = new Set(data.mac.filter((m) => m.etm).map((m) => m.name));
  const methods = new Map(data.authMethods.map((m) => [m.name, m]));
  if (methods.size !== data.authMethods.length) problems.push(`${file}: an auth method is listed twice`);

  const versions = new Map(data.protocolVersions.map((v) => [v.name, v]));
  return {
    protocolVersion(announced) {
      const v = versions.get(announced);
      return v ? finding('ssh.protocolVersion', v.name, v) : unknownFinding('ssh.protocolVersion', announced, 'SSH protocol version', version);
    },
    algorithm(family, name) {
      const { subject, what } = SUBJECTS[family];
      const e = byName[family].get(name);
      return e ? finding(subject, e.name, e) : unknownFinding(subject, name, what, version);
    },
    marker: (name) => markers.get(name),
    hostKeyType: (name) => byName.hostKey.get(name)?.keyType,
    hostKeySize(keyType, bits) {
      const label = `${keyType.toUpperCase()} ${bits}`;
      const rule = data.hostKeySizes[keyType].find((r) => bits >= r.minBits);
      return rule ? finding('ssh.hostKeySize', label, rule) : unknownFinding('ssh.hostKeySize', label, 'Host key size', version);
    },
    terrapin(offer) {
      const subject = 'ssh.terrapin';
      if (offer.kex.some((k) => k.startsWith('kex-strict-s-'))) return finding(subject, 'strict key exchange', data.terrapin.mitigated);
      const exposedBy = offer.ciphers.filter((c) => chachaLike.has(c));
      const cbc = offer.ciphers.filter((c) => cbcLike.has(c));
      const etmMacs = offer.macs.filter((m) => etm.has(m));
      if (cbc.length > 0 && etmMacs.length > 0) exposedBy.push(`${cbc[0]} with ${etmMacs[0]}`);
      return exposedBy.length > 0
        ? finding(subject, `exposed (${exposedBy.join(', ')})`, data.terrapin.exposed)
        : finding(subject, 'not exposed', data.terrapin.notExposed);
    },
    authMethod(name) {
      const m = methods.get(name);
      return m ? finding('ssh.authMethod', m.name, m) : unknownFinding('ssh.authMethod', name, 'Authentication method', version);
    },
    noneAccepted: (username) => finding('ssh.noneAuth', username, data.noneAccepted),
    entries: (family) => families[family],
    markers: () => data.markers,
  };
}
