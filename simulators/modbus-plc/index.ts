// Modbus PLC simulator: one simulated PLC (a tank loop and a heartbeat, process.ts) behind Modbus TCP,
// Modbus/TCP Security (TLS, when the preset has it), Modbus RTU on a serial port, and optionally the OPC UA
// simulator bound to the same process image. Its robustness and permissions come from a preset (presets.ts).
//
//   startPlcSimulator({ preset: 'weak' | 'hardened', host?, port, tlsPort?, serial?, opcua?, mgmt?, pkiDir? })
//     -> RunningPlcSimulator
//   PLC_PRESETS: the presets as data
//
// The Modbus stacks are our own (mbap-stack.ts, rtu-slave.ts, application.ts), not modbus-serial's ServerTCP:
// that tops out at about 600 requests/s (the simulator would be the bottleneck of every flood test), has no
// FC 8 nor FC 43, and gives no control over malformed frames, which is exactly what the presets differ in.

import net from 'node:net';
import { PlcDevice } from './device.js';
import { closeServer, listen, SimulatorBindError } from './listen.js';
import { MbapStack } from './mbap-stack.js';
import { defaultSimPkiDir, ensurePlcPki, readServerCredentials, type PlcPkiFiles } from './pki.js';
import { plantView } from './plant-binding.js';
import { PLC_PRESETS, PLC_ROLES, type PlcPresetName } from './presets.js';
import { HR } from './process.js';
import { startRtuSlave, type SerialSettings } from './rtu-slave.js';
import { createModbusTlsServer } from './tls-server.js';
import { MGMT_PRESETS, startManagementServices, type MgmtServices } from '../mgmt/index.js';

export { PLC_PRESETS, PLC_ROLES } from './presets.js';
export type { AccessPath, PlcPreset, PlcPresetName, PlcRole } from './presets.js';
export { COIL, DI, HR, TABLE_SIZE } from './process.js';
export { SimulatorBindError } from './listen.js';
export { SerialOpenError, type Parity, type SerialSettings } from './rtu-slave.js';
export { defaultSimPkiDir, issueClientCertificate, MODBUS_ROLE_OID, roleOfCertificate, type CertificateFiles, type PlcPkiFiles } from './pki.js';

export interface PlcSimulatorOptions {
  preset: PlcPresetName;
  /** Listen address for Modbus TCP, Modbus/TCP Security and OPC UA. Default 127.0.0.1. */
  host?: string;
  /** Modbus TCP port; 0 lets the OS choose (read it back from RunningPlcSimulator.tcpPort). */
  port: number;
  /** Modbus/TCP Security port, used when the preset has it; default 0 (any free port). */
  tlsPort?: number;
  /** Also serve Modbus RTU on this serial port (opened by path). */
  serial?: SerialSettings;
  /** Also start the OPC UA simulator of the same preset, its Plant.* nodes bound to this PLC. */
  opcua?: { port: number; pkiDir?: string; trustedClientCertificates?: string[] };
  /** Also start the device's management services (SSH, HTTPS, and on weak the plaintext console); 0 = any free port. */
  mgmt?: { sshPort?: number; httpsPort?: number; consolePort?: number };
  /** PKI folder (Modbus/TCP Security, HTTPS, SSH host keys); default OTCONFORM_SIM_PKI or ~/.config/otconform/sim-pki/<preset>. */
  pkiDir?: string;
}

export interface RunningPlcSimulator {
  preset: PlcPresetName;
  host: string;
  tcpPort: number;
  /** Set when the preset has Modbus/TCP Security. */
  tlsPort?: number;
  serialPath?: string;
  opcua?: { endpointUrl: string; port: number };
  mgmt?: MgmtServices;
  /** The CA and client certificates a Modbus/TCP Security client needs; undefined without TLS. */
  pki: PlcPkiFiles | undefined;
  /** Closes every listener, connection, timer, the serial port and the OPC UA server. Idempotent. */
  stop(): Promise<void>;
}

export async function startPlcSimulator(o: PlcSimulatorOptions): Promise<RunningPlcSimulator> {
  const preset = PLC_PRESETS[o.preset];
  const host = o.host ?? '127.0.0.1';
  const cleanups: Array<() => Promise<void> | void> = [];
  const cleanup = async () => {
    for (const fn of cleanups.splice(0).reverse()) {
      try {
        await fn();
      } catch {
        // best effort: stop() must not fail half-way and leave the rest running
      }
    }
  };

  try {
    const device = new PlcDevice(preset);
    device.start();
    cleanups.push(() => device.stop());

    const tcpStack = new MbapStack(device, preset.tcp);
    const tcpServer = net.createServer((socket) => {
      socket.setNoDelay(true);
      if (tcpStack.admit(socket)) tcpStack.serve(socket, preset.access.tcp);
    });
    cleanups.push(() => {
      tcpStack.close();
      return closeServer(tcpServer);
    });
    const tcpPort = await listen(tcpServer, host, o.port, 'Modbus TCP');

    let tlsPort: number | undefined;
    let pki: PlcPkiFiles | undefined;
    if (preset.tls) {
      pki = await ensurePlcPki(o.pkiDir ?? defaultSimPkiDir(o.preset), PLC_ROLES);
      // Its own stack: a flood of the plain port must not use up the authenticated clients' connections.
      const tlsStack = new MbapStack(device, preset.tcp);
      const tlsServer = createModbusTlsServer(tlsStack, await readServerCredentials(pki), preset.tls);
      cleanups.push(() => {
        tlsStack.close();
        return closeServer(tlsServer);
      });
      tlsPort = await listen(tlsServer, host, o.tlsPort ?? 0, 'Modbus/TCP Security');
    }

    let serialPath: string | undefined;
    if (o.serial) {
      const rtu = await startRtuSlave(device, o.serial, preset.rtu, preset.access.rtu);
      cleanups.push(() => rtu.stop());
      serialPath = rtu.path;
    }

    let opcua: RunningPlcSimulator['opcua'];
    if (o.opcua) {
      // Loaded only when asked for: node-opcua takes seconds to import.
      const { startOpcuaSimulator } = await import('../opcua-server/index.js');
      const opcuaPort = o.opcua.port;
      const sim = await startOpcuaSimulator({
        preset: preset.opcuaPreset,
        port: opcuaPort,
        host,
        process: plantView(device.process),
        spendCpu: (ms) => device.spendCommsCpu(ms),
        // The same lock time as the device's SSH and web logins (simulators/mgmt).
        lockoutDurationMs: MGMT_PRESETS[o.preset].login.lockoutMs,
        ...(o.opcua.pkiDir ? { pkiDir: o.opcua.pkiDir } : {}),
        ...(o.opcua.trustedClientCertificates ? { trustedClientCertificates: o.opcua.trustedClientCertificates } : {}),
      }).catch((err: unknown) => {
        throw asBindError(err, 'OPC UA', host, opcuaPort);
      });
      cleanups.push(() => sim.stop());
      opcua = { endpointUrl: sim.endpointUrl, port: sim.port };
    }

    let mgmt: MgmtServices | undefined;
    if (o.mgmt) {
      const services = await startManagementServices({
        preset: o.preset,
        host,
        sshPort: o.mgmt.sshPort ?? 0,
        httpsPort: o.mgmt.httpsPort ?? 0,
        plaintextPort: o.mgmt.consolePort ?? 0,
        pkiDir: o.pkiDir ?? defaultSimPkiDir(o.preset),
        // The shell's `status` and the web API show the same tank the field protocols see.
        status: () => ({ level: device.process.holding[HR.level]! / 10, heartbeat: device.process.heartbeat }),
      });
      cleanups.push(() => services.stop());
      mgmt = services;
    }

    let stopping: Promise<void> | undefined;
    return {
      preset: o.preset,
      host,
      tcpPort,
      ...(tlsPort === undefined ? {} : { tlsPort }),
      ...(serialPath === undefined ? {} : { serialPath }),
      ...(opcua ? { opcua } : {}),
      ...(mgmt ? { mgmt } : {}),
      pki,
      stop: () => (stopping ??= cleanup()),
    };
  } catch (err) {
    await cleanup();
    throw err;
  }
}

/** node-opcua reports a busy port in its own words; make it the same error as the Modbus listeners give. */
function asBindError(err: unknown, service: string, host: string, port: number): unknown {
  const message = err instanceof Error ? err.message : String(err);
  const code = /EADDRINUSE|EADDRNOTAVAIL|EACCES/.exec(message)?.[0];
  return code ? new SimulatorBindError(service, host, port, code, message) : err;
}
