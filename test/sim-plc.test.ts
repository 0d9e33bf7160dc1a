// The Modbus PLC simulator: both presets started for real on loopback and probed with raw frames, so every
// byte the device gets is the test's own (the harness's client is tested in modbus-client.test.ts).
// Plus Modbus RTU over a socat pty pair, and one-device mode with the OPC UA server bound to the PLC.

import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import tls from 'node:tls';
import { SerialPort } from 'serialport';
import t, { type Test } from 'tap';
import { freePort } from './helpers/free-port.js';
import { openPtyPair, requireSocat } from './helpers/pty.js';
import {
  issueClientCertificate,
  SimulatorBindError,
  startPlcSimulator,
  type PlcPresetName,
  type RunningPlcSimulator,
} from '../simulators/modbus-plc/index.js';
import {
  decodeRtu,
  encodeMbap,
  encodeRtu,
  parseDeviceIdResponse,
  parseReadValues,
  parseReply,
  readDeviceIdRequest,
  readRequest,
  takeMbapFrame,
  writeSingleRequest,
  type MbapFrame,
} from '../src/protocols/modbus/wire.js';

t.setTimeout(90_000);

const HOST = '127.0.0.1';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const tmp = await mkdtemp(join(tmpdir(), 'otconform-sim-plc-'));
t.teardown(() => rm(tmp, { recursive: true, force: true }));

// ---------- a raw MBAP client ----------

type Outcome = Buffer | 'timeout' | 'closed';

class Conn {
  readonly frames: MbapFrame[] = [];
  closed = false;
  private buffer: Buffer = Buffer.alloc(0);
  private tid = 0;
  private readonly waiters = new Set<() => void>();

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (d: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, d]);
      for (let f = takeMbapFrame(this.buffer); f; f = takeMbapFrame(this.buffer)) {
        this.frames.push(f.frame);
        this.buffer = f.rest;
      }
      this.wake();
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
  }

  static open(port: number): Promise<Conn> {
    return new Promise((resolve, reject) => {
      const s = net.connect(port, HOST, () => resolve(new Conn(s)));
      s.once('error', reject);
    });
  }

  static openTls(port: number, options: tls.ConnectionOptions): Promise<Conn> {
    return new Promise((resolve, reject) => {
      const s = tls.connect({ host: HOST, port, ...options }, () => resolve(new Conn(s)));
      s.once('error', reject);
    });
  }

  send(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  /** One framed request; its reply PDU, or what happened instead. */
  async request(pdu: Buffer, timeoutMs = 1500): Promise<Outcome> {
    const tid = ++this.tid & 0xffff;
    this.send(encodeMbap(tid, 1, pdu));
    return this.waitFor(tid, timeoutMs);
  }

  async waitFor(tid: number, timeoutMs: number): Promise<Outcome> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.frames.find((f) => f.transactionId === tid);
      if (hit) return hit.pdu;
      if (this.closed) return 'closed';
      const left = deadline - Date.now();
      if (left <= 0) return 'timeout';
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, left);
        function done() {
          clearTimeout(timer);
          resolve();
        }
        this.waiters.add(done);
      });
    }
  }

  /** Resolves when the device closes the connection (true) or after timeoutMs (false). */
  async waitClosed(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed && Date.now() < deadline) await sleep(10);
    return this.closed;
  }

  close(): void {
    this.socket.destroy();
  }

  private wake(): void {
    for (const w of [...this.waiters]) w();
    this.waiters.clear();
  }
}

const exceptionOf = (o: Outcome) => {
  const r = Buffer.isBuffer(o) ? parseReply(o) : undefined;
  return r?.kind === 'exception' ? r.exceptionCode : undefined;
};
const isResponse = (o: Outcome) => Buffer.isBuffer(o) && parseReply(o)?.kind === 'response';
const registers = (o: Outcome, count: number) => (Buffer.isBuffer(o) ? parseReadValues('holding', count, o) : undefined);

async function readHolding(c: Conn, address: number, count = 1): Promise<number[] | undefined> {
  return registers(await c.request(readRequest('holding', address, count)), count);
}

async function heartbeat(port: number): Promise<number> {
  const c = await Conn.open(port);
  try {
    const v = await readHolding(c, 0);
    if (!v) throw new Error('no heartbeat');
    return v[0]!;
  } finally {
    c.close();
  }
}

function startSim(t: Test, preset: PlcPresetName, extra: Partial<Parameters<typeof startPlcSimulator>[0]> = {}) {
  return startPlcSimulator({ preset, port: 0, tlsPort: 0, pkiDir: join(tmp, `pki-${preset}`), ...extra }).then((sim) => {
    t.teardown(() => sim.stop());
    return sim;
  });
}

// ---------- weak ----------

t.test('weak preset: a fragile legacy PLC', async (t) => {
  const sim = await startSim(t, 'weak');
  t.equal(sim.tlsPort, undefined, 'no Modbus/TCP Security');
  t.equal(sim.pki, undefined, 'so no PKI');
  const c = await Conn.open(sim.tcpPort);
  t.teardown(() => c.close());

  const h1 = (await readHolding(c, 0))![0]!;
  await sleep(300);
  const h2 = (await readHolding(c, 0))![0]!;
  t.ok(h2 - h1 >= 3, `heartbeat increments (${h1} -> ${h2} in 300 ms)`);

  const basic = parseDeviceIdResponse((await c.request(readDeviceIdRequest(1, 0))) as Buffer);
  t.same(Object.fromEntries(basic?.objects ?? []), { 0: 'otconform simulated devices', 1: 'SIM-PLC-W' }, 'basic identity lacks MajorMinorRevision');
  const regular = parseDeviceIdResponse((await c.request(readDeviceIdRequest(2, 0))) as Buffer);
  t.equal(regular?.objects.get(4), 'SIM-PLC weak', 'regular category has ProductName');
  t.equal(exceptionOf(await c.request(readDeviceIdRequest(4, 2))), 2, 'individual access to the missing revision: exception 02');

  const echo = await c.request(Buffer.from([0x08, 0x00, 0x00, 0xa5, 0x37]));
  t.same(echo, Buffer.from([0x08, 0x00, 0x00, 0xa5, 0x37]), 'FC 8 sub-function 0 echoes the query');
  t.equal(exceptionOf(await c.request(Buffer.from([0x08, 0x00, 0x01, 0x00, 0x00]))), 3, 'FC 8 restart is never carried out (exception 03)');

  t.ok(isResponse(await c.request(writeSingleRequest('holding', 10, 734))), 'plain TCP write of the setpoint accepted');
  t.same(await readHolding(c, 10), [734], 'and reads back');
  t.ok(isResponse(await c.request(writeSingleRequest('holding', 0, 5))), 'even the heartbeat is writable');

  const oob = await c.request(readRequest('holding', 98, 5));
  t.same(registers(oob, 5), [0, 0, 0, 0, 0], 'out-of-range read answered with zeros, not exception 02');
  t.same(await c.request(Buffer.from([0x03, 0x00, 0x00])), Buffer.from([0x03, 0x00]), 'truncated PDU answered from past the frame');
  t.ok(isResponse(await c.request(readRequest('holding', 0, 200))), 'quantity 200 answered (clamped), not exception 03');
});

t.test('weak preset: a partial frame stalls the scan until its socket closes', async (t) => {
  const sim = await startSim(t, 'weak');
  await sleep(300);
  const before = await heartbeat(sim.tcpPort);
  const dripper = await Conn.open(sim.tcpPort);
  dripper.send(encodeMbap(1, 1, readRequest('holding', 0, 1)).subarray(0, 5));
  await sleep(100);
  const reader = await Conn.open(sim.tcpPort);
  t.teardown(() => reader.close());
  const started = Date.now();
  const pending = reader.request(readRequest('holding', 0, 1), 5000);
  await sleep(700);
  dripper.close();
  const reply = await pending;
  const waited = Date.now() - started;
  const during = registers(reply, 1)?.[0];
  t.ok(waited >= 650, `a read waits while the partial frame is pending (${waited} ms)`);
  t.ok(during !== undefined && during - before <= 4, `heartbeat stood still: ${before} -> ${during} over ~${waited + 100} ms`);
  t.comment(`weak: heartbeat gap under a partial frame ${waited + 100} ms (${before} -> ${during})`);
  await sleep(300);
  const after = (await readHolding(reader, 0))![0]!;
  t.ok(after - during! >= 3, `scan recovers once the socket closed (${during} -> ${after} in 300 ms)`);
});

t.test('weak preset: an oversized MBAP length triggers a watchdog reset', async (t) => {
  const sim = await startSim(t, 'weak');
  const bystander = await Conn.open(sim.tcpPort);
  const attacker = await Conn.open(sim.tcpPort);
  const hb = (await readHolding(bystander, 0))![0]!;
  const resetAt = Date.now();
  attacker.send(encodeMbap(9, 1, readRequest('holding', 0, 1), 300));
  t.ok(await attacker.waitClosed(1000), 'the offending connection is dropped');
  t.ok(await bystander.waitClosed(1000), 'every other connection is dropped too');
  const during = await Conn.open(sim.tcpPort);
  t.ok(await during.waitClosed(1000), 'a new connection during the reset is accepted and closed at once');
  // Back once resetMs (3000) has passed.
  let back: Conn | undefined;
  let value: number | undefined;
  while (Date.now() - resetAt < 6000 && value === undefined) {
    await sleep(100);
    back = await Conn.open(sim.tcpPort);
    value = (await readHolding(back, 0))?.[0];
    back.close();
  }
  const downMs = Date.now() - resetAt;
  t.ok(value !== undefined && downMs >= 2900, `device answers again after ${downMs} ms`);
  t.ok(value !== undefined && value - hb <= 5, `the scan was halted meanwhile (${hb} -> ${value})`);
  t.comment(`weak: watchdog reset, unreachable for ${downMs} ms`);
});

// ---------- hardened ----------

t.test('hardened preset', async (t) => {
  const sim = await startSim(t, 'hardened');
  t.ok(sim.tlsPort, `Modbus/TCP Security on ${sim.tlsPort}`);
  const pki = sim.pki!;
  t.ok(pki.caFile.endsWith('ca.cert.pem') && pki.clients.operator.certificateFile.endsWith('operator.cert.pem'), 'PKI files');
  const c = await Conn.open(sim.tcpPort);
  t.teardown(() => c.close());

  const h1 = (await readHolding(c, 0))![0]!;
  await sleep(300);
  const h2 = (await readHolding(c, 0))![0]!;
  t.ok(h2 - h1 >= 3, `heartbeat increments (${h1} -> ${h2} in 300 ms)`);

  const id = parseDeviceIdResponse((await c.request(readDeviceIdRequest(2, 0))) as Buffer);
  t.same(
    Object.fromEntries(id?.objects ?? []),
    { 0: 'otconform simulated devices', 1: 'SIM-PLC-H', 2: '4.2.1', 4: 'SIM-PLC hardened', 5: 'SIM-PLC-H' },
    'full identity, firmware revision included',
  );
  t.equal(exceptionOf(await c.request(Buffer.from([0x08, 0x00, 0x00, 0xa5, 0x37]))), 1, 'FC 8 not offered: exception 01');
  t.equal(exceptionOf(await c.request(writeSingleRequest('holding', 10, 600))), 1, 'plain TCP write refused: exception 01');
  t.equal(exceptionOf(await c.request(readRequest('holding', 98, 5))), 2, 'out-of-range read: exception 02');
  t.equal(exceptionOf(await c.request(Buffer.from([0x03, 0x00, 0x00]))), 3, 'truncated PDU: exception 03');
  t.equal(exceptionOf(await c.request(readRequest('holding', 0, 200))), 3, 'quantity 200: exception 03');

  const bad = await Conn.open(sim.tcpPort);
  const frame = encodeMbap(1, 1, readRequest('holding', 0, 1));
  frame.writeUInt16BE(1, 2);
  bad.send(frame);
  t.ok(await bad.waitClosed(1000), 'protocol id 1: connection closed without an answer');
  t.equal(bad.frames.length, 0);
  const long = await Conn.open(sim.tcpPort);
  long.send(encodeMbap(1, 1, readRequest('holding', 0, 1), 300));
  t.ok(await long.waitClosed(1000), 'MBAP length 300: connection closed');
  t.ok((await readHolding(c, 0)) !== undefined, 'and nobody else noticed');
});

t.test('hardened preset: Modbus/TCP Security roles', async (t) => {
  const sim = await startSim(t, 'hardened');
  const pki = sim.pki!;
  const ca = await readFile(pki.caFile);
  const credentials = async (files: { certificateFile: string; privateKeyFile: string }) => ({
    ca,
    cert: await readFile(files.certificateFile),
    key: await readFile(files.privateKeyFile),
  });

  const op = await Conn.openTls(sim.tlsPort!, await credentials(pki.clients.operator));
  t.teardown(() => op.close());
  t.equal((op.socket as tls.TLSSocket).getProtocol(), 'TLSv1.3');
  t.ok(isResponse(await op.request(writeSingleRequest('holding', 10, 655))), 'operator writes HR10');
  t.same(await readHolding(op, 10), [655], 'and reads it back');
  t.ok(isResponse(await op.request(writeSingleRequest('coil', 0, 0))), 'operator may stop the pump (coil 0)');
  t.equal(exceptionOf(await op.request(writeSingleRequest('holding', 0, 1))), 2, 'operator may not write the heartbeat: exception 02');
  t.equal(exceptionOf(await op.request(writeSingleRequest('holding', 10, 5000))), 3, 'setpoint above 100 %: exception 03');

  const ro = await Conn.openTls(sim.tlsPort!, await credentials(pki.clients['read-only']));
  t.teardown(() => ro.close());
  t.ok(await readHolding(ro, 0), 'read-only role reads');
  t.equal(exceptionOf(await ro.request(writeSingleRequest('holding', 10, 600))), 1, 'read-only role writing: exception 01');

  const caKeyPem = await readFile(pki.caKeyFile, 'utf8');
  const noRole = await issueClientCertificate({ caCertPem: ca.toString(), caKeyPem }, { commonName: 'no role' });
  const nr = await Conn.openTls(sim.tlsPort!, { ca, cert: noRole.certificatePem, key: noRole.privateKeyPem });
  t.teardown(() => nr.close());
  t.equal(exceptionOf(await nr.request(readRequest('holding', 0, 1))), 1, 'certificate without a role: exception 01 even for reads');

  const anonymous = await Conn.openTls(sim.tlsPort!, { ca }).catch((e: Error) => e);
  const anonymousOutcome = anonymous instanceof Conn ? await anonymous.request(readRequest('holding', 0, 1)) : 'closed';
  t.equal(anonymousOutcome, 'closed', 'no client certificate: handshake refused, nothing answered');

  const legacy = await Conn.openTls(sim.tlsPort!, {
    ...(await credentials(pki.clients.operator)),
    minVersion: 'TLSv1.1',
    maxVersion: 'TLSv1.1',
    ciphers: 'DEFAULT@SECLEVEL=0',
  }).catch((e: Error) => e);
  t.ok(legacy instanceof Error, `TLS 1.1 refused (${legacy instanceof Error ? legacy.message : 'connected'})`);

  t.ok(await (await Conn.open(sim.tcpPort)).request(readRequest('holding', 0, 1)), 'PKI reused by a second start');
  const again = await startPlcSimulator({ preset: 'hardened', port: 0, tlsPort: 0, pkiDir: pki.dir });
  t.teardown(() => again.stop());
  t.equal(await readFile(again.pki!.caFile, 'utf8'), ca.toString(), 'the same CA is reused');
});

t.test('hardened preset: rate limit, partial-frame timeout, connection limit', async (t) => {
  const sim = await startSim(t, 'hardened');
  const c = await Conn.open(sim.tcpPort);
  t.teardown(() => c.close());
  const burst = Buffer.concat(Array.from({ length: 200 }, (_, i) => encodeMbap(i + 1, 1, readRequest('holding', 0, 1))));
  c.send(burst);
  await sleep(500);
  const answered = c.frames.length;
  t.ok(answered >= 50 && answered <= 60, `200 pipelined requests: ${answered} answered (burst 50 + refill), the rest dropped`);
  t.comment(`hardened: ${answered} of 200 pipelined requests answered within 500 ms`);
  await sleep(600);
  t.ok(await readHolding(c, 0), 'answers again once the bucket refilled');

  const drip = await Conn.open(sim.tcpPort);
  const started = Date.now();
  drip.send(encodeMbap(1, 1, readRequest('holding', 0, 1)).subarray(0, 5));
  await sleep(500);
  drip.send(Buffer.from([0x00])); // a slow drip does not extend the deadline
  t.ok(await drip.waitClosed(2500), 'a partial frame closes its connection');
  const heldMs = Date.now() - started;
  t.ok(heldMs >= 950 && heldMs < 1600, `after ${heldMs} ms`);
  t.comment(`hardened: partial frame closed after ${heldMs} ms`);

  const extra: Conn[] = [];
  t.teardown(() => extra.forEach((x) => x.close()));
  for (let i = 0; i < 8; i++) extra.push(await Conn.open(sim.tcpPort)); // c already holds one of the 8
  await sleep(100);
  t.equal(extra.filter((x) => x.closed).length, 1, 'the 9th connection is closed at once');
  t.ok(await readHolding(c, 0), 'established connections keep working');
});

// ---------- RTU ----------

async function rtuRoundTrip(port: SerialPort, chunks: Buffer[], gapMs = 0, waitMs = 400): Promise<Buffer> {
  const got: Buffer[] = [];
  const onData = (d: Buffer) => got.push(d);
  port.on('data', onData);
  for (const [i, chunk] of chunks.entries()) {
    if (i > 0) await sleep(gapMs);
    port.write(chunk);
  }
  await sleep(waitMs);
  port.off('data', onData);
  return Buffer.concat(got);
}

t.test('Modbus RTU over a socat pty pair', async (t) => {
  if (!requireSocat(t)) return;
  for (const preset of ['weak', 'hardened'] as const) {
    await t.test(preset, async (t) => {
      const pty = await openPtyPair();
      if (!pty) return t.fail('socat did not come up');
      t.teardown(() => pty.close());
      await startSim(t, preset, { serial: { path: pty.a, baudRate: 19200, parity: 'even' } });
      const client = new SerialPort({ path: pty.b, baudRate: 19200, parity: 'even', autoOpen: false });
      await new Promise<void>((resolve, reject) => client.open((e) => (e ? reject(e) : resolve())));
      t.teardown(() => new Promise<void>((resolve) => client.close(() => resolve())));

      const read = encodeRtu(1, readRequest('holding', 0, 3));
      const ok = decodeRtu(await rtuRoundTrip(client, [read]));
      t.ok(ok?.crcOk && parseReadValues('holding', 3, ok.pdu), 'read answered with a valid CRC');
      t.equal((await rtuRoundTrip(client, [encodeRtu(7, readRequest('holding', 0, 1))])).length, 0, 'another unit id: silence');

      const badCrc = Buffer.from(read);
      badCrc[badCrc.length - 1]! ^= 0xff;
      const crcReply = await rtuRoundTrip(client, [badCrc]);
      const split = await rtuRoundTrip(client, [read.subarray(0, 3), read.subarray(3)], 100);
      if (preset === 'weak') {
        t.ok(decodeRtu(crcReply)?.crcOk, 'bad CRC answered anyway (no CRC check)');
        t.ok(decodeRtu(split)?.crcOk, 'fragments 100 ms apart joined into one request and answered');
      } else {
        t.equal(crcReply.length, 0, 'bad CRC dropped silently');
        t.equal(split.length, 0, 'a frame broken by 100 ms of silence is dropped (two bad fragments)');
      }
      t.ok(decodeRtu(await rtuRoundTrip(client, [read]))?.crcOk, 'and the next good frame is answered');
    });
  }
});

// ---------- one device ----------

t.test('one device: OPC UA Plant.* is the PLC process image', async (t) => {
  const sim: RunningPlcSimulator = await startSim(t, 'weak', { opcua: { port: 0, pkiDir: join(tmp, 'opcua-server') } });
  t.match(sim.opcua?.endpointUrl, /^opc\.tcp:\/\/127\.0\.0\.1:\d+$/);
  const { AttributeIds, DataType, MessageSecurityMode, OPCUACertificateManager, OPCUAClient, SecurityPolicy } = await import('node-opcua');
  const { PLANT_NODE_IDS } = await import('../simulators/opcua-server/index.js');
  const clientCertificateManager = new OPCUACertificateManager({
    rootFolder: join(tmp, 'opcua-client'),
    automaticallyAcceptUnknownCertificate: true,
    disableFileWatchers: true,
  });
  t.teardown(() => clientCertificateManager.dispose());
  const client = OPCUAClient.create({
    applicationName: 'otconform-sim-plc-test',
    clientCertificateManager,
    securityMode: MessageSecurityMode.None,
    securityPolicy: SecurityPolicy.None,
    endpointMustExist: false,
    connectionStrategy: { maxRetry: 0 },
  });
  await client.connect(sim.opcua!.endpointUrl);
  t.teardown(() => client.disconnect());
  const session = await client.createSession(); // anonymous
  t.teardown(() => session.close());
  const opcuaValue = async (nodeId: string) => (await session.read({ nodeId, attributeId: AttributeIds.Value })).value.value as unknown;

  const c = await Conn.open(sim.tcpPort);
  t.teardown(() => c.close());
  const viaModbus = (await readHolding(c, 0))![0]!;
  const viaOpcua = (await opcuaValue(PLANT_NODE_IDS.heartbeat)) as number;
  t.ok(Math.abs(viaOpcua - viaModbus) <= 3, `Plant.Heartbeat ${viaOpcua} follows the PLC heartbeat HR0 ${viaModbus}`);
  await sleep(300);
  const later = (await opcuaValue(PLANT_NODE_IDS.heartbeat)) as number;
  const laterModbus = (await readHolding(c, 0))![0]!;
  t.ok(later > viaOpcua && Math.abs(later - laterModbus) <= 3, `both advance together (${later} / ${laterModbus})`);

  await session.write({ nodeId: PLANT_NODE_IDS.setpoint, attributeId: AttributeIds.Value, value: { value: { dataType: DataType.Double, value: 61.5 } } });
  t.same(await readHolding(c, 10), [615], 'an OPC UA setpoint write lands in HR10 (x10)');
  t.ok(isResponse(await c.request(writeSingleRequest('holding', 10, 420))), 'a Modbus write of HR10...');
  t.equal(await opcuaValue(PLANT_NODE_IDS.setpoint), 42, '...shows as Plant.Tank1.Setpoint 42');
});

t.test('start fails cleanly on a busy port; stop() is idempotent', async (t) => {
  const busy = net.createServer();
  await new Promise<void>((resolve) => busy.listen(0, HOST, resolve));
  t.teardown(() => new Promise<void>((resolve) => busy.close(() => resolve())));
  const { port } = busy.address() as net.AddressInfo;
  const err = await startPlcSimulator({ preset: 'weak', port }).catch((e: unknown) => e);
  t.ok(err instanceof SimulatorBindError, 'SimulatorBindError');
  t.match((err as Error).message, /Modbus TCP cannot listen on 127\.0\.0\.1:\d+: the port is already in use/);

  const sim = await startPlcSimulator({ preset: 'weak', port: await freePort() });
  await Promise.all([sim.stop(), sim.stop()]);
  await sim.stop();
  t.pass('stop() called three times without error');
});

// ---------- the command line ----------

const BIN = new URL('../bin/otconform.js', import.meta.url).pathname;

function runCli(args: string[]) {
  const child = spawn(process.execPath, [BIN, 'sim', 'plc', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, OTCONFORM_SIM_PKI: join(tmp, 'cli-pki') },
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const firstLine = new Promise<string | undefined>((resolve) => {
    createInterface({ input: child.stdout }).once('line', resolve);
    child.once('exit', () => resolve(undefined));
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, firstLine, exited, stderr: () => stderr };
}

t.test('otconform sim plc', async (t) => {
  const run = runCli(['--preset', 'hardened', '--port', '0', '--tls-port', '0', '--quiet']);
  t.teardown(() => void run.child.kill('SIGKILL'));
  const ready = JSON.parse((await run.firstLine) ?? '{}') as Record<string, unknown>;
  t.match(ready, {
    ready: true,
    simulator: 'plc',
    preset: 'hardened',
    host: '127.0.0.1',
    modbus: { port: Number },
    modbusTls: { port: Number, caFile: /cli-pki\/ca\.cert\.pem$/, clients: { operator: { certificateFile: String }, 'read-only': { privateKeyFile: String } } },
  });
  t.notOk('opcua' in ready || 'serial' in ready, 'no OPC UA nor serial unless asked for');
  const port = (ready.modbus as { port: number }).port;
  t.ok(await heartbeat(port) >= 0, 'answers on the reported port');
  run.child.kill('SIGTERM');
  t.equal(await run.exited, 0, 'SIGTERM stops it cleanly');
  t.equal(run.stderr(), '', '--quiet: nothing on stderr');

  const blocker = net.createServer();
  await new Promise<void>((resolve) => blocker.listen(0, HOST, resolve));
  t.teardown(() => new Promise<void>((resolve) => blocker.close(() => resolve())));
  const busy = runCli(['--preset', 'weak', '--port', String((blocker.address() as net.AddressInfo).port)]);
  t.teardown(() => void busy.child.kill('SIGKILL'));
  t.equal(await busy.firstLine, undefined, 'no ready line');
  t.equal(await busy.exited, 2, 'port in use: exit 2');
  t.match(busy.stderr().trim(), /^otconform: Modbus TCP cannot listen on 127\.0\.0\.1:\d+: the port is already in use/);
  t.notMatch(busy.stderr(), /\n\s+at /, 'no stack trace');
});
