// The simulated management services (simulators/mgmt), both presets, over real SSH, TLS/HTTPS and TCP.
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import https from 'node:https';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import forge from 'node-forge';
import ssh2 from 'ssh2';
import t from 'tap';
import { MGMT_PRESETS, startManagementServices, type MgmtServices } from '../simulators/mgmt/index.js';
import { freePort } from './helpers/free-port.js';

const { Client } = ssh2;
const HOST = '127.0.0.1';
const NOTICE = 'Authorized use only. Activity on this device is monitored and recorded.';

const pkiDir = await mkdtemp(join(tmpdir(), 'otconform-mgmt-'));
t.teardown(() => rm(pkiDir, { recursive: true, force: true }));

const [sshPort, httpsPort, plaintextPort] = await Promise.all([freePort(), freePort(), freePort()]);
const weak = await startManagementServices({ preset: 'weak', pkiDir: join(pkiDir, 'weak'), sshPort, httpsPort, plaintextPort });
const hardened = await startManagementServices({ preset: 'hardened', pkiDir: join(pkiDir, 'hardened') });
t.teardown(() => Promise.all([weak.stop(), hardened.stop()]));

// ---------- helpers ----------

interface SshResult {
  client: ssh2.Client;
  ident: string;
  banner?: string;
  negotiated: ssh2.NegotiatedAlgorithms;
}

function sshConnect(port: number, cfg: Partial<ssh2.ConnectConfig>, keyboardAnswer?: string): Promise<SshResult> {
  return new Promise((resolve, reject) => {
    const client = new Client();
    if (keyboardAnswer !== undefined) client.on('keyboard-interactive', (_n, _i, _l, _p, finish) => finish([keyboardAnswer]));
    let ident = '';
    let banner: string | undefined;
    let negotiated: ssh2.NegotiatedAlgorithms | undefined;
    client.on('banner', (b) => (banner = b));
    client.on('handshake', (n) => (negotiated = n));
    client.on('ready', () => resolve({ client, ident, ...(banner === undefined ? {} : { banner }), negotiated: negotiated! }));
    client.on('error', (err) => {
      client.end();
      reject(err);
    });
    client.connect({
      host: HOST,
      port,
      readyTimeout: 5000,
      debug: (m) => {
        const id = /Remote ident: '(.*)'/.exec(m);
        if (id?.[1]) ident = id[1];
      },
      ...cfg,
    });
  });
}

function sshExec(client: ssh2.Client, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    client.exec(command, (err, stream) => {
      if (err) return reject(err);
      let out = '';
      stream.on('data', (d: Buffer) => (out += d.toString()));
      stream.on('close', () => resolve(out));
    });
  });
}

/** Resolves with the time the connection closed (the server ends idle ones). */
function closedAfter(client: ssh2.Client): Promise<number> {
  const start = Date.now();
  return new Promise((resolve) => client.on('close', () => resolve(Date.now() - start)));
}

interface WebAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  setCookie: string[];
}

function web(port: number, method: string, path: string, o: { cookie?: string; form?: Record<string, string>; basic?: string; ca?: string } = {}): Promise<WebAnswer> {
  return new Promise((resolve, reject) => {
    const body = o.form ? new URLSearchParams(o.form).toString() : undefined;
    const req = https.request(
      {
        host: HOST,
        port,
        method,
        path,
        agent: false,
        ...(o.ca ? { ca: o.ca } : { rejectUnauthorized: false }),
        headers: {
          ...(o.cookie ? { Cookie: `sid=${o.cookie}` } : {}),
          ...(body ? { 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': Buffer.byteLength(body) } : {}),
          ...(o.basic ? { Authorization: `Basic ${Buffer.from(o.basic).toString('base64')}` } : {}),
        },
        timeout: 5000,
      },
      (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text, setCookie: res.headers['set-cookie'] ?? [] }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('web request timed out')));
    req.on('error', reject);
    req.end(body);
  });
}

const sidOf = (a: WebAnswer) => /^sid=([^;]*)/.exec(a.setCookie[0] ?? '')?.[1];

async function webLogin(port: number, username: string, password: string, cookie?: string): Promise<WebAnswer> {
  return web(port, 'POST', '/login', { form: { username, password }, ...(cookie ? { cookie } : {}) });
}

function tlsProbe(port: number, o: tls.ConnectionOptions): Promise<{ protocol: string | null; cipher: string; cert: tls.PeerCertificate; authorized: boolean } | Error> {
  return new Promise((resolve) => {
    let socket: tls.TLSSocket;
    try {
      socket = tls.connect({ host: HOST, port, rejectUnauthorized: false, ...o });
    } catch (err) {
      return resolve(err as Error);
    }
    socket.setTimeout(5000, () => socket.destroy(new Error('TLS probe timed out')));
    socket.on('secureConnect', () => {
      resolve({ protocol: socket.getProtocol(), cipher: socket.getCipher().name, cert: socket.getPeerCertificate(), authorized: socket.authorized });
      socket.end();
    });
    socket.on('error', (err) => resolve(err));
  });
}

function signatureAlgorithm(cert: tls.PeerCertificate): string {
  const pem = `-----BEGIN CERTIFICATE-----\n${cert.raw.toString('base64')}\n-----END CERTIFICATE-----\n`;
  const c = forge.pki.certificateFromPem(pem);
  return forge.pki.oids[c.siginfo.algorithmOid] ?? c.siginfo.algorithmOid;
}

async function median(n: number, f: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const s = performance.now();
    await f();
    times.push(performance.now() - s);
  }
  return times.sort((a, b) => a - b)[Math.floor(n / 2)]!;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---------- weak ----------

t.test('weak: presets are data and the requested ports are used', async (t) => {
  t.equal(weak.ssh.port, sshPort);
  t.equal(weak.https.port, httpsPort);
  t.equal(weak.plaintext?.port, plaintextPort);
  t.equal(hardened.plaintext, undefined, 'hardened has no plaintext console');
  t.equal(MGMT_PRESETS.weak.ssh.ident, 'SSH-2.0-dropbear_2012.55');
});

t.test('weak TLS: 1.0 to 1.2, static RSA and CBC, self-signed RSA-1024/SHA-1 certificate', async (t) => {
  for (const v of ['TLSv1', 'TLSv1.1', 'TLSv1.2'] as const) {
    const r = await tlsProbe(weak.https.port, { minVersion: v, maxVersion: v, ciphers: 'DEFAULT@SECLEVEL=0' });
    t.notOk(r instanceof Error, `${v} accepted`);
    if (!(r instanceof Error)) t.equal(r.protocol, v);
  }
  const tls13 = await tlsProbe(weak.https.port, { minVersion: 'TLSv1.3' });
  t.ok(tls13 instanceof Error, 'TLS 1.3 not offered');
  const rsa = await tlsProbe(weak.https.port, { maxVersion: 'TLSv1.2', ciphers: 'AES128-SHA:@SECLEVEL=0' });
  t.equal(rsa instanceof Error ? rsa.message : rsa.cipher, 'AES128-SHA', 'static RSA key exchange with CBC');
  const cbc = await tlsProbe(weak.https.port, { minVersion: 'TLSv1', maxVersion: 'TLSv1', ciphers: 'ECDHE-RSA-AES128-SHA:@SECLEVEL=0' });
  t.equal(cbc instanceof Error ? cbc.message : cbc.cipher, 'ECDHE-RSA-AES128-SHA', 'CBC with SHA-1 on TLS 1.0');
  const r = await tlsProbe(weak.https.port, {});
  if (r instanceof Error) throw r;
  t.equal(r.cert.bits, 1024);
  t.equal(r.cert.subject.CN, 'SIM-PLC');
  t.match(r.cert.subjectaltname, /IP Address:127\.0\.0\.1/);
  t.equal(signatureAlgorithm(r.cert), 'sha1WithRSAEncryption');
  t.equal(r.cert.fingerprint256, new X509Certificate(await readFile(weak.https.caFile)).fingerprint256, 'caFile is the certificate itself');
});

t.test('weak SSH: dropbear ident, no banner, legacy algorithms negotiate', async (t) => {
  const legacy = await sshConnect(weak.ssh.port, {
    username: 'operator',
    password: 'operator-weak-1',
    algorithms: { kex: ['diffie-hellman-group1-sha1'], serverHostKey: ['ssh-rsa'], cipher: ['3des-cbc'], hmac: ['hmac-md5'] },
  });
  t.equal(legacy.ident, 'SSH-2.0-dropbear_2012.55');
  t.equal(legacy.banner, undefined);
  t.same(
    [legacy.negotiated.kex, legacy.negotiated.serverHostKey, legacy.negotiated.cs.cipher, legacy.negotiated.cs.mac],
    ['diffie-hellman-group1-sha1', 'ssh-rsa', '3des-cbc', 'hmac-md5'],
  );
  t.match(await sshExec(legacy.client, 'status'), /tank level: [\d.]+ %\r\nheartbeat: \d+/);
  t.match(await sshExec(legacy.client, 'version'), /SIM-PLC firmware/);
  legacy.client.end();
  const g14 = await sshConnect(weak.ssh.port, { username: 'operator', password: 'operator-weak-1', algorithms: { kex: ['diffie-hellman-group14-sha1'], cipher: ['aes128-cbc'], hmac: ['hmac-sha1'] } });
  t.same([g14.negotiated.kex, g14.negotiated.cs.cipher, g14.negotiated.cs.mac], ['diffie-hellman-group14-sha1', 'aes128-cbc', 'hmac-sha1']);
  g14.client.end();
  const modern = await sshConnect(weak.ssh.port, { username: 'operator', password: 'operator-weak-1', algorithms: { serverHostKey: ['rsa-sha2-256'] } }).catch((e: Error) => e);
  t.ok(modern instanceof Error, 'only ssh-rsa host key signatures');
  const guest = await sshConnect(weak.ssh.port, { username: 'guest' });
  t.pass('guest logs in with auth method none');
  guest.client.end();
});

t.test('weak SSH: wrong passwords never lock; shell over a pty', async (t) => {
  for (let i = 0; i < 7; i++) {
    const e = await sshConnect(weak.ssh.port, { username: 'lockprobe', password: 'wrong' }).catch((err: Error) => err);
    t.ok(e instanceof Error, `wrong password ${i + 1} refused`);
  }
  const ok = await sshConnect(weak.ssh.port, { username: 'lockprobe', password: 'lockprobe-weak-1' });
  const out = await new Promise<string>((resolve, reject) => {
    ok.client.shell((err, stream) => {
      if (err) return reject(err);
      let text = '';
      stream.on('data', (d: Buffer) => {
        text += d.toString();
        if (text.endsWith('plc> ') && !text.includes('help')) stream.write('help\rexit\r');
      });
      stream.on('close', () => resolve(text));
    });
  });
  t.match(out, /plc> help\r\ncommands: help, status, version, exit\r\nplc> exit\r\nbye/);
  ok.client.end();
  const ki = await sshConnect(weak.ssh.port, { username: 'admin', tryKeyboard: true }, 'admin');
  ki.client.end();
  t.pass('keyboard-interactive login works');
});

t.test('weak web: predictable sid kept at login, loose cookie, leaky headers and errors', async (t) => {
  const port = weak.https.port;
  const page = await web(port, 'GET', '/login');
  t.equal(page.status, 200);
  t.match(page.body, /name="username"/);
  t.notMatch(page.body, /Authorized use only/);
  t.equal(page.headers.server, 'SIM-PLC-web/1.0.7');
  t.equal(page.headers['x-powered-by'], 'Express/4.16.0');
  t.equal(page.headers['strict-transport-security'], undefined);
  const pre = sidOf(page)!;
  t.match(pre, /^[0-9a-f]{14,}$/, 'hex time and counter');
  t.match(page.setCookie[0], /^sid=[0-9a-f]+; Path=\/$/);

  t.match((await webLogin(port, 'nobody', 'x')).body, /Unknown user/);
  const wrong = await webLogin(port, 'operator', 'x');
  t.equal(wrong.status, 401);
  t.match(wrong.body, /Wrong password/);

  const login = await webLogin(port, 'operator', 'operator-weak-1', pre);
  t.equal(login.status, 303);
  t.equal(login.headers.location, '/');
  t.equal(sidOf(login), pre, 'no rotation');
  t.equal((await web(port, 'GET', '/', { cookie: pre })).status, 200);
  t.same(Object.keys(JSON.parse((await web(port, 'GET', '/api/status', { cookie: pre })).body)), ['level', 'heartbeat']);

  const logout = await web(port, 'POST', '/logout', { cookie: pre });
  t.equal(logout.status, 303);
  t.match(logout.setCookie[0], /^sid=;.*Max-Age=0/);
  t.equal((await web(port, 'GET', '/api/status', { cookie: pre })).status, 200, 'old id still valid after logout');

  const err = await web(port, 'GET', '/api/item?id=abc');
  t.equal(err.status, 500);
  t.match(err.body, /TypeError: .*\n\s+at parseItem \(\/opt\/simplc\/web\/api\.js:42:17\)/);
  t.match(err.body, /SIM-PLC web 1\.0\.7 \(Node\.js v20\)/);
  t.same(JSON.parse((await web(port, 'GET', '/api/item?id=4')).body).id, 4);
  const missing = await web(port, 'GET', '/nothing');
  t.equal(missing.status, 404);
  t.match(missing.body, /SIM-PLC web 1\.0\.7/);

  const basicOk = await web(port, 'GET', '/api/basic/status', { basic: 'admin:admin' });
  t.equal(basicOk.status, 200, 'factory default admin/admin');
  const basicBad = await web(port, 'GET', '/api/basic/status', { basic: 'admin:nope' });
  t.equal(basicBad.status, 401);
  t.equal(basicBad.headers['www-authenticate'], 'Basic realm="SIM-PLC"');

  // Timing: a known user pays the simulated hash, an unknown one does not.
  const known = await median(5, () => webLogin(port, 'engineer', 'x'));
  const unknown = await median(5, () => webLogin(port, 'nobody', 'x'));
  t.ok(known >= 38, `known user ${known.toFixed(1)} ms`);
  t.ok(unknown < known - 20, `unknown user ${unknown.toFixed(1)} ms is answered sooner`);
});

t.test('weak plaintext console: Telnet negotiation, login in clear, the shell', async (t) => {
  const sock = net.connect(weak.plaintext!.port, HOST);
  let buf = Buffer.alloc(0);
  const waitFor = async (text: string) => {
    for (let i = 0; i < 100 && !buf.toString('latin1').includes(text); i++) await sleep(20);
    t.ok(buf.toString('latin1').includes(text), `got ${JSON.stringify(text)}`);
  };
  sock.on('data', (d: Buffer) => (buf = Buffer.concat([buf, d])));
  await waitFor('login: ');
  t.same([...buf.subarray(0, 6)], [255, 251, 1, 255, 251, 3], 'IAC WILL ECHO, IAC WILL SUPPRESS-GO-AHEAD');
  t.equal(buf.subarray(6).toString(), 'SIM-PLC maintenance console\r\nlogin: ');
  sock.write(Buffer.from([255, 253, 1])); // IAC DO ECHO, filtered out
  sock.write('operator\r\n');
  await waitFor('Password: ');
  sock.write('wrong\r\n');
  await waitFor('Login incorrect\r\nlogin: ');
  sock.write('operator\r\noperator-weak-1\r\n');
  await waitFor('plc> ');
  t.notMatch(buf.toString(), /operator-weak-1/, 'password not echoed');
  sock.write('status\r\nexit\r\n');
  await new Promise((r) => sock.on('close', r));
  t.match(buf.toString(), /plc> status\r\ntank level: [\d.]+ %\r\nheartbeat: \d+\r\nplc> exit\r\nbye/);
});

// ---------- hardened ----------

t.test('hardened TLS: 1.2 (ECDHE+AEAD only) and 1.3, RSA-2048/SHA-256 certificate from the device CA', async (t) => {
  const port = hardened.https.port;
  for (const v of ['TLSv1', 'TLSv1.1'] as const) {
    t.ok((await tlsProbe(port, { minVersion: v, maxVersion: v, ciphers: 'DEFAULT@SECLEVEL=0' })) instanceof Error, `${v} refused`);
  }
  for (const weakSuite of ['AES128-SHA', 'AES256-GCM-SHA384', 'ECDHE-RSA-AES128-SHA', 'DES-CBC3-SHA']) {
    t.ok((await tlsProbe(port, { maxVersion: 'TLSv1.2', ciphers: `${weakSuite}:@SECLEVEL=0` })) instanceof Error, `${weakSuite} refused`);
  }
  const t12 = await tlsProbe(port, { maxVersion: 'TLSv1.2' });
  if (t12 instanceof Error) throw t12;
  t.equal(t12.protocol, 'TLSv1.2');
  t.match(t12.cipher, /^ECDHE-RSA-(AES\d+-GCM|CHACHA20)/);
  const t13 = await tlsProbe(port, { minVersion: 'TLSv1.3', ca: await readFile(hardened.https.caFile, 'utf8'), rejectUnauthorized: true });
  if (t13 instanceof Error) throw t13;
  t.equal(t13.protocol, 'TLSv1.3');
  t.ok(t13.authorized, 'verifies against caFile with IP 127.0.0.1');
  t.equal(t13.cert.bits, 2048);
  t.equal(signatureAlgorithm(t13.cert), 'sha256WithRSAEncryption');
  t.match(t13.cert.subjectaltname, /DNS:localhost/);
  t.ok((await tlsProbe(port, { maxVersion: 'TLSv1.2', ecdhCurve: 'P-521' })) instanceof Error, 'P-521 is not among the groups');
});

t.test('hardened SSH: ident, banner, modern algorithms only, no SHA-1 host key signatures', async (t) => {
  const c = await sshConnect(hardened.ssh.port, { username: 'operator', password: 'Op3rator!hardened' });
  t.equal(c.ident, 'SSH-2.0-SIMPLC_4.2.1');
  t.match(c.banner, NOTICE);
  t.match(c.negotiated.kex, /^curve25519-sha256/);
  t.equal(c.negotiated.serverHostKey, 'ssh-ed25519');
  c.client.end();
  const rsa = await sshConnect(hardened.ssh.port, { username: 'operator', password: 'Op3rator!hardened', algorithms: { serverHostKey: ['rsa-sha2-512'], cipher: ['aes256-ctr'], hmac: ['hmac-sha2-512-etm@openssh.com'] } });
  t.same([rsa.negotiated.serverHostKey, rsa.negotiated.cs.cipher, rsa.negotiated.cs.mac], ['rsa-sha2-512', 'aes256-ctr', 'hmac-sha2-512-etm@openssh.com']);
  rsa.client.end();
  for (const algorithms of [
    { serverHostKey: ['ssh-rsa'] },
    { kex: ['diffie-hellman-group14-sha1', 'diffie-hellman-group1-sha1'] },
    { cipher: ['aes128-cbc', '3des-cbc'] },
    { cipher: ['aes256-ctr'], hmac: ['hmac-sha1', 'hmac-md5', 'hmac-sha2-256'] },
  ] as ssh2.Algorithms[]) {
    const e = await sshConnect(hardened.ssh.port, { username: 'operator', password: 'Op3rator!hardened', algorithms }).catch((err: Error) => err);
    t.ok(e instanceof Error, `refused: ${JSON.stringify(algorithms)}`);
  }
});

t.test('hardened login: 5 failures lock the user for 3 s on SSH and web alike', async (t) => {
  const unknown = await median(3, () => webLogin(hardened.https.port, 'nobody', 'x'));
  t.ok(unknown >= 38, `unknown user costs the same (${unknown.toFixed(1)} ms)`);
  for (let i = 0; i < 5; i++) {
    const e = await sshConnect(hardened.ssh.port, { username: 'lockprobe', password: 'wrong' }).catch((err: Error) => err);
    t.ok(e instanceof Error);
  }
  const lockedAt = Date.now();
  const correctWhileLocked = await webLogin(hardened.https.port, 'lockprobe', 'L0ckprobe!hardened');
  t.equal(correctWhileLocked.status, 401, 'the right password is refused while locked');
  t.match(correctWhileLocked.body, /Invalid username or password/);
  t.match((await webLogin(hardened.https.port, 'nobody', 'x')).body, /Invalid username or password/, 'same text for an unknown user');
  t.ok((await sshConnect(hardened.ssh.port, { username: 'lockprobe', password: 'L0ckprobe!hardened' }).catch((e: Error) => e)) instanceof Error, 'SSH locked too');
  await sleep(3100 - (Date.now() - lockedAt));
  const after = await webLogin(hardened.https.port, 'lockprobe', 'L0ckprobe!hardened');
  t.equal(after.status, 303, 'unlocked after 3 s (attempts while locked did not extend it)');
});

t.test('hardened web: rotation, strict cookie, security headers, logout, idle timeout, session limit', async (t) => {
  const port = hardened.https.port;
  const page = await web(port, 'GET', '/login');
  t.match(page.body, NOTICE);
  t.equal(page.headers.server, undefined);
  t.equal(page.headers['x-powered-by'], undefined);
  t.equal(page.headers['strict-transport-security'], 'max-age=31536000');
  t.equal(page.headers['content-security-policy'], "default-src 'self'; frame-ancestors 'none'");
  t.equal(page.headers['x-content-type-options'], 'nosniff');
  t.equal(page.headers['x-frame-options'], 'DENY');
  t.equal(page.headers['referrer-policy'], 'no-referrer');
  t.equal(page.headers['cache-control'], 'no-store');
  const pre = sidOf(page)!;
  t.match(pre, /^[A-Za-z0-9_-]{43}$/, '32 random bytes base64url');

  const login = await webLogin(port, 'operator', 'Op3rator!hardened', pre);
  t.equal(login.status, 303);
  const sid = sidOf(login)!;
  t.not(sid, pre, 'rotated at login');
  t.match(login.setCookie[0], /; Path=\/; Secure; HttpOnly; SameSite=Strict$/);
  t.equal((await web(port, 'GET', '/api/status', { cookie: pre })).status, 401, 'the pre-login id is not a session');
  t.equal((await web(port, 'GET', '/api/status', { cookie: sid })).status, 200);
  t.equal((await web(port, 'GET', '/api/status', { cookie: sid })).headers['cache-control'], 'no-store');
  await web(port, 'POST', '/logout', { cookie: sid });
  t.equal((await web(port, 'GET', '/api/status', { cookie: sid })).status, 401, 'logout destroys the session');
  t.equal((await web(port, 'GET', '/', { cookie: sid })).status, 303);

  const err = await web(port, 'GET', '/api/item?id=abc');
  t.equal(err.status, 400);
  t.same(JSON.parse(err.body), { error: 'bad request' });
  const missing = await web(port, 'GET', '/nothing');
  t.equal(missing.status, 404);
  t.notMatch(missing.body, /1\.0\.7|SIM-PLC web/);

  const sessions: string[] = [];
  for (let i = 0; i < 3; i++) sessions.push(sidOf(await webLogin(port, 'engineer', 'Eng1neer!hardened'))!);
  const fourth = await webLogin(port, 'engineer', 'Eng1neer!hardened');
  t.equal(fourth.status, 429);
  t.match(fourth.body, /Too many sessions/);
  t.equal((await web(port, 'GET', '/api/status', { cookie: sessions[0] })).status, 200);
  await sleep(2200);
  t.equal((await web(port, 'GET', '/api/status', { cookie: sessions[0] })).status, 401, 'idle session ended');
  t.equal((await webLogin(port, 'engineer', 'Eng1neer!hardened')).status, 303, 'a slot is free again');
});

t.test('hardened SSH: 3 connections per user, idle connections closed after 2 s', async (t) => {
  const creds = { username: 'engineer', password: 'Eng1neer!hardened' };
  const open = await Promise.all([0, 1, 2].map(() => sshConnect(hardened.ssh.port, creds)));
  const fourth = await sshConnect(hardened.ssh.port, creds).catch((e: Error) => e);
  t.ok(fourth instanceof Error, '4th concurrent connection refused');
  const closed = await Promise.all(open.map((c) => closedAfter(c.client)));
  for (const ms of closed) t.ok(ms >= 1500 && ms < 3500, `idle connection closed after ${ms} ms`);
  const again = await sshConnect(hardened.ssh.port, creds);
  t.pass('the refused 4th did not count as a failed login');
  again.client.end();
});

t.test('stop closes servers and open connections promptly', async (t) => {
  const dir = join(pkiDir, 'weak'); // reuses the keys made above
  const s: MgmtServices = await startManagementServices({ preset: 'weak', pkiDir: dir });
  const c = await sshConnect(s.ssh.port, { username: 'operator', password: 'operator-weak-1' });
  const tcp = net.connect(s.plaintext!.port, HOST);
  await new Promise((r) => tcp.once('data', r));
  const closed = Promise.all([new Promise<void>((r) => c.client.once('close', () => r())), new Promise<void>((r) => tcp.once('close', () => r()))]);
  const started = Date.now();
  await s.stop();
  t.ok(Date.now() - started < 1000, `stopped in ${Date.now() - started} ms`);
  await closed;
  t.ok((await tlsProbe(s.https.port, {})) instanceof Error, 'HTTPS no longer listening');
});
