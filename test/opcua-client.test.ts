// The OPC UA adapter (src/protocols/opcua) against the real simulator on loopback,
// plus unreachable and silent targets for the failure paths.

import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { freePort } from './helpers/free-port.js';
import { PLANT_NODE_IDS, startOpcuaSimulator } from '../simulators/opcua-server/index.js';
import { createTranscript } from '../src/core/transcript.js';
import {
  canDecryptRsaPkcs1v15,
  createClientIdentity,
  OpcuaClientFixture,
  type OpcuaTarget,
} from '../src/protocols/opcua/index.js';

t.setTimeout(120_000);


/** A TCP listener that accepts and never answers: a hung device. */
async function silentServer(): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const srv = net.createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address() as net.AddressInfo;
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        srv.close(() => resolve());
      }),
  };
}

const pkiDir = await mkdtemp(join(tmpdir(), 'otconform-test-client-'));
t.teardown(() => rm(pkiDir, { recursive: true, force: true }));
const identity = await createClientIdentity(pkiDir, { applicationUri: 'urn:otconform:test:harness' });
const [weak, hardened] = await Promise.all([
  startOpcuaSimulator({ preset: 'weak', port: await freePort() }),
  startOpcuaSimulator({ preset: 'hardened', port: await freePort(), trustedClientCertificates: [identity.certificateFile] }),
]);
t.teardown(() => Promise.all([weak.stop(), hardened.stop()]));

const target = (endpointUrl: string, connectTimeoutMs = 5_000): OpcuaTarget => ({ endpointUrl, connectTimeoutMs });

t.test('endpoints, session, read/write and transcript on the weak device', async (t) => {
  const transcript = createTranscript();
  const client = new OpcuaClientFixture(target(weak.endpointUrl), transcript, { pkiDir, clientIdentity: identity });
  t.teardown(() => client.close());

  const eps = await client.endpoints();
  const none = eps.find((e) => e.securityMode === 'None');
  t.ok(none, 'None endpoint reported');
  t.match(none, {
    securityPolicy: 'None',
    securityPolicyUri: 'http://opcfoundation.org/UA/SecurityPolicy#None',
    applicationUri: weak.applicationUri,
    applicationName: 'SIM-PLC weak',
    productUri: 'urn:otconform:sim:plc-weak',
  });
  t.ok(none?.userTokens.includes('Anonymous') && none.userTokens.includes('UserName'));
  t.ok(Buffer.isBuffer(none?.serverCertificateDer), 'server certificate as DER');
  t.ok(eps.every((e) => typeof e.securityLevel === 'number'));

  const { attempt, session } = await client.openSession({
    securityPolicy: 'Basic256Sha256',
    securityMode: 'SignAndEncrypt',
    identity: { type: 'username', username: 'operator', password: 'operator-weak-1' },
  });
  t.same(attempt, { ok: true });
  const hb = await session!.read(PLANT_NODE_IDS.heartbeat);
  t.match(hb, { statusCode: 'Good', dataType: 'UInt32' });
  t.equal((await session!.write(PLANT_NODE_IDS.pumpRunning, true)).statusCode, 'Good', 'Boolean written with its own type');
  t.equal((await session!.read('ns=1;s=Plant.DoesNotExist')).statusCode, 'BadNodeIdUnknown');
  t.equal((await session!.write('ns=1;s=Plant.DoesNotExist', 1)).statusCode, 'BadNodeIdUnknown', 'write to unknown node reports the probe status');
  t.match(await session!.readBuildInfo(), { productName: 'SIM-PLC weak', softwareVersion: '' });
  await session!.close();
  await session!.close(); // idempotent

  const wrong = await client.openSession({
    securityPolicy: 'Basic256',
    securityMode: 'Sign',
    identity: { type: 'username', username: 'operator', password: 'S3cret-never-logged' },
  });
  t.equal(wrong.attempt.statusCode, 'BadUserAccessDenied');

  const events = transcript.entries.map((e) => e.event);
  for (const e of ['endpoints', 'openSession', 'session opened', 'read', 'write', 'readBuildInfo', 'closeSession', 'createSession refused']) {
    t.ok(events.includes(e), `transcript has "${e}"`);
  }
  const text = JSON.stringify(transcript.entries);
  t.notMatch(text, /operator-weak-1|S3cret-never-logged/, 'no password in the transcript');
  t.match(text, /"username":"operator"/, 'usernames are recorded');
  t.notMatch(text, /PRIVATE KEY/, 'no key material in the transcript');
});

t.test('Basic128Rsa15: a local limitation is not reported as a device refusal', async (t) => {
  if (canDecryptRsaPkcs1v15()) {
    // node started with --security-revert=CVE-2023-46809: the policy negotiates in-process.
    const client = new OpcuaClientFixture(target(weak.endpointUrl), createTranscript(), { pkiDir, clientIdentity: identity });
    t.teardown(() => client.close());
    t.ok((await client.tryChannel({ securityPolicy: 'Basic128Rsa15', securityMode: 'SignAndEncrypt' })).ok, 'channel negotiated');
    return;
  }
  const local = new OpcuaClientFixture(target(weak.endpointUrl), createTranscript(), { pkiDir, clientIdentity: identity, legacyProbe: false });
  t.teardown(() => local.close());
  const channel = await local.tryChannel({ securityPolicy: 'Basic128Rsa15', securityMode: 'SignAndEncrypt' });
  t.match(channel, { ok: false, statusCode: 'ClientCannotNegotiate', message: /CVE-2023-46809/ });
  const session = await local.openSession({ securityPolicy: 'Basic128Rsa15', securityMode: 'Sign', identity: { type: 'anonymous' } });
  t.match(session.attempt, { ok: false, statusCode: 'ClientCannotNegotiate' });

  // By default the channel is tried in a child process that has the revert. This simulator runs in the
  // test process without it, so it cannot decrypt the request: the answer is the device's failure,
  // not the client's limitation. (The demo's simulators have the revert and accept it: known-answers test.)
  const transcript = createTranscript();
  const probing = new OpcuaClientFixture(target(weak.endpointUrl), transcript, { pkiDir, clientIdentity: identity });
  t.teardown(() => probing.close());
  const viaChild = await probing.tryChannel({ securityPolicy: 'Basic128Rsa15', securityMode: 'SignAndEncrypt' });
  t.equal(viaChild.ok, false);
  t.not(viaChild.statusCode, 'ClientCannotNegotiate', 'the child could speak the policy; the device could not');
  t.ok(transcript.entries.some((e) => e.event === 'legacy probe'), 'the transcript says the child probe was used');
});

t.test('forcing requests the hardened device does not advertise', async (t) => {
  const transcript = createTranscript();
  const client = new OpcuaClientFixture(target(hardened.endpointUrl), transcript, { pkiDir, clientIdentity: identity });
  t.teardown(() => client.close());
  const secure = { securityPolicy: 'Basic256Sha256', securityMode: 'Sign' as const };

  const local = await client.openSession({ ...secure, identity: { type: 'anonymous' } });
  t.equal(local.attempt.statusCode, 'TokenTypeNotOffered', 'without forcing the client refuses locally');
  const forced = await client.openSession({ ...secure, identity: { type: 'anonymous' }, forceTokenType: true });
  t.equal(forced.attempt.statusCode, 'BadIdentityTokenInvalid', 'forced: the server refuses the Anonymous token');

  const noEndpoint = await client.openSession({ securityPolicy: 'None', securityMode: 'None', identity: { type: 'anonymous' } });
  t.equal(noEndpoint.attempt.statusCode, 'EndpointNotOffered', 'without forcing: no None endpoint to ask');
  const forcedNone = await client.openSession({
    securityPolicy: 'None',
    securityMode: 'None',
    identity: { type: 'anonymous' },
    forceEndpoint: true,
    forceTokenType: true,
  });
  t.equal(forcedNone.attempt.statusCode, 'BadSecurityModeRejected', 'forced: the server refuses a None session');

  const ok = await client.openSession({
    securityPolicy: 'Aes128_Sha256_RsaOaep',
    securityMode: 'SignAndEncrypt',
    identity: { type: 'username', username: 'operator', password: 'Op3rator!hardened' },
    forceTokenType: true, // advertised anyway: forcing must not disturb the normal path
  });
  t.ok(ok.attempt.ok, 'forcing an advertised token type changes nothing');

  const stranger = await createClientIdentity(await mkdtemp(join(pkiDir, 'stranger-')));
  const untrusted = await client.tryChannel({ ...secure, clientIdentity: stranger });
  t.match(untrusted, { ok: false, statusCode: /^Bad/ }, 'fresh certificate refused by the device');
  t.ok((await client.tryChannel(secure)).ok, 'trusted harness certificate accepted');

  await client.close(); // closes the session still open
  await client.close(); // idempotent
  t.ok(transcript.entries.some((e) => e.event === 'closeSession'), 'close() closed the open session');
  await t.rejects(client.endpoints(), /closed/, 'a closed fixture refuses new work');
});

t.test('unreachable and silent devices fail within the timeout', async (t) => {
  const closedPort = await freePort();
  const transcript = createTranscript();
  const client = new OpcuaClientFixture(target(`opc.tcp://127.0.0.1:${closedPort}`, 2_000), transcript, { pkiDir });
  t.teardown(() => client.close());

  let start = Date.now();
  await t.rejects(client.endpoints(), /ConnectionRefused|ConnectionFailed/, 'endpoints() rejects for a closed port');
  t.ok(Date.now() - start < 2_000, `closed port: endpoints() failed in ${Date.now() - start} ms`);
  start = Date.now();
  const refused = await client.openSession({ securityPolicy: 'None', securityMode: 'None', identity: { type: 'anonymous' } });
  t.match(refused.attempt, { ok: false, statusCode: /ConnectionRefused|ConnectionFailed/ });
  t.ok(Date.now() - start < 2_000, `closed port: openSession failed in ${Date.now() - start} ms`);

  const silent = await silentServer();
  t.teardown(() => silent.close());
  const hung = new OpcuaClientFixture(target(`opc.tcp://127.0.0.1:${silent.port}`, 1_000), transcript, { pkiDir });
  t.teardown(() => hung.close());
  start = Date.now();
  const timedOut = await hung.openSession({ securityPolicy: 'None', securityMode: 'None', identity: { type: 'anonymous' } });
  const took = Date.now() - start;
  t.match(timedOut.attempt, { ok: false, statusCode: 'Timeout' });
  t.ok(took < 3_000, `silent device: openSession gave up in ${took} ms (timeout 1000 ms)`);

  const abort = new AbortController();
  const aborting = new OpcuaClientFixture(target(`opc.tcp://127.0.0.1:${silent.port}`, 10_000), transcript, {
    pkiDir,
    signal: abort.signal,
  });
  t.teardown(() => aborting.close());
  setTimeout(() => abort.abort(), 300);
  start = Date.now();
  const aborted = await aborting.openSession({ securityPolicy: 'None', securityMode: 'None', identity: { type: 'anonymous' } });
  t.match(aborted.attempt, { ok: false, statusCode: 'Aborted' });
  t.ok(Date.now() - start < 2_000, `abort honoured in ${Date.now() - start} ms`);
});
