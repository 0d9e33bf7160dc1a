// The Modbus application layer: one request PDU in, one response PDU out. Shared by the TCP, TLS and RTU
// stacks; what a caller may do comes from its AccessPath, and how strictly a request is checked from the
// preset's ApplicationBehaviour (a robust stack answers exceptions, a fragile one reads zeros past the frame).

import { EXCEPTION, exceptionPdu, FC, type RegisterTable } from '../../src/protocols/modbus/wire.js';
import { readDeviceIdentification, MEI_READ_DEVICE_ID, type Identification } from './device-identification.js';
import { ModbusException } from './exception.js';
import type { AccessPath, AddressRange, ApplicationBehaviour } from './presets.js';
import { HOLDING_VALUE_RANGES, type PlcProcess } from './process.js';

/** Counters behind FC 11 and FC 12 (serial-line diagnostics, answered over TCP too). */
export class CommCounters {
  /** Requests received. */
  messages = 0;
  /** Requests completed without an exception (FC 11 and 12 themselves excepted, per the spec). */
  events = 0;
}

export interface ApplicationContext {
  process: PlcProcess;
  behaviour: ApplicationBehaviour;
  identification: Identification;
  serverId: string;
  counters: CommCounters;
}

/** Quantity limits (Modbus Application Protocol v1.1b3, 6.x). */
const MAX_READ_BITS = 2000;
const MAX_READ_REGISTERS = 125;
const MAX_WRITE_COILS = 1968;
const MAX_WRITE_REGISTERS = 123;
const MAX_RW_WRITE_REGISTERS = 121;
const DIAGNOSTIC_RETURN_QUERY_DATA = 0x0000;

export function serveRequest(pdu: Buffer, access: AccessPath, ctx: ApplicationContext): Buffer {
  const fc = pdu[0] ?? 0;
  ctx.counters.messages += 1;
  try {
    if (!access.functions.includes(fc)) throw new ModbusException(EXCEPTION.illegalFunction);
    const response = new RequestHandler(pdu, access, ctx).serve(fc);
    if (fc !== FC.getCommEventCounter && fc !== FC.getCommEventLog) ctx.counters.events += 1;
    return response;
  } catch (err) {
    if (err instanceof ModbusException) return exceptionPdu(fc, err.code);
    return exceptionPdu(fc, EXCEPTION.serverDeviceFailure);
  }
}

class RequestHandler {
  private readonly strict: boolean;

  constructor(
    private readonly pdu: Buffer,
    private readonly access: AccessPath,
    private readonly ctx: ApplicationContext,
  ) {
    this.strict = ctx.behaviour.malformedPdu === 'exception';
  }

  serve(fc: number): Buffer {
    switch (fc) {
      case FC.readCoils:
        return this.readBits('coil');
      case FC.readDiscreteInputs:
        return this.readBits('discrete');
      case FC.readHoldingRegisters:
        return this.readRegisters('holding');
      case FC.readInputRegisters:
        return this.readRegisters('input');
      case FC.writeSingleCoil:
        return this.writeSingleCoil();
      case FC.writeSingleRegister:
        return this.writeSingleRegister();
      case FC.readExceptionStatus:
        return this.readExceptionStatus();
      case FC.diagnostics:
        return this.diagnostics();
      case FC.getCommEventCounter:
        return this.commEventCounter();
      case FC.getCommEventLog:
        return this.commEventLog();
      case FC.writeMultipleCoils:
        return this.writeMultipleCoils();
      case FC.writeMultipleRegisters:
        return this.writeMultipleRegisters();
      case FC.reportServerId:
        return this.reportServerId();
      case FC.maskWriteRegister:
        return this.maskWriteRegister();
      case FC.readWriteMultipleRegisters:
        return this.readWriteMultipleRegisters();
      case FC.encapsulatedInterface:
        return this.encapsulatedInterface();
      default:
        throw new ModbusException(EXCEPTION.illegalFunction);
    }
  }

  // ---- request parsing, strict or lenient ----

  /** The PDU as exactly `length` bytes: strict refuses any other length, lenient pads with zeros. */
  private fixed(length: number): Buffer {
    if (this.pdu.length === length) return this.pdu;
    if (this.strict) throw new ModbusException(EXCEPTION.illegalDataValue);
    return this.padded(length);
  }

  /** A PDU whose length is header + byte count: checks the header is there, pads (lenient) the rest. */
  private withByteCount(headerLength: number, byteCountAt: number, expectedByteCount: (body: Buffer) => number): Buffer {
    if (this.strict && this.pdu.length < headerLength) throw new ModbusException(EXCEPTION.illegalDataValue);
    const header = this.padded(headerLength);
    const byteCount = header[byteCountAt]!;
    if (this.strict && (byteCount !== expectedByteCount(header) || this.pdu.length !== headerLength + byteCount)) {
      throw new ModbusException(EXCEPTION.illegalDataValue);
    }
    return this.padded(headerLength + expectedByteCount(header));
  }

  /** Bytes past the end of the frame read as zeros, as a legacy stack reading a stale buffer would. */
  private padded(length: number): Buffer {
    if (this.pdu.length >= length) return this.pdu;
    return Buffer.concat([this.pdu, Buffer.alloc(length - this.pdu.length)]);
  }

  private quantity(n: number, max: number, min = 1): number {
    if (n >= min && n <= max) return n;
    if (this.strict) throw new ModbusException(EXCEPTION.illegalDataValue);
    return Math.min(n, max); // the legacy stack copies what fits into its buffer
  }

  /** Whether [address, address+count) lies inside the table; a robust stack refuses it otherwise. */
  private inMap(table: RegisterTable, address: number, count: number): boolean {
    const inside = address + count <= this.ctx.process.table(table).length;
    if (!inside && this.ctx.behaviour.outOfRange === 'exception') throw new ModbusException(EXCEPTION.illegalDataAddress);
    return inside;
  }

  private mayWrite(table: 'holding' | 'coil', address: number, count: number): void {
    const ranges: readonly AddressRange[] = this.access.writable[table];
    for (let a = address; a < address + count; a++) {
      if (!ranges.some((r) => a >= r.from && a <= r.to)) throw new ModbusException(EXCEPTION.illegalDataAddress);
    }
  }

  private checkValue(address: number, value: number): void {
    if (!this.ctx.behaviour.rejectOutOfRangeValues) return;
    const range = HOLDING_VALUE_RANGES.get(address);
    if (range && (value < range[0] || value > range[1])) throw new ModbusException(EXCEPTION.illegalDataValue);
  }

  private values(table: RegisterTable, address: number, count: number): number[] {
    const data = this.ctx.process.table(table);
    return Array.from({ length: count }, (_, i) => data[address + i] ?? 0);
  }

  // ---- function codes ----

  private readBits(table: 'coil' | 'discrete'): Buffer {
    const req = this.fixed(5);
    const count = this.quantity(req.readUInt16BE(3), MAX_READ_BITS, this.strict ? 1 : 0);
    const address = req.readUInt16BE(1);
    this.inMap(table, address, count);
    const values = this.values(table, address, count);
    const out = Buffer.alloc(2 + Math.ceil(count / 8));
    out[0] = req[0]!;
    out[1] = out.length - 2;
    values.forEach((v, i) => {
      if (v) out[2 + (i >> 3)]! |= 1 << (i & 7);
    });
    return out;
  }

  private readRegisters(table: 'holding' | 'input'): Buffer {
    const req = this.fixed(5);
    const count = this.quantity(req.readUInt16BE(3), MAX_READ_REGISTERS, this.strict ? 1 : 0);
    const address = req.readUInt16BE(1);
    this.inMap(table, address, count);
    return registerResponse(req[0]!, this.values(table, address, count));
  }

  private writeSingleCoil(): Buffer {
    const req = this.fixed(5);
    const address = req.readUInt16BE(1);
    const value = req.readUInt16BE(3);
    if (value !== 0xff00 && value !== 0 && this.strict) throw new ModbusException(EXCEPTION.illegalDataValue);
    if (this.inMap('coil', address, 1)) {
      this.mayWrite('coil', address, 1);
      this.ctx.process.writeCoil(address, value !== 0);
    }
    return Buffer.from(req.subarray(0, 5));
  }

  private writeSingleRegister(): Buffer {
    const req = this.fixed(5);
    const address = req.readUInt16BE(1);
    const value = req.readUInt16BE(3);
    if (this.inMap('holding', address, 1)) {
      this.mayWrite('holding', address, 1);
      this.checkValue(address, value);
      this.ctx.process.writeHolding(address, value);
    }
    return Buffer.from(req.subarray(0, 5));
  }

  private writeMultipleCoils(): Buffer {
    const req = this.withByteCount(6, 5, (h) => Math.ceil(h.readUInt16BE(3) / 8));
    const address = req.readUInt16BE(1);
    const count = this.quantity(req.readUInt16BE(3), MAX_WRITE_COILS);
    if (this.inMap('coil', address, count)) {
      this.mayWrite('coil', address, count);
      for (let i = 0; i < count; i++) this.ctx.process.writeCoil(address + i, ((req[6 + (i >> 3)] ?? 0) >> (i & 7)) & 1 ? true : false);
    }
    return Buffer.from(req.subarray(0, 5));
  }

  private writeMultipleRegisters(): Buffer {
    const req = this.withByteCount(6, 5, (h) => 2 * h.readUInt16BE(3));
    const address = req.readUInt16BE(1);
    const count = this.quantity(req.readUInt16BE(3), MAX_WRITE_REGISTERS);
    this.writeRegisters(address, Array.from({ length: count }, (_, i) => req.readUInt16BE(6 + 2 * i)));
    return Buffer.from(req.subarray(0, 5));
  }

  private writeRegisters(address: number, values: number[]): void {
    if (!this.inMap('holding', address, values.length)) return;
    this.mayWrite('holding', address, values.length);
    values.forEach((v, i) => this.checkValue(address + i, v));
    values.forEach((v, i) => this.ctx.process.writeHolding(address + i, v));
  }

  private maskWriteRegister(): Buffer {
    const req = this.fixed(7);
    const address = req.readUInt16BE(1);
    const and = req.readUInt16BE(3);
    const or = req.readUInt16BE(5);
    if (this.inMap('holding', address, 1)) {
      this.mayWrite('holding', address, 1);
      const current = this.ctx.process.holding[address]!;
      const value = ((current & and) | (or & ~and)) & 0xffff;
      this.checkValue(address, value);
      this.ctx.process.writeHolding(address, value);
    }
    return Buffer.from(req.subarray(0, 7));
  }

  private readWriteMultipleRegisters(): Buffer {
    const req = this.withByteCount(10, 9, (h) => 2 * h.readUInt16BE(7));
    const readCount = this.quantity(req.readUInt16BE(3), MAX_READ_REGISTERS);
    const writeCount = this.quantity(req.readUInt16BE(7), MAX_RW_WRITE_REGISTERS);
    const readAddress = req.readUInt16BE(1);
    const writeAddress = req.readUInt16BE(5);
    this.inMap('holding', readAddress, readCount);
    // The write happens before the read (6.17).
    this.writeRegisters(writeAddress, Array.from({ length: writeCount }, (_, i) => req.readUInt16BE(10 + 2 * i)));
    return registerResponse(req[0]!, this.values('holding', readAddress, readCount));
  }

  private readExceptionStatus(): Buffer {
    this.fixed(1);
    // Device-defined status bits: 0 pump running, 1 level high alarm.
    const p = this.ctx.process;
    return Buffer.from([FC.readExceptionStatus, (p.coils[0]! ? 1 : 0) | (p.discrete[0]! ? 2 : 0)]);
  }

  private diagnostics(): Buffer {
    if (this.strict && this.pdu.length < 5) throw new ModbusException(EXCEPTION.illegalDataValue);
    const req = this.padded(5);
    // Only "return query data" is served; restart, listen-only mode and the rest are never carried out.
    if (req.readUInt16BE(1) !== DIAGNOSTIC_RETURN_QUERY_DATA) throw new ModbusException(EXCEPTION.illegalDataValue);
    return Buffer.from(req);
  }

  private commEventCounter(): Buffer {
    this.fixed(1);
    const out = Buffer.alloc(5);
    out[0] = FC.getCommEventCounter;
    out.writeUInt16BE(0x0000, 1); // status: no previous command still in progress
    out.writeUInt16BE(this.ctx.counters.events & 0xffff, 3);
    return out;
  }

  private commEventLog(): Buffer {
    this.fixed(1);
    const out = Buffer.alloc(8); // no event bytes: the simulator keeps counters only
    out[0] = FC.getCommEventLog;
    out[1] = 6;
    out.writeUInt16BE(0x0000, 2);
    out.writeUInt16BE(this.ctx.counters.events & 0xffff, 4);
    out.writeUInt16BE(this.ctx.counters.messages & 0xffff, 6);
    return out;
  }

  private reportServerId(): Buffer {
    this.fixed(1);
    const data = Buffer.concat([Buffer.from(this.ctx.serverId, 'latin1'), Buffer.from([0xff])]); // 0xFF: run indicator ON
    return Buffer.concat([Buffer.from([FC.reportServerId, data.length]), data]);
  }

  private encapsulatedInterface(): Buffer {
    if (this.strict && this.pdu.length < 2) throw new ModbusException(EXCEPTION.illegalDataValue);
    const req = this.padded(4);
    if (req[1] !== MEI_READ_DEVICE_ID) throw new ModbusException(EXCEPTION.illegalFunction);
    if (this.strict && this.pdu.length !== 4) throw new ModbusException(EXCEPTION.illegalDataValue);
    return readDeviceIdentification(this.ctx.identification, req[2]!, req[3]!);
  }
}

function registerResponse(fc: number, values: number[]): Buffer {
  const out = Buffer.alloc(2 + 2 * values.length);
  out[0] = fc;
  out[1] = 2 * values.length;
  values.forEach((v, i) => out.writeUInt16BE(v & 0xffff, 2 + 2 * i));
  return out;
}
