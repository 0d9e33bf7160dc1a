// Shared vocabulary of the knowledge base: grades, findings and the KnowledgeBase contract.
import type { SecurityLevel } from '../core/outcomes.js';
import type { X509Rules } from './schema.js';

/** Ordered from worst to best; `unknown` sits outside the order on purpose. */
export const ORDERED_GRADES = ['broken', 'weak', 'acceptable', 'strong'] as const;
export type KnownGrade = (typeof ORDERED_GRADES)[number];
export type Grade = KnownGrade | 'unknown';

/** One graded observation, e.g. subject 'opcua.securityPolicy', value 'Basic256'. */
export interface Finding {
  subject: string;
  value: string;
  grade: Grade;
  reason: string;
  source: string;
}

export type CredentialProtocol = 'opcua' | 'ssh' | 'http' | 'telnet' | 'ftp';
export const CREDENTIAL_PROTOCOLS = ['opcua', 'ssh', 'http', 'telnet', 'ftp'] as const satisfies readonly CredentialProtocol[];

export interface DefaultCredential {
  username: string;
  password: string;
  source: string;
  note?: string;
}

export type Verdict = 'pass' | 'fail' | 'error';

export interface Judgement {
  verdict: Verdict;
  /** Findings below the minimum grade for the SL, worst first. */
  failing: Finding[];
  /** Findings the knowledge base could not grade. */
  unknown: Finding[];
  /** One sentence naming the worst findings. */
  reason: string;
}

export interface KnowledgeBase {
  version: string;
  /** sha256 over every data file, in file-name order (see loader). */
  sha256: string;
  opcuaSecurityPolicy(uriOrName: string): Finding;
  opcuaSecurityMode(mode: string): Finding;
  /** Pairs for one protocol, in priority order, already capped by the protocol's per-username limit. */
  defaultCredentials(protocol: CredentialProtocol): DefaultCredential[];
  minimumGrade(sl: SecurityLevel): KnownGrade;
  /** pass if every finding meets the minimum for sl; fail if any is below; error (inconclusive) if none fails but some are unknown or there are none. */
  judge(findings: Finding[], sl: SecurityLevel): Judgement;
  /** Grade a certificate key: RSA/DSA by size, EC by curve, Ed25519/Ed448 by type. */
  x509Key(keyType: string, keyBits?: number, curve?: string): Finding;
  /** Grade the hash of a certificate signature ('sha1', 'sha256', ...). */
  x509SignatureHash(hash: string): Finding;
  /** The validated x509 rules (validity, lifetime, applicationUri, self-signed), for gradeCertificate. */
  readonly x509: X509Rules;
}
