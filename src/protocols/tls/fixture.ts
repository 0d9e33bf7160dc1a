// The client TLS checks receive: a scanner for one TLS endpoint (HTTPS, Modbus/TCP Security, services.tls).
// Each part of the audit (versions, suites, groups, certificate) is scanned on first use and kept for the
// rest of the check; every probe goes into the check's transcript. What to offer comes from the caller.
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import tls from 'node:tls';
import type { Transcript } from '../../core/transcript.js';
import type { TlsTarget } from '../../profiles/services.js';
import { expandHome } from '../modbus/tls-setup.js';
import { CertificateFetchError, CertificateFileError, fetchCertificate, type FetchedCertificate } from './certificate.js';
import {
  TlsScanner,
  type DhePrime,
  type GroupCandidate,
  type GroupResult,
  type SuiteCandidate,
  type VersionResult,
} from './scanner.js';
import { suiteCodeText, type TlsVersionName } from './wire.js';

export { suiteKex, TlsScanError } from './scanner.js';
export type { GroupCandidate, SuiteCandidate, VersionResult } from './scanner.js';

export interface FixtureOptions {
  signal: AbortSignal;
  connectTimeoutMs: number;
  /** Pause between probe connections (default DEFAULT_PACE_MS). */
  paceMs?: number;
}

/** Small enough that a full audit of a loopback server takes about a second, large enough not to flood a PLC. */
export const DEFAULT_PACE_MS = 3;

/** What the audit offers: every suite and group the knowledge base knows. */
export interface TlsOffer {
  suites: readonly SuiteCandidate[];
  groups: readonly GroupCandidate[];
}

export interface NamedSuite {
  code: string;
  name: string;
}

export interface SuitesOfVersion {
  version: TlsVersionName;
  accepted: NamedSuite[];
  /** Suites outside the knowledge base the server accepted (found by a sweep of the unassigned code space). */
  unknown: string[];
  complete: boolean;
  notes: string[];
}

export interface SuiteScan {
  versions: VersionResult[];
  suites: SuitesOfVersion[];
}

export type NamedGroupResult = GroupResult & { name: string };

export interface GroupScan {
  versions: VersionResult[];
  /** Absent when the server does not offer TLS 1.3. */
  tls13?: NamedGroupResult[];
  /** ECDHE curves at the highest version below 1.3; absent when no such version offers ECDHE. */
  ecdhe?: { version: TlsVersionName; groups: NamedGroupResult[] };
  /** DHE primes per accepted DHE suite at the highest version below 1.3; absent when none offers DHE. */
  dhe?: { version: TlsVersionName; primes: (DhePrime & { name: string })[] };
  /** What the server's behaviour left open (timeouts), each a sentence: groups may exist that were not probed. */
  undecided: string[];
}

export interface CertificateScan extends Omit<FetchedCertificate, 'chain'> {
  chain: Buffer[];
  /** node:tls, or the clear-text Certificate message of a raw TLS <= 1.2 handshake when node:tls failed. */
  source: 'node:tls' | 'raw handshake';
  /** Why node:tls failed, when the raw handshake had to step in. */
  nodeTlsError?: string;
}

const LEGACY: readonly TlsVersionName[] = ['TLSv1.2', 'TLSv1.1', 'TLSv1', 'SSLv3'];
const isTls13Suite = (code: number) => code >> 8 === 0x13; // RFC 8446, B.4
/** SCSVs are signals, not suites (RFC 5746, RFC 7507), so the unknown-suite sweep never offers them. */
const SIGNALLING = new Set([0x00ff, 0x5600]);
/** Where registered suites live (IANA TLS Cipher Suites registry), for the sweep for suites the data lacks. */
const SWEEP_RANGES: readonly [number, number][] = [
  [0x0000, 0x00ff],
  [0xc000, 0xc1ff],
  [0xcc00, 0xccff],
  [0xd000, 0xd0ff],
];

export class TlsAuditFixture {
  readonly kind = 'tls' as const;
  private readonly scanner: TlsScanner;
  private versionsScan?: Promise<VersionResult[]>;
  private suitesScan?: Promise<SuiteScan>;
  private groupsScan?: Promise<GroupScan>;
  private certificateScan?: Promise<CertificateScan>;

  constructor(
    readonly service: TlsTarget,
    readonly transcript: Transcript,
    readonly options: FixtureOptions,
  ) {
    this.scanner = new TlsScanner({
      host: service.host,
      port: service.port,
      ...(service.serverName && isIP(service.serverName) === 0 ? { serverName: service.serverName } : {}),
      timeoutMs: options.connectTimeoutMs,
      paceMs: options.paceMs ?? DEFAULT_PACE_MS,
      signal: options.signal,
      onProbe: (p) => transcript.record('probe', { ...p }),
    });
  }

  /** TCP connections the audit opened so far (probes and the certificate handshake). */
  get connections(): number {
    return this.scanner.connections + (this.certificateScan ? 1 : 0);
  }

  /** Which protocol versions the server accepts. */
  versions(offer: TlsOffer): Promise<VersionResult[]> {
    this.versionsScan ??= this.scanner.versions(legacyCodes(offer), tls13Codes(offer), groupCodes(offer));
    return this.versionsScan;
  }

  /** The suites each offered version accepts, plus any the knowledge base does not know. */
  suites(offer: TlsOffer): Promise<SuiteScan> {
    this.suitesScan ??= (async () => {
      const versions = await this.versions(offer);
      const names = new Map(offer.suites.map((s) => [s.code, s.name]));
      const out: SuitesOfVersion[] = [];
      for (const v of versions) {
        if (v.offered !== true || v.version === 'SSLv2') continue;
        const tls13 = v.version === 'TLSv1.3';
        const known = tls13 ? tls13Codes(offer) : legacyCodes(offer);
        const found = await this.scanner.suites(v.version, known, groupCodes(offer));
        const sweep = await this.scanner.suites(v.version, unknownCodes(offer, tls13), groupCodes(offer));
        out.push({
          version: v.version,
          accepted: found.accepted.map((c) => ({ code: suiteCodeText(c), name: names.get(c) ?? suiteCodeText(c) })),
          unknown: sweep.accepted.map(suiteCodeText),
          complete: found.complete && sweep.complete,
          notes: [...found.notes, ...sweep.notes],
        });
      }
      return { versions, suites: out };
    })();
    return this.suitesScan;
  }

  /** Key-exchange groups: TLS 1.3 groups, ECDHE curves and DHE primes below 1.3. */
  groups(offer: TlsOffer): Promise<GroupScan> {
    this.groupsScan ??= (async () => {
      const versions = await this.versions(offer);
      const offered = (name: TlsVersionName) => versions.find((v) => v.version === name)?.offered === true;
      const groupName = new Map(offer.groups.map((g) => [g.code, g.name]));
      const named = (r: GroupResult): NamedGroupResult => ({ ...r, name: groupName.get(r.code) ?? `0x${r.code.toString(16).padStart(4, '0')}` });
      const scan: GroupScan = { versions, undecided: [] };
      for (const v of versions.filter((x) => x.offered === undefined && x.version !== 'SSLv2')) {
        scan.undecided.push(`whether ${v.version} is offered could not be told (${v.answer}), so its groups were not probed`);
      }
      if (offered('TLSv1.3')) {
        const results = await this.scanner.groups13(offer.groups, tls13Codes(offer));
        scan.tls13 = results.map(named);
      }
      const legacy = LEGACY.find(offered);
      const ecdheVersion = LEGACY.filter((v) => v !== 'SSLv3').find(offered) as 'TLSv1.2' | 'TLSv1.1' | 'TLSv1' | undefined;
      if (ecdheVersion) {
        const ecdheSuites = offer.suites.filter((s) => s.kex === 'ecdhe' && !isTls13Suite(s.code));
        const curves = offer.groups.filter((g) => g.kind === 'ec');
        // One hello with every curve first: a server without ECDHE at this version needs no curve-by-curve probe.
        const any = await this.scanner.suites(ecdheVersion, ecdheSuites.map((s) => s.code), curves.map((g) => g.code), { stopAfterFirst: true });
        if (any.accepted.length === 0 && !any.complete) {
          scan.undecided.push(`whether ${ecdheVersion} offers ECDHE could not be told (${any.notes.join('; ')})`);
        }
        if (any.accepted.length > 0) {
          scan.ecdhe = { version: ecdheVersion, groups: (await this.scanner.curves12(ecdheVersion, curves, ecdheSuites)).map(named) };
        }
      }
      if (legacy) {
        const dheCandidates = offer.suites.filter((s) => s.kex === 'dhe' && !isTls13Suite(s.code));
        const names = new Map(dheCandidates.map((s) => [s.code, s.name]));
        const accepted = await this.scanner.suites(legacy as Exclude<TlsVersionName, 'SSLv2' | 'TLSv1.3'>, dheCandidates.map((s) => s.code), groupCodes(offer));
        if (!accepted.complete) scan.undecided.push(`the ${legacy} DHE suites were not all found (${accepted.notes.join('; ')}), so primes may be missing`);
        if (accepted.accepted.length > 0) {
          const primes = await this.scanner.dhePrimes(legacy as 'TLSv1.2', accepted.accepted, groupCodes(offer));
          scan.dhe = { version: legacy, primes: primes.map((p) => ({ ...p, name: names.get(p.suite) ?? suiteCodeText(p.suite) })) };
        }
      }
      return scan;
    })();
    return this.groupsScan;
  }

  /** The server's certificate chain, verified against the target's CA file and checked against its name. */
  certificate(offer: TlsOffer): Promise<CertificateScan> {
    this.certificateScan ??= (async () => {
      try {
        const fetched = await fetchCertificate(this.service, { timeoutMs: this.options.connectTimeoutMs, signal: this.options.signal });
        this.transcript.record('certificate via node:tls', { protocol: fetched.protocol, cipher: fetched.cipher, certificates: fetched.chain.length, authorized: fetched.authorized });
        return { ...fetched, source: 'node:tls' as const };
      } catch (err) {
        if (!(err instanceof CertificateFetchError) || err instanceof CertificateFileError || this.options.signal.aborted) throw err;
        this.transcript.record('certificate via node:tls failed', { error: err.message });
        // Below TLS 1.3 the Certificate message travels in the clear: read it from a raw handshake.
        const versions = await this.versions(offer);
        const legacy = LEGACY.map((name) => versions.find((v) => v.version === name)).find((v) => v?.offered === true);
        if (!legacy) throw new CertificateFetchError(`${err.message}, and no version below TLS 1.3 is offered to read the certificate in the clear`);
        // Offer the suite the version probe saw accepted, so the hello is sure to get the server's certificate.
        const suites = legacy.suite === undefined ? legacyCodes(offer) : [legacy.suite];
        const chain = await this.scanner.certificates12(legacy.version as 'TLSv1.2', suites, groupCodes(offer));
        if (!chain || chain.length === 0) throw new CertificateFetchError(`${err.message}, and a raw ${legacy.version} handshake delivered no certificate either`);
        return { ...offlineVerification(this.service, chain), source: 'raw handshake' as const, nodeTlsError: err.message };
      }
    })();
    return this.certificateScan;
  }

  async close(): Promise<void> {}
}

const legacyCodes = (o: TlsOffer) => o.suites.map((s) => s.code).filter((c) => !isTls13Suite(c));
const tls13Codes = (o: TlsOffer) => o.suites.map((s) => s.code).filter(isTls13Suite);
const groupCodes = (o: TlsOffer) => o.groups.map((g) => g.code);

function unknownCodes(offer: TlsOffer, tls13: boolean): number[] {
  const known = new Set(offer.suites.map((s) => s.code));
  const ranges: readonly [number, number][] = tls13 ? [[0x1300, 0x13ff]] : SWEEP_RANGES;
  const out: number[] = [];
  for (const [from, to] of ranges) for (let c = from; c <= to; c++) if (!known.has(c) && !SIGNALLING.has(c)) out.push(c);
  return out;
}

/** Trust and name checks done locally, for a chain read from a raw handshake. */
function offlineVerification(target: TlsTarget, chain: Buffer[]): Omit<FetchedCertificate, 'chain'> & { chain: Buffer[] } {
  const certs = chain.map((der) => new X509Certificate(der));
  const anchors = (target.caFile ? pemBlocks(readFileSync(expandHome(target.caFile), 'utf8')) : [...tls.rootCertificates]).map((pem) => new X509Certificate(pem));
  const leaf = certs[0]!;
  const expectedName = target.serverName ?? target.host;
  let authorizationError: string | undefined = 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY';
  for (let i = 0; i < certs.length; i++) {
    const cert = certs[i]!;
    const anchor = anchors.find((a) => cert.checkIssued(a) && cert.verify(a.publicKey));
    if (anchor) {
      authorizationError = undefined;
      break;
    }
    const next = certs[i + 1];
    if (!next || !cert.checkIssued(next) || !cert.verify(next.publicKey)) {
      authorizationError = cert.checkIssued(cert) ? 'DEPTH_ZERO_SELF_SIGNED_CERT' : 'UNABLE_TO_VERIFY_LEAF_SIGNATURE';
      break;
    }
  }
  const matches = isIP(expectedName) ? leaf.checkIP(expectedName) : leaf.checkHost(expectedName);
  return {
    chain,
    authorized: authorizationError === undefined,
    ...(authorizationError ? { authorizationError } : {}),
    trustAnchors: target.caFile ? 'caFile' : 'system roots',
    expectedName,
    ...(matches ? {} : { nameMismatch: `the certificate does not name ${expectedName}` }),
    clientCertificate: 'none',
  };
}

function pemBlocks(text: string): string[] {
  return text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
}
