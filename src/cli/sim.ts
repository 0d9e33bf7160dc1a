// `otconform sim opcua --preset <name> --port <n>`: a bundled simulator in the foreground until Ctrl-C.
// The first stdout line is a JSON "ready" record, so scripts (and the demo) know when it listens.
import { startOpcuaSimulator, type OpcuaPresetName } from '../../simulators/opcua-server/index.js';
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
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  await sim.stop();
}
