import { defineTestCase } from '../../src/core/testcase.js';
import { modbusConnectionFlood } from '../../src/load/modbus-load.js';
import { loadedModbusService, modbusServiceAnswers, needsEssentialFunction, runDosCheck } from './_support.js';

export default defineTestCase({
  id: 'modbus-connection-flood',
  title: 'The control function survives a Modbus connection flood',
  description:
    'Opens new TCP connections at each of the profile\'s stepped rates (safety.dos.connectionRates) and holds them, ' +
    'each sending one read, while the essential-function monitor watches over a connection opened beforehand. ' +
    'A device with a connection limit sheds the excess; one that accepts and services every connection stalls.',
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
      load: 'connection flood',
      steps: ctx.profile.safety.dos.connectionRates.map((r) => ({
        label: `${r} conn/s`,
        run: (signal) =>
          modbusConnectionFlood({
            open: () => ctx.client.socket(),
            unitId: ctx.service.unitId,
            targetRate: r,
            durationMs: ctx.profile.safety.dos.stepDurationMs,
            signal,
          }),
      })),
      headline: (g) => ({
        openedPerSecond: [g.openedPerSecond, 'conn/s'],
        heldAtEnd: [g.heldAtEnd, 'connections'],
        closedByDevice: [g.closedByPeer, 'connections'],
      }),
      serviceAnswers: () => modbusServiceAnswers(ctx),
    }),
});
