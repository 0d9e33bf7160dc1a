import { defineTestCase, verdict } from '../../src/core/testcase.js';
import { loginProbeTimeoutMs, lockoutAccountMissing, probeAuthenticatorFeedback } from '../../src/login/index.js';
import { opcuaLoginOracle } from '../../src/protocols/opcua/login-oracle.js';
import { bestEndpoint, listEndpoints } from './_support.js';

export default defineTestCase({
  id: 'opcua-authenticator-feedback',
  title: 'OPC UA answers an unknown user and a wrong password alike',
  description:
    'On the strongest endpoint that takes user names, interleaves session attempts with an unknown user name and with ' +
    "the lockout account's wrong password (a correct login after every two failures, so no lockout is reached) and " +
    'compares the status codes and the time to answer. A different status, or a timing difference well above the noise, reveals which account names exist.',
  requirements: ['CR 1.10'],
  minSecurityLevel: 1,
  componentTypes: 'all',
  protocol: 'opcua',
  safety: 'auth-attempt',
  locksAccounts: true,
  timeoutMs: loginProbeTimeoutMs,
  preconditions: ({ profile }) => lockoutAccountMissing(profile, 'opcua'),
  async run(ctx) {
    const endpoint = bestEndpoint(await listEndpoints(ctx), 'UserName', ctx.kb);
    if (!endpoint) return verdict.notApplicable('No endpoint accepts user-name logins, so no user name can be probed.');
    return probeAuthenticatorFeedback(ctx, { oracle: opcuaLoginOracle(ctx.client, endpoint), protocol: 'opcua' });
  },
});
