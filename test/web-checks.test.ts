// The web UI checks through the real runner against the simulated device's HTTPS service (simulators/mgmt),
// both presets: every check fails on `weak` and passes on `hardened`. Also proves the login oracle's answers
// and the parts of the adapter that the simulator cannot show (cookie jar, answer normalisation, id analysis).
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import t from 'tap';
import { startManagementServices } from '../simulators/mgmt/index.js';
import { createTranscript } from '../src/core/transcript.js';
import { loadKnowledgeBase } from '../src/knowledge/index.js';
import { normalisedAnswer } from '../src/protocols/http/answer.js';
import { CookieJar } from '../src/protocols/http/cookie-jar.js';
import { httpsLoginOracle } from '../src/protocols/http/login-oracle.js';
import { analyseSessionIds } from '../src/protocols/http/session-id-analysis.js';
import { throwawayCertificate } from '../src/protocols/throwaway-certificate.js';
import type { HttpsService } from '../src/profiles/schema.js';
import { runChecks } from './helpers/run-checks.js';
import { simPasswords } from './helpers/sim-accounts.js';

t.setTimeout(120_000);

const WEB_CHECKS = [
  'https-use-notification',
  'https-idle-timeout',
  'https-session-limit',
  'https-cookie-flags',
  'https-session-id-entropy',
  'https-session-rotation',
  'https-logout',
  'https-error-handling',
  'https-security-headers',
];

const PASSWORDS = { weak: simPasswords('weak'), hardened: simPasswords('hardened') } as const;

const profileFor = (preset: 'weak' | 'hardened', port: number) => `
schemaVersion: 1
device: { vendor: otconform simulated devices, model: SIM-PLC ${preset}, firmware: ${preset === 'weak' ? '1.0.7' : '4.2.1'} }
componentType: EDR
targetSecurityLevel: 3
services:
  https:
    - name: web
      url: https://127.0.0.1:${port}
      login:
        form: { path: /login, usernameField: username, passwordField: password }
        basic: { path: /api/basic/status }
      protectedPath: /
      logoutPath: /logout
      errorPaths: ["/api/item?id=abc"]
      timeoutMs: 3000
credentials:
  operator: { username: operator, password: "${PASSWORDS[preset].operator}", role: read-only, protocols: [https] }
  lockprobe: { username: lockprobe, password: "${PASSWORDS[preset].lockprobe}", role: read-only, protocols: [https] }
policy: { idleTimeoutMaxMs: 3000 }
safety: { allowDisruptive: true, lockoutAccount: lockprobe, maxSessions: 6, loginAttemptsPerSecond: 50 }
`;

const expected = (verdict: 'pass' | 'fail') => Object.fromEntries(WEB_CHECKS.map((id) => [`${id} @ web`, verdict]));

for (const preset of ['weak', 'hardened'] as const) {
  t.test(`web checks, preset ${preset}`, async (t) => {
    const mgmt = await startManagementServices({ preset, pkiDir: mkdtempSync(join(tmpdir(), `otconform-web-pki-${preset}-`)) });
    t.teardown(() => mgmt.stop());
    const { report, runDir: out, verdicts, checks, evidenceJson, evidenceFiles } = await runChecks(profileFor(preset, mgmt.https.port), { checks: WEB_CHECKS, allowDisruptive: true, profileName: 'web.yaml' });
    t.same(verdicts, expected(preset === 'weak' ? 'fail' : 'pass'), `every web check ${preset === 'weak' ? 'fails' : 'passes'} on ${preset}`);
    for (const c of report.checks) {
      t.comment(`${c.id}: ${c.verdict} in ${c.durationMs} ms — ${c.reason}`);
      t.ok(c.reason.length > 0, `${c.id} gives a reason`);
    }
    const byId = (id: string) => checks[id]!;

    if (preset === 'weak') {
      t.match(byId('https-session-id-entropy').reason, /sequential|timestamp/, 'the weak ids are caught by their pattern, not only by the estimate');
      t.match(byId('https-error-handling').reason, /stack trace/i, 'the stack trace is named');
      t.match(byId('https-security-headers').reason, /Server: SIM-PLC-web\/1\.0\.7|X-Powered-By/, 'the version header is named');
      t.equal(byId('https-session-limit').measurements.sessionsAccepted?.value, 6, 'weak accepted every session up to maxSessions');
    } else {
      t.equal(byId('https-session-limit').measurements.sessionsAccepted?.value, 3, 'hardened holds three sessions per user');
      t.match(byId('https-session-limit').reason, /accepted it once one session was logged out/, 'the limit is confirmed by freeing a session');
      const ids = evidenceJson<{ analysis: { bitsUpperBound: number } }>('https-session-id-entropy', 'session-ids.json');
      t.ok(ids.analysis.bitsUpperBound >= 128, 'hardened ids estimate at least 128 bits');
    }
    // The passwords never reach the evidence, the transcripts or the journal.
    const all = JSON.stringify(report) + readFileSync(join(out, 'otconform.log'), 'utf8');
    t.notOk(all.includes(PASSWORDS[preset].operator), 'no password in the report or log');
    for (const { path, text } of evidenceFiles()) t.notOk(text.includes(PASSWORDS[preset].operator), `no password in ${path}`);
  });

  t.test(`login oracle, preset ${preset}`, async (t) => {
    const mgmt = await startManagementServices({ preset, pkiDir: mkdtempSync(join(tmpdir(), `otconform-web-oracle-${preset}-`)) });
    t.teardown(() => mgmt.stop());
    const service = loaded(mgmt.https.port);
    for (const method of ['form', 'basic'] as const) {
      const transcript = createTranscript();
      const oracle = httpsLoginOracle(service, method, transcript);
      t.teardown(() => oracle.close());
      const wrong = await oracle.attempt('operator', 'not-the-password');
      const unknown = await oracle.attempt('nobody-here', 'not-the-password');
      const unknown2 = await oracle.attempt('nobody-else', 'other-wrong');
      // A correct login last, so the hardened failure counter is reset for the next method.
      const right = await oracle.attempt('operator', PASSWORDS[preset].operator, { sourceAddress: '127.0.0.1' });
      t.equal(right.outcome, 'accepted', `${method}: the right password is accepted`);
      t.equal(wrong.outcome, 'refused', `${method}: a wrong password is refused`);
      t.equal(unknown.outcome, 'refused', `${method}: an unknown user is refused`);
      t.equal(unknown.answer, unknown2.answer, `${method}: identical refusals give equal answers (${unknown.answer})`);
      if (method === 'form') {
        if (preset === 'weak') t.not(wrong.answer, unknown.answer, 'weak: "Wrong password" and "Unknown user" answers differ');
        else t.equal(wrong.answer, unknown.answer, 'hardened: every refusal reads the same');
      }
      t.ok(right.elapsedMs >= 0 && wrong.elapsedMs >= 30, `${method}: elapsedMs covers the ~40 ms password check (${wrong.elapsedMs} ms)`);
      const text = JSON.stringify(transcript.entries);
      t.notOk(text.includes(PASSWORDS[preset].operator) || text.includes('not-the-password'), `${method}: no password in the transcript`);
      t.match(text, /operator/, `${method}: the transcript names the user`);
    }
  });
}

function loaded(port: number): HttpsService {
  return {
    url: `https://127.0.0.1:${port}`,
    login: { form: { path: '/login', usernameField: 'username', passwordField: 'password' }, basic: { path: '/api/basic/status' } },
    protectedPath: '/',
    logoutPath: '/logout',
    errorPaths: [],
    timeoutMs: 3000,
  };
}

t.test('the oracle reports an unreachable device as error, not refused', async (t) => {
  const service = { ...loaded(1), timeoutMs: 1000 };
  const oracle = httpsLoginOracle(service, 'form', createTranscript(), { connectTimeoutMs: 1000 });
  const r = await oracle.attempt('operator', 'x');
  await oracle.close();
  t.equal(r.outcome, 'error');
  t.match(r.detail ?? '', /ECONNREFUSED|connect/);
});

t.test('cookie jar and answers', async (t) => {
  const jar = new CookieJar();
  jar.store(['sid=abc; Path=/; Secure; HttpOnly; SameSite=Strict', 'lang=en; Path=/help']);
  t.equal(jar.header('/'), 'sid=abc');
  t.equal(jar.header('/help/x'), 'lang=en; sid=abc', 'longer paths first, path-scoped cookies only where they apply');
  t.match(jar.get('sid'), { secure: true, httpOnly: true, sameSite: 'Strict' });
  jar.store(['sid=; Path=/; Max-Age=0']);
  t.equal(jar.get('sid'), undefined, 'an expired Set-Cookie deletes the cookie');
  t.equal(
    normalisedAnswer(401, '<p>Wrong password</p><p>request 1234 at 12:01:02, id 9f8e7d6c5b4a39281706</p>'),
    normalisedAnswer(401, '<p>Wrong password</p><p>request 98 at 23:59:00, id 00112233445566778899</p>'),
    'volatile parts do not make equal answers differ',
  );
  t.not(normalisedAnswer(401, '<p>Wrong password</p>'), normalisedAnswer(401, '<p>Unknown user</p>'));
  const menu = '<nav>' + 'Dashboard Alarms Trends Settings '.repeat(30) + '</nav>';
  t.not(normalisedAnswer(401, `${menu}<p>Wrong password</p>`), normalisedAnswer(401, `${menu}<p>Unknown user</p>`), 'a message far down a long page still tells answers apart');
});

t.test('a device that never answers is an error within the timeout', async (t) => {
  const { cert, key } = throwawayCertificate('silent device');
  const server = https.createServer({ cert, key }, () => undefined); // accepts, never answers
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => {
    server.closeAllConnections();
    server.close();
  });
  const port = (server.address() as AddressInfo).port;
  const oracle = httpsLoginOracle({ ...loaded(port), timeoutMs: 500 }, 'form', createTranscript(), { connectTimeoutMs: 1000 });
  const started = Date.now();
  const r = await oracle.attempt('operator', 'x');
  await oracle.close();
  t.equal(r.outcome, 'error');
  t.match(r.detail ?? '', /within 500 ms/);
  t.ok(Date.now() - started < 2000, 'bounded by the request timeout');
});

t.test('session id analysis', async (t) => {
  const kb = loadKnowledgeBase();
  const now = Date.now();
  const counter = Array.from({ length: 16 }, (_, i) => ({ id: `S${String(1000 + i * 7).padStart(8, '0')}`, at: now + i }));
  const c = analyseSessionIds(counter, kb.web.timestampWindowSeconds);
  t.ok(c.sequential, 'a counter is sequential');
  t.ok(c.bitsUpperBound < 64, `a counter has a small estimate (${c.bitsUpperBound})`);
  const stamped = Array.from({ length: 16 }, (_, i) => ({ id: `x${Math.floor((now + i * 1000) / 1000)}y${(i * 7919) % 97}`, at: now + i * 1000 }));
  t.ok(analyseSessionIds(stamped, kb.web.timestampWindowSeconds).timestamp, 'a decimal Unix time inside the id is found');
  const random = Array.from({ length: 16 }, (_, i) => ({ id: Buffer.from(Array.from({ length: 16 }, (_, j) => (i * 131 + j * 71 + i * j * 37) % 256)).toString('base64url'), at: now }));
  const r = analyseSessionIds(random, kb.web.timestampWindowSeconds);
  t.notOk(r.timestamp, 'no timestamp in base64url ids');
  t.equal(r.alphabet.size, 64);
  const repeated = analyseSessionIds([...counter.slice(0, 8), counter[3]!], kb.web.timestampWindowSeconds);
  t.ok(repeated.repeated, 'a repeated id is flagged');
  t.equal(kb.web.sessionIdEntropy(c.bitsUpperBound).grade, 'weak');
});
