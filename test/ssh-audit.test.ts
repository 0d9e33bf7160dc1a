// The SSH checks through the real runner against the device simulator's SSH service, both ways: every check
// fails against the weak preset and passes against the hardened one. Also the raw KEXINIT reader against
// hostile servers, and the login oracle's answers.
import { mkdtempSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { startManagementServices } from '../simulators/mgmt/index.js';
import { createTranscript } from '../src/core/transcript.js';
import { readServerHello, SshWireError } from '../src/protocols/ssh/kexinit.js';
import { sshLoginOracle } from '../src/protocols/ssh/login-oracle.js';
import { freePort } from './helpers/free-port.js';
import { runChecks } from './helpers/run-checks.js';

t.setTimeout(60_000);

const SSH_CHECKS = ['ssh-algorithms', 'ssh-host-keys', 'ssh-auth-methods', 'ssh-banner', 'ssh-idle-timeout', 'ssh-session-limit'];
const pkiRoot = mkdtempSync(join(tmpdir(), 'otconform-ssh-pki-'));


const profileFor = (preset: string, port: number, passwords: Record<string, string>) => `
schemaVersion: 1
device: { vendor: otconform simulated devices, model: SIM-PLC ${preset}, firmware: "1" }
componentType: EDR
targetSecurityLevel: 3
services:
  ssh: [{ name: ssh, host: 127.0.0.1, port: ${port}, timeoutMs: 3000 }]
credentials:
  operator: { username: operator, password: "${passwords.operator}", role: read-only }
  lockprobe: { username: lockprobe, password: "${passwords.lockprobe}", role: read-only }
policy: { idleTimeoutMaxMs: 2500 }
safety:
  allowLoginAttempts: true
  allowDisruptive: true
  lockoutAccount: lockprobe
  loginAttemptsPerSecond: 100
  maxSessions: 4
`;

const expected = {
  weak: Object.fromEntries(SSH_CHECKS.map((id) => [`${id} @ ssh`, 'fail'])),
  hardened: Object.fromEntries(SSH_CHECKS.map((id) => [`${id} @ ssh`, 'pass'])),
};
const passwords = {
  weak: { operator: 'operator-weak-1', lockprobe: 'lockprobe-weak-1' },
  hardened: { operator: 'Op3rator!hardened', lockprobe: 'L0ckprobe!hardened' },
};

for (const preset of ['weak', 'hardened'] as const) {
  t.test(`SSH checks against the ${preset} device`, async (t) => {
    const mgmt = await startManagementServices({ preset, pkiDir: join(pkiRoot, preset) });
    t.teardown(() => mgmt.stop());
    const { report, verdicts, ms, checks, evidenceText: evidence } = await runChecks(profileFor(preset, mgmt.ssh.port, passwords[preset]), {
      checks: SSH_CHECKS,
      allowDisruptive: true,
      profileName: `${preset}.yaml`,
    });
    t.comment(`${preset}: ${ms} ms; ${report.checks.map((c) => `${c.id} ${c.durationMs} ms`).join(', ')}`);
    t.same(verdicts, expected[preset], `every SSH check reaches its known verdict (${report.checks.map((c) => `${c.id}: ${c.reason}`).join(' | ')})`);

    const check = (id: string) => checks[id]!;
    if (preset === 'weak') {
      t.match(check('ssh-algorithms').reason, /diffie-hellman-group1-sha1 is broken/, 'names the 1024-bit DH group');
      t.ok(check('ssh-algorithms').findings.some((f) => f.value === 'hmac-md5' && f.grade === 'broken'), 'grades hmac-md5 broken');
      t.match(check('ssh-host-keys').reason, /RSA 1024 is broken/, 'names the 1024-bit RSA host key');
      t.match(check('ssh-auth-methods').reason, /logs in guest/, 'the none method admits guest');
      t.match(check('ssh-idle-timeout').reason, /kept an idle SSH session/, 'the idle session stays open');
      t.match(check('ssh-session-limit').reason, /accepted all 4/, 'no session limit');
      t.equal(report.device.observed['ssh.ident'], 'SSH-2.0-dropbear_2012.55', 'the identification is observed');
    } else {
      t.match(evidence('ssh-banner', 'banner.txt'), /Authorized use only/, 'the banner is attached for the auditor');
      t.match(check('ssh-session-limit').reason, /refused session 4 .* while 3 concurrent/, 'the fourth session is refused');
      const idle = check('ssh-idle-timeout').measurements['idle session ended after'];
      t.ok(typeof idle?.value === 'number' && idle.value >= 1800 && idle.value <= 3000, `idle session ended after ${idle?.value} ms`);
      t.match(check('ssh-host-keys').reason, /Ed25519.*RSA 3072|RSA 3072.*Ed25519/, 'both host keys are named');
    }
    // Passwords never reach the evidence.
    for (const id of ['ssh-idle-timeout', 'ssh-session-limit']) {
      const transcript = evidence(id, 'transcript.json');
      t.notOk(transcript.includes(passwords[preset].operator), `${id}: the transcript holds no password`);
    }
  });
}

t.test('login oracle answers', async (t) => {
  const mgmt = await startManagementServices({ preset: 'weak', pkiDir: join(pkiRoot, 'weak') });
  t.teardown(() => mgmt.stop());
  const transcript = createTranscript();
  const oracle = sshLoginOracle({ host: '127.0.0.1', port: mgmt.ssh.port, timeoutMs: 3000 }, transcript);
  const ok = await oracle.attempt('admin', 'admin');
  t.equal(ok.outcome, 'accepted');
  const wrong = await oracle.attempt('operator', 'not-the-password');
  t.equal(wrong.outcome, 'refused');
  t.equal(wrong.answer, 'USERAUTH_FAILURE methods=password,keyboard-interactive,publickey');
  t.ok(wrong.elapsedMs >= 30, `a known user's password check takes the simulated hash time (${wrong.elapsedMs} ms)`);
  const unknown = await oracle.attempt('nobody-here', 'x');
  t.ok(unknown.elapsedMs < wrong.elapsedMs, `the weak device answers an unknown user sooner (${unknown.elapsedMs} ms)`);
  const aborted = new AbortController();
  aborted.abort();
  await t.rejects(oracle.attempt('admin', 'admin', { signal: aborted.signal }), /aborted/);
  t.notOk(JSON.stringify(transcript.entries).includes('not-the-password'), 'no password in the transcript');
  const closed = await sshLoginOracle({ host: '127.0.0.1', port: await freePort(), timeoutMs: 1000 }, transcript).attempt('a', 'b');
  t.equal(closed.outcome, 'error', 'a closed port is an error, not a refusal');
});

/** A TCP server that answers every connection with `reply` (or nothing). */
async function rawServer(t: Test, reply: (socket: net.Socket) => void): Promise<number> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('error', () => {});
    reply(s);
  });
  const port = await freePort();
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  t.teardown(() => {
    for (const s of sockets) s.destroy();
    return new Promise<void>((r) => server.close(() => r()));
  });
  return port;
}

const kexinitPacket = (lists: string[]): Buffer => {
  const parts = [Buffer.from([20]), Buffer.alloc(16)];
  for (const l of lists) {
    const b = Buffer.from(l);
    const len = Buffer.alloc(4);
    len.writeUInt32BE(b.length);
    parts.push(len, b);
  }
  parts.push(Buffer.from([0, 0, 0, 0, 0]));
  const payload = Buffer.concat(parts);
  const padding = 8 - ((payload.length + 5) % 8) + 4;
  const head = Buffer.alloc(5);
  head.writeUInt32BE(payload.length + padding + 1);
  head[4] = padding;
  return Buffer.concat([head, payload, Buffer.alloc(padding)]);
};

t.test('KEXINIT reader: well-formed and hostile servers', async (t) => {
  const lists = ['curve25519-sha256,kex-strict-s-v00@openssh.com', 'ssh-ed25519', 'aes128-ctr', 'aes256-ctr', 'hmac-sha2-256', 'hmac-sha2-256', 'none', 'none', '', ''];
  const good = await rawServer(t, (s) => {
    s.write('Welcome to the device\r\nSSH-2.0-Test_1.0 a comment\r\n');
    // Split the packet so the reader has to wait for the rest.
    const p = kexinitPacket(lists);
    s.write(p.subarray(0, 7));
    setTimeout(() => s.write(p.subarray(7)), 20);
  });
  const hello = await readServerHello('127.0.0.1', good, { timeoutMs: 1000 });
  t.same(hello.preIdentLines, ['Welcome to the device']);
  t.equal(hello.softwareVersion, 'Test_1.0');
  t.equal(hello.comments, 'a comment');
  t.same(hello.kexinit?.kex, ['curve25519-sha256', 'kex-strict-s-v00@openssh.com']);
  t.same(hello.kexinit?.cipherS2c, ['aes256-ctr'], 'directions are kept apart');
  t.same(hello.kexinit?.languagesC2s, []);

  const silent = await rawServer(t, () => {});
  await t.rejects(readServerHello('127.0.0.1', silent, { timeoutMs: 300 }), /within 300 ms \(received nothing\)/, 'a silent server times out');
  const endless = await rawServer(t, (s) => s.write(Buffer.alloc(5000, 0x41)));
  await t.rejects(readServerHello('127.0.0.1', endless, { timeoutMs: 1000 }), SshWireError, 'an endless line is refused');
  const chatty = await rawServer(t, (s) => s.write('hello\r\n'.repeat(60)));
  await t.rejects(readServerHello('127.0.0.1', chatty, { timeoutMs: 1000 }), /more than 50 lines/, 'endless pre-identification lines are refused');
  const huge = await rawServer(t, (s) => s.write(Buffer.concat([Buffer.from('SSH-2.0-x\r\n'), Buffer.from([0x7f, 0xff, 0xff, 0xff, 4])])));
  await t.rejects(readServerHello('127.0.0.1', huge, { timeoutMs: 1000 }), /claims a length of 2147483647/, 'an absurd packet length is refused at once');
  const lying = await rawServer(t, (s) => {
    const p = kexinitPacket(lists);
    p.writeUInt32BE(0xffff, 5 + 17); // the kex name-list claims more than the packet holds
    s.write(Buffer.concat([Buffer.from('SSH-2.0-x\r\n'), p]));
  });
  await t.rejects(readServerHello('127.0.0.1', lying, { timeoutMs: 1000 }), /more than the packet holds/, 'a lying name-list length is refused');
  const binary = await rawServer(t, (s) => s.write(Buffer.concat([Buffer.from('SSH-2.0-x\r\n'), kexinitPacket(['a\u0001b', ...lists.slice(1)])])));
  await t.rejects(readServerHello('127.0.0.1', binary, { timeoutMs: 1000 }), /not printable ASCII/, 'control bytes in a name are refused');
  const ssh1 = await rawServer(t, (s) => s.write('SSH-1.5-OldDevice\r\n'));
  const old = await readServerHello('127.0.0.1', ssh1, { timeoutMs: 1000 });
  t.equal(old.protocolVersion, '1.5');
  t.equal(old.kexinit, undefined, 'an SSH-1 server has no KEXINIT');
  const aborted = new AbortController();
  setTimeout(() => aborted.abort(), 50);
  await t.rejects(readServerHello('127.0.0.1', silent, { timeoutMs: 5000, signal: aborted.signal }), /aborted/, 'the abort signal ends the wait');
});
