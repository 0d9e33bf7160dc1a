// The two personalities of the Modbus PLC simulator, as plain data.
// The simulator code reads these fields and never branches on the preset name (as in the OPC UA
// simulator's presets.ts), so a new personality, or a variation for one test, is a new object.

import { FC } from '../../src/protocols/modbus/wire.js';
import type { OpcuaPresetName } from '../opcua-server/presets.js';

export type PlcPresetName = 'weak' | 'hardened';

/** Modbus/TCP Security roles the simulator's PKI issues client certificates for. */
export type PlcRole = 'operator' | 'read-only';
export const PLC_ROLES: readonly PlcRole[] = ['operator', 'read-only'];

/** Inclusive address range. */
export interface AddressRange {
  from: number;
  to: number;
}

/** What one access path (the plain port, the serial line, one TLS role) may do. */
export interface AccessPath {
  /** Function codes answered; any other gets exception 01 (Illegal Function). */
  functions: readonly number[];
  /** Addresses the write functions may touch; a write outside them gets exception 02. */
  writable: { holding: readonly AddressRange[]; coil: readonly AddressRange[] };
}

/** How the application layer treats requests that do not fit. */
export interface ApplicationBehaviour {
  /** 'exception': an address outside the map gets exception 02. 'zeros': reads answer 0 there, writes are lost. */
  outOfRange: 'exception' | 'zeros';
  /**
   * 'exception': a PDU of the wrong length or a quantity out of range gets exception 03.
   * 'read-past-frame': missing bytes read as zeros, quantities are clamped, extra bytes are ignored.
   */
  malformedPdu: 'exception' | 'read-past-frame';
  /** Refuse (exception 03) register values outside their engineering range, e.g. a setpoint above 100 %. */
  rejectOutOfRangeValues: boolean;
}

/** The MBAP (Modbus TCP) stack, shared by the plain port and Modbus/TCP Security. */
export interface MbapStackBehaviour {
  /** Connections beyond this are accepted and closed at once; null = no limit. */
  maxConnections: number | null;
  /** Per-connection token bucket; requests over it are dropped silently. null = no limit. */
  rateLimit: { requestsPerSecond: number; burst: number } | null;
  /** A frame still incomplete this long after its first byte closes its connection; null = wait forever. */
  partialFrameTimeoutMs: number | null;
  /** The scan waits while any connection holds an incomplete frame (a stack that reads frames inside the scan). */
  partialFrameBlocksScan: boolean;
  /** A protocol identifier other than 0 is a malformed frame. */
  checkProtocolId: boolean;
  /**
   * Legacy framing: each TCP segment is expected to end on a frame boundary, so bytes after a frame that
   * cannot start another one mean the length field was too small, i.e. a malformed frame.
   */
  segmentEndsOnFrame: boolean;
  /** What a malformed frame does: reset the whole device (see watchdogResetMs) or close that connection. */
  onMalformedFrame: 'watchdog-reset' | 'close-connection';
}

export interface RtuBehaviour {
  unitId: number;
  /**
   * 'silence': a frame ends after a gap of max(3.5 character times, minGapMs), as the serial-line spec says.
   * 'function-length': a frame is as long as its function code implies; gaps are ignored.
   */
  framing: 'silence' | 'function-length';
  minGapMs: number;
  /** Drop frames whose CRC is wrong (silently, as the spec says); false answers them anyway. */
  checkCrc: boolean;
}

export interface PlcPreset {
  /** MEI 14 objects by id (0 VendorName, 1 ProductCode, 2 MajorMinorRevision, 4 ProductName, 5 ModelName). */
  identification: { conformityLevel: number; objects: Readonly<Record<number, string>> };
  /** FC 17 Report Server ID contents. */
  serverId: string;
  scanIntervalMs: number;
  comms: {
    /** 'in-scan': requests queue and are served at the start of each scan; 'own-task': served on arrival. */
    servicing: 'in-scan' | 'own-task';
    /** Busy CPU per request served and per new connection, spent wherever the comms are serviced. */
    costPerRequestMs: number;
    costPerConnectionMs: number;
  };
  /** How long the device is gone after a watchdog reset (used only when a stack resets on malformed frames). */
  watchdogResetMs: number;
  application: ApplicationBehaviour;
  tcp: MbapStackBehaviour;
  access: { tcp: AccessPath; rtu: AccessPath };
  /** Modbus/TCP Security; null = the device has none. */
  tls: null | {
    minVersion: 'TLSv1.2' | 'TLSv1.3';
    /** OpenSSL cipher list for TLS 1.2 (TLS 1.3 suites are all AEAD and forward-secret). */
    ciphers: string;
    /** Key-exchange groups, as node:tls ecdhCurve. */
    groups: string;
    roles: Readonly<Record<PlcRole, AccessPath>>;
    /** A client certificate that names no role, or a role not listed above. */
    noRole: AccessPath;
  };
  rtu: RtuBehaviour;
  /** Ports the CLI uses when none are given. */
  defaultPorts: { modbus: number; modbusTls: number | null };
  /** The OPC UA simulator preset of the same device (one-device mode). */
  opcuaPreset: OpcuaPresetName;
}

const VENDOR = 'otconform simulated devices';
const READS = [FC.readCoils, FC.readDiscreteInputs, FC.readHoldingRegisters, FC.readInputRegisters];
const WRITES = [
  FC.writeSingleCoil,
  FC.writeSingleRegister,
  FC.writeMultipleCoils,
  FC.writeMultipleRegisters,
  FC.maskWriteRegister,
  FC.readWriteMultipleRegisters,
];
const SERIAL_DIAGNOSTICS = [FC.readExceptionStatus, FC.diagnostics, FC.getCommEventCounter, FC.getCommEventLog, FC.reportServerId];
const NOTHING_WRITABLE = { holding: [], coil: [] };

// Everything on, for anyone: the legacy PLC writes even its own heartbeat on request.
const WEAK_ACCESS: AccessPath = {
  functions: [...READS, ...WRITES, ...SERIAL_DIAGNOSTICS, FC.encapsulatedInterface],
  writable: { holding: [{ from: 0, to: 99 }], coil: [{ from: 0, to: 15 }] },
};
// Least functionality: what the SCADA needs (process registers and identification), nothing else;
// no diagnostics either (FC 8 can restart a device).
const READ_ONLY: AccessPath = {
  functions: [FC.readHoldingRegisters, FC.readInputRegisters, FC.encapsulatedInterface],
  writable: NOTHING_WRITABLE,
};

export const PLC_PRESETS: Record<PlcPresetName, PlcPreset> = {
  // A typical fragile legacy PLC: comms share the scan task, and nothing is checked or limited.
  weak: {
    identification: {
      conformityLevel: 0x82,
      // A legacy device that does not report its firmware: no MajorMinorRevision (object 2).
      objects: { 0: VENDOR, 1: 'SIM-PLC-W', 4: 'SIM-PLC weak' },
    },
    serverId: 'SIM-PLC-W',
    scanIntervalMs: 50,
    comms: { servicing: 'in-scan', costPerRequestMs: 4, costPerConnectionMs: 60 },
    watchdogResetMs: 3000,
    application: { outOfRange: 'zeros', malformedPdu: 'read-past-frame', rejectOutOfRangeValues: false },
    tcp: {
      maxConnections: null,
      rateLimit: null,
      partialFrameTimeoutMs: null,
      partialFrameBlocksScan: true,
      checkProtocolId: false,
      segmentEndsOnFrame: true,
      onMalformedFrame: 'watchdog-reset',
    },
    access: { tcp: WEAK_ACCESS, rtu: WEAK_ACCESS },
    tls: null,
    rtu: { unitId: 1, framing: 'function-length', minGapMs: 15, checkCrc: false },
    defaultPorts: { modbus: 5020, modbusTls: null },
    opcuaPreset: 'weak',
  },

  // The same PLC configured along IEC 62443-4-2 SL 3 lines.
  hardened: {
    identification: {
      conformityLevel: 0x82,
      objects: { 0: VENDOR, 1: 'SIM-PLC-H', 2: '4.2.1', 4: 'SIM-PLC hardened', 5: 'SIM-PLC-H' },
    },
    serverId: 'SIM-PLC-H',
    scanIntervalMs: 50,
    comms: { servicing: 'own-task', costPerRequestMs: 0, costPerConnectionMs: 0 },
    watchdogResetMs: 3000,
    application: { outOfRange: 'exception', malformedPdu: 'exception', rejectOutOfRangeValues: true },
    tcp: {
      maxConnections: 8,
      rateLimit: { requestsPerSecond: 100, burst: 50 },
      partialFrameTimeoutMs: 1000,
      partialFrameBlocksScan: false,
      checkProtocolId: true,
      segmentEndsOnFrame: false,
      onMalformedFrame: 'close-connection',
    },
    // Unauthenticated paths are read-only: writes need Modbus/TCP Security and a role.
    access: { tcp: READ_ONLY, rtu: READ_ONLY },
    tls: {
      minVersion: 'TLSv1.2',
      // Forward-secret AEAD only: Node's default list would also accept static-RSA key exchange.
      ciphers: 'ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305',
      groups: 'X25519:P-256:P-384',
      roles: {
        // Commands the tank: setpoint and valves (HR10..HR19), and the pump (coil 0).
        operator: {
          functions: [
            FC.readCoils,
            FC.readHoldingRegisters,
            FC.readInputRegisters,
            FC.writeSingleCoil,
            FC.writeSingleRegister,
            FC.writeMultipleRegisters,
            FC.encapsulatedInterface,
          ],
          writable: { holding: [{ from: 10, to: 19 }], coil: [{ from: 0, to: 0 }] },
        },
        // The Modbus/TCP Security spec answers a function the role may not use with exception 01.
        'read-only': READ_ONLY,
      },
      noRole: { functions: [], writable: NOTHING_WRITABLE },
    },
    rtu: { unitId: 1, framing: 'silence', minGapMs: 15, checkCrc: true },
    defaultPorts: { modbus: 5021, modbusTls: 5802 },
    opcuaPreset: 'hardened',
  },
};
