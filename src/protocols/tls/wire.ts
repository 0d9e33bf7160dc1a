// TLS on the wire, as far as an audit needs it: building ClientHellos byte by byte (so the harness can offer
// what node:tls cannot: SSLv3, suites OpenSSL will not send, one group at a time, an empty key_share) and
// reading the server's first flight up to ServerHello, Certificate and ServerKeyExchange, or an alert.
// Pure functions over Buffers; the connection lives in probe.ts.
import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';

/** Protocol version code points (RFC 8446, B.1; SSL 3.0 RFC 6101). SSL 2.0 has its own format below. */
export const VERSION_CODES = {
  SSLv3: 0x0300,
  TLSv1: 0x0301,
  'TLSv1.1': 0x0302,
  'TLSv1.2': 0x0303,
  'TLSv1.3': 0x0304,
} as const;
export type RecordVersion = keyof typeof VERSION_CODES;
/** Every version an audit probes, oldest first; names as Node.js reports them. */
export const AUDITED_VERSIONS = ['SSLv2', 'SSLv3', 'TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'] as const;
export type TlsVersionName = (typeof AUDITED_VERSIONS)[number];

export function versionName(code: number): string {
  const hit = Object.entries(VERSION_CODES).find(([, c]) => c === code);
  return hit ? hit[0] : `0x${code.toString(16).padStart(4, '0')}`;
}

const CONTENT = { changeCipherSpec: 20, alert: 21, handshake: 22, applicationData: 23 } as const;
export const HANDSHAKE = {
  clientHello: 1,
  serverHello: 2,
  certificate: 11,
  serverKeyExchange: 12,
  certificateRequest: 13,
  serverHelloDone: 14,
  certificateStatus: 22,
} as const;
const EXT = {
  serverName: 0,
  supportedGroups: 10,
  ecPointFormats: 11,
  signatureAlgorithms: 13,
  extendedMasterSecret: 23,
  supportedVersions: 43,
  pskKeyExchangeModes: 45,
  keyShare: 51,
  renegotiationInfo: 0xff01,
} as const;

/** The x25519 group code point (RFC 8446, 4.2.7): the one key share a normal TLS 1.3 hello carries. */
export const X25519 = 0x001d;

/** A HelloRetryRequest is a ServerHello whose random is SHA-256("HelloRetryRequest") (RFC 8446, 4.1.3). */
const HRR_RANDOM = createHash('sha256').update('HelloRetryRequest').digest();

/**
 * Signature schemes offered in TLS 1.2 and 1.3 hellos: every scheme a server might hold a key for, SHA-1 and
 * DSA included, so that a server is never refused for the harness's taste (grading happens elsewhere).
 */
const SIGNATURE_SCHEMES = [
  0x0403, 0x0503, 0x0603, 0x0807, 0x0808, 0x0804, 0x0805, 0x0806, 0x0809, 0x080a, 0x080b, 0x0401, 0x0501, 0x0601,
  0x0303, 0x0301, 0x0302, 0x0402, 0x0502, 0x0602, 0x0203, 0x0201, 0x0202,
];

/** Alert descriptions (RFC 8446, 6 and RFC 5246, 7.2) for readable evidence; unknown ones print as numbers. */
const ALERTS: Record<number, string> = {
  0: 'close_notify',
  10: 'unexpected_message',
  20: 'bad_record_mac',
  22: 'record_overflow',
  40: 'handshake_failure',
  42: 'bad_certificate',
  43: 'unsupported_certificate',
  47: 'illegal_parameter',
  50: 'decode_error',
  51: 'decrypt_error',
  70: 'protocol_version',
  71: 'insufficient_security',
  80: 'internal_error',
  86: 'inappropriate_fallback',
  90: 'user_canceled',
  109: 'missing_extension',
  110: 'unsupported_extension',
  112: 'unrecognized_name',
  116: 'certificate_required',
  120: 'no_application_protocol',
};

export function alertName(description: number): string {
  return ALERTS[description] ?? `alert ${description}`;
}

/** "0xC0,0x2F": the spelling IANA, OpenSSL and the knowledge base use for a suite code point. */
export function suiteCodeText(code: number): string {
  const hex = (b: number) => `0x${b.toString(16).toUpperCase().padStart(2, '0')}`;
  return `${hex(code >> 8)},${hex(code & 0xff)}`;
}

export function parseSuiteCode(text: string): number {
  const m = /^0x([0-9a-f]{2}),0x([0-9a-f]{2})$/i.exec(text.trim());
  if (!m) throw new Error(`not a cipher suite code point: ${text}`);
  return (parseInt(m[1]!, 16) << 8) | parseInt(m[2]!, 16);
}

// ---------- building ----------

const u8 = (n: number) => Buffer.from([n & 0xff]);
const u16 = (n: number) => Buffer.from([(n >> 8) & 0xff, n & 0xff]);
const u24 = (n: number) => Buffer.from([(n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff]);
const vec8 = (b: Buffer) => Buffer.concat([u8(b.length), b]);
const vec16 = (b: Buffer) => Buffer.concat([u16(b.length), b]);
const list16 = (codes: readonly number[]) => vec16(Buffer.concat(codes.map(u16)));

function extension(type: number, body: Buffer): Buffer {
  return Buffer.concat([u16(type), vec16(body)]);
}

/** A fresh x25519 public key: a TLS 1.3 server only answers with a ServerHello to a real share. */
export function x25519PublicKey(): Buffer {
  const { publicKey } = generateKeyPairSync('x25519');
  // The raw key is the last 32 bytes of the SubjectPublicKeyInfo.
  return publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
}

export interface ClientHelloSpec {
  /** The version the hello asks for; TLSv1.3 is offered through supported_versions. */
  version: RecordVersion;
  suites: readonly number[];
  /** supported_groups, in preference order; omitted for SSLv3. */
  groups?: readonly number[];
  /** TLS 1.3 key shares: [] sends an empty list (the server must answer with a HelloRetryRequest). */
  keyShares?: readonly { group: number; key: Buffer }[];
  /** SNI (DNS names only, RFC 6066, 3). */
  serverName?: string;
}

export function buildClientHello(spec: ClientHelloSpec, random: Buffer = randomBytes32()): Buffer {
  const tls13 = spec.version === 'TLSv1.3';
  const legacyVersion = tls13 ? VERSION_CODES['TLSv1.2'] : VERSION_CODES[spec.version];
  const extensions: Buffer[] = [];
  // SSL 3.0 servers may choke on extensions, and have no use for them.
  if (spec.version !== 'SSLv3') {
    if (spec.serverName) {
      const name = Buffer.from(spec.serverName, 'ascii');
      extensions.push(extension(EXT.serverName, vec16(Buffer.concat([u8(0), vec16(name)]))));
    }
    if (spec.groups && spec.groups.length > 0) {
      extensions.push(extension(EXT.supportedGroups, list16(spec.groups)));
      extensions.push(extension(EXT.ecPointFormats, vec8(Buffer.from([0]))));
    }
    if (spec.version === 'TLSv1.2' || tls13) extensions.push(extension(EXT.signatureAlgorithms, list16(SIGNATURE_SCHEMES)));
    extensions.push(extension(EXT.extendedMasterSecret, Buffer.alloc(0)));
    extensions.push(extension(EXT.renegotiationInfo, vec8(Buffer.alloc(0))));
    if (tls13) {
      extensions.push(extension(EXT.supportedVersions, vec8(u16(VERSION_CODES['TLSv1.3']))));
      extensions.push(extension(EXT.pskKeyExchangeModes, vec8(Buffer.from([1]))));
      const shares = (spec.keyShares ?? []).map((s) => Buffer.concat([u16(s.group), vec16(s.key)]));
      extensions.push(extension(EXT.keyShare, vec16(Buffer.concat(shares))));
    }
  }
  const body = Buffer.concat([
    u16(legacyVersion),
    random,
    // TLS 1.3 middlebox compatibility mode sends a 32-byte legacy session id (RFC 8446, D.4).
    vec8(tls13 ? randomBytes32() : Buffer.alloc(0)),
    list16(spec.suites),
    vec8(Buffer.from([0])), // compression: null only
    ...(extensions.length > 0 ? [vec16(Buffer.concat(extensions))] : []),
  ]);
  const handshake = Buffer.concat([u8(HANDSHAKE.clientHello), u24(body.length), body]);
  // The record layer says TLS 1.0 (SSL 3.0 for an SSL 3.0 hello), as real clients do for compatibility.
  const recordVersion = spec.version === 'SSLv3' ? VERSION_CODES.SSLv3 : VERSION_CODES.TLSv1;
  return Buffer.concat([u8(CONTENT.handshake), u16(recordVersion), vec16(handshake)]);
}

/** SSL 2.0 cipher kinds (draft-hickman-netscape-ssl-00, appendix C): every one there is. */
const SSL2_CIPHER_KINDS = [0x010080, 0x020080, 0x030080, 0x040080, 0x050080, 0x060040, 0x0700c0];

/** An SSL 2.0 CLIENT-HELLO in SSL 2.0's own record format. */
export function buildSsl2ClientHello(): Buffer {
  const specs = Buffer.concat(SSL2_CIPHER_KINDS.map((k) => Buffer.from([(k >> 16) & 0xff, (k >> 8) & 0xff, k & 0xff])));
  const challenge = randomBytes32().subarray(0, 16);
  const body = Buffer.concat([u8(1), u16(0x0002), u16(specs.length), u16(0), u16(challenge.length), specs, challenge]);
  return Buffer.concat([u16(0x8000 | body.length), body]);
}

function randomBytes32(): Buffer {
  return randomBytes(32);
}

// ---------- reading ----------

export interface ServerHello {
  /** The negotiated version: supported_versions when present (TLS 1.3), else the legacy field. */
  version: number;
  legacyVersion: number;
  cipherSuite: number;
  helloRetryRequest: boolean;
  /** TLS 1.3: the group of the server's key share, or the group a HelloRetryRequest asks for. */
  group?: number;
  extensions: number[];
}

export type KeyExchange =
  | { kind: 'ecdhe'; group: number }
  | { kind: 'dhe'; primeBits: number }
  | { kind: 'unparsed'; bytes: number };

/** Everything read from one server flight, as far as the caller asked for. */
export interface ServerFlight {
  serverHello?: ServerHello;
  /** DER certificates of a TLS <= 1.2 Certificate message, leaf first. */
  certificates?: Buffer[];
  /** ServerKeyExchange, raw; parsed by the caller, who knows the suite's key exchange. */
  serverKeyExchange?: Buffer;
  serverHelloDone?: boolean;
  alert?: { level: number; description: number };
  /** An SSL 2.0 SERVER-HELLO, with the cipher kinds it lists. */
  ssl2?: { cipherKinds: number[] };
}

/** Largest handshake message read: a long certificate chain fits, a hostile 16 MB claim does not. */
const MAX_HANDSHAKE = 256 * 1024;

export class TlsWireError extends Error {
  override name = 'TlsWireError';
}

/**
 * Incremental reader of the server's records. feed() returns true when the flight holds what `until` asks
 * for (or an alert ended it); it throws TlsWireError on bytes that are not TLS.
 */
export class FlightReader {
  readonly flight: ServerFlight = {};
  private buffer = Buffer.alloc(0);
  private handshake = Buffer.alloc(0);
  private first = true;
  /** Set once the first bytes look like an SSL 2.0 SERVER-HELLO: later chunks complete that record. */
  private ssl2 = false;

  constructor(private readonly until: 'server-hello' | 'certificate' | 'key-exchange') {}

  feed(chunk: Buffer): boolean {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    if (this.first && this.buffer.length >= 3) {
      this.first = false;
      // SSL 2.0 record: two-byte header with the top bit set, then SERVER-HELLO (4).
      this.ssl2 = (this.buffer[0]! & 0x80) !== 0 && this.buffer[2] === 4;
    }
    if (this.ssl2) return this.readSsl2();
    while (this.buffer.length >= 5) {
      const type = this.buffer[0]!;
      const major = this.buffer[1]!;
      const length = this.buffer.readUInt16BE(3);
      if (major !== 3 || ![CONTENT.changeCipherSpec, CONTENT.alert, CONTENT.handshake, CONTENT.applicationData].includes(type as 20)) {
        throw new TlsWireError(`the answer is not TLS (first bytes ${this.buffer.subarray(0, 5).toString('hex')})`);
      }
      if (length > 18_432) throw new TlsWireError(`a record of ${length} bytes exceeds the TLS limit`);
      if (this.buffer.length < 5 + length) return false;
      const fragment = this.buffer.subarray(5, 5 + length);
      this.buffer = this.buffer.subarray(5 + length);
      if (type === CONTENT.alert) {
        if (fragment.length >= 2) this.flight.alert = { level: fragment[0]!, description: fragment[1]! };
        return true;
      }
      if (type === CONTENT.handshake) {
        this.handshake = Buffer.concat([this.handshake, fragment]);
        if (this.readHandshakes()) return true;
      } else if (this.flight.serverHello) {
        // Encrypted records (TLS 1.3 after ServerHello): nothing more is readable in the clear.
        return true;
      }
    }
    return false;
  }

  private readSsl2(): boolean {
    const length = ((this.buffer[0]! & 0x7f) << 8) | this.buffer[1]!;
    if (this.buffer.length < 2 + length) return false;
    const body = this.buffer.subarray(2, 2 + length);
    if (body.length < 11) throw new TlsWireError('the SSL 2.0 SERVER-HELLO is truncated');
    // SERVER-HELLO: type, session-id-hit, certificate type, version(2), cert length(2), cipher specs length(2), ...
    const certLength = body.readUInt16BE(5);
    const specsLength = body.readUInt16BE(7);
    const specs = body.subarray(11 + certLength, 11 + certLength + specsLength);
    const kinds: number[] = [];
    for (let i = 0; i + 3 <= specs.length; i += 3) kinds.push((specs[i]! << 16) | (specs[i + 1]! << 8) | specs[i + 2]!);
    this.flight.ssl2 = { cipherKinds: kinds };
    return true;
  }

  /** Takes every complete handshake message; true when the flight is complete enough. */
  private readHandshakes(): boolean {
    while (this.handshake.length >= 4) {
      const type = this.handshake[0]!;
      const length = this.handshake.readUIntBE(1, 3);
      if (length > MAX_HANDSHAKE) throw new TlsWireError(`a handshake message of ${length} bytes exceeds the ${MAX_HANDSHAKE}-byte limit`);
      if (this.handshake.length < 4 + length) return false;
      const body = this.handshake.subarray(4, 4 + length);
      this.handshake = this.handshake.subarray(4 + length);
      switch (type) {
        case HANDSHAKE.serverHello: {
          this.flight.serverHello = parseServerHello(body);
          const sh = this.flight.serverHello;
          if (this.until === 'server-hello' || sh.helloRetryRequest || sh.version === VERSION_CODES['TLSv1.3']) return true;
          break;
        }
        case HANDSHAKE.certificate:
          this.flight.certificates = parseCertificateList(body);
          if (this.until === 'certificate') return true;
          break;
        case HANDSHAKE.serverKeyExchange:
          this.flight.serverKeyExchange = Buffer.from(body);
          return true;
        case HANDSHAKE.serverHelloDone:
          this.flight.serverHelloDone = true;
          return true;
        default:
          break; // CertificateStatus, CertificateRequest: not needed
      }
    }
    return false;
  }
}

class Cursor {
  private at = 0;
  constructor(private readonly b: Buffer, private readonly what: string) {}
  private need(n: number): void {
    if (this.at + n > this.b.length) throw new TlsWireError(`${this.what} is truncated`);
  }
  u8(): number {
    this.need(1);
    return this.b[this.at++]!;
  }
  u16(): number {
    this.need(2);
    const v = this.b.readUInt16BE(this.at);
    this.at += 2;
    return v;
  }
  u24(): number {
    this.need(3);
    const v = this.b.readUIntBE(this.at, 3);
    this.at += 3;
    return v;
  }
  bytes(n: number): Buffer {
    this.need(n);
    const v = this.b.subarray(this.at, this.at + n);
    this.at += n;
    return v;
  }
  get left(): number {
    return this.b.length - this.at;
  }
}

export function parseServerHello(body: Buffer): ServerHello {
  const c = new Cursor(body, 'ServerHello');
  const legacyVersion = c.u16();
  const random = c.bytes(32);
  c.bytes(c.u8()); // session id
  const cipherSuite = c.u16();
  c.u8(); // compression
  const hello: ServerHello = {
    version: legacyVersion,
    legacyVersion,
    cipherSuite,
    helloRetryRequest: random.equals(HRR_RANDOM),
    extensions: [],
  };
  if (c.left < 2) return hello;
  const ext = new Cursor(c.bytes(c.u16()), 'ServerHello extensions');
  while (ext.left >= 4) {
    const type = ext.u16();
    const data = new Cursor(ext.bytes(ext.u16()), `ServerHello extension ${type}`);
    hello.extensions.push(type);
    if (type === EXT.supportedVersions) hello.version = data.u16();
    else if (type === EXT.keyShare) hello.group = data.u16(); // ServerHello: group + key; HRR: selected_group
  }
  return hello;
}

function parseCertificateList(body: Buffer): Buffer[] {
  const c = new Cursor(body, 'Certificate');
  const list = new Cursor(c.bytes(c.u24()), 'certificate_list');
  const out: Buffer[] = [];
  while (list.left > 0) out.push(Buffer.from(list.bytes(list.u24())));
  return out;
}

/** The group or prime size in a ServerKeyExchange (RFC 8422, 5.4; RFC 5246, 7.4.3), given the suite's key exchange. */
export function parseServerKeyExchange(body: Buffer, kind: 'ecdhe' | 'dhe'): KeyExchange {
  const c = new Cursor(body, 'ServerKeyExchange');
  if (kind === 'ecdhe') {
    const curveType = c.u8();
    if (curveType !== 3) return { kind: 'unparsed', bytes: body.length }; // explicit curves: no named group
    return { kind: 'ecdhe', group: c.u16() };
  }
  const p = c.bytes(c.u16());
  // Leading zero bytes do not count towards the prime's size.
  let i = 0;
  while (i < p.length && p[i] === 0) i++;
  const top = p[i] ?? 0;
  const bits = (p.length - i - 1) * 8 + (top === 0 ? 0 : Math.floor(Math.log2(top)) + 1);
  return { kind: 'dhe', primeBits: Math.max(bits, 0) };
}
