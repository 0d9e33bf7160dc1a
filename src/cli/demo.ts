// `otconform demo`: starts each bundled simulator preset in a child process (as a separate device would be),
// runs the suite against it with its profile from device-profiles/, and writes <out>/<preset>/ per preset.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { UsageError } from '../core/errors.js';
import { executeRun, type ExecuteResult } from '../core/execute.js';
import { EXIT } from '../core/outcomes.js';
import { loadProfile, type LoadedProfile } from '../profiles/load.js';
import { createDrivers, ensureHarnessIdentity } from '../protocols/index.js';
import { withInterrupt } from './interrupt.js';
import { terminalStatusLine } from './status-line.js';
import { timestamp } from './run.js';
import { formatTable } from './table.js';
import { verbosityOf } from './verbosity.js';

const PRESETS = ['weak', 'hardened'] as const;
const BIN = new URL('../../bin/otconform.js', import.meta.url).pathname;
const PROFILES = new URL('../../device-profiles/', import.meta.url).pathname;
const SIM_START_TIMEOUT_MS = 90_000;

export interface DemoFlags {
  out?: string;
  allowDisruptive: boolean;
  preset?: string[];
  verbose?: boolean;
  quiet?: boolean;
  color: boolean;
}

interface Simulator {
  preset: string;
  endpointUrl: string;
  child: ChildProcess;
}

export async function demoCommand(flags: DemoFlags): Promise<void> {
  const presets = flags.preset ?? [...PRESETS];
  const unknown = presets.filter((p) => !(PRESETS as readonly string[]).includes(p));
  if (unknown.length > 0) throw new UsageError(`unknown preset(s): ${unknown.join(', ')}; the presets are ${PRESETS.join(', ')}`);
  const outRoot = flags.out ?? join('reports', `demo-${timestamp()}`);
  if (existsSync(outRoot) && readdirSync(outRoot).length > 0) {
    throw new UsageError(`${outRoot} is not empty; choose a new --out directory`);
  }
  const color = flags.color && process.stdout.isTTY === true;
  const print = (line: string) => process.stdout.write(`${line}\n`);
  // A throw-away client identity: the demo leaves nothing behind in ~/.config.
  const pkiDir = mkdtempSync(join(tmpdir(), 'otconform-demo-pki-'));
  const sims: Simulator[] = [];
  const rows: string[][] = [];
  try {
    const identity = await ensureHarnessIdentity(pkiDir);
    print(`Starting the OPC UA simulator (${presets.join(', ')}) ...`);
    sims.push(...(await Promise.all(presets.map((p) => startSimulator(p, identity.certificateFile)))));
    await withInterrupt(async (signal) => {
      for (const sim of sims) {
        if (signal.aborted) break;
        print('');
        print(`== preset ${sim.preset}: ${sim.endpointUrl} ==`);
        const loaded = withEndpoint(loadProfile(join(PROFILES, `sim-opcua-${sim.preset}.yaml`)), sim.endpointUrl);
        const drivers = await createDrivers({ pkiDir, connectTimeoutMs: loaded.profile.timeouts.connectMs, profile: loaded.profile });
        let result: ExecuteResult;
        try {
          result = await executeRun({
            loaded,
            outDir: join(outRoot, sim.preset),
            allowDisruptive: flags.allowDisruptive,
            verbosity: verbosityOf(flags),
            color,
            drivers,
            signal,
            print,
            status: terminalStatusLine(),
          });
        } finally {
          drivers.dispose();
        }
        rows.push(summaryRow(sim.preset, result));
      }
    });
  } finally {
    await Promise.all(sims.map(stopSimulator));
    rmSync(pkiDir, { recursive: true, force: true });
  }
  print('');
  print('== demo summary ==');
  print(formatTable(['preset', 'checks pass/fail/err/skip/n-a', 'requirements fail', 'achieved SL-C (FR1-FR7)', 'exit', 'report'], rows).trimEnd());
  if (!flags.allowDisruptive) {
    print('');
    print('State-change and disruptive checks were skipped; run `npx otconform demo --allow-disruptive` to include them.');
  }
  // The demo succeeds when every preset was tested; the verdicts themselves are in the table above.
  process.exitCode = rows.length === presets.length ? EXIT.ok : EXIT.interrupted;
}

function summaryRow(preset: string, r: ExecuteResult): string[] {
  const c = r.report.summary.checks;
  return [
    preset,
    `${c.pass}/${c.fail}/${c.error}/${c.skipped}/${c['not-applicable']}`,
    String(r.report.summary.requirements.fail),
    Object.values(r.report.achievedSecurityLevel).join(' '),
    String(r.exitCode),
    join(r.runDir, 'report.md'),
  ];
}

/** The simulator listens on a port chosen at start; point the profile (and its redacted copy) at it. */
function withEndpoint(loaded: LoadedProfile, endpointUrl: string): LoadedProfile {
  const point = <T extends LoadedProfile['profile']>(p: T): T => ({
    ...p,
    services: { ...p.services, opcua: p.services.opcua.map((s) => ({ ...s, endpointUrl })) },
  });
  return { ...loaded, profile: point(loaded.profile), redacted: point(loaded.redacted) };
}

async function startSimulator(preset: string, trustedCertificate: string): Promise<Simulator> {
  const child = spawn(
    process.execPath,
    // A simulated legacy device must really speak the legacy policies it offers (Basic128Rsa15 needs
    // RSA PKCS#1 v1.5 decryption, which Node refuses without this revert). Only the simulator gets it.
    ['--security-revert=CVE-2023-46809', BIN, 'sim', 'opcua', '--preset', preset, '--port', '0', '--trust', trustedCertificate, '--quiet'],
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
        const ready = JSON.parse(line) as { ready?: boolean; endpointUrl?: string };
        if (ready.ready && ready.endpointUrl) {
          clearTimeout(timer);
          child.removeAllListeners('exit');
          resolve({ preset, endpointUrl: ready.endpointUrl, child });
        }
      } catch {
        // Not the ready line; the simulator may print other things.
      }
    });
  });
}

function stopSimulator(sim: Simulator): Promise<void> {
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
