// The service-inventory checks through the real runner, against the simulated device's management services
// (simulators/mgmt: weak has a Telnet-like console on a port of its own, hardened has none) plus a silent
// listener nobody declared. Also the sweep's own promises: its port set, its rate limit and its abort.
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { startManagementServices } from '../simulators/mgmt/index.js';
import { loadKnowledgeBase } from '../src/knowledge/index.js';
import { profileSchema } from '../src/profiles/schema.js';
import { planSweepPorts } from '../src/protocols/network/port-set.js';
import { probePort } from '../src/protocols/network/probe-port.js';
import { sweepPorts } from '../src/protocols/network/sweep.js';
import { freePort } from './helpers/free-port.js';
import { runChecks } from './helpers/run-checks.js';

t.setTimeout(60_000);

const HOST = '127.0.0.1';
const CHECKS = ['network-port-inventory', 'network-plaintext-management'];
const SWEEP = { connectionsPerSecond: 200, connectTimeoutMs: 300 };

const pkiDir = await mkdtemp(join(tmpdir(), 'otconform-netinv-'));
t.teardown(() => rm(pkiDir, { recursive: true, force: true }));
const [weak, hardened] = await Promise.all([
  startManagementServices({ preset: 'weak', pkiDir: join(pkiDir, 'weak') }),
  startManagementServices({ preset: 'hardened', pkiDir: join(pkiDir, 'hardened') }),
]);
// A listener nobody declared, that says nothing (like a forgotten debug port).
const stray = net.createServer((s) => s.on('error', () => undefined));
await new Promise<void>((resolve) => stray.listen(0, HOST, resolve));
const strayPort = (stray.address() as net.AddressInfo).port;
const [closedPort, closedDeclared] = await Promise.all([freePort(), freePort()]);
t.teardown(async () => {
  await Promise.all([weak.stop(), hardened.stop(), new Promise((r) => stray.close(r))]);
});
const consolePort = weak.plaintext!.port;

interface Device {
  ssh: number;
  https: number;
  network: Record<string, unknown>;
}

function profileFor(name: string, d: Device): string {
  return JSON.stringify({
    schemaVersion: 1,
    device: { vendor: 'otconform simulated devices', model: `SIM-PLC ${name}`, firmware: '1' },
    componentType: 'EDR',
    targetSecurityLevel: 2,
    services: {
      ssh: [{ name: 'ssh', host: HOST, port: d.ssh }],
      https: [{ name: 'web', url: `https://${HOST}:${d.https}` }],
    },
    network: { ...SWEEP, ...d.network },
  });
}

const run = (name: string, d: Device) => runChecks(profileFor(name, d), { checks: CHECKS, pkiDir: join(pkiDir, 'client'), profileName: `${name}.yaml` });

interface SweepRow {
  port: number;
  state: string;
  appearsToBe?: string;
  identifiedBy?: string;
  product?: string;
}
interface Sweep {
  ports: SweepRow[];
  achievedRate: number;
  durationMs: number;
}

t.test('weak device: the undeclared plaintext console fails both checks', async (t) => {
  const { checks, ms, evidenceJson } = await run('weak', { ssh: weak.ssh.port, https: weak.https.port, network: { ports: [weak.ssh.port, weak.https.port, consolePort, strayPort, closedPort] } });
  const inventory = checks['network-port-inventory']!;
  const plaintext = checks['network-plaintext-management']!;
  t.equal(inventory.verdict, 'fail', inventory.reason);
  t.match(inventory.reason, /2 open ports are not declared/);
  t.match(inventory.reason, new RegExp(`TCP ${consolePort}: Telnet \\(Telnet option negotiation`), 'names the console by its greeting');
  t.match(inventory.reason, new RegExp(`TCP ${strayPort}: unidentified \\(said nothing`), 'names the silent listener honestly');
  t.equal(plaintext.verdict, 'fail', plaintext.reason);
  t.match(plaintext.reason, new RegExp(`Telnet on TCP ${consolePort} \\(Telnet option negotiation \\(IAC\\): ".*SIM-PLC maintenance console`), 'names port and banner');
  t.ok(plaintext.findings.some((f) => f.grade === 'broken' && f.value === `Telnet on TCP ${consolePort}`));
  t.ok(plaintext.findings.some((f) => f.grade === 'unknown' && f.value === `TCP ${strayPort}`), 'the silent listener is unknown, not guessed');

  const sweep = evidenceJson<Sweep>('network-port-inventory', 'sweep.json');
  const row = (p: number) => sweep.ports.find((r) => r.port === p);
  t.equal(row(closedPort)?.state, 'closed');
  t.equal(row(weak.ssh.port)?.product, 'dropbear_2012.55', 'the SSH ident names the software');
  t.equal(row(weak.https.port)?.identifiedBy, 'declared', 'a silent TLS port is named by its declaration');
  t.ok(sweep.achievedRate > 0 && sweep.achievedRate <= SWEEP.connectionsPerSecond, `the achieved rate ${sweep.achievedRate}/s keeps to the limit`);
  t.comment(`weak run ${ms} ms; sweep ${sweep.durationMs} ms at ${sweep.achievedRate}/s`);
});

t.test('hardened device: only declared, encrypted services; both checks pass', async (t) => {
  const { checks, ms, evidenceJson } = await run('hardened', { ssh: hardened.ssh.port, https: hardened.https.port, network: { ports: [hardened.ssh.port, hardened.https.port, closedPort] } });
  const inventory = checks['network-port-inventory']!;
  const plaintext = checks['network-plaintext-management']!;
  t.equal(inventory.verdict, 'pass', inventory.reason);
  t.match(inventory.reason, /only the 2 declared are open/);
  t.equal(plaintext.verdict, 'pass', plaintext.reason);
  t.match(plaintext.reason, new RegExp(`SSH on TCP ${hardened.ssh.port}\\b`));
  t.match(plaintext.reason, new RegExp(`HTTPS on TCP ${hardened.https.port}\\b`));
  const sweep = evidenceJson<Sweep>('network-plaintext-management', 'sweep.json');
  t.equal(sweep.ports.find((r) => r.port === hardened.ssh.port)?.identifiedBy, 'banner', 'SSH is named by its ident, not its declaration');
  t.comment(`hardened run ${ms} ms; sweep ${sweep.durationMs} ms at ${sweep.achievedRate}/s`);
});

t.test('a declared plaintext console still fails; a declared port that is closed makes the inventory inconclusive', async (t) => {
  const { checks } = await run('declared', {
    ssh: hardened.ssh.port,
    https: hardened.https.port,
    network: {
      ports: [hardened.ssh.port, hardened.https.port],
      declaredOther: [
        { port: consolePort, service: 'Telnet maintenance console' },
        { port: closedDeclared, service: 'vendor engineering tool' },
      ],
    },
  });
  const inventory = checks['network-port-inventory']!;
  const plaintext = checks['network-plaintext-management']!;
  t.equal(inventory.verdict, 'error', inventory.reason);
  t.match(inventory.reason, new RegExp(`declared port ${closedDeclared} \\(vendor engineering tool: closed`));
  t.equal(plaintext.verdict, 'fail', plaintext.reason);
  t.match(plaintext.reason, new RegExp(`Telnet on TCP ${consolePort}`));
});

t.test('an undeclared silent port: inventory fails, plaintext is inconclusive (nothing is sent to guess it)', async (t) => {
  const { checks } = await run('stray', { ssh: hardened.ssh.port, https: hardened.https.port, network: { ports: [hardened.ssh.port, hardened.https.port, strayPort] } });
  t.equal(checks['network-port-inventory']!.verdict, 'fail');
  const plaintext = checks['network-plaintext-management']!;
  t.equal(plaintext.verdict, 'error', plaintext.reason);
  t.match(plaintext.reason, new RegExp(`TCP ${strayPort} cannot be judged without a protocol probe`));
});

t.test('a port set larger than maxPorts, or slower than the check timeout, is refused before any connection', async (t) => {
  const tooMany = await run('too-many', { ssh: hardened.ssh.port, https: hardened.https.port, network: { ports: ['1-65535'], maxPorts: 100 } });
  const tooSlow = await run('too-slow', { ssh: hardened.ssh.port, https: hardened.https.port, network: { ports: ['20000-21999'], connectionsPerSecond: 10 } });
  for (const id of CHECKS) {
    t.equal(tooMany.checks[id]!.verdict, 'error', tooMany.checks[id]!.reason);
    t.match(tooMany.checks[id]!.reason, /would try 65535 ports .*more than network\.maxPorts \(100\)/);
    t.same(tooMany.checks[id]!.steps, [], 'no sweep step ran');
    t.equal(tooSlow.checks[id]!.verdict, 'error', tooSlow.checks[id]!.reason);
    t.match(tooSlow.checks[id]!.reason, /2002 ports at 10\/s would take about \d+ s, longer than the check may run/);
    t.same(tooSlow.checks[id]!.steps, [], 'no sweep step ran');
  }
});

t.test('port set: well-known ports by default, plus extras and declared ports; ranges expand', async (t) => {
  const kb = loadKnowledgeBase();
  const settings = (n: object) => profileSchema.shape.network.unwrap().parse(n);
  const wellKnown = kb.network.wellKnownTcpPorts();
  t.ok([23, 102, 502, 4840, 20000, 44818, 2404, 18245, 9600, 5007, 789, 1962, 21, 22, 80, 443, 445, 3389, 5900, 8080, 8443].every((p) => wellKnown.includes(p)));
  const byDefault = planSweepPorts({ settings: settings({ extraPorts: ['30000-30002', 31000] }), declared: [40000], wellKnown });
  t.equal(byDefault.origin, 'default');
  t.ok([30000, 30001, 30002, 31000, 40000].every((p) => byDefault.ports.includes(p)), 'extras and declared ports are added');
  t.same(byDefault.ports, [...byDefault.ports].sort((a, b) => a - b), 'ascending');
  t.equal(byDefault.ports.length, wellKnown.length + 5);
  const given = planSweepPorts({ settings: settings({ ports: ['100-103', 102, 7] }), declared: [40000], wellKnown });
  t.same(given, { ports: [7, 100, 101, 102, 103, 40000], origin: 'profile' });
  t.throws(() => planSweepPorts({ settings: settings({ ports: ['1-3000'] }), declared: [], wellKnown }), { name: 'PortSetError', message: /3000 ports .*more than network\.maxPorts \(2048\)/ });
  t.throws(() => planSweepPorts({ settings: { ...settings({}), ports: ['9-3'] }, declared: [], wellKnown }), { name: 'PortSetError', message: /"9-3" is not a range/ });
});

t.test('the sweep keeps to its rate and stops at once on abort', async (t) => {
  // The same closed port, tried 60 times at 100 new connections per second.
  const ports = Array.from({ length: 60 }, () => closedPort);
  const base = { address: HOST, connectTimeoutMs: 300, listenMs: 1000, quietMs: 300, maxGreetingBytes: 2048 };
  const r = await sweepPorts({ ...base, ports, connectionsPerSecond: 100, signal: new AbortController().signal });
  t.equal(r.counts.closed, 60);
  t.ok(r.achievedRate <= 100 && r.achievedRate >= 50, `achieved ${r.achievedRate}/s for a limit of 100/s`);
  t.ok(r.durationMs >= 585, `60 connections at 100/s take at least 590 ms (took ${r.durationMs})`);
  t.comment(`60 ports at 100/s: ${r.durationMs} ms, ${r.achievedRate}/s`);

  const ac = new AbortController();
  const t0 = Date.now();
  setTimeout(() => ac.abort(new Error('stop now')), 150);
  await t.rejects(sweepPorts({ ...base, ports: Array.from({ length: 200 }, () => closedPort), connectionsPerSecond: 20, signal: ac.signal }), /stop now/);
  t.ok(Date.now() - t0 < 400, `aborted within ${Date.now() - t0} ms`);
});

t.test('a server that trickles its greeting cannot hold the sweep', async (t) => {
  const trickler = net.createServer((s) => {
    s.on('error', () => undefined);
    const timer = setInterval(() => s.write('.'), 50);
    s.on('close', () => clearInterval(timer));
  });
  await new Promise<void>((resolve) => trickler.listen(0, HOST, resolve));
  t.teardown(() => new Promise((r) => trickler.close(r)));
  const t0 = Date.now();
  const p = await probePort(HOST, (trickler.address() as net.AddressInfo).port, {
    connectTimeoutMs: 300,
    listenMs: 300,
    quietMs: 300,
    maxGreetingBytes: 2048,
    signal: new AbortController().signal,
  });
  t.equal(p.state, 'open');
  t.ok(Date.now() - t0 < 1000, `the greeting was cut at twice listenMs (${Date.now() - t0} ms, ${p.greeting?.length} bytes)`);
});
