import { defineTestCase } from '../../src/core/testcase.js';
import { loginProbeTimeoutMs, lockoutAccountMissing, probeAuthenticatorFeedback } from '../../src/login/index.js';

export default defineTestCase({
  id: 'ssh-authenticator-feedback',
  title: 'SSH answers an unknown user and a wrong password alike',
  description:
    "Interleaves password logins with an unknown user name and with the lockout account's wrong password (a correct " +
    'login after every two failures, so no lockout is reached) and compares the answers and their timing. A different ' +
    'answer, or a timing difference well above the noise, reveals which account names exist.',
  requirements: ['CR 1.10'],
  minSecurityLevel: 1,
  componentTypes: 'all',
  protocol: 'ssh',
  safety: 'auth-attempt',
  locksAccounts: true,
  timeoutMs: loginProbeTimeoutMs,
  preconditions: ({ profile }) => lockoutAccountMissing(profile, 'ssh'),
  run: (ctx) => probeAuthenticatorFeedback(ctx, { oracle: ctx.client.loginOracle(), protocol: 'ssh' }),
});
