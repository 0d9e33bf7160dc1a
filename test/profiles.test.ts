// Device profiles: schema errors name the path (and line), secrets come from the environment and are
// registered for redaction, and the bundled profiles are valid.
import { readdirSync, readFileSync } from 'node:fs';
import t from 'tap';
import { UsageError } from '../src/core/errors.js';
import { loadProfile, parseProfile } from '../src/profiles/load.js';
import { profileJsonSchema } from '../src/profiles/schema.js';

const minimal = (extra = '') => `schemaVersion: 1
device: { vendor: ACME, model: PLC-1000 }
componentType: EDR
targetSecurityLevel: 2
services:
  opcua:
    - endpointUrl: opc.tcp://127.0.0.1:4840
${extra}`;

function problemsOf(text: string, env: NodeJS.ProcessEnv = {}): string[] {
  try {
    parseProfile(text, 'p.yaml', env);
  } catch (err) {
    if (err instanceof UsageError) return [err.message, ...err.details];
    throw err;
  }
  return [];
}

t.test('a minimal profile loads with safe defaults', async (t) => {
  const { profile } = parseProfile(minimal(), 'p.yaml', {});
  t.equal(profile.safety.allowLoginAttempts, false, 'login attempts are off unless the profile says so');
  t.equal(profile.safety.allowDisruptive, false, 'disruptive checks are off unless the profile says so');
  t.equal(profile.timeouts.connectMs, 5000);
  t.same(profile.services.opcua[0]?.safeWriteNodes, []);
});

t.test('schema errors name the path, the line and the problem', async (t) => {
  const text = `schemaVersion: 1
device: { vendor: ACME }
componentType: PLC
targetSecurityLevel: 7
services:
  opcua:
    - endpointUrl: http://127.0.0.1:4840
      colour: blue
safety: { lockoutAccount: nobody }
`;
  const problems = problemsOf(text);
  t.match(problems[0], /does not match the schema/);
  const body = problems.slice(1).join('\n');
  t.match(body, /device\.model \(line 2\): is required/);
  t.match(body, /componentType \(line 3\): .*EDR/);
  t.match(body, /targetSecurityLevel \(line 4\): .*4/);
  t.match(body, /services\.opcua\[0\]\.endpointUrl \(line 7\): must look like opc\.tcp/);
  t.match(body, /services\.opcua\[0\]\.colour \(line 8\): unknown field/);
});

t.test('cross-field rules are checked', async (t) => {
  const problems = problemsOf(minimal('safety: { lockoutAccount: nobody }\n')).join('\n');
  t.match(problems, /safety\.lockoutAccount .*names credential "nobody", which is not under credentials/);
  const none = problemsOf(`schemaVersion: 1
device: { vendor: A, model: B }
componentType: EDR
targetSecurityLevel: 1
services: {}
`).join('\n');
  t.match(none, /services.*declares no service to test/);
});

t.test('broken YAML is reported with its line', async (t) => {
  const problems = problemsOf('schemaVersion: 1\ndevice: { vendor: [\n');
  t.match(problems[0], /not valid YAML/);
  t.match(problems[1], /line \d+, column \d+/);
});

t.test('${env:NAME} resolves secrets, registers them, and a missing one is an error', async (t) => {
  const text = minimal(`credentials:
  operator: { username: op, password: "\${env:OTC_TEST_PW}", role: read-only }
  inline: { username: eng, password: "inline-secret-1", role: engineer }
`);
  const loaded = parseProfile(text, 'p.yaml', { OTC_TEST_PW: 's3cret-from-env' });
  t.equal(loaded.profile.credentials.operator?.password, 's3cret-from-env');
  t.equal(loaded.redacted.credentials.operator?.password, '${env:OTC_TEST_PW}', 'the reference is kept, not the value');
  t.equal(loaded.redacted.credentials.inline?.password, '[REDACTED]', 'inline passwords are redacted');
  t.equal(loaded.secrets.redact('pw=s3cret-from-env and inline-secret-1'), 'pw=[REDACTED] and [REDACTED]');
  t.notMatch(JSON.stringify(loaded.redacted), /s3cret-from-env|inline-secret-1/);

  const problems = problemsOf(text, {}).join('\n');
  t.match(problems, /credentials\.operator\.password: environment variable OTC_TEST_PW is not set/);
});

t.test('an unreadable file is a usage error, not a crash', async (t) => {
  t.throws(() => loadProfile('/nonexistent/profile.yaml'), UsageError);
});

t.test('every bundled profile is valid (the template with its secrets supplied)', async (t) => {
  const dir = new URL('../device-profiles/', import.meta.url).pathname;
  const files = readdirSync(dir).filter((f) => f.endsWith('.yaml'));
  t.ok(files.length >= 3);
  for (const f of files) {
    const loaded = loadProfile(dir + f, { PLC_OPERATOR_PASSWORD: 'x-password-x' });
    t.ok(loaded.profile.services.opcua.length > 0, `${f} declares an OPC UA service`);
  }
});

t.test('the JSON Schema export describes the profile', async (t) => {
  const schema = profileJsonSchema() as { properties: Record<string, unknown>; required: string[] };
  t.ok(schema.properties.services);
  t.ok(schema.properties.safety);
  t.ok(schema.required.includes('componentType'));
});

t.test('the committed device-profiles/profile.schema.json is current (regenerate with `otconform schema --out`)', async (t) => {
  const committed = JSON.parse(readFileSync(new URL('../device-profiles/profile.schema.json', import.meta.url), 'utf8'));
  t.same(committed, profileJsonSchema());
});
