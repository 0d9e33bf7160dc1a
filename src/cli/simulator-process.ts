// The bundled PLC simulator as a child process, the way a separate device runs: started with free ports,
// read back from its JSON ready line, and a profile pointed at it. Shared by `demo` and the benchmark.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { loadProfile, type LoadedProfile } from '../profiles/load.js';

export const SIM_PRESETS = ['weak', 'hardened'] as const;
const BIN = new URL('../../bin/otconform.js', import.meta.url).pathname;
const PROFILES = new URL('../../device-profiles/', import.meta.url).pathname;
const SIM_START_TIMEOUT_MS = 90_000;

/** The simulator's JSON ready line (see `otconform sim plc`). */
export interface ReadyLine {
  ready: true;
  host: string;
  modbus: { port: number };
  modbusTls?: { port: number; caFile: string; clients: Record<string, { certificateFile: string; privateKeyFile: string }> };
  opcua: { endpointUrl: string; port: number };
  ssh?: { port: number };
  https?: { port: number; caFile: string };
  /** The weak preset's plaintext console, which no profile declares. */
  console?: { port: number };
}

export interface Simulator {
  preset: string;
  ready: ReadyLine;
  child: ChildProcess;
}

/** The preset's profile from device-profiles/, pointed at the running simulator. */
export function simulatorProfile(sim: Simulator): LoadedProfile {
  return pointAtSimulator(loadProfile(join(PROFILES, `sim-plc-${sim.preset}.yaml`)), sim.ready);
}

/**
 * The simulator listens on ports chosen at start and made its certificates in the demo's scratch folder:
 * point the profile (and its redacted copy) at them.
 */
function pointAtSimulator(loaded: LoadedProfile, ready: ReadyLine): LoadedProfile {
  const point = <T extends LoadedProfile['profile']>(p: T): T => ({
    ...p,
    services: {
      ...p.services,
      opcua: p.services.opcua.map((s) => ({ ...s, endpointUrl: ready.opcua.endpointUrl })),
      ssh: p.services.ssh.map((s) => ({ ...s, host: ready.host, port: required(ready.ssh, 'SSH').port })),
      https: p.services.https.map((s) => {
        const https = required(ready.https, 'HTTPS');
        return { ...s, url: `https://${ready.host}:${https.port}`, ...(s.caFile ? { caFile: https.caFile } : {}) };
      }),
      modbus: p.services.modbus.map((s) => {
        if (!s.tls) return { ...s, host: ready.host, port: ready.modbus.port };
        const tls = ready.modbusTls;
        const operator = tls?.clients.operator;
        if (!tls || !operator) throw new Error('the simulator did not start Modbus/TCP Security, which the profile declares');
        return { ...s, host: ready.host, port: tls.port, tls: { ...s.tls, clientCertificate: operator, caFile: tls.caFile } };
      }),
    },
    // Sweep exactly the ports the simulator chose: the well-known defaults would also find whatever else
    // listens on this machine's loopback.
    network: { ...p.network, ports: simulatorPorts(ready) },
  });
  return { ...loaded, profile: point(loaded.profile), redacted: point(loaded.redacted) };
}

function required<T>(service: T | undefined, name: string): T {
  if (!service) throw new Error(`the simulator did not start its ${name} service, which the profile declares`);
  return service;
}

function simulatorPorts(ready: ReadyLine): number[] {
  return [ready.opcua.port, ready.modbus.port, ready.modbusTls?.port, ready.ssh?.port, ready.https?.port, ready.console?.port].filter(
    (p): p is number => p !== undefined,
  );
}

export async function startSimulator(preset: string, trustedCertificate: string, scratch: string): Promise<Simulator> {
  const child = spawn(
    process.execPath,
    // A simulated legacy device must really speak the legacy policies it offers (Basic128Rsa15 needs
    // RSA PKCS#1 v1.5 decryption, which Node refuses without this revert). Only the simulator gets it.
    [
      '--security-revert=CVE-2023-46809',
      BIN,
      'sim',
      'plc',
      '--preset',
      preset,
      '--port',
      '0',
      '--tls-port',
      '0',
      '--opcua-port',
      '0',
      '--ssh-port',
      '0',
      '--https-port',
      '0',
      '--console-port',
      '0',
      '--trust',
      trustedCertificate,
      '--pki',
      join(scratch, `sim-${preset}`),
      '--quiet',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  return new Promise<Simulator>((resolve, reject) => {
    const timer = setTimeout(() => fail(`did not start within ${SIM_START_TIMEOUT_MS / 1000} s`), SIM_START_TIMEOUT_MS);
    const fail = (why: string) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`the ${preset} simulator ${why}${stderr ? `:\n${stderr.trim()}` : ''}`));
    };
    child.once('exit', (code) => fail(`exited with code ${code}`));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      try {
        const ready = JSON.parse(line) as Partial<ReadyLine>;
        if (ready.ready && ready.opcua?.endpointUrl && ready.modbus?.port) {
          clearTimeout(timer);
          child.removeAllListeners('exit');
          resolve({ preset, ready: ready as ReadyLine, child });
        }
      } catch {
        // Not the ready line; the simulator may print other things.
      }
    });
  });
}

export function stopSimulator(sim: Simulator): Promise<void> {
  return new Promise((resolve) => {
    if (sim.child.exitCode !== null) return resolve();
    const force = setTimeout(() => sim.child.kill('SIGKILL'), 5000);
    sim.child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    sim.child.kill('SIGTERM');
  });
}
