// Shared vocabulary of the knowledge base: grades, findings and the KnowledgeBase contract.
import type { SecurityLevel } from '../core/outcomes.js';
import type { NetworkKnowledge } from './network-knowledge.js';
import type { X509Rules } from './schema.js';
import type { SshKnowledge } from './ssh-knowledge.js';
import type { WebKnowledge } from './web-knowledge.js';

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

/** What a Modbus function code is for (Modbus Application Protocol v1.1b3, 5 and 6). */
export type ModbusFunctionCategory = 'data-read' | 'data-write' | 'diagnostic' | 'identification' | 'file' | 'program' | 'vendor';

/**
 * Whether a device should answer a function code (IEC 62443-4-2 CR 7.7, least functionality):
 * needed by every device; review = fine when the process needs it, otherwise avoid; avoid.
 */
export type ModbusExposure = 'needed' | 'review' | 'avoid';

export interface ModbusFunctionCodeEntry {
  code: number;
  /** The last code of a range (user-defined codes); absent for a single code. */
  through?: number;
  /** MEI type (function 43 only). */
  mei?: number;
  name: string;
  category: ModbusFunctionCategory;
  exposure: ModbusExposure;
  reason: string;
  source: string;
  /** A request PDU that shows whether the device implements the code without changing its state; absent when none is known to be safe. A fresh copy per call. */
  probe?: Buffer;
  /** Why the probe is safe, or why there is none. */
  probeNote: string;
}

/** A cipher suite the knowledge base knows: what a TLS scan offers. */
export interface TlsSuiteEntry {
  iana: string;
  openssl?: string;
  /** "0xC0,0x2F" */
  code: string;
  grade: KnownGrade;
}

/** A key-exchange group the knowledge base knows, by IANA code point. */
export interface TlsGroupEntry {
  name: string;
  code: number;
  kind: 'ec' | 'ffdhe' | 'hybrid';
  grade: KnownGrade;
}

/** How a server certificate's chain verified: unverified means no trust anchor was given and no system root applies. */
export type TlsChainState = 'trusted' | 'untrusted' | 'self-signed' | 'unverified';

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
  /** Grade a protocol version as Node reports it ('TLSv1.2') or spelled 'TLS 1.2' / '0x0303'; subject 'TLS version'. */
  tlsVersion(name: string): Finding;
  /** Grade a cipher suite by IANA name, OpenSSL name or code point ('0xC0,0x2F'); subject 'TLS cipher suite', value the IANA name. */
  tlsCipherSuite(name: string): Finding;
  /** Every cipher suite in the data, in data order (what a TLS scan offers). */
  tlsCipherSuites(): TlsSuiteEntry[];
  /** Every key-exchange group in the data, in data order. */
  tlsGroups(): TlsGroupEntry[];
  /** Grade a key-exchange group by name, alias or IANA code point (29, '0x001d', 'x25519', 'P-256'); subject 'TLS key exchange group'. */
  tlsGroup(nameOrCode: string | number): Finding;
  /** Grade the prime of a TLS 1.2 (or older) DHE key exchange by its size in bits; subject 'TLS DHE prime'. */
  tlsDhePrime(bits: number): Finding;
  /** Whether the server certificate names the host the client dialled (mismatch: why not); subject 'TLS certificate name'. */
  tlsCertificateName(expectedName: string, mismatch?: string): Finding;
  /** Grade how the certificate chain verified; 'unverified' is unknown (give a trust anchor); subject 'TLS certificate chain'. */
  tlsCertificateChain(state: TlsChainState, detail: string): Finding;
  /** SSH algorithms, graded so that classifications agree with ssh-audit's. */
  readonly ssh: SshKnowledge;
  /** Web UI rules: security headers, cookie flags, session ids, error leaks, use notification. */
  readonly web: WebKnowledge;
  /** Well-known TCP ports of industrial and management services, and which of them are plaintext. */
  readonly network: NetworkKnowledge;
  /** Every known function code, in data order. */
  modbusFunctionCodes(): ModbusFunctionCodeEntry[];
  /** The entry for a function code (and MEI type, for 43), or undefined for a code the data does not know; 43 needs its mei. */
  modbusFunctionCode(code: number, mei?: number): ModbusFunctionCodeEntry | undefined;
}
