// `otconform sim opcua|plc --preset <name> ...`: a bundled simulator in the foreground until Ctrl-C.
// The first stdout line is a JSON "ready" record, so scripts (and the demo) know when and where it listens.
// Human text goes to stderr, and only without --quiet.
import { startOpcuaSimulator, type OpcuaPresetName } from '../../simulators/opcua-server/index.js';
import {
  PLC_PRESETS,
  SerialOpenError,
  SimulatorBindError,
  startPlcSimulator,
  type Parity,
  type PlcPresetName,
  type RunningPlcSimulator,
} from '../../simulators/modbus-plc/index.js';
import { UsageError } from '../core/errors.js';
import { defaultPkiDir, ensureHarnessIdentity } from '../protocols/index.js';

export interface SimFlags {
  preset: OpcuaPresetName;
  port: number;
  trust?: string[];
  pki?: string;
  quiet?: boolean;
}

export async function simCommand(flags: SimFlags): Promise<void> {
  // By default trust otconform's own client certificate, so `sim` + `run` work together out of the box.
  const trust = flags.trust ?? [(await ensureHarnessIdentity(defaultPkiDir())).certificateFile];
  const sim = await startOpcuaSimulator({
    preset: flags.preset,
    port: flags.port,
    trustedClientCertificates: trust,
    ...(flags.pki ? { pkiDir: flags.pki } : {}),
  });
  process.stdout.write(
    `${JSON.stringify({ ready: true, simulator: 'opcua', preset: sim.preset, endpointUrl: sim.endpointUrl, port: sim.port })}\n`,
  );
  if (!flags.quiet) {
    process.stderr.write(
      `OPC UA simulator, preset ${sim.preset}, listening on ${sim.endpointUrl}\n` +
        `  trusting client certificate(s): ${trust.join(', ')}\n  Ctrl-C stops it.\n`,
    );
  }
  await untilSignal();
  await sim.stop();
}

export interface SimPlcFlags {
  preset: PlcPresetName;
  host?: string;
  port?: number;
  tlsPort?: number;
  serial?: string;
  baud?: number;
  parity?: Parity;
  opcuaPort?: number;
  sshPort?: number;
  httpsPort?: number;
  consolePort?: number;
  pki?: string;
  trust?: string[];
  quiet?: boolean;
}

export async function simPlcCommand(flags: SimPlcFlags): Promise<void> {
  const preset = PLC_PRESETS[flags.preset];
  const opcuaPort = flags.opcuaPort;
  // Like `sim opcua`: trust otconform's own client certificate unless told otherwise.
  const trust =
    opcuaPort === undefined ? undefined : (flags.trust ?? [(await ensureHarnessIdentity(defaultPkiDir())).certificateFile]);
  let sim: RunningPlcSimulator;
  try {
    sim = await startPlcSimulator({
      preset: flags.preset,
      port: flags.port ?? preset.defaultPorts.modbus,
      ...(flags.host ? { host: flags.host } : {}),
      ...(preset.defaultPorts.modbusTls !== null ? { tlsPort: flags.tlsPort ?? preset.defaultPorts.modbusTls } : {}),
      ...(flags.serial ? { serial: { path: flags.serial, baudRate: flags.baud ?? 19200, parity: flags.parity ?? 'even' } } : {}),
      ...(opcuaPort === undefined ? {} : { opcua: { port: opcuaPort, ...(trust ? { trustedClientCertificates: trust } : {}) } }),
      ...(flags.pki ? { pkiDir: flags.pki } : {}),
      ...(flags.sshPort !== undefined || flags.httpsPort !== undefined || flags.consolePort !== undefined
        ? {
            mgmt: {
              ...(flags.sshPort !== undefined ? { sshPort: flags.sshPort } : {}),
              ...(flags.httpsPort !== undefined ? { httpsPort: flags.httpsPort } : {}),
              ...(flags.consolePort !== undefined ? { consolePort: flags.consolePort } : {}),
            },
          }
        : {}),
    });
  } catch (err) {
    // The usual ways a start fails are the user's to fix, and deserve one line, not a stack.
    if (err instanceof SimulatorBindError || err instanceof SerialOpenError) throw new UsageError(err.message);
    throw err;
  }

  process.stdout.write(`${JSON.stringify(readyRecord(sim))}\n`);
  if (!flags.quiet) {
    if (preset.tls === null && flags.tlsPort !== undefined) {
      process.stderr.write(`note: preset ${flags.preset} has no Modbus/TCP Security; --tls-port is ignored\n`);
    }
    process.stderr.write(describe(sim, trust));
  }
  await untilSignal();
  await sim.stop();
}

function readyRecord(sim: RunningPlcSimulator) {
  return {
    ready: true,
    simulator: 'plc',
    preset: sim.preset,
    host: sim.host,
    modbus: { port: sim.tcpPort },
    ...(sim.tlsPort !== undefined && sim.pki
      ? { modbusTls: { port: sim.tlsPort, caFile: sim.pki.caFile, clients: sim.pki.clients } }
      : {}),
    ...(sim.serialPath ? { serial: { path: sim.serialPath } } : {}),
    ...(sim.opcua ? { opcua: { endpointUrl: sim.opcua.endpointUrl, port: sim.opcua.port } } : {}),
    ...(sim.mgmt?.ssh ? { ssh: { port: sim.mgmt.ssh.port } } : {}),
    ...(sim.mgmt?.https ? { https: { port: sim.mgmt.https.port, caFile: sim.mgmt.https.caFile } } : {}),
    ...(sim.mgmt?.plaintext ? { console: { port: sim.mgmt.plaintext.port } } : {}),
  };
}

function describe(sim: RunningPlcSimulator, trust: string[] | undefined): string {
  const lines = [`Modbus PLC simulator, preset ${sim.preset}`, `  Modbus TCP            ${sim.host}:${sim.tcpPort}`];
  if (sim.tlsPort !== undefined && sim.pki) {
    lines.push(`  Modbus/TCP Security   ${sim.host}:${sim.tlsPort}  (device CA ${sim.pki.caFile})`);
    for (const [role, files] of Object.entries(sim.pki.clients)) lines.push(`    client ${role}: ${files.certificateFile}`);
  }
  if (sim.serialPath) lines.push(`  Modbus RTU            ${sim.serialPath}, unit 1`);
  if (sim.opcua) {
    lines.push(`  OPC UA                ${sim.opcua.endpointUrl}`);
    if (trust) lines.push(`    trusting client certificate(s): ${trust.join(', ')}`);
  }
  if (sim.mgmt?.ssh) lines.push(`  SSH                   ${sim.host}:${sim.mgmt.ssh.port}`);
  if (sim.mgmt?.https) lines.push(`  HTTPS web UI          https://${sim.host}:${sim.mgmt.https.port}  (CA ${sim.mgmt.https.caFile})`);
  if (sim.mgmt?.plaintext) lines.push(`  plaintext console     ${sim.host}:${sim.mgmt.plaintext.port}  (Telnet-like, weak only)`);
  lines.push('  Ctrl-C stops it.');
  return `${lines.join('\n')}\n`;
}

function untilSignal(): Promise<void> {
  return new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
}
