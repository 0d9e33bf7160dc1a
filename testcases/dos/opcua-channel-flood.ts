import { defineTestCase } from '../../src/core/testcase.js';
import { opcuaChannelFlood } from '../../src/load/opcua-load.js';
import { loadedOpcuaService, needsEssentialFunction, opcuaServiceAnswers, runDosCheck } from './_support.js';

export default defineTestCase({
  id: 'opcua-channel-flood',
  title: 'The control function survives an OPC UA secure-channel flood',
  description:
    'Opens OPC UA secure channels (Hello, then OpenSecureChannel with SecurityPolicy None) at each of the ' +
    'profile\'s stepped rates (safety.dos.connectionRates) and holds them, while the essential-function monitor ' +
    'watches. Setting up channels must not cost the device the resources its control function needs.',
  requirements: ['CR 7.1', 'CR 7.2'],
  minSecurityLevel: 1,
  componentTypes: 'all',
  protocol: 'opcua',
  safety: 'disruptive',
  timeoutMs: 180_000,
  applicable: loadedOpcuaService,
  preconditions: needsEssentialFunction,
  run: (ctx) =>
    runDosCheck(ctx, {
      load: 'secure-channel flood',
      steps: ctx.profile.safety.dos.connectionRates.map((r) => ({
        label: `${r} channels/s`,
        run: (signal) =>
          opcuaChannelFlood({
            endpointUrl: ctx.service.endpointUrl,
            targetRate: r,
            durationMs: ctx.profile.safety.dos.stepDurationMs,
            timeoutMs: ctx.profile.timeouts.connectMs,
            signal,
          }),
      })),
      headline: (g) => ({
        openedPerSecond: [g.openedPerSecond, 'channels/s'],
        closedByServer: [g.closedByPeer, 'channels'],
        medianOpenMs: [g.medianOpenMs, 'ms'],
      }),
      serviceAnswers: () => opcuaServiceAnswers(ctx),
    }),
});
