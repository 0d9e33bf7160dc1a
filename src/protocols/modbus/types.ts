// The Modbus adapter's contract: what checks, the essential-function monitor and the load generators get.
// One shape for Modbus TCP, Modbus/TCP Security (TLS) and Modbus RTU on a serial line.
import type { Socket } from 'node:net';
import type { DeviceIdentification, RegisterTable } from './wire.js';

export type ModbusTransportKind = 'tcp' | 'tls' | 'rtu';

export interface ModbusConnectOptions {
  /** TLS only: connect without a client certificate, to prove the device demands one. */
  anonymous?: boolean;
  /** TLS only: present this certificate instead of the profile's (e.g. an untrusted one). */
  clientCertificate?: { cert: string | Buffer; key: string | Buffer };
  /** TLS only: restrict the handshake, e.g. { minVersion: 'TLSv1', maxVersion: 'TLSv1' } to probe legacy versions. */
  tls?: { minVersion?: 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3'; maxVersion?: 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3'; ciphers?: string };
  /** Overrides the service's reply timeout. */
  timeoutMs?: number;
}

/** What a TLS handshake established, for evidence and grading. */
export interface TlsFacts {
  protocol: string | null;
  cipher: { name: string; standardName?: string; version: string };
  /** DER of the server's certificate. */
  peerCertificate?: Buffer;
  /** Whether the server certificate verified against the profile's caFile (false when no caFile was given). */
  authorized: boolean;
  authorizationError?: string;
}

/** The device's answer to one request. */
export type LinkReply =
  | { kind: 'response'; pdu: Buffer; latencyMs: number }
  | { kind: 'exception'; functionCode: number; exceptionCode: number; latencyMs: number }
  /** Nothing came back within the timeout (a dropped frame, or a busy device). */
  | { kind: 'no-reply'; latencyMs: number }
  /** The device closed the connection (TCP/TLS) before answering. */
  | { kind: 'closed'; latencyMs: number };

/** Raw access for probes: well-formed requests, and bytes exactly as the probe built them. */
export interface ModbusLink {
  readonly kind: ModbusTransportKind;
  readonly tls?: TlsFacts;
  readonly closed: boolean;
  /** Frames one PDU for the transport (MBAP with the next transaction id, or RTU with CRC). */
  frame(pdu: Buffer, unitId?: number): Buffer;
  /** Sends one request PDU, framed, and waits for the matching reply. */
  request(pdu: Buffer, options?: { timeoutMs?: number; unitId?: number }): Promise<LinkReply>;
  /** Writes the chunks as given, with gapMs of silence between them (RTU: broken timing). No framing is added. */
  sendRaw(chunks: Buffer[], gapMs?: number): Promise<void>;
  /** Whatever the device sends within timeoutMs, and whether it closed the link meanwhile. */
  collect(timeoutMs: number): Promise<{ bytes: Buffer; closed: boolean }>;
  close(): Promise<void>;
}

/** Typed requests through modbus-serial. Throws ModbusExceptionError for an exception reply. */
export interface ModbusSession {
  readonly kind: ModbusTransportKind;
  readonly tls?: TlsFacts;
  read(table: RegisterTable, address: number, count: number): Promise<number[]>;
  write(table: 'holding' | 'coil', address: number, value: number): Promise<void>;
  readDeviceIdentification(): Promise<DeviceIdentification>;
  close(): Promise<void>;
}

export interface ModbusClientFixture {
  readonly kind: ModbusTransportKind;
  /** host:port, or the serial path and settings, for messages. */
  readonly address: string;
  readonly unitId: number;
  session(options?: ModbusConnectOptions): Promise<ModbusSession>;
  link(options?: ModbusConnectOptions): Promise<ModbusLink>;
  /** TCP and TLS only: a connected socket, for load generators that pipeline their own frames. */
  socket(options?: ModbusConnectOptions): Promise<Socket>;
  /** Closes every session, link and socket it opened. */
  close(): Promise<void>;
}

export class ModbusExceptionError extends Error {
  constructor(
    readonly functionCode: number,
    readonly exceptionCode: number,
  ) {
    super(`the device answered function ${functionCode} with exception ${exceptionCode}`);
  }
}

/** The link could not be opened; stage says how far it got. */
export class ModbusConnectError extends Error {
  constructor(
    readonly stage: 'tcp' | 'tls' | 'serial',
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}
