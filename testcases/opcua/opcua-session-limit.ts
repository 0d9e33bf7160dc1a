import { defineTestCase, verdict } from '../../src/core/testcase.js';
import type { OpcuaSessionHandle } from '../../src/protocols/opcua/index.js';
import { label, listEndpoints, loginSession } from './_support.js';

export default defineTestCase({
  id: 'opcua-session-limit',
  title: 'The server limits concurrent sessions',
  description:
    'Opens sessions as the read-only account, one after another and all kept open, until the server refuses one ' +
    'or the profile\'s maxSessions bound is reached, then closes them all. A server that accepts every session ' +
    'can be exhausted by one client.',
  requirements: ['CR 2.7'],
  minSecurityLevel: 3,
  componentTypes: 'all',
  protocol: 'opcua',
  safety: 'disruptive',
  async run(ctx) {
    const endpoints = await listEndpoints(ctx);
    const account = ctx.credentialFor(['read-only', 'operator', 'engineer', 'admin']);
    const bound = ctx.profile.safety.maxSessions;
    const open: OpcuaSessionHandle[] = [];
    try {
      for (let n = 1; n <= bound; n++) {
        const { endpoint, attempt, session } = await loginSession(ctx, endpoints, account);
        if (!attempt.ok || !session) {
          ctx.measure('sessionsAccepted', open.length, 'sessions');
          ctx.attach('sessions.json', { accepted: open.length, refusedWith: attempt.statusCode, endpoint: endpoint && label(endpoint) });
          if (open.length === 0) {
            return verdict.inconclusive(`Not even one session could be opened (${attempt.statusCode ?? attempt.message}).`);
          }
          if (attempt.statusCode !== 'BadTooManySessions' && attempt.statusCode !== 'BadTcpNotEnoughResources') {
            return verdict.inconclusive(`Session ${n} failed with ${attempt.statusCode ?? attempt.message}, which is not a session-limit answer.`);
          }
          ctx.measure('sessionLimit', open.length, 'sessions');
          return verdict.pass(`The server refused session ${n} (${attempt.statusCode}) after accepting ${open.length} concurrent sessions.`);
        }
        open.push(session);
      }
      ctx.measure('sessionsAccepted', open.length, 'sessions');
      ctx.attach('sessions.json', { accepted: open.length, refusedWith: null });
      ctx.measure('sessionLimit', `none within ${bound}`);
      return verdict.fail(`The server accepted all ${bound} concurrent sessions the profile allows the probe to open, with no limit in sight.`);
    } finally {
      await Promise.allSettled(open.map((s) => s.close()));
    }
  },
});
