import { defineTestCase } from '../../src/core/testcase.js';
import { sweepDefaultCredentials } from '../../src/login/index.js';

export default defineTestCase({
  id: 'ssh-default-credentials',
  title: 'No SSH account accepts a published default password',
  description:
    'Tries every SSH default credential pair in the knowledge base (each with its public source, at most a few per ' +
    "user name so no lockout threshold is reached) as a password login, at the profile's login rate. Any accepted pair fails the check.",
  requirements: ['CR 1.5'],
  minSecurityLevel: 1,
  componentTypes: 'all',
  protocol: 'ssh',
  safety: 'auth-attempt',
  run: (ctx) => sweepDefaultCredentials(ctx, { protocol: 'ssh', oracles: [ctx.client.loginOracle()] }),
});
