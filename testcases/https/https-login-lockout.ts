import { defineTestCase } from '../../src/core/testcase.js';
import { loginProbeTimeoutMs, lockoutAccountMissing, probeLockout } from '../../src/login/index.js';

export default defineTestCase({
  id: 'https-login-lockout',
  title: 'Repeated failed web logins lock the account',
  description:
    "On the profile's lockout account only, through the web login form (or HTTP Basic when the service has no form): " +
    'round k sends k wrong passwords, then the correct one, until the correct one is refused (at most ' +
    'safety.maxLoginAttempts). While locked it tries another account from the same source and the locked account from ' +
    'safety.alternateSourceAddress, then probes until the account unlocks or policy.lockoutDurationMaxMs has passed. ' +
    'Fails without a lockout or with one keyed by source only.',
  requirements: ['CR 1.11'],
  minSecurityLevel: 1,
  componentTypes: 'all',
  protocol: 'https',
  safety: 'auth-attempt',
  locksAccounts: true,
  timeoutMs: loginProbeTimeoutMs,
  applicable: ({ service }) => (service.login.form || service.login.basic ? true : 'the web UI declares no login method'),
  preconditions: ({ profile }) => lockoutAccountMissing(profile, 'https'),
  run: (ctx) => probeLockout(ctx, { oracle: ctx.client.loginOracle(ctx.service.login.form ? 'form' : 'basic'), protocol: 'https' }),
});
