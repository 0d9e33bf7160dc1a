import { defineTestCase, verdict } from '../../src/core/testcase.js';
import { sweepDefaultCredentials } from '../../src/login/index.js';
import { opcuaLoginOracle } from '../../src/protocols/opcua/login-oracle.js';
import { bestEndpoint, listEndpoints } from './_support.js';

export default defineTestCase({
  id: 'opcua-default-credentials',
  title: 'No OPC UA account accepts a published default password',
  description:
    'Tries every OPC UA default credential pair in the knowledge base (each with its public source) against the ' +
    "strongest endpoint that takes user names, at the profile's login rate. Any accepted pair fails the check; " +
    'attempts that end in anything but an access-denied answer make it inconclusive.',
  requirements: ['CR 1.5'],
  minSecurityLevel: 1,
  componentTypes: 'all',
  protocol: 'opcua',
  safety: 'auth-attempt',
  async run(ctx) {
    const endpoint = bestEndpoint(await listEndpoints(ctx), 'UserName', ctx.kb);
    if (!endpoint) return verdict.notApplicable('No endpoint accepts user-name logins, so there are no passwords to guess.');
    return sweepDefaultCredentials(ctx, { protocol: 'opcua', oracles: [opcuaLoginOracle(ctx.client, endpoint)] });
  },
});
