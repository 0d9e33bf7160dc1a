// The Modbus wire format, shared by the harness's client and the bundled PLC simulator: MBAP (TCP and
// Modbus/TCP Security) and RTU framing, CRC-16, and the PDUs the checks send. Pure functions over Buffers,
// so malformed frames are built by changing one field of a well-formed one.

/** Function codes by name (Modbus Application Protocol v1.1b3, 6). */
export const FC = {
  readCoils: 0x01,
  readDiscreteInputs: 0x02,
  readHoldingRegisters: 0x03,
  readInputRegisters: 0x04,
  writeSingleCoil: 0x05,
  writeSingleRegister: 0x06,
  readExceptionStatus: 0x07,
  diagnostics: 0x08,
  getCommEventCounter: 0x0b,
  getCommEventLog: 0x0c,
  writeMultipleCoils: 0x0f,
  writeMultipleRegisters: 0x10,
  reportServerId: 0x11,
  readFileRecord: 0x14,
  writeFileRecord: 0x15,
  maskWriteRegister: 0x16,
  readWriteMultipleRegisters: 0x17,
  readFifoQueue: 0x18,
  encapsulatedInterface: 0x2b,
} as const;

/** Exception codes (Modbus Application Protocol v1.1b3, 7). */
export const EXCEPTION = {
  illegalFunction: 0x01,
  illegalDataAddress: 0x02,
  illegalDataValue: 0x03,
  serverDeviceFailure: 0x04,
  acknowledge: 0x05,
  serverDeviceBusy: 0x06,
  gatewayPathUnavailable: 0x0a,
  gatewayTargetFailedToRespond: 0x0b,
} as const;

export const EXCEPTION_NAMES: Record<number, string> = Object.fromEntries(
  Object.entries(EXCEPTION).map(([name, code]) => [code, name]),
);

/** A PDU is at most 253 bytes (256-byte RTU ADU minus address and CRC). */
export const MAX_PDU_LENGTH = 253;
export const MBAP_HEADER_LENGTH = 7;

export type RegisterTable = 'holding' | 'input' | 'coil' | 'discrete';

export const READ_FUNCTION: Record<RegisterTable, number> = {
  coil: FC.readCoils,
  discrete: FC.readDiscreteInputs,
  holding: FC.readHoldingRegisters,
  input: FC.readInputRegisters,
};

/** MODBUS over serial line v1.02, 6.2.2: CRC-16/MODBUS, sent low byte first. */
export function crc16(bytes: Uint8Array): number {
  let crc = 0xffff;
  for (const b of bytes) {
    crc ^= b;
    for (let i = 0; i < 8; i++) crc = crc & 1 ? (crc >>> 1) ^ 0xa001 : crc >>> 1;
  }
  return crc;
}

/** MBAP header + PDU. lengthOverride lets a probe lie about the length field. */
export function encodeMbap(transactionId: number, unitId: number, pdu: Buffer, lengthOverride?: number): Buffer {
  const header = Buffer.alloc(MBAP_HEADER_LENGTH);
  header.writeUInt16BE(transactionId & 0xffff, 0);
  header.writeUInt16BE(0, 2); // protocol id: 0 = Modbus
  header.writeUInt16BE(lengthOverride ?? pdu.length + 1, 4);
  header.writeUInt8(unitId, 6);
  return Buffer.concat([header, pdu]);
}

export interface MbapFrame {
  transactionId: number;
  protocolId: number;
  /** The length field as sent: unit id + PDU. */
  length: number;
  unitId: number;
  pdu: Buffer;
}

/**
 * Takes one complete MBAP frame off the front of buf. Returns undefined while the frame is incomplete;
 * frame.length is trusted as sent, so callers decide what an implausible length means.
 */
export function takeMbapFrame(buf: Buffer): { frame: MbapFrame; rest: Buffer } | undefined {
  if (buf.length < MBAP_HEADER_LENGTH) return undefined;
  const length = buf.readUInt16BE(4);
  const total = 6 + length;
  if (length < 1 || buf.length < total) return undefined;
  return {
    frame: {
      transactionId: buf.readUInt16BE(0),
      protocolId: buf.readUInt16BE(2),
      length,
      unitId: buf.readUInt8(6),
      pdu: buf.subarray(MBAP_HEADER_LENGTH, total),
    },
    rest: buf.subarray(total),
  };
}

/** Address + PDU + CRC (low byte first). */
export function encodeRtu(unitId: number, pdu: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from([unitId]), pdu]);
  const crc = Buffer.alloc(2);
  crc.writeUInt16LE(crc16(body), 0);
  return Buffer.concat([body, crc]);
}

/** Splits a complete RTU frame; crcOk says whether the CRC matches. */
export function decodeRtu(frame: Buffer): { unitId: number; pdu: Buffer; crcOk: boolean } | undefined {
  if (frame.length < 4) return undefined;
  const body = frame.subarray(0, frame.length - 2);
  return { unitId: frame[0]!, pdu: frame.subarray(1, frame.length - 2), crcOk: crc16(body) === frame.readUInt16LE(frame.length - 2) };
}

/**
 * The length of the RTU response frame that starts buf, from its function code, or undefined when more
 * bytes are needed to tell. Used by the harness to know when an answer on a serial line is complete.
 */
export function expectedRtuResponseLength(buf: Buffer): number | undefined {
  if (buf.length < 2) return undefined;
  const fc = buf[1]!;
  if (fc & 0x80) return 5;
  switch (fc) {
    case 0x01:
    case 0x02:
    case 0x03:
    case 0x04:
    case 0x0c:
    case 0x11:
    case 0x14:
    case 0x15:
    case 0x17:
      return buf.length < 3 ? undefined : 3 + buf[2]! + 2;
    case 0x05:
    case 0x06:
    case 0x08:
    case 0x0b:
    case 0x0f:
    case 0x10:
      return 8;
    case 0x07:
      return 5;
    case 0x16:
      return 10;
    default:
      return undefined;
  }
}

/**
 * The length of the RTU request frame that starts buf (address to CRC), from its function code, or undefined
 * when more bytes are needed to tell or the function code does not say. Used by a slave that frames requests
 * by length instead of by line silence.
 */
export function expectedRtuRequestLength(buf: Buffer): number | undefined {
  if (buf.length < 2) return undefined;
  const fc = buf[1]!;
  switch (fc) {
    case 0x01:
    case 0x02:
    case 0x03:
    case 0x04:
    case 0x05:
    case 0x06:
    case 0x08: // the usual 2-byte sub-function + 2-byte data
      return 8;
    case 0x07:
    case 0x0b:
    case 0x0c:
    case 0x11:
      return 4;
    case 0x0f:
    case 0x10:
      return buf.length < 7 ? undefined : 7 + buf[6]! + 2;
    case 0x14:
    case 0x15:
      return buf.length < 3 ? undefined : 3 + buf[2]! + 2;
    case 0x16:
      return 10;
    case 0x17:
      return buf.length < 11 ? undefined : 11 + buf[10]! + 2;
    case 0x18:
      return 6;
    case 0x2b: // MEI 14 (device identification): MEI type, read code, object id
      return buf.length < 3 ? undefined : buf[2] === 0x0e ? 7 : undefined;
    default:
      return undefined;
  }
}

// ---- PDUs the harness sends ----

export function readRequest(table: RegisterTable, address: number, count: number): Buffer {
  const pdu = Buffer.alloc(5);
  pdu.writeUInt8(READ_FUNCTION[table], 0);
  pdu.writeUInt16BE(address, 1);
  pdu.writeUInt16BE(count, 3);
  return pdu;
}

export function writeSingleRequest(table: 'holding' | 'coil', address: number, value: number): Buffer {
  const pdu = Buffer.alloc(5);
  pdu.writeUInt8(table === 'coil' ? FC.writeSingleCoil : FC.writeSingleRegister, 0);
  pdu.writeUInt16BE(address, 1);
  pdu.writeUInt16BE(table === 'coil' ? (value ? 0xff00 : 0x0000) : value & 0xffff, 3);
  return pdu;
}

/** FC 43 / MEI 14, read device identification: code 1 = basic stream, starting at objectId. */
export function readDeviceIdRequest(readCode = 1, objectId = 0): Buffer {
  return Buffer.from([FC.encapsulatedInterface, 0x0e, readCode, objectId]);
}

export function exceptionPdu(functionCode: number, exceptionCode: number): Buffer {
  return Buffer.from([(functionCode | 0x80) & 0xff, exceptionCode]);
}

// ---- parsing answers ----

export type ParsedReply =
  | { kind: 'exception'; functionCode: number; exceptionCode: number }
  | { kind: 'response'; functionCode: number; pdu: Buffer };

export function parseReply(pdu: Buffer): ParsedReply | undefined {
  if (pdu.length < 1) return undefined;
  const fc = pdu[0]!;
  if (fc & 0x80) return pdu.length >= 2 ? { kind: 'exception', functionCode: fc & 0x7f, exceptionCode: pdu[1]! } : undefined;
  return { kind: 'response', functionCode: fc, pdu };
}

/** Values of a read response: registers as 16-bit words, coils and discrete inputs as 0/1. */
export function parseReadValues(table: RegisterTable, count: number, pdu: Buffer): number[] | undefined {
  const byteCount = pdu[1];
  if (pdu[0] !== READ_FUNCTION[table] || byteCount === undefined || pdu.length < 2 + byteCount) return undefined;
  const data = pdu.subarray(2, 2 + byteCount);
  if (table === 'holding' || table === 'input') {
    if (byteCount !== count * 2) return undefined;
    return Array.from({ length: count }, (_, i) => data.readUInt16BE(i * 2));
  }
  if (byteCount !== Math.ceil(count / 8)) return undefined;
  return Array.from({ length: count }, (_, i) => (data[i >> 3]! >> (i & 7)) & 1);
}

/** Basic device identification objects (MEI 14), by object id: 0 VendorName, 1 ProductCode, 2 MajorMinorRevision. */
export const DEVICE_ID_OBJECTS: Record<number, string> = {
  0: 'VendorName',
  1: 'ProductCode',
  2: 'MajorMinorRevision',
  3: 'VendorUrl',
  4: 'ProductName',
  5: 'ModelName',
  6: 'UserApplicationName',
};

export interface DeviceIdentification {
  conformityLevel: number;
  moreFollows: boolean;
  nextObjectId: number;
  objects: Map<number, string>;
}

export function parseDeviceIdResponse(pdu: Buffer): DeviceIdentification | undefined {
  if (pdu.length < 7 || pdu[0] !== FC.encapsulatedInterface || pdu[1] !== 0x0e) return undefined;
  const objects = new Map<number, string>();
  const count = pdu[6]!;
  let at = 7;
  for (let i = 0; i < count; i++) {
    const id = pdu[at];
    const len = pdu[at + 1];
    if (id === undefined || len === undefined || at + 2 + len > pdu.length) return undefined;
    objects.set(id, pdu.subarray(at + 2, at + 2 + len).toString('latin1'));
    at += 2 + len;
  }
  return { conformityLevel: pdu[3]!, moreFollows: pdu[4] === 0xff, nextObjectId: pdu[5]!, objects };
}
