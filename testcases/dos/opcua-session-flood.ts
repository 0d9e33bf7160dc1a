import { defineTestCase } from '../../src/core/testcase.js';
import { opcuaSessionFlood } from '../../src/load/opcua-load.js';
import { listEndpoints, loginSession } from '../opcua/_support.js';
import { loadedOpcuaService, needsEssentialFunction, opcuaServiceAnswers, runDosCheck } from './_support.js';

export default defineTestCase({
  id: 'opcua-session-flood',
  title: 'The control function survives an OPC UA session flood',
  description:
    'Creates OPC UA sessions (as the read-only account, or anonymously where that is all there is) at each of ' +
    'the profile\'s stepped rates (safety.dos.sessionRates) and holds them, while the essential-function monitor ' +
    'watches. Session set-up (a security function) must stay within bounds that leave the control function alone.',
  requirements: ['CR 7.1', 'CR 7.2'],
  minSecurityLevel: 1,
  componentTypes: 'all',
  protocol: 'opcua',
  safety: 'disruptive',
  timeoutMs: 180_000,
  applicable: loadedOpcuaService,
  preconditions: needsEssentialFunction,
  async run(ctx) {
    const endpoints = await listEndpoints(ctx);
    const account = ctx.credentialFor(['read-only', 'operator', 'engineer', 'admin']);
    return runDosCheck(ctx, {
      load: 'session flood',
      steps: ctx.profile.safety.dos.sessionRates.map((r) => ({
        label: `${r} sessions/s`,
        run: (signal) =>
          opcuaSessionFlood({
            openSession: async () => {
              const { attempt, session } = await loginSession(ctx, endpoints, account);
              return {
                ok: attempt.ok && session !== undefined,
                ...(attempt.statusCode ? { statusCode: attempt.statusCode } : {}),
                ...(session ? { close: () => session.close() } : {}),
              };
            },
            targetRate: r,
            durationMs: ctx.profile.safety.dos.stepDurationMs,
            signal,
          }),
      })),
      headline: (g) => ({ openedPerSecond: [g.openedPerSecond, 'sessions/s'], refused: [g.refused, 'sessions'] }),
      serviceAnswers: () => opcuaServiceAnswers(ctx),
    });
  },
});
