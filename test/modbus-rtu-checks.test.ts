// The Modbus checks over a real serial line: the PLC simulator's RTU slave on one end of a socat pty pair,
// otconform on the other. Proves the RTU-only cases (bad CRC, broken timing) both ways, and the waiver
// that covers plain RTU on the hardened device (physical access control).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { startPlcSimulator } from '../simulators/modbus-plc/index.js';
import { openPtyPair, requireSocat } from './helpers/pty.js';
import { runChecks } from './helpers/run-checks.js';

t.setTimeout(180_000);

const MODBUS_CHECKS = [
  'modbus-unauthenticated-read',
  'modbus-unauthenticated-write',
  'modbus-device-identification',
  'modbus-function-codes',
  'modbus-malformed-frames',
  'modbus-tls-security',
  'modbus-request-flood',
];

const profileFor = (preset: string, path: string) => `
schemaVersion: 1
device: { vendor: otconform simulated devices, model: SIM-PLC ${preset}, firmware: ${preset === 'weak' ? '1.0.7' : '4.2.1'} }
componentType: EDR
targetSecurityLevel: 2
services:
  modbus:
    - name: rtu
      serial: { path: ${path}, baudRate: 19200, parity: even }
      unitId: 1
      readRegisters: [{ table: holding, address: 0, count: 3 }]
      safeWrites: [{ table: holding, address: 10 }]
      functionCodes: [3, 4, 43]
waivers:
  - check: modbus-unauthenticated-read
    target: rtu
    countermeasure: The RS-485 line runs only inside the locked control cabinet.
    justification: Physical access control keeps unidentified masters off the line.
    reference: RA-0101 (example risk assessment)
    expires: 2099-12-31
safety: { allowDisruptive: true }
`;

const expected: Record<string, Record<string, string>> = {
  weak: {
    'modbus-unauthenticated-read @ rtu': 'waived',
    'modbus-unauthenticated-write @ rtu': 'fail',
    'modbus-device-identification @ rtu': 'fail',
    'modbus-function-codes @ rtu': 'fail',
    'modbus-malformed-frames @ rtu': 'fail',
    'modbus-tls-security @ rtu': 'not-applicable',
    'modbus-request-flood @ rtu': 'not-applicable',
  },
  hardened: {
    'modbus-unauthenticated-read @ rtu': 'waived',
    'modbus-unauthenticated-write @ rtu': 'pass',
    'modbus-device-identification @ rtu': 'pass',
    'modbus-function-codes @ rtu': 'pass',
    'modbus-malformed-frames @ rtu': 'pass',
    'modbus-tls-security @ rtu': 'not-applicable',
    'modbus-request-flood @ rtu': 'not-applicable',
  },
};

for (const preset of ['weak', 'hardened'] as const) {
  t.test(`RTU, preset ${preset}`, async (t) => {
    if (!requireSocat(t)) return;
    const pair = await openPtyPair();
    if (!pair) return void t.fail('socat did not create the pty pair');
    const sim = await startPlcSimulator({ preset, port: 0, serial: { path: pair.a, baudRate: 19200, parity: 'even' }, pkiDir: mkdtempSync(join(tmpdir(), 'otconform-rtu-pki-')) });
    t.teardown(async () => {
      await sim.stop();
      await pair.close();
    });
    const { report, verdicts, evidenceJson } = await runChecks(profileFor(preset, pair.b), { checks: MODBUS_CHECKS, allowDisruptive: true, profileName: 'rtu.yaml' });
    t.same(verdicts, expected[preset], 'every Modbus check reaches its known verdict over RTU');

    const read = report.checks.find((c) => c.id === 'modbus-unauthenticated-read');
    t.equal(read?.originalVerdict, 'fail', 'plain RTU cannot authenticate: the read fails before the waiver');
    t.match(read?.reason ?? '', /physical access control/, 'the verdict names the countermeasure RTU needs');

    const cases = evidenceJson<{ case: string; answer: string }[]>('modbus-malformed-frames', 'cases.json');
    const answer = (id: string) => cases.find((c) => c.case === id)?.answer;
    if (preset === 'weak') {
      t.equal(answer('rtu-bad-crc'), 'response', 'weak answers a frame with a bad CRC');
      t.equal(answer('rtu-broken-timing'), 'response', 'weak joins a frame split by 100 ms of silence');
    } else {
      t.equal(answer('rtu-bad-crc'), 'no-reply', 'hardened drops a frame with a bad CRC');
      t.equal(answer('rtu-broken-timing'), 'no-reply', 'hardened drops both halves of a broken frame');
    }
  });
}
