import { defineTestCase } from '../../src/core/testcase.js';
import { modbusRequestFlood } from '../../src/load/modbus-load.js';
import { loadedModbusService, modbusServiceAnswers, needsEssentialFunction, runDosCheck } from './_support.js';

export default defineTestCase({
  id: 'modbus-request-flood',
  title: 'The control function survives a Modbus request flood',
  description:
    'Sends read requests over four connections at each of the profile\'s stepped rates (safety.dos.requestRates) ' +
    'while the essential-function monitor watches, and checks recovery after every step. A device that limits ' +
    'the load it accepts keeps its heartbeat; one whose stack serves every request first starves its control loop.',
  requirements: ['CR 7.1', 'CR 7.1 RE(1)'],
  minSecurityLevel: 1,
  componentTypes: 'all',
  protocol: 'modbus',
  safety: 'disruptive',
  timeoutMs: 180_000,
  applicable: loadedModbusService,
  preconditions: needsEssentialFunction,
  run: (ctx) =>
    runDosCheck(ctx, {
      load: 'request flood',
      steps: ctx.profile.safety.dos.requestRates.map((r) => ({
        label: `${r} req/s`,
        run: (signal) =>
          modbusRequestFlood({
            open: () => ctx.client.socket(),
            unitId: ctx.service.unitId,
            targetRate: r,
            durationMs: ctx.profile.safety.dos.stepDurationMs,
            connections: 4,
            signal,
          }),
      })),
      headline: (g) => ({ sentPerSecond: [g.sentPerSecond, 'req/s'], answeredPerSecond: [g.answeredPerSecond, 'req/s'] }),
      serviceAnswers: () => modbusServiceAnswers(ctx),
    }),
});
