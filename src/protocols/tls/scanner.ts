// Enumerates what a TLS server accepts with hand-built hellos, the way testssl.sh does: protocol versions,
// the cipher suites of each version (offer the whole list, remove what the server picks, repeat), the TLS 1.3
// groups (an empty key_share makes the server name a group it supports in a HelloRetryRequest), the TLS 1.2
// ECDHE curves (one curve per hello, read back from ServerKeyExchange) and the DHE prime sizes.
// Connections are paced and counted; the lists of what to offer come from the caller (the knowledge base).
import { describeAnswer, probe, type ProbeAnswer, type ProbeTarget } from './probe.js';
import {
  AUDITED_VERSIONS,
  buildClientHello,
  buildSsl2ClientHello,
  parseServerKeyExchange,
  suiteCodeText,
  TlsWireError,
  VERSION_CODES,
  versionName,
  X25519,
  x25519PublicKey,
  type ClientHelloSpec,
  type KeyExchange,
  type RecordVersion,
  type ServerHello,
  type TlsVersionName,
} from './wire.js';

/** Old stacks fail on hellos with more than 128 suites (testssl.sh checks for this bug), so offers are cut in chunks. */
const MAX_SUITES_PER_HELLO = 128;
/** Hellos without any answer after which a server that never answered is given up on. */
const SILENT_LIMIT = 3;

export interface SuiteCandidate {
  code: number;
  name: string;
  /** How the key is agreed; decides how a ServerKeyExchange is read. */
  kex: 'ecdhe' | 'dhe' | 'other';
}

export interface GroupCandidate {
  code: number;
  name: string;
  kind: 'ec' | 'ffdhe' | 'hybrid';
}

/** The key exchange a suite's IANA name spells out (TLS_<kex>_WITH_...): ephemeral ECDH, ephemeral DH, or other. */
export function suiteKex(ianaName: string): SuiteCandidate['kex'] {
  // PSK suites put an identity hint before the key-exchange parameters, and no server picks them unasked.
  if (ianaName.includes('_PSK_')) return 'other';
  if (/^TLS_ECDHE_|^TLS_ECDH_anon_/.test(ianaName)) return 'ecdhe';
  if (/^TLS_DHE_|^TLS_DH_anon_/.test(ianaName)) return 'dhe';
  return 'other';
}

export interface ScannerOptions extends ProbeTarget {
  serverName?: string;
  timeoutMs: number;
  /** Pause between the start of one connection and the next, so a small device is not flooded. */
  paceMs: number;
  signal: AbortSignal;
  /** Told about every probe, for the transcript. */
  onProbe?: (record: ProbeRecord) => void;
}

export interface ProbeRecord {
  purpose: string;
  offered: string;
  answer: string;
  ms: number;
}

/** Whether a version is offered; undefined when the server's behaviour allowed no conclusion (timeouts). */
export interface VersionResult {
  version: TlsVersionName;
  offered: boolean | undefined;
  /** What the server answered, in words. */
  answer: string;
  /** The suite the server chose when it accepted the version. */
  suite?: number;
  /** TLS 1.3: the group of the server's key share (or of its HelloRetryRequest). */
  group?: number;
}

export interface SuiteEnumeration {
  version: TlsVersionName;
  /** In the order the server chose them (its preference, when it enforces one). */
  accepted: number[];
  /** false when a timeout or an odd answer cut the enumeration short. */
  complete: boolean;
  notes: string[];
}

export interface GroupResult {
  code: number;
  supported: boolean | undefined;
  answer: string;
  /** A group the server used although the hello did not offer it (a server that ignores the client's list). */
  used?: number;
}

export interface DhePrime {
  suite: number;
  primeBits?: number;
  answer: string;
}

/** The service cannot be scanned at all: nothing listens, or it is not TLS. */
export class TlsScanError extends Error {
  override name = 'TlsScanError';
}

/** A malformed ServerKeyExchange leaves its group or prime unread (graded unknown), rather than ending the scan. */
function readKeyExchange(body: Buffer, kind: 'ecdhe' | 'dhe'): KeyExchange {
  try {
    return parseServerKeyExchange(body, kind);
  } catch (err) {
    if (err instanceof TlsWireError) return { kind: 'unparsed', bytes: body.length };
    throw err;
  }
}

const chunks = <T>(list: readonly T[], size: number): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
};

export class TlsScanner {
  /** TCP connections opened so far. */
  connections = 0;
  private nextStart = 0;
  private silent = 0;
  private answered = false;
  private readonly keyShare = x25519PublicKey();

  constructor(private readonly o: ScannerOptions) {}

  private async pace(): Promise<void> {
    const wait = this.nextStart - Date.now();
    if (wait > 0) {
      await new Promise<void>((resolve, reject) => {
        const done = () => {
          clearTimeout(timer);
          this.o.signal.removeEventListener('abort', onAbort);
        };
        const onAbort = () => {
          done();
          reject(this.o.signal.reason ?? new Error('aborted'));
        };
        const timer = setTimeout(() => {
          done();
          resolve();
        }, wait);
        this.o.signal.addEventListener('abort', onAbort, { once: true });
      });
    }
    this.nextStart = Date.now() + this.o.paceMs;
  }

  private async send(purpose: string, offered: string, hello: Buffer, until: 'server-hello' | 'certificate' | 'key-exchange'): Promise<ProbeAnswer> {
    await this.pace();
    this.connections++;
    const t0 = Date.now();
    const answer = await probe(this.o, hello, until, { timeoutMs: this.o.timeoutMs, signal: this.o.signal });
    this.o.onProbe?.({ purpose, offered, answer: this.summary(answer), ms: Date.now() - t0 });
    if (answer.kind === 'unreachable') throw new TlsScanError(`cannot connect to ${this.o.host}:${this.o.port}: ${answer.message}`);
    if (answer.kind === 'not-tls') throw new TlsScanError(`${this.o.host}:${this.o.port} does not answer in TLS (${answer.message})`);
    if (answer.kind === 'timeout') {
      // A server that has never answered is not going to: stop before every remaining probe waits out its timeout.
      if (++this.silent >= SILENT_LIMIT && !this.answered) {
        throw new TlsScanError(`${this.o.host}:${this.o.port} answered none of ${this.silent} hellos within ${this.o.timeoutMs} ms each`);
      }
    } else {
      this.answered = true;
    }
    return answer;
  }

  private summary(a: ProbeAnswer): string {
    const sh = a.kind === 'hello' ? a.flight.serverHello : undefined;
    if (!sh) return describeAnswer(a);
    const group = sh.group === undefined ? '' : `, group 0x${sh.group.toString(16).padStart(4, '0')}`;
    return `${describeAnswer(a)} ${versionName(sh.version)} ${suiteCodeText(sh.cipherSuite)}${group}`;
  }

  private hello(version: RecordVersion, suites: readonly number[], groups: readonly number[], extra: Partial<ClientHelloSpec> = {}): Buffer {
    return buildClientHello({
      version,
      suites,
      groups,
      ...(version === 'TLSv1.3' ? { keyShares: [{ group: X25519, key: this.keyShare }] } : {}),
      ...(this.o.serverName ? { serverName: this.o.serverName } : {}),
      ...extra,
    });
  }

  /** Every audited version, oldest first. legacySuites: every suite code below TLS 1.3; tls13Suites: the TLS 1.3 ones. */
  async versions(legacySuites: readonly number[], tls13Suites: readonly number[], groups: readonly number[]): Promise<VersionResult[]> {
    const out: VersionResult[] = [];
    for (const version of AUDITED_VERSIONS) out.push(await this.version(version, legacySuites, tls13Suites, groups));
    return out;
  }

  async version(version: TlsVersionName, legacySuites: readonly number[], tls13Suites: readonly number[], groups: readonly number[]): Promise<VersionResult> {
    if (version === 'SSLv2') {
      const a = await this.send('SSLv2?', 'SSL 2.0 CLIENT-HELLO, every cipher kind', buildSsl2ClientHello(), 'server-hello');
      if (a.kind === 'hello' && a.flight.ssl2) return { version, offered: a.flight.ssl2.cipherKinds.length > 0, answer: describeAnswer(a) };
      return { version, offered: a.kind === 'timeout' ? undefined : false, answer: this.summary(a) };
    }
    const wanted = VERSION_CODES[version];
    const suites = version === 'TLSv1.3' ? tls13Suites : legacySuites;
    let timedOut = false;
    let last = 'nothing offered';
    for (const chunk of chunks(suites, MAX_SUITES_PER_HELLO)) {
      const a = await this.send(`${version}?`, `${version}, ${chunk.length} suites`, this.hello(version, chunk, groups), 'server-hello');
      last = this.summary(a);
      const sh = a.kind === 'hello' ? a.flight.serverHello : undefined;
      if (sh) {
        if (sh.version === wanted) return { version, offered: true, answer: last, suite: sh.cipherSuite, ...(sh.group === undefined ? {} : { group: sh.group }) };
        // Version negotiation precedes suite selection: a lower version now means a lower version with any suite.
        return { version, offered: false, answer: `${last} (the server answered with ${versionName(sh.version)} instead)` };
      }
      if (a.kind === 'timeout') timedOut = true;
    }
    return { version, offered: timedOut ? undefined : false, answer: last };
  }

  /** Offer every candidate, take out what the server picks, repeat until it refuses. */
  async suites(
    version: Exclude<TlsVersionName, 'SSLv2'>,
    candidates: readonly number[],
    groups: readonly number[],
    o: { stopAfterFirst?: boolean } = {},
  ): Promise<SuiteEnumeration> {
    const wanted = VERSION_CODES[version];
    const result: SuiteEnumeration = { version, accepted: [], complete: true, notes: [] };
    for (const chunk of chunks(candidates, MAX_SUITES_PER_HELLO)) {
      const remaining = [...chunk];
      while (remaining.length > 0) {
        const a = await this.send(`${version} suites`, `${version}, ${remaining.length} suites`, this.hello(version, remaining, groups), 'server-hello');
        const sh = a.kind === 'hello' ? a.flight.serverHello : undefined;
        if (!sh) {
          if (a.kind === 'timeout') {
            result.complete = false;
            result.notes.push(`a hello with ${remaining.length} suites got no answer before the timeout`);
          }
          break;
        }
        const at = remaining.indexOf(sh.cipherSuite);
        if (sh.version !== wanted || at < 0) {
          result.complete = false;
          result.notes.push(`the server answered ${versionName(sh.version)} ${suiteCodeText(sh.cipherSuite)} to an offer that did not allow it`);
          break;
        }
        result.accepted.push(sh.cipherSuite);
        remaining.splice(at, 1);
        if (o.stopAfterFirst) return result;
      }
    }
    return result;
  }

  /** TLS 1.3 groups, one per hello with an empty key_share: a HelloRetryRequest naming the group means supported. */
  async groups13(candidates: readonly GroupCandidate[], suites: readonly number[]): Promise<GroupResult[]> {
    const out: GroupResult[] = [];
    for (const g of candidates) {
      const a = await this.send('TLSv1.3 group', `TLSv1.3, group ${g.name} only, empty key_share`, this.hello('TLSv1.3', suites, [g.code], { keyShares: [] }), 'server-hello');
      out.push({ code: g.code, ...this.groupVerdict(a, g.code, a.kind === 'hello' ? a.flight.serverHello : undefined) });
    }
    return out;
  }

  private groupVerdict(a: ProbeAnswer, code: number, sh: ServerHello | undefined): Omit<GroupResult, 'code'> {
    const answer = this.summary(a);
    if (!sh) return { supported: a.kind === 'timeout' ? undefined : false, answer };
    if (sh.group === code) return { supported: true, answer };
    return { supported: undefined, answer: `${answer} (not the group offered)`, ...(sh.group === undefined ? {} : { used: sh.group }) };
  }

  /** TLS 1.2 (or older) ECDHE curves: only ECDHE suites and one curve per hello; the curve is read from ServerKeyExchange. */
  async curves12(version: 'TLSv1' | 'TLSv1.1' | 'TLSv1.2', candidates: readonly GroupCandidate[], ecdheSuites: readonly SuiteCandidate[]): Promise<GroupResult[]> {
    const out: GroupResult[] = [];
    const offer = ecdheSuites.slice(0, MAX_SUITES_PER_HELLO);
    const codes = offer.map((s) => s.code);
    for (const g of candidates) {
      const a = await this.send(`${version} curve`, `${version}, ${codes.length} ECDHE suites, group ${g.name} only`, this.hello(version, codes, [g.code]), 'key-exchange');
      const ske = a.kind === 'hello' ? a.flight.serverKeyExchange : undefined;
      const sh = a.kind === 'hello' ? a.flight.serverHello : undefined;
      if (!sh || !ske) {
        out.push({ code: g.code, supported: a.kind === 'timeout' || (sh && !ske) ? undefined : false, answer: this.summary(a) });
        continue;
      }
      const kx = readKeyExchange(ske, 'ecdhe');
      const used = kx.kind === 'ecdhe' ? kx.group : undefined;
      out.push({
        code: g.code,
        supported: used === g.code ? true : undefined,
        ...(used !== undefined && used !== g.code ? { used } : {}),
        answer: `${this.summary(a)}, ServerKeyExchange ${used === undefined ? 'without a named curve' : `curve 0x${used.toString(16).padStart(4, '0')}`}`,
      });
    }
    return out;
  }

  /** The finite-field prime each DHE suite gets, one suite per hello. */
  async dhePrimes(version: 'SSLv3' | 'TLSv1' | 'TLSv1.1' | 'TLSv1.2', dheSuites: readonly number[], groups: readonly number[]): Promise<DhePrime[]> {
    const out: DhePrime[] = [];
    for (const suite of dheSuites) {
      const a = await this.send(`${version} DHE prime`, `${version}, ${suiteCodeText(suite)} only`, this.hello(version, [suite], groups), 'key-exchange');
      const ske = a.kind === 'hello' ? a.flight.serverKeyExchange : undefined;
      const kx = ske ? readKeyExchange(ske, 'dhe') : undefined;
      out.push({ suite, ...(kx?.kind === 'dhe' ? { primeBits: kx.primeBits } : {}), answer: this.summary(a) });
    }
    return out;
  }

  /** The certificate chain from a TLS <= 1.2 handshake (sent in the clear), for servers node:tls cannot talk to. */
  async certificates12(version: 'SSLv3' | 'TLSv1' | 'TLSv1.1' | 'TLSv1.2', suites: readonly number[], groups: readonly number[]): Promise<Buffer[] | undefined> {
    const a = await this.send(`${version} certificate`, `${version}, ${suites.length} suites`, this.hello(version, suites.slice(0, MAX_SUITES_PER_HELLO), groups), 'certificate');
    return a.kind === 'hello' ? a.flight.certificates : undefined;
  }
}
