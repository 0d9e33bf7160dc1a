import { defineTestCase } from '../../src/core/testcase.js';
import { loginProbeTimeoutMs, lockoutAccountMissing, probeAuthenticatorFeedback } from '../../src/login/index.js';

export default defineTestCase({
  id: 'https-authenticator-feedback',
  title: 'The web UI answers an unknown user and a wrong password alike',
  description:
    "Through the login form (or HTTP Basic without one), interleaves logins with an unknown user name and with the " +
    "lockout account's wrong password (a correct login after every two failures, so no lockout is reached) and compares " +
    'the answers and their timing. A different message, or a timing difference well above the noise, reveals which account names exist.',
  requirements: ['CR 1.10'],
  minSecurityLevel: 1,
  componentTypes: 'all',
  protocol: 'https',
  safety: 'auth-attempt',
  locksAccounts: true,
  timeoutMs: loginProbeTimeoutMs,
  applicable: ({ service }) => (service.login.form || service.login.basic ? true : 'the web UI declares no login method'),
  preconditions: ({ profile }) => lockoutAccountMissing(profile, 'https'),
  run: (ctx) =>
    probeAuthenticatorFeedback(ctx, { oracle: ctx.client.loginOracle(ctx.service.login.form ? 'form' : 'basic'), protocol: 'https' }),
});
