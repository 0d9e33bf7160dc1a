// `npm run bench` (bench/run.js): numbers, not assertions. Starts each PLC simulator preset as a child process and prints
// (1) the Modbus request rate the flood generator sustains against it, unpaced and paced, and
// (2) how long every check takes in a full run (--allow-disruptive) against it, and
// (3) how long the TLS and SSH audits of one endpoint take beside testssl.sh and ssh-audit (when installed).
// `npm run bench -- --audits` prints (3) only.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { executeRun } from '../src/core/execute.js';
import { formatTable } from '../src/cli/table.js';
import { SIM_PRESETS, simulatorProfile, startSimulator, stopSimulator } from '../src/cli/simulator-process.js';
import { modbusRequestFlood } from '../src/load/modbus-load.js';
import { createDrivers, ensureHarnessIdentity } from '../src/protocols/index.js';
import { createTranscript } from '../src/core/transcript.js';
import { benchSshAudit } from './ssh-audit.js';
import { benchTlsAudit } from './tls-audit.js';

const FLOOD_MS = Number(process.env.BENCH_FLOOD_MS ?? 3000);
const scratch = mkdtempSync(join(tmpdir(), 'otconform-bench-'));
const print = (line = '') => process.stdout.write(`${line}\n`);

const auditsOnly = process.argv.includes('--audits');

/** One row per endpoint: our time, theirs, how many times faster we are, and whether the verdicts agree. */
async function auditRows(): Promise<string[][]> {
  const row = (tool: string, label: string, ours: number, theirs: number | undefined, agree: boolean | undefined) => [
    label,
    `${ours.toFixed(0)} ms`,
    theirs === undefined ? `${tool} not installed` : `${theirs < 1000 ? `${theirs.toFixed(0)} ms` : `${(theirs / 1000).toFixed(1)} s`} (${tool})`,
    theirs === undefined ? '-' : `${(theirs / ours).toFixed(0)}x`,
    agree === undefined ? '-' : agree ? 'yes' : 'NO',
  ];
  const tls = (await benchTlsAudit()).map((r) => row('testssl.sh', `TLS ${r.label}`, r.oursMs, r.testsslMs, r.agree));
  const ssh = (await benchSshAudit()).map((r) => row('ssh-audit', `SSH ${r.label}`, r.oursMs, r.sshAuditMs, r.agree));
  return [...tls, ...ssh];
}

function printAudits(rows: string[][]): void {
  print('TLS and SSH audit of one endpoint, otconform beside testssl.sh (-p -E -S) and ssh-audit');
  print(formatTable(['endpoint', 'otconform', 'other tool', 'faster by', 'same verdicts'], rows).trimEnd());
}

if (auditsOnly) {
  printAudits(await auditRows());
  process.exit(0);
}

try {
  const identity = await ensureHarnessIdentity(join(scratch, 'pki'));
  const floodRows: string[][] = [];
  const checkRows = new Map<string, string[]>();
  for (const preset of SIM_PRESETS) {
    const sim = await startSimulator(preset, identity.certificateFile, scratch);
    try {
      const loaded = simulatorProfile(sim);
      // The full run first: the floods can leave the weak preset busy for seconds afterwards.
      const runDrivers = await createDrivers({ pkiDir: join(scratch, 'pki'), connectTimeoutMs: 5000, profile: loaded.profile });
      const { report } = await executeRun({
        loaded,
        outDir: join(scratch, `run-${preset}`),
        allowDisruptive: true,
        verbosity: 'quiet',
        color: false,
        drivers: runDrivers,
        signal: new AbortController().signal,
        print: () => undefined,
      });
      runDrivers.dispose();
      for (const c of report.checks) {
        const key = c.target === '-' ? c.id : `${c.id} @ ${c.target}`;
        const row = checkRows.get(key) ?? [key, '-', '-'];
        row[preset === 'weak' ? 1 : 2] = c.verdict === 'skipped' || c.verdict === 'not-applicable' ? c.verdict : `${(c.durationMs / 1000).toFixed(2)} s (${c.verdict})`;
        checkRows.set(key, row);
      }
      const total = report.checks.reduce((n, c) => n + c.durationMs, 0);
      checkRows.set(`total (${preset})`, [`total ${preset}`, preset === 'weak' ? `${(total / 1000).toFixed(1)} s` : '', preset === 'hardened' ? `${(total / 1000).toFixed(1)} s` : '']);
      const drivers = await createDrivers({ pkiDir: join(scratch, 'pki'), connectTimeoutMs: 5000, profile: loaded.profile });
      const plain = loaded.profile.services.modbus.find((s) => !s.tls && s.host)!;
      const fixture = drivers.createFixture('modbus', plain, createTranscript(), new AbortController().signal);
      for (const [label, targetRate, connections] of [
        ['unpaced, 1 connection, 32 in flight', Infinity, 1],
        ['unpaced, 4 connections, 32 in flight each', Infinity, 4],
        ['paced at 1600 req/s, 4 connections', 1600, 4],
      ] as const) {
        const s = await modbusRequestFlood({
          open: () => fixture.socket(),
          unitId: plain.unitId,
          targetRate,
          durationMs: FLOOD_MS,
          connections,
          signal: new AbortController().signal,
        });
        floodRows.push([preset, label, String(s.sentPerSecond), String(s.answeredPerSecond), String(s.connectionsClosedByDevice)]);
        // Let the device drain and recover between runs.
        await new Promise((r) => setTimeout(r, 1500));
      }
      await fixture.close();
      drivers.dispose();

    } finally {
      await stopSimulator(sim);
    }
  }
  print(`Modbus request flood against the PLC simulator (${FLOOD_MS} ms per line)`);
  print(formatTable(['preset', 'generator', 'sent req/s', 'answered req/s', 'connections closed by device'], floodRows).trimEnd());
  print();
  print('Check durations in a full run (--allow-disruptive)');
  print(formatTable(['check', 'weak', 'hardened'], [...checkRows.values()]).trimEnd());
  print();
  printAudits(await auditRows());
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
