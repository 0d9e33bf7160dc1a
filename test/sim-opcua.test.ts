// The OPC UA simulator: both presets started for real on loopback, probed with the harness client.
// Few server starts, many assertions each, to keep the file fast on a small machine.

import { X509Certificate } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import forge from 'node-forge';
import t from 'tap';
import { freePort } from './helpers/free-port.js';
import { LoginLockout, OPCUA_PRESETS, PLANT_NODE_IDS, startOpcuaSimulator } from '../simulators/opcua-server/index.js';
import { nullTranscript } from '../src/core/transcript.js';
import { createClientIdentity, OpcuaClientFixture, type EndpointInfo } from '../src/protocols/opcua/index.js';

t.setTimeout(120_000);


const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function signatureHashOf(der: Buffer): string {
  const cert = forge.pki.certificateFromAsn1(forge.asn1.fromDer(forge.util.createBuffer(der.toString('binary'))));
  return forge.pki.oids[cert.siginfo.algorithmOid] ?? cert.siginfo.algorithmOid;
}

function keyBitsOf(der: Buffer): number | undefined {
  return new X509Certificate(der).publicKey.asymmetricKeyDetails?.modulusLength;
}

const has = (eps: EndpointInfo[], policy: string, mode: string) =>
  eps.some((e) => e.securityPolicy === policy && e.securityMode === mode);

t.test('lockout module (fake clock)', async (t) => {
  let now = 1_000;
  const lock = new LoginLockout({ maxConsecutiveFailures: 5, lockoutDurationMs: 60_000 }, () => now);

  for (let i = 1; i <= 4; i++) t.equal(lock.attempt('alice', false), 'rejected', `failure ${i} only rejected`);
  t.equal(lock.attempt('alice', true), 'accepted', 'correct password after 4 failures is accepted');
  for (let i = 1; i <= 4; i++) lock.attempt('alice', false);
  t.notOk(lock.isLocked('alice'), 'success reset the counter: 4 new failures do not lock');
  t.equal(lock.attempt('alice', false), 'rejected', '5th consecutive failure is rejected...');
  t.ok(lock.isLocked('alice'), '...and locks the user');
  t.equal(lock.attempt('alice', true), 'locked', 'correct password refused while locked');
  t.equal(lock.attempt('bob', true), 'accepted', 'other users are not affected');

  now += 59_999;
  t.equal(lock.attempt('alice', true), 'locked', 'still locked 1 ms before expiry (attempts do not extend it)');
  now += 1;
  t.equal(lock.attempt('alice', true), 'accepted', 'unlocked when the duration has passed');
  for (let i = 1; i <= 4; i++) lock.attempt('alice', false);
  t.notOk(lock.isLocked('alice'), 'a fresh count of failures starts after unlock');
});

t.test('presets are data with the promised posture', async (t) => {
  const { weak, hardened } = OPCUA_PRESETS;
  t.ok(weak.securityPolicies.includes('None') && weak.securityModes.includes('None'), 'weak offers None');
  t.notOk(hardened.securityPolicies.includes('None') || hardened.securityModes.includes('None'), 'hardened never offers None');
  t.equal(hardened.maxSessions, 5);
  t.same(hardened.lockout, { maxConsecutiveFailures: 5 });
  t.equal(weak.lockout, null);
  t.equal(weak.buildInfo.softwareVersion, '');
  t.equal(hardened.buildInfo.softwareVersion, '4.2.1');
});

t.test('weak preset: a legacy PLC', async (t) => {
  const pkiDir = await mkdtemp(join(tmpdir(), 'otconform-test-weak-'));
  t.teardown(() => rm(pkiDir, { recursive: true, force: true }));
  const sim = await startOpcuaSimulator({ preset: 'weak', port: await freePort() });
  t.teardown(() => sim.stop());
  const client = new OpcuaClientFixture({ endpointUrl: sim.endpointUrl, connectTimeoutMs: 5_000 }, nullTranscript, { pkiDir });
  t.teardown(() => client.close());

  const eps = await client.endpoints();
  t.ok(has(eps, 'None', 'None'), 'None/None endpoint offered');
  t.ok(eps.find((e) => e.securityMode === 'None')?.userTokens.includes('Anonymous'), 'Anonymous offered on None');
  for (const p of ['Basic128Rsa15', 'Basic256', 'Basic256Sha256']) {
    t.ok(has(eps, p, 'Sign') && has(eps, p, 'SignAndEncrypt'), `${p} offered in Sign and SignAndEncrypt`);
  }
  t.ok(
    eps.find((e) => e.securityMode === 'None')?.userTokenPolicies.some((p) => p.tokenType === 'UserName' && p.securityPolicy === 'None'),
    'None endpoint offers a UserName token without encryption (cleartext password)',
  );
  t.ok(eps.every((e) => e.endpointUrl.startsWith('opc.tcp://127.0.0.1:')), 'endpoints advertise the listen address');
  const der = eps[0]?.serverCertificateDer;
  t.ok(der, 'server certificate in endpoints');
  if (der) {
    t.equal(keyBitsOf(der), 1024, 'server key is RSA 1024');
    t.equal(signatureHashOf(der), 'sha1WithRSAEncryption', 'server certificate signed with SHA-1');
  }

  const anon = await client.openSession({ securityPolicy: 'None', securityMode: 'None', identity: { type: 'anonymous' } });
  t.ok(anon.attempt.ok, 'anonymous session on None/None');
  const s = anon.session!;
  const hb1 = await s.read(PLANT_NODE_IDS.heartbeat);
  await sleep(350);
  const hb2 = await s.read(PLANT_NODE_IDS.heartbeat);
  t.equal(hb1.statusCode, 'Good');
  t.equal(hb1.dataType, 'UInt32');
  t.ok((hb2.value as number) > (hb1.value as number), `heartbeat increments (${String(hb1.value)} -> ${String(hb2.value)})`);
  t.equal((await s.write(PLANT_NODE_IDS.setpoint, 80)).statusCode, 'Good', 'anonymous may write the setpoint');
  t.equal((await s.read(PLANT_NODE_IDS.setpoint)).value, 80);
  t.equal((await s.write(PLANT_NODE_IDS.pumpRunning, false)).statusCode, 'Good', 'anonymous may stop the pump');
  t.equal((await s.write(PLANT_NODE_IDS.inletValve, 150)).statusCode, 'BadOutOfRange', 'valve range enforced');
  t.equal((await s.write(PLANT_NODE_IDS.level, 1)).statusCode, 'BadNotWritable', 'measured level is not writable');
  const level1 = (await s.read(PLANT_NODE_IDS.level)).value as number;
  await sleep(250);
  const level2 = (await s.read(PLANT_NODE_IDS.level)).value as number;
  t.ok(level2 > level1, 'level moves toward the new setpoint');
  const info = await s.readBuildInfo();
  t.match(info, { manufacturerName: 'otconform simulated devices', productName: 'SIM-PLC weak', softwareVersion: '', buildNumber: '' });
  await s.close();

  const admin = await client.openSession({
    securityPolicy: 'Basic256Sha256',
    securityMode: 'SignAndEncrypt',
    identity: { type: 'username', username: 'admin', password: 'admin' },
  });
  t.ok(admin.attempt.ok, 'default admin/admin accepted');
  await admin.session?.close();

  const guess = { type: 'username' as const, username: 'lockprobe', password: 'nope' };
  for (let i = 0; i < 6; i++) {
    const r = await client.openSession({ securityPolicy: 'Basic256', securityMode: 'Sign', identity: guess });
    t.equal(r.attempt.statusCode, 'BadUserAccessDenied', `wrong password ${i + 1} refused`);
  }
  const right = await client.openSession({
    securityPolicy: 'Basic256',
    securityMode: 'Sign',
    identity: { type: 'username', username: 'lockprobe', password: 'lockprobe-weak-1' },
  });
  t.ok(right.attempt.ok, 'no lockout: correct password still works after 6 failures');
  await right.session?.close();

  const stranger = await createClientIdentity(await mkdtemp(join(pkiDir, 'stranger-')));
  const ch = await client.tryChannel({ securityPolicy: 'Basic256Sha256', securityMode: 'Sign', clientIdentity: stranger });
  t.ok(ch.ok, 'a never-seen client certificate is trusted');
});

t.test('hardened preset', async (t) => {
  const pkiDir = await mkdtemp(join(tmpdir(), 'otconform-test-hard-'));
  t.teardown(() => rm(pkiDir, { recursive: true, force: true }));
  const identity = await createClientIdentity(pkiDir);
  const lockoutDurationMs = 2_500; // margin for a slow machine between the 5th failure and the locked check
  const sim = await startOpcuaSimulator({
    preset: 'hardened',
    port: await freePort(),
    trustedClientCertificates: [identity.certificateFile],
    lockoutDurationMs,
  });
  t.teardown(() => sim.stop());
  const client = new OpcuaClientFixture({ endpointUrl: sim.endpointUrl, connectTimeoutMs: 5_000 }, nullTranscript, {
    pkiDir,
    clientIdentity: identity,
  });
  t.teardown(() => client.close());
  const user = (username: string, password: string) => ({ type: 'username' as const, username, password });
  const operator = user('operator', 'Op3rator!hardened');
  const secure = { securityPolicy: 'Basic256Sha256', securityMode: 'SignAndEncrypt' as const };

  const eps = await client.endpoints();
  t.notOk(eps.some((e) => e.securityMode === 'None' || e.securityPolicy === 'None'), 'no None endpoint listed');
  t.notOk(eps.some((e) => e.userTokens.includes('Anonymous')), 'no Anonymous token anywhere');
  t.same(
    [...new Set(eps.map((e) => e.securityPolicy))].sort(),
    ['Aes128_Sha256_RsaOaep', 'Aes256_Sha256_RsaPss', 'Basic256Sha256'],
    'only current policies',
  );
  t.same([...new Set(eps.map((e) => e.securityMode))].sort(), ['Sign', 'SignAndEncrypt']);
  const der = eps[0]?.serverCertificateDer;
  if (der) {
    t.equal(keyBitsOf(der), 2048, 'server key is RSA 2048');
    t.equal(signatureHashOf(der), 'sha256WithRSAEncryption');
    t.match(new X509Certificate(der).subjectAltName ?? '', `URI:${sim.applicationUri}`, 'applicationUri in SAN');
  } else t.fail('server certificate in endpoints');

  // A None session is refused by the server itself (node-opcua keeps a restricted None endpoint for discovery only).
  const none = await client.openSession({ securityPolicy: 'None', securityMode: 'None', identity: operator, forceEndpoint: true });
  t.equal(none.attempt.statusCode, 'BadSecurityModeRejected', 'forced None/None session refused by the server');
  const anon = await client.openSession({ ...secure, identity: { type: 'anonymous' }, forceTokenType: true });
  t.equal(anon.attempt.statusCode, 'BadIdentityTokenInvalid', 'forced Anonymous token refused by the server');

  const stranger = await createClientIdentity(await mkdtemp(join(pkiDir, 'stranger-')));
  const refused = await client.tryChannel({ securityPolicy: 'Basic256Sha256', securityMode: 'Sign', clientIdentity: stranger });
  t.notOk(refused.ok, 'untrusted client certificate refused');
  t.match(refused.statusCode ?? '', /^Bad/, `refusal is the server's (${refused.statusCode})`);
  t.ok((await client.tryChannel({ securityPolicy: 'Aes256_Sha256_RsaPss', securityMode: 'SignAndEncrypt' })).ok, 'trusted certificate accepted');

  // Roles.
  const op = await client.openSession({ ...secure, identity: operator });
  t.ok(op.attempt.ok, 'operator logs in');
  t.equal((await op.session!.read(PLANT_NODE_IDS.setpoint)).statusCode, 'Good', 'operator reads');
  t.equal((await op.session!.write(PLANT_NODE_IDS.setpoint, 60)).statusCode, 'BadUserAccessDenied', 'operator may not write');
  t.match(await op.session!.readBuildInfo(), {
    manufacturerName: 'otconform simulated devices',
    productName: 'SIM-PLC hardened',
    softwareVersion: '4.2.1',
    buildNumber: '4.2.1+sim',
    productUri: 'urn:otconform:sim:plc-hardened',
    buildDate: /^2025-/,
  });
  await op.session!.close();
  const probe = await client.openSession({ ...secure, identity: user('lockprobe', 'L0ckprobe!hardened') });
  t.equal((await probe.session!.write(PLANT_NODE_IDS.setpoint, 60)).statusCode, 'BadUserAccessDenied', 'lockprobe may not write');
  await probe.session?.close();
  const eng = await client.openSession({ ...secure, identity: user('engineer', 'Eng1neer!hardened') });
  t.equal((await eng.session!.write(PLANT_NODE_IDS.setpoint, 61.5)).statusCode, 'Good', 'engineer writes the setpoint');
  t.equal((await eng.session!.read(PLANT_NODE_IDS.setpoint)).value, 61.5);
  await eng.session?.close();

  // Lockout.
  for (let i = 1; i <= 5; i++) {
    const r = await client.openSession({ ...secure, identity: user('lockprobe', `wrong-${i}`) });
    t.equal(r.attempt.statusCode, 'BadUserAccessDenied', `wrong password ${i} refused`);
  }
  const lockedOut = await client.openSession({ ...secure, identity: user('lockprobe', 'L0ckprobe!hardened') });
  t.equal(lockedOut.attempt.statusCode, 'BadUserAccessDenied', 'locked: correct password refused');
  const other = await client.openSession({ ...secure, identity: operator });
  t.ok(other.attempt.ok, 'another user is not locked');
  await other.session?.close();
  await sleep(lockoutDurationMs + 100);
  const unlocked = await client.openSession({ ...secure, identity: user('lockprobe', 'L0ckprobe!hardened') });
  t.ok(unlocked.attempt.ok, 'unlocked after lockoutDurationMs');
  await unlocked.session?.close();

  // Session limit: 5 concurrent sessions, the 6th refused.
  const open = [];
  for (let i = 0; i < 5; i++) {
    const r = await client.openSession({ ...secure, identity: operator });
    t.ok(r.attempt.ok, `session ${i + 1} of 5`);
    if (r.session) open.push(r.session);
  }
  const sixth = await client.openSession({ ...secure, identity: operator });
  t.equal(sixth.attempt.statusCode, 'BadTooManySessions', '6th session refused');
  for (const s of open) await s.close();
  const again = await client.openSession({ ...secure, identity: operator });
  t.ok(again.attempt.ok, 'sessions available again once closed');
  await again.session?.close();
});

t.test('start fails cleanly on a busy port; stop() is idempotent', async (t) => {
  const busy = net.createServer();
  await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => busy.close(() => resolve())));
  const { port } = busy.address() as net.AddressInfo;
  await t.rejects(startOpcuaSimulator({ preset: 'weak', port }), 'start rejects when the port is taken');

  const sim = await startOpcuaSimulator({ preset: 'weak', port: await freePort() });
  await Promise.all([sim.stop(), sim.stop()]);
  await sim.stop();
  t.pass('stop() called three times without error');
});
