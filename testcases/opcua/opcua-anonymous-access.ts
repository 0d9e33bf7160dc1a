import { defineTestCase, verdict } from '../../src/core/testcase.js';
import { bestEndpoint, endpointsFor, label, listEndpoints } from './_support.js';

const SERVER_STATE = 'i=2259'; // Server_ServerStatus_State: readable on every server, harmless to read

export default defineTestCase({
  id: 'opcua-anonymous-access',
  title: 'Anonymous OPC UA sessions are refused',
  description:
    'Looks for endpoints that offer the Anonymous user token and tries to open an anonymous session and read a ' +
    'value. When no endpoint offers Anonymous, it sends an Anonymous token anyway, to prove the server refuses it ' +
    'rather than merely not advertising it.',
  requirements: ['CR 1.1', 'CR 2.1'],
  minSecurityLevel: 1,
  componentTypes: 'all',
  protocol: 'opcua',
  safety: 'read',
  async run(ctx) {
    const endpoints = await listEndpoints(ctx);
    const offering = endpointsFor(endpoints, 'Anonymous', ctx.kb);
    const target = offering[0] ?? bestEndpoint(endpoints, 'UserName', ctx.kb) ?? endpoints[0];
    if (!target) return verdict.inconclusive('The server advertised no endpoint to try.');
    const forced = offering.length === 0;
    const { attempt, session } = await ctx.step(`anonymous session on ${label(target)}${forced ? ' (forced token)' : ''}`, () =>
      ctx.client.openSession({
        securityPolicy: target.securityPolicy,
        securityMode: target.securityMode,
        identity: { type: 'anonymous' },
        forceTokenType: forced,
      }),
    );
    if (attempt.ok && session) {
      const nodeId = ctx.service.readNodes[0] ?? SERVER_STATE;
      const read = await ctx.step(`read ${nodeId} anonymously`, () => session.read(nodeId));
      ctx.attach('anonymous-read.json', { nodeId, ...read });
      ctx.measure('anonymousEndpoints', offering.length);
      return verdict.fail(
        `An anonymous session was accepted on ${label(target)}${forced ? ' although Anonymous is not advertised' : ''}` +
          ` and read ${nodeId} (${read.statusCode}); ${offering.length} endpoint(s) offer Anonymous.`,
      );
    }
    if (!forced) {
      return verdict.inconclusive(
        `${offering.length} endpoint(s) advertise Anonymous but the attempt on ${label(target)} was refused ` +
          `(${attempt.statusCode ?? attempt.message}); the advertisement and the behaviour disagree.`,
      );
    }
    return verdict.pass(
      `No endpoint offers Anonymous, and an Anonymous token sent anyway was refused (${attempt.statusCode ?? attempt.message}).`,
    );
  },
});
