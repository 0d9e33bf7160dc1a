// OPC UA load generators: a secure-channel flood written at the UA TCP level (Hello, then OpenSecureChannel
// with SecurityPolicy None, OPC 10000-6 §7.1 and §6.7), so the harness opens channels far faster than a full
// client stack would, and a session flood through the adapter.
import { connect, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { holdConnectionsAtRate, type HoldStats } from './hold.js';
import { paced, rate } from './pacing.js';

const NONE_POLICY = 'http://opcfoundation.org/UA/SecurityPolicy#None';
/** NodeId of OpenSecureChannelRequest_Encoding_DefaultBinary (i=446), four-byte encoding. */
const OPEN_SECURE_CHANNEL_REQUEST = Buffer.from([0x01, 0x00, 0xbe, 0x01]);

function uaString(s: string | null): Buffer {
  if (s === null) return int32(-1);
  const bytes = Buffer.from(s, 'utf8');
  return Buffer.concat([int32(bytes.length), bytes]);
}
function int32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32LE(n);
  return b;
}
function uint32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
}
function message(type: string, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`${type}F`, 'ascii'), uint32(8 + body.length), body]);
}

export function helloMessage(endpointUrl: string): Buffer {
  return message('HEL', Buffer.concat([uint32(0), uint32(65_536), uint32(65_536), uint32(0), uint32(0), uaString(endpointUrl)]));
}

export function openSecureChannelNone(requestId: number): Buffer {
  const dateTime = Buffer.alloc(8);
  dateTime.writeBigInt64LE(BigInt(Date.now()) * 10_000n + 116_444_736_000_000_000n);
  const requestHeader = Buffer.concat([
    Buffer.from([0x00, 0x00]), // authenticationToken: null NodeId
    dateTime,
    uint32(requestId), // requestHandle
    uint32(0), // returnDiagnostics
    uaString(null), // auditEntryId
    uint32(10_000), // timeoutHint
    Buffer.from([0x00, 0x00, 0x00]), // additionalHeader: null ExtensionObject
  ]);
  const body = Buffer.concat([
    uint32(0), // secureChannelId
    uaString(NONE_POLICY),
    int32(-1), // senderCertificate
    int32(-1), // receiverCertificateThumbprint
    uint32(1), // sequenceNumber
    uint32(requestId),
    OPEN_SECURE_CHANNEL_REQUEST,
    requestHeader,
    uint32(0), // clientProtocolVersion
    uint32(0), // requestType: Issue
    uint32(1), // securityMode: None
    int32(0), // clientNonce: empty
    uint32(600_000), // requestedLifetime
  ]);
  return message('OPN', body);
}

export type ChannelOutcome = 'opened' | 'refused' | 'error-message' | 'timeout';

/** Opens one channel: TCP, Hello/Acknowledge, OpenSecureChannel(None). The socket stays open on success. */
export function openRawChannel(
  host: string,
  port: number,
  endpointUrl: string,
  timeoutMs: number,
): Promise<{ outcome: ChannelOutcome; socket?: Socket; ms: number }> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    let buf = Buffer.alloc(0);
    let stage: 'hello' | 'open' = 'hello';
    const done = (outcome: ChannelOutcome) => {
      clearTimeout(timer);
      socket.removeAllListeners('data');
      if (outcome !== 'opened') socket.destroy();
      resolve({ outcome, ...(outcome === 'opened' ? { socket } : {}), ms: Math.round(performance.now() - t0) });
    };
    const timer = setTimeout(() => done('timeout'), timeoutMs);
    socket.on('error', () => done('refused'));
    socket.once('close', () => done('refused'));
    socket.once('connect', () => socket.write(helloMessage(endpointUrl)));
    socket.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      while (buf.length >= 8) {
        const size = buf.readUInt32LE(4);
        if (buf.length < size) return;
        const type = buf.subarray(0, 3).toString('ascii');
        buf = buf.subarray(size);
        if (type === 'ERR') return done('error-message');
        if (stage === 'hello' && type === 'ACK') {
          stage = 'open';
          socket.write(openSecureChannelNone(1));
        } else if (stage === 'open' && type === 'OPN') {
          socket.removeAllListeners('close');
          socket.on('close', () => undefined);
          return done('opened');
        }
      }
    });
  });
}

export interface ChannelFloodStats extends HoldStats {
  targetRate: number;
  /** Median time to open a channel, ms. */
  medianOpenMs: number;
}

/** Opens secure channels (None) at targetRate per second and holds them, then closes them all. */
export async function opcuaChannelFlood(o: {
  endpointUrl: string;
  targetRate: number;
  durationMs: number;
  timeoutMs: number;
  signal: AbortSignal;
}): Promise<ChannelFloodStats> {
  const url = new URL(o.endpointUrl.replace(/^opc\.tcp:/, 'http:'));
  const host = url.hostname;
  const port = url.port ? Number(url.port) : 4840;
  const times: number[] = [];
  const held = await holdConnectionsAtRate({
    open: async () => {
      const { outcome, socket, ms } = await openRawChannel(host, port, o.endpointUrl, o.timeoutMs);
      times.push(ms);
      return outcome === 'opened' ? socket : undefined;
    },
    targetRate: o.targetRate,
    durationMs: o.durationMs,
    signal: o.signal,
    settleMs: o.timeoutMs,
  });
  times.sort((a, b) => a - b);
  return { targetRate: o.targetRate, ...held, medianOpenMs: times[Math.floor(times.length / 2)] ?? 0 };
}

export interface SessionFloodStats {
  targetRate: number;
  durationMs: number;
  attempted: number;
  opened: number;
  refused: number;
  /** Status codes of refusals, counted. */
  refusals: Record<string, number>;
  openedPerSecond: number;
}

/** Opens sessions at targetRate per second through openSession and holds them; closes them all at the end. */
export async function opcuaSessionFlood(o: {
  openSession: () => Promise<{ ok: boolean; statusCode?: string; close?: () => Promise<void> }>;
  targetRate: number;
  durationMs: number;
  signal: AbortSignal;
}): Promise<SessionFloodStats> {
  const stats: SessionFloodStats = {
    targetRate: o.targetRate,
    durationMs: 0,
    attempted: 0,
    opened: 0,
    refused: 0,
    refusals: {},
    openedPerSecond: 0,
  };
  const closers: (() => Promise<void>)[] = [];
  const pending: Promise<void>[] = [];
  const t0 = performance.now();
  await paced(o.targetRate, o.durationMs, o.signal, () => {
    stats.attempted++;
    pending.push(
      o.openSession().then(
        (r) => {
          if (r.ok) {
            stats.opened++;
            if (r.close) closers.push(r.close);
          } else {
            stats.refused++;
            const code = r.statusCode ?? 'unknown';
            stats.refusals[code] = (stats.refusals[code] ?? 0) + 1;
          }
        },
        () => {
          stats.refused++;
          stats.refusals.error = (stats.refusals.error ?? 0) + 1;
        },
      ),
    );
  });
  stats.durationMs = Math.round(performance.now() - t0);
  await Promise.allSettled(pending);
  await Promise.allSettled(closers.map((c) => c()));
  stats.openedPerSecond = rate(stats.opened, stats.durationMs);
  return stats;
}
