import { defineTestCase } from '../../src/core/testcase.js';
import { modbusSlowDrip } from '../../src/load/modbus-load.js';
import { loadedModbusService, modbusServiceAnswers, needsEssentialFunction, runDosCheck } from './_support.js';

const BYTE_INTERVAL_MS = 200;

export default defineTestCase({
  id: 'modbus-slow-drip',
  title: 'The control function survives slow-drip partial Modbus frames',
  description:
    'Keeps safety.dos.slowDripConnections connections each sending a valid request one byte every 200 ms, so the ' +
    'device always holds incomplete frames, while the essential-function monitor watches. A robust stack times ' +
    'partial frames out per connection; a fragile one waits for them and stalls.',
  requirements: ['CR 7.1'],
  minSecurityLevel: 1,
  componentTypes: 'all',
  protocol: 'modbus',
  safety: 'disruptive',
  timeoutMs: 180_000,
  applicable: loadedModbusService,
  preconditions: needsEssentialFunction,
  run: (ctx) =>
    runDosCheck(ctx, {
      load: 'slow-drip',
      steps: [
        {
          label: `${ctx.profile.safety.dos.slowDripConnections} connections, 1 byte/${BYTE_INTERVAL_MS} ms`,
          run: (signal) =>
            modbusSlowDrip({
              open: () => ctx.client.socket(),
              unitId: ctx.service.unitId,
              connections: ctx.profile.safety.dos.slowDripConnections,
              durationMs: Math.max(ctx.profile.safety.dos.stepDurationMs, 3000),
              byteIntervalMs: BYTE_INTERVAL_MS,
              signal,
            }),
        },
      ],
      headline: (g) => ({ closedByDevice: [g.closedByDevice, 'connections'], longestHeldMs: [g.longestHeldMs, 'ms'] }),
      serviceAnswers: () => modbusServiceAnswers(ctx),
    }),
});
