// The command line as a new user meets it: real `node bin/otconform.js` processes, real OPC UA simulators
// on loopback (started in this process, each on a free port), temporary profiles and run directories.
// Only what a user sees is asserted: exit codes, what is printed, and the files a run leaves behind.
//
// Each CLI process costs a couple of seconds (node-opcua loads at start-up), so every process is started
// up front through a small pool and the subtests below await their results: the file stays well under a
// minute on two cores. Simulators are in-process, so children are spawned asynchronously (spawnSync would
// block the event loop the simulators answer on).
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { freePort } from './helpers/free-port.js';
import type { Report } from '../src/core/report.js';
import { ensureHarnessIdentity } from '../src/protocols/harness-identity.js';
import { startOpcuaSimulator } from '../simulators/opcua-server/index.js';

t.setTimeout(120_000);

const root = new URL('..', import.meta.url).pathname;
const BIN = join(root, 'bin/otconform.js');
const work = mkdtempSync(join(tmpdir(), 'otconform-cli-test-'));
t.teardown(() => rmSync(work, { recursive: true, force: true }));
const pki = join(work, 'pki');

const STACK_LINE = /^\s+at /m;
const OPERATOR_PASSWORD_VAR = 'OTCONFORM_CLI_TEST_OPERATOR_PASSWORD';
// The hardened simulator's real operator password (simulators/opcua-server/presets.ts), so the login succeeds.
const OPERATOR_PASSWORD = 'Op3rator!hardened';

// ---------------------------------------------------------------------------------------------------------
// Helpers

interface Cli {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Wall time from spawn to exit. */
  ms: number;
  /** Date.now() at exit. */
  endedAt: number;
}

interface CliOptions {
  env?: NodeJS.ProcessEnv;
  /** Called with the child once it runs (the Ctrl-C test signals it). */
  onSpawn?: (child: ReturnType<typeof spawn>) => void;
}

// Two cores: a few processes at once keep both busy while others wait on I/O.
let running = 0;
const queue: Array<() => void> = [];
const slot = async () => {
  if (running >= 3) await new Promise<void>((r) => queue.push(r));
  running++;
};
const release = () => {
  running--;
  queue.shift()?.();
};

async function cli(args: string[], o: CliOptions = {}): Promise<Cli> {
  await slot();
  try {
    return await new Promise<Cli>((resolve, reject) => {
      const started = Date.now();
      const child = spawn(process.execPath, [BIN, ...args], {
        cwd: root,
        env: { ...process.env, ...o.env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
      child.once('error', reject);
      child.once('close', (code, signal) => {
        clearTimeout(killer);
        resolve({ code, signal, stdout, stderr, ms: Date.now() - started, endedAt: Date.now() });
      });
      o.onSpawn?.(child);
    });
  } finally {
    release();
  }
}

const show = (r: Cli) => `exit ${r.code}; stderr: ${r.stderr.slice(-1500)}`;


const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A bundled simulator profile pointed at another endpoint, with optional text edits, written to the work dir. */
function profileFor(preset: 'weak' | 'hardened', endpointUrl: string, name: string, edit: (s: string) => string = (s) => s): string {
  const text = readFileSync(join(root, 'device-profiles', `sim-opcua-${preset}.yaml`), 'utf8');
  const pointed = text.replace(/endpointUrl: opc\.tcp:\/\/\S+/, `endpointUrl: ${endpointUrl}`);
  if (pointed === text) throw new Error(`no endpointUrl to replace in the ${preset} profile`);
  const edited = edit(pointed);
  const file = join(work, `${name}.yaml`);
  writeFileSync(file, edited);
  return file;
}

/** Replaces exactly one occurrence, so a change in the bundled profiles breaks the test loudly, not silently. */
function replaceOnce(text: string, from: string | RegExp, to: string): string {
  const out = text.replace(from, to);
  if (out === text) throw new Error(`profile edit did not apply: ${String(from)}`);
  return out;
}

const out = (name: string) => join(work, 'out', name);
mkdirSync(join(work, 'out'));

function readReport(dir: string): Report {
  return JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as Report;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

// ---------------------------------------------------------------------------------------------------------
// Profiles that need no device

const goodProfile = join(root, 'device-profiles', 'sim-opcua-weak.yaml');

// Four problems, each on a known line: wrong componentType, SL 9, an unknown field, a bad endpoint URL.
const malformedLines = [
  'schemaVersion: 1',
  'device:',
  '  vendor: ACME',
  '  model: PLC-1',
  'componentType: PLC',
  'targetSecurityLevel: 9',
  'colour: blue',
  'services:',
  '  opcua:',
  '    - endpointUrl: http://10.0.0.1:4840',
];
const lineOf = (prefix: string) => malformedLines.findIndex((l) => l.trimStart().startsWith(prefix)) + 1;
const malformedProfile = join(work, 'malformed.yaml');
writeFileSync(malformedProfile, `${malformedLines.join('\n')}\n`);

const syntaxErrorProfile = join(work, 'syntax-error.yaml');
writeFileSync(syntaxErrorProfile, 'schemaVersion: 1\ndevice: { vendor: ACME\n  model: [PLC-1\ncomponentType: EDR\n');

const ENV_VAR = 'OTCONFORM_CLI_TEST_VALIDATE_SECRET';
const envProfile = join(work, 'env-secret.yaml');
writeFileSync(
  envProfile,
  replaceOnce(readFileSync(goodProfile, 'utf8'), 'password: operator-weak-1', `password: "\${env:${ENV_VAR}}"`),
);
const withoutEnv = { [ENV_VAR]: undefined } as NodeJS.ProcessEnv;

// Everything that touches no device starts now, while the simulators start.
const offline = {
  validateGood: cli(['validate', goodProfile]),
  validateMalformed: cli(['validate', malformedProfile]),
  validateSyntax: cli(['validate', syntaxErrorProfile]),
  validateMissing: cli(['validate', join(work, 'does-not-exist.yaml')]),
  validateEnvUnset: cli(['validate', envProfile], { env: withoutEnv }),
  validateEnvSet: cli(['validate', envProfile], { env: { [ENV_VAR]: 'from-the-environment' } }),
  unknownCommand: cli(['frobnicate']),
  runWithoutProfile: cli(['run', '--no-color', '--out', out('no-profile')]),
  runBadSl: cli(['run', '--profile', goodProfile, '--sl', '9', '--no-color', '--out', out('bad-sl'), '--pki', pki]),
  catalogBadComponent: cli(['catalog', '--component', 'XYZ']),
  list: cli(['list']),
  listJson: cli(['list', '--json']),
  catalog: cli(['catalog', '--component', 'NDR', '--sl', '4']),
  schema: cli(['schema']),
};

// ---------------------------------------------------------------------------------------------------------
// Simulators and the runs against them

// The harness identity exists before any run, so concurrent runs only read it and none creates it.
const identity = await ensureHarnessIdentity(pki);
const [weak, hardened] = await Promise.all([
  startOpcuaSimulator({ preset: 'weak', port: await freePort() }),
  startOpcuaSimulator({ preset: 'hardened', port: await freePort(), trustedClientCertificates: [identity.certificateFile] }),
]);
t.teardown(() => Promise.all([weak.stop(), hardened.stop()]));

// 4. A closed port: nothing listens there. A long connect timeout shows the refusal does not wait it out.
const closedPort = await freePort();
const unreachableEndpoint = `opc.tcp://127.0.0.1:${closedPort}`;
const unreachableProfile = profileFor('weak', unreachableEndpoint, 'unreachable', (s) =>
  replaceOnce(s, 'connectMs: 5000', 'connectMs: 30000'),
);
const unreachable = cli(['run', '--profile', unreachableProfile, '--no-color', '--out', out('unreachable'), '--pki', pki]);

// 5 + 8 + --verbose. The hardened device, no --allow-disruptive; the operator's password comes from the
// environment and really logs in (opcua-inventory reads BuildInfo as that account).
const gatesProfile = profileFor('hardened', hardened.endpointUrl, 'hardened-env', (s) =>
  replaceOnce(s, 'password: "Op3rator!hardened"', `password: "\${env:${OPERATOR_PASSWORD_VAR}}"`),
);
const GATED = ['opcua-readonly-write-refused', 'opcua-session-limit'];
const gates = cli(
  ['run', '--profile', gatesProfile, '--no-color', '--verbose', '--out', out('gates'), '--pki', pki, '--check', 'opcua-inventory', ...GATED],
  { env: { [OPERATOR_PASSWORD_VAR]: OPERATOR_PASSWORD } },
);

// 6 + --quiet. The owner does not allow login attempts.
const noLoginProfile = profileFor('hardened', hardened.endpointUrl, 'hardened-no-login', (s) =>
  replaceOnce(s, 'allowLoginAttempts: true', 'allowLoginAttempts: false'),
);
const AUTH_ATTEMPT = ['opcua-default-credentials', 'opcua-login-lockout'];
const noLogin = cli([
  'run', '--profile', noLoginProfile, '--no-color', '--quiet', '--out', out('no-login'), '--pki', pki,
  '--allow-disruptive', '--check', 'opcua-security-policies', ...AUTH_ATTEMPT,
]);

// 7. Ctrl-C during a full, disruptive run against the weak device (normal verbosity).
const interruptedOut = out('interrupted');
const interruptProfile = profileFor('weak', weak.endpointUrl, 'weak');
let journalAtSigint: Array<{ type: string; result?: { id: string; verdict: string } }> = [];
let sigintAt = 0;
const interrupted = cli(
  ['run', '--profile', interruptProfile, '--allow-disruptive', '--no-color', '--out', interruptedOut, '--pki', pki],
  {
    onSpawn: (child) => {
      const journal = join(interruptedOut, 'journal.jsonl');
      const deadline = Date.now() + 45_000;
      void (async () => {
        while (child.exitCode === null && Date.now() < deadline) {
          const text = existsSync(journal) ? readFileSync(journal, 'utf8') : '';
          // Only whole lines: a line may be caught half-written.
          const lines = text.split('\n').slice(0, -1);
          if (lines.some((l) => l.includes('"type":"check"'))) {
            journalAtSigint = lines.map((l) => JSON.parse(l) as (typeof journalAtSigint)[number]);
            sigintAt = Date.now();
            child.kill('SIGINT');
            return;
          }
          await sleep(25);
        }
      })();
    },
  },
);

// ---------------------------------------------------------------------------------------------------------
// 1. validate

t.test('validate', async (t) => {
  const good = await offline.validateGood;
  t.equal(good.code, 0, `a good profile validates (${show(good)})`);
  t.equal(good.stdout.trim().split('\n').length, 1, 'with a one-line summary');
  t.match(good.stdout, /valid \(otconform simulated devices SIM-PLC weak, EDR, target SL-C 3; services: 1 opcua/);

  const bad = await offline.validateMalformed;
  t.equal(bad.code, 2, 'a malformed profile is a usage error (exit 2)');
  t.match(bad.stderr, /does not match the schema/, 'says the profile does not match the schema');
  t.match(bad.stderr, `componentType (line ${lineOf('componentType')})`, 'names componentType and its line');
  t.match(bad.stderr, `targetSecurityLevel (line ${lineOf('targetSecurityLevel')})`, 'names targetSecurityLevel and its line');
  t.match(bad.stderr, `services.opcua[0].endpointUrl (line ${lineOf('- endpointUrl')})`, 'names the endpoint URL and its line');
  t.match(bad.stderr, `colour (line ${lineOf('colour')}): unknown field`, 'names the unknown field at its own line');
  t.notMatch(bad.stderr, STACK_LINE, 'no stack trace');
  t.equal(bad.stdout, '', 'nothing on stdout');

  const syntax = await offline.validateSyntax;
  t.equal(syntax.code, 2, 'a YAML syntax error exits 2');
  t.match(syntax.stderr, /not valid YAML/);
  t.match(syntax.stderr, /line \d+, column \d+/, 'with a position');
  t.notMatch(syntax.stderr, STACK_LINE, 'no stack trace');

  const missing = await offline.validateMissing;
  t.equal(missing.code, 2, 'a missing file exits 2');
  t.match(missing.stderr, /cannot read profile .*does-not-exist\.yaml/);
  t.notMatch(missing.stderr, STACK_LINE, 'no stack trace');

  const unset = await offline.validateEnvUnset;
  t.equal(unset.code, 2, 'an unset ${env:NAME} exits 2');
  t.match(unset.stderr, ENV_VAR, 'naming the variable');
  t.match(unset.stderr, 'credentials.operator.password', 'and the field that refers to it');
  t.notMatch(unset.stderr, STACK_LINE, 'no stack trace');

  const set = await offline.validateEnvSet;
  t.equal(set.code, 0, `the same profile validates once the variable is set (${show(set)})`);
  t.match(set.stdout, /secrets resolved/);
  t.notMatch(set.stdout + set.stderr, 'from-the-environment', 'the secret is not printed');
});

// 2. usage errors

t.test('usage errors exit 2 with a message and no stack trace', async (t) => {
  const cases: Array<[string, Promise<Cli>, RegExp]> = [
    ['an unknown command', offline.unknownCommand, /unknown command 'frobnicate'/],
    ['run without --profile', offline.runWithoutProfile, /required option '-p, --profile <file>' not specified/],
    ['run --sl 9', offline.runBadSl, /'--sl <level>' argument '9' is invalid/],
    ['catalog --component XYZ', offline.catalogBadComponent, /argument 'XYZ' is invalid. Allowed choices are EDR, HDR, NDR, SAR/],
  ];
  for (const [what, pending, message] of cases) {
    const r = await pending;
    t.equal(r.code, 2, `${what}: exit 2`);
    t.match(r.stderr, message, `${what}: says what is wrong`);
    t.match(r.stderr, /--help/, `${what}: points at --help`);
    t.notMatch(r.stderr, STACK_LINE, `${what}: no stack trace`);
  }
  t.notOk(existsSync(out('no-profile')) || existsSync(out('bad-sl')), 'a usage error writes no run directory');
});

// 3. list, catalog, schema

t.test('list, catalog and schema', async (t) => {
  const list = await offline.list;
  t.equal(list.code, 0, `list exits 0 (${show(list)})`);
  const ids = [
    ['modbus-connection-flood', 'modbus', 'disruptive'],
    ['modbus-device-identification', 'modbus', 'read'],
    ['modbus-function-codes', 'modbus', 'read'],
    ['modbus-malformed-frames', 'modbus', 'disruptive'],
    ['modbus-request-flood', 'modbus', 'disruptive'],
    ['modbus-slow-drip', 'modbus', 'disruptive'],
    ['modbus-tls-security', 'modbus', 'read'],
    ['modbus-unauthenticated-read', 'modbus', 'read'],
    ['modbus-unauthenticated-write', 'modbus', 'state-change'],
    ['opcua-anonymous-access', 'opcua', 'read'],
    ['opcua-channel-flood', 'opcua', 'disruptive'],
    ['opcua-default-credentials', 'opcua', 'auth-attempt'],
    ['opcua-inventory', 'opcua', 'read'],
    ['opcua-login-lockout', 'opcua', 'auth-attempt'],
    ['opcua-readonly-write-refused', 'opcua', 'state-change'],
    ['opcua-security-policies', 'opcua', 'passive'],
    ['opcua-server-certificate', 'opcua', 'passive'],
    ['opcua-session-flood', 'opcua', 'disruptive'],
    ['opcua-session-limit', 'opcua', 'disruptive'],
    ['opcua-untrusted-client-certificate', 'opcua', 'read'],
    ['https-authenticator-feedback', 'https', 'auth-attempt'],
    ['https-cookie-flags', 'https', 'read'],
    ['https-default-credentials', 'https', 'auth-attempt'],
    ['https-error-handling', 'https', 'read'],
    ['https-idle-timeout', 'https', 'read'],
    ['https-login-lockout', 'https', 'auth-attempt'],
    ['https-logout', 'https', 'read'],
    ['https-security-headers', 'https', 'read'],
    ['https-session-id-entropy', 'https', 'read'],
    ['https-session-limit', 'https', 'disruptive'],
    ['https-session-rotation', 'https', 'read'],
    ['https-use-notification', 'https', 'passive'],
    ['network-plaintext-management', 'network', 'read'],
    ['network-port-inventory', 'network', 'read'],
    ['opcua-authenticator-feedback', 'opcua', 'auth-attempt'],
    ['ssh-algorithms', 'ssh', 'passive'],
    ['ssh-auth-methods', 'ssh', 'auth-attempt'],
    ['ssh-authenticator-feedback', 'ssh', 'auth-attempt'],
    ['ssh-banner', 'ssh', 'passive'],
    ['ssh-default-credentials', 'ssh', 'auth-attempt'],
    ['ssh-host-keys', 'ssh', 'passive'],
    ['ssh-idle-timeout', 'ssh', 'read'],
    ['ssh-login-lockout', 'ssh', 'auth-attempt'],
    ['ssh-session-limit', 'ssh', 'disruptive'],
    ['tls-certificate', 'tls', 'passive'],
    ['tls-cipher-suites', 'tls', 'passive'],
    ['tls-key-exchange-groups', 'tls', 'passive'],
    ['tls-protocol-versions', 'tls', 'passive'],
  ];
  for (const [id, protocol, safety] of ids) {
    t.match(list.stdout, new RegExp(`^${id}\\s+${protocol}\\s+${safety}\\b`, 'm'), `lists ${id} as ${safety}`);
  }
  t.match(list.stdout, new RegExp(`^${ids.length} checks$`, 'm'), 'and counts them');

  const json = await offline.listJson;
  t.equal(json.code, 0, 'list --json exits 0');
  const rows = JSON.parse(json.stdout) as Array<Record<string, unknown>>;
  t.equal(rows.length, ids.length, 'one entry per check');
  t.same(rows.map((r) => r.id).sort(), ids.map(([id]) => id).sort(), 'one per check');
  for (const r of rows) {
    t.ok(
      typeof r.id === 'string' &&
        Array.isArray(r.requirements) &&
        r.requirements.length > 0 &&
        typeof r.safety === 'string' &&
        [1, 2, 3, 4].includes(r.minSecurityLevel as number),
      `${String(r.id)} has id, requirements, safety, minSecurityLevel`,
    );
    t.notOk('run' in r, `${String(r.id)} carries no run function`);
  }

  const catalog = await offline.catalog;
  t.equal(catalog.code, 0, 'catalog --component NDR --sl 4 exits 0');
  const last = catalog.stdout.trimEnd().split('\n').at(-1) ?? '';
  t.match(last, /^\d+ of \d+ requirements \(NDR, SL-C 4\); catalog \S+$/, 'ends with a count line');

  const schema = await offline.schema;
  t.equal(schema.code, 0, 'schema exits 0');
  const s = JSON.parse(schema.stdout) as { $schema?: string; type?: string; properties?: Record<string, unknown> };
  t.match(s.$schema, /json-schema\.org/, 'a JSON Schema');
  t.equal(s.type, 'object');
  t.ok(s.properties?.services, 'describes properties.services');
});

// 4. unreachable device

t.test('an unreachable device exits 3 at once and writes nothing', async (t) => {
  const r = await unreachable;
  t.equal(r.code, 3, `exit 3 (${show(r)})`);
  t.ok(r.ms < 15_000, `within ${r.ms} ms, well inside the 30 s connect timeout`);
  t.match(r.stderr, /cannot be reached/, 'says the device cannot be reached');
  t.match(r.stderr, unreachableEndpoint, 'names the endpoint');
  t.notMatch(r.stderr, STACK_LINE, 'no stack trace');
  t.notOk(existsSync(out('unreachable')), 'no run directory is created');
});

// 5. safety gates (+ 9: --verbose)

t.test('without --allow-disruptive the state-change and disruptive checks are skipped', async (t) => {
  const r = await gates;
  t.equal(r.code, 0, `exit 0 (${show(r)})`);
  const report = readReport(out('gates'));
  const byId = new Map(report.checks.map((c) => [c.id, c]));
  t.equal(byId.get('opcua-inventory')?.verdict, 'pass', 'the read check runs and passes (the env password logged in)');
  for (const id of GATED) {
    const c = byId.get(id);
    t.equal(c?.verdict, 'skipped', `${id} is skipped`);
    t.match(c?.reason, '--allow-disruptive', `${id} says --allow-disruptive is missing`);
  }
  t.equal(report.requirements.find((q) => q.id === 'CR 2.7')?.status, 'not-run', 'CR 2.7 is not-run');
  t.equal(report.run.allowDisruptive, false, 'the report records the run was not disruptive');
  t.match(r.stdout, /SKIP opcua-session-limit/, 'the console shows the skip');

  t.match(r.stderr, /\bDEBUG\b/, '--verbose shows debug lines on stderr');
});

// 6. allowLoginAttempts: false (+ 9: --quiet)

t.test('safety.allowLoginAttempts: false skips the auth-attempt checks', async (t) => {
  const r = await noLogin;
  t.equal(r.code, 0, `exit 0 (${show(r)})`);
  const report = readReport(out('no-login'));
  for (const id of AUTH_ATTEMPT) {
    const c = report.checks.find((x) => x.id === id);
    t.equal(c?.verdict, 'skipped', `${id} is skipped`);
    t.match(c?.reason, 'allowLoginAttempts', `${id} names allowLoginAttempts`);
  }
  t.equal(report.checks.find((x) => x.id === 'opcua-security-policies')?.verdict, 'pass', 'a passive check still runs');
  t.notMatch(r.stderr, /\bINFO\b/, '--quiet shows no info lines');
  t.notMatch(r.stderr, /\bDEBUG\b/, '--quiet shows no debug lines');
  t.match(r.stdout, /exit code\s+0/, 'the summary is still printed');
});

// 7. Ctrl-C

t.test('Ctrl-C stops the run, keeps what finished and still writes the report', async (t) => {
  const r = await interrupted;
  t.ok(sigintAt > 0, 'a check was journaled and SIGINT was sent');
  t.equal(r.code, 130, `exit 130 (${show(r)})`);
  const afterSigint = r.endedAt - sigintAt;
  t.ok(afterSigint < 10_000, `exits ${afterSigint} ms after SIGINT`);
  t.match(r.stderr, /SIGINT received, stopping/, 'says it is stopping');
  t.match(r.stderr, /\bINFO\b/, 'normal verbosity shows info lines (the control for --quiet)');

  const report = readReport(interruptedOut);
  t.equal(report.run.interrupted, true, 'run.interrupted is true');
  t.equal(report.summary.exitCode, 130, 'the report records exit 130');
  t.equal(report.checks.length, (JSON.parse((await offline.listJson).stdout) as unknown[]).length, 'every planned check has a result');
  const finished = journalAtSigint.filter((e) => e.type === 'check').map((e) => e.result!);
  t.ok(finished.length >= 1, `${finished.length} check(s) had finished before SIGINT`);
  for (const f of finished) {
    t.equal(report.checks.find((c) => c.id === f.id)?.verdict, f.verdict, `${f.id} keeps its verdict (${f.verdict})`);
  }
  // Not-applicable results are decided by the plan, not by running, so they are journaled at once and cannot be interrupted.
  const rest = report.checks.filter((c) => !finished.some((f) => f.id === c.id) && c.verdict !== 'not-applicable');
  t.ok(rest.length > 0, 'some checks had not finished');
  const interruptedChecks = rest.filter((c) => c.verdict === 'skipped' || c.verdict === 'error');
  t.ok(interruptedChecks.length >= rest.length - 1, 'the rest are skipped or error (one may have finished meanwhile)');
  for (const c of interruptedChecks) t.match(c.reason, /interrupted/, `${c.id} (${c.verdict}) says the run was interrupted`);
  t.ok(existsSync(join(interruptedOut, 'evidence/manifest.json')), 'the manifest is written');
  t.ok(existsSync(join(interruptedOut, 'report.md')), 'report.md is written');
  const journal = readFileSync(join(interruptedOut, 'journal.jsonl'), 'utf8');
  t.match(journal, /"type":"run-end"[^\n]*"interrupted":true/, 'the journal records the interrupted end');
});

// 8. secrets

t.test('a password from ${env:...} appears in no file and no output', async (t) => {
  const r = await gates;
  t.equal(r.code, 0);
  const files = filesUnder(out('gates'));
  t.ok(files.some((f) => f.endsWith('otconform.log')), 'the log file is among the files checked');
  t.ok(files.length >= 5, `${files.length} files checked`);
  for (const file of files) {
    if (readFileSync(file, 'latin1').includes(OPERATOR_PASSWORD)) t.fail(`${file} contains the password`);
  }
  t.notMatch(r.stdout, OPERATOR_PASSWORD, 'not on stdout');
  t.notMatch(r.stderr, OPERATOR_PASSWORD, 'not on stderr (--verbose)');
  const report = readReport(out('gates'));
  t.equal(report.profile.credentials.operator?.password, `\${env:${OPERATOR_PASSWORD_VAR}}`, 'the report keeps the reference, not the value');
});
