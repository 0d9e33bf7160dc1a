import { defineTestCase } from '../../src/core/testcase.js';
import { sweepDefaultCredentials } from '../../src/login/index.js';

export default defineTestCase({
  id: 'https-default-credentials',
  title: 'No web account accepts a published default password',
  description:
    'Tries the HTTP default credential pairs of the knowledge base (each with its public source) on every login method ' +
    "the web UI declares (form and HTTP Basic), sharing the per-user-name limit between them so no lockout threshold " +
    "is reached, at the profile's login rate. Any accepted pair fails the check.",
  requirements: ['CR 1.5'],
  minSecurityLevel: 1,
  componentTypes: 'all',
  protocol: 'https',
  safety: 'auth-attempt',
  applicable: ({ service }) => (service.login.form || service.login.basic ? true : 'the web UI declares no login method'),
  run: (ctx) =>
    sweepDefaultCredentials(ctx, {
      protocol: 'http',
      oracles: [
        ...(ctx.service.login.form ? [ctx.client.loginOracle('form')] : []),
        ...(ctx.service.login.basic ? [ctx.client.loginOracle('basic')] : []),
      ],
    }),
});
