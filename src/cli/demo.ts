// `otconform demo`: starts the bundled PLC simulator (OPC UA + Modbus TCP, one device) for each preset in a
// child process, as a separate device would be, runs the suite against it with its profile from
// device-profiles/, and writes <out>/<preset>/ per preset.
import { loadSigningKey } from '../evidence/signing.js';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../core/errors.js';
import { executeRun, type ExecuteResult } from '../core/execute.js';
import { EXIT } from '../core/outcomes.js';
import { createDrivers, ensureHarnessIdentity } from '../protocols/index.js';
import { withInterrupt } from './interrupt.js';
import { SIM_PRESETS, simulatorProfile, startSimulator, stopSimulator, type Simulator } from './simulator-process.js';
import { terminalStatusLine } from './status-line.js';
import { timestamp } from './run.js';
import { formatTable } from './table.js';
import { verbosityOf } from './verbosity.js';

const PRESETS = SIM_PRESETS;

export interface DemoFlags {
  out?: string;
  allowDisruptive: boolean;
  preset?: string[];
  /** Ed25519 private key (PEM) to sign each preset's run with. */
  sign?: string;
  verbose?: boolean;
  quiet?: boolean;
  color: boolean;
}

export async function demoCommand(flags: DemoFlags): Promise<void> {
  const presets = flags.preset ?? [...PRESETS];
  const unknown = presets.filter((p) => !(PRESETS as readonly string[]).includes(p));
  if (unknown.length > 0) throw new UsageError(`unknown preset(s): ${unknown.join(', ')}; the presets are ${PRESETS.join(', ')}`);
  // A bad key is a usage error before any simulator starts.
  const signer = flags.sign ? loadSigningKey(flags.sign) : undefined;
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
    print(`Starting the PLC simulator, OPC UA + Modbus (${presets.join(', ')}) ...`);
    sims.push(...(await Promise.all(presets.map((p) => startSimulator(p, identity.certificateFile, pkiDir)))));
    await withInterrupt(async (signal) => {
      for (const sim of sims) {
        if (signal.aborted) break;
        print('');
        print(`== preset ${sim.preset}: ${sim.ready.opcua.endpointUrl}, modbus://${sim.ready.host}:${sim.ready.modbus.port}` +
          `${sim.ready.modbusTls ? `, modbus+tls://${sim.ready.host}:${sim.ready.modbusTls.port}` : ''} ==`);
        const loaded = simulatorProfile(sim);
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
            ...(signer ? { signer } : {}),
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

