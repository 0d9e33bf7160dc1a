// Reads what an SSH server announces before any cryptography: its identification string (with any lines
// before it) and its first binary packet, the unencrypted KEXINIT with the algorithm name-lists. Raw TCP
// and no SSH library, so a server that no library can talk to is still read. Every length the server
// sends is bounded, and the whole exchange is bounded in time.
import { connect, type Socket } from 'node:net';

/** The name-lists of SSH_MSG_KEXINIT (RFC 4253, 7.1), in wire order. */
export interface KexInitLists {
  kex: string[];
  hostKey: string[];
  cipherC2s: string[];
  cipherS2c: string[];
  macC2s: string[];
  macS2c: string[];
  compressionC2s: string[];
  compressionS2c: string[];
  languagesC2s: string[];
  languagesS2c: string[];
  firstKexPacketFollows: boolean;
}

export interface ServerHello {
  /** The identification line without CR LF, e.g. "SSH-2.0-dropbear_2012.55". */
  ident: string;
  protocolVersion: string;
  softwareVersion: string;
  comments?: string;
  /** Lines the server sent before its identification (RFC 4253, 4.2 allows them). */
  preIdentLines: string[];
  /** Undefined when the server speaks SSH-1 only (it sends no KEXINIT). */
  kexinit?: KexInitLists;
  /** How long from connecting to the complete KEXINIT. */
  elapsedMs: number;
}

/** The server's bytes are not SSH as RFC 4253 defines it; the message says where. */
export class SshWireError extends Error {
  override name = 'SshWireError';
}

/** RFC 4253, 4.2: the identification line is at most 255 bytes with CR LF. Other lines get a little more room. */
const MAX_LINE = 1024;
const MAX_PRE_IDENT_LINES = 50;
/** RFC 4253, 6.1 requires handling packets of 35000 bytes; a KEXINIT is a few kilobytes. */
const MAX_PACKET = 35_000;
const MAX_NAME_LIST = 16 * 1024;
const MSG_DISCONNECT = 1;
const MSG_KEXINIT = 20;

export const CLIENT_IDENT = 'SSH-2.0-otconform_probe';

type Step =
  | { kind: 'more' }
  | { kind: 'done'; hello: Omit<ServerHello, 'elapsedMs'> };

/**
 * Incremental parser over what the server sent so far: "more" until the identification and the first
 * packet are complete. Throws SshWireError on anything malformed.
 */
export function parseServerHello(data: Buffer): Step {
  const preIdentLines: string[] = [];
  let offset = 0;
  for (;;) {
    const lf = data.indexOf(0x0a, offset);
    if (lf === -1) {
      if (data.length - offset > MAX_LINE) throw new SshWireError(`a line from the server is longer than ${MAX_LINE} bytes`);
      return { kind: 'more' };
    }
    if (lf - offset > MAX_LINE) throw new SshWireError(`a line from the server is longer than ${MAX_LINE} bytes`);
    const line = data.subarray(offset, lf).toString('latin1').replace(/\r$/, '');
    offset = lf + 1;
    if (line.startsWith('SSH-')) {
      const ident = parseIdent(line);
      if (!['2.0', '1.99'].includes(ident.protocolVersion)) {
        return { kind: 'done', hello: { ...ident, preIdentLines } };
      }
      const packet = readPacket(data, offset);
      if (!packet) return { kind: 'more' };
      return { kind: 'done', hello: { ...ident, preIdentLines, kexinit: parseKexInit(packet) } };
    }
    if (preIdentLines.length >= MAX_PRE_IDENT_LINES) {
      throw new SshWireError(`the server sent more than ${MAX_PRE_IDENT_LINES} lines without an SSH identification`);
    }
    preIdentLines.push(printable(line));
  }
}

function parseIdent(line: string): Pick<ServerHello, 'ident' | 'protocolVersion' | 'softwareVersion' | 'comments'> {
  if (line.length > 253) throw new SshWireError('the identification string is longer than 255 bytes (RFC 4253, 4.2)');
  const m = /^SSH-([^-\s]+)-(\S+)(?: (.*))?$/.exec(line);
  if (!m) throw new SshWireError(`malformed identification string "${printable(line)}"`);
  return {
    ident: printable(line),
    protocolVersion: m[1]!,
    softwareVersion: printable(m[2]!),
    ...(m[3] ? { comments: printable(m[3]) } : {}),
  };
}

/** The payload of the binary packet at offset, or undefined if it is not complete yet. */
function readPacket(data: Buffer, offset: number): Buffer | undefined {
  if (data.length < offset + 5) return undefined;
  const packetLength = data.readUInt32BE(offset);
  if (packetLength > MAX_PACKET || packetLength < 2) {
    throw new SshWireError(`the first packet claims a length of ${packetLength} bytes (allowed: 2 to ${MAX_PACKET})`);
  }
  if (data.length < offset + 4 + packetLength) return undefined;
  const padding = data[offset + 4]!;
  const payloadLength = packetLength - padding - 1;
  if (payloadLength < 1) throw new SshWireError(`the first packet's padding (${padding}) leaves no payload`);
  return data.subarray(offset + 5, offset + 5 + payloadLength);
}

/** Parses an SSH_MSG_KEXINIT payload (RFC 4253, 7.1). */
export function parseKexInit(payload: Buffer): KexInitLists {
  const type = payload[0];
  if (type === MSG_DISCONNECT) throw new SshWireError(`the server disconnected instead of starting key exchange: ${disconnectText(payload)}`);
  if (type !== MSG_KEXINIT) throw new SshWireError(`the server's first packet is message ${type}, not KEXINIT (20)`);
  let at = 1 + 16; // message type, cookie
  const nameList = (what: string): string[] => {
    if (payload.length < at + 4) throw new SshWireError(`KEXINIT ends before its ${what} list`);
    const length = payload.readUInt32BE(at);
    at += 4;
    if (length > MAX_NAME_LIST || payload.length < at + length) throw new SshWireError(`KEXINIT's ${what} list claims ${length} bytes, more than the packet holds`);
    const raw = payload.subarray(at, at + length);
    at += length;
    if (length === 0) return [];
    // Names are printable US-ASCII without commas or spaces (RFC 4251, 5 and 6).
    if (raw.some((b) => b < 0x21 || b > 0x7e)) throw new SshWireError(`KEXINIT's ${what} list holds bytes that are not printable ASCII`);
    const names = raw.toString('ascii').split(',');
    if (names.some((n) => n.length === 0)) throw new SshWireError(`KEXINIT's ${what} list has an empty name`);
    return names;
  };
  const lists: Omit<KexInitLists, 'firstKexPacketFollows'> = {
    kex: nameList('key exchange'),
    hostKey: nameList('host key'),
    cipherC2s: nameList('client-to-server cipher'),
    cipherS2c: nameList('server-to-client cipher'),
    macC2s: nameList('client-to-server MAC'),
    macS2c: nameList('server-to-client MAC'),
    compressionC2s: nameList('client-to-server compression'),
    compressionS2c: nameList('server-to-client compression'),
    languagesC2s: nameList('client-to-server language'),
    languagesS2c: nameList('server-to-client language'),
  };
  if (payload.length < at + 1) throw new SshWireError('KEXINIT ends before first_kex_packet_follows');
  return { ...lists, firstKexPacketFollows: payload[at] !== 0 };
}

function disconnectText(payload: Buffer): string {
  if (payload.length < 9) return 'no reason given';
  const code = payload.readUInt32BE(1);
  const length = Math.min(payload.readUInt32BE(5), payload.length - 9, 200);
  return `reason ${code}${length > 0 ? `, "${printable(payload.subarray(9, 9 + length).toString('utf8'))}"` : ''}`;
}

/** Control characters out, length bounded: the device's text goes into reports. */
function printable(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?').slice(0, 300);
}

export interface HelloOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  /** What we announce ourselves as. */
  clientIdent?: string;
}

/** Connects, announces itself, and reads the server's identification and KEXINIT; then hangs up. */
export function readServerHello(host: string, port: number, o: HelloOptions): Promise<ServerHello> {
  return new Promise((resolve, reject) => {
    if (o.signal?.aborted) return reject(new Error('aborted before connecting'));
    const started = performance.now();
    let received = Buffer.alloc(0);
    let settled = false;
    const socket: Socket = connect({ host, port });
    const finish = (err: Error | undefined, hello?: ServerHello) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      o.signal?.removeEventListener('abort', onAbort);
      socket.destroy();
      if (err) reject(err);
      else resolve(hello!);
    };
    const onAbort = () => finish(new Error('aborted while reading the SSH server hello'));
    o.signal?.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(() => {
      const got = received.length === 0 ? 'nothing' : `${received.length} bytes`;
      finish(new Error(`no complete SSH identification and KEXINIT within ${o.timeoutMs} ms (received ${got})`));
    }, o.timeoutMs);

    socket.on('connect', () => socket.write(`${o.clientIdent ?? CLIENT_IDENT}\r\n`));
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      // Bounded: identification lines plus one packet can never legitimately be this large.
      if (received.length > MAX_PRE_IDENT_LINES * MAX_LINE + MAX_PACKET + 4) {
        return finish(new SshWireError('the server sent too much data before its KEXINIT'));
      }
      try {
        const step = parseServerHello(received);
        if (step.kind === 'done') finish(undefined, { ...step.hello, elapsedMs: Math.round(performance.now() - started) });
      } catch (err) {
        finish(err as Error);
      }
    });
    socket.on('error', (err) => finish(new Error(`cannot read the SSH server hello from ${host}:${port}: ${err.message}`)));
    socket.on('close', () => finish(new Error(`the server closed the connection after ${received.length} bytes, before a complete identification and KEXINIT`)));
  });
}
